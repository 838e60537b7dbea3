//! [`ConnectionBudget`]: how many connections may be open at once, so that a batch never
//! fails for want of file descriptors; and the bounded idle pool under it.
//!
//! Every connection holds one descriptor of the budget from the moment it starts
//! connecting until it closes. A connect that finds the budget spent first closes the
//! least recently used idle connection, of any origin and of any transport sharing the
//! budget; when none is idle it waits until one is (or until a connection closes). That
//! wait counts against neither the connect timeout nor the low-speed guard. A connect that
//! the OS still refuses a descriptor (`EMFILE`/`ENFILE`: the rest of the program took them)
//! closes an idle connection and tries once more before it fails.
//!
//! Idle connections are bounded too: per origin (`pool_max_idle_per_host`) and per
//! transport (`pool_max_idle`), the least recently used going first, each only once it has
//! settled. (hyper-util's pool would close a connection past the per-origin cap as it fell
//! idle: a batch of 200 at a time to one origin then opened a new connection for one
//! request in seven.) How a connection is known to be idle: its I/O counts the exchanges that start on
//! it (an HTTP/1 request is a write after the previous response's bytes; an HTTP/2 request
//! is a HEADERS frame opening a new stream), and the transport counts those that end (a
//! response body finished or dropped, or the exchange failed). An idle connection is
//! closed by ending its reads, which hyper treats as the server closing it: a request
//! already handed to it is then sent again on another connection, unsent.
//!
//! | default | value | why |
//! |---|---|---|
//! | budget | the soft `RLIMIT_NOFILE` less a quarter of it (at least 16, at most 256 kept back) | one descriptor per connection; the reserve is for the program's own files, pipes, the runtime and the resolver |
//! | idle per origin | 32 | a session that sends batches of up to 32 at a time to one API keeps its connections between batches |
//! | idle per transport | 256 | a crawl over many origins keeps recent ones warm without holding a quarter of a 1 024 limit idle |
//! | settled before the idle cap closes it | 1 s | a connection that just fell idle may already be handed to a request; see [`registry::SETTLE`] |
//! | idle time | 90 s | as before, and as Go's `IdleConnTimeout` |

mod acquire;
mod lease;
pub(crate) mod registry;
mod sweep;
mod usage;

use std::fmt;
use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;

pub(crate) use acquire::{acquire, report};
pub(crate) use lease::{ConnTag, Lease};
pub(crate) use registry::PoolCounters;
pub(crate) use sweep::SweepTimer;
pub(crate) use usage::Usage;

use registry::Registry;

/// The most idle connections a transport keeps per origin unless told otherwise.
pub const DEFAULT_MAX_IDLE_PER_HOST: usize = 32;

/// The most idle connections a transport keeps in all unless told otherwise.
pub const DEFAULT_MAX_IDLE: usize = 256;

/// The most connections open at once, shared by every transport (and so every client)
/// given the same budget. Cheap to clone; clones share the count.
///
/// By default all transports in a process share [`ConnectionBudget::process_default`],
/// derived from the soft `RLIMIT_NOFILE` when it is first asked for.
///
/// ```no_run
/// use grequests_hyper::{ConnectionBudget, HyperTransport};
/// // Two transports (two TLS configurations, say) that together keep to 200 connections.
/// let budget = ConnectionBudget::new(200);
/// let verified = HyperTransport::builder().connection_budget(budget.clone()).build()?;
/// let lab = HyperTransport::builder()
///     .connection_budget(budget)
///     .danger_accept_invalid_certs(true)
///     .build()?;
/// # drop((verified, lab));
/// # Ok::<(), grequests_transport::Error>(())
/// ```
#[derive(Clone)]
pub struct ConnectionBudget {
    shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub(crate) max: usize,
    pub(crate) permits: Arc<Semaphore>,
    pub(crate) registry: Arc<Registry>,
}

impl ConnectionBudget {
    /// A budget of `max` connections open at once (at least 1).
    pub fn new(max: usize) -> Self {
        let max = max.clamp(1, Semaphore::MAX_PERMITS);
        ConnectionBudget {
            shared: Arc::new(Shared {
                max,
                permits: Arc::new(Semaphore::new(max)),
                registry: Arc::new(Registry::new()),
            }),
        }
    }

    /// The process-wide budget that transports use unless given one: the soft
    /// `RLIMIT_NOFILE`, read when this is first called, less a reserve of a quarter of it
    /// (at least 16 and at most 256 descriptors) for the rest of the program. Where the
    /// limit cannot be read (not a Unix), 1 024 connections.
    pub fn process_default() -> Self {
        static DEFAULT: OnceLock<ConnectionBudget> = OnceLock::new();
        DEFAULT
            .get_or_init(|| ConnectionBudget::new(budget_for(soft_nofile_limit())))
            .clone()
    }

    /// The most connections open at once.
    pub fn max(&self) -> usize {
        self.shared.max
    }

    /// Connections open now under this budget, whichever transport made them.
    pub fn open(&self) -> usize {
        self.shared.registry.totals().0
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

impl fmt::Debug for ConnectionBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (open, idle, waiting) = self.shared.registry.totals();
        f.debug_struct("ConnectionBudget")
            .field("max", &self.shared.max)
            .field("open", &open)
            .field("idle", &idle)
            .field("waiting", &waiting)
            .finish()
    }
}

/// The default budget for a soft descriptor limit: see [`ConnectionBudget::process_default`].
pub(crate) fn budget_for(soft_limit: Option<u64>) -> usize {
    let Some(soft) = soft_limit else {
        return 1024;
    };
    let soft = usize::try_from(soft).unwrap_or(usize::MAX).min(1 << 20);
    let reserve = (soft / 4).clamp(16, 256);
    soft.saturating_sub(reserve).max(1)
}

#[cfg(unix)]
fn soft_nofile_limit() -> Option<u64> {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    // No soft limit: as good as the largest budget.
    Some(limit.current.unwrap_or(u64::MAX))
}

#[cfg(not(unix))]
fn soft_nofile_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests;
