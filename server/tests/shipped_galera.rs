//! What the Galera readiness check must not change: authd as shipped on SQLite and on a plain
//! MariaDB (not a Galera node: `wsrep_on` is OFF, and so is `wsrep_ready`) is ready, and serves.
//! And the refresh rule the Galera races check, on one instance: of racing refreshes of one token
//! exactly one gets 200, and its successor works. The Galera cluster itself is exercised by
//! `tests/galera/run.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::sync::Arc;

use authcore_server::config::JwtSecret;
use http_common::{Backend, MysqlDb, PASSWORD, TestServer, shipped_config};
use serde_json::json;
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

async fn racing_refreshes_each_winner_gets_a_stored_working_successor(backend: Backend) {
    let srv = Arc::new(shipped(backend).await);
    assert_eq!(srv.signup("galerarace", None).await.status, 200);
    for _ in 0..5 {
        let token = srv.signin("galerarace", PASSWORD).await.json()["refreshToken"]
            .as_str()
            .unwrap()
            .to_owned();
        let body = json!({ "refreshToken": token });
        let racers: Vec<_> = (0..16)
            .map(|_| {
                let (srv, body) = (Arc::clone(&srv), body.clone());
                tokio::spawn(async move { srv.post_json("/api/auth/refreshtoken", &body).await })
            })
            .collect();
        let mut answers = Vec::new();
        for racer in racers {
            answers.push(racer.await.unwrap());
        }
        // Within the reuse grace a presented token may win more than once (idempotent retry),
        // up to the family's live-token cap; every winner's successor must be stored and work.
        let winners: Vec<_> = answers.iter().filter(|r| r.status == 200).collect();
        let cap = usize::try_from(authcore::refresh::MAX_LIVE_TOKENS_PER_FAMILY).unwrap();
        assert!(
            (1..=cap).contains(&winners.len()),
            "{:?}",
            answers.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        assert!(answers.iter().all(|r| r.status == 200 || r.status == 403));
        for winner in winners {
            let successor = json!({ "refreshToken": winner.json()["refreshToken"] });
            let next = srv.post_json("/api/auth/refreshtoken", &successor).await;
            assert_eq!(next.status, 200, "{}", next.body);
        }
    }
}

on_both_backends!(
    readyz_is_200_and_signup_works_when_not_a_galera_node,
    racing_refreshes_each_winner_gets_a_stored_working_successor,
);
