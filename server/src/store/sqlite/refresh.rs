//! SQLite SQL of refresh tokens (see [`crate::store::refresh::RefreshStore`]).

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{SqliteStore, map_err};
use crate::store::records::StoreError;
use crate::store::refresh::NewRefreshToken;
use crate::store::refresh::RefreshRow;
use crate::store::refresh::RefreshStore;
use crate::store::refresh::Rotation;

/// The table, created idempotently next to the seed's tables.
pub(super) const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS refresh_tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        token_hash CHAR(64) NOT NULL UNIQUE,
        family_id VARCHAR(64) NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
        expires_at BIGINT NOT NULL,
        rotated_at BIGINT DEFAULT NULL,
        revoked_at BIGINT DEFAULT NULL,
        createdAt DATETIME NOT NULL,
        family_expires_at BIGINT DEFAULT NULL
    );
    CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family_id);
    CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens (user_id);";

const INSERT: &str = "INSERT INTO refresh_tokens
    (token_hash, family_id, user_id, expires_at, family_expires_at, createdAt)
    VALUES (?1, ?2, ?3, MIN(?4, ?5), ?5, strftime('%Y-%m-%d %H:%M:%S','now'))";

const MARK_ROTATED: &str = "UPDATE refresh_tokens SET rotated_at = ?1
    WHERE token_hash = ?2 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ?1";

/// The successor never outlives its family (families from before the cap get it now).
const INSERT_SUCCESSOR: &str = "INSERT INTO refresh_tokens
    (token_hash, family_id, user_id, expires_at, family_expires_at, createdAt)
    SELECT ?1, family_id, user_id, MIN(?2, COALESCE(family_expires_at, ?2)),
        COALESCE(family_expires_at, ?2), strftime('%Y-%m-%d %H:%M:%S','now')
    FROM refresh_tokens WHERE token_hash = ?3";

const LIVE_IN_FAMILY: &str = "SELECT COUNT(*) FROM refresh_tokens
    WHERE family_id = ?1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ?2";

const PRUNE_FAMILY: &str = "DELETE FROM refresh_tokens
    WHERE family_id = ?1 AND (expires_at <= ?2 OR rotated_at < ?3 OR revoked_at < ?3)";

const PRUNE_ANY: &str = "DELETE FROM refresh_tokens WHERE id IN (SELECT id FROM refresh_tokens
    WHERE expires_at <= ?1 OR rotated_at < ?2 OR revoked_at < ?2 LIMIT ?3)";

const SELECT: &str = "SELECT user_id, family_id, expires_at, rotated_at, revoked_at
    FROM refresh_tokens WHERE token_hash = ?1";

const DELETE: &str = "DELETE FROM refresh_tokens WHERE token_hash = ?1";

const REVOKE_FAMILY: &str = "UPDATE refresh_tokens SET revoked_at = ?1
    WHERE family_id = ?2 AND revoked_at IS NULL";

const REVOKE_USER: &str = "UPDATE refresh_tokens SET revoked_at = ?1
    WHERE user_id = ?2 AND revoked_at IS NULL";

fn find(conn: &Connection, hash: &str) -> Result<Option<RefreshRow>, StoreError> {
    conn.prepare_cached(SELECT)
        .and_then(|mut s| {
            s.query_row([hash], |r| {
                Ok(RefreshRow {
                    user_id: r.get(0)?,
                    family_id: r.get(1)?,
                    expires_at: r.get(2)?,
                    rotated_at: r.get(3)?,
                    revoked_at: r.get(4)?,
                })
            })
            .optional()
        })
        .map_err(map_err)
}

fn rotate(
    conn: &mut Connection,
    hash: &str,
    successor_hash: &str,
    successor_expires_at: i64,
    now: i64,
) -> Result<Rotation, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(map_err)?;
    let changed = tx
        .prepare_cached(MARK_ROTATED)
        .and_then(|mut s| s.execute(params![now, hash]))
        .map_err(map_err)?;
    if changed != 1 {
        let row = find(&tx, hash)?;
        drop(tx);
        return Ok(Rotation::Refused(row));
    }
    tx.prepare_cached(INSERT_SUCCESSOR)
        .and_then(|mut s| s.execute(params![successor_hash, successor_expires_at, hash]))
        .map_err(map_err)?;
    let row = find(&tx, hash)?;
    tx.commit().map_err(map_err)?;
    Ok(match row {
        Some(row) => Rotation::Rotated {
            user_id: row.user_id,
            family_id: row.family_id,
        },
        None => Rotation::Refused(None),
    })
}

