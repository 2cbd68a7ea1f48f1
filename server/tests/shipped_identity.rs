//! One identity per account, against authd as shipped (limits on, default bcrypt cost): every
//! spelling that reaches an account shares its slow-down; databases written by older versions
//! (and the seed's) are migrated in place; the stock `sqlite3` tool can read authd's database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::Duration;

use authcore_server::config::JwtSecret;
use http_common::{Backend, MysqlDb, PASSWORD, SECRET, TestServer, shipped_config};
use zeroize::Zeroizing;

const WRONG: &str = "not-the-password";

/// Spellings of `bob` an attacker would try once `bob` is slowed down.
const SPELLINGS: [&str; 9] = [
    "bób",
    "bòb",
    "BÖB",
    "BÓB",
    "bob ",
    " bob",
    "BOB",
    "Bob",
    "ｂｏｂ",
];

/// authd as shipped on `backend`; on MariaDB with the JWT secret that a shared database requires
/// (`TestServer::start_shipped` does not set one, and authd refuses to start without it).
async fn start_shipped(backend: Backend) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mysql = match backend {
        Backend::Sqlite => None,
        Backend::Mysql => Some(MysqlDb::create().await),
    };
    start_shipped_in(backend, dir, mysql).await
}

/// [`start_shipped`] on an existing data dir and database.
async fn start_shipped_in(
    backend: Backend,
    dir: tempfile::TempDir,
    mysql: Option<MysqlDb>,
) -> TestServer {
    let mut config = shipped_config(&dir, mysql.as_ref().map(MysqlDb::url));
    if mysql.is_some() {
        config.jwt_secret = JwtSecret::Value(Zeroizing::new(SECRET.to_vec()));
    }
    TestServer::start_with(backend, config, dir, mysql).await
}

/// Fails `bob` until it has 8 consecutive failures (waiting out each slow-down), so that the next
/// tries fall inside an 8 s slow-down window.
async fn slow_down_bob(s: &TestServer) {
    let mut failures = 0;
    while failures < 8 {
        let res = s.signin("bob", WRONG).await;
        match res.status {
            401 => failures += 1,
            429 => {
                let wait: u64 = res.header("retry-after").unwrap().parse().unwrap();
                tokio::time::sleep(Duration::from_millis(wait * 1000 + 50)).await;
            }
            other => panic!("unexpected {other}: {res:?}"),
        }
    }
    assert_eq!(s.signin("bob", WRONG).await.status, 429);
}

/// After `bob` is slowed down, no other spelling gets a fresh budget: each one is either the same
/// identity (429, without a bcrypt verify) or another, unknown one (404, which the shipped `seed`
/// profile answers without bcrypt). 401 would mean a password guess against bob's hash.
async fn spellings_of_a_slowed_down_account_never_reach_bcrypt(backend: Backend) {
    let s = start_shipped(backend).await;
    s.signup("bob", None)
        .await
        .assert_message(200, "User was registered successfully!");
    slow_down_bob(&s).await;
    let mut seen = Vec::new();
    for spelling in SPELLINGS {
        let wrong = s.signin(spelling, WRONG).await.status;
        let right = s.signin(spelling, PASSWORD).await.status;
        seen.push((spelling, wrong, right));
    }
    eprintln!("{backend:?} after 8 failures of bob: (spelling, wrong pw, right pw) {seen:?}");
    for (spelling, wrong, right) in &seen {
        assert!(
            matches!((wrong, right), (429, 429) | (404, 404)),
            "{spelling:?}: wrong password {wrong}, right password {right}"
        );
    }
    for (spelling, wrong, _) in &seen {
        if ["bob ", " bob", "BOB", "Bob", "ｂｏｂ"].contains(spelling) {
            assert_eq!(*wrong, 429, "{spelling:?} is bob's identity");
        }
    }
}

/// bcryptjs `hashSync("12345678", 8)` ([`PASSWORD`]) from the seed's database.
const SEED_HASH: &str = "$2a$08$wZ6/SI4gsh7KcDAnwGQdfek.KDNyHXjSBKXZVFn7D3Cam/xXiK8k2";

/// authd's SQLite schema before the identity columns: UNIQUE indexes with the custom collation.
const OLD_SQLITE_SCHEMA: &str = "CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT, username VARCHAR(255) DEFAULT NULL,
        email VARCHAR(255) DEFAULT NULL, password VARCHAR(255) DEFAULT NULL,
        createdAt DATETIME NOT NULL, updatedAt DATETIME NOT NULL);
    CREATE UNIQUE INDEX users_username_unique ON users (username COLLATE authd_ci);
    CREATE UNIQUE INDEX users_email_unique ON users (email COLLATE authd_ci);
    CREATE TABLE roles (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255) DEFAULT NULL,
        createdAt DATETIME NOT NULL, updatedAt DATETIME NOT NULL);
    CREATE TABLE user_roles (createdAt DATETIME NOT NULL, updatedAt DATETIME NOT NULL,
        roleId INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE ON UPDATE CASCADE,
        userId INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
        PRIMARY KEY (roleId, userId));
    CREATE INDEX user_roles_userId ON user_roles (userId);";

