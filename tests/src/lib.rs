//! Test suites live under `tests/`; this library holds what several of them share.

#![allow(clippy::unwrap_used)]

/// Runs one `#[ignore]`d test of the calling test binary in a child process with extra
/// environment variables and, optionally, a lower open-file limit: for what is process-wide
/// (proxy variables, descriptor limits, peak memory) and must not leak into the other
/// tests. Fails unless the child ran exactly that test and it passed; returns its stdout.
pub fn run_child(test: &str, envs: &[(&str, &str)], max_open_files: Option<u32>) -> String {
    let exe = std::env::current_exe().unwrap();
    let limit = max_open_files.map_or(String::new(), |n| format!("ulimit -n {n} && "));
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{limit}exec \"$0\" --exact {test} --ignored --nocapture --test-threads 1"
        ))
        .arg(exe)
        .envs(envs.iter().copied())
        .env("GREQUESTS_CHILD_TEST", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "child {test} failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("1 passed"),
        "child {test} ran no test:\n{stdout}"
    );
    stdout
}

/// Resets this process' peak RSS to its current RSS (Linux's `clear_refs`), so that
/// `VmHWM` then measures what follows alone.
pub fn reset_peak_rss() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

/// A `/proc/self/status` field in KiB: `VmRSS:` now, `VmHWM:` at the peak.
pub fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Whether this process is a child started by [`run_child`].
pub fn is_child() -> bool {
    std::env::var_os("GREQUESTS_CHILD_TEST").is_some()
}

/// A loopback port nothing listens on: connecting to it is refused at once.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Every message in an error's chain, outermost first, as anyhow's `{:#}` prints them.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = vec![err.to_string()];
    let mut next = err.source();
    while let Some(cause) = next {
        out.push(cause.to_string());
        next = cause.source();
    }
    out
}

/// A `tracing` subscriber that writes everything, spans' closing included, into memory.
#[derive(Clone, Debug, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// Makes this the current thread's subscriber until the guard drops.
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(self.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}
