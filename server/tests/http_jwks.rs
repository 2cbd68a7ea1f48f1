//! `/.well-known/jwks.json` and asymmetric access tokens over real HTTP on both backends: the
//! JWKS in HS256 and EdDSA/ES256 mode, offline verification with only the published JWKS, HS256
//! tokens still accepted when a secret is configured, and the first key generated once when
//! instances start together.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;
mod keys_support;

use authcore::tokens::Algorithm;
use authcore_server::config::JwtSecret;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http_common::{Backend, TestServer, token_for};
use keys_support::{jwks, kid_of, kids, start, start_second, verify_with_jwks};
use serde_json::{Value, json};

on_both_backends!(
    jwks_is_empty_in_hs256_mode_and_tokens_carry_no_kid,
    asymmetric_jwks_publishes_one_public_key_only,
    eddsa_token_verifies_offline_with_the_published_jwks,
    es256_token_verifies_offline_with_the_published_jwks,
    configured_hs256_secret_keeps_verifying_in_eddsa_mode,
    eddsa_mode_without_a_secret_refuses_hs256_tokens,
    instances_starting_together_generate_one_key,
    jwks_answers_head_and_only_get,
);

async fn jwks_is_empty_in_hs256_mode_and_tokens_carry_no_kid(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    assert_eq!(jwks(&srv).await, json!({"keys": []}));
    let (_, token) = srv.user_token("zkoder").await;
    let header = authcore::tokens::inspect(&token).unwrap().header;
    assert_eq!((header.alg.as_str(), header.kid), ("HS256", None));
}

async fn asymmetric_jwks_publishes_one_public_key_only(backend: Backend) {
    for (alg, kty, crv) in [
        (Algorithm::EdDSA, "OKP", "Ed25519"),
        (Algorithm::ES256, "EC", "P-256"),
    ] {
        let srv = start(backend, alg, 30).await;
        let doc = jwks(&srv).await;
        let keys = doc["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 1, "{doc}");
        let key = &keys[0];
        assert_eq!(key["kty"], kty);
        assert_eq!(key["crv"], crv);
        assert_eq!(key["alg"], alg.as_str());
        assert_eq!(key["use"], "sig");
        assert!(key["kid"].as_str().is_some_and(|k| !k.is_empty()));
        assert!(key.get("d").is_none() && key.get("k").is_none(), "{doc}");
    }
}

/// Signs in on an `alg` server and checks the token against the JWKS alone.
async fn token_verifies_offline(backend: Backend, alg: Algorithm) {
    let srv = start(backend, alg, 30).await;
    let (id, token) = srv.user_token("zkoder").await;
    let header = authcore::tokens::inspect(&token).unwrap().header;
    assert_eq!(header.alg, alg.as_str());
    assert_eq!(kids(&srv).await, [kid_of(&token)]);
    // The payload keeps the seed's exact shape.
    let payload = token.split('.').nth(1).unwrap();
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let mut names: Vec<_> = payload.as_object().unwrap().keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["exp", "iat", "id"]);
    // Offline: nothing but the fetched document.
    let body = srv.get("/.well-known/jwks.json").await.body;
    let verified = verify_with_jwks(&body, &token);
    assert_eq!(verified.claims.id, Some(id));
    // And the server itself accepts it.
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
}

async fn eddsa_token_verifies_offline_with_the_published_jwks(backend: Backend) {
    token_verifies_offline(backend, Algorithm::EdDSA).await;
}

async fn es256_token_verifies_offline_with_the_published_jwks(backend: Backend) {
    token_verifies_offline(backend, Algorithm::ES256).await;
}

async fn configured_hs256_secret_keeps_verifying_in_eddsa_mode(backend: Backend) {
    let srv = start(backend, Algorithm::EdDSA, 30).await;
    let (id, _) = srv.user_token("zkoder").await;
    // Minted by another service (or the seed) with the shared secret.
    srv.get_with_token("/api/test/user", &token_for(id))
        .await
        .assert_html(200, "User Content.");
    // The secret is never published.
    assert!(!jwks(&srv).await.to_string().contains("\"oct\""));
}

async fn eddsa_mode_without_a_secret_refuses_hs256_tokens(backend: Backend) {
    // With DATABASE_URL, HS256 mode refuses to start without a secret; EdDSA mode needs none.
    let srv = TestServer::start(backend, |c| {
        c.jwt_alg = Algorithm::EdDSA;
        c.jwt_secret = JwtSecret::Unset;
    })
    .await;
    let (id, token) = srv.user_token("zkoder").await;
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
    srv.get_with_token("/api/test/user", &token_for(id))
        .await
        .assert_message(401, "Unauthorized!");
    assert!(!srv.config.data_dir.join("jwt-secret").exists());
}

async fn instances_starting_together_generate_one_key(backend: Backend) {
    // The first server creates the database (and, for SQLite, the file) but no key yet: it runs
    // in HS256 mode. Then two EdDSA instances start at the same time on that database.
    let first = TestServer::start(backend, |_| {}).await;
    assert_eq!(jwks(&first).await, json!({"keys": []}));
    let mut config = first.config.clone();
    config.jwt_alg = Algorithm::EdDSA;
    let start_one = |config: authcore_server::Config| async move {
        let dir = tempfile::tempdir().unwrap();
        TestServer::start_with(backend, config, dir, None).await
    };
    let (a, b) = tokio::join!(start_one(config.clone()), start_one(config));
    let (ka, kb) = (kids(&a).await, kids(&b).await);
    assert_eq!(ka.len(), 1, "{ka:?}");
    assert_eq!(ka, kb);
    let (_, token) = a.user_token("zkoder").await;
    b.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
    // A third start reuses the key.
    let c = start_second(&a, 30).await;
    assert_eq!(kids(&c).await, ka);
}

async fn jwks_answers_head_and_only_get(backend: Backend) {
    let srv = start(backend, Algorithm::EdDSA, 30).await;
    let head = srv
        .send(srv.client.head(srv.url("/.well-known/jwks.json")))
        .await;
    assert_eq!((head.status, head.body.as_str()), (200, ""));
    let post = srv.post_raw("/.well-known/jwks.json", None, "").await;
    assert_eq!(post.status, 404, "{post:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eddsa_server_starts_while_mysql_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let config = authcore_server::Config {
        database_url: Some("mysql://root@127.0.0.1:1/authd".into()),
        jwt_alg: Algorithm::EdDSA,
        ..http_common::test_config(&dir)
    };
    let srv = TestServer::start_with(Backend::Mysql, config, dir, None).await;
    // No key could be read yet: nothing is published, HS256 still verifies, signin is a 503.
    assert_eq!(jwks(&srv).await, json!({"keys": []}));
    srv.signin("zkoder", http_common::PASSWORD)
        .await
        .assert_message(503, "Service unavailable");
    srv.get("/healthz")
        .await
        .assert_json(200, r#"{"status":"ok"}"#);
    srv.stop().await;
}
