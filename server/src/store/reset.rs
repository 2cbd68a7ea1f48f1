//! Password reset tokens (table `password_resets`, SQL in `reset_sqlite.rs` / `reset_mysql.rs`):
//! only the SHA-256 hash of a token is stored, with its owner and expiry (seconds since the
//! epoch). An account has at most one: a newer token replaces the older, and taking a token
//! (single use) deletes every token of its account. Rows go with their user (`ON DELETE CASCADE`).

use async_trait::async_trait;

use super::records::StoreError;

/// Storage of password reset tokens.
#[async_trait]
pub trait ResetStore: Send + Sync {
    /// The id of the user with this email's canonical key (`authcore::identity::email_key`).
    async fn user_id_by_email(&self, email: &str) -> Result<Option<i64>, StoreError>;

    /// Stores the token `token_hash` of user `user_id`, expiring at `expires_at`, in place of
    /// any earlier one of that user (one transaction).
    async fn replace_password_reset(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), StoreError>;

    /// Takes the token `token_hash`: deletes every token of its user and answers the user's id
    /// when the token existed and had not expired at `now` (one transaction; of racing calls
    /// with one token at most one gets the id).
    async fn take_password_reset(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError>;
}
