//! MySQL/MariaDB SQL of [`RecentSignupStore`].

use async_trait::async_trait;
use mysql_async::prelude::Queryable;

use super::{MySqlStore, bounded, map_err};
use crate::store::recent_signup::RecentSignupStore;
use crate::store::records::StoreError;

const MYSQL_CREATED_WITHIN: &str =
    "SELECT createdAt >= UTC_TIMESTAMP() - INTERVAL ? SECOND FROM users WHERE id = ?";

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
