//! The frontier: lines read ahead, queued by host, handed out so that no host has more
//! than `per_host` requests in flight or starts two within `delay`. A list sorted by host
//! thus keeps every other host busy instead of waiting behind the first one.
//!
//! A host whose request just finished goes first (when no delay holds it back): its
//! connection has just fallen idle, so its next line reuses it. Handed out in turn
//! instead, a list interleaving more hosts than the connection budget holds would evict
//! every connection before its host came round again and connect once per line.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::input::Job;

/// A host's name, shared by the queues that mention it and the line in flight.
pub type HostKey = Arc<str>;

/// Lines waiting for their host, by host.
pub struct Frontier {
    hosts: HashMap<HostKey, Host>,
    /// Hosts with a line queued, a free slot, and no delay to wait.
    ready: VecDeque<HostKey>,
    /// Hosts whose request just finished, ahead of `ready`. Either queue may name a host
    /// that can no longer start one (it was handed out through the other): `pop` skips it.
    warm: VecDeque<HostKey>,
    /// Hosts with a line queued and a free slot, waiting for their delay.
    later: BinaryHeap<Reverse<(Instant, HostKey)>>,
    /// Hosts with nothing queued or in flight, remembered until their delay ends so that a
    /// line arriving meanwhile still waits for it.
    cooling: BinaryHeap<Reverse<(Instant, HostKey)>>,
    queued: usize,
    /// What the queued lines weigh ([`Job::weight`]).
    queued_bytes: usize,
    per_host: usize,
    delay: Option<Duration>,
}

#[derive(Default)]
struct Host {
    queue: VecDeque<Job>,
    in_flight: usize,
    next_start: Option<Instant>,
    /// In `ready` or `later`.
    scheduled: bool,
}

impl Host {
    fn can_start(&self, per_host: usize, now: Instant) -> bool {
        !self.queue.is_empty()
            && self.in_flight < per_host
            && self.next_start.is_none_or(|at| at <= now)
    }
}

impl Frontier {
    pub fn new(per_host: usize, delay: Option<Duration>) -> Self {
        Frontier {
            hosts: HashMap::new(),
            ready: VecDeque::new(),
            warm: VecDeque::new(),
            later: BinaryHeap::new(),
            cooling: BinaryHeap::new(),
            queued: 0,
            queued_bytes: 0,
            per_host: per_host.max(1),
            delay,
        }
    }

    /// Lines queued, not yet handed out.
    pub fn queued(&self) -> usize {
        self.queued
    }

    /// What the lines queued weigh, in bytes ([`Job::weight`]).
    pub fn queued_bytes(&self) -> usize {
        self.queued_bytes
    }

    pub fn push(&mut self, host: &str, job: Job) {
        // The queues share one name per host; a host seen before brings no new one.
        let host = match self.hosts.get_key_value(host) {
            Some((key, _)) => key.clone(),
            None => HostKey::from(host),
        };
        self.queued += 1;
        self.queued_bytes += job.weight();
        self.hosts
            .entry(host.clone())
            .or_default()
            .queue
            .push_back(job);
        self.schedule(&host, Instant::now());
    }

    /// The next line whose host may start one now.
    pub fn pop(&mut self, now: Instant) -> Option<(HostKey, Job)> {
        self.forget_cooled(now);
        while let Some(Reverse((at, _))) = self.later.peek() {
            if *at > now {
                break;
            }
            if let Some(Reverse((_, host))) = self.later.pop() {
                self.ready.push_back(host);
            }
        }
        loop {
            let (host, from_ready) = match self.warm.pop_front() {
                Some(host) => (host, false),
                None => (self.ready.pop_front()?, true),
            };
            let Some(entry) = self.hosts.get_mut(&host) else {
                continue;
            };
            if from_ready {
                entry.scheduled = false;
            }
            if !entry.can_start(self.per_host, now) {
                self.schedule(&host, now);
                continue;
            }
            let Some(job) = entry.queue.pop_front() else {
                continue;
            };
            entry.in_flight += 1;
            entry.next_start = self.delay.map(|delay| now + delay);
            self.queued -= 1;
            self.queued_bytes -= job.weight();
            self.schedule(&host, now);
            return Some((host, job));
        }
    }

    /// A line of `host` finished.
    pub fn done(&mut self, host: &HostKey) {
        let Some(entry) = self.hosts.get_mut(host) else {
            return;
        };
        entry.in_flight = entry.in_flight.saturating_sub(1);
        let now = Instant::now();
        if entry.in_flight == 0 && entry.queue.is_empty() {
            match entry.next_start {
                Some(at) if at > now => self.cooling.push(Reverse((at, host.clone()))),
                _ => {
                    self.hosts.remove(host);
                }
            }
        } else if entry.can_start(self.per_host, now) {
            self.warm.push_back(host.clone());
        } else {
            self.schedule(host, now);
        }
    }