/// Adds `family_expires_at` to a table created before families had a lifetime cap.
pub(super) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let has_column = conn
        .prepare(
            "SELECT 1 FROM pragma_table_info('refresh_tokens') WHERE name = 'family_expires_at'",
        )
        .and_then(|mut s| s.exists([]))
        .map_err(map_err)?;
    if !has_column {
        conn.execute_batch(
            "ALTER TABLE refresh_tokens ADD COLUMN family_expires_at BIGINT DEFAULT NULL",
        )
        .map_err(map_err)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn reissue(
    conn: &mut Connection,
    hash: &str,
    successor_hash: &str,
    successor_expires_at: i64,
    now: i64,
    rotated_since: i64,
    max_live: u64,
) -> Result<Rotation, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(map_err)?;
    let Some(row) = find(&tx, hash)? else {
        return Ok(Rotation::Refused(None));
    };
    let retry = row.revoked_at.is_none()
        && row.expires_at > now
        && row.rotated_at.is_some_and(|at| at >= rotated_since);
    let live: i64 = tx
        .prepare_cached(LIVE_IN_FAMILY)
        .and_then(|mut s| s.query_row(params![row.family_id, now], |r| r.get(0)))
        .map_err(map_err)?;
    if !retry || u64::try_from(live).unwrap_or(u64::MAX) >= max_live {
        return Ok(Rotation::Refused(Some(row)));
    }
    tx.prepare_cached(INSERT_SUCCESSOR)
        .and_then(|mut s| s.execute(params![successor_hash, successor_expires_at, hash]))
        .map_err(map_err)?;
    tx.commit().map_err(map_err)?;
    Ok(Rotation::Rotated {
        user_id: row.user_id,
        family_id: row.family_id,
    })
}

fn execute(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<u64, StoreError> {
    conn.prepare_cached(sql)
        .and_then(|mut s| s.execute(args))
        .map(|n| u64::try_from(n).unwrap_or(u64::MAX))
        .map_err(map_err)
}

#[async_trait]
impl RefreshStore for SqliteStore {
    async fn insert_refresh_token(&self, new: &NewRefreshToken) -> Result<(), StoreError> {
        let new = new.clone();
        self.call(move |c| {
            execute(
                c,
                INSERT,
                params![
                    new.token_hash,
                    new.family_id,
                    new.user_id,
                    new.expires_at,
                    new.family_expires_at
                ],
            )
            .map(|_| ())
        })
        .await
    }

    async fn rotate_refresh_token(
        &self,
        hash: &str,
        successor_hash: &str,
        successor_expires_at: i64,
        now: i64,
    ) -> Result<Rotation, StoreError> {
        let (hash, successor_hash) = (hash.to_owned(), successor_hash.to_owned());
        self.call(move |c| rotate(c, &hash, &successor_hash, successor_expires_at, now))
            .await
    }

    async fn reissue_refresh_token(
        &self,
        hash: &str,
        successor_hash: &str,
        successor_expires_at: i64,
        now: i64,
        rotated_since: i64,
        max_live: u64,
    ) -> Result<Rotation, StoreError> {
        let (hash, successor_hash) = (hash.to_owned(), successor_hash.to_owned());
        self.call(move |c| {
            reissue(
                c,
                &hash,
                &successor_hash,
                successor_expires_at,
                now,
                rotated_since,
                max_live,
            )
        })
        .await
    }

    async fn prune_refresh_tokens(
        &self,
        family_id: Option<&str>,
        now: i64,
        before: i64,
        limit: u64,
    ) -> Result<u64, StoreError> {
        let family_id = family_id.map(str::to_owned);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.call(move |c| match family_id {
            Some(family) => execute(c, PRUNE_FAMILY, params![family, now, before]),
            None => execute(c, PRUNE_ANY, params![now, before, limit]),
        })
        .await
    }

    async fn find_refresh_token(&self, hash: &str) -> Result<Option<RefreshRow>, StoreError> {
        let hash = hash.to_owned();
        self.call(move |c| find(c, &hash)).await
    }

    async fn delete_refresh_token(&self, hash: &str) -> Result<(), StoreError> {
        let hash = hash.to_owned();
        self.call(move |c| execute(c, DELETE, [hash]).map(|_| ()))
            .await
    }

    async fn revoke_refresh_family(&self, family_id: &str, now: i64) -> Result<u64, StoreError> {
        let family_id = family_id.to_owned();
        self.call(move |c| execute(c, REVOKE_FAMILY, params![now, family_id]))
            .await
    }

    async fn revoke_user_refresh_tokens(&self, user_id: i64, now: i64) -> Result<u64, StoreError> {
        self.call(move |c| execute(c, REVOKE_USER, params![now, user_id]))
            .await
    }
}
