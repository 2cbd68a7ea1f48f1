//! The store's side of the failed-signin slow-down of known accounts: the table
//! `signin_failures` (one row per account with a recent failure) and the trait [`LockoutStore`]
//! (SQL in `lockout_sqlite.rs` / `lockout_mysql.rs`). Kept in the database so that every authd
//! on it counts one account's failures together.

use async_trait::async_trait;

use super::records::StoreError;

/// An account's consecutive failed signins, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigninFailures {
    /// Consecutive failures.
    pub failures: u32,
    /// When the last one happened, milliseconds since the epoch.
    pub last_failure_ms: i64,
}

/// Storage of consecutive failed signins per account.
#[async_trait]
pub trait LockoutStore: Send + Sync {
    /// The failures of user `user_id`, if any are stored.
    async fn signin_failures(&self, user_id: i64) -> Result<Option<SigninFailures>, StoreError>;

    /// Counts a failure of user `user_id` at `now_ms` in one atomic upsert and returns the count
    /// now: 1 when there was none or the last one was at or before `forget_before_ms`, else one
    /// more than before.
    async fn record_signin_failure(
        &self,
        user_id: i64,
        now_ms: i64,
        forget_before_ms: i64,
    ) -> Result<u32, StoreError>;

    /// Forgets the failures of user `user_id` (after a successful signin).
    async fn clear_signin_failures(&self, user_id: i64) -> Result<(), StoreError>;
}

/// The largest count stored; further failures keep it there.
pub(super) const MAX_FAILURES: u32 = 1_000_000;

/// A stored count as `u32` (a negative or huge value, written by hand, saturates).
pub(super) fn count_of(stored: i64) -> u32 {
    u32::try_from(stored.max(0)).unwrap_or(MAX_FAILURES)
}
