//! What is measured: the five scenarios, plus the memory of keeping responses.

/// Which server a scenario talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// nginx, one worker, loopback: not ours, so nobody tunes it to the client.
    Nginx,
    /// The embedded httpbin, plain (h2c by prior knowledge when asked).
    Httpbin,
    /// The embedded httpbin over TLS, h2 by ALPN.
    HttpbinTls,
    /// No server: the mock transport.
    Mock,
}

/// What the scenario's headline figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Requests per second, higher is better.
    Throughput,
    /// Wall time against the ideal, lower is better.
    Latency,
    /// Nanoseconds per request, lower is better.
    PerRequest,
    /// Peak memory, lower is better.
    Memory,
}

/// One contender in one runtime flavour (`ct`, `mt`, or `own` for the blocking API).
#[derive(Debug, Clone)]
pub struct Contender {
    pub name: &'static str,
    pub flavor: &'static str,
    /// Overrides the scenario's request count (the scheduler's flatness check).
    pub requests: Option<usize>,
}

impl Contender {
    pub fn label(&self) -> String {
        match self.requests {
            Some(n) => format!("{} [{}] N={n}", self.name, self.flavor),
            None => format!("{} [{}]", self.name, self.flavor),
        }
    }

    pub fn is_python(&self) -> bool {
        self.name.starts_with("python-")
    }
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: &'static str,
    pub title: String,
    pub server: Server,
    pub path: &'static str,
    pub requests: usize,
    pub size: usize,
    pub h2c: bool,
    pub metric: Metric,
    pub contenders: Vec<Contender>,
    /// Whether wrk measures the server's ceiling here.
    pub ceiling: bool,
    /// At least this many rounds: short, noisy scenarios need more to settle a median.
    pub min_rounds: usize,
}

fn both(name: &'static str) -> [Contender; 2] {
    ["ct", "mt"].map(|flavor| Contender {
        name,
        flavor,
        requests: None,
    })
}

fn one(name: &'static str, flavor: &'static str) -> Contender {
    Contender {
        name,
        flavor,
        requests: None,
    }
}

/// Everything over HTTP/1.1 keep-alive.
fn http1_field(python: bool) -> Vec<Contender> {
    let mut field: Vec<Contender> = [
        "bare-hyper",
        "reqwest",
        "grequests-map",
        "grequests-imap",
        "grequests-tower-map",
    ]
    .into_iter()
    .flat_map(both)
    .collect();
    field.push(one("grequests-blocking-map", "own"));
    if python {
        for peer in [
            "python-grequests",
            "python-aiohttp",
            "python-pyreqwest",
            "python-grequests-rs-map",
            "python-grequests-rs-imap",
        ] {
            field.push(one(peer, "py"));
        }
    }
    field
}

pub fn plan(quick: bool, python: bool) -> Vec<Scenario> {
    let scale = |full: usize, fast: usize| if quick { fast } else { full };
    let mut plan = Vec::new();
    for size in [50, 200] {
        plan.push(Scenario {
            id: if size == 50 {
                "throughput-50"
            } else {
                "throughput-200"
            },
            title: format!("Throughput: GETs of a 13-byte body over keep-alive, size {size}"),
            server: Server::Nginx,
            path: "/small",
            requests: scale(20_000, 5_000),
            size,
            h2c: false,
            metric: Metric::Throughput,
            contenders: http1_field(python),
            ceiling: true,
            min_rounds: 1,
        });
    }
    plan.push(Scenario {
        id: "body-64k",
        title: "Body-heavy: GETs of 64 KiB, size 50".into(),
        server: Server::Nginx,
        path: "/big",
        requests: scale(5_000, 1_000),
        size: 50,
        h2c: false,
        metric: Metric::Throughput,
        contenders: http1_field(false),
        ceiling: true,
        min_rounds: 1,
    });
    plan.push(Scenario {
        id: "latency",
        title: "Latency-bound: requests to a 100 ms delay, all at once".into(),
        server: Server::Httpbin,
        path: "/delay/0.1",
        requests: scale(1_000, 300),
        size: scale(1_000, 300),
        h2c: false,
        metric: Metric::Latency,
        contenders: http1_field(false),
        ceiling: false,
        // Each run takes ~0.2 s and swings by ±50% as one server thread accepts 1 000
        // connections at once.
        min_rounds: 7,
    });
    let mut scheduler: Vec<Contender> = ["mock-map", "mock-imap"]
        .into_iter()
        .flat_map(both)
        .collect();
    scheduler.push(Contender {
        name: "mock-imap",
        flavor: "ct",
        requests: Some(scale(100_000, 20_000)),
    });
    plan.push(Scenario {
        id: "scheduler",
        title: "Scheduler overhead: map and imap on the mock transport, size 100".into(),
        server: Server::Mock,
        path: "/small",
        requests: scale(1_000_000, 200_000),
        size: 100,
        h2c: false,
        metric: Metric::PerRequest,
        contenders: scheduler,
        ceiling: false,
        min_rounds: 1,
    });
    plan.push(Scenario {
        id: "memory-100k",
        title: "Memory: 100 000 small responses, size 100 (map keeps them all)".into(),
        server: Server::Nginx,
        path: "/small",
        requests: scale(100_000, 20_000),
        size: 100,
        h2c: false,
        metric: Metric::Memory,
        contenders: vec![
            one("bare-hyper", "ct"),
            one("reqwest", "ct"),
            one("grequests-map", "ct"),
            one("grequests-imap", "ct"),
        ],
        ceiling: false,
        min_rounds: 1,
    });
    let h2_field = |tls: bool| -> Vec<Contender> {
        let mut names = vec!["bare-hyper", "grequests-map", "grequests-imap"];
        if !tls {
            // The reqwest contender is built without TLS, to keep its build lean.
            names.insert(1, "reqwest");
            names.push("grequests-tower-map");
        }
        names.into_iter().flat_map(both).collect()
    };
    plan.push(Scenario {
        id: "h2c",
        title: "HTTP/2 cleartext (prior knowledge): 13-byte bodies, size 50".into(),
        server: Server::Httpbin,
        path: "/bytes/13?seed=1",
        requests: scale(20_000, 5_000),
        size: 50,
        h2c: true,
        metric: Metric::Throughput,
        contenders: h2_field(false),
        ceiling: false,
        min_rounds: 1,
    });
    plan.push(Scenario {
        id: "h2-tls",
        title: "HTTP/2 over TLS (ALPN): 13-byte bodies, size 50".into(),
        server: Server::HttpbinTls,
        path: "/bytes/13?seed=1",
        requests: scale(20_000, 5_000),
        size: 50,
        h2c: false,
        metric: Metric::Throughput,
        contenders: h2_field(true),
        ceiling: false,
        min_rounds: 1,
    });
    plan
}
