//! [`PoolStatus`]: what a transport's connection pool holds right now.

/// A snapshot of a transport's connections, for a progress bar or a test: how many are
/// open, idle and in use, how many new ones wait for the connection budget, and the budget
/// itself (which transports may share).
///
/// ```
/// use grequests_transport::PoolStatus;
/// let status = PoolStatus::new(10, 4, 2, 768, 12);
/// assert_eq!(status.in_use, 6);
/// assert_eq!(status.budget_available(), 756);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PoolStatus {
    /// Connections of this transport open now (connecting ones included).
    pub open: usize,
    /// Open connections carrying no exchange.
    pub idle: usize,
    /// Open connections carrying an exchange, or being set up for one.
    pub in_use: usize,
    /// New connections waiting for the budget.
    pub waiting: usize,
    /// The most connections open at once under the budget.
    pub budget: usize,
    /// Connections open under the budget, whichever transport made them.
    pub budget_open: usize,
}

impl PoolStatus {
    /// A snapshot; `in_use` is what of `open` is not `idle`.
    pub fn new(
        open: usize,
        idle: usize,
        waiting: usize,
        budget: usize,
        budget_open: usize,
    ) -> Self {
        PoolStatus {
            open,
            idle: idle.min(open),
            in_use: open - idle.min(open),
            waiting,
            budget,
            budget_open,
        }
    }

    /// How many more connections the budget allows now.
    pub fn budget_available(&self) -> usize {
        self.budget.saturating_sub(self.budget_open)
    }
}
