//! The identity columns on MySQL/MariaDB (see [`super::identity`]): `VARBINARY` (exact bytes, no
//! collation, no PAD SPACE) with UNIQUE indexes, added to the seed's and earlier versions' tables
//! in place; earlier versions' UNIQUE indexes on `username`/`email` (accent- and case-folding
//! under `utf8mb4_general_ci`) dropped; missing keys filled in id order.

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Error as MyError, Row};

use super::StoreError;
use super::identity::{Collisions, Pending};
use super::mysql::{map_err, take};

/// Longest key in bytes: 255 chars of 4 bytes, with room for lowercase mappings that grow.
pub(super) const KEY_BYTES: usize = 1536;

const ER_DUP_FIELDNAME: u16 = 1060;
const ER_DUP_KEYNAME: u16 = 1061;
const ER_DUP_ENTRY: u16 = 1062;
const ER_CANT_DROP_FIELD_OR_KEY: u16 = 1091;

const HAS_COLUMN: &str = "SELECT 1 FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = ?";

const HAS_INDEX: &str = "SELECT 1 FROM information_schema.STATISTICS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND INDEX_NAME = ? LIMIT 1";

const PENDING: &str = "SELECT id, username, email, username_key IS NULL, email_key IS NULL
    FROM users
    WHERE (username_key IS NULL AND username IS NOT NULL)
       OR (email_key IS NULL AND email IS NOT NULL)
    ORDER BY id";

/// One identity column: its name and its index.
struct KeyColumn {
    column: &'static str,
    index: &'static str,
    legacy_index: &'static str,
    set: &'static str,
    holder: &'static str,
}

const USERNAME: KeyColumn = KeyColumn {
    column: "username_key",
    index: "users_username_key",
    legacy_index: "users_username_unique",
    set: "UPDATE users SET username_key = ? WHERE id = ? AND username_key IS NULL",
    holder: "SELECT id FROM users WHERE username_key = ?",
};

const EMAIL: KeyColumn = KeyColumn {
    column: "email_key",
    index: "users_email_key",
    legacy_index: "users_email_unique",
    set: "UPDATE users SET email_key = ? WHERE id = ? AND email_key IS NULL",
    holder: "SELECT id FROM users WHERE email_key = ?",
};

/// Brings `users` to the identity schema and fills missing keys. Safe to run concurrently from
/// several instances starting at once.
pub(super) async fn migrate(conn: &mut Conn) -> Result<(), StoreError> {
    for col in [&USERNAME, &EMAIL] {
        if !exists(conn, HAS_COLUMN, col.column).await? {
            let ddl = format!(
                "ALTER TABLE `users` ADD COLUMN `{}` VARBINARY({KEY_BYTES}) DEFAULT NULL",
                col.column
            );
            ignore(conn.query_drop(ddl).await, ER_DUP_FIELDNAME)?;
        }
        if exists(conn, HAS_INDEX, col.legacy_index).await? {
            let ddl = format!("ALTER TABLE `users` DROP INDEX `{}`", col.legacy_index);
            ignore(conn.query_drop(ddl).await, ER_CANT_DROP_FIELD_OR_KEY)?;
            tracing::info!(
                index = col.legacy_index,
                "dropped the collation-based UNIQUE index; {} is unique now",
                col.column
            );
        }
        if !exists(conn, HAS_INDEX, col.index).await? {
            let ddl = format!(
                "ALTER TABLE `users` ADD UNIQUE INDEX `{}` (`{}`)",
                col.index, col.column
            );
            ignore(conn.query_drop(ddl).await, ER_DUP_KEYNAME)?;
        }
    }
    let rows: Vec<Row> = conn.query(PENDING).await.map_err(map_err)?;
    let mut pending = Vec::with_capacity(rows.len());
    for mut row in rows {
        pending.push(Pending::new(
            take(&mut row, 0).map_err(map_err)?,
            take(&mut row, 1).map_err(map_err)?,
            take(&mut row, 2).map_err(map_err)?,
            take(&mut row, 3).map_err(map_err)?,
            take(&mut row, 4).map_err(map_err)?,
        ));
    }
    let mut collisions = Collisions::default();
    for row in &pending {
        if let Some(key) = &row.username_key
            && let Some(holder) = set_key(conn, &USERNAME, key, row.id).await?
        {
            collisions.usernames.push((holder, row.id));
        }
        if let Some(key) = &row.email_key
            && let Some(holder) = set_key(conn, &EMAIL, key, row.id).await?
        {
            collisions.emails.push((holder, row.id));
        }
    }
    collisions.warn();
    Ok(())
}

/// `Ok` for success or the one expected server error `code` (a concurrent start did it).
fn ignore(result: Result<(), MyError>, code: u16) -> Result<(), StoreError> {
    match result {
        Err(MyError::Server(s)) if s.code == code => Ok(()),
        other => other.map_err(map_err),
    }
}

async fn exists(conn: &mut Conn, sql: &str, name: &str) -> Result<bool, StoreError> {
    let row: Option<Row> = conn.exec_first(sql, (name,)).await.map_err(map_err)?;
    Ok(row.is_some())
}

/// Sets the key of row `id`; when another row holds it, leaves it NULL and returns that row's id.
async fn set_key(
    conn: &mut Conn,
    col: &KeyColumn,
    key: &str,
    id: i64,
) -> Result<Option<i64>, StoreError> {
    match conn.exec_drop(col.set, (key.as_bytes(), id)).await {
        Ok(()) => Ok(None),
        Err(MyError::Server(s)) if s.code == ER_DUP_ENTRY => {
            let holder: Option<Row> = conn
                .exec_first(col.holder, (key.as_bytes(),))
                .await
                .map_err(map_err)?;
            match holder {
                Some(mut row) => Ok(Some(take(&mut row, 0).map_err(map_err)?)),
                // The holder is gone again: try once more, next start at the latest.
                None => Ok(None),
            }
        }
        Err(e) => Err(map_err(e)),
    }
}
