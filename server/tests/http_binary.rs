//! The `authd` binary as an operator runs it: `--help`, env configuration, the admin bootstrap
//! through env variables, `authd user create`, refusals of unsafe configurations, SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use http_common::{Backend, MysqlDb, PASSWORD, Resp, client};
use serde_json::json;

const AUTHD: &str = env!("CARGO_BIN_EXE_authd");

on_both_backends!(
    bootstrap_admin_from_env_variables_can_sign_in,
    user_create_command_makes_an_admin,
);

/// `authd` with a clean environment plus `vars`.
fn authd(vars: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(AUTHD);
    cmd.env_clear().env("RUST_LOG", "warn");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

/// Env for `backend`: SQLite in `dir`, or MySQL on a fresh database with a shared secret.
async fn store_env(backend: Backend, dir: &Path) -> (Vec<(String, String)>, Option<MysqlDb>) {
    let mut vars = vec![
        ("AUTHD_DATA_DIR".to_owned(), dir.display().to_string()),
        ("AUTHD_BCRYPT_COST".to_owned(), "4".to_owned()),
    ];
    let db = match backend {
        Backend::Sqlite => None,
        Backend::Mysql => {
            let db = MysqlDb::create().await;
            vars.push(("DATABASE_URL".into(), db.url()));
            vars.push((
                "AUTHD_JWT_SECRET".into(),
                "a-shared-secret-of-at-least-32-bytes!!".into(),
            ));
            Some(db)
        }
    };
    (vars, db)
}

/// A running `authd` and its base URL (read from its `authd listening on` line).
struct Authd {
    child: Child,
    base: String,
}

impl Authd {
    fn spawn(mut cmd: Command) -> Authd {
        let mut child = cmd
            .env("PORT", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("authd listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Authd { child, base }
    }

    async fn signin(&self, username: &str, password: &str) -> Resp {
        let res = client()
            .post(format!("{}/api/auth/signin", self.base))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        Resp {
            status,
            headers,
            body: res.text().await.unwrap(),
        }
    }

    /// SIGTERM, then the exit status must be success (graceful shutdown).
    fn terminate(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        for _ in 0..100 {
            if let Some(exit) = self.child.try_wait().unwrap() {
                assert!(exit.success(), "authd exited with {exit}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("authd did not stop on SIGTERM");
    }
}

async fn wait_for_token(authd: &Authd, username: &str, password: &str) -> String {
    for _ in 0..100 {
        let res = authd.signin(username, password).await;
        if res.status == 200 {
            return res.json()["accessToken"].as_str().unwrap().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{username} never could sign in");
}

async fn admin_content(base: &str, token: &str) -> (u16, String) {
    let res = client()
        .get(format!("{base}/api/test/admin"))
        .header("x-access-token", token)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn bootstrap_admin_from_env_variables_can_sign_in(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (vars, _db) = store_env(backend, dir.path()).await;
    let mut cmd = authd(&[
        ("AUTHD_BOOTSTRAP_ADMIN_USERNAME", "root"),
        ("AUTHD_BOOTSTRAP_ADMIN_EMAIL", "root@x.com"),
        ("AUTHD_BOOTSTRAP_ADMIN_PASSWORD", "root-password"),
    ]);
    cmd.envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let server = Authd::spawn(cmd);
    let token = wait_for_token(&server, "root", "root-password").await;
    let res = server.signin("root", "root-password").await;
    assert_eq!(res.json()["roles"], json!(["ROLE_ADMIN"]));
    assert_eq!(
        admin_content(&server.base, &token).await,
        (200, "Admin Content.".to_owned())
    );
    server.terminate();
    if backend == Backend::Sqlite {
        // Embedded mode generated its secret once, private to the owner, and reuses it.
        use std::os::unix::fs::PermissionsExt;
        let secret = dir.path().join("jwt-secret");
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let mut cmd = authd(&[]);
        cmd.envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let again = Authd::spawn(cmd);
        assert_eq!(
            admin_content(&again.base, &token).await,
            (200, "Admin Content.".to_owned()),
            "tokens survive a restart with the generated secret"
        );
        again.terminate();
    }
}

async fn user_create_command_makes_an_admin(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (vars, _db) = store_env(backend, dir.path()).await;
    let envs = || vars.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    // Password from the env variable.
    let out = authd(&[("AUTHD_USER_PASSWORD", "root-password")])
        .envs(envs())
        .args([
            "user",
            "create",
            "--username",
            "root",
            "--email",
            "root@x.com",
            "--role",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("created user \"root\""), "{stdout}");
    assert!(stdout.contains("admin"), "{stdout}");
    // Password from stdin; default role user.
    let mut child = authd(&[])
        .envs(envs())
        .args([
            "user",
            "create",
            "--username",
            "piped",
            "--email",
            "piped@x.com",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Refusals: a taken username, an unknown role, a weak password.
    for (args, message) in [
        (
            vec!["--username", "root", "--email", "other@x.com"],
            "already in use",
        ),
        (
            vec!["--username", "x1x", "--email", "x1@x.com", "--role", "boss"],
            "Role does not exist = boss",
        ),
    ] {
        let out = authd(&[("AUTHD_USER_PASSWORD", "root-password")])
            .envs(envs())
            .args(["user", "create"])
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
    }
    let out = authd(&[("AUTHD_USER_PASSWORD", "123")])
        .envs(envs())
        .args([
            "user",
            "create",
            "--username",
            "weak",
            "--email",
            "weak@x.com",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());

    let mut cmd = authd(&[]);
    cmd.envs(envs());
    let server = Authd::spawn(cmd);
    let token = wait_for_token(&server, "root", "root-password").await;
    assert_eq!(admin_content(&server.base, &token).await.0, 200);
    let res = server.signin("piped", PASSWORD).await;
    assert_eq!(res.json()["roles"], json!(["ROLE_USER"]));
    server.terminate();
}

#[test]
fn help_explains_the_configuration() {
    let out = authd(&[]).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for var in [
        "PORT",
        "AUTHD_BIND",
        "DATABASE_URL",
        "AUTHD_DATA_DIR",
        "AUTHD_DB_POOL_SIZE",
        "AUTHD_CORS_ORIGINS",
        "AUTHD_TOKEN_TTL_SECONDS",
        "AUTHD_BCRYPT_COST",
        "AUTHD_ROLE_CACHE_MS",
        "AUTHD_JWT_SECRET",
        "JWT_SECRET",
        "--jwt-secret-file",
        "AUTHD_PRODUCTION",
        "AUTHD_BOOTSTRAP_ADMIN_USERNAME",
        "AUTHD_BOOTSTRAP_ADMIN_PASSWORD",
        "RUST_LOG",
        "0.0.0.0",
    ] {
        assert!(help.contains(var), "--help does not mention {var}:\n{help}");
    }
    let out = authd(&[])
        .args(["user", "create", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--role"));
}

/// Runs authd expecting it to refuse to start; returns its stderr.
fn refused(vars: &[(&str, &str)], args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let out = authd(vars)
        .env("AUTHD_DATA_DIR", &data)
        .env("PORT", "0")
        .args(args)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "authd started with {vars:?} {args:?}"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn unsafe_or_invalid_configurations_are_refused_with_clear_messages() {
    let err = refused(&[("DATABASE_URL", "mysql://root@127.0.0.1:1/x")], &[]);
    assert!(err.contains("AUTHD_JWT_SECRET"), "{err}");
    let err = refused(&[], &["--production"]);
    assert!(err.contains("production"), "{err}");
    let err = refused(
        &[("AUTHD_PRODUCTION", "1"), ("JWT_SECRET", "your-secret-key")],
        &[],
    );
    assert!(err.contains("published"), "{err}");
    let err = refused(&[("AUTHD_BCRYPT_COST", "3")], &[]);
    assert!(err.contains("AUTHD_BCRYPT_COST"), "{err}");
    let err = refused(&[("AUTHD_CORS_ORIGINS", "localhost:8081")], &[]);
    assert!(err.contains("AUTHD_CORS_ORIGINS"), "{err}");
    let err = refused(&[("AUTHD_BOOTSTRAP_ADMIN_USERNAME", "root")], &[]);
    assert!(err.contains("AUTHD_BOOTSTRAP_ADMIN_PASSWORD"), "{err}");
    let err = refused(&[("AUTHD_BIND", "everywhere")], &[]);
    assert!(err.contains("AUTHD_BIND"), "{err}");
}
