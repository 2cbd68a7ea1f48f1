//! Idempotent MySQL/MariaDB schema set-up: the seed's tables exactly as Sequelize creates them,
//! the three roles, and UNIQUE indexes on `users.username` / `users.email` when absent.
//! Never drops anything; duplicate rows that block an index are reported, not fatal.

use std::time::Duration;

use authcore::roles::Role;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Error as MyError, Pool, Row};

use super::StoreError;
use super::mysql::{bounded, map_err, take};

/// Upper bound of the whole set-up once connected (adding an index to a big table takes a while).
const SETUP_TIMEOUT: Duration = Duration::from_secs(120);

const CREATE_USERS: &str = "CREATE TABLE IF NOT EXISTS `users` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `username` varchar(255) DEFAULT NULL,
  `email` varchar(255) DEFAULT NULL,
  `password` varchar(255) DEFAULT NULL,
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci";

const CREATE_ROLES: &str = "CREATE TABLE IF NOT EXISTS `roles` (
  `id` int(11) NOT NULL,
  `name` varchar(255) DEFAULT NULL,
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci";

const CREATE_USER_ROLES: &str = "CREATE TABLE IF NOT EXISTS `user_roles` (
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  `roleId` int(11) NOT NULL,
  `userId` int(11) NOT NULL,
  PRIMARY KEY (`roleId`,`userId`),
  KEY `userId` (`userId`),
  CONSTRAINT `user_roles_ibfk_1` FOREIGN KEY (`roleId`) REFERENCES `roles` (`id`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `user_roles_ibfk_2` FOREIGN KEY (`userId`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci";

const INSERT_ROLE: &str = "INSERT IGNORE INTO `roles` (`id`, `name`, `createdAt`, `updatedAt`)
    VALUES (?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())";

/// Whether a single-column, full-length UNIQUE index exists on `users.<?>`.
const HAS_UNIQUE: &str = "SELECT s.INDEX_NAME FROM information_schema.STATISTICS AS s
    WHERE s.TABLE_SCHEMA = DATABASE() AND s.TABLE_NAME = 'users' AND s.COLUMN_NAME = ?
      AND s.NON_UNIQUE = 0 AND s.SEQ_IN_INDEX = 1 AND s.SUB_PART IS NULL
      AND NOT EXISTS (SELECT 1 FROM information_schema.STATISTICS AS t
          WHERE t.TABLE_SCHEMA = s.TABLE_SCHEMA AND t.TABLE_NAME = s.TABLE_NAME
            AND t.INDEX_NAME = s.INDEX_NAME AND t.SEQ_IN_INDEX = 2)
    LIMIT 1";

const COLUMN_COLLATION: &str = "SELECT COLLATION_NAME FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = ?";

/// One unique column: its name, the DDL adding its index, and the query listing duplicates.
struct UniqueColumn {
    column: &'static str,
    add_index: &'static str,
    duplicates: &'static str,
}

const UNIQUE_COLUMNS: [UniqueColumn; 2] = [
    UniqueColumn {
        column: "username",
        add_index: "ALTER TABLE `users` ADD UNIQUE INDEX `users_username_unique` (`username`)",
        duplicates: "SELECT MIN(`username`), COUNT(*), GROUP_CONCAT(`id` ORDER BY `id`)
            FROM `users` GROUP BY `username` HAVING COUNT(*) > 1 ORDER BY MIN(`id`) LIMIT 20",
    },
    UniqueColumn {
        column: "email",
        add_index: "ALTER TABLE `users` ADD UNIQUE INDEX `users_email_unique` (`email`)",
        duplicates: "SELECT MIN(`email`), COUNT(*), GROUP_CONCAT(`id` ORDER BY `id`)
            FROM `users` GROUP BY `email` HAVING COUNT(*) > 1 ORDER BY MIN(`id`) LIMIT 20",
    },
];

/// Creates what is missing; connection failures surface as [`StoreError::Unavailable`] within
/// about a second.
pub(super) async fn ensure(pool: &Pool) -> Result<(), StoreError> {
    let mut conn = bounded(async { pool.get_conn().await.map_err(map_err) }).await?;
    tokio::time::timeout(SETUP_TIMEOUT, setup(&mut conn))
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::Unavailable(
                "schema set-up did not finish in time".to_owned(),
            ))
        })
}

