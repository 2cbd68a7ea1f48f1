//! SQLite SQL of email verification (see [`super::verify`]).

use async_trait::async_trait;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{SqliteStore, map_err};
use crate::store::records::StoreError;
use crate::store::verify::VerifyStore;

/// The table, created when missing.
pub(super) const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS email_verifications (
        token_hash TEXT NOT NULL PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS email_verifications_user ON email_verifications (user_id);";

const DELETE_OF_USER: &str = "DELETE FROM email_verifications WHERE user_id = ?1";
const INSERT: &str =
    "INSERT INTO email_verifications (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)";
const SELECT: &str = "SELECT user_id, expires_at FROM email_verifications WHERE token_hash = ?1";
const SET_VERIFIED: &str = "UPDATE users SET email_verified = ?1 WHERE id = ?2";
const VERIFIED: &str = "SELECT email_verified FROM users WHERE id = ?1";

#[async_trait]
impl VerifyStore for SqliteStore {
    async fn start_email_verification(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let hash = token_hash.to_owned();
        self.call(move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(map_err)?;
            tx.execute(SET_VERIFIED, params![0, user_id])
                .map_err(map_err)?;
            tx.execute(DELETE_OF_USER, [user_id]).map_err(map_err)?;
            tx.execute(INSERT, params![hash, user_id, expires_at])
                .map_err(map_err)?;
            tx.commit().map_err(map_err)
        })
        .await
    }

    async fn take_email_verification(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let hash = token_hash.to_owned();
        self.call(move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(map_err)?;
            let row: Option<(i64, i64)> = tx
                .query_row(SELECT, [hash], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(map_err)?;
            let Some((user_id, expires_at)) = row else {
                return Ok(None);
            };
            tx.execute(DELETE_OF_USER, [user_id]).map_err(map_err)?;
            let fresh = expires_at > now;
            if fresh {
                tx.execute(SET_VERIFIED, params![1, user_id])
                    .map_err(map_err)?;
            }
            tx.commit().map_err(map_err)?;
            Ok(fresh.then_some(user_id))
        })
        .await
    }

    async fn email_verified(&self, user_id: i64) -> Result<Option<bool>, StoreError> {
        self.call(move |c| {
            c.query_row(VERIFIED, [user_id], |r| r.get::<_, i64>(0))
                .optional()
                .map(|v| v.map(|v| v != 0))
                .map_err(map_err)
        })
        .await
    }
}
