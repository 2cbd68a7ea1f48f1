//! MySQL/MariaDB SQL of refresh tokens (see [`crate::store::refresh::RefreshStore`]).

use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::{Error as MyError, Row, ServerError, TxOpts};

use super::{MySqlStore, bounded, commit_allowed, map_err, take};
use crate::store::records::StoreError;
use crate::store::refresh::NewRefreshToken;
use crate::store::refresh::RefreshRow;
use crate::store::refresh::RefreshStore;
use crate::store::refresh::Rotation;

/// The table, created idempotently next to the seed's tables.
pub(super) const CREATE_REFRESH_TOKENS: &str = "CREATE TABLE IF NOT EXISTS `refresh_tokens` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `token_hash` char(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  `family_id` varchar(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  `user_id` int(11) NOT NULL,
  `expires_at` bigint NOT NULL,
  `rotated_at` bigint DEFAULT NULL,
  `revoked_at` bigint DEFAULT NULL,
  `createdAt` datetime NOT NULL,
  `family_expires_at` bigint DEFAULT NULL,
  `reissues` int NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  UNIQUE KEY `refresh_tokens_hash` (`token_hash`),
  KEY `refresh_tokens_family` (`family_id`),
  KEY `refresh_tokens_user` (`user_id`),
  CONSTRAINT `refresh_tokens_user_fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`)
    ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci";

const INSERT: &str = "INSERT INTO refresh_tokens
    (token_hash, family_id, user_id, expires_at, family_expires_at, createdAt)
    VALUES (?, ?, ?, LEAST(?, ?), ?, UTC_TIMESTAMP())";

const MARK_ROTATED: &str = "UPDATE refresh_tokens SET rotated_at = ?
    WHERE token_hash = ? AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ?";

/// The successor never outlives its family (families from before the cap get it now).
const INSERT_SUCCESSOR: &str = "INSERT INTO refresh_tokens
    (token_hash, family_id, user_id, expires_at, family_expires_at, createdAt)
    SELECT ?, family_id, user_id, LEAST(?, COALESCE(family_expires_at, ?)),
        COALESCE(family_expires_at, ?), UTC_TIMESTAMP()
    FROM refresh_tokens WHERE token_hash = ?";

const SELECT_FOR_UPDATE: &str = "SELECT user_id, family_id, expires_at, rotated_at, revoked_at
    FROM refresh_tokens WHERE token_hash = ? FOR UPDATE";

const LIVE_IN_FAMILY: &str = "SELECT COUNT(*) FROM refresh_tokens
    WHERE family_id = ? AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ?";

const PRUNE_FAMILY: &str = "DELETE FROM refresh_tokens
    WHERE family_id = ? AND (expires_at <= ? OR rotated_at < ? OR revoked_at < ?)";

const PRUNE_ANY: &str = "DELETE FROM refresh_tokens
    WHERE expires_at <= ? OR rotated_at < ? OR revoked_at < ? LIMIT ?";

const HAS_FAMILY_EXPIRY: &str = "SELECT COUNT(*) FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'refresh_tokens'
      AND COLUMN_NAME = 'family_expires_at'";

const ADD_FAMILY_EXPIRY: &str =
    "ALTER TABLE refresh_tokens ADD COLUMN family_expires_at bigint DEFAULT NULL";

const HAS_REISSUES: &str = "SELECT COUNT(*) FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'refresh_tokens'
      AND COLUMN_NAME = 'reissues'";

const ADD_REISSUES: &str = "ALTER TABLE refresh_tokens ADD COLUMN reissues int NOT NULL DEFAULT 0";

/// Claims one re-issue of a rotated token: a write to the presented token's own row, so that
/// re-issues racing on several Galera nodes conflict at certification (the loser is retried and
/// sees the new count) instead of each reading room under the cap.
const CLAIM_REISSUE: &str =
    "UPDATE refresh_tokens SET reissues = reissues + 1 WHERE token_hash = ? AND reissues < ?";

/// MySQL's "duplicate column name" (another instance migrated first).
const ER_DUP_FIELDNAME: u16 = 1060;

/// Adds `family_expires_at` (families' lifetime cap) and `reissues` (the re-issue claim) to a
/// table created before them.
pub(super) async fn migrate(pool: &mysql_async::Pool) -> Result<(), StoreError> {
    bounded(async {
        let mut conn = pool.get_conn().await.map_err(map_err)?;
        for (has, add) in [
            (HAS_FAMILY_EXPIRY, ADD_FAMILY_EXPIRY),
            (HAS_REISSUES, ADD_REISSUES),
        ] {
            let present: Option<i64> = conn.query_first(has).await.map_err(map_err)?;
            if present.unwrap_or(0) == 0 {
                match conn.query_drop(add).await {
                    Ok(()) => {}
                    Err(MyError::Server(e)) if e.code == ER_DUP_FIELDNAME => {}
                    Err(e) => return Err(map_err(e)),
                }
            }
        }
        Ok(())
    })
    .await
}

