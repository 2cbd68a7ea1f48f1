//! SQLite SQL of the failed-signin counts (see [`crate::store::lockout::LockoutStore`]).

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, map_err};
use crate::store::lockout::LockoutStore;
use crate::store::lockout::{MAX_FAILURES, SigninFailures, count_of};
use crate::store::records::StoreError;

/// The table, created idempotently next to the seed's tables; rows go with their user.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS signin_failures (
        user_id INTEGER NOT NULL PRIMARY KEY
            REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
        failures INTEGER NOT NULL,
        last_failure_ms BIGINT NOT NULL
    )";

const SELECT: &str = "SELECT failures, last_failure_ms FROM signin_failures WHERE user_id = ?1";

/// `?1` user, `?2` now, `?3` forget-before, `?4` cap.
const RECORD: &str = "INSERT INTO signin_failures (user_id, failures, last_failure_ms)
    VALUES (?1, 1, ?2)
    ON CONFLICT (user_id) DO UPDATE SET
        failures = CASE WHEN signin_failures.last_failure_ms <= ?3 THEN 1
                        ELSE MIN(signin_failures.failures + 1, ?4) END,
        last_failure_ms = excluded.last_failure_ms
    RETURNING failures";

/// Deletes a user's row (also done by the foreign key's cascade).
pub(super) const DELETE: &str = "DELETE FROM signin_failures WHERE user_id = ?1";

/// Creates the table if it is missing.
pub(super) fn ensure_table(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(SCHEMA).map_err(map_err)
}

#[async_trait]
impl LockoutStore for SqliteStore {
    async fn signin_failures(&self, user_id: i64) -> Result<Option<SigninFailures>, StoreError> {
        self.call(move |c| {
            c.prepare_cached(SELECT)
                .and_then(|mut s| {
                    s.query_row([user_id], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?)))
                        .optional()
                })
                .map(|row| {
                    row.map(|(failures, last_failure_ms)| SigninFailures {
                        failures: count_of(failures),
                        last_failure_ms,
                    })
                })
                .map_err(map_err)
        })
        .await
    }

    async fn record_signin_failure(
        &self,
        user_id: i64,
        now_ms: i64,
        forget_before_ms: i64,
    ) -> Result<u32, StoreError> {
        self.call(move |c| {
            c.prepare_cached(RECORD)
                .and_then(|mut s| {
                    s.query_row(
                        params![user_id, now_ms, forget_before_ms, MAX_FAILURES],
                        |r| r.get::<_, i64>(0),
                    )
                })
                .map(count_of)
                .map_err(map_err)
        })
        .await
    }

    async fn clear_signin_failures(&self, user_id: i64) -> Result<(), StoreError> {
        self.call(move |c| {
            c.prepare_cached(DELETE)
                .and_then(|mut s| s.execute([user_id]))
                .map(|_| ())
                .map_err(map_err)
        })
        .await
    }
}
