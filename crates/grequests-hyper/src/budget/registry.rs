//! The book of every open connection under one budget: which are idle, in least recently
//! used order, who waits for a descriptor, and which idle connection to close for them.
//!
//! One mutex guards it. It is taken when a connection opens or closes, when an exchange
//! starts or ends on one, and when a connect has to wait: a few times per request, never
//! per byte.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures_util::task::AtomicWaker;
use slab::Slab;
use tokio::sync::Notify;

/// How long at most a new connection is spared from eviction before its first exchange
/// starts. Its request writes within microseconds, but a starved runtime (a loaded machine,
/// a debug build) can delay that task by seconds, and closing a connection before its
/// first request fails that request: the grace ends early only when the request was
/// cancelled between connect and send, which costs one budget slot for this long.
pub(crate) const FRESH_GRACE: Duration = Duration::from_secs(30);

/// How long a connection must have been idle before the idle cap closes it. One that just
/// fell idle may already be on its way to a request the pool handed it to; closed then,
/// that request can be stranded: hyper queues it on the connection's dispatch channel, and
/// a message sent as the channel's receiver drops stays there until the sender drops
/// (tokio's documented mpsc behaviour), which the waiting request itself holds. The cap is
/// then exceeded only by connections idle for less than this (and a quarter of it, the
/// deferred trim's period).
pub(crate) const SETTLE: Duration = Duration::from_secs(1);

/// No link in the idle list.
const NIL: usize = usize::MAX;

/// A connection's life as eviction sees it; stored in [`Conn::life`].
pub(crate) mod life {
    /// Open, as far as eviction goes.
    pub(crate) const LIVE: u8 = 0;
    /// Chosen for eviction; its next read ends the connection, unless a write starting an
    /// exchange gets there first and takes it back.
    pub(crate) const EVICTING: u8 = 1;
    /// Its reader was told the connection is over.
    pub(crate) const CLOSED: u8 = 2;
}

/// The counters of one transport's pool, read without the lock by [`PoolStatus`]
/// snapshots, written under it.
///
/// [`PoolStatus`]: grequests_transport::PoolStatus
#[derive(Debug)]
pub(crate) struct PoolCounters {
    pub(crate) max_idle: usize,
    /// Idle connections kept per origin. hyper-util's pool would close one past it as it
    /// falls idle, so a batch of more than this many to one origin reconnected all the
    /// time; the registry closes it once settled instead.
    pub(crate) max_idle_per_origin: usize,
    /// Origins of this pool with more idle connections than it keeps (written under the
    /// registry's lock).
    origins_over: AtomicUsize,
    pub(crate) open: AtomicUsize,
    pub(crate) idle: AtomicUsize,
    pub(crate) waiting: AtomicUsize,
    /// A later trim to the idle cap is scheduled (written under the registry's lock).
    trim_scheduled: AtomicBool,
    /// Notified when one of the pool's connections closes, so that hyper-util's pool
    /// forgets it (see [`SweepTimer`](super::SweepTimer)).
    pub(crate) closed: Arc<Notify>,
}

impl PoolCounters {
    pub(crate) fn new(max_idle: usize, max_idle_per_origin: usize) -> Self {
        PoolCounters {
            max_idle,
            max_idle_per_origin,
            origins_over: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
            idle: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            trim_scheduled: AtomicBool::new(false),
            closed: Arc::new(Notify::new()),
        }
    }

    fn over_cap(&self) -> bool {
        self.idle.load(Ordering::Relaxed) > self.max_idle || self.origins_over()
    }

    fn origins_over(&self) -> bool {
        self.origins_over.load(Ordering::Relaxed) > 0
    }
}

/// One open connection's entry, shared by its I/O (which starts exchanges and ends the
/// connection when evicted) and by the responses it carries (which end exchanges).
#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) registry: Arc<Registry>,
    pub(crate) pool: Arc<PoolCounters>,
    key: usize,
    pub(crate) life: AtomicU8,
    /// The reader's waker, woken to end an evicted connection.
    pub(crate) reader: AtomicWaker,
    /// Exchanges started on it, the one in hand included.
    exchanges: AtomicU32,
}