/// Whether the successor is stored, and whether the presented token is marked rotated at `now`.
const CONFIRM: &str = "SELECT
    EXISTS (SELECT 1 FROM refresh_tokens WHERE token_hash = ?),
    EXISTS (SELECT 1 FROM refresh_tokens WHERE token_hash = ? AND rotated_at = ?)";

const SELECT: &str = "SELECT user_id, family_id, expires_at, rotated_at, revoked_at
    FROM refresh_tokens WHERE token_hash = ?";

const DELETE: &str = "DELETE FROM refresh_tokens WHERE token_hash = ?";

const REVOKE_FAMILY: &str =
    "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL";

const REVOKE_USER: &str =
    "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL";

/// InnoDB's deadlock error (also Galera's certification failure).
const ER_LOCK_DEADLOCK: u16 = 1213;

/// Attempts of a statement that hit a deadlock or lock-wait timeout (racing rotations and
/// revocations of one family do, on InnoDB).
const ATTEMPTS: u32 = 8;

/// Runs `op`, again after a short pause when InnoDB reports a deadlock or lock-wait timeout.
pub(super) async fn retrying<T, F, Fut>(op: F) -> Result<T, StoreError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, MyError>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match op().await {
            Ok(v) => return Ok(v),
            Err(MyError::Server(s)) if (s.code == 1213 || s.code == 1205) && attempt < ATTEMPTS => {
                tracing::debug!(
                    attempt,
                    code = s.code,
                    "refresh_tokens: retrying after a lock conflict"
                );
                tokio::time::sleep(std::time::Duration::from_millis(2 * u64::from(attempt))).await;
            }
            Err(e) => return Err(map_err(e)),
        }
    }
}

/// A rotation that did not take: reported like a deadlock, so that [`retrying`] runs it again
/// (which then finds the token rotated by the winner, or wins itself).
fn rotation_lost(what: &str) -> MyError {
    MyError::Server(ServerError {
        code: ER_LOCK_DEADLOCK,
        message: format!("refresh rotation lost: {what}"),
        state: "40001".to_owned(),
    })
}

fn row_of(mut row: Row) -> Result<RefreshRow, MyError> {
    Ok(RefreshRow {
        user_id: take(&mut row, 0)?,
        family_id: take(&mut row, 1)?,
        expires_at: take(&mut row, 2)?,
        rotated_at: take(&mut row, 3)?,
        revoked_at: take(&mut row, 4)?,
    })
}

async fn find<Q: Queryable>(q: &mut Q, hash: &str) -> Result<Option<RefreshRow>, MyError> {
    let row: Option<Row> = q.exec_first(SELECT, (hash,)).await?;
    row.map(row_of).transpose()
}

