//! What the Galera readiness check must not change: authd as shipped on SQLite and on a plain
//! MariaDB (not a Galera node: `wsrep_on` is OFF, and so is `wsrep_ready`) is ready, and serves.
//! The Galera cluster itself is exercised by `tests/galera/run.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use authcore_server::config::JwtSecret;
use http_common::{Backend, MysqlDb, TestServer, shipped_config};
use zeroize::Zeroizing;

/// authd as shipped; with MariaDB it needs the shared JWT secret every instance is given.
async fn shipped(backend: Backend) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mysql = match backend {
        Backend::Sqlite => None,
        Backend::Mysql => Some(MysqlDb::create().await),
    };
    let mut config = shipped_config(&dir, mysql.as_ref().map(MysqlDb::url));
    if mysql.is_some() {
        config.jwt_secret = JwtSecret::Value(Zeroizing::new(vec![7u8; 32]));
    }
    TestServer::start_with(backend, config, dir, mysql).await
}

async fn readyz_is_200_and_signup_works_when_not_a_galera_node(backend: Backend) {
    let srv = shipped(backend).await;
    srv.get("/readyz")
        .await
        .assert_json(200, r#"{"status":"ok"}"#);
    let res = srv.signup("galeraplain", None).await;
    assert_eq!(res.status, 200, "{}", res.body);
    srv.get("/readyz")
        .await
        .assert_json(200, r#"{"status":"ok"}"#);
}

on_both_backends!(readyz_is_200_and_signup_works_when_not_a_galera_node);
