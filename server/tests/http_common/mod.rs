//! Shared support for the end-to-end HTTP suites: an in-process authd on 127.0.0.1:0 over either
//! backend (SQLite in a temp dir, or a fresh MariaDB database when `TEST_MYSQL_URL` is set), a
//! reqwest client, token forging helpers and direct database access.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    dead_code,
    unused_imports
)]

mod mysql;
pub mod smtp;
mod tokens;

pub use mysql::{MysqlDb, mysql_base_url};
pub use tokens::{b64, hmac_token, hs256, now, token_for};

use std::time::Duration;

use authcore_server::config::JwtSecret;
use authcore_server::{Config, RunningServer};
use mysql_async::prelude::Queryable;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::TcpListener;
use zeroize::Zeroizing;

/// The secret test servers sign with (≥ 32 bytes).
pub const SECRET: &[u8] = b"test-secret-0123456789abcdef-0123456789";
/// The seed's public tutorial secret.
pub const SEED_SECRET: &[u8] = b"your-secret-key";
/// A password valid under the signup rules.
pub const PASSWORD: &str = "12345678";
/// JSON content type as served.
pub const JSON_TYPE: &str = "application/json; charset=utf-8";
/// HTML content type as served.
pub const HTML_TYPE: &str = "text/html; charset=utf-8";

/// Which store a test server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite in a temp dir.
    Sqlite,
    /// A fresh MariaDB database (needs `TEST_MYSQL_URL`).
    Mysql,
}

/// Runs the listed scenarios (`async fn name(backend: Backend)`) once per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::http_common::Backend::Sqlite).await;
                }
            )*
        }
        mod mysql {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if $crate::http_common::mysql_base_url().is_none() {
                        eprintln!("skipping: TEST_MYSQL_URL not set");
                        return;
                    }
                    super::$name($crate::http_common::Backend::Mysql).await;
                }
            )*
        }
    };
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Resp {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body text.
    pub body: String,
}

impl Resp {
    /// The `Content-Type`.
    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    /// Asserts a JSON answer with exactly this status and body.
    #[track_caller]
    pub fn assert_json(&self, status: u16, body: &str) {
        assert_eq!(
            (self.status, self.body.as_str()),
            (status, body),
            "{self:?}"
        );
        assert_eq!(self.content_type(), JSON_TYPE);
    }

    /// Asserts a JSON `{"message": …}` answer.
    #[track_caller]
    pub fn assert_message(&self, status: u16, message: &str) {
        self.assert_json(status, &json!({ "message": message }).to_string());
    }

    /// Asserts an HTML answer.
    #[track_caller]
    pub fn assert_html(&self, status: u16, body: &str) {
        assert_eq!(
            (self.status, self.body.as_str()),
            (status, body),
            "{self:?}"
        );
        assert_eq!(self.content_type(), HTML_TYPE);
    }
}

/// An authd on an ephemeral port.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Client (no proxy, keep-alive).
    pub client: reqwest::Client,
    /// Backend.
    pub backend: Backend,
    /// The config it was started with.
    pub config: Config,
    running: Option<RunningServer>,
    /// Temp data dir (SQLite file, generated secret).
    pub dir: TempDir,
    /// The MariaDB database, for MySQL.
    pub mysql: Option<MysqlDb>,
}

/// The configuration tests start from: fast bcrypt, a strong secret, short role cache, and no
/// refresh tokens (so signin answers the seed's exact shape; `http_refresh.rs` turns them on).
pub fn test_config(dir: &TempDir) -> Config {
    Config {
        data_dir: dir.path().join("data"),
        jwt_secret: JwtSecret::Value(Zeroizing::new(SECRET.to_vec())),
        bcrypt_cost: 4,
        role_cache_ttl: Duration::from_millis(200),
        // The suites sign in many times from 127.0.0.1; `http_abuse.rs` sets low limits.
        limits: authcore_server::config::limits::LimitsConfig::disabled(),
        refresh: authcore_server::config::refresh::RefreshConfig {
            enabled: false,
            ..Default::default()
        },
        ..Config::default()
    }
}

/// The configuration `authd` builds with no flags and no `AUTHD_*` env (limits on, refresh tokens
/// on, default bcrypt cost, generated secret), listening on a free port of 127.0.0.1, keeping its
/// data in `dir` and, for MariaDB, using `database_url` with the strong [`SECRET`] (the one
/// setting MariaDB mode cannot start without).
pub fn shipped_config(dir: &TempDir, database_url: Option<String>) -> Config {
    use clap::Parser;
    let data_dir = dir.path().join("data");
    let args = authcore_server::cli::Cli::try_parse_from([
        "authd".as_ref(),
        "--port".as_ref(),
        "0".as_ref(),
        "--data-dir".as_ref(),
        data_dir.as_os_str(),
    ])
    .unwrap();
    let mut config = Config::from_args(args.serve).unwrap();
    if database_url.is_some() {
        // authd refuses DATABASE_URL without a configured secret (instances must share one).
        config.jwt_secret = JwtSecret::Value(Zeroizing::new(SECRET.to_vec()));
    }
    config.database_url = database_url;
    config
}

