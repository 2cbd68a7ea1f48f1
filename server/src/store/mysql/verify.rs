//! MySQL/MariaDB SQL of email verification (see [`super::verify`]).

use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::{Error as MyError, Row, TxOpts};

use super::{MySqlStore, bounded, map_err, take};
use crate::store::records::StoreError;
use crate::store::verify::VerifyStore;

/// The table, created when missing.
pub(super) const CREATE_EMAIL_VERIFICATIONS: &str = "CREATE TABLE IF NOT EXISTS `email_verifications` (
  `token_hash` char(64) NOT NULL,
  `user_id` int(11) NOT NULL,
  `expires_at` bigint NOT NULL,
  PRIMARY KEY (`token_hash`),
  KEY `email_verifications_user` (`user_id`),
  CONSTRAINT `email_verifications_user_fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

const DELETE_OF_USER: &str = "DELETE FROM email_verifications WHERE user_id = ?";
const INSERT: &str =
    "INSERT INTO email_verifications (token_hash, user_id, expires_at) VALUES (?, ?, ?)";
const SELECT: &str =
    "SELECT user_id, expires_at FROM email_verifications WHERE token_hash = ? FOR UPDATE";
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
        tx.exec_drop(DELETE_OF_USER, (user_id,)).await?;
        tx.exec_drop(INSERT, (hash, user_id, expires_at)).await?;
        super::commit_allowed()?;
        tx.commit().await
    }

    async fn take_verification(&self, hash: &str, now: i64) -> Result<Option<i64>, MyError> {
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
        let fresh = expires_at > now;
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
