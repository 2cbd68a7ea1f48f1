//! MySQL/MariaDB-specific store behaviour: adopting a database made by the seed's Sequelize,
//! the exact schema, and failing fast / recovering when the database goes away.
//! Tests needing a server read `TEST_MYSQL_URL` and each use their own fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use authcore::roles::Role;
use authcore_server::store::{self, CreateUserError, StoreError};
use mysql_async::prelude::Queryable;
use store_support::proxy::Proxy;
use store_support::{SEED_HASH, TestDb, mysql_url, new_user};
use tokio::net::TcpListener;

/// The seed's tables exactly as `SHOW CREATE TABLE` printed them (CONTRACT.md section 7): no
/// UNIQUE indexes.
const SEED_DDL: [&str; 3] = [
    "CREATE TABLE `users` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `username` varchar(255) DEFAULT NULL,
  `email` varchar(255) DEFAULT NULL,
  `password` varchar(255) DEFAULT NULL,
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=16 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci",
    "CREATE TABLE `roles` (
  `id` int(11) NOT NULL,
  `name` varchar(255) DEFAULT NULL,
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci",
    "CREATE TABLE `user_roles` (
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  `roleId` int(11) NOT NULL,
  `userId` int(11) NOT NULL,
  PRIMARY KEY (`roleId`,`userId`),
  KEY `userId` (`userId`),
  CONSTRAINT `user_roles_ibfk_1` FOREIGN KEY (`roleId`) REFERENCES `roles` (`id`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `user_roles_ibfk_2` FOREIGN KEY (`userId`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci",
];

const SEED_ROWS: &str = "
    INSERT INTO roles (id, name, createdAt, updatedAt) VALUES
      (1, 'user', '2026-11-26 13:57:31', '2026-11-26 13:57:31'),
      (2, 'moderator', '2026-11-26 13:57:31', '2026-11-26 13:57:31'),
      (3, 'admin', '2026-11-26 13:57:31', '2026-11-26 13:57:31');
    INSERT INTO users (id, username, email, password, createdAt, updatedAt) VALUES
      (1, 'zkoder', 'user@bezkoder.com', '$2a$08$wZ6/SI4gsh7KcDAnwGQdfek.KDNyHXjSBKXZVFn7D3Cam/xXiK8k2',
       '2026-11-26 13:57:33', '2026-11-26 13:57:33'),
      (2, 'mod', 'mod@bezkoder.com', '$2a$08$BsBTWhePQNACo3W/CbZpfe49Foa8IeCooevY1dw62sdiqdwY1HjJG',
       '2026-11-26 13:57:34', '2026-11-26 13:57:34'),
      (3, 'admin', 'admin@bezkoder.com', '$2a$08$oTQkKA8gtYh0p4LUVOquLOysLfR2wF6quRW1O7fxjBsk.XbEyTKr.',
       '2026-11-26 13:57:34', '2026-11-26 13:57:34'),
      (4, 'ZKoder ', 'racer@x.com', '$2a$08$0vZCKN0WplORGKqNO/Exhe61gAO1robJJnguFZNITh1wYfRSBrPy2',
       '2026-11-26 13:57:57', '2026-11-26 13:57:57'),
      (5, 'someone', 'USER@bezkoder.com', '$2a$08$0vZCKN0WplORGKqNO/Exhe61gAO1robJJnguFZNITh1wYfRSBrPy2',
       '2026-11-26 13:57:57', '2026-11-26 13:57:57');
    INSERT INTO user_roles (createdAt, updatedAt, roleId, userId) VALUES
      ('2026-11-26 13:57:33', '2026-11-26 13:57:33', 1, 1),
      ('2026-11-26 13:57:34', '2026-11-26 13:57:34', 1, 2),
      ('2026-11-26 13:57:34', '2026-11-26 13:57:34', 2, 2),
      ('2026-11-26 13:57:34', '2026-11-26 13:57:34', 3, 3),
      ('2026-11-26 13:57:57', '2026-11-26 13:57:57', 1, 4)";

/// Names of the single-column UNIQUE indexes on `users`.
async fn unique_indexes(db: &TestDb) -> Vec<String> {
    let mut conn = db.conn().await;
    let names: Vec<String> = conn
        .query(
            "SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_NAME = 'users' AND NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY' ORDER BY INDEX_NAME",
        )
        .await
        .unwrap();
    conn.disconnect().await.unwrap();
    names
}

/// A `fmt` subscriber writing into a buffer, to check warnings.
#[derive(Clone, Default)]
struct LogBuf(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuf {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

// current_thread: the thread-local log subscriber sees everything the store does.
#[tokio::test]
async fn database_made_by_the_seed_is_adopted_despite_duplicates() {
    let Some(server) = mysql_url() else { return };
    let db = TestDb::create(&server).await;
    let mut conn = db.conn().await;
    for ddl in SEED_DDL {
        conn.query_drop(ddl).await.unwrap();
    }
    conn.query_drop(SEED_ROWS).await.unwrap();
    conn.disconnect().await.unwrap();

    let logs = LogBuf::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let s = store::backend::open(Some(&db.url), Path::new("."), 4)
        .await
        .unwrap();
    drop(guard);
    let logs = logs.text();
    eprintln!("{logs}");
    let warnings: Vec<&str> = logs.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 1, "one warning: {logs}");
    assert!(
        warnings[0].contains("username_collisions=1<-4"),
        "username collision named by ids: {logs}"
    );
    assert!(
        warnings[0].contains("email_collisions=1<-5"),
        "email collision named by ids: {logs}"
    );
    for private in ["$2a$", "bezkoder.com", "ZKoder"] {
        assert!(!logs.contains(private), "no {private} in logs: {logs}");
    }
    assert_eq!(
        unique_indexes(&db).await,
        ["users_email_key", "users_username_key"]
    );

    let u = s.find_user_by_username("ZKoder").await.unwrap().unwrap();
    assert_eq!((u.id, u.username.as_str()), (1, "zkoder"));
    // The colliding row keeps its data and is found by its exact stored name only.
    let racer = s.find_user_by_username("ZKoder ").await.unwrap().unwrap();
    assert_eq!((racer.id, racer.roles.as_slice()), (4, &[Role::User][..]));
    assert_eq!(u.password_hash, SEED_HASH);
    assert_eq!(u.roles, [Role::User]);
    let m = s.find_user_by_username("mod").await.unwrap().unwrap();
    assert_eq!(m.roles, [Role::User, Role::Moderator]);
    assert_eq!(s.user_roles(3).await.unwrap(), Some(vec![Role::Admin]));
    assert_eq!(
        s.create_user(&new_user("zkoder", "z@x.com", &[])).await,
        Err(CreateUserError::UsernameTaken)
    );
    assert_eq!(
        s.create_user(&new_user("fresh", "user@bezkoder.com", &[]))
            .await,
        Err(CreateUserError::EmailTaken)
    );
    let id = s
        .create_user(&new_user("fresh", "fresh@x.com", &[Role::Moderator]))
        .await
        .unwrap();
    assert_eq!(id, 16, "ids continue after the seed's AUTO_INCREMENT");

    // Timestamps are written in UTC, second precision.
    let mut conn = db.conn().await;
    let skew: Option<(i64, i64)> = conn
        .query_first(
            "SELECT TIMESTAMPDIFF(SECOND, u.createdAt, UTC_TIMESTAMP()), \
             TIMESTAMPDIFF(SECOND, ur.updatedAt, UTC_TIMESTAMP()) \
             FROM users u JOIN user_roles ur ON ur.userId = u.id WHERE u.id = 16",
        )
        .await
        .unwrap();
    let (a, b) = skew.unwrap();
    assert!((0..5).contains(&a) && (0..5).contains(&b), "{a} {b}");

    // The next start finds the holders in the table and warns again, the same way.
    let logs = LogBuf::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    drop(
        store::backend::open(Some(&db.url), Path::new("."), 4)
            .await
            .unwrap(),
    );
    drop(guard);
    let again = logs.text();
    let warnings: Vec<&str> = again.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 1, "{again}");
    assert!(
        warnings[0].contains("username_collisions=1<-4 email_collisions=1<-5"),
        "{again}"
    );

    // Once the collisions are resolved, the next start is quiet; nothing else changed.
    conn.query_drop("DELETE FROM users WHERE id IN (4, 5)")
        .await
        .unwrap();
    conn.disconnect().await.unwrap();
    let logs = LogBuf::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let s = store::backend::open(Some(&db.url), Path::new("."), 4)
        .await
        .unwrap();
    drop(guard);
    assert!(!logs.text().contains("WARN"), "{}", logs.text());
    let u = s.find_user_by_username("zkoder ").await.unwrap().unwrap();
    assert_eq!((u.id, u.roles.as_slice()), (1, &[Role::User][..]));
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_schema_is_the_seed_schema_plus_unique_key_columns() {
    let Some(server) = mysql_url() else { return };
    let db = TestDb::create(&server).await;
    store::backend::open(Some(&db.url), Path::new("."), 2)
        .await
        .unwrap();
    store::backend::open(Some(&db.url), Path::new("."), 2)
        .await
        .unwrap();
    let mut conn = db.conn().await;
    let mut show = async |table: &str| -> String {
        let row: Option<(String, String)> = conn
            .query_first(format!("SHOW CREATE TABLE `{table}`"))
            .await
            .unwrap();
        row.unwrap().1
    };
    assert_eq!(
        show("users").await,
        "CREATE TABLE `users` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `username` varchar(255) DEFAULT NULL,\n  \
         `email` varchar(255) DEFAULT NULL,\n  `password` varchar(255) DEFAULT NULL,\n  `createdAt` datetime NOT NULL,\n  \
         `updatedAt` datetime NOT NULL,\n  `username_key` varbinary(1536) DEFAULT NULL,\n  \
         `email_key` varbinary(1536) DEFAULT NULL,\n  `tokens_valid_after` bigint(20) NOT NULL DEFAULT 0,\n  \
         `disabled` tinyint(1) NOT NULL DEFAULT 0,\n  `email_verified` tinyint(1) NOT NULL DEFAULT 1,\n  PRIMARY KEY (`id`),\n  \
         UNIQUE KEY `users_username_key` (`username_key`),\n  UNIQUE KEY `users_email_key` (`email_key`)\n) \
         ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"
    );
    assert_eq!(
        show("roles").await,
        "CREATE TABLE `roles` (\n  `id` int(11) NOT NULL,\n  `name` varchar(255) DEFAULT NULL,\n  \
         `createdAt` datetime NOT NULL,\n  `updatedAt` datetime NOT NULL,\n  PRIMARY KEY (`id`)\n) \
         ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"
    );
    assert_eq!(
        show("user_roles").await,
        "CREATE TABLE `user_roles` (\n  `createdAt` datetime NOT NULL,\n  `updatedAt` datetime NOT NULL,\n  \
         `roleId` int(11) NOT NULL,\n  `userId` int(11) NOT NULL,\n  PRIMARY KEY (`roleId`,`userId`),\n  \
         KEY `userId` (`userId`),\n  CONSTRAINT `user_roles_ibfk_1` FOREIGN KEY (`roleId`) REFERENCES `roles` (`id`) \
         ON DELETE CASCADE ON UPDATE CASCADE,\n  CONSTRAINT `user_roles_ibfk_2` FOREIGN KEY (`userId`) REFERENCES \
         `users` (`id`) ON DELETE CASCADE ON UPDATE CASCADE\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 \
         COLLATE=utf8mb4_general_ci"
    );
    let roles: Vec<(i64, String)> = conn
        .query("SELECT id, name FROM roles ORDER BY id")
        .await
        .unwrap();
    assert_eq!(
        roles,
        [
            (1, "user".into()),
            (2, "moderator".into()),
            (3, "admin".into())
        ]
    );
    conn.disconnect().await.unwrap();
    db.drop_db().await;
}

/// Asserts `result` is `Unavailable` and came within ~1 s of `start`.
fn assert_unavailable_fast<T: std::fmt::Debug>(result: Result<T, StoreError>, start: Instant) {
    let elapsed = start.elapsed();
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "{result:?}"
    );
    assert!(elapsed < Duration::from_millis(2000), "took {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connection_is_unavailable_fast() {
    // Nothing listens on port 1; the URL's password must not leak into the error.
    let start = Instant::now();
    let result =
        store::backend::open(Some("mysql://root:s3cret@127.0.0.1:1/x"), Path::new("."), 2).await;
    let err = result
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(!err.contains("s3cret"), "{err}");
    assert_unavailable_fast(result.map(|_| ()), start);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_server_is_unavailable_after_a_second() {
    // Accepts connections but never sends the handshake.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let start = Instant::now();
    let url = format!("mysql://root@127.0.0.1:{port}/x");
    let result = store::backend::open(Some(&url), Path::new("."), 2).await;
    assert_unavailable_fast(result.map(|_| ()), start);
    hold.abort();
}

/// Host:port of the MariaDB server in `TEST_MYSQL_URL`.
async fn upstream_addr(server_url: &str) -> SocketAddr {
    let opts = mysql_async::Opts::from_url(server_url).unwrap();
    let host = format!("{}:{}", opts.ip_or_hostname(), opts.tcp_port());
    tokio::net::lookup_host(host).await.unwrap().next().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn outage_is_unavailable_fast_and_recovers_without_restart() {
    let Some(server) = mysql_url() else { return };
    let db = TestDb::create(&server).await;
    let mut proxy = Proxy::start(upstream_addr(&server).await).await;
    let s = store::backend::open(Some(&proxy.url(&server, &db.name)), Path::new("."), 4)
        .await
        .unwrap();
    let id = s
        .create_user(&new_user("survivor", "s@x.com", &[Role::Admin]))
        .await
        .unwrap();
    // Warm several pooled connections.
    let warm: Vec<_> = (0..4)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.user_roles(id).await })
        })
        .collect();
    for w in warm {
        assert_eq!(w.await.unwrap().unwrap(), Some(vec![Role::Admin]));
    }

    // Database down: connections reset, port refused.
    proxy.stop().await;
    let start = Instant::now();
    assert_unavailable_fast(s.ping().await, start);
    let start = Instant::now();
    assert_unavailable_fast(s.user_roles(id).await, start);
    let start = Instant::now();
    let created = s.create_user(&new_user("during", "d@x.com", &[])).await;
    let created = created.map_err(|e| match e {
        CreateUserError::Store(e) => e,
        other => panic!("{other:?}"),
    });
    assert_unavailable_fast(created, start);

    // Back up on the same port: the very next calls succeed.
    proxy.listen().await;
    s.ping().await.unwrap();
    assert_eq!(s.user_roles(id).await.unwrap(), Some(vec![Role::Admin]));

    // Database hangs (bytes held back): calls give up after ~1 s, then recover once it answers.
    proxy.frozen.store(true, Ordering::SeqCst);
    let start = Instant::now();
    assert_unavailable_fast(s.find_user_by_id(id).await, start);
    proxy.frozen.store(false, Ordering::SeqCst);
    let u = s.find_user_by_username("SURVIVOR").await.unwrap().unwrap();
    assert_eq!(u.id, id);
    s.create_user(&new_user("after", "a@x.com", &[]))
        .await
        .unwrap();

    proxy.stop().await;
    db.drop_db().await;
}
