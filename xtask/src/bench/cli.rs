//! `cargo xtask bench --cli`: `grequests fetch` against the command-line tools people use
//! for a file of URLs (curl's `--parallel`, `xargs -P` over curl, wget2, aria2c, minet) and
//! the library's own `imap`, on one list of URLs over 1 000 origins (nginx on 1 000 ports),
//! 50 at a time, in interleaved rounds.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use grequests_testserver::PythonEnv;

use super::servers::{origin_ports, start_nginx, wait_for};
use super::{side_by_side, work_dir};

/// Origins: nginx listens on this many ports from [`FIRST_PORT`], below the ephemeral
/// range ([`origin_ports`] says why).
const ORIGINS: u16 = 1_000;
const FIRST_PORT: u16 = 20_000;
/// Requests in flight at once, for every contender.
const CONCURRENCY: usize = 50;

/// The longest list a process-per-URL contender is run on: at its rate, 100 000 URLs take
/// longer than a contender may run (`RUN_LIMIT`), and it was killed after 300 s each time.
const SLOW_TOOL_LINES: usize = 10_000;

/// One contender: its name, and the command that fetches the list.
struct Contender {
    name: &'static str,
    /// `_cli_run.py`'s rule for counting what it fetched.
    ok_rule: String,
    /// Runs many processes at once: its peak memory is theirs together (`--tree`).
    many_processes: bool,
    command: Vec<String>,
}

pub fn run_cli(quick: bool, rounds: usize, docs: bool) -> Result<(), String> {
    let count = if quick { 10_000 } else { 100_000 };
    let dir = std::fs::canonicalize(work_dir())
        .map_err(|e| e.to_string())?
        .join("cli");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(&cargo)
        .args(["build", "--release", "--quiet", "-p", "grequests-cli"])
        .status()
        .map_err(|e| format!("can't run cargo: {e}"))?;
    if !built.success() {
        return Err("cargo build -p grequests-cli failed".into());
    }
    let ports = origin_ports(FIRST_PORT, ORIGINS)?;
    let mut nginx = start_nginx(&dir.join("nginx"), &ports)?;
    wait_for(FIRST_PORT + ORIGINS - 1)?;
    let urls = write_lists(&dir, count)?;
    // minet is a Python tool: it gets a virtualenv of its own, or sits the run out.
    let minet = PythonEnv::ensure(work_dir().join("minet-venv"), "import minet", &["minet"])
        .map_err(|why| eprintln!("minet left out: {why}"))
        .ok();
    let contenders = contenders(&dir, &urls, minet.as_ref());
    let names: Vec<&'static str> = contenders.iter().map(|c| c.name).collect();
    let samples = side_by_side::interleaved(&names, rounds, count, |index| {
        let contender = &contenders[index];
        if contender.many_processes && count > SLOW_TOOL_LINES {
            // A curl process per URL runs at ~250 URLs/s: past the bench's cap per run.
            return Err(format!("not run past {SLOW_TOOL_LINES} URLs (~250 URLs/s)"));
        }
        let _ = std::fs::remove_dir_all(dir.join("out"));
        std::fs::create_dir_all(dir.join("out")).map_err(|e| e.to_string())?;
        let mut command = Command::new("python3");
        command
            .arg("xtask/peers/_cli_run.py")
            .args([contender.name, &count.to_string(), &contender.ok_rule])
            .args(contender.many_processes.then_some("--tree"))
            .arg("--")
            .args(&contender.command);
        Ok(command)
    });
    let instructions = count_instructions(&dir)?;
    let _ = nginx.kill();
    let _ = nginx.wait();
    let title = format!(
        "Command line: {count} URLs over {ORIGINS} origins (nginx), {CONCURRENCY} at a time"
    );
    let table = side_by_side::table(&title, &samples, count, true, &instructions);
    println!("{table}");
    if docs {
        // By its list's length: the quick run and the full one keep a section and a chart
        // each (the section's prose, written by hand, links the chart).
        side_by_side::write_docs_section(&format!("## {title}\n"), &table)?;
        let chart = format!("docs/bench-cli-{count}.svg");
        super::chart::draw_side_by_side(&title, &samples, Path::new(&chart))?;
        eprintln!("wrote {chart}");
    }
    Ok(())
}

/// Instructions a line of `grequests fetch` and of the library's `imap` (the two
/// contenders whose code is ours), by callgrind on the list's first lines: 2 000 and 4 000
/// of them, so every origin is met twice in the shorter run. The count is a line's CPU
/// with whatever connects it makes: under valgrind's slowdown `imap`'s idle connections
/// settle and its pool closes them, so it connects for nearly every line, where
/// `grequests fetch` reuses its own. Figures to compare from run to run, not with each
/// other.
fn count_instructions(dir: &Path) -> Result<Vec<(&'static str, f64)>, String> {
    if !super::instructions::available() {
        return Ok(Vec::new());
    }
    let all = std::fs::read_to_string(dir.join("urls.txt")).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir.join("out")).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for contender in contenders(dir, &dir.join("urls.txt"), None)
        .into_iter()
        .take(2)
    {
        let per_line = super::instructions::marginal(contender.name, |lines| {
            let list = dir.join(format!("urls-{lines}.txt"));
            let head: String = all.split_inclusive('\n').take(lines).collect();
            std::fs::write(&list, head).map_err(|e| format!("{}: {e}", list.display()))?;
            let listed = contenders(dir, &list, None)
                .into_iter()
                .find(|c| c.name == contender.name)
                .ok_or("a contender without a command")?;
            let mut command = Command::new(&listed.command[0]);
            command.args(&listed.command[1..]);
            if listed.name == "library imap" {
                // On two workers the count wanders by a third from run to run (60k to 99k
                // a line); on one, as `grequests fetch` runs, it repeats within 0.3%.
                command.args(["--flavor", "ct"]);
            }
            Ok(command)
        })?;
        rows.push((contender.name, per_line));
    }
    Ok(rows)
}

