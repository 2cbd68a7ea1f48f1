//! Email verification (`AUTHD_EMAIL_VERIFICATION`, off by default) against authd as shipped plus
//! SMTP settings, on both backends, with a real SMTP server (aiosmtpd, `http_common::smtp`):
//! signup mails a link, signin answers 403 until its token is followed, once. Off, signup and
//! signin behave as the seed's; accounts from before it was turned on count as verified.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::Duration;

use authcore_server::Config;
use authcore_server::config::mail::ResetMailConfig;
use http_common::smtp::Smtp;
use http_common::{Backend, MysqlDb, PASSWORD, TestServer, shipped_config};
use serde_json::json;

const VERIFY: &str = "/api/auth/verify-email";
/// Short enough for a 7bit mail line with a 43-char token (a longer line is encoded otherwise).
const LINK: &str = "http://app.example/verify?t=";
const NOT_VERIFIED: &str = "Email is not verified.";
const INVALID: &str = "Verification token is invalid or expired.";
const REGISTERED: &str = "User was registered successfully!";

on_both_backends!(
    off_by_default_signup_and_signin_are_unchanged,
    a_mailed_link_verifies_the_account_once,
    accounts_from_before_verification_was_on_count_as_verified,
);

fn with_smtp(config: &mut Config, smtp: &Smtp) {
    config.reset_mail = ResetMailConfig::from_parts(
        Some("127.0.0.1".to_owned()),
        Some(smtp.port),
        None,
        None,
        "none",
        Some("authd@example.com".to_owned()),
        "http://app.example/reset?token={token}".to_owned(),
        900,
        format!("{LINK}{{token}}"),
    )
    .unwrap();
}

/// authd as shipped plus SMTP settings pointing at `smtp`, verification as `verification`.
async fn start(backend: Backend, smtp: &Smtp, verification: bool) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mysql = match backend {
        Backend::Sqlite => None,
        Backend::Mysql => Some(MysqlDb::create().await),
    };
    let mut config = shipped_config(&dir, mysql.as_ref().map(MysqlDb::url));
    with_smtp(&mut config, smtp);
    config.email_verification = verification;
    TestServer::start_with(backend, config, dir, mysql).await
}

#[test]
fn verification_without_smtp_settings_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = shipped_config(&dir, None);
    assert!(config.validate().is_ok());
    config.email_verification = true;
    let err = config.validate().unwrap_err().to_string();
    assert!(err.contains("AUTHD_EMAIL_VERIFICATION"), "{err}");
    assert!(err.contains("AUTHD_SMTP_HOST"), "{err}");
}

async fn off_by_default_signup_and_signin_are_unchanged(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    srv.signup("olga", None)
        .await
        .assert_message(200, REGISTERED);
    assert_eq!(srv.signin("olga", PASSWORD).await.status, 200);
    srv.post_json(VERIFY, &json!({"token": "abc"}))
        .await
        .assert_message(501, "Email verification is not enabled.");
    // SMTP configured but verification off: no mail, signin at once.
    let smtp = Smtp::start().await;
    let srv = start(backend, &smtp, false).await;
    srv.signup("otto", None)
        .await
        .assert_message(200, REGISTERED);
    assert_eq!(srv.signin("otto", PASSWORD).await.status, 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(smtp.messages().is_empty(), "{:?}", smtp.messages());
}

async fn a_mailed_link_verifies_the_account_once(backend: Backend) {
    let smtp = Smtp::start().await;
    let srv = start(backend, &smtp, true).await;
    srv.signup("vera", None)
        .await
        .assert_message(200, REGISTERED);
    srv.signin("vera", PASSWORD)
        .await
        .assert_message(403, NOT_VERIFIED);
    // A wrong password is still just wrong.
    assert_eq!(srv.signin("vera", "wrong-password").await.status, 401);
    let (mail, token) = smtp.token(1, LINK).await;
    assert!(mail.contains("To: vera@x.com"), "{mail}");
    assert!(
        mail.contains("Subject: Verify your email address"),
        "{mail}"
    );
    assert!(mail.contains("Content-Transfer-Encoding: 7bit"), "{mail}");
    assert!(token.len() >= 43, "256-bit token: {token}");
    srv.post_json(VERIFY, &json!({}))
        .await
        .assert_message(400, "token is required.");
    srv.post_json(VERIFY, &json!({"token": format!("{token}x")}))
        .await
        .assert_message(400, INVALID);
    srv.signin("vera", PASSWORD)
        .await
        .assert_message(403, NOT_VERIFIED);
    srv.post_json(VERIFY, &json!({ "token": token }))
        .await
        .assert_message(200, "Email was verified! You can sign in now.");
    srv.post_json(VERIFY, &json!({ "token": token }))
        .await
        .assert_message(400, INVALID);
    let (_, access) = srv.token_of("vera", PASSWORD).await;
    srv.get_with_token("/api/test/user", &access)
        .await
        .assert_html(200, "User Content.");
}

async fn accounts_from_before_verification_was_on_count_as_verified(backend: Backend) {
    let smtp = Smtp::start().await;
    let srv = start(backend, &smtp, false).await;
    srv.signup("paul", None)
        .await
        .assert_message(200, REGISTERED);
    srv.signup("quinn", None)
        .await
        .assert_message(200, REGISTERED);
    // Back to the schema of the previous version: no `email_verified` column.
    srv.exec_sql("ALTER TABLE users DROP COLUMN email_verified")
        .await;
    let (mut config, dir, mysql) = srv.stop().await;
    config.email_verification = true;
    let srv = TestServer::start_with(backend, config, dir, mysql).await;
    assert_eq!(srv.signin("paul", PASSWORD).await.status, 200);
    assert_eq!(srv.signin("quinn", PASSWORD).await.status, 200);
    srv.signup("rita", None)
        .await
        .assert_message(200, REGISTERED);
    srv.signin("rita", PASSWORD)
        .await
        .assert_message(403, NOT_VERIFIED);
}
