//! MySQL/MariaDB SQL of the one-time token tables (password resets, email verifications): only
//! the SHA-256 hash of a token is stored, with its owner and expiry; an account has at most one
//! token per table, and taking a token deletes every token of its account.

use mysql_async::prelude::Queryable;
use mysql_async::{Error as MyError, Row, Transaction};

use super::take;

/// One table of one-time tokens.
pub(super) struct OneTimeTokens {
    /// Creates the table when missing.
    pub(super) schema: &'static str,
    delete_of_user: &'static str,
    insert: &'static str,
    select_for_update: &'static str,
}

/// Password reset tokens.
pub(super) const RESETS: OneTimeTokens = OneTimeTokens {
    schema: "CREATE TABLE IF NOT EXISTS `password_resets` (
  `token_hash` char(64) NOT NULL,
  `user_id` int(11) NOT NULL,
  `expires_at` bigint NOT NULL,
  PRIMARY KEY (`token_hash`),
  KEY `password_resets_user` (`user_id`),
  CONSTRAINT `password_resets_user_fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    delete_of_user: "DELETE FROM password_resets WHERE user_id = ?",
    insert: "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
    select_for_update: "SELECT user_id, expires_at FROM password_resets WHERE token_hash = ? FOR UPDATE",
};

/// Email verification tokens.
pub(super) const VERIFICATIONS: OneTimeTokens = OneTimeTokens {
    schema: "CREATE TABLE IF NOT EXISTS `email_verifications` (
  `token_hash` char(64) NOT NULL,
  `user_id` int(11) NOT NULL,
  `expires_at` bigint NOT NULL,
  PRIMARY KEY (`token_hash`),
  KEY `email_verifications_user` (`user_id`),
  CONSTRAINT `email_verifications_user_fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    delete_of_user: "DELETE FROM email_verifications WHERE user_id = ?",
    insert: "INSERT INTO email_verifications (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
    select_for_update: "SELECT user_id, expires_at FROM email_verifications WHERE token_hash = ? FOR UPDATE",
};

impl OneTimeTokens {
    /// Stores `hash` for `user_id`, expiring at `expires_at`, in place of its earlier token.
    pub(super) async fn replace(
        &self,
        tx: &mut Transaction<'_>,
        user_id: i64,
        hash: &str,
        expires_at: i64,
    ) -> Result<(), MyError> {
        tx.exec_drop(self.delete_of_user, (user_id,)).await?;
        tx.exec_drop(self.insert, (hash, user_id, expires_at)).await
    }

    /// Takes `hash` (locking its row): deletes every token of its user and gives the user's id
    /// and whether the token was still valid at `now`; `None` for an unknown token.
    pub(super) async fn take(
        &self,
        tx: &mut Transaction<'_>,
        hash: &str,
        now: i64,
    ) -> Result<Option<(i64, bool)>, MyError> {
        let row: Option<Row> = tx.exec_first(self.select_for_update, (hash,)).await?;
        let Some(mut row) = row else {
            return Ok(None);
        };
        let user_id: i64 = take(&mut row, 0)?;
        let expires_at: i64 = take(&mut row, 1)?;
        tx.exec_drop(self.delete_of_user, (user_id,)).await?;
        Ok(Some((user_id, expires_at > now)))
    }
}