impl TestServer {
    /// Starts `authd` exactly as shipped ([`shipped_config`]) on `backend`.
    pub async fn start_shipped(backend: Backend) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mysql = match backend {
            Backend::Sqlite => None,
            Backend::Mysql => Some(MysqlDb::create().await),
        };
        let config = shipped_config(&dir, mysql.as_ref().map(MysqlDb::url));
        Self::start_with(backend, config, dir, mysql).await
    }

    /// Starts a server on `backend` with the test config changed by `tweak`.
    pub async fn start(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mut config = test_config(&dir);
        let mysql = match backend {
            Backend::Sqlite => None,
            Backend::Mysql => Some(MysqlDb::create().await),
        };
        config.database_url = mysql.as_ref().map(MysqlDb::url);
        tweak(&mut config);
        Self::start_with(backend, config, dir, mysql).await
    }

    /// Starts a server with exactly `config`.
    pub async fn start_with(
        backend: Backend,
        config: Config,
        dir: TempDir,
        mysql: Option<MysqlDb>,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = authcore_server::start(config.clone(), listener)
            .await
            .unwrap();
        let base = format!("http://{}", running.local_addr());
        TestServer {
            base,
            client: client(),
            backend,
            config,
            running: Some(running),
            dir,
            mysql,
        }
    }

    /// Stops the server (draining) and gives back its data dir and database for a restart.
    pub async fn stop(mut self) -> (Config, TempDir, Option<MysqlDb>) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
        (self.config, self.dir, self.mysql)
    }

    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends `req` and reads the answer.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.text().await.unwrap();
        Resp {
            status,
            headers,
            body,
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.client.get(self.url(path))).await
    }

    /// `GET path` with `x-access-token`.
    pub async fn get_with_token(&self, path: &str, token: &str) -> Resp {
        self.send(
            self.client
                .get(self.url(path))
                .header("x-access-token", token),
        )
        .await
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> Resp {
        self.send(self.client.post(self.url(path)).json(body)).await
    }

    /// `POST path` with a raw body and content type.
    pub async fn post_raw(&self, path: &str, content_type: Option<&str>, body: &str) -> Resp {
        let mut req = self.client.post(self.url(path)).body(body.to_owned());
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        self.send(req).await
    }

    /// Signs up `username` (`username@x.com`, [`PASSWORD`]) with `roles` (omitted when `None`).
    pub async fn signup(&self, username: &str, roles: Option<Value>) -> Resp {
        let mut body = json!({
            "username": username,
            "email": format!("{username}@x.com"),
            "password": PASSWORD,
        });
        if let Some(roles) = roles {
            body["roles"] = roles;
        }
        self.post_json("/api/auth/signup", &body).await
    }

    /// Signs in and returns the whole answer.
    pub async fn signin(&self, username: &str, password: &str) -> Resp {
        let body = json!({"username": username, "password": password});
        self.post_json("/api/auth/signin", &body).await
    }

    /// Signs up (must succeed) and signs in; returns `(id, token)`.
    pub async fn user_token(&self, username: &str) -> (i64, String) {
        self.signup(username, None)
            .await
            .assert_message(200, "User was registered successfully!");
        self.token_of(username, PASSWORD).await
    }

    /// Signs in (must succeed); returns `(id, token)`.
    pub async fn token_of(&self, username: &str, password: &str) -> (i64, String) {
        let res = self.signin(username, password).await;
        assert_eq!(res.status, 200, "{res:?}");
        let v = res.json();
        (
            v["id"].as_i64().unwrap(),
            v["accessToken"].as_str().unwrap().to_owned(),
        )
    }

    /// Runs one SQL statement directly on the backend's database.
    pub async fn exec_sql(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                let path = self
                    .config
                    .data_dir
                    .join(authcore_server::store::SQLITE_FILE_NAME);
                let sql = sql.to_owned();
                tokio::task::spawn_blocking(move || {
                    let conn = rusqlite::Connection::open(path).unwrap();
                    conn.busy_timeout(Duration::from_secs(5)).unwrap();
                    conn.execute_batch(&sql).unwrap();
                })
                .await
                .unwrap();
            }
            Backend::Mysql => {
                let mut conn = self.mysql.as_ref().unwrap().conn().await;
                conn.query_drop(sql).await.unwrap();
                conn.disconnect().await.unwrap();
            }
        }
    }

    /// Deletes user `id` and its role links behind the server's back.
    pub async fn delete_user(&self, id: i64) {
        self.exec_sql(&format!("DELETE FROM user_roles WHERE userId = {id}"))
            .await;
        self.exec_sql(&format!("DELETE FROM users WHERE id = {id}"))
            .await;
    }
}

/// A plain HTTP client (no proxies from the environment).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}
