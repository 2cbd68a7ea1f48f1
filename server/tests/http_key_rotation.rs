//! Key rotation over real HTTP on both backends: `authd keys rotate` (library call and the real
//! binary), old tokens accepted until their key's window passes, retired keys leaving the JWKS,
//! and a second instance on the same database honouring keys it has not loaded yet.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;
mod keys_support;

use std::process::Command;

use authcore::tokens::Algorithm;
use http_common::{Backend, TestServer};
use keys_support::{
    kid_of, kids, rotate, start, start_second, verify_with_jwks, wait_accepted, wait_for_kids,
};

const AUTHD: &str = env!("CARGO_BIN_EXE_authd");

on_both_backends!(
    rotation_signs_with_the_new_key_and_keeps_old_tokens_valid,
    retired_key_leaves_the_jwks_after_ttl_and_leeway,
    keys_rotate_binary_prints_the_new_kid,
    keys_rotate_refuses_hs256,
    second_instance_reloads_on_an_unknown_kid,
);

async fn rotation_signs_with_the_new_key_and_keeps_old_tokens_valid(backend: Backend) {
    let srv = start(backend, Algorithm::EdDSA, 1).await;
    let (_, old_token) = srv.user_token("zkoder").await;
    let old_kid = kid_of(&old_token);
    let new_kid = rotate(&srv).await;
    assert_ne!(new_kid, old_kid);
    let published = wait_for_kids(&srv, |k| k.len() == 2).await;
    assert_eq!(published, [new_kid.clone(), old_kid.clone()]);
    let (_, new_token) = srv.token_of("zkoder", http_common::PASSWORD).await;
    assert_eq!(kid_of(&new_token), new_kid);
    for token in [&old_token, &new_token] {
        srv.get_with_token("/api/test/user", token)
            .await
            .assert_html(200, "User Content.");
    }
    // A relying party with the new JWKS verifies both.
    let body = srv.get("/.well-known/jwks.json").await.body;
    verify_with_jwks(&body, &old_token);
    verify_with_jwks(&body, &new_token);
}

async fn retired_key_leaves_the_jwks_after_ttl_and_leeway(backend: Backend) {
    // TTL 60 s (the shortest allowed), leeway 60 s, reload 1 s: a retired key verifies for 121 s.
    let srv = TestServer::start(backend, |c| {
        c.jwt_alg = Algorithm::EdDSA;
        c.token_ttl_seconds = 60;
        c.key_reload_interval = std::time::Duration::from_secs(1);
    })
    .await;
    let (_, old_token) = srv.user_token("zkoder").await;
    let new_kid = rotate(&srv).await;
    wait_for_kids(&srv, |k| k.len() == 2).await;
    // Pretend the rotation happened 100 s ago: still inside the window.
    srv.exec_sql(
        "UPDATE signing_keys SET retired_at = retired_at - 100 WHERE retired_at IS NOT NULL",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(kids(&srv).await.len(), 2);
    srv.get_with_token("/api/test/user", &old_token)
        .await
        .assert_html(200, "User Content.");
    // 130 s ago: every token it signed has expired, so it is gone from the JWKS and the verifier.
    srv.exec_sql(
        "UPDATE signing_keys SET retired_at = retired_at - 30 WHERE retired_at IS NOT NULL",
    )
    .await;
    assert_eq!(wait_for_kids(&srv, |k| k.len() == 1).await, [new_kid]);
    srv.get_with_token("/api/test/user", &old_token)
        .await
        .assert_message(401, "Unauthorized!");
}

/// `authd keys rotate` with the server's store settings in a clean environment.
fn rotate_binary(srv: &TestServer, alg: &str) -> std::process::Output {
    let mut cmd = Command::new(AUTHD);
    cmd.env_clear()
        .env("RUST_LOG", "warn")
        .env("AUTHD_JWT_ALG", alg)
        .env("AUTHD_DATA_DIR", &srv.config.data_dir)
        .args(["keys", "rotate"]);
    if let Some(url) = &srv.config.database_url {
        cmd.env("DATABASE_URL", url);
    }
    cmd.output().unwrap()
}

async fn keys_rotate_binary_prints_the_new_kid(backend: Backend) {
    let srv = start(backend, Algorithm::ES256, 1).await;
    let old = kids(&srv).await;
    let out = rotate_binary(&srv, "ES256");
    assert!(out.status.success(), "{out:?}");
    let kid = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(kid.len(), 22, "{kid:?}");
    let published = wait_for_kids(&srv, |k| k.len() == 2).await;
    assert_eq!(published, [kid.clone(), old[0].clone()]);
    let (_, token) = srv.user_token("zkoder").await;
    assert_eq!(kid_of(&token), kid);
}

async fn keys_rotate_refuses_hs256(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    let out = rotate_binary(&srv, "HS256");
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("HS256"), "{stderr}");
    let out = rotate_binary(&srv, "RS256");
    assert!(!out.status.success());
}

async fn second_instance_reloads_on_an_unknown_kid(backend: Backend) {
    // A reloads every second; B only hourly, so only an unknown kid can make it reload.
    let a = start(backend, Algorithm::EdDSA, 1).await;
    let b = start_second(&a, 3600).await;
    let first = kids(&a).await;
    assert_eq!(kids(&b).await, first);
    let new_kid = rotate(&a).await;
    wait_for_kids(&a, |k| k.len() == 2).await;
    let (_, token) = a.user_token("zkoder").await;
    assert_eq!(kid_of(&token), new_kid);
    assert_eq!(kids(&b).await, first, "B has not reloaded by itself");
    let refused = wait_accepted(&b, "/api/test/user", &token).await;
    assert!(refused <= 20, "B took {refused} tries");
    assert_eq!(kids(&b).await, [new_kid, first[0].clone()]);
    // And B now signs with the new key too.
    let (_, from_b) = b.token_of("zkoder", http_common::PASSWORD).await;
    assert_eq!(kid_of(&from_b), kid_of(&token));
}
