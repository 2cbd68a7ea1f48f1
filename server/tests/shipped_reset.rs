//! Password reset by email against authd as shipped plus SMTP settings, on both backends, with a
//! real SMTP server (Python's aiosmtpd from PyPI, in target/venv-aiosmtpd, see `smtp_venv.sh`) on
//! 127.0.0.1: the delivered message is read, its token followed, the password reset over HTTP.
//! Without SMTP settings the routes answer 501.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::{Duration, Instant};

use authcore_server::config::mail::ResetMailConfig;
use http_common::smtp::{Smtp, token_in};
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
        "http://localhost:8081/verify-email?token={token}".to_owned(),
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
    let (first_mail, first) = smtp.token(1, LINK).await;
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
        let tokens: Vec<String> = smtp.messages().iter().map(|m| token_in(m, LINK)).collect();
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
    smtp.token(1, LINK).await;
    for m in smtp.messages() {
        assert!(!m.contains("nobody@x.com"), "{m}");
    }
}