/// The seed's tables as Sequelize made them (no UNIQUE index), with the UNIQUE indexes earlier
/// authd versions added (compared under `utf8mb4_general_ci`: accent- and case-folding).
const OLD_MYSQL_SCHEMA: [&str; 5] = [
    "CREATE TABLE `users` (`id` INTEGER NOT NULL auto_increment, `username` VARCHAR(255),
     `email` VARCHAR(255), `password` VARCHAR(255), `createdAt` DATETIME NOT NULL,
     `updatedAt` DATETIME NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB",
    "CREATE TABLE `roles` (`id` INTEGER, `name` VARCHAR(255), `createdAt` DATETIME NOT NULL,
     `updatedAt` DATETIME NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB",
    "CREATE TABLE `user_roles` (`createdAt` DATETIME NOT NULL, `updatedAt` DATETIME NOT NULL,
     `roleId` INTEGER, `userId` INTEGER, PRIMARY KEY (`roleId`, `userId`),
     FOREIGN KEY (`roleId`) REFERENCES `roles` (`id`) ON DELETE CASCADE ON UPDATE CASCADE,
     FOREIGN KEY (`userId`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE CASCADE)
     ENGINE=InnoDB",
    "ALTER TABLE `users` ADD UNIQUE INDEX `users_username_unique` (`username`)",
    "ALTER TABLE `users` ADD UNIQUE INDEX `users_email_unique` (`email`)",
];

/// A user row of an old database: id, username, email, role ids.
type Row = (i64, &'static str, &'static str, &'static [i64]);

/// Every test binary's log lines, for the collision warning (authd logs from its own tasks and
/// from the blocking pool, so a thread-local subscriber would miss them).
fn logs() -> &'static std::sync::Mutex<Vec<u8>> {
    use std::sync::{Mutex, OnceLock};
    static LOGS: OnceLock<&'static Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf: &'static Mutex<Vec<u8>> = Box::leak(Box::new(Mutex::new(Vec::new())));
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || LogWriter(buf))
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        buf
    })
}

struct LogWriter(&'static std::sync::Mutex<Vec<u8>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn log_lines_containing(needle: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    text.lines()
        .filter(|l| l.contains(needle))
        .map(str::to_owned)
        .collect()
}

/// An old-schema database on `backend` holding `rows` (ids kept), in a fresh data dir. On MariaDB
/// the seed's tables, with the earlier authd's UNIQUE indexes if `authd_indexes`.
async fn old_database(
    backend: Backend,
    rows: &[Row],
    authd_indexes: bool,
) -> (tempfile::TempDir, Option<MysqlDb>) {
    let dir = tempfile::tempdir().unwrap();
    match backend {
        Backend::Sqlite => {
            let data = dir.path().join("data");
            std::fs::create_dir_all(&data).unwrap();
            let conn =
                rusqlite::Connection::open(data.join(authcore_server::store::SQLITE_FILE_NAME))
                    .unwrap();
            // The earlier version's collation: trailing spaces dropped, lowercased.
            conn.create_collation("authd_ci", |a: &str, b: &str| {
                let key = |s: &str| s.trim_end_matches(' ').to_lowercase();
                key(a).cmp(&key(b))
            })
            .unwrap();
            conn.execute_batch(OLD_SQLITE_SCHEMA).unwrap();
            conn.execute_batch(
                "INSERT INTO roles VALUES (1, 'user', '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
                 (2, 'moderator', '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
                 (3, 'admin', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            )
            .unwrap();
            for (id, name, email, roles) in rows {
                conn.execute(
                    "INSERT INTO users VALUES (?1, ?2, ?3, ?4, '2026-01-01 00:00:00',
                     '2026-01-01 00:00:00')",
                    rusqlite::params![id, name, email, SEED_HASH],
                )
                .unwrap();
                for role in *roles {
                    conn.execute(
                        "INSERT INTO user_roles VALUES ('2026-01-01 00:00:00',
                         '2026-01-01 00:00:00', ?1, ?2)",
                        [role, id],
                    )
                    .unwrap();
                }
            }
            (dir, None)
        }
        Backend::Mysql => {
            use mysql_async::prelude::Queryable;
            let db = MysqlDb::create().await;
            let mut conn = db.conn().await;
            let ddls = if authd_indexes { 5 } else { 3 };
            for ddl in &OLD_MYSQL_SCHEMA[..ddls] {
                conn.query_drop(*ddl).await.unwrap();
            }
            conn.query_drop(
                "INSERT INTO roles VALUES (1, 'user', NOW(), NOW()), (2, 'moderator', NOW(), NOW()),
                 (3, 'admin', NOW(), NOW())",
            )
            .await
            .unwrap();
            for (id, name, email, roles) in rows {
                conn.exec_drop(
                    "INSERT INTO users VALUES (?, ?, ?, ?, NOW(), NOW())",
                    (id, name, email, SEED_HASH),
                )
                .await
                .unwrap();
                for role in *roles {
                    conn.exec_drop(
                        "INSERT INTO user_roles VALUES (NOW(), NOW(), ?, ?)",
                        (role, id),
                    )
                    .await
                    .unwrap();
                }
            }
            conn.disconnect().await.unwrap();
            (dir, Some(db))
        }
    }
}

