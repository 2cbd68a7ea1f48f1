//! SQLite SQL of password reset tokens (see [`super::reset`]).

use async_trait::async_trait;
use authcore::identity::email_key;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{SqliteStore, map_err};
use crate::store::records::StoreError;
use crate::store::reset::ResetStore;

/// The table, created when missing.
pub(super) const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS password_resets (
        token_hash TEXT NOT NULL PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS password_resets_user ON password_resets (user_id);";

const USER_BY_EMAIL: &str = "SELECT id FROM users WHERE email_key = ?1";
const DELETE_OF_USER: &str = "DELETE FROM password_resets WHERE user_id = ?1";
const INSERT: &str =
    "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)";
const SELECT: &str = "SELECT user_id, expires_at FROM password_resets WHERE token_hash = ?1";

#[async_trait]
impl ResetStore for SqliteStore {
    async fn user_id_by_email(&self, email: &str) -> Result<Option<i64>, StoreError> {
        let key = email_key(email);
        self.call(move |c| {
            c.query_row(USER_BY_EMAIL, [key], |r| r.get(0))
                .optional()
                .map_err(map_err)
        })
        .await
    }

    async fn replace_password_reset(
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
            tx.execute(DELETE_OF_USER, [user_id]).map_err(map_err)?;
            tx.execute(INSERT, params![hash, user_id, expires_at])
                .map_err(map_err)?;
            tx.commit().map_err(map_err)
        })
        .await
    }

    async fn take_password_reset(
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
            tx.commit().map_err(map_err)?;
            Ok((expires_at > now).then_some(user_id))
        })
        .await
    }
}
