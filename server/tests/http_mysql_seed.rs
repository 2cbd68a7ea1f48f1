//! Taking over a database the seed created (MariaDB only): its schema exactly as Sequelize made
//! it (CONTRACT.md §7, no unique indexes), its roles and a user with a bcryptjs cost-8 hash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use http_common::{Backend, MysqlDb, TestServer, mysql_base_url};
use mysql_async::prelude::Queryable;
use serde_json::json;

/// bcryptjs `hashSync("12345678", 8)` from the seed's database.
const SEED_HASH: &str = "$2a$08$wZ6/SI4gsh7KcDAnwGQdfek.KDNyHXjSBKXZVFn7D3Cam/xXiK8k2";

const SEED_SCHEMA: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS `users` (`id` INTEGER NOT NULL auto_increment ,
     `username` VARCHAR(255), `email` VARCHAR(255), `password` VARCHAR(255),
     `createdAt` DATETIME NOT NULL, `updatedAt` DATETIME NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB;",
    "CREATE TABLE IF NOT EXISTS `roles` (`id` INTEGER , `name` VARCHAR(255),
     `createdAt` DATETIME NOT NULL, `updatedAt` DATETIME NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB;",
    "CREATE TABLE IF NOT EXISTS `user_roles` (`createdAt` DATETIME NOT NULL,
     `updatedAt` DATETIME NOT NULL, `roleId` INTEGER , `userId` INTEGER ,
     PRIMARY KEY (`roleId`, `userId`),
     FOREIGN KEY (`roleId`) REFERENCES `roles` (`id`) ON DELETE CASCADE ON UPDATE CASCADE,
     FOREIGN KEY (`userId`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE CASCADE) ENGINE=InnoDB;",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_database_is_taken_over_and_its_users_sign_in() {
    if mysql_base_url().is_none() {
        eprintln!("skipping: TEST_MYSQL_URL not set");
        return;
    }
    let db = MysqlDb::create().await;
    let mut conn = db.conn().await;
    for ddl in SEED_SCHEMA {
        conn.query_drop(ddl).await.unwrap();
    }
    conn.query_drop(
        "INSERT INTO roles (id, name, createdAt, updatedAt) VALUES
         (1, 'user', NOW(), NOW()), (2, 'moderator', NOW(), NOW()), (3, 'admin', NOW(), NOW())",
    )
    .await
    .unwrap();
    conn.exec_drop(
        "INSERT INTO users (id, username, email, password, createdAt, updatedAt)
         VALUES (1, 'zkoder', 'user@bezkoder.com', ?, NOW(), NOW())",
        (SEED_HASH,),
    )
    .await
    .unwrap();
    conn.query_drop(
        "INSERT INTO user_roles (createdAt, updatedAt, roleId, userId) VALUES (NOW(), NOW(), 1, 1)",
    )
    .await
    .unwrap();
    conn.disconnect().await.unwrap();

    // The seed's cost-8 hashes keep verifying; new hashes use the configured cost.
    let dir = tempfile::tempdir().unwrap();
    let config = authcore_server::Config {
        database_url: Some(db.url()),
        bcrypt_cost: 10,
        ..http_common::test_config(&dir)
    };
    let srv = TestServer::start_with(Backend::Mysql, config, dir, Some(db)).await;
    let res = srv.signin("zkoder", "12345678").await;
    assert_eq!(res.status, 200, "{res:?}");
    let v = res.json();
    assert_eq!(v["id"], 1);
    assert_eq!(v["username"], "zkoder");
    assert_eq!(v["email"], "user@bezkoder.com");
    assert_eq!(v["roles"], json!(["ROLE_USER"]));
    let token = v["accessToken"].as_str().unwrap().to_owned();
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
    srv.get_with_token("/api/test/mod", &token)
        .await
        .assert_message(403, "Require Moderator Role!");
    // New users go into the same tables, and the old one can still sign in afterwards.
    srv.signup("newcomer", None)
        .await
        .assert_message(200, "User was registered successfully!");
    srv.signup("ZKoder", None)
        .await
        .assert_message(400, "Failed! Username is already in use!");
    for _ in 0..2 {
        assert_eq!(srv.signin("zkoder", "12345678").await.status, 200);
    }
    srv.stop().await;
}
