//! SQLite SQL of [`RecentSignupStore`].

use async_trait::async_trait;
use rusqlite::OptionalExtension;

use super::{SqliteStore, map_err};
use crate::store::recent_signup::RecentSignupStore;
use crate::store::records::StoreError;

const SQLITE_CREATED_WITHIN: &str = "SELECT CAST(strftime('%s', createdAt) AS INTEGER)
    >= CAST(strftime('%s', 'now') AS INTEGER) - ?2 FROM users WHERE id = ?1";

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
                .map_err(map_err)
        })
        .await
    }
}
