//! Email verification (`AUTHD_EMAIL_VERIFICATION`): the `users.email_verified` column (added with
//! the lifecycle columns, default 1 so existing accounts count as verified) and the tokens of
//! table `email_verifications` (SQL in `verify_sqlite.rs` / `verify_mysql.rs`), kept like
//! password reset tokens: only the SHA-256 hash, one per account, single use, expiring.

use async_trait::async_trait;

use super::records::StoreError;

/// Storage of email verification state and tokens.
#[async_trait]
pub trait VerifyStore: Send + Sync {
    /// Marks user `user_id` unverified and stores its token `token_hash`, expiring at
    /// `expires_at`, in place of any earlier one (one transaction).
    async fn start_email_verification(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), StoreError>;

    /// Takes the token `token_hash`: deletes every token of its user and, when the token existed
    /// and had not expired at `now`, marks the user verified and answers its id (one
    /// transaction; of racing calls with one token at most one gets the id).
    async fn take_email_verification(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError>;

    /// Whether user `user_id` has a verified email; `None`: no such user.
    async fn email_verified(&self, user_id: i64) -> Result<Option<bool>, StoreError>;
}
