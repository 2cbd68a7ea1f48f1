//! Password reset by email against authd as shipped plus SMTP settings, on both backends, with a
//! real SMTP server (Python's aiosmtpd from PyPI, in target/venv-aiosmtpd, see `smtp_venv.sh`) on
//! 127.0.0.1: the delivered message is read, its token followed, the password reset over HTTP.
//! Without SMTP settings the routes answer 501.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use authcore_server::reset_mail::ResetMailConfig;
use http_common::{Backend, MysqlDb, PASSWORD, TestServer, shipped_config};
use serde_json::json;

const FORGOT: &str = "/api/auth/password/forgot";
const RESET: &str = "/api/auth/password/reset";
const NEW_PASSWORD: &str = "reset-password-1";
const LINK: &str = "http://app.example/reset?token=";

on_both_backends!(
    without_smtp_settings_the_reset_routes_answer_501,
    a_mailed_token_resets_the_password_once_and_revokes_everything,
    reset_requests_look_the_same_for_known_and_unknown_emails,
);

/// aiosmtpd on a free port of 127.0.0.1, writing each message into a maildir.
struct Smtp {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Smtp {
    async fn start() -> Smtp {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_venv.sh");
        let out = Command::new("bash").arg(script).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let python = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("mail");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Smtp {
            child,
            port,
            maildir,
            _dir: dir,
        }
    }

    /// The delivered messages so far.
    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    }

    /// Waits for the `n`th message and returns the token of its link.
    async fn token(&self, n: usize) -> (String, String) {
        let started = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                let mut tokens: Vec<(String, String)> =
                    messages.iter().map(|m| (m.clone(), token_in(m))).collect();
                tokens.sort();
                return tokens.pop().unwrap();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no mail arrived"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn token_in(message: &str) -> String {
    let at = message
        .find(LINK)
        .unwrap_or_else(|| panic!("no link in {message}"));
    message[at + LINK.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// authd as shipped, plus SMTP settings pointing at `smtp`.
async fn start(backend: Backend, smtp: &Smtp) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mysql = match backend {
        Backend::Sqlite => None,
        Backend::Mysql => Some(MysqlDb::create().await),
    };
    let mut config = shipped_config(&dir, mysql.as_ref().map(MysqlDb::url));
    config.reset_mail = ResetMailConfig::from_parts(
        Some("127.0.0.1".to_owned()),
        Some(smtp.port),
        None,
        None,
        "none",
        Some("authd@example.com".to_owned()),
        format!("{LINK}{{token}}"),
        900,
    )
    .unwrap();
    TestServer::start_with(backend, config, dir, mysql).await
}

async fn without_smtp_settings_the_reset_routes_answer_501(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    srv.post_json(FORGOT, &json!({"email": "a@x.com"}))
        .await
        .assert_message(501, "Password reset by email is not configured.");
    srv.post_json(RESET, &json!({"token": "abc", "newPassword": NEW_PASSWORD}))
        .await
        .assert_message(501, "Password reset by email is not configured.");
}

async fn a_mailed_token_resets_the_password_once_and_revokes_everything(backend: Backend) {
    let smtp = Smtp::start().await;
    let srv = start(backend, &smtp).await;
    let (_, old_token) = srv.user_token("lena").await;
    let sent = "If an account has this email, a reset link was sent to it.";
    srv.post_json(FORGOT, &json!({"email": "LENA@x.com"}))
        .await
        .assert_message(200, sent);
    let (first_mail, first) = smtp.token(1).await;
    assert!(first_mail.contains("To: LENA@x.com"), "{first_mail}");
    assert!(
        first_mail.contains("Content-Transfer-Encoding: 7bit"),
        "{first_mail}"
    );
    assert!(first.len() >= 43, "256-bit token: {first}");
    // A newer token replaces the first.
    srv.post_json(FORGOT, &json!({"email": "lena@x.com"}))
        .await
        .assert_message(200, sent);
    let started = Instant::now();
    let second = loop {
        let tokens: Vec<String> = smtp.messages().iter().map(|m| token_in(m)).collect();
        if let Some(t) = tokens.into_iter().find(|t| *t != first) {
            break t;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no second mail"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let invalid = "Reset token is invalid or expired.";
    srv.post_json(RESET, &json!({"token": first, "newPassword": NEW_PASSWORD}))
        .await
        .assert_message(400, invalid);
    srv.post_json(RESET, &json!({"token": second, "newPassword": "short"}))
        .await
        .assert_message(400, "Password must be at least 6 characters.");
    srv.post_json(
        RESET,
        &json!({"token": second, "newPassword": NEW_PASSWORD}),
    )
    .await
    .assert_message(200, "Password was reset! Sign in with the new password.");
    srv.post_json(
        RESET,
        &json!({"token": second, "newPassword": "another-one"}),
    )
    .await
    .assert_message(400, invalid);
    srv.get_with_token("/api/test/user", &old_token)
        .await
        .assert_message(401, "Unauthorized!");
    assert_eq!(srv.signin("lena", PASSWORD).await.status, 401);
    let (_, token) = srv.token_of("lena", NEW_PASSWORD).await;
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn reset_requests_look_the_same_for_known_and_unknown_emails(backend: Backend) {
    let smtp = Smtp::start().await;
    let srv = start(backend, &smtp).await;
    srv.user_token("mona").await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..20 {
        for (email, times) in [("mona@x.com", &mut known), ("nobody@x.com", &mut unknown)] {
            let started = Instant::now();
            let res = srv.post_json(FORGOT, &json!({ "email": email })).await;
            times.push(started.elapsed());
            res.assert_message(
                200,
                "If an account has this email, a reset link was sent to it.",
            );
        }
        if i % 5 == 4 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let (kmin, kmax) = (known.iter().min().unwrap(), known.iter().max().unwrap());
    let (umin, umax) = (unknown.iter().min().unwrap(), unknown.iter().max().unwrap());
    eprintln!(
        "forgot timing ({backend:?}, 20 each): known median {:?} (min {kmin:?}, max {kmax:?}); \
         unknown median {:?} (min {umin:?}, max {umax:?})",
        median(known.clone()),
        median(unknown.clone())
    );
    // Mail goes only to the existing address.
    smtp.token(1).await;
    for m in smtp.messages() {
        assert!(!m.contains("nobody@x.com"), "{m}");
    }
}
