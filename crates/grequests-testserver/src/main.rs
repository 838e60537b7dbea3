//! A local httpbin: `grequests-testserver [--port PORT] [--tls]`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut builder = grequests_testserver::TestServer::builder()
        .port(8080)
        .threads(2);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--tls" => builder = builder.tls(true),
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
        println!("trust this CA:\n{ca}");
    }
    loop {
        std::thread::park();
    }
}

fn usage(problem: &str) -> ExitCode {
    if !problem.is_empty() {
        eprintln!("grequests-testserver: {problem}");
    }
    eprintln!("usage: grequests-testserver [--port PORT] [--tls]");
    if problem.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
