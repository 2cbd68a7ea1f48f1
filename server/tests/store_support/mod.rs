//! Shared helpers of the store tests: a per-test SQLite directory or MariaDB database.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use authcore::roles::Role;
use authcore_server::store::{self, NewUser, Store};
use mysql_async::prelude::Queryable;

pub mod proxy;

/// The bcryptjs hash of `12345678` the seed stores for zkoder.
pub const SEED_HASH: &str = "$2a$08$wZ6/SI4gsh7KcDAnwGQdfek.KDNyHXjSBKXZVFn7D3Cam/xXiK8k2";

/// A unique suffix for names of temporary databases and directories.
pub fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{}_{nanos:x}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A user to create.
pub fn new_user(username: &str, email: &str, roles: &[Role]) -> NewUser {
    NewUser {
        username: username.to_owned(),
        email: email.to_owned(),
        password_hash: SEED_HASH.to_owned(),
        roles: roles.to_vec(),
        email_verified: true,
    }
}

/// `TEST_MYSQL_URL`, or `None` after printing the skip notice.
pub fn mysql_url() -> Option<String> {
    match std::env::var("TEST_MYSQL_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "TEST_MYSQL_URL is not set but CI is: MariaDB tests must run in CI, not skip"
            );
            eprintln!("skipping: TEST_MYSQL_URL not set");
            None
        }
    }
}

/// `url` with its host:port (if given) and database replaced; user, password and query kept.
pub fn url_with(url: &str, host_port: Option<&str>, db: &str) -> String {
    let rest = url.strip_prefix("mysql://").expect("mysql:// URL");
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, format!("?{q}")),
        None => (rest, String::new()),
    };
    let authority = rest.split('/').next().unwrap();
    let (userinfo, hp) = match authority.rsplit_once('@') {
        Some((u, hp)) => (format!("{u}@"), hp),
        None => (String::new(), authority),
    };
    let hp = host_port.unwrap_or(hp);
    format!("mysql://{userinfo}{hp}/{db}{query}")
}

/// A freshly created MariaDB database, dropped by [`TestDb::drop_db`].
pub struct TestDb {
    pub server_url: String,
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// Creates `authd_test_<unique>` on the server of `TEST_MYSQL_URL`.
    pub async fn create(server_url: &str) -> TestDb {
        let name = format!("authd_test_{}", unique_suffix());
        let mut conn = mysql_async::Conn::from_url(server_url).await.unwrap();
        conn.query_drop(format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
        ))
        .await
        .unwrap();
        conn.disconnect().await.unwrap();
        TestDb {
            server_url: server_url.to_owned(),
            url: url_with(server_url, None, &name),
            name,
        }
    }

    /// A direct connection to this database.
    pub async fn conn(&self) -> mysql_async::Conn {
        mysql_async::Conn::from_url(self.url.as_str())
            .await
            .unwrap()
    }

    /// Drops the database.
    pub async fn drop_db(&self) {
        let mut conn = mysql_async::Conn::from_url(self.server_url.as_str())
            .await
            .unwrap();
        conn.query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.name))
            .await
            .unwrap();
        conn.disconnect().await.unwrap();
    }
}

/// Where a test's store lives.
pub enum Backend {
    /// A temporary data directory.
    Sqlite(PathBuf),
    /// A temporary MariaDB database.
    Mysql(TestDb),
}

/// A store under test plus the means to reopen it, inspect it raw and clean up.
pub struct Harness {
    pub store: Arc<dyn Store>,
    pub backend: Backend,
}

/// Pool size used by the tests.
pub const POOL: usize = 8;

impl Harness {
    /// A store in a fresh temporary directory.
    pub async fn sqlite() -> Harness {
        let dir = std::env::temp_dir().join(format!("authd_store_test_{}", unique_suffix()));
        let store = store::backend::open(None, &dir, POOL).await.unwrap();
        Harness {
            store,
            backend: Backend::Sqlite(dir),
        }
    }

    /// A store on a fresh MariaDB database, or `None` when `TEST_MYSQL_URL` is unset.
    pub async fn mysql() -> Option<Harness> {
        let server = mysql_url()?;
        let db = TestDb::create(&server).await;
        let store = store::backend::open(Some(&db.url), std::path::Path::new("."), POOL)
            .await
            .unwrap();
        Some(Harness {
            store,
            backend: Backend::Mysql(db),
        })
    }

    /// Opens the same database again (runs the schema set-up again).
    pub async fn reopen(&self) -> Arc<dyn Store> {
        match &self.backend {
            Backend::Sqlite(dir) => store::backend::open(None, dir, POOL).await.unwrap(),
            Backend::Mysql(db) => {
                store::backend::open(Some(&db.url), std::path::Path::new("."), POOL)
                    .await
                    .unwrap()
            }
        }
    }

    /// Number of `users` rows whose username equals `name` exactly (byte for byte).
    pub async fn raw_count_username(&self, name: &str) -> i64 {
        match &self.backend {
            Backend::Sqlite(dir) => {
                let conn = rusqlite::Connection::open(dir.join(store::SQLITE_FILE_NAME)).unwrap();
                conn.query_row(
                    "SELECT COUNT(*) FROM users WHERE username = ?1",
                    [name],
                    |r| r.get(0),
                )
                .unwrap()
            }
            Backend::Mysql(db) => {
                let mut conn = db.conn().await;
                let n: Option<i64> = conn
                    .exec_first(
                        "SELECT COUNT(*) FROM users WHERE BINARY username = BINARY ?",
                        (name,),
                    )
                    .await
                    .unwrap();
                conn.disconnect().await.unwrap();
                n.unwrap()
            }
        }
    }

    /// Runs `body`, cleans up even if it panicked, then re-raises the panic.
    pub async fn run<F, Fut>(self, body: F)
    where
        F: FnOnce(Arc<Harness>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let harness = Arc::new(self);
        let outcome = tokio::spawn(body(Arc::clone(&harness))).await;
        match &harness.backend {
            Backend::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Backend::Mysql(db) => db.drop_db().await,
        }
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

/// Runs the listed cases (`async fn name(h: &Harness)`) once per backend: SQLite, and MariaDB
/// when `TEST_MYSQL_URL` is set (required under `CI`).
#[macro_export]
macro_rules! on_both_stores {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    $crate::store_support::Harness::sqlite().await.run(super::$case).await;
                }
            )*
        }
        mod mysql {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let Some(h) = $crate::store_support::Harness::mysql().await else { return };
                    h.run(super::$case).await;
                }
            )*
        }
    };
}
