//! `--respect-robots`: each origin's robots.txt fetched once (however many of its URLs are
//! in flight), parsed by `texting_robots`, and asked about every URL, as RFC 9309 says: a
//! 4xx robots.txt allows everything, an unreachable one (5xx, or no answer) disallows
//! everything.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::future::{BoxFuture, FutureExt, Shared};
use texting_robots::Robot;
use url::Url;

/// The most origins remembered; past it the cache starts over.
const MAX_ORIGINS: usize = 100_000;

/// The most bytes of a robots.txt read (RFC 9309 §2.5: at least 500 KiB).
const MAX_ROBOTS_SIZE: u64 = 512 * 1024;

/// What an origin's robots.txt says.
enum Rules {
    Everything,
    Nothing(String),
    Parsed(Robot),
}

type Fetching = Shared<BoxFuture<'static, Arc<Rules>>>;

/// The robots.txt of every origin seen, fetched with the crawl's own client.
#[derive(Clone)]
pub struct Robots {
    client: grequests::Client,
    agent: Arc<str>,
    origins: Arc<Mutex<HashMap<String, Fetching>>>,
}

impl Robots {
    pub fn new(client: grequests::Client, agent: &str) -> Self {
        Robots {
            client,
            agent: agent.into(),
            origins: Arc::default(),
        }
    }

    /// `Err(why)` when `url` must not be fetched.
    pub async fn check(&self, url: &str) -> Result<(), String> {
        let url = Url::parse(url).map_err(|err| format!("bad URL {url:?}: {err}"))?;
        let origin = url.origin().ascii_serialization();
        let fetching = {
            let Ok(mut origins) = self.origins.lock() else {
                return Ok(());
            };
            if origins.len() >= MAX_ORIGINS && !origins.contains_key(&origin) {
                origins.clear();
            }
            origins
                .entry(origin.clone())
                .or_insert_with(|| self.fetch(format!("{origin}/robots.txt")).boxed().shared())
                .clone()
        };
        match &*fetching.await {
            Rules::Everything => Ok(()),
            Rules::Nothing(why) => Err(why.clone()),
            Rules::Parsed(robot) if robot.allowed(url.as_str()) => Ok(()),
            Rules::Parsed(_) => Err(format!("disallowed by {origin}/robots.txt")),
        }
    }

    fn fetch(&self, robots_url: String) -> impl std::future::Future<Output = Arc<Rules>> {
        let (client, agent) = (self.client.clone(), self.agent.clone());
        async move {
            let response = client
                .get(&robots_url)
                .max_body_size(MAX_ROBOTS_SIZE)
                .send()
                .await;
            let rules = match response {
                Ok(r) if r.status().is_success() => match r.bytes() {
                    Ok(body) => match Robot::new(&agent, &body) {
                        Ok(robot) => Rules::Parsed(robot),
                        // Unparseable rules say nothing: RFC 9309 asks parsers to be lenient.
                        Err(_) => Rules::Everything,
                    },
                    Err(err) => Rules::Nothing(format!("{robots_url} unreadable: {err}")),
                },
                Ok(r) if r.status().is_client_error() => Rules::Everything,
                Ok(r) => Rules::Nothing(format!(
                    "{robots_url} answered {}: unreachable rules disallow everything (RFC 9309)",
                    r.status()
                )),
                Err(err) => Rules::Nothing(format!(
                    "{robots_url} unreachable ({err}): unreachable rules disallow everything (RFC 9309)"
                )),
            };
            Arc::new(rules)
        }
    }
}