impl MySqlStore {
    async fn rotate_once(
        &self,
        hash: &str,
        successor_hash: &str,
        successor_expires_at: i64,
        now: i64,
    ) -> Result<Rotation, MyError> {
        let mut conn = self.pool.get_conn().await?;
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        tx.exec_drop(MARK_ROTATED, (now, hash, now)).await?;
        if tx.affected_rows() != 1 {
            tx.rollback().await?;
            // Read the row as committed by whoever won (outside the failed transaction).
            return Ok(Rotation::Refused(find(&mut conn, hash).await?));
        }
        tx.exec_drop(
            INSERT_SUCCESSOR,
            (
                successor_hash,
                successor_expires_at,
                successor_expires_at,
                successor_expires_at,
                hash,
            ),
        )
        .await?;
        if tx.affected_rows() != 1 {
            tx.rollback().await?;
            return Err(rotation_lost("the successor was not inserted"));
        }
        let row = find(&mut tx, hash).await?;
        commit_allowed()?;
        tx.commit().await?;
        // A 200 must mean a stored successor. Under Galera, a local transaction can lose to a
        // conflicting write replicated from another node (certification or brute-force abort);
        // that must surface as an error, but confirm on this node (where the commit is visible
        // at once) that this rotation is the one that was stored.
        let confirmed: Option<(bool, bool)> = conn
            .exec_first(CONFIRM, (successor_hash, hash, now))
            .await?;
        if confirmed != Some((true, true)) {
            let (successor_stored, marked_rotated) = confirmed.unwrap_or_default();
            tracing::warn!(
                successor_stored,
                marked_rotated,
                "refresh rotation not found after COMMIT; retrying it"
            );
            return Err(rotation_lost("the rotation was not stored"));
        }
        Ok(match row {
            Some(row) => Rotation::Rotated {
                user_id: row.user_id,
                family_id: row.family_id,
            },
            None => Rotation::Refused(None),
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn reissue_once(
        &self,
        hash: &str,
        successor_hash: &str,
        successor_expires_at: i64,
        now: i64,
        rotated_since: i64,
        max_live: u64,
    ) -> Result<Rotation, MyError> {
        let mut conn = self.pool.get_conn().await?;
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        let row: Option<Row> = tx.exec_first(SELECT_FOR_UPDATE, (hash,)).await?;
        let Some(row) = row.map(row_of).transpose()? else {
            tx.rollback().await?;
            return Ok(Rotation::Refused(None));
        };
        let retry = row.revoked_at.is_none()
            && row.expires_at > now
            && row.rotated_at.is_some_and(|at| at >= rotated_since);
        let live: Option<u64> = tx
            .exec_first(LIVE_IN_FAMILY, (row.family_id.as_str(), now))
            .await?;
        if !retry || live.unwrap_or(0) >= max_live {
            tx.rollback().await?;
            return Ok(Rotation::Refused(Some(row)));
        }
        tx.exec_drop(CLAIM_REISSUE, (hash, max_live)).await?;
        if tx.affected_rows() != 1 {
            tx.rollback().await?;
            return Ok(Rotation::Refused(Some(row)));
        }
        tx.exec_drop(
            INSERT_SUCCESSOR,
            (
                successor_hash,
                successor_expires_at,
                successor_expires_at,
                successor_expires_at,
                hash,
            ),
        )
        .await?;
        commit_allowed()?;
        tx.commit().await?;
        Ok(Rotation::Rotated {
            user_id: row.user_id,
            family_id: row.family_id,
        })
    }

    async fn exec_count<P>(&self, sql: &str, params: P) -> Result<u64, StoreError>
    where
        P: Into<mysql_async::Params> + Send,
    {
        let params: mysql_async::Params = params.into();
        bounded(retrying(|| async {
            let mut conn = self.pool.get_conn().await?;
            // A transaction, so that a call abandoned while it waits for a lock never commits.
            let mut tx = conn.start_transaction(TxOpts::default()).await?;
            tx.exec_drop(sql, params.clone()).await?;
            let affected = tx.affected_rows();
            commit_allowed()?;
            tx.commit().await?;
            Ok(affected)
        }))
        .await
    }
}

#[async_trait]
impl RefreshStore for MySqlStore {
    async fn insert_refresh_token(&self, new: &NewRefreshToken) -> Result<(), StoreError> {
        let params = (
            new.token_hash.as_str(),
            new.family_id.as_str(),
            new.user_id,
            new.expires_at,
            new.family_expires_at,
            new.family_expires_at,
        );
        self.exec_count(INSERT, params).await.map(|_| ())
    }

    async fn rotate_refresh_token(
        &self,
        hash: &str,
        successor_hash: &str,
        successor_expires_at: i64,
        now: i64,
    ) -> Result<Rotation, StoreError> {
        bounded(retrying(|| {
            self.rotate_once(hash, successor_hash, successor_expires_at, now)
        }))
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
        bounded(retrying(|| {
            self.reissue_once(
                hash,
                successor_hash,
                successor_expires_at,
                now,
                rotated_since,
                max_live,
            )
        }))
        .await
    }

    async fn prune_refresh_tokens(
        &self,
        family_id: Option<&str>,
        now: i64,
        before: i64,
        limit: u64,
    ) -> Result<u64, StoreError> {
        match family_id {
            Some(family) => {
                self.exec_count(PRUNE_FAMILY, (family, now, before, before))
                    .await
            }
            None => {
                self.exec_count(PRUNE_ANY, (now, before, before, limit))
                    .await
            }
        }
    }

    async fn find_refresh_token(&self, hash: &str) -> Result<Option<RefreshRow>, StoreError> {
        bounded(async {
            let mut conn = self.pool.get_conn().await.map_err(map_err)?;
            find(&mut conn, hash).await.map_err(map_err)
        })
        .await
    }

    async fn delete_refresh_token(&self, hash: &str) -> Result<(), StoreError> {
        self.exec_count(DELETE, (hash,)).await.map(|_| ())
    }

    async fn revoke_refresh_family(&self, family_id: &str, now: i64) -> Result<u64, StoreError> {
        self.exec_count(REVOKE_FAMILY, (now, family_id)).await
    }

    async fn revoke_user_refresh_tokens(&self, user_id: i64, now: i64) -> Result<u64, StoreError> {
        self.exec_count(REVOKE_USER, (now, user_id)).await
    }
}
