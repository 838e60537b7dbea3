//! Many requests, many origins, one process: with default settings a batch never fails for
//! want of file descriptors. Each load runs in a child process whose soft `RLIMIT_NOFILE`
//! is 256 (macOS's default), against a server in this process, and counts the child's open
//! descriptors (`/proc/self/fd`) while it runs.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use grequests::{Client, ConnectionBudget};
use grequests_testserver::TestServer;

use crate::support::{client, client_over_origins, is_child, run_child, server};

/// The child's descriptor limit.
const LIMIT: u32 = 256;

/// Descriptors the child may hold beyond its budget and what it had open before the load:
/// the sampler's own directory handle and the runtime's transient ones.
const SLACK: usize = 8;

fn run_load(load: &str) {
    let server = TestServer::builder().threads(2).spawn_thread().unwrap();
    let addr = server.addr().to_string();
    let stdout = run_child(
        "descriptors::load_child",
        &[("GREQUESTS_LOAD", load), ("GREQUESTS_SERVER", &addr)],
        Some(LIMIT),
    );
    let figures = stdout
        .lines()
        .find_map(|line| line.find("load ").map(|at| &line[at..]))
        .unwrap_or_else(|| panic!("no figures in:\n{stdout}"));
    println!(
        "{figures}; server accepted {} connections",
        server.connections_accepted()
    );
}

#[test]
fn map_of_5000_at_default_size_to_one_server() {
    run_load("map5000");
}

#[test]
fn twenty_thousand_requests_over_5000_origins_at_size_50() {
    run_load("origins5000");
}

#[test]
fn imap_at_size_500_over_2000_origins() {
    run_load("imap2000");
}

/// Counts the process's open descriptors every millisecond until stopped; the peak.
struct FdSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicUsize>,
    thread: std::thread::JoinHandle<()>,
}

fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

impl FdSampler {
    fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicUsize::new(0));
        let thread = std::thread::spawn({
            let (stop, peak) = (stop.clone(), peak.clone());
            move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(open_descriptors(), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        });
        FdSampler { stop, peak, thread }
    }

    fn finish(self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap();
        self.peak.load(Ordering::Relaxed)
    }
}

/// Run by the tests above in a child process limited to 256 open files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run in a child process by the descriptor tests"]
async fn load_child() {
    if !is_child() {
        return;
    }
    let load = std::env::var("GREQUESTS_LOAD").unwrap();
    let server: SocketAddr = std::env::var("GREQUESTS_SERVER").unwrap().parse().unwrap();
    let budget = ConnectionBudget::process_default().max();
    assert_eq!(budget, 192, "the default budget under a limit of {LIMIT}");
    let before = open_descriptors();
    let sampler = FdSampler::start();
    let started = Instant::now();
    let (client, total, ok, max_waiting) = match load.as_str() {
        "map5000" => {
            let client = client();
            let url = format!("http://{server}/get");
            let watcher = watch_waiting(client.clone());
            let results = grequests::try_map((0..5000).map(|_| client.get(&url))).await;
            assert_eq!(results.len(), 5000);
            let ok = results
                .iter()
                .filter(|r| r.as_ref().is_ok_and(|r| r.status() == 200))
                .count();
            report_failures(results.iter().filter_map(|r| r.as_ref().err()));
            (client, 5000, ok, watcher.finish().await)
        }
        "origins5000" => {
            let client = client_over_origins(server, 5000);
            let requests = (0..20_000)
                .map(|i| client.get(format!("http://o{}.test:{}/get", i % 5000, server.port())));
            let watcher = watch_waiting(client.clone());
            let results = grequests::try_map(requests).size(50).await;
            assert_eq!(results.len(), 20_000);
            let ok = results
                .iter()
                .filter(|r| r.as_ref().is_ok_and(|r| r.status() == 200))
                .count();
            report_failures(results.iter().filter_map(|r| r.as_ref().err()));
            (client, 20_000, ok, watcher.finish().await)
        }
        "imap2000" => {
            let client = client_over_origins(server, 2000);
            let requests = (0..10_000)
                .map(|i| client.get(format!("http://o{}.test:{}/get", i % 2000, server.port())));
            let watcher = watch_waiting(client.clone());
            let mut seen = vec![0u8; 10_000];
            let mut ok = 0;
            let mut stream = std::pin::pin!(grequests::try_imap_enumerated(requests).size(500));
            while let Some((index, result)) = stream.next().await {
                seen[index] += 1;
                match result {
                    Ok(response) if response.status() == 200 => ok += 1,
                    Ok(response) => panic!("status {}", response.status()),
                    Err(err) => report_failures([&err]),
                }
            }
            assert!(seen.iter().all(|&n| n == 1), "every index exactly once");
            (client, 10_000, ok, watcher.finish().await)
        }
        other => panic!("unknown load {other}"),
    };
    let elapsed = started.elapsed();
    let peak = sampler.finish();
    let status = client.pool_status().unwrap();
    println!(
        "load {load}: {ok}/{total} ok, peak {peak} descriptors ({before} before, budget \
         {budget}), at most {max_waiting} connects waiting, {:.2} s; pool after: {status:?}",
        elapsed.as_secs_f64()
    );
    assert_eq!(ok, total, "every request succeeded");
    assert!(
        peak <= before + budget + SLACK,
        "peak {peak} descriptors, {before} before"
    );
    assert!(status.open <= budget && status.waiting == 0, "{status:?}");
    if load == "map5000" || load == "imap2000" {
        assert!(
            max_waiting > 0,
            "the budget was never spent: the test proves nothing"
        );
    }
}