/// `SELECT COUNT(*)` of `table`, straight from the database.
async fn count(s: &TestServer, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match s.backend {
        Backend::Sqlite => {
            let path = s
                .config
                .data_dir
                .join(authcore_server::store::SQLITE_FILE_NAME);
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.query_row(&sql, [], |r| r.get(0)).unwrap()
        }
        Backend::Mysql => {
            use mysql_async::prelude::Queryable;
            let mut conn = s.mysql.as_ref().unwrap().conn().await;
            let n: Option<i64> = conn.query_first(sql).await.unwrap();
            conn.disconnect().await.unwrap();
            n.unwrap()
        }
    }
}

/// Signs in (must succeed); returns `(id, roles)`.
async fn signin_as(s: &TestServer, username: &str) -> (i64, Vec<String>) {
    let res = s.signin(username, PASSWORD).await;
    assert_eq!(res.status, 200, "{username:?}: {res:?}");
    let v = res.json();
    let roles = v["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    (v["id"].as_i64().unwrap(), roles)
}

/// Runs the stock `sqlite3` tool on `path`; `(success, stdout + stderr)`.
fn sqlite3_cli(path: &std::path::Path, sql: &str) -> (bool, String) {
    let out = std::process::Command::new("sqlite3")
        .arg(path)
        .arg(sql)
        .output()
        .expect("the sqlite3 tool (apt-get install sqlite3; .ci/run installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success() && !text.contains("Error"), text)
}

const CLI_CHECK: &str = "PRAGMA integrity_check; SELECT COUNT(*) FROM users;";

/// An older database without collisions: every row, id, role link and sign-in survives, the old
/// collation-based indexes are gone (on MariaDB they folded accents, so `Zoe` could not sign up
/// next to `Zoë`), and names are unique by key from now on.
async fn old_database_is_migrated_in_place(backend: Backend) {
    let rows: [Row; 3] = [
        (1, "zkoder", "user@bezkoder.com", &[1]),
        (2, "mod", "mod@bezkoder.com", &[1, 2]),
        (5, "Zoë", "z5@x.com", &[3]),
    ];
    let (dir, mysql) = old_database(backend, &rows, true).await;
    let s = start_shipped_in(backend, dir, mysql).await;
    assert_eq!(count(&s, "users").await, 3);
    assert_eq!(count(&s, "user_roles").await, 4);
    assert_eq!(signin_as(&s, "ZKoder").await, (1, vec!["ROLE_USER".into()]));
    let moderator = vec!["ROLE_USER".into(), "ROLE_MODERATOR".into()];
    assert_eq!(signin_as(&s, "MOD ").await, (2, moderator));
    assert_eq!(signin_as(&s, "ZOË").await, (5, vec!["ROLE_ADMIN".into()]));
    s.signup("ｚｋｏｄｅｒ", None)
        .await
        .assert_message(400, "Failed! Username is already in use!");
    let body = serde_json::json!({"username": "fresh", "email": "USER@bezkoder.com",
        "password": PASSWORD});
    s.post_json("/api/auth/signup", &body)
        .await
        .assert_message(400, "Failed! Email is already in use!");
    s.signup("Zoe", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let (id, _) = signin_as(&s, "zoe").await;
    assert!(id > 5, "{id}");
    assert_eq!(count(&s, "users").await, 4);
    if backend == Backend::Sqlite {
        let path = s
            .config
            .data_dir
            .join(authcore_server::store::SQLITE_FILE_NAME);
        assert_eq!(sqlite3_cli(&path, CLI_CHECK), (true, "ok\n4\n".into()));
    }
}

/// An older database whose users collide under the canonical forms (fullwidth `ｂｏｂ` and
/// `bob`; NFC and NFD `josé`): authd starts, non-colliding users are unaffected, the first row
/// keeps the name, the later one signs in with its exact stored name, and one warning lists the
/// ids (and no names or emails).
async fn colliding_old_users_keep_working_with_one_warning(backend: Backend) {
    logs();
    // Ids distinct per backend: both scenarios log into the same buffer.
    let base = match backend {
        Backend::Sqlite => 100,
        Backend::Mysql => 200,
    };
    let mut rows: Vec<Row> = vec![
        (base + 1, "bob", "josé@x.com", &[1]),
        (base + 2, "ｂｏｂ", "jose\u{301}@x.com", &[1, 3]),
        (base + 3, "alice", "alice@x.com", &[2]),
    ];
    if backend == Backend::Mysql {
        // The seed had no UNIQUE index: a byte-identical duplicate, unreachable by name there too.
        rows.push((base + 4, "bob", "bob4@x.com", &[1]));
    }
    // On MariaDB, a seed database: no UNIQUE index at all.
    let (dir, mysql) = old_database(backend, &rows, false).await;
    if backend == Backend::Sqlite {
        let path = dir
            .path()
            .join("data")
            .join(authcore_server::store::SQLITE_FILE_NAME);
        let (ok, text) = sqlite3_cli(&path, CLI_CHECK);
        assert!(!ok && text.contains("authd_ci"), "before: {text}");
    }
    let s = start_shipped_in(backend, dir, mysql).await;
    assert_eq!(count(&s, "users").await, rows.len() as i64);
    assert_eq!(count(&s, "user_roles").await, rows.len() as i64 + 1);
    let user = vec!["ROLE_USER".to_owned()];
    assert_eq!(signin_as(&s, "BOB").await, (base + 1, user.clone()));
    assert_eq!(signin_as(&s, "bob").await, (base + 1, user.clone()));
    let admin = vec!["ROLE_USER".to_owned(), "ROLE_ADMIN".to_owned()];
    assert_eq!(signin_as(&s, "ｂｏｂ").await, (base + 2, admin));
    let moderator = vec!["ROLE_MODERATOR".to_owned()];
    assert_eq!(signin_as(&s, "Alice").await, (base + 3, moderator));
    // The name is taken by its holder; the holder's email blocks signups.
    s.signup("Bob", None)
        .await
        .assert_message(400, "Failed! Username is already in use!");
    let body = serde_json::json!({"username": "jose", "email": "JOSÉ@x.com",
        "password": PASSWORD});
    s.post_json("/api/auth/signup", &body)
        .await
        .assert_message(400, "Failed! Email is already in use!");

    let wanted = match backend {
        Backend::Sqlite => format!("username_collisions={}<-{}", base + 1, base + 2),
        Backend::Mysql => format!(
            "username_collisions={}<-{},{}",
            base + 1,
            base + 2,
            base + 4
        ),
    };
    let warnings = log_lines_containing(&wanted);
    assert_eq!(warnings.len(), 1, "one warning: {warnings:?}");
    let line = &warnings[0];
    assert!(line.contains("WARN"), "{line}");
    let emails = format!("email_collisions={}<-{}", base + 1, base + 2);
    let tokens: Vec<&str> = line.split_whitespace().collect();
    assert!(tokens.contains(&emails.as_str()), "{line}");
    assert!(tokens.contains(&wanted.as_str()), "{line}");
    for private in ["bob", "ｂｏｂ", "jos", "x.com", "$2a$"] {
        assert!(!line.contains(private), "{private} in {line}");
    }
    if backend == Backend::Sqlite {
        let path = s
            .config
            .data_dir
            .join(authcore_server::store::SQLITE_FILE_NAME);
        assert_eq!(sqlite3_cli(&path, CLI_CHECK), (true, "ok\n3\n".into()));
    }
}

on_both_backends!(
    spellings_of_a_slowed_down_account_never_reach_bcrypt,
    old_database_is_migrated_in_place,
    colliding_old_users_keep_working_with_one_warning,
);

/// The stock `sqlite3` tool checks and reads the database of a running authd (no custom
/// collation anywhere in the schema).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_sqlite3_reads_a_running_authds_database() {
    let s = start_shipped(Backend::Sqlite).await;
    s.signup("Zoë", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let path = s
        .config
        .data_dir
        .join(authcore_server::store::SQLITE_FILE_NAME);
    assert_eq!(sqlite3_cli(&path, CLI_CHECK), (true, "ok\n1\n".into()));
    let (ok, schema) = sqlite3_cli(&path, ".schema");
    assert!(ok && !schema.contains("authd_ci"), "{schema}");
    let (ok, key) = sqlite3_cli(&path, "SELECT username_key FROM users");
    assert_eq!((ok, key.as_str()), (true, "zoë\n"));
}
