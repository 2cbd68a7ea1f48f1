//! SQLite SQL of the one-time token tables (password resets, email verifications): only the
//! SHA-256 hash of a token is stored, with its owner and expiry; an account has at most one
//! token per table, and taking a token deletes every token of its account.

use rusqlite::{OptionalExtension, Transaction, params};

/// One table of one-time tokens.
pub(super) struct OneTimeTokens {
    /// Creates the table and its index when missing.
    pub(super) schema: &'static str,
    delete_of_user: &'static str,
    insert: &'static str,
    select: &'static str,
}

/// Password reset tokens.
pub(super) const RESETS: OneTimeTokens = OneTimeTokens {
    schema: "CREATE TABLE IF NOT EXISTS password_resets (
        token_hash TEXT NOT NULL PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS password_resets_user ON password_resets (user_id);",
    delete_of_user: "DELETE FROM password_resets WHERE user_id = ?1",
    insert: "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
    select: "SELECT user_id, expires_at FROM password_resets WHERE token_hash = ?1",
};

/// Email verification tokens.
pub(super) const VERIFICATIONS: OneTimeTokens = OneTimeTokens {
    schema: "CREATE TABLE IF NOT EXISTS email_verifications (
        token_hash TEXT NOT NULL PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS email_verifications_user ON email_verifications (user_id);",
    delete_of_user: "DELETE FROM email_verifications WHERE user_id = ?1",
    insert: "INSERT INTO email_verifications (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
    select: "SELECT user_id, expires_at FROM email_verifications WHERE token_hash = ?1",
};

impl OneTimeTokens {
    /// Stores `hash` for `user_id`, expiring at `expires_at`, in place of its earlier token.
    pub(super) fn replace(
        &self,
        tx: &Transaction<'_>,
        user_id: i64,
        hash: &str,
        expires_at: i64,
    ) -> rusqlite::Result<()> {
        tx.execute(self.delete_of_user, [user_id])?;
        tx.execute(self.insert, params![hash, user_id, expires_at])?;
        Ok(())
    }

    /// Takes `hash`: deletes every token of its user and gives the user's id and whether the
    /// token was still valid at `now`; `None` for an unknown token.
    pub(super) fn take(
        &self,
        tx: &Transaction<'_>,
        hash: &str,
        now: i64,
    ) -> rusqlite::Result<Option<(i64, bool)>> {
        let row: Option<(i64, i64)> = tx
            .query_row(self.select, [hash], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((user_id, expires_at)) = row else {
            return Ok(None);
        };
        tx.execute(self.delete_of_user, [user_id])?;
        Ok(Some((user_id, expires_at > now)))
    }
}
