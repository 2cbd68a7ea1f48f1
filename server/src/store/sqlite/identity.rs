//! The identity columns on SQLite (see [`super::identity`]): added to older files in place, the
//! `authd_ci` indexes of earlier versions dropped (so the stock `sqlite3` tool can read the file),
//! missing keys filled in id order.

use rusqlite::{Connection, ErrorCode, OptionalExtension, params};

use super::map_err;
use crate::store::identity::{Collisions, Pending};
use crate::store::records::StoreError;

/// Earlier versions' indexes, on `username`/`email` with the custom collation `authd_ci`.
const DROP_LEGACY_INDEXES: &str = "DROP INDEX IF EXISTS users_username_unique;
    DROP INDEX IF EXISTS users_email_unique;";

const CREATE_INDEXES: &str =
    "CREATE UNIQUE INDEX IF NOT EXISTS users_username_key ON users (username_key);
    CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON users (email_key);";

const HAS_COLUMN: &str = "SELECT 1 FROM pragma_table_info('users') WHERE name = ?1";

const PENDING: &str = "SELECT id, username, email, username_key IS NULL, email_key IS NULL
    FROM users
    WHERE (username_key IS NULL AND username IS NOT NULL)
       OR (email_key IS NULL AND email IS NOT NULL)
    ORDER BY id";

/// Brings `users` to the identity schema and fills missing keys (inside the caller's transaction).
pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    for column in ["username_key", "email_key"] {
        let present: Option<i64> = conn
            .query_row(HAS_COLUMN, [column], |r| r.get(0))
            .optional()
            .map_err(map_err)?;
        if present.is_none() {
            conn.execute_batch(&format!(
                "ALTER TABLE users ADD COLUMN {column} TEXT DEFAULT NULL"
            ))
            .map_err(map_err)?;
        }
    }
    conn.execute_batch(DROP_LEGACY_INDEXES).map_err(map_err)?;
    conn.execute_batch(CREATE_INDEXES).map_err(map_err)?;
    let mut collisions = Collisions::default();
    for row in pending(conn)? {
        if let Some(key) = &row.username_key
            && let Some(holder) = set_key(conn, Column::Username, key, row.id)?
        {
            collisions.usernames.push((holder, row.id));
        }
        if let Some(key) = &row.email_key
            && let Some(holder) = set_key(conn, Column::Email, key, row.id)?
        {
            collisions.emails.push((holder, row.id));
        }
    }
    collisions.warn();
    Ok(())
}

fn pending(conn: &Connection) -> Result<Vec<Pending>, StoreError> {
    let mut stmt = conn.prepare(PENDING).map_err(map_err)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Pending::new(
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })
        .map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

#[derive(Clone, Copy)]
enum Column {
    Username,
    Email,
}

/// Sets the key of row `id`; when another row holds it, leaves it NULL and returns that row's id.
fn set_key(
    conn: &Connection,
    column: Column,
    key: &str,
    id: i64,
) -> Result<Option<i64>, StoreError> {
    let (update, holder) = match column {
        Column::Username => (
            "UPDATE users SET username_key = ?1 WHERE id = ?2",
            "SELECT id FROM users WHERE username_key = ?1",
        ),
        Column::Email => (
            "UPDATE users SET email_key = ?1 WHERE id = ?2",
            "SELECT id FROM users WHERE email_key = ?1",
        ),
    };
    match conn.execute(update, params![key, id]) {
        Ok(_) => Ok(None),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
            conn.query_row(holder, [key], |r| r.get(0)).map_err(map_err)
        }
        Err(e) => Err(map_err(e)),
    }
}
