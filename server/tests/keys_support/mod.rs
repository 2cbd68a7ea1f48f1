//! Helpers of the key suites: servers in EdDSA/ES256 mode, the JWKS, offline verification and
//! `authd keys rotate` (library and binary).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    dead_code,
    unused_imports
)]

use std::time::Duration;

use authcore::tokens::{Algorithm, KeySet, VerifiedToken, Verifier, VerifyOptions, inspect};
use authcore_server::cli::StoreArgs;
use authcore_server::cli::keys::{KeysRotateArgs, rotate_command};
use serde_json::Value;

use crate::http_common::{Backend, TestServer};

/// A server signing with `alg`, reloading its keys every `reload` seconds.
pub async fn start(backend: Backend, alg: Algorithm, reload: u64) -> TestServer {
    TestServer::start(backend, |c| {
        c.jwt_alg = alg;
        c.key_reload_interval = Duration::from_secs(reload);
    })
    .await
}

/// A second server on `first`'s database (same SQLite file or MariaDB database).
pub async fn start_second(first: &TestServer, reload: u64) -> TestServer {
    let mut config = first.config.clone();
    config.key_reload_interval = Duration::from_secs(reload);
    let dir = tempfile::tempdir().unwrap();
    TestServer::start_with(first.backend, config, dir, None).await
}

/// `GET /.well-known/jwks.json` as JSON (status, type and caching checked).
pub async fn jwks(srv: &TestServer) -> Value {
    let res = srv.get("/.well-known/jwks.json").await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.content_type(), "application/json");
    assert_eq!(res.header("cache-control"), Some("public, max-age=300"));
    res.json()
}

/// The kids of the published keys, in order.
pub async fn kids(srv: &TestServer) -> Vec<String> {
    jwks(srv).await["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// Polls `kids` until `done` holds (10 s at most).
pub async fn wait_for_kids(srv: &TestServer, done: impl Fn(&[String]) -> bool) -> Vec<String> {
    for _ in 0..100 {
        let now = kids(srv).await;
        if done(&now) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "JWKS never reached the expected state: {:?}",
        kids(srv).await
    );
}

/// The `kid` of a token's header.
pub fn kid_of(token: &str) -> String {
    inspect(token).unwrap().header.kid.unwrap()
}

/// Verifies `token` offline with nothing but a JWKS document.
pub fn verify_with_jwks(jwks_json: &str, token: &str) -> VerifiedToken {
    let keys = KeySet::from_jwks_json(jwks_json).unwrap();
    Verifier::with_system_clock(keys, VerifyOptions::default())
        .verify(token)
        .unwrap()
}

/// The arguments `authd keys rotate` would get from the server's environment.
pub fn rotate_args(srv: &TestServer) -> KeysRotateArgs {
    KeysRotateArgs {
        jwt_alg: srv.config.jwt_alg.as_str().to_owned(),
        store: StoreArgs {
            database_url: srv.config.database_url.clone(),
            data_dir: srv.config.data_dir.clone(),
            db_pool_size: 2,
            bcrypt_cost: 4,
        },
    }
}

/// `authd keys rotate` as a library call; returns the new kid.
pub async fn rotate(srv: &TestServer) -> String {
    rotate_command(rotate_args(srv)).await.unwrap()
}

/// Polls `GET path` with `token` until 200 (10 s at most); returns how many 401s came first.
pub async fn wait_accepted(srv: &TestServer, path: &str, token: &str) -> usize {
    for refused in 0..100 {
        let res = srv.get_with_token(path, token).await;
        if res.status == 200 {
            return refused;
        }
        assert_eq!(res.status, 401, "{res:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("token never accepted");
}