impl Conn {
    /// Whether the budget chose this connection for eviction: an exchange that fails on it
    /// failed because of us, not the server.
    pub(crate) fn evicted(&self) -> bool {
        self.life.load(Ordering::Acquire) != life::LIVE
    }

    /// Whether an exchange ran on it before the latest one started: the pool may hand a
    /// request a connection made after the request started, once another request has used
    /// it (and the server may have closed it since).
    pub(crate) fn served_before(&self) -> bool {
        self.exchanges.load(Ordering::Acquire) >= 2
    }
}

#[derive(Debug)]
struct Node {
    conn: Arc<Conn>,
    /// Its key in [`State::origins`].
    origin: usize,
    /// Exchanges started and not yet ended.
    pending: usize,
    /// Spared from eviction until then, while it waits for its first exchange.
    fresh_until: Option<Instant>,
    idle_since: Instant,
    idle: bool,
    prev: usize,
    next: usize,
}

/// An eviction, for the trace: the origin, how long the connection was idle, and why.
pub(crate) type Report = (Arc<str>, Duration, Eviction);

/// Why an idle connection was closed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Eviction {
    /// A connect needed its descriptor.
    Budget,
    /// Its pool had more idle connections than it keeps.
    IdleCap,
}

/// What the registry knows of one `scheme://host:port` in one transport's pool (another
/// pool's idle connection cannot serve a request).
#[derive(Debug)]
struct Origin {
    pool: usize,
    name: Arc<str>,
    conns: usize,
    idle: usize,
    waiting: usize,
}

#[derive(Debug, Default)]
struct State {
    nodes: Slab<Node>,
    /// Origins with a connection or a waiter; nodes name them by key, so that the hot path
    /// counts without hashing.
    origins: Slab<Origin>,
    by_name: HashMap<(usize, Arc<str>), usize>,
    /// Least recently used first.
    head: usize,
    tail: usize,
    idle: usize,
    /// Connects waiting for a descriptor.
    waiting: usize,
    /// Connections chosen for eviction that have not closed yet.
    evicting: usize,
}

/// The registry of one budget; see the module doc.
#[derive(Debug)]
pub(crate) struct Registry {
    state: Mutex<State>,
    /// [`SETTLE`], but for tests.
    settle: Duration,
}

impl Registry {
    pub(crate) fn new() -> Self {
        Self::settling_for(SETTLE)
    }

