//! [`KeyStore`] on the embedded SQLite store. Writes run in `BEGIN IMMEDIATE` transactions, so
//! concurrent rotations serialize.

use async_trait::async_trait;
use rusqlite::{Connection, TransactionBehavior, params};
use zeroize::Zeroizing;

use super::{SqliteStore, map_err};
use crate::store::keys::{KeyStore, StoredKey};
use crate::store::records::StoreError;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS signing_keys (
        kid VARCHAR(64) NOT NULL PRIMARY KEY,
        alg VARCHAR(16) NOT NULL,
        private_jwk TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        retired_at BIGINT DEFAULT NULL,
        bootstrap_marker VARCHAR(64) DEFAULT NULL UNIQUE
    );";

const SELECT_KEYS: &str = "SELECT kid, alg, private_jwk, created_at, retired_at
    FROM signing_keys WHERE retired_at IS NULL OR retired_at > ?1
    ORDER BY created_at DESC, kid DESC";

const INSERT_KEY: &str = "INSERT OR IGNORE INTO signing_keys
    (kid, alg, private_jwk, created_at, retired_at, bootstrap_marker)
    VALUES (?1, ?2, ?3, ?4, NULL, ?5)";

const RETIRE_OTHERS: &str =
    "UPDATE signing_keys SET retired_at = ?1 WHERE retired_at IS NULL AND kid <> ?2";

/// Creates `signing_keys` if absent (called from the store's schema set-up).
pub(super) fn ensure_table(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(SCHEMA).map_err(map_err)
}

fn insert(
    conn: &Connection,
    key: &StoredKey,
    marker: Option<&str>,
) -> Result<bool, rusqlite::Error> {
    let n = conn.prepare_cached(INSERT_KEY)?.execute(params![
        key.kid,
        key.alg,
        key.private_jwk.as_str(),
        key.created_at,
        marker
    ])?;
    Ok(n == 1)
}

#[async_trait]
impl KeyStore for SqliteStore {
    async fn signing_keys(&self, retired_after: i64) -> Result<Vec<StoredKey>, StoreError> {
        self.call(move |c| {
            let mut stmt = c.prepare_cached(SELECT_KEYS).map_err(map_err)?;
            let rows = stmt
                .query_map([retired_after], |r| {
                    Ok(StoredKey {
                        kid: r.get(0)?,
                        alg: r.get(1)?,
                        private_jwk: Zeroizing::new(r.get(2)?),
                        created_at: r.get(3)?,
                        retired_at: r.get(4)?,
                    })
                })
                .map_err(map_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(map_err)
        })
        .await
    }

    async fn insert_bootstrap_key(
        &self,
        key: &StoredKey,
        marker: &str,
    ) -> Result<bool, StoreError> {
        let key = key.clone();
        let marker = marker.to_owned();
        self.call(move |c| insert(c, &key, Some(&marker)).map_err(map_err))
            .await
    }

    async fn rotate_to(&self, key: &StoredKey, now: i64) -> Result<(), StoreError> {
        let key = key.clone();
        self.call(move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(map_err)?;
            if !insert(&tx, &key, None).map_err(map_err)? {
                return Err(StoreError::Other(format!(
                    "a signing key with kid {} exists",
                    key.kid
                )));
            }
            tx.execute(RETIRE_OTHERS, params![now, key.kid])
                .map_err(map_err)?;
            tx.commit().map_err(map_err)
        })
        .await
    }
}
