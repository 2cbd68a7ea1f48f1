//! How recently a user was created (`users.createdAt`, UTC on both backends as the seed's
//! Sequelize and authd write it), for answering a retried signup ([`RecentSignupStore`]).

use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use rusqlite::OptionalExtension;

use super::StoreError;
use super::mysql::{MySqlStore, bounded, map_err};
use super::sqlite::{self, SqliteStore};

/// Whether a user is new.
#[async_trait]
pub trait RecentSignupStore: Send + Sync {
    /// Whether user `id` exists and was created at most `seconds` ago (`false` for a `createdAt`
    /// that cannot be read as a time).
    async fn created_within(&self, id: i64, seconds: i64) -> Result<bool, StoreError>;
}

const SQLITE_CREATED_WITHIN: &str = "SELECT CAST(strftime('%s', createdAt) AS INTEGER)
    >= CAST(strftime('%s', 'now') AS INTEGER) - ?2 FROM users WHERE id = ?1";

const MYSQL_CREATED_WITHIN: &str =
    "SELECT createdAt >= UTC_TIMESTAMP() - INTERVAL ? SECOND FROM users WHERE id = ?";

#[async_trait]
impl RecentSignupStore for SqliteStore {
    async fn created_within(&self, id: i64, seconds: i64) -> Result<bool, StoreError> {
        self.call(move |c| {
            c.prepare_cached(SQLITE_CREATED_WITHIN)
                .and_then(|mut s| {
                    s.query_row([id, seconds], |r| r.get::<_, Option<bool>>(0))
                        .optional()
                })
                .map(|recent| recent.flatten().unwrap_or(false))
                .map_err(sqlite::map_err)
        })
        .await
    }
}

#[async_trait]
impl RecentSignupStore for MySqlStore {
    async fn created_within(&self, id: i64, seconds: i64) -> Result<bool, StoreError> {
        bounded(async {
            let mut conn = self.pool.get_conn().await.map_err(map_err)?;
            let row: Option<(Option<i64>,)> = conn
                .exec_first(MYSQL_CREATED_WITHIN, (seconds, id))
                .await
                .map_err(map_err)?;
            Ok(row.and_then(|(recent,)| recent).is_some_and(|r| r == 1))
        })
        .await
    }
}
