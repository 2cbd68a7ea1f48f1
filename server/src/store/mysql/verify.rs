//! MySQL/MariaDB SQL of email verification (see [`crate::store::verify`]).

use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::{Error as MyError, TxOpts};

use super::one_time::VERIFICATIONS;
use super::{MySqlStore, bounded, map_err};
use crate::store::records::StoreError;
use crate::store::verify::VerifyStore;

const SET_VERIFIED: &str = "UPDATE users SET email_verified = ? WHERE id = ?";
const VERIFIED: &str = "SELECT email_verified FROM users WHERE id = ?";

impl MySqlStore {
    async fn start_verification(
        &self,
        user_id: i64,
        hash: &str,
        expires_at: i64,
    ) -> Result<(), MyError> {
        let mut conn = self.pool.get_conn().await?;
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        tx.exec_drop(SET_VERIFIED, (0, user_id)).await?;
        VERIFICATIONS
            .replace(&mut tx, user_id, hash, expires_at)
            .await?;
        super::commit_allowed()?;
        tx.commit().await
    }

    async fn take_verification(&self, hash: &str, now: i64) -> Result<Option<i64>, MyError> {
        let mut conn = self.pool.get_conn().await?;
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        let Some((user_id, fresh)) = VERIFICATIONS.take(&mut tx, hash, now).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        if fresh {
            tx.exec_drop(SET_VERIFIED, (1, user_id)).await?;
        }
        super::commit_allowed()?;
        tx.commit().await?;
        Ok(fresh.then_some(user_id))
    }
}

#[async_trait]
impl VerifyStore for MySqlStore {
    async fn start_email_verification(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        bounded(async {
            self.start_verification(user_id, token_hash, expires_at)
                .await
                .map_err(map_err)
        })
        .await
    }

    async fn take_email_verification(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        bounded(async {
            self.take_verification(token_hash, now)
                .await
                .map_err(map_err)
        })
        .await
    }

    async fn email_verified(&self, user_id: i64) -> Result<Option<bool>, StoreError> {
        bounded(async {
            let mut conn = self.pool.get_conn().await.map_err(map_err)?;
            let v: Option<i64> = conn
                .exec_first(VERIFIED, (user_id,))
                .await
                .map_err(map_err)?;
            Ok(v.map(|v| v != 0))
        })
        .await
    }
}
