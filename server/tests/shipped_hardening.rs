//! Fail-closed secrets and files, and "a 503 means not done", against authd's shipped defaults
//! (issue 10, sections 2 and 3) on SQLite and MariaDB.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use authcore_server::config::JwtSecret;
use http_common::{Backend, MysqlDb, PASSWORD, SEED_SECRET, TestServer, client, hmac_token, now};
use mysql_async::prelude::Queryable;
use serde_json::{Value, json};
use zeroize::Zeroizing;

const AUTHD: &str = env!("CARGO_BIN_EXE_authd");

on_both_backends!(
    weak_secret_is_refused_unless_explicitly_opted_in,
    files_are_owner_only_even_in_an_existing_data_dir,
    a_refresh_answered_503_never_commits,
    a_signup_answered_503_never_commits,
    the_configured_store_timeout_is_the_only_one,
    a_retry_within_grace_gets_a_pair_of_the_same_family_and_later_reuse_revokes_it,
    families_end_at_their_lifetime_cap,
    spent_refresh_rows_are_pruned,
    tokens_from_before_the_family_cap_migrate_in_place,
);

const REFRESH: &str = "/api/auth/refreshtoken";
const NOT_IN_DB: &str = "Refresh token is not in database!";
const EXPIRED: &str = "Refresh token was expired. Please make a new signin request";