fn report_failures<'a>(errors: impl IntoIterator<Item = &'a grequests::Error>) {
    for err in errors.into_iter().take(3) {
        eprintln!("failed: {err}");
    }
}

/// Samples how many connects wait for the budget, while the load runs.
struct WaitingWatcher {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<usize>,
}

fn watch_waiting(client: Client) -> WaitingWatcher {
    let stop = Arc::new(AtomicBool::new(false));
    let task = tokio::spawn({
        let stop = stop.clone();
        async move {
            let mut max = 0;
            while !stop.load(Ordering::Relaxed) {
                max = max.max(client.pool_status().map_or(0, |s| s.waiting));
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            max
        }
    });
    WaitingWatcher { stop, task }
}

impl WaitingWatcher {
    async fn finish(self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap()
    }
}

/// Waits (a bounded while) for the pool to settle after a batch: evicted connections close
/// on their own tasks.
async fn settled(
    client: &Client,
    done: impl Fn(&grequests::PoolStatus) -> bool,
) -> grequests::PoolStatus {
    let mut status = client.pool_status().unwrap();
    // Idle connections past a cap close once they have been idle a second.
    for _ in 0..500 {
        if done(&status) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        status = client.pool_status().unwrap();
    }
    status
}

#[tokio::test]
async fn idle_caps_hold_per_origin_and_in_all() {
    let server = server().await;
    let client = (0..8)
        .fold(
            Client::builder()
                .no_proxies()
                .pool_max_idle(4)
                .pool_max_idle_per_host(2),
            |builder, i| builder.resolve(&format!("o{i}.test"), server.addr()),
        )
        .build()
        .unwrap();
    let port = server.addr().port();
    let requests = (0..64).map(|i| client.get(format!("http://o{}.test:{port}/delay/0.05", i % 8)));
    let results = grequests::map(requests).size(24).await;
    assert!(results.iter().all(Option::is_some));
    let status = settled(&client, |s| s.open <= 4).await;
    assert!(status.idle <= 4 && status.open <= 4, "{status:?}");
    assert_eq!(status.in_use, 0, "{status:?}");

    // One origin: at most 2 idle once a batch of 10 is done.
    let one = Client::builder()
        .no_proxies()
        .pool_max_idle_per_host(2)
        .build()
        .unwrap();
    let results = grequests::map((0..10).map(|_| one.get(server.url("/delay/0.05"))))
        .size(10)
        .await;
    assert!(results.iter().all(Option::is_some));
    let status = settled(&one, |s| s.open <= 2).await;
    assert!(status.open <= 2, "{status:?}");
}

#[tokio::test]
async fn a_budget_is_shared_by_the_clients_given_it() {
    let server = server().await;
    let budget = ConnectionBudget::new(3);
    let a = Client::builder()
        .no_proxies()
        .connection_budget(budget.clone())
        .build()
        .unwrap();
    let b = Client::builder()
        .no_proxies()
        .connection_budget(budget.clone())
        .build()
        .unwrap();
    let delayed = |c: &Client| {
        (0..6)
            .map(|_| c.get(server.url("/delay/0.1")))
            .collect::<Vec<_>>()
    };
    let (ra, rb) = tokio::join!(grequests::map(delayed(&a)), grequests::map(delayed(&b)));
    assert!(ra.iter().chain(&rb).all(Option::is_some));
    assert!(server.connections_accepted() >= 3);
    assert!(budget.open() <= 3, "{budget:?}");
    let (sa, sb) = (a.pool_status().unwrap(), b.pool_status().unwrap());
    assert!(sa.open + sb.open <= 3, "{sa:?} {sb:?}");
    assert_eq!(sa.budget, 3);
}

#[tokio::test]
async fn a_waiting_request_takes_an_idle_connection_of_another_origin() {
    let server = server().await;
    let client = Client::builder()
        .no_proxies()
        .max_connections(1)
        .resolve("a.test", server.addr())
        .resolve("b.test", server.addr())
        .build()
        .unwrap();
    let port = server.addr().port();
    for round in 0..5 {
        for host in ["a.test", "b.test"] {
            let response = client
                .get(format!("http://{host}:{port}/get"))
                .send()
                .await
                .unwrap_or_else(|err| panic!("round {round}, {host}: {err}"));
            assert_eq!(response.status(), 200);
        }
    }
    // Each switch of origin closed the idle connection of the other: one open at a time.
    assert_eq!(server.connections_accepted(), 10);
    let status = client.pool_status().unwrap();
    assert!(status.open <= 1, "{status:?}");
}

#[tokio::test]
async fn http2_connections_are_shared_under_the_budget() {
    let server = server().await;
    let h2c = Client::builder()
        .no_proxies()
        .http2_prior_knowledge()
        .max_connections(4)
        .build()
        .unwrap();
    let responses = grequests::map((0..200).map(|_| h2c.get(server.url("/delay/0.01")))).await;
    assert!(responses.iter().all(|r| r
        .as_ref()
        .is_some_and(|r| r.version() == grequests::http::Version::HTTP_2)));
    assert_eq!(
        server.connections_accepted(),
        1,
        "one multiplexed connection"
    );
    let status = settled(&h2c, |s| s.in_use == 0).await;
    assert_eq!(
        (status.open, status.idle, status.in_use),
        (1, 1, 0),
        "{status:?}"
    );
}
