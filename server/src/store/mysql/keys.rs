//! [`KeyStore`] on MySQL/MariaDB. The bootstrap insert is `INSERT IGNORE` on the UNIQUE
//! `bootstrap_marker`; a rotation inserts and retires the others in one transaction (the
//! `UPDATE` takes row locks, so concurrent rotations serialize and leave one active key).

use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Pool, TxOpts};
use zeroize::Zeroizing;

use super::{MySqlStore, bounded, map_err};
use crate::store::keys::{KeyStore, StoredKey};
use crate::store::records::StoreError;

const CREATE_SIGNING_KEYS: &str = "CREATE TABLE IF NOT EXISTS `signing_keys` (
  `kid` varchar(64) NOT NULL,
  `alg` varchar(16) NOT NULL,
  `private_jwk` text NOT NULL,
  `created_at` bigint NOT NULL,
  `retired_at` bigint DEFAULT NULL,
  `bootstrap_marker` varchar(64) DEFAULT NULL,
  PRIMARY KEY (`kid`),
  UNIQUE KEY `signing_keys_bootstrap_marker` (`bootstrap_marker`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

const SELECT_KEYS: &str = "SELECT kid, alg, private_jwk, created_at, retired_at
    FROM signing_keys WHERE retired_at IS NULL OR retired_at > ?
    ORDER BY created_at DESC, kid DESC";

const INSERT_IGNORE_KEY: &str = "INSERT IGNORE INTO signing_keys
    (kid, alg, private_jwk, created_at, retired_at, bootstrap_marker)
    VALUES (?, ?, ?, ?, NULL, ?)";

const INSERT_KEY: &str = "INSERT INTO signing_keys
    (kid, alg, private_jwk, created_at, retired_at, bootstrap_marker)
    VALUES (?, ?, ?, ?, NULL, NULL)";

const RETIRE_OTHERS: &str =
    "UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL AND kid <> ?";

/// Creates `signing_keys` if absent (called from the store's set-up).
pub(super) async fn ensure_table(pool: &Pool) -> Result<(), StoreError> {
    bounded(async {
        let mut conn = pool.get_conn().await.map_err(map_err)?;
        conn.query_drop(CREATE_SIGNING_KEYS).await.map_err(map_err)
    })
    .await
}

type Row = (String, String, String, i64, Option<i64>);

async fn conn(store: &MySqlStore) -> Result<Conn, StoreError> {
    store.pool.get_conn().await.map_err(map_err)
}

#[async_trait]
impl KeyStore for MySqlStore {
    async fn signing_keys(&self, retired_after: i64) -> Result<Vec<StoredKey>, StoreError> {
        bounded(async {
            let mut c = conn(self).await?;
            let rows: Vec<Row> = c
                .exec(SELECT_KEYS, (retired_after,))
                .await
                .map_err(map_err)?;
            Ok(rows
                .into_iter()
                .map(|(kid, alg, jwk, created_at, retired_at)| StoredKey {
                    kid,
                    alg,
                    private_jwk: Zeroizing::new(jwk),
                    created_at,
                    retired_at,
                })
                .collect())
        })
        .await
    }

    async fn insert_bootstrap_key(
        &self,
        key: &StoredKey,
        marker: &str,
    ) -> Result<bool, StoreError> {
        bounded(async {
            let mut c = conn(self).await?;
            c.exec_drop(
                INSERT_IGNORE_KEY,
                (
                    &key.kid,
                    &key.alg,
                    key.private_jwk.as_str(),
                    key.created_at,
                    marker,
                ),
            )
            .await
            .map_err(map_err)?;
            Ok(c.affected_rows() == 1)
        })
        .await
    }

    async fn rotate_to(&self, key: &StoredKey, now: i64) -> Result<(), StoreError> {
        bounded(async {
            let mut c = conn(self).await?;
            let mut tx = c
                .start_transaction(TxOpts::default())
                .await
                .map_err(map_err)?;
            tx.exec_drop(
                INSERT_KEY,
                (&key.kid, &key.alg, key.private_jwk.as_str(), key.created_at),
            )
            .await
            .map_err(map_err)?;
            tx.exec_drop(RETIRE_OTHERS, (now, &key.kid))
                .await
                .map_err(map_err)?;
            tx.commit().await.map_err(map_err)
        })
        .await
    }
}