/// `authd` with a clean environment (shipped defaults) plus `vars`.
fn authd(vars: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(AUTHD);
    cmd.env_clear().env("RUST_LOG", "warn").env("PORT", "0");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

/// A started `authd` and its base URL.
struct Authd {
    child: Child,
    base: String,
}

impl Authd {
    /// Starts `cmd` and waits for its `authd listening on` line.
    fn spawn(mut cmd: Command) -> Authd {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(base) = line.trim().strip_prefix("authd listening on ") else {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("authd did not start: {line:?} {err}");
        };
        Authd {
            base: base.to_owned(),
            child,
        }
    }

    /// Kills it and returns what it wrote to stderr.
    fn stop(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        err
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let res = client()
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .unwrap();
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    async fn get_user_content(&self, token: &str) -> u16 {
        client()
            .get(format!("{}/api/test/user", self.base))
            .header("x-access-token", token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

/// Runs `authd` expecting a refusal to start (within 20 s); returns its stderr.
fn refused(cmd: &mut Command) -> String {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..400 {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(!status.success(), "authd exited successfully: {cmd:?}");
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return err;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("authd started instead of refusing: {cmd:?}");
}

async fn weak_secret_is_refused_unless_explicitly_opted_in(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data").display().to_string();
    let db = match backend {
        Backend::Sqlite => None,
        Backend::Mysql => Some(MysqlDb::create().await),
    };
    let url = db.as_ref().map(MysqlDb::url);
    let store: Vec<(&str, &str)> = match &url {
        Some(url) => vec![("AUTHD_DATA_DIR", &data), ("DATABASE_URL", url)],
        None => vec![("AUTHD_DATA_DIR", &data)],
    };
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut vars = store.clone();
        vars.extend_from_slice(extra);
        authd(&vars)
    };
    // The tutorial's secret, another published one of 38 bytes, and a 31-byte one: refused.
    for (secret, why) in [
        ("your-secret-key", "published"),
        ("a-string-secret-at-least-256-bits-long", "published"),
        ("0123456789abcdef0123456789abcde", "31 bytes"),
    ] {
        let err = refused(&mut with(&[("AUTHD_JWT_SECRET", secret)]));
        assert!(
            err.contains(why) && err.contains("--insecure-secret"),
            "{err}"
        );
    }
    // Production mode never takes the opt-in.
    let err = refused(&mut with(&[
        ("JWT_SECRET", "your-secret-key"),
        ("AUTHD_INSECURE_SECRET", "1"),
        ("AUTHD_PRODUCTION", "1"),
    ]));
    assert!(err.contains("exclude each other"), "{err}");

    // With the explicit opt-in the seed's secret works (old tokens stay valid), loudly.
    let authd = Authd::spawn(with(&[
        ("AUTHD_JWT_SECRET", "your-secret-key"),
        ("AUTHD_INSECURE_SECRET", "1"),
    ]));
    let (status, _) = authd
        .post(
            "/api/auth/signup",
            &json!({"username": "mig", "email": "mig@x.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = authd
        .post(
            "/api/auth/signin",
            &json!({"username": "mig", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 200);
    let id = body["id"].as_i64().unwrap();
    let seed_token = hmac_token(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &json!({"id": id, "iat": now(), "exp": now() + 86_400}),
        SEED_SECRET,
        false,
    );
    assert_eq!(authd.get_user_content(&seed_token).await, 200);
    let log = authd.stop();
    assert!(
        log.contains("INSECURE") && log.contains("--insecure-secret"),
        "{log}"
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Names and modes of the files in `dir`.
#[cfg(unix)]
fn file_modes(dir: &Path) -> Vec<(String, u32)> {
    let mut files: Vec<(String, u32)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                mode(&p),
            )
        })
        .collect();
    files.sort();
    files
}

#[cfg(unix)]
async fn files_are_owner_only_even_in_an_existing_data_dir(backend: Backend) {
    // An existing data dir open to everyone (e.g. made by `mkdir` under umask 022).
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    set_mode(&data, 0o755);
    let mysql = match backend {
        Backend::Sqlite => None,
        Backend::Mysql => Some(MysqlDb::create().await),
    };
    let config = http_common::shipped_config(&dir, mysql.as_ref().map(MysqlDb::url));
    let srv = TestServer::start_with(backend, config, dir, mysql).await;
    srv.signup("alice", None)
        .await
        .assert_message(200, "User was registered successfully!");
    assert_eq!(srv.signin("alice", PASSWORD).await.status, 200);

    let files = file_modes(&data);
    let shown: Vec<String> = files.iter().map(|(n, m)| format!("{n} {m:o}")).collect();
    eprintln!("{backend:?} files in an existing 0755 data dir: {shown:?}");
    if backend == Backend::Sqlite {
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        for expected in [
            "authd.sqlite3",
            "authd.sqlite3-shm",
            "authd.sqlite3-wal",
            "jwt-secret",
        ] {
            assert!(names.contains(&expected), "{expected} missing in {names:?}");
        }
    }
    for (name, mode) in &files {
        assert_eq!(*mode, 0o600, "{name} is {mode:o}");
    }
    assert_eq!(
        mode(&data),
        0o755,
        "an existing directory is warned about, not changed"
    );

    // A database left 0644 by an older version is narrowed at the next start.
    let (config, dir, mysql) = srv.stop().await;
    if backend == Backend::Sqlite {
        set_mode(&data.join("authd.sqlite3"), 0o644);
    }
    let srv = TestServer::start_with(backend, config, dir, mysql).await;
    assert_eq!(srv.signin("alice", PASSWORD).await.status, 200);
    for (name, mode) in file_modes(&data) {
        assert_eq!(mode, 0o600, "{name} is {mode:o} after a restart");
    }
    srv.stop().await;
}

#[cfg(not(unix))]
async fn files_are_owner_only_even_in_an_existing_data_dir(_backend: Backend) {}

/// Embedded mode only: with DATABASE_URL authd keeps nothing in the data directory.
#[cfg(unix)]
#[test]
fn an_open_data_dir_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    set_mode(&data, 0o750);
    let open = Authd::spawn(authd(&[("AUTHD_DATA_DIR", &data.display().to_string())]));
    let log = open.stop();
    assert!(log.contains("accessible to group or others"), "{log}");
    let private = tempfile::tempdir().unwrap();
    let data = private.path().join("data");
    let closed = Authd::spawn(authd(&[("AUTHD_DATA_DIR", &data.display().to_string())]));
    let log = closed.stop();
    assert!(!log.contains("accessible to group or others"), "{log}");
    assert_eq!(mode(&data), 0o700);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_starters_agree_on_one_generated_secret() {
    // Embedded mode only: with DATABASE_URL a secret must be configured (refused otherwise).
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data").display().to_string();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
        let starters: Vec<_> = (0..6)
            .map(|_| {
                let cmd = authd(&[("AUTHD_DATA_DIR", &data)]);
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    Authd::spawn(cmd)
                })
            })
            .collect();
        let instances: Vec<Authd> = starters.into_iter().map(|t| t.join().unwrap()).collect();
        let secret = std::fs::read_to_string(dir.path().join("data/jwt-secret")).unwrap();
        assert_eq!(secret.len(), 43, "round {round}");
        let (status, _) = instances[0]
            .post(
                "/api/auth/signup",
                &json!({"username": "racer", "email": "racer@x.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, body) = instances[0]
            .post(
                "/api/auth/signin",
                &json!({"username": "racer", "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 200);
        let token = body["accessToken"].as_str().unwrap().to_owned();
        for (i, instance) in instances.iter().enumerate() {
            assert_eq!(
                instance.get_user_content(&token).await,
                200,
                "round {round}: instance {i} signs with another secret"
            );
        }
        for instance in instances {
            instance.stop();
        }
    }
}

/// The first column of the first row of `sql` (one `?` parameter), run directly on the database.
async fn scalar(srv: &TestServer, sql: &str, param: &str) -> Option<i64> {
    match srv.backend {
        Backend::Sqlite => {
            let path = srv
                .config
                .data_dir
                .join(authcore_server::store::SQLITE_FILE_NAME);
            let (sql, param) = (sql.to_owned(), param.to_owned());
            tokio::task::spawn_blocking(move || {
                use rusqlite::OptionalExtension;
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.busy_timeout(Duration::from_secs(10)).unwrap();
                conn.query_row(&sql, [param], |r| r.get::<_, Option<i64>>(0))
                    .optional()
                    .unwrap()
                    .flatten()
            })
            .await
            .unwrap()
        }
        Backend::Mysql => {
            let mut conn = srv.mysql.as_ref().unwrap().conn().await;
            let row: Option<Option<i64>> = conn.exec_first(sql, (param,)).await.unwrap();
            conn.disconnect().await.unwrap();
            row.flatten()
        }
    }
}

async fn count_users(srv: &TestServer, username: &str) -> i64 {
    scalar(
        srv,
        "SELECT COUNT(*) FROM users WHERE username = ?",
        username,
    )
    .await
    .unwrap()
}

/// Holds the database's write lock on `table` from another connection for `hold`, as another
/// process (a backup, an admin's session) can. Resolves once the lock is taken; the returned
/// handle resolves when it is released.
async fn hold_lock(srv: &TestServer, table: &str, hold: Duration) -> tokio::task::JoinHandle<()> {
    let table = table.to_owned();
    let (taken_tx, taken_rx) = tokio::sync::oneshot::channel();
    let handle = match srv.backend {
        Backend::Sqlite => {
            let path = srv
                .config
                .data_dir
                .join(authcore_server::store::SQLITE_FILE_NAME);
            tokio::task::spawn_blocking(move || {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.execute_batch("BEGIN IMMEDIATE").unwrap();
                taken_tx.send(()).unwrap();
                std::thread::sleep(hold);
                conn.execute_batch("COMMIT").unwrap();
            })
        }
        Backend::Mysql => {
            let mut conn = srv.mysql.as_ref().unwrap().conn().await;
            tokio::spawn(async move {
                conn.query_drop("START TRANSACTION").await.unwrap();
                // Locks every row and the gap after the last: writes to `table` wait.
                conn.query_drop(format!("SELECT id FROM {table} FOR UPDATE"))
                    .await
                    .unwrap();
                taken_tx.send(()).unwrap();
                tokio::time::sleep(hold).await;
                conn.query_drop("COMMIT").await.unwrap();
                conn.disconnect().await.unwrap();
            })
        }
    };
    taken_rx.await.unwrap();
    handle
}

async fn a_refresh_answered_503_never_commits(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    srv.signup("racer", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let mut tokens = Vec::new();
    for _ in 0..6 {
        let res = srv.signin("racer", PASSWORD).await;
        assert_eq!(res.status, 200);
        tokens.push(res.json()["refreshToken"].as_str().unwrap().to_owned());
    }
    // The lock outlasts the 1 s store timeout by less than another: rotations queued behind it
    // would commit after their client got 503 if nothing stopped them.
    let lock = hold_lock(&srv, "refresh_tokens", Duration::from_millis(1600)).await;
    let url = srv.url("/api/auth/refreshtoken");
    let tasks: Vec<_> = tokens
        .iter()
        .map(|token| {
            let (url, token) = (url.clone(), token.clone());
            tokio::spawn(async move {
                let res = client()
                    .post(url)
                    .json(&json!({"refreshToken": token}))
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let retry_after = res
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned());
                (status, retry_after, res.text().await.unwrap())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    lock.await.unwrap();
    // Give abandoned calls time to reach (and fail) their commit.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut unavailable = 0;
    for (token, (status, retry_after, body)) in tokens.iter().zip(&answers) {
        let hash = authcore::refresh::hash_presented(token).unwrap();
        let rotated = scalar(
            &srv,
            "SELECT rotated_at FROM refresh_tokens WHERE token_hash = ?",
            &hash,
        )
        .await;
        eprintln!("{backend:?}: refresh answered {status}, rotated_at={rotated:?}");
        match status {
            200 => assert!(rotated.is_some(), "answered 200 but not rotated"),
            503 => {
                unavailable += 1;
                assert_eq!(rotated, None, "answered 503 but rotated: {body}");
                assert_eq!(retry_after.as_deref(), Some("1"));
            }
            other => panic!("unexpected {other} {body}"),
        }
    }
    assert!(unavailable > 0, "the lock produced no 503: {answers:?}");
    let rows = scalar(
        &srv,
        "SELECT COUNT(*) FROM refresh_tokens WHERE revoked_at IS NULL AND token_hash <> ?",
        "",
    )
    .await
    .unwrap();
    assert_eq!(
        rows,
        6 + 6 - unavailable,
        "one successor per 200, none per 503"
    );
    srv.stop().await;
}

async fn a_signup_answered_503_never_commits(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    srv.signup("first", None)
        .await
        .assert_message(200, "User was registered successfully!");
    // Signups reach the store after bcrypt, at various times: a 4 s lock makes those arriving in
    // its first 3 s time out, while the store calls queued behind it would commit when it ends.
    let lock = hold_lock(&srv, "users", Duration::from_secs(4)).await;
    let locked_at = std::time::Instant::now();
    let url = srv.url("/api/auth/signup");
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let (url, name) = (url.clone(), format!("racer{i}"));
            tokio::spawn(async move {
                let body =
                    json!({"username": name, "email": format!("{name}@x.com"), "password": PASSWORD});
                let res = client().post(url).json(&body).send().await.unwrap();
                let at = locked_at.elapsed();
                (name, res.status().as_u16(), res.text().await.unwrap(), at)
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    lock.await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut unavailable = 0;
    for (name, status, body, at) in &answers {
        let stored = count_users(&srv, name).await;
        eprintln!("{backend:?} signup {name}: {status} after {at:?}, stored {stored}");
        match status {
            200 => assert_eq!(stored, 1, "{name} answered 200 but is missing"),
            503 => {
                unavailable += 1;
                assert_eq!(stored, 0, "{name} answered 503 but was created");
            }
            other => panic!("{name}: unexpected {other} {body}"),
        }
    }
    assert!(unavailable > 0, "the lock produced no 503: {answers:?}");
    srv.stop().await;
}

async fn the_configured_store_timeout_is_the_only_one(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let mysql = match backend {
        Backend::Sqlite => None,
        Backend::Mysql => Some(MysqlDb::create().await),
    };
    let mut config = http_common::shipped_config(&dir, mysql.as_ref().map(MysqlDb::url));
    config.store_timeout = Duration::from_millis(4000);
    let srv = TestServer::start_with(backend, config, dir, mysql).await;
    srv.signup("first", None)
        .await
        .assert_message(200, "User was registered successfully!");
    // A lock held for 2 s: past any fixed 1 s inner bound, within the configured 4 s.
    let lock = hold_lock(&srv, "users", Duration::from_millis(2000)).await;
    let started = std::time::Instant::now();
    srv.signup("patient", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let waited = started.elapsed();
    lock.await.unwrap();
    eprintln!("{backend:?}: signup behind a 2 s lock answered 200 after {waited:?}");
    assert!(waited >= Duration::from_millis(1500), "{waited:?}");
    assert_eq!(count_users(&srv, "patient").await, 1);
    srv.stop().await;
}

#[test]
fn debug_output_never_shows_the_database_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = "mysql://authd:pw-Xq9-very-secret@db.internal:3306/auth".to_owned();
    let mut config = http_common::shipped_config(&dir, Some(url.clone()));
    config.jwt_secret = JwtSecret::Value(Zeroizing::new(
        b"jwt-secret-Zz9-never-printed-0123456".to_vec(),
    ));
    let debug = format!("{config:?} {config:#?}");
    assert!(!debug.contains("pw-Xq9-very-secret"), "{debug}");
    assert!(!debug.contains("jwt-secret-Zz9"), "{debug}");
    assert!(
        debug.contains("mysql://authd:<redacted>@db.internal:3306/auth"),
        "{debug}"
    );
    let target = authcore_server::store::database::StoreTarget {
        database_url: Some(url),
        data_dir: dir.path().to_path_buf(),
        pool_size: 2,
    };
    let debug = format!("{target:?}");
    assert!(!debug.contains("pw-Xq9-very-secret"), "{debug}");
}

/// Signs `username` in; `(access token, refresh token)`.
async fn session(srv: &TestServer, username: &str) -> (String, String) {
    let res = srv.signin(username, PASSWORD).await;
    assert_eq!(res.status, 200, "{res:?}");
    let v = res.json();
    (
        v["accessToken"].as_str().unwrap().to_owned(),
        v["refreshToken"].as_str().unwrap().to_owned(),
    )
}

/// Refreshes `token`, which must work; the new refresh token.
async fn rotate(srv: &TestServer, token: &str) -> String {
    let res = srv
        .post_json(REFRESH, &json!({ "refreshToken": token }))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let v = res.json();
    assert_eq!(
        srv.get_with_token("/api/test/user", v["accessToken"].as_str().unwrap())
            .await
            .status,
        200
    );
    v["refreshToken"].as_str().unwrap().to_owned()
}

async fn refused_refresh(srv: &TestServer, token: &str, message: &str) {
    srv.post_json(REFRESH, &json!({ "refreshToken": token }))
        .await
        .assert_message(403, message);
}

fn hash(token: &str) -> String {
    authcore::refresh::hash_presented(token).unwrap()
}

async fn family_rows(srv: &TestServer, token: &str) -> i64 {
    scalar(
        srv,
        "SELECT COUNT(*) FROM refresh_tokens WHERE family_id = \
         (SELECT family_id FROM refresh_tokens WHERE token_hash = ?)",
        &hash(token),
    )
    .await
    .unwrap()
}

async fn a_retry_within_grace_gets_a_pair_of_the_same_family_and_later_reuse_revokes_it(
    backend: Backend,
) {
    let srv = TestServer::start_shipped(backend).await;
    srv.signup("retry", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let (_, t0) = session(&srv, "retry").await;
    let t1 = rotate(&srv, &t0).await;
    // The answer carrying t1 was lost; the client retries with t0 within the grace: a working
    // pair of the same family, and no theft alarm.
    let t1_retry = rotate(&srv, &t0).await;
    assert_ne!(t1, t1_retry);
    assert_eq!(
        family_rows(&srv, &t1_retry).await,
        3,
        "t0, t1 and t1' in one family"
    );
    let t2 = rotate(&srv, &t1_retry).await;
    // Past the grace (the rotation is made 60 s old), presenting t0 again is a reuse: the whole
    // family is revoked, the tokens of the retry included.
    srv.exec_sql(
        "UPDATE refresh_tokens SET rotated_at = rotated_at - 60 WHERE rotated_at IS NOT NULL",
    )
    .await;
    refused_refresh(&srv, &t0, NOT_IN_DB).await;
    refused_refresh(&srv, &t2, NOT_IN_DB).await;
    refused_refresh(&srv, &t1, NOT_IN_DB).await;
    srv.stop().await;
}

async fn families_end_at_their_lifetime_cap(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    srv.signup("capped", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let before = now();
    let (_, t0) = session(&srv, "capped").await;
    let cap = scalar(
        &srv,
        "SELECT family_expires_at FROM refresh_tokens WHERE token_hash = ?",
        &hash(&t0),
    )
    .await
    .unwrap();
    let default_cap = authcore_server::config::refresh::DEFAULT_FAMILY_LIFETIME_SECONDS;
    assert!(
        (before + default_cap..=now() + default_cap).contains(&cap),
        "{cap}"
    );
    // A family 30 days old but for 2 s: its successors live 2 s more, not 30 days.
    let end = now() + 2;
    srv.exec_sql(&format!(
        "UPDATE refresh_tokens SET family_expires_at = {end} WHERE token_hash = '{}'",
        hash(&t0)
    ))
    .await;
    let t1 = rotate(&srv, &t0).await;
    let expires = scalar(
        &srv,
        "SELECT expires_at FROM refresh_tokens WHERE token_hash = ?",
        &hash(&t1),
    )
    .await
    .unwrap();
    assert_eq!(expires, end);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    refused_refresh(&srv, &t1, EXPIRED).await;
    srv.stop().await;
}

async fn spent_refresh_rows_are_pruned(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    srv.signup("pruned", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let (_, t0) = session(&srv, "pruned").await;
    // Another family whose token expired (a client that never came back).
    let (_, stale) = session(&srv, "pruned").await;
    srv.exec_sql(&format!(
        "UPDATE refresh_tokens SET expires_at = {} WHERE token_hash = '{}'",
        now() - 1,
        hash(&stale)
    ))
    .await;
    let mut token = t0;
    for _ in 0..3 {
        token = rotate(&srv, &token).await;
    }
    assert_eq!(family_rows(&srv, &token).await, 4);
    // The three rotations become older than the 7-day retention.
    srv.exec_sql(
        "UPDATE refresh_tokens SET rotated_at = rotated_at - 700000 WHERE rotated_at IS NOT NULL",
    )
    .await;
    let last = rotate(&srv, &token).await;
    let mut rows = 0;
    for _ in 0..50 {
        rows = family_rows(&srv, &last).await;
        if rows == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        rows, 2,
        "only the token just rotated (reuse detection) and the live one remain"
    );
    let stale_rows = scalar(
        &srv,
        "SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = ?",
        &hash(&stale),
    )
    .await;
    assert_eq!(stale_rows, Some(0), "the expired family was swept");
    srv.stop().await;
}

async fn tokens_from_before_the_family_cap_migrate_in_place(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    srv.signup("legacy", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let (_, old) = session(&srv, "legacy").await;
    let (config, dir, mysql) = srv.stop().await;
    // The table as it was before families had a lifetime cap.
    let srv = TestServer::start_with(backend, config.clone(), dir, mysql).await;
    srv.exec_sql("ALTER TABLE refresh_tokens DROP COLUMN family_expires_at")
        .await;
    let (_, dir, mysql) = srv.stop().await;
    let srv = TestServer::start_with(backend, config, dir, mysql).await;
    let column = scalar(
        &srv,
        "SELECT family_expires_at FROM refresh_tokens WHERE token_hash = ?",
        &hash(&old),
    )
    .await;
    assert_eq!(column, None, "the column is back, empty for the old row");
    // The old token still rotates, and its successor gets a cap.
    let next = rotate(&srv, &old).await;
    let cap = scalar(
        &srv,
        "SELECT family_expires_at FROM refresh_tokens WHERE token_hash = ?",
        &hash(&next),
    )
    .await;
    assert!(cap.is_some_and(|c| c > now()), "{cap:?}");
    srv.stop().await;
}
