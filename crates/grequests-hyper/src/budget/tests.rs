use std::sync::Arc;

use super::registry::{life, PoolCounters, Registry};
use super::*;

fn origins(registry: &Registry) -> Vec<String> {
    registry.idle_origins()
}

fn conn(registry: &Arc<Registry>, pool: &Arc<PoolCounters>, origin: &str) -> Arc<registry::Conn> {
    registry.register(pool, origin.into(), true)
}

#[test]
fn the_default_budget_keeps_a_reserve() {
    assert_eq!(budget_for(Some(1024)), 768);
    assert_eq!(budget_for(Some(256)), 192);
    assert_eq!(budget_for(Some(40)), 24);
    assert_eq!(budget_for(Some(1_000_000)), 999_744);
    assert_eq!(budget_for(Some(u64::MAX)), (1 << 20) - 256);
    assert_eq!(budget_for(Some(3)), 1);
    assert_eq!(budget_for(None), 1024);
}

#[test]
fn eviction_takes_the_least_recently_used_idle_connection() {
    let registry = Arc::new(Registry::new());
    let pool = Arc::new(PoolCounters::new(100, 100));
    let a = conn(&registry, &pool, "http://a");
    let b = conn(&registry, &pool, "http://b");
    let c = conn(&registry, &pool, "http://c");
    assert_eq!(origins(&registry), ["http://a", "http://b", "http://c"]);
    // a is used again: it becomes the most recently used.
    assert!(registry.start(&a));
    assert_eq!(origins(&registry), ["http://b", "http://c"]);
    assert!(registry.finish(&a).is_empty());
    assert_eq!(origins(&registry), ["http://b", "http://c", "http://a"]);

    let evicted = registry
        .evict_for_os()
        .map(|(origin, _, _)| origin.to_string());
    assert_eq!(evicted.as_deref(), Some("http://b"));
    assert_eq!(
        b.life.load(std::sync::atomic::Ordering::Relaxed),
        life::EVICTING
    );
    assert_eq!(origins(&registry), ["http://c", "http://a"]);
    let next = registry
        .evict_for_os()
        .map(|(origin, _, _)| origin.to_string());
    assert_eq!(next.as_deref(), Some("http://c"));
    drop(c);
}

#[test]
fn a_connection_in_use_is_never_evicted() {
    let registry = Arc::new(Registry::new());
    let pool = Arc::new(PoolCounters::new(100, 100));
    let a = conn(&registry, &pool, "http://a");
    assert!(registry.start(&a));
    assert!(registry.evict_for_os().is_none());
    // Two exchanges (HTTP/2 streams, or a reuse before the first body was read): idle
    // only when both ended.
    assert!(registry.start(&a));
    registry.finish(&a);
    assert!(registry.evict_for_os().is_none());
    registry.finish(&a);
    assert!(registry.evict_for_os().is_some());
}

#[test]
fn a_fresh_connection_is_spared_for_its_first_exchange() {
    let registry = Arc::new(Registry::new());
    let pool = Arc::new(PoolCounters::new(100, 100));
    let _fresh = registry.register(&pool, "http://a".into(), false);
    assert!(registry.evict_for_os().is_none());
    let _unclaimed = conn(&registry, &pool, "http://b");
    let evicted = registry
        .evict_for_os()
        .map(|(origin, _, _)| origin.to_string());
    assert_eq!(evicted.as_deref(), Some("http://b"));
}

#[test]
fn a_pool_keeps_at_most_its_idle_cap() {
    let registry = Arc::new(Registry::settling_for(std::time::Duration::ZERO));
    let pool = Arc::new(PoolCounters::new(2, 100));
    let other = Arc::new(PoolCounters::new(2, 100));
    let conns = in_use(&registry, &pool);
    let foreign = conn(&registry, &other, "http://z");
    assert!(registry.finish(&conns[0]).is_empty());
    assert!(registry.finish(&conns[1]).is_empty());
    // The third idle one is over the cap: the oldest of this pool goes, not the other pool's.
    let evicted = registry.finish(&conns[2]);
    assert_eq!(evicted.len(), 1);
    assert_eq!(&*evicted[0].0, "http://a");
    assert_eq!(origins(&registry), ["http://z", "http://b", "http://c"]);
    drop(foreign);
}