/// The contenders whose tools are installed (`cargo xtask bench-setup` installs them).
fn contenders(dir: &Path, urls: &Path, minet: Option<&PythonEnv>) -> Vec<Contender> {
    let out = dir.join("out");
    let path = |p: &Path| p.display().to_string();
    let ours = vec![
        "target/release/grequests".to_owned(),
        "fetch".into(),
        "--quiet".into(),
        path(urls),
        "-o".into(),
        path(&out.join("out.jsonl")),
        "--concurrency".into(),
        CONCURRENCY.to_string(),
    ];
    let mut all = vec![
        Contender {
            name: "grequests fetch",
            ok_rule: format!("jsonl:{}", path(&out.join("out.jsonl"))),
            many_processes: false,
            command: ours,
        },
        Contender {
            name: "library imap",
            ok_rule: "exit".into(),
            many_processes: false,
            command: vec![
                "target/contenders/release/grequests-contenders".into(),
                "grequests-imap".into(),
                "--urls".into(),
                path(urls),
                "--size".into(),
                CONCURRENCY.to_string(),
            ],
        },
    ];
    if crate::setup::on_path("curl") {
        let codes = ["-s", "-o", "/dev/null", "-w", "%{http_code}\\n"].map(String::from);
        let mut parallel = vec![
            "curl".to_owned(),
            "--parallel".into(),
            "--parallel-immediate".into(),
        ];
        parallel.extend(["--parallel-max".into(), CONCURRENCY.to_string()]);
        parallel.extend(["-K".into(), path(&dir.join("urls.curl"))]);
        all.push(Contender {
            name: "curl --parallel",
            ok_rule: "codes".into(),
            many_processes: false,
            command: parallel,
        });
        let xargs = format!(
            "xargs -P {CONCURRENCY} -n 1 curl {} < {}",
            codes.map(|c| format!("'{c}'")).join(" "),
            path(urls)
        );
        all.push(Contender {
            name: "xargs -P 50 curl",
            ok_rule: "codes".into(),
            many_processes: true,
            command: vec!["sh".into(), "-c".into(), xargs],
        });
    }
    if crate::setup::on_path("wget2") {
        all.push(Contender {
            name: "wget2",
            ok_rule: "exit".into(),
            many_processes: false,
            command: [
                "wget2",
                "-q",
                "--max-threads",
                "50",
                "--no-robots",
                "-O",
                "/dev/null",
                "-i",
            ]
            .map(String::from)
            .into_iter()
            .chain([path(urls)])
            .collect(),
        });
    }
    if crate::setup::on_path("aria2c") {
        all.push(Contender {
            name: "aria2c -i",
            ok_rule: format!("files:{}", path(&out)),
            many_processes: false,
            command: vec![
                "aria2c".into(),
                "-q".into(),
                "-j".into(),
                CONCURRENCY.to_string(),
                "-x".into(),
                "1".into(),
                "--allow-overwrite=true".into(),
                "--auto-file-renaming=false".into(),
                "-d".into(),
                path(&out),
                "-i".into(),
                path(&dir.join("urls.aria2")),
            ],
        });
    }
    if let Some(minet) = minet {
        // Its per-domain limit counts 127.0.0.1's 1 000 ports as one domain, and it waits
        // 0.2 s between a domain's requests by default: both lifted, so that its 50 threads
        // are the limit, as for the others.
        all.push(Contender {
            name: "minet fetch",
            ok_rule: "csv:http_status".into(),
            many_processes: false,
            command: [
                path(&minet.bin("minet")),
                "fetch".into(),
                "url".into(),
                "-i".into(),
                path(&dir.join("urls.csv")),
                "-t".into(),
                CONCURRENCY.to_string(),
                "--domain-parallelism".into(),
                CONCURRENCY.to_string(),
                "--throttle".into(),
                "0".into(),
                "--dont-save".into(),
                "--silent".into(),
            ]
            .to_vec(),
        });
    }
    all
}

/// The list in each tool's format: plain, curl's config, aria2's input (a file name each).
fn write_lists(dir: &Path, count: usize) -> Result<PathBuf, String> {
    let (mut plain, mut aria) = (String::new(), String::new());
    let mut csv = String::from("url\n");
    let mut curl = String::from("silent\nwrite-out = \"%{http_code}\\n\"\n");
    for i in 0..count {
        let url = format!(
            "http://127.0.0.1:{}/small?i={i}",
            FIRST_PORT + (i % ORIGINS as usize) as u16
        );
        let _ = writeln!(plain, "{url}");
        let _ = writeln!(csv, "{url}");
        let _ = writeln!(curl, "url = \"{url}\"\noutput = \"/dev/null\"");
        let _ = writeln!(aria, "{url}\n  out={i}");
    }
    let urls = dir.join("urls.txt");
    for (name, text) in [
        ("urls.txt", plain),
        ("urls.curl", curl),
        ("urls.aria2", aria),
        ("urls.csv", csv),
    ] {
        std::fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(urls)
}
