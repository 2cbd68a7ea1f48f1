//! MySQL/MariaDB SQL of password reset tokens (see [`crate::store::reset`]).

use async_trait::async_trait;
use authcore::identity::email_key;
use mysql_async::prelude::Queryable;
use mysql_async::{Error as MyError, TxOpts};

use super::one_time::RESETS;
use super::{MySqlStore, bounded, map_err};
use crate::store::records::StoreError;
use crate::store::reset::ResetStore;

const USER_BY_EMAIL: &str = "SELECT id FROM users WHERE email_key = ?";
impl MySqlStore {
    async fn replace_reset(
        &self,
        user_id: i64,
        hash: &str,
        expires_at: i64,
    ) -> Result<(), MyError> {
        let mut conn = self.pool.get_conn().await?;
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        RESETS.replace(&mut tx, user_id, hash, expires_at).await?;
        super::commit_allowed()?;
        tx.commit().await
    }

    async fn take_reset(&self, hash: &str, now: i64) -> Result<Option<i64>, MyError> {
        let mut conn = self.pool.get_conn().await?;
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        let Some((user_id, fresh)) = RESETS.take(&mut tx, hash, now).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        super::commit_allowed()?;
        tx.commit().await?;
        Ok(fresh.then_some(user_id))
    }
}

#[async_trait]
impl ResetStore for MySqlStore {
    async fn user_id_by_email(&self, email: &str) -> Result<Option<i64>, StoreError> {
        let key = email_key(email);
        bounded(async {
            let mut conn = self.pool.get_conn().await.map_err(map_err)?;
            let id: Option<i64> = conn
                .exec_first(USER_BY_EMAIL, (key.as_bytes(),))
                .await
                .map_err(map_err)?;
            Ok(id)
        })
        .await
    }

    async fn replace_password_reset(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        bounded(async {
            self.replace_reset(user_id, token_hash, expires_at)
                .await
                .map_err(map_err)
        })
        .await
    }

    async fn take_password_reset(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        bounded(async { self.take_reset(token_hash, now).await.map_err(map_err) }).await
    }
}
