//! Two authd instances on one MariaDB database with one secret (MariaDB only; skipped without
//! `TEST_MYSQL_URL`): tokens and sign-outs cross instances, and 20 parallel refreshes of one
//! refresh token split across both yield exactly one success.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use http_common::{Backend, PASSWORD, TestServer, mysql_base_url};
use serde_json::json;

const REFRESH: &str = "/api/auth/refreshtoken";
const NOT_IN_DB: &str = "Refresh token is not in database!";

/// Instances A and B on one fresh database, refresh grace `grace` seconds.
async fn pair(grace: i64) -> Option<(TestServer, TestServer)> {
    if mysql_base_url().is_none() {
        eprintln!("skipping: TEST_MYSQL_URL not set");
        return None;
    }
    let a = TestServer::start(Backend::Mysql, |c| {
        c.refresh.enabled = true;
        c.refresh.reuse_grace_seconds = grace;
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = a.config.clone();
    config.data_dir = dir.path().join("data");
    let b = TestServer::start_with(Backend::Mysql, config, dir, None).await;
    Some((a, b))
}

/// Signs up on A and signs in on B; `(access, refresh)`.
async fn session(a: &TestServer, b: &TestServer, name: &str) -> (String, String) {
    assert_eq!(a.signup(name, None).await.status, 200);
    let v = b.signin(name, PASSWORD).await.json();
    (
        v["accessToken"].as_str().unwrap().to_owned(),
        v["refreshToken"].as_str().unwrap().to_owned(),
    )
}

/// 20 parallel refreshes of `token`, alternating A and B: the new refresh tokens, of which there
/// must be `expected`.
async fn race(a: &TestServer, b: &TestServer, token: &str, expected: usize) -> Vec<String> {
    let mut tasks = Vec::new();
    for i in 0..20 {
        let srv = if i % 2 == 0 { a } else { b };
        let req = srv
            .client
            .post(srv.url(REFRESH))
            .json(&json!({ "refreshToken": token }));
        tasks.push(tokio::spawn(async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }));
    }
    let mut winners = Vec::new();
    let mut losers = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            200 => winners.push(body),
            403 => {
                assert_eq!(body, json!({ "message": NOT_IN_DB }).to_string());
                losers += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(
        (winners.len(), losers),
        (expected, 20 - expected),
        "{winners:?}"
    );
    winners
        .iter()
        .map(|w| {
            let v: serde_json::Value = serde_json::from_str(w).unwrap();
            v["refreshToken"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tokens_and_signouts_cross_instances() {
    let Some((a, b)) = pair(10).await else { return };
    let (access, refresh) = session(&a, &b, "roamer").await;
    a.get_with_token("/api/test/user", &access)
        .await
        .assert_html(200, "User Content.");
    b.get_with_token("/api/test/user", &access)
        .await
        .assert_html(200, "User Content.");
    // Sign out on A; B refuses the refresh token.
    let res = a
        .send(
            a.client
                .post(a.url("/api/auth/signout"))
                .header("x-access-token", &access)
                .json(&json!({ "refreshToken": refresh })),
        )
        .await;
    res.assert_message(200, "Signed out!");
    b.post_json(REFRESH, &json!({ "refreshToken": refresh }))
        .await
        .assert_message(403, NOT_IN_DB);
    b.stop().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_refreshes_within_grace_are_served_up_to_the_family_cap_and_keep_the_family() {
    let Some((a, b)) = pair(10).await else { return };
    let (_, refresh) = session(&a, &b, "racer").await;
    // One rotation plus retries within the grace until the family holds its maximum of live
    // tokens; the rest are refused without revoking anything.
    let max = usize::try_from(authcore::refresh::MAX_LIVE_TOKENS_PER_FAMILY).unwrap();
    let next = race(&a, &b, &refresh, max).await;
    // Every winner's token still rotates, on either instance.
    for token in next {
        let res = b
            .post_json(REFRESH, &json!({ "refreshToken": token }))
            .await;
        assert_eq!(res.status, 200, "{res:?}");
    }
    b.stop().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_refreshes_without_grace_revoke_the_family() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("authcore_server=debug")
        .try_init();
    let Some((a, b)) = pair(0).await else { return };
    let (_, refresh) = session(&a, &b, "strict").await;
    let next = race(&a, &b, &refresh, 1).await.remove(0);
    // The losers were reuses: the family, the winner's new token included, is revoked.
    a.post_json(REFRESH, &json!({ "refreshToken": next }))
        .await
        .assert_message(403, NOT_IN_DB);
    b.stop().await;
    a.stop().await;
}
