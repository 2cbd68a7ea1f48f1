//! MySQL/MariaDB SQL of password reset tokens (see [`super::reset`]).

use async_trait::async_trait;
use authcore::identity::email_key;
use mysql_async::prelude::Queryable;
use mysql_async::{Error as MyError, Row, TxOpts};

use super::{MySqlStore, bounded, map_err, take};
use crate::store::records::StoreError;
use crate::store::reset::ResetStore;

/// The table, created when missing.
pub(super) const CREATE_PASSWORD_RESETS: &str = "CREATE TABLE IF NOT EXISTS `password_resets` (
  `token_hash` char(64) NOT NULL,
  `user_id` int(11) NOT NULL,
  `expires_at` bigint NOT NULL,
  PRIMARY KEY (`token_hash`),
  KEY `password_resets_user` (`user_id`),
  CONSTRAINT `password_resets_user_fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

const USER_BY_EMAIL: &str = "SELECT id FROM users WHERE email_key = ?";
const DELETE_OF_USER: &str = "DELETE FROM password_resets WHERE user_id = ?";
const INSERT: &str =
    "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (?, ?, ?)";
const SELECT: &str =
    "SELECT user_id, expires_at FROM password_resets WHERE token_hash = ? FOR UPDATE";

impl MySqlStore {
    async fn replace_reset(
        &self,
        user_id: i64,
        hash: &str,
        expires_at: i64,
    ) -> Result<(), MyError> {
        let mut conn = self.pool.get_conn().await?;
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        tx.exec_drop(DELETE_OF_USER, (user_id,)).await?;
        tx.exec_drop(INSERT, (hash, user_id, expires_at)).await?;
        super::commit_allowed()?;
        tx.commit().await
    }

    async fn take_reset(&self, hash: &str, now: i64) -> Result<Option<i64>, MyError> {
        let mut conn = self.pool.get_conn().await?;
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        let row: Option<Row> = tx.exec_first(SELECT, (hash,)).await?;
        let Some(mut row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        let user_id: i64 = take(&mut row, 0)?;
        let expires_at: i64 = take(&mut row, 1)?;
        tx.exec_drop(DELETE_OF_USER, (user_id,)).await?;
        super::commit_allowed()?;
        tx.commit().await?;
        Ok((expires_at > now).then_some(user_id))
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
