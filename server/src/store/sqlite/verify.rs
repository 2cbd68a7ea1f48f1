//! SQLite SQL of email verification (see [`crate::store::verify`]).

use async_trait::async_trait;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::one_time::VERIFICATIONS;
use super::{SqliteStore, map_err};
use crate::store::records::StoreError;
use crate::store::verify::VerifyStore;

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
            VERIFICATIONS
                .replace(&tx, user_id, &hash, expires_at)
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
            let taken = VERIFICATIONS.take(&tx, &hash, now).map_err(map_err)?;
            let Some((user_id, fresh)) = taken else {
                return Ok(None);
            };
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