#[test]
fn an_origin_keeps_at_most_its_idle_cap_once_settled() {
    let settled = Arc::new(Registry::settling_for(std::time::Duration::ZERO));
    let pool = Arc::new(PoolCounters::new(100, 2));
    let conns: Vec<_> = (0..5)
        .map(|_| {
            let c = conn(&settled, &pool, "http://a");
            assert!(settled.start(&c));
            c
        })
        .collect();
    let other = conn(&settled, &pool, "http://b");
    let mut evicted = Vec::new();
    for c in &conns {
        evicted.extend(settled.finish(c));
    }
    // Three of a's five go, oldest first; b's one is within its own cap.
    assert_eq!(evicted.len(), 3, "{evicted:?}");
    assert!(evicted.iter().all(|(origin, _, _)| &**origin == "http://a"));
    assert_eq!(origins(&settled), ["http://b", "http://a", "http://a"]);
    drop(other);

    // Just fallen idle, they may be on their way to the batch's next requests: kept.
    let fresh = Arc::new(Registry::settling_for(std::time::Duration::from_secs(60)));
    let pool = Arc::new(PoolCounters::new(100, 2));
    for _ in 0..5 {
        let c = conn(&fresh, &pool, "http://a");
        assert!(fresh.start(&c));
        assert!(fresh.finish(&c).is_empty(), "closed before it settled");
    }
    assert_eq!(pool.idle.load(std::sync::atomic::Ordering::Relaxed), 5);

    // `usize::MAX` is no cap at all, not an overflow.
    let unlimited = Arc::new(PoolCounters::new(100, usize::MAX));
    let c = conn(&settled, &unlimited, "http://c");
    assert!(settled.start(&c));
    assert!(settled.finish(&c).is_empty());
}

/// Connections to a, b and c of `pool`, each with an exchange under way.
fn in_use(registry: &Arc<Registry>, pool: &Arc<PoolCounters>) -> Vec<Arc<registry::Conn>> {
    ["http://a", "http://b", "http://c"]
        .iter()
        .map(|origin| {
            let c = conn(registry, pool, origin);
            assert!(registry.start(&c));
            c
        })
        .collect()
}

/// Three connections of a pool capped at two idle, all just fallen idle.
fn three_idle(registry: &Arc<Registry>) -> (Arc<PoolCounters>, Vec<Arc<registry::Conn>>) {
    let pool = Arc::new(PoolCounters::new(2, 100));
    let conns = in_use(registry, &pool);
    for c in &conns {
        assert!(registry.finish(c).is_empty(), "closed before it settled");
    }
    (pool, conns)
}

#[tokio::test]
async fn the_idle_cap_closes_a_connection_only_once_it_has_settled() {
    // A connection that just fell idle may be on its way to a request: over the cap, it
    // stays until it has been idle a while, and is closed then with no exchange to prompt it.
    let registry = Arc::new(Registry::settling_for(std::time::Duration::from_millis(20)));
    let (pool, _conns) = three_idle(&registry);
    assert_eq!(pool.idle.load(std::sync::atomic::Ordering::Relaxed), 3);
    for _ in 0..500 {
        if pool.idle.load(std::sync::atomic::Ordering::Relaxed) == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        origins(&registry),
        ["http://b", "http://c"],
        "the oldest went"
    );
}

#[test]
fn without_a_runtime_the_next_exchange_trims_to_the_cap() {
    let registry = Arc::new(Registry::settling_for(std::time::Duration::from_millis(1)));
    let (pool, conns) = three_idle(&registry);
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert!(registry.start(&conns[2]));
    let evicted = registry.finish(&conns[2]);
    assert_eq!(evicted.len(), 1, "{evicted:?}");
    assert_eq!(pool.idle.load(std::sync::atomic::Ordering::Relaxed), 2);
}

#[test]
fn a_waiter_for_another_origin_gets_the_next_connection_to_fall_idle() {
    let registry = Arc::new(Registry::new());
    let pool = Arc::new(PoolCounters::new(100, 100));
    let a = conn(&registry, &pool, "http://a");
    assert!(registry.start(&a));
    // A connect for a waits: nothing idle, nothing to evict.
    let for_a: Arc<str> = "http://a".into();
    let (key_a, evicted) = registry.wait(&for_a, &pool);
    assert!(evicted.is_none());
    // a falls idle: the waiter for a is served by it, so it stays.
    assert!(registry.finish(&a).is_empty());
    assert!(registry.start(&a));
    registry.done_waiting(key_a, &pool);
    // A connect for b waits: a, falling idle, is evicted for it.
    let for_b: Arc<str> = "http://b".into();
    let (key_b, evicted) = registry.wait(&for_b, &pool);
    assert!(evicted.is_none());
    let evicted = registry.finish(&a);
    assert_eq!(evicted.len(), 1);
    // One eviction covers one waiter.
    let again = conn(&registry, &pool, "http://c");
    assert!(registry.start(&again));
    assert!(registry.finish(&again).is_empty());
    registry.done_waiting(key_b, &pool);
    assert_eq!(pool.waiting.load(std::sync::atomic::Ordering::Relaxed), 0);
}

