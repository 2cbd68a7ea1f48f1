//! Idempotent MySQL/MariaDB schema set-up: the seed's tables exactly as Sequelize creates them,
//! the three roles, and the identity columns with their UNIQUE indexes
//! ([`super::identity_mysql`]). Never drops a row; colliding rows are reported, not fatal.

use std::time::Duration;

use authcore::roles::Role;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Pool};

use super::{bounded, map_err};
use crate::store::records::StoreError;

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
        super::refresh::CREATE_REFRESH_TOKENS,
    ] {
        conn.query_drop(ddl).await.map_err(map_err)?;
    }
    for role in Role::ALL {
        conn.exec_drop(INSERT_ROLE, (role.id(), role.name()))
            .await
            .map_err(map_err)?;
    }
    super::identity::migrate(conn).await?;
    super::lifecycle::migrate(conn).await?;
    conn.query_drop(super::one_time::RESETS.schema)
        .await
        .map_err(map_err)?;
    conn.query_drop(super::one_time::VERIFICATIONS.schema)
        .await
        .map_err(map_err)
}
