//! MySQL/MariaDB SQL of the account lifecycle columns (see [`super::lifecycle`]).

use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Error as MyError, Row, TxOpts};

use super::{MySqlStore, bounded, map_err, take};
use crate::store::lifecycle::{LifecycleStore, UserAccess};
use crate::store::records::StoreError;
use crate::store::records::roles_from_names;

const ER_DUP_FIELDNAME: u16 = 1060;

const COLUMNS: [(&str, &str); 3] = [
    (
        "tokens_valid_after",
        "ALTER TABLE `users` ADD COLUMN `tokens_valid_after` BIGINT NOT NULL DEFAULT 0",
    ),
    (
        "disabled",
        "ALTER TABLE `users` ADD COLUMN `disabled` TINYINT(1) NOT NULL DEFAULT 0",
    ),
    (
        "email_verified",
        "ALTER TABLE `users` ADD COLUMN `email_verified` TINYINT(1) NOT NULL DEFAULT 1",
    ),
];
const HAS_COLUMN: &str = "SELECT 1 FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = ?";

const ACCESS: &str = "SELECT u.tokens_valid_after, u.disabled, r.name FROM users AS u
    LEFT JOIN user_roles AS ur ON ur.userId = u.id
    LEFT JOIN roles AS r ON r.id = ur.roleId
    WHERE u.id = ?
    ORDER BY r.id";
const LOCK_USER: &str = "SELECT id FROM users WHERE id = ? FOR UPDATE";
const RAISE: &str =
    "UPDATE users SET tokens_valid_after = GREATEST(tokens_valid_after, ?) WHERE id = ?";
const SET_PASSWORD: &str =
    "UPDATE users SET password = ?, updatedAt = UTC_TIMESTAMP() WHERE id = ?";
const REVOKE_REFRESH: &str =
    "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL";
const SET_DISABLED: &str = "UPDATE users SET disabled = ? WHERE id = ?";

/// Adds the lifecycle columns to an older `users` table; safe when several instances start.
pub(super) async fn migrate(conn: &mut Conn) -> Result<(), StoreError> {
    for (column, ddl) in COLUMNS {
        let present: Option<Row> = conn
            .exec_first(HAS_COLUMN, (column,))
            .await
            .map_err(map_err)?;
        if present.is_none() {
            match conn.query_drop(ddl).await {
                Ok(()) => {}
                Err(MyError::Server(e)) if e.code == ER_DUP_FIELDNAME => {}
                Err(e) => return Err(map_err(e)),
            }
        }
    }
    Ok(())
}

async fn access(mut conn: Conn, id: i64) -> Result<Option<UserAccess>, MyError> {
    let rows: Vec<Row> = conn.exec(ACCESS, (id,)).await?;
    let mut head: Option<(i64, i64)> = None;
    let mut names = Vec::with_capacity(rows.len());
    for mut row in rows {
        if head.is_none() {
            head = Some((take(&mut row, 0)?, take(&mut row, 1)?));
        }
        names.push(take::<Option<String>>(&mut row, 2)?);
    }
    Ok(head.map(|(tokens_valid_after, disabled)| UserAccess {
        roles: roles_from_names(names),
        tokens_valid_after,
        disabled: disabled != 0,
    }))
}

impl MySqlStore {
    /// Locks user `id` and runs `statements` in one transaction; `false` if there is no such user.
    async fn update_locked(
        &self,
        id: i64,
        statements: Vec<(&'static str, mysql_async::Params)>,
    ) -> Result<bool, MyError> {
        let mut conn = self.pool.get_conn().await?;
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        let found: Option<Row> = tx.exec_first(LOCK_USER, (id,)).await?;
        if found.is_none() {
            tx.rollback().await?;
            return Ok(false);
        }
        for (sql, params) in statements {
            tx.exec_drop(sql, params).await?;
        }
        super::commit_allowed()?;
        tx.commit().await?;
        Ok(true)
    }
}

#[async_trait]
impl LifecycleStore for MySqlStore {
    async fn user_access(&self, id: i64) -> Result<Option<UserAccess>, StoreError> {
        bounded(async {
            let conn = self.pool.get_conn().await.map_err(map_err)?;
            access(conn, id).await.map_err(map_err)
        })
        .await
    }

    async fn revoke_user_tokens(
        &self,
        id: i64,
        valid_after: i64,
        now: i64,
        new_password_hash: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut statements = vec![(RAISE, (valid_after, id).into())];
        if let Some(hash) = new_password_hash {
            statements.push((SET_PASSWORD, (hash, id).into()));
        }
        statements.push((REVOKE_REFRESH, (now, id).into()));
        bounded(async { self.update_locked(id, statements).await.map_err(map_err) }).await
    }

    async fn set_user_disabled(&self, id: i64, disabled: bool) -> Result<bool, StoreError> {
        let statements = vec![(SET_DISABLED, (i64::from(disabled), id).into())];
        bounded(async { self.update_locked(id, statements).await.map_err(map_err) }).await
    }
}