#[test]
fn a_waiter_whose_origin_has_an_idle_connection_evicts_nothing() {
    let registry = Arc::new(Registry::new());
    let pool = Arc::new(PoolCounters::new(100, 100));
    let _a = conn(&registry, &pool, "http://a");
    let _b = conn(&registry, &pool, "http://b");
    let (key, evicted) = registry.wait(&"http://b".into(), &pool);
    assert!(
        evicted.is_none(),
        "the pool hands b's idle connection to the waiter"
    );
    assert!(registry.recheck(key).is_none());
    registry.done_waiting(key, &pool);
    let (key, evicted) = registry.wait(&"http://c".into(), &pool);
    assert_eq!(
        evicted.map(|e| e.0.to_string()).as_deref(),
        Some("http://a")
    );
    registry.done_waiting(key, &pool);
}

#[test]
fn another_pools_idle_connection_is_evicted_for_a_waiter() {
    let registry = Arc::new(Registry::new());
    let (mine, theirs) = (
        Arc::new(PoolCounters::new(100, 100)),
        Arc::new(PoolCounters::new(100, 100)),
    );
    let _idle = conn(&registry, &theirs, "http://a");
    let (key, evicted) = registry.wait(&"http://a".into(), &mine);
    assert!(
        evicted.is_some(),
        "the other pool's connection cannot serve this request"
    );
    registry.done_waiting(key, &mine);
}

#[test]
fn a_write_takes_back_an_eviction_the_reader_has_not_seen() {
    let registry = Arc::new(Registry::new());
    let pool = Arc::new(PoolCounters::new(100, 100));
    let a = conn(&registry, &pool, "http://a");
    assert!(registry.evict_for_os().is_some());
    assert!(registry.start(&a), "taken back");
    assert_eq!(
        a.life.load(std::sync::atomic::Ordering::Relaxed),
        life::LIVE
    );
    registry.finish(&a);
    assert!(registry.evict_for_os().is_some());
    a.life
        .store(life::CLOSED, std::sync::atomic::Ordering::Relaxed);
    assert!(!registry.start(&a), "its reader already ended it");
}

#[test]
fn a_connection_has_served_before_from_its_second_exchange() {
    let registry = Arc::new(Registry::new());
    let pool = Arc::new(PoolCounters::new(100, 100));
    let a = conn(&registry, &pool, "http://a");
    assert!(!a.served_before(), "a fresh connection");
    assert!(registry.start(&a));
    assert!(!a.served_before(), "its first exchange");
    assert!(registry.finish(&a).is_empty());
    assert!(registry.start(&a));
    assert!(
        a.served_before(),
        "its second exchange follows one that ran"
    );
}

#[test]
fn closing_removes_the_entry() {
    let registry = Arc::new(Registry::new());
    let pool = Arc::new(PoolCounters::new(100, 100));
    let a = conn(&registry, &pool, "http://a");
    assert_eq!(registry.totals(), (1, 1, 0));
    registry.unregister(&a);
    assert_eq!(registry.totals(), (0, 0, 0));
    assert_eq!(pool.open.load(std::sync::atomic::Ordering::Relaxed), 0);
    assert_eq!(pool.idle.load(std::sync::atomic::Ordering::Relaxed), 0);
}

#[test]
fn the_frame_scanner_counts_streams_not_frames() {
    let mut scanner = usage::FrameScanner::new();
    let mut bytes = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    let frame = |len: u32, kind: u8, stream: u32| {
        let mut f = len.to_be_bytes()[1..].to_vec();
        f.extend([kind, 0]);
        f.extend(stream.to_be_bytes());
        f.extend(std::iter::repeat_n(0xAA, len as usize));
        f
    };
    bytes.extend(frame(6, 0x4, 0)); // SETTINGS
    bytes.extend(frame(10, 0x1, 1)); // HEADERS, stream 1
    bytes.extend(frame(20, 0x0, 1)); // DATA
    bytes.extend(frame(5, 0x1, 1)); // trailers on stream 1
    bytes.extend(frame(3, 0x9, 1)); // CONTINUATION
    bytes.extend(frame(10, 0x1, 3)); // HEADERS, stream 3
    bytes.extend(frame(8, 0x6, 0)); // PING
                                    // Fed a byte at a time and all at once, the count is the same: two streams.
    let whole = usage::FrameScanner::new().new_streams(&bytes);
    let split: usize = bytes.chunks(1).map(|b| scanner.new_streams(b)).sum();
    assert_eq!((whole, split), (2, 2));
}
