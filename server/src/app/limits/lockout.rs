//! Progressive slow-down of one account after consecutive failed signins: once an account has
//! `threshold` failures in a row, each further try must wait 2^(failures − threshold) seconds
//! after the last failure, at most 15 minutes. A success resets it. Failures are kept in a bounded
//! cache (least recently used entries are evicted) and forgotten 30 minutes after the last one.
//!
//! This per-instance cache counts unknown usernames, and known accounts only when the store
//! could not record their failure; known accounts are counted in the store
//! ([`super::known_accounts`]).

use std::time::{Duration, Instant};

use quick_cache::sync::Cache;

/// The longest wait imposed on an account.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Failures older than this (since the last one) are forgotten.
pub(super) const FORGET_AFTER: Duration = Duration::from_secs(30 * 60);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// Whom a signin is for: the account once the store found it, else the canonical username key
/// (`authcore::identity::username_key`) of an unknown user. Every spelling that reaches an
/// account shares its [`AccountKey::Id`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountKey {
    /// An existing account, by `users.id`.
    Id(i64),
    /// A username key that matched no account.
    Name(String),
}

/// Consecutive signin failures per [`AccountKey`].
pub struct Lockout {
    failures: Cache<AccountKey, Failures>,
    threshold: u32,
}

/// The wait after `count` consecutive failures.
pub fn delay_after(count: u32, threshold: u32) -> Duration {
    if threshold == 0 || count < threshold {
        return Duration::ZERO;
    }
    let exponent = (count - threshold).min(20);
    Duration::from_secs(1u64 << exponent).min(MAX_DELAY)
}

impl Lockout {
    /// Slows accounts down after `threshold` failures; remembers at most `capacity` accounts.
    pub fn new(threshold: u32, capacity: usize) -> Lockout {
        Lockout {
            failures: Cache::new(capacity.max(1)),
            threshold,
        }
    }

    /// Failures before the slow-down starts.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    fn current(&self, key: &AccountKey) -> Option<Failures> {
        self.failures
            .get(key)
            .filter(|f| f.last.elapsed() < FORGET_AFTER)
    }

    /// How much longer `key` must wait before its next try, if at all.
    pub fn wait(&self, key: &AccountKey) -> Option<Duration> {
        let failures = self.current(key)?;
        delay_after(failures.count, self.threshold)
            .checked_sub(failures.last.elapsed())
            .filter(|d| !d.is_zero())
    }

    /// Counts a failure; returns the number of consecutive failures now.
    pub fn record_failure(&self, key: AccountKey) -> u32 {
        let count = self.current(&key).map_or(0, |f| f.count).saturating_add(1);
        self.failures.insert(
            key,
            Failures {
                count,
                last: Instant::now(),
            },
        );
        count
    }

    /// Resets `key` after a successful signin.
    pub fn record_success(&self, key: &AccountKey) {
        self.failures.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_after_the_threshold_and_is_capped() {
        assert_eq!(delay_after(4, 5), Duration::ZERO);
        assert_eq!(delay_after(5, 5), Duration::from_secs(1));
        assert_eq!(delay_after(7, 5), Duration::from_secs(4));
        assert_eq!(delay_after(40, 5), MAX_DELAY);
        assert_eq!(delay_after(40, 0), Duration::ZERO);
    }

    #[test]
    fn failures_slow_down_and_success_resets() {
        let lockout = Lockout::new(2, 10);
        let bob = AccountKey::Id(7);
        lockout.record_failure(bob.clone());
        assert_eq!(lockout.wait(&bob), None);
        lockout.record_failure(bob.clone());
        assert!(lockout.wait(&bob).is_some());
        assert_eq!(lockout.wait(&AccountKey::Name("bob".into())), None);
        lockout.record_success(&bob);
        assert_eq!(lockout.wait(&bob), None);
    }
}
