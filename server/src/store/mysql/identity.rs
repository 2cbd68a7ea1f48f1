//! The identity columns on MySQL/MariaDB (see [`super::identity`]): `VARBINARY` (exact bytes, no
//! collation, no PAD SPACE) with UNIQUE indexes, added to the seed's and earlier versions' tables
//! in place; earlier versions' UNIQUE indexes on `username`/`email` (accent- and case-folding
//! under `utf8mb4_general_ci`) dropped; missing keys filled in id order.

use std::collections::HashMap;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Error as MyError, Params, Row, TxOpts, Value};

use super::{map_err, take};
use crate::store::identity::{Collisions, Pending};
use crate::store::records::StoreError;

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

/// Rows per batched statement of the backfill (two parameters each).
const BATCH: usize = 500;

/// One identity column: its name and its index.
struct KeyColumn {
    column: &'static str,
    index: &'static str,
    legacy_index: &'static str,
    set: &'static str,
    holder: &'static str,
}

impl KeyColumn {
    /// `SELECT id, <column> FROM users WHERE <column> IN (?, …)` for `n` keys.
    fn holders_sql(&self, n: usize) -> String {
        let marks = vec!["?"; n].join(", ");
        format!(
            "SELECT id, `{0}` FROM users WHERE `{0}` IN ({marks})",
            self.column
        )
    }

    /// One UPDATE setting the key of `n` rows (parameters: id, key, id, key, …).
    fn batch_sql(&self, n: usize) -> String {
        let rows = vec!["SELECT ? AS id, ? AS k"; n].join(" UNION ALL ");
        format!(
            "UPDATE users AS u JOIN ({rows}) AS v ON u.id = v.id SET u.`{0}` = v.k
             WHERE u.`{0}` IS NULL",
            self.column
        )
    }
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
    let usernames = pending
        .iter()
        .filter_map(|p| Some((p.id, p.username_key.as_deref()?)));
    collisions.usernames = backfill(conn, &USERNAME, usernames.collect()).await?;
    let emails = pending
        .iter()
        .filter_map(|p| Some((p.id, p.email_key.as_deref()?)));
    collisions.emails = backfill(conn, &EMAIL, emails.collect()).await?;
    collisions.warn();
    Ok(())
}

/// Gives each `(id, key)` (in id order) its key unless an earlier or existing row holds it;
/// returns `(holder, id)` of the rows left without. Batched: one UPDATE per [`BATCH`] rows.
async fn backfill(
    conn: &mut Conn,
    col: &KeyColumn,
    rows: Vec<(i64, &str)>,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut holders: HashMap<&str, i64> = HashMap::new();
    for chunk in rows.chunks(BATCH) {
        let keys: Vec<Value> = chunk
            .iter()
            .map(|(_, k)| Value::from(k.as_bytes()))
            .collect();
        let found: Vec<Row> = conn
            .exec(col.holders_sql(chunk.len()), Params::Positional(keys))
            .await
            .map_err(map_err)?;
        for mut row in found {
            let id: i64 = take(&mut row, 0).map_err(map_err)?;
            let key: Vec<u8> = take(&mut row, 1).map_err(map_err)?;
            if let Some((_, k)) = chunk.iter().find(|(_, k)| k.as_bytes() == key.as_slice()) {
                holders.insert(k, id);
            }
        }
    }
    let mut collisions = Vec::new();
    let mut updates = Vec::new();
    for (id, key) in rows {
        match holders.get(key) {
            Some(&holder) if holder != id => collisions.push((holder, id)),
            Some(_) => {}
            None if key.len() > KEY_BYTES => collisions.push((0, id)),
            None => {
                holders.insert(key, id);
                updates.push((id, key));
            }
        }
    }
    for chunk in updates.chunks(BATCH) {
        let params: Vec<Value> = chunk
            .iter()
            .flat_map(|(id, key)| [Value::from(*id), Value::from(key.as_bytes())])
            .collect();
        let mut tx = conn
            .start_transaction(TxOpts::default())
            .await
            .map_err(map_err)?;
        match tx
            .exec_drop(col.batch_sql(chunk.len()), Params::Positional(params))
            .await
        {
            Ok(()) => tx.commit().await.map_err(map_err)?,
            // A concurrent signup or start took one of the keys meanwhile: row by row.
            Err(MyError::Server(e)) if e.code == ER_DUP_ENTRY => {
                tx.rollback().await.map_err(map_err)?;
                for (id, key) in chunk {
                    if let Some(holder) = set_key(conn, col, key, *id).await? {
                        collisions.push((holder, *id));
                    }
                }
            }
            Err(e) => return Err(map_err(e)),
        }
    }
    Ok(collisions)
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
