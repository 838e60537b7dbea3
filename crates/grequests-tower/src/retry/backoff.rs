//! Exponential backoff with full jitter, on tower's `Backoff` trait and `Rng`.
//!
//! tower's `ExponentialBackoff` adds a random amount *on top of* the exponential base, so
//! clients that failed together still retry close together. Full jitter (AWS' "Exponential
//! Backoff and Jitter") waits a uniform random time in `[0, min(max, min·2ⁿ)]`, which
//! spreads them out.

use std::time::Duration;

use tower::retry::backoff::Backoff;
use tower::util::rng::{HasherRng, Rng};

/// One request's backoff state.
#[derive(Debug)]
pub struct FullJitterBackoff {
    min: Duration,
    max: Duration,
    iterations: u32,
    rng: HasherRng,
}

impl FullJitterBackoff {
    /// Waits up to `min` before the first retry, doubling up to `max`.
    pub fn new(min: Duration, max: Duration) -> Self {
        FullJitterBackoff {
            min,
            max: max.max(min),
            iterations: 0,
            rng: HasherRng::default(),
        }
    }

    /// The longest the next wait can be: `min(max, min·2ⁿ)`.
    pub fn ceiling(&self) -> Duration {
        self.min
            .checked_mul(2u32.saturating_pow(self.iterations))
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// The next wait, advancing the state.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self.ceiling();
        self.iterations = self.iterations.saturating_add(1);
        ceiling.mul_f64(self.rng.next_f64())
    }
}

/// tower clones the retry policy for every request. A copied generator would replay the
/// same "random" waits for all of them and line their retries up again, which is what
/// jitter is for avoiding: a clone gets a freshly seeded generator.
impl Clone for FullJitterBackoff {
    fn clone(&self) -> Self {
        FullJitterBackoff {
            min: self.min,
            max: self.max,
            iterations: self.iterations,
            rng: HasherRng::default(),
        }
    }
}

impl Backoff for FullJitterBackoff {
    type Future = tokio::time::Sleep;

    fn next_backoff(&mut self) -> tokio::time::Sleep {
        tokio::time::sleep(self.next_delay())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_under_a_doubling_ceiling() {
        let mut backoff =
            FullJitterBackoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let ceilings = [100, 200, 400, 800, 1000, 1000];
        for ceiling in ceilings {
            assert_eq!(backoff.ceiling(), Duration::from_millis(ceiling));
            assert!(backoff.next_delay() <= Duration::from_millis(ceiling));
        }
    }

    #[test]
    fn clones_draw_different_waits() {
        let template = FullJitterBackoff::new(Duration::from_secs(1), Duration::from_secs(1));
        let waits: std::collections::HashSet<Duration> =
            (0..20).map(|_| template.clone().next_delay()).collect();
        assert!(waits.len() > 15, "clones repeat each other: {waits:?}");
    }

    #[test]
    fn delays_are_spread_over_the_whole_range() {
        let mut low = 0;
        for _ in 0..200 {
            let mut backoff =
                FullJitterBackoff::new(Duration::from_secs(1), Duration::from_secs(1));
            if backoff.next_delay() < Duration::from_millis(500) {
                low += 1;
            }
        }
        // Uniform on [0, 1 s]: about half below 500 ms (equal jitter would give none).
        assert!((60..=140).contains(&low), "{low} of 200 below half");
    }
}
