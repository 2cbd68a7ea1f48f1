//! Refresh tokens and sign-out over real HTTP on both backends: rotation, the three 403 answers,
//! expiry, reuse inside and outside the grace interval, and sign-out of one family or all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::Duration;

use authcore_server::Config;
use http_common::{Backend, PASSWORD, Resp, TestServer};
use serde_json::{Value, json};

const REFRESH: &str = "/api/auth/refreshtoken";
const SIGNOUT: &str = "/api/auth/signout";
const REQUIRED: &str = "Refresh Token is required!";
const NOT_IN_DB: &str = "Refresh token is not in database!";
const EXPIRED: &str = "Refresh token was expired. Please make a new signin request";

on_both_backends!(
    signin_returns_a_refresh_token_that_rotates,
    missing_or_unknown_refresh_tokens_get_403,
    reuse_within_the_grace_interval_gets_a_pair_of_the_same_family,
    reuse_after_the_grace_interval_revokes_the_family,
    expired_refresh_tokens_are_refused,
    signout_revokes_one_family_or_every_session,
    signout_needs_an_access_token,
);

/// A server with refresh tokens on, `tweak` applied on top.
async fn server(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestServer {
    TestServer::start(backend, |c| {
        c.refresh.enabled = true;
        tweak(c);
    })
    .await
}

/// Signs in `username` (signing up first when `signup`); `(id, access, refresh)`.
async fn session(srv: &TestServer, username: &str, signup: bool) -> (i64, String, String) {
    if signup {
        assert_eq!(srv.signup(username, None).await.status, 200);
    }
    let res = srv.signin(username, PASSWORD).await;
    assert_eq!(res.status, 200, "{res:?}");
    let v = res.json();
    (
        v["id"].as_i64().unwrap(),
        v["accessToken"].as_str().unwrap().to_owned(),
        v["refreshToken"].as_str().unwrap().to_owned(),
    )
}

async fn refresh(srv: &TestServer, token: &str) -> Resp {
    srv.post_json(REFRESH, &json!({ "refreshToken": token }))
        .await
}

/// Refreshes (must succeed); `(access, refresh)`.
async fn rotate(srv: &TestServer, token: &str) -> (String, String) {
    let res = refresh(srv, token).await;
    assert_eq!(res.status, 200, "{res:?}");
    let v = res.json();
    assert!(res.body.starts_with(r#"{"accessToken":""#), "{}", res.body);
    assert_eq!(v.as_object().unwrap().len(), 2);
    (
        v["accessToken"].as_str().unwrap().to_owned(),
        v["refreshToken"].as_str().unwrap().to_owned(),
    )
}

async fn signin_returns_a_refresh_token_that_rotates(backend: Backend) {
    let srv = server(backend, |_| {}).await;
    srv.signup("zkoder", None).await;
    let res = srv.signin("zkoder", PASSWORD).await;
    let v = res.json();
    let (id, access, token) = (
        v["id"].as_i64().unwrap(),
        v["accessToken"].as_str().unwrap(),
        v["refreshToken"].as_str().unwrap(),
    );
    assert_eq!(
        res.body,
        format!(
            r#"{{"id":{id},"username":"zkoder","email":"zkoder@x.com","roles":["ROLE_USER"],"accessToken":"{access}","refreshToken":"{token}"}}"#
        )
    );
    assert_eq!(token.len(), 43);
    let (access2, token2) = rotate(&srv, token).await;
    assert_ne!(token2, token);
    srv.get_with_token("/api/test/user", &access2)
        .await
        .assert_html(200, "User Content.");
    let (_, token3) = rotate(&srv, &token2).await;
    assert_ne!(token3, token2);
    srv.stop().await;
}

async fn missing_or_unknown_refresh_tokens_get_403(backend: Backend) {
    let srv = server(backend, |_| {}).await;
    for body in [
        json!({}),
        json!({"refreshToken": ""}),
        json!({"refreshToken": 5}),
        json!({"refreshToken": null}),
        json!({"refreshToken": ["x"]}),
    ] {
        srv.post_json(REFRESH, &body)
            .await
            .assert_message(403, REQUIRED);
    }
    srv.post_raw(REFRESH, None, "refreshToken=x")
        .await
        .assert_message(403, REQUIRED);
    for token in ["a.b.c", "not a token", &"x".repeat(200), &"A".repeat(43)] {
        refresh(&srv, token).await.assert_message(403, NOT_IN_DB);
    }
    srv.get(REFRESH)
        .await
        .assert_message(404, "Cannot GET /api/auth/refreshtoken");
    srv.stop().await;
}

async fn reuse_within_the_grace_interval_gets_a_pair_of_the_same_family(backend: Backend) {
    let srv = server(backend, |c| c.refresh.reuse_grace_seconds = 10).await;
    let (_, access, t0) = session(&srv, "racer", true).await;
    let (_, t1) = rotate(&srv, &t0).await;
    // The client lost that answer and retries: another working pair, nothing revoked.
    let (_, t1b) = rotate(&srv, &t0).await;
    assert_ne!(t1, t1b);
    // Both successors live on and rotate.
    let (_, t2) = rotate(&srv, &t1).await;
    let (_, t2b) = rotate(&srv, &t1b).await;
    // They are one family: signing out with one ends the other.
    srv.send(
        srv.client
            .post(srv.url("/api/auth/signout"))
            .header("x-access-token", &access)
            .json(&json!({ "refreshToken": t2 })),
    )
    .await
    .assert_message(200, "Signed out!");
    refresh(&srv, &t2b).await.assert_message(403, NOT_IN_DB);
    srv.stop().await;
}

async fn reuse_after_the_grace_interval_revokes_the_family(backend: Backend) {
    let srv = server(backend, |c| c.refresh.reuse_grace_seconds = 0).await;
    let (_, _, t0) = session(&srv, "victim", true).await;
    let (_, _, other) = session(&srv, "victim", false).await;
    let (_, t1) = rotate(&srv, &t0).await;
    // An attacker (or a stale client) presents the rotated token: the whole family dies.
    refresh(&srv, &t0).await.assert_message(403, NOT_IN_DB);
    refresh(&srv, &t1).await.assert_message(403, NOT_IN_DB);
    // Another signin of the same user is another family and keeps working.
    rotate(&srv, &other).await;
    srv.stop().await;
}

async fn expired_refresh_tokens_are_refused(backend: Backend) {
    let srv = server(backend, |c| c.refresh.ttl_seconds = 1).await;
    let (_, _, token) = session(&srv, "sleepy", true).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    refresh(&srv, &token).await.assert_message(403, EXPIRED);
    // The expired token is deleted: afterwards it is unknown.
    refresh(&srv, &token).await.assert_message(403, NOT_IN_DB);
    srv.stop().await;
}

async fn signout(srv: &TestServer, access: &str, query: &str, body: &Value) -> Resp {
    srv.send(
        srv.client
            .post(srv.url(&format!("{SIGNOUT}{query}")))
            .header("authorization", format!("Bearer {access}"))
            .json(body),
    )
    .await
}

async fn signout_revokes_one_family_or_every_session(backend: Backend) {
    let srv = server(backend, |_| {}).await;
    let (_, access, a) = session(&srv, "multi", true).await;
    let (_, _, b) = session(&srv, "multi", false).await;
    let (_, other_access, other) = session(&srv, "someone", true).await;
    // Someone else's token is not touched by my sign-out.
    signout(&srv, &access, "", &json!({ "refreshToken": other }))
        .await
        .assert_message(200, "Signed out!");
    let (_, other) = rotate(&srv, &other).await;
    // One family.
    signout(&srv, &access, "", &json!({ "refreshToken": a }))
        .await
        .assert_message(200, "Signed out!");
    refresh(&srv, &a).await.assert_message(403, NOT_IN_DB);
    let (_, b) = rotate(&srv, &b).await;
    // Every session, with x-access-token and no body.
    let res = srv
        .send(
            srv.client
                .post(srv.url(&format!("{SIGNOUT}?all=true")))
                .header("x-access-token", &access),
        )
        .await;
    res.assert_message(200, "Signed out!");
    refresh(&srv, &b).await.assert_message(403, NOT_IN_DB);
    rotate(&srv, &other).await;
    srv.get_with_token("/api/test/user", &other_access)
        .await
        .assert_html(200, "User Content.");
    srv.stop().await;
}

async fn signout_needs_an_access_token(backend: Backend) {
    let srv = server(backend, |_| {}).await;
    srv.post_json(SIGNOUT, &json!({}))
        .await
        .assert_message(403, "No token provided!");
    signout(&srv, "not.a.token", "", &json!({}))
        .await
        .assert_message(401, "Unauthorized!");
    srv.stop().await;
}
