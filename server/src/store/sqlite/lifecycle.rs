//! SQLite SQL of the account lifecycle columns (see [`super::lifecycle`]).

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{SqliteStore, map_err};
use crate::store::lifecycle::{LifecycleStore, UserAccess};
use crate::store::records::StoreError;
use crate::store::records::roles_from_names;

const COLUMNS: [(&str, &str); 3] = [
    (
        "tokens_valid_after",
        "ALTER TABLE users ADD COLUMN tokens_valid_after INTEGER NOT NULL DEFAULT 0",
    ),
    (
        "disabled",
        "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0",
    ),
    (
        "email_verified",
        "ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 1",
    ),
];
const HAS_COLUMN: &str = "SELECT 1 FROM pragma_table_info('users') WHERE name = ?1";

const ACCESS: &str = "SELECT u.tokens_valid_after, u.disabled, r.name FROM users AS u
    LEFT JOIN user_roles AS ur ON ur.userId = u.id
    LEFT JOIN roles AS r ON r.id = ur.roleId
    WHERE u.id = ?1
    ORDER BY r.id";
const RAISE: &str =
    "UPDATE users SET tokens_valid_after = MAX(tokens_valid_after, ?1) WHERE id = ?2";
const SET_PASSWORD: &str = "UPDATE users SET password = ?1,
    updatedAt = strftime('%Y-%m-%d %H:%M:%S','now') WHERE id = ?2";
const REVOKE_REFRESH: &str =
    "UPDATE refresh_tokens SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL";
const SET_DISABLED: &str = "UPDATE users SET disabled = ?1 WHERE id = ?2";

/// Adds the lifecycle columns to an older `users` table (inside the caller's transaction).
pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    for (column, ddl) in COLUMNS {
        let present: Option<i64> = conn
            .query_row(HAS_COLUMN, [column], |r| r.get(0))
            .optional()
            .map_err(map_err)?;
        if present.is_none() {
            conn.execute_batch(ddl).map_err(map_err)?;
        }
    }
    Ok(())
}

fn access(conn: &Connection, id: i64) -> Result<Option<UserAccess>, StoreError> {
    let mut stmt = conn.prepare_cached(ACCESS).map_err(map_err)?;
    let mut rows = stmt.query([id]).map_err(map_err)?;
    let mut head: Option<(i64, i64)> = None;
    let mut names = Vec::new();
    while let Some(row) = rows.next().map_err(map_err)? {
        if head.is_none() {
            head = Some((row.get(0).map_err(map_err)?, row.get(1).map_err(map_err)?));
        }
        names.push(row.get::<_, Option<String>>(2).map_err(map_err)?);
    }
    Ok(head.map(|(tokens_valid_after, disabled)| UserAccess {
        roles: roles_from_names(names),
        tokens_valid_after,
        disabled: disabled != 0,
    }))
}

#[async_trait]
impl LifecycleStore for SqliteStore {
    async fn user_access(&self, id: i64) -> Result<Option<UserAccess>, StoreError> {
        self.call(move |c| access(c, id)).await
    }

    async fn revoke_user_tokens(
        &self,
        id: i64,
        valid_after: i64,
        now: i64,
        new_password_hash: Option<&str>,
    ) -> Result<bool, StoreError> {
        let hash = new_password_hash.map(str::to_owned);
        self.call(move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(map_err)?;
            let found = tx
                .execute(RAISE, params![valid_after, id])
                .map_err(map_err)?;
            if found == 0 {
                return Ok(false);
            }
            if let Some(hash) = hash {
                tx.execute(SET_PASSWORD, params![hash, id])
                    .map_err(map_err)?;
            }
            tx.execute(REVOKE_REFRESH, params![now, id])
                .map_err(map_err)?;
            tx.commit().map_err(map_err)?;
            Ok(true)
        })
        .await
    }

    async fn set_user_disabled(&self, id: i64, disabled: bool) -> Result<bool, StoreError> {
        self.call(move |c| {
            c.execute(SET_DISABLED, params![i64::from(disabled), id])
                .map(|n| n > 0)
                .map_err(map_err)
        })
        .await
    }
}
