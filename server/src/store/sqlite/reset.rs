//! SQLite SQL of password reset tokens (see [`crate::store::reset`]).

use async_trait::async_trait;
use authcore::identity::email_key;
use rusqlite::{OptionalExtension, TransactionBehavior};

use super::one_time::RESETS;
use super::{SqliteStore, map_err};
use crate::store::records::StoreError;
use crate::store::reset::ResetStore;

const USER_BY_EMAIL: &str = "SELECT id FROM users WHERE email_key = ?1";

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
            RESETS
                .replace(&tx, user_id, &hash, expires_at)
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
            let Some((user_id, fresh)) = RESETS.take(&tx, &hash, now).map_err(map_err)? else {
                return Ok(None);
            };
            tx.commit().map_err(map_err)?;
            Ok(fresh.then_some(user_id))
        })
        .await
    }
}
