//! The account lifecycle columns of `users` and the [`LifecycleStore`] trait (SQL in
//! `lifecycle_sqlite.rs` / `lifecycle_mysql.rs`).
//!
//! - `tokens_valid_after` (seconds since the epoch, default 0): an access token whose `iat` is
//!   before it is refused. Revocation sets it to the second *after* the revoking request
//!   ([`revocation_instant`]), so every token issued up to and including that second dies; tokens
//!   issued afterwards carry `iat = max(now, tokens_valid_after)` ([`issued_at`]) and live.
//! - `disabled` (0/1, default 0): a disabled account cannot sign in, refresh or use its tokens.
//! - `email_verified` (0/1, default 1, see [`super::verify`]): 0 only for an account signed up
//!   with email verification on, until its link is followed.
//!
//! The columns are added in place at start (`ALTER TABLE … ADD COLUMN … DEFAULT`), no row lost.

use async_trait::async_trait;
use authcore::roles::Role;

use super::records::StoreError;

/// What a protected request needs to know of its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccess {
    /// Known roles in id order.
    pub roles: Vec<Role>,
    /// Tokens issued (`iat`) before this second are refused.
    pub tokens_valid_after: i64,
    /// The account is disabled by an admin.
    pub disabled: bool,
}

impl UserAccess {
    /// Whether a token issued at `iat` (absent: 0) is still valid for this account.
    pub fn accepts(&self, iat: Option<i64>) -> bool {
        !self.disabled && iat.unwrap_or(0) >= self.tokens_valid_after
    }
}

/// The `tokens_valid_after` a revocation at `now` sets: the next second, so a token issued in
/// the same second as the revocation (second-granularity `iat`) is refused too.
pub fn revocation_instant(now: i64) -> i64 {
    now.saturating_add(1)
}

/// The `iat` of a token issued at `now` to an account whose tokens are valid after
/// `tokens_valid_after`: at most one second ahead of the clock, never refused by the check.
pub fn issued_at(now: i64, tokens_valid_after: i64) -> i64 {
    now.max(tokens_valid_after)
}

/// Storage of the lifecycle columns.
#[async_trait]
pub trait LifecycleStore: Send + Sync {
    /// Roles, `tokens_valid_after` and `disabled` of user `id`; `None` when it does not exist.
    async fn user_access(&self, id: i64) -> Result<Option<UserAccess>, StoreError>;

    /// In one transaction: raises `tokens_valid_after` of user `id` to at least `valid_after`,
    /// revokes all its live refresh tokens at `now`, and replaces its password hash when
    /// `new_password_hash` is given. `false` when there is no such user.
    async fn revoke_user_tokens(
        &self,
        id: i64,
        valid_after: i64,
        now: i64,
        new_password_hash: Option<&str>,
    ) -> Result<bool, StoreError>;

    /// Sets `disabled` of user `id`; `false` when there is no such user.
    async fn set_user_disabled(&self, id: i64, disabled: bool) -> Result<bool, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_of_the_revocation_second_is_refused_and_the_next_one_accepted() {
        let now = 1_800_000_000;
        let access = UserAccess {
            roles: vec![Role::User],
            tokens_valid_after: revocation_instant(now),
            disabled: false,
        };
        assert!(!access.accepts(Some(now)));
        assert!(!access.accepts(None));
        assert!(access.accepts(Some(issued_at(now, access.tokens_valid_after))));
        assert!(access.accepts(Some(now + 5)));
        let disabled = UserAccess {
            disabled: true,
            ..access
        };
        assert!(!disabled.accepts(Some(now + 5)));
    }
}