    /// A registry whose idle cap closes connections idle for at least `settle`.
    pub(crate) fn settling_for(settle: Duration) -> Self {
        Registry {
            state: Mutex::new(State {
                head: NIL,
                tail: NIL,
                ..State::default()
            }),
            settle,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent at every await-free step, so a panic elsewhere while
        // it was held leaves nothing half-done worth refusing.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Enters a new connection, idle but spared from eviction for [`FRESH_GRACE`] unless
    /// `unclaimed` (made in the background for a request that was served meanwhile).
    pub(crate) fn register(
        self: &Arc<Self>,
        pool: &Arc<PoolCounters>,
        origin: Arc<str>,
        unclaimed: bool,
    ) -> Arc<Conn> {
        let mut state = self.lock();
        let now = Instant::now();
        let origin = state.origin_key(pool, &origin);
        state.origins[origin].conns += 1;
        let entry = state.nodes.vacant_entry();
        let conn = Arc::new(Conn {
            registry: self.clone(),
            pool: pool.clone(),
            key: entry.key(),
            life: AtomicU8::new(life::LIVE),
            reader: AtomicWaker::new(),
            exchanges: AtomicU32::new(0),
        });
        entry.insert(Node {
            conn: conn.clone(),
            origin,
            pending: 0,
            fresh_until: (!unclaimed).then(|| now + FRESH_GRACE),
            idle_since: now,
            idle: false,
            prev: NIL,
            next: NIL,
        });
        pool.open.fetch_add(1, Ordering::Relaxed);
        state.push_idle(conn.key);
        drop(state);
        conn
    }

    /// Removes a connection that closed.
    pub(crate) fn unregister(&self, conn: &Conn) {
        let mut state = self.lock();
        state.unlink(conn.key);
        if conn.life.load(Ordering::Relaxed) != life::LIVE {
            state.evicting = state.evicting.saturating_sub(1);
        }
        if let Some(node) = state.nodes.try_remove(conn.key) {
            conn.pool.open.fetch_sub(1, Ordering::Relaxed);
            state.origins[node.origin].conns -= 1;
            state.release_origin(node.origin);
        }
        drop(state);
        conn.pool.closed.notify_one();
    }

    /// An exchange starts on `conn`. False when the connection is already being closed and
    /// the exchange must fail (the reader saw the eviction first).
    pub(crate) fn start(&self, conn: &Conn) -> bool {
        let mut state = self.lock();
        if conn
            .life
            .compare_exchange(
                life::EVICTING,
                life::LIVE,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
        {
            // Taken back before its reader noticed: the waiter it was meant for is served
            // by the next connection to fall idle, or by its own recheck.
            state.evicting = state.evicting.saturating_sub(1);
        } else if conn.life.load(Ordering::Acquire) == life::CLOSED {
            return false;
        }
        state.unlink(conn.key);
        if let Some(node) = state.nodes.get_mut(conn.key) {
            node.pending += 1;
            node.fresh_until = None;
        }
        conn.exchanges.fetch_add(1, Ordering::AcqRel);
        true
    }

    /// An exchange on `conn` ended (its response body finished or was dropped, or it
    /// failed). The connection falls idle when none is left, and the caps are applied.
    pub(crate) fn finish(&self, conn: &Conn) -> Vec<Report> {
        let mut state = self.lock();
        let Some(node) = state.nodes.get_mut(conn.key) else {
            return Vec::new();
        };
        node.pending = node.pending.saturating_sub(1);
        if node.pending > 0 || node.idle || conn.life.load(Ordering::Relaxed) != life::LIVE {
            return Vec::new();
        }
        node.idle_since = Instant::now();
        let origin = node.origin;
        state.push_idle(conn.key);
        let mut evicted = state.trim(&conn.pool, self.settle);
        let trim_later =
            conn.pool.over_cap() && !conn.pool.trim_scheduled.swap(true, Ordering::Relaxed);
        // Waiters for this origin are served by this connection through the pool; a
        // waiter for another origin needs a descriptor freed.
        let same = state.origins[origin].waiting;
        if state.waiting.saturating_sub(same) > state.evicting {
            evicted.extend(state.evict_lru(|_| true, None, Eviction::Budget));
        }
        drop(state);
        if trim_later {
            Registry::trim_later(&conn.registry, conn.pool.clone());
        }
        evicted
    }

    /// Trims `pool` to its idle cap as its idle connections settle, until it is within the
    /// cap; without a runtime to wait on, the next exchange to end on the pool trims it.
    fn trim_later(this: &Arc<Registry>, pool: Arc<PoolCounters>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            pool.trim_scheduled.store(false, Ordering::Relaxed);
            return;
        };
        let (registry, settle) = (Arc::downgrade(this), this.settle);
        runtime.spawn(async move {
            loop {
                // Look again a few times per settle time: the newest idle connections
                // settle after the oldest ones.
                tokio::time::sleep(settle / 4).await;
                let Some(registry) = registry.upgrade() else {
                    return;
                };
                let mut state = registry.lock();
                let evicted = state.trim(&pool, settle);
                let done = !pool.over_cap();
                if done {
                    pool.trim_scheduled.store(false, Ordering::Relaxed);
                }
                drop(state);
                super::acquire::report(evicted);
                if done {
                    return;
                }
            }
        });
    }

    /// A connect for `origin` starts waiting for a descriptor: unless an idle connection
    /// of its own origin will serve its request, one idle connection is evicted for it,
    /// when there is one and no eviction already under way covers it. Returns the
    /// origin's key, for [`recheck`](Self::recheck) and [`done_waiting`](Self::done_waiting).
    pub(crate) fn wait(&self, origin: &Arc<str>, pool: &PoolCounters) -> (usize, Option<Report>) {
        let mut state = self.lock();
        let key = state.origin_key(pool, origin);
        state.waiting += 1;
        state.origins[key].waiting += 1;
        pool.waiting.fetch_add(1, Ordering::Relaxed);
        (key, state.relieve(key))
    }

    /// The waiting connect looks again (a fresh connection's grace may have ended).
    pub(crate) fn recheck(&self, origin: usize) -> Option<Report> {
        self.lock().relieve(origin)
    }

    /// The waiting connect got its descriptor, or gave up.
    pub(crate) fn done_waiting(&self, origin: usize, pool: &PoolCounters) {
        let mut state = self.lock();
        state.waiting = state.waiting.saturating_sub(1);
        if let Some(entry) = state.origins.get_mut(origin) {
            entry.waiting = entry.waiting.saturating_sub(1);
        }
        state.release_origin(origin);
        pool.waiting.fetch_sub(1, Ordering::Relaxed);
    }

    /// Evicts the least recently used idle connection whatever the waiters, for a connect
    /// that the OS refused a descriptor (another part of the program took them).
    pub(crate) fn evict_for_os(&self) -> Option<Report> {
        self.lock().evict_lru(|_| true, None, Eviction::Budget)
    }

    /// `(open, idle, waiting)` under this budget.
    pub(crate) fn totals(&self) -> (usize, usize, usize) {
        let state = self.lock();
        (state.nodes.len(), state.idle, state.waiting)
    }

    /// The origins of the idle connections, least recently used first (for tests).
    #[cfg(test)]
    pub(crate) fn idle_origins(&self) -> Vec<String> {
        let state = self.lock();
        let mut out = Vec::new();
        let mut at = state.head;
        while let Some(node) = state.nodes.get(at) {
            out.push(state.origins[node.origin].name.to_string());
            at = node.next;
        }
        out
    }
}

impl State {
    /// Closes `pool`'s least recently used idle connections that have been idle for
    /// `settle` (see [`SETTLE`]) until it is within its idle cap, and each of its origins
    /// within the per-origin one.
    fn trim(&mut self, pool: &Arc<PoolCounters>, settle: Duration) -> Vec<Report> {
        let mut evicted = Vec::new();
        // Most calls find the pool within its caps: the clock is read only when it is not.
        if pool.idle.load(Ordering::Relaxed) <= pool.max_idle && !pool.origins_over() {
            return evicted;
        }
        let now = Instant::now();
        let settled_before = Some(now.checked_sub(settle).unwrap_or(now));
        while pool.idle.load(Ordering::Relaxed) > pool.max_idle {
            let of_pool = |n: &Node| Arc::ptr_eq(&n.conn.pool, pool);
            match self.evict_lru(of_pool, settled_before, Eviction::IdleCap) {
                Some(report) => evicted.push(report),
                None => break,
            }
        }
        // Only when an origin is over: a crawl keeps many settled idle connections, each
        // within its origin's cap, and walking them at every response would cost.
        while pool.origins_over() {
            let over = |n: &Node| {
                Arc::ptr_eq(&n.conn.pool, pool)
                    && self.origins[n.origin].idle > pool.max_idle_per_origin
            };
            let Some(at) = self.find_lru(over, settled_before) else {
                break;
            };
            evicted.push(self.evict(at, Eviction::IdleCap));
        }
        evicted
    }

    /// Evicts for a waiter of `origin`, unless an idle connection of its own will serve
    /// it or an eviction under way already covers it.
    fn relieve(&mut self, origin: usize) -> Option<Report> {
        let own_idle = self.origins.get(origin).is_some_and(|o| o.idle > 0);
        if !own_idle && self.waiting > self.evicting {
            self.evict_lru(|_| true, None, Eviction::Budget)
        } else {
            None
        }
    }

    /// The key of `name` in `origins`, entered if new.
    fn origin_key(&mut self, pool: &PoolCounters, name: &Arc<str>) -> usize {
        let pool = std::ptr::from_ref(pool) as usize;
        if let Some(&key) = self.by_name.get(&(pool, name.clone())) {
            return key;
        }
        let key = self.origins.insert(Origin {
            pool,
            name: name.clone(),
            conns: 0,
            idle: 0,
            waiting: 0,
        });
        self.by_name.insert((pool, name.clone()), key);
        key
    }

    /// Forgets an origin that has neither connections nor waiters.
    fn release_origin(&mut self, key: usize) {
        let unused = self
            .origins
            .get(key)
            .is_some_and(|o| o.conns == 0 && o.waiting == 0);
        if unused {
            let origin = self.origins.remove(key);
            self.by_name.remove(&(origin.pool, origin.name));
        }
    }

    /// Marks the least recently used idle connection that `eligible` accepts for closing
    /// (sparing a fresh one, and with `idle_since_at_most` taking only one idle since then
    /// or earlier), and wakes its reader to close it.
    fn evict_lru(
        &mut self,
        eligible: impl Fn(&Node) -> bool,
        idle_since_at_most: Option<Instant>,
        why: Eviction,
    ) -> Option<Report> {
        let at = self.find_lru(eligible, idle_since_at_most)?;
        Some(self.evict(at, why))
    }

    /// The key of the least recently used idle connection [`evict_lru`](Self::evict_lru)
    /// would close.
    fn find_lru(
        &self,
        eligible: impl Fn(&Node) -> bool,
        idle_since_at_most: Option<Instant>,
    ) -> Option<usize> {
        let now = Instant::now();
        let mut at = self.head;
        while let Some(node) = self.nodes.get(at) {
            if idle_since_at_most.is_some_and(|limit| node.idle_since > limit) {
                // The list is in the order connections fell idle: none after this one has
                // been idle longer. (Without this stop, a crawl over more origins than the
                // cap walked every idle connection at every response: 7k instructions.)
                return None;
            }
            let spared = node.fresh_until.is_some_and(|until| until > now);
            if !spared && eligible(node) {
                return Some(at);
            }
            at = node.next;
        }
        None
    }

    /// Marks the idle connection `at` for closing and wakes its reader to close it.
    fn evict(&mut self, at: usize, why: Eviction) -> Report {
        let node = &self.nodes[at];
        let conn = node.conn.clone();
        let report = (
            self.origins[node.origin].name.clone(),
            node.idle_since.elapsed(),
            why,
        );
        self.unlink(at);
        conn.life.store(life::EVICTING, Ordering::Release);
        self.evicting += 1;
        conn.reader.wake();
        report
    }

    fn push_idle(&mut self, key: usize) {
        let tail = self.tail;
        let Some(node) = self.nodes.get_mut(key) else {
            return;
        };
        if node.idle {
            return;
        }
        node.idle = true;
        node.prev = tail;
        node.next = NIL;
        let pool = &node.conn.pool;
        pool.idle.fetch_add(1, Ordering::Relaxed);
        let origin = &mut self.origins[node.origin];
        origin.idle += 1;
        if origin.idle == pool.max_idle_per_origin.saturating_add(1) {
            pool.origins_over.fetch_add(1, Ordering::Relaxed);
        }
        match self.nodes.get_mut(tail) {
            Some(last) => last.next = key,
            None => self.head = key,
        }
        self.tail = key;
        self.idle += 1;
    }

    fn unlink(&mut self, key: usize) {
        let Some(node) = self.nodes.get_mut(key) else {
            return;
        };
        if !node.idle {
            return;
        }
        node.idle = false;
        let (prev, next) = (node.prev, node.next);
        let pool = &node.conn.pool;
        pool.idle.fetch_sub(1, Ordering::Relaxed);
        let origin = &mut self.origins[node.origin];
        origin.idle -= 1;
        if origin.idle == pool.max_idle_per_origin {
            pool.origins_over.fetch_sub(1, Ordering::Relaxed);
        }
        match self.nodes.get_mut(prev) {
            Some(p) => p.next = next,
            None => self.head = next,
        }
        match self.nodes.get_mut(next) {
            Some(n) => n.prev = prev,
            None => self.tail = prev,
        }
        self.idle -= 1;
    }
}
