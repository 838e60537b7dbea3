//! A local httpbin: `grequests-testserver [--port PORT] [--tls [--ca-out FILE]] [--threads N]`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut builder = grequests_testserver::TestServer::builder()
        .port(8080)
        .threads(2);
    let mut ca_out: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--tls" => builder = builder.tls(true),
            "--ca-out" => match args.next() {
                Some(path) => ca_out = Some(path),
                None => return usage("--ca-out needs a file"),
            },
            "--threads" => match args.next().and_then(|n| n.parse().ok()) {
                Some(threads) => builder = builder.threads(threads),
                None => return usage("--threads needs a number"),
            },
            "--port" => match args.next().and_then(|p| p.parse().ok()) {
                Some(port) => builder = builder.port(port),
                None => return usage("--port needs a number"),
            },
            "-h" | "--help" => return usage(""),
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }
    let server = match builder.spawn_thread() {
        Ok(server) => server,
        Err(err) => {
            eprintln!("grequests-testserver: can't start: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("grequests-testserver listening on {}", server.base_url());
    if let Some(ca) = server.ca_pem() {
        match &ca_out {
            Some(path) => {
                if let Err(err) = std::fs::write(path, ca) {
                    eprintln!("grequests-testserver: can't write {path}: {err}");
                    return ExitCode::FAILURE;
                }
            }
            None => println!("trust this CA:\n{ca}"),
        }
    }
    loop {
        std::thread::park();
    }
}

fn usage(problem: &str) -> ExitCode {
    if !problem.is_empty() {
        eprintln!("grequests-testserver: {problem}");
    }
    eprintln!("usage: grequests-testserver [--port PORT] [--tls [--ca-out FILE]] [--threads N]");
    if problem.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