async fn setup(conn: &mut Conn) -> Result<(), StoreError> {
    for ddl in [
        CREATE_USERS,
        CREATE_ROLES,
        CREATE_USER_ROLES,
        super::refresh_mysql::CREATE_REFRESH_TOKENS,
    ] {
        conn.query_drop(ddl).await.map_err(map_err)?;
    }
    for role in Role::ALL {
        conn.exec_drop(INSERT_ROLE, (role.id(), role.name()))
            .await
            .map_err(map_err)?;
    }
    for col in &UNIQUE_COLUMNS {
        check_collation(conn, col.column).await?;
        ensure_unique(conn, col).await?;
    }
    Ok(())
}

/// Warns when the column's collation is not the seed's case-insensitive PAD SPACE one.
async fn check_collation(conn: &mut Conn, column: &str) -> Result<(), StoreError> {
    let row: Option<Row> = conn
        .exec_first(COLUMN_COLLATION, (column,))
        .await
        .map_err(map_err)?;
    let collation = match row {
        Some(mut row) => take::<Option<String>>(&mut row, 0).map_err(map_err)?,
        None => None,
    };
    if let Some(name) = collation.filter(|n| n != "utf8mb4_general_ci") {
        tracing::warn!(
            column,
            collation = %name,
            "users.{column} does not use utf8mb4_general_ci: lookups and uniqueness follow \
             this collation instead (case or trailing-space sensitivity may differ)"
        );
    }
    Ok(())
}

async fn ensure_unique(conn: &mut Conn, col: &UniqueColumn) -> Result<(), StoreError> {
    let existing: Option<Row> = conn
        .exec_first(HAS_UNIQUE, (col.column,))
        .await
        .map_err(map_err)?;
    if existing.is_some() {
        return Ok(());
    }
    match conn.query_drop(col.add_index).await {
        Ok(()) => {
            tracing::info!(
                column = col.column,
                "added UNIQUE index on users.{}",
                col.column
            );
            Ok(())
        }
        // Duplicate key name: a concurrent start-up added it just now.
        Err(MyError::Server(s)) if s.code == 1061 => Ok(()),
        Err(MyError::Server(s)) if s.code == 1062 => {
            report_duplicates(conn, col).await;
            Ok(())
        }
        Err(MyError::Server(s)) => {
            tracing::warn!(
                column = col.column,
                code = s.code,
                error = %s.message,
                "could not add a UNIQUE index on users.{}; concurrent sign-ups may create \
                 duplicates",
                col.column
            );
            Ok(())
        }
        Err(e) => Err(map_err(e)),
    }
}

/// Logs which rows keep the UNIQUE index from being created.
async fn report_duplicates(conn: &mut Conn, col: &UniqueColumn) {
    let rows: Result<Vec<Row>, MyError> = conn.query(col.duplicates).await;
    let mut groups = Vec::new();
    for mut row in rows.unwrap_or_default() {
        let value = take::<Option<String>>(&mut row, 0).ok().flatten();
        let count = take::<i64>(&mut row, 1).unwrap_or_default();
        let ids = take::<Option<String>>(&mut row, 2).ok().flatten();
        groups.push(format!(
            "{:?} x{count} (ids {})",
            value.unwrap_or_default(),
            ids.unwrap_or_default()
        ));
    }
    tracing::warn!(
        column = col.column,
        duplicates = %groups.join("; "),
        "users.{} has duplicate values (compared case- and trailing-space-insensitively), so no \
         UNIQUE index was added and concurrent sign-ups may create more; starting anyway. Fix: \
         rename or delete all but one row of each group, then restart to add the index",
        col.column
    );
}
