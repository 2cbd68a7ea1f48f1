//! MySQL/MariaDB SQL of the failed-signin counts (see [`crate::store::lockout::LockoutStore`]).

use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::{Pool, TxOpts};

use super::refresh::retrying;
use super::{MySqlStore, bounded, commit_allowed, map_err};
use crate::store::lockout::LockoutStore;
use crate::store::lockout::{MAX_FAILURES, SigninFailures, count_of};
use crate::store::records::StoreError;

/// The table, created idempotently next to the seed's tables; rows go with their user.
const CREATE: &str = "CREATE TABLE IF NOT EXISTS `signin_failures` (
  `user_id` int(11) NOT NULL,
  `failures` int NOT NULL,
  `last_failure_ms` bigint NOT NULL,
  PRIMARY KEY (`user_id`),
  CONSTRAINT `signin_failures_user_fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`)
    ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci";

const SELECT: &str = "SELECT failures, last_failure_ms FROM signin_failures WHERE user_id = ?";
const SELECT_COUNT: &str = "SELECT failures FROM signin_failures WHERE user_id = ?";

/// User, now, forget-before, cap. `failures` is assigned first, so it sees the old
/// `last_failure_ms`.
const RECORD: &str = "INSERT INTO signin_failures (user_id, failures, last_failure_ms)
    VALUES (?, 1, ?)
    ON DUPLICATE KEY UPDATE
        failures = IF(last_failure_ms <= ?, 1, LEAST(failures + 1, ?)),
        last_failure_ms = VALUES(last_failure_ms)";

/// Deletes a user's row (also done by the foreign key's cascade).
pub(super) const DELETE: &str = "DELETE FROM signin_failures WHERE user_id = ?";

/// Creates the table if it is missing.
pub(super) async fn ensure_table(pool: &Pool) -> Result<(), StoreError> {
    bounded(async {
        let mut conn = pool.get_conn().await.map_err(map_err)?;
        conn.query_drop(CREATE).await.map_err(map_err)
    })
    .await
}

#[async_trait]
impl LockoutStore for MySqlStore {
    async fn signin_failures(&self, user_id: i64) -> Result<Option<SigninFailures>, StoreError> {
        bounded(async {
            let mut conn = self.pool.get_conn().await.map_err(map_err)?;
            let row: Option<(i64, i64)> =
                conn.exec_first(SELECT, (user_id,)).await.map_err(map_err)?;
            Ok(row.map(|(failures, last_failure_ms)| SigninFailures {
                failures: count_of(failures),
                last_failure_ms,
            }))
        })
        .await
    }

    async fn record_signin_failure(
        &self,
        user_id: i64,
        now_ms: i64,
        forget_before_ms: i64,
    ) -> Result<u32, StoreError> {
        // The upsert locks the row, so the read in the same transaction sees this call's count.
        bounded(retrying(|| async {
            let mut conn = self.pool.get_conn().await?;
            let mut tx = conn.start_transaction(TxOpts::default()).await?;
            tx.exec_drop(RECORD, (user_id, now_ms, forget_before_ms, MAX_FAILURES))
                .await?;
            let count: Option<i64> = tx.exec_first(SELECT_COUNT, (user_id,)).await?;
            commit_allowed()?;
            tx.commit().await?;
            Ok(count.map_or(1, count_of))
        }))
        .await
    }

    async fn clear_signin_failures(&self, user_id: i64) -> Result<(), StoreError> {
        bounded(retrying(|| async {
            let mut conn = self.pool.get_conn().await?;
            let mut tx = conn.start_transaction(TxOpts::default()).await?;
            tx.exec_drop(DELETE, (user_id,)).await?;
            commit_allowed()?;
            tx.commit().await
        }))
        .await
    }
}