    /// Forgets the idle hosts whose delay has ended.
    fn forget_cooled(&mut self, now: Instant) {
        while let Some(Reverse((at, _))) = self.cooling.peek() {
            if *at > now {
                break;
            }
            let Some(Reverse((_, host))) = self.cooling.pop() else {
                break;
            };
            if self
                .hosts
                .get(&host)
                .is_some_and(|h| h.in_flight == 0 && h.queue.is_empty())
            {
                self.hosts.remove(&host);
            }
        }
    }

    /// When the next host's delay ends, if one is waiting for it.
    pub fn next_wake(&self) -> Option<Instant> {
        self.later.peek().map(|Reverse((at, _))| *at)
    }

    fn schedule(&mut self, host: &HostKey, now: Instant) {
        let Some(entry) = self.hosts.get_mut(host) else {
            return;
        };
        if entry.scheduled || entry.queue.is_empty() || entry.in_flight >= self.per_host {
            return;
        }
        entry.scheduled = true;
        match entry.next_start {
            Some(at) if at > now => self.later.push(Reverse((at, host.clone()))),
            _ => self.ready.push_back(host.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(index: u64) -> Job {
        crate::input::parse(index, "http://a.test/")
    }

    #[test]
    fn a_host_gets_at_most_per_host_slots_and_others_go_around_it() {
        let mut frontier = Frontier::new(2, None);
        for i in 0..10 {
            frontier.push("a", job(i));
        }
        frontier.push("b", job(10));
        let now = Instant::now();
        let handed: Vec<String> =
            std::iter::from_fn(|| frontier.pop(now).map(|(h, _)| h.to_string())).collect();
        assert_eq!(handed, ["a", "b", "a"]);
        frontier.done(&HostKey::from("a"));
        assert_eq!(
            frontier.pop(now).map(|(h, j)| (h.to_string(), j.index)),
            Some(("a".into(), 2))
        );
        assert!(frontier.pop(now).is_none());
        assert_eq!(frontier.queued(), 7);
        let one = job(0).weight();
        assert_eq!(frontier.queued_bytes(), 7 * one, "what is queued, weighed");
    }

    #[test]
    fn a_host_whose_line_finished_goes_next_on_the_connection_it_freed() {
        let mut frontier = Frontier::new(2, None);
        for i in 0..3 {
            for host in ["a", "b", "c"] {
                frontier.push(host, job(i));
            }
        }
        let now = Instant::now();
        let first: Vec<String> = (0..2)
            .filter_map(|_| frontier.pop(now).map(|(h, _)| h.to_string()))
            .collect();
        assert_eq!(first, ["a", "b"]);
        frontier.done(&HostKey::from("b"));
        frontier.done(&HostKey::from("a"));
        let next: Vec<String> = (0..3)
            .filter_map(|_| frontier.pop(now).map(|(h, _)| h.to_string()))
            .collect();
        assert_eq!(
            next,
            ["b", "a", "c"],
            "the hosts that just finished go first, in the order they finished; then the rest in turn"
        );
        // Each host has one in flight and a slot left: the entries of the round before
        // hand out one more line each, and c's last one waits for a slot.
        let rest: Vec<String> =
            std::iter::from_fn(|| frontier.pop(now).map(|(h, _)| h.to_string())).collect();
        assert_eq!(rest, ["a", "b", "c"]);
        assert_eq!(frontier.queued(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_host_waits_its_delay_between_starts() {
        let mut frontier = Frontier::new(5, Some(Duration::from_secs(1)));
        for i in 0..3 {
            frontier.push("a", job(i));
        }
        let start = Instant::now();
        assert!(frontier.pop(start).is_some());
        assert!(frontier.pop(start).is_none());
        assert_eq!(frontier.next_wake(), Some(start + Duration::from_secs(1)));
        assert!(frontier.pop(start + Duration::from_millis(999)).is_none());
        assert!(frontier.pop(start + Duration::from_secs(1)).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn a_line_arriving_after_its_host_went_idle_still_waits_for_the_delay() {
        let mut frontier = Frontier::new(2, Some(Duration::from_secs(1)));
        frontier.push("a", job(1));
        let start = Instant::now();
        assert!(frontier.pop(start).is_some());
        frontier.done(&HostKey::from("a"));
        frontier.push("a", job(2));
        assert!(
            frontier.pop(Instant::now()).is_none(),
            "the delay was forgotten"
        );
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(frontier.pop(Instant::now()).is_some());
        frontier.done(&HostKey::from("a"));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(frontier.pop(Instant::now()).is_none());
        assert!(
            frontier.hosts.is_empty(),
            "an idle host past its delay is forgotten"
        );
    }

    #[test]
    fn finished_hosts_are_forgotten() {
        let mut frontier = Frontier::new(1, None);
        frontier.push("a", job(1));
        assert!(frontier.pop(Instant::now()).is_some());
        frontier.done(&HostKey::from("a"));
        assert!(frontier.hosts.is_empty());
    }
}
