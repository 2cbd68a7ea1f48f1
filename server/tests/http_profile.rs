//! Answer profiles: `seed` keeps the tutorial's answers; `strict` gives one 401 for unknown users
//! and wrong passwords (in about the same time) and RFC 6750 challenges for token failures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::{Duration, Instant};

use authcore_server::app::profile::ProfileKind;
use http_common::{Backend, PASSWORD, TestServer};

on_both_backends!(
    seed_profile_keeps_the_tutorial_answers,
    strict_profile_gives_one_answer_for_unknown_users_and_wrong_passwords,
    strict_profile_challenges_missing_and_bad_tokens,
);

const INVALID_CREDENTIALS: &str =
    r#"{"accessToken":null,"message":"Invalid username or password!"}"#;

async fn seed_profile_keeps_the_tutorial_answers(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    srv.signup("ivan", None).await;
    srv.signin("nobody", PASSWORD)
        .await
        .assert_json(404, r#"{"message":"User Not found."}"#);
    srv.signin("ivan", "wrong-password")
        .await
        .assert_json(401, r#"{"accessToken":null,"message":"Invalid Password!"}"#);
    let res = srv.get("/api/test/user").await;
    res.assert_json(403, r#"{"message":"No token provided!"}"#);
    assert_eq!(res.header("www-authenticate"), None);
    let res = srv.get_with_token("/api/test/user", "not.a.token").await;
    res.assert_json(401, r#"{"message":"Unauthorized!"}"#);
    assert_eq!(res.header("www-authenticate"), None);
    srv.stop().await;
}

/// Median time of `n` runs of `f`.
async fn median_time<F, Fut>(n: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        f().await;
        times.push(started.elapsed());
    }
    times.sort();
    times[n / 2]
}

async fn strict_profile_gives_one_answer_for_unknown_users_and_wrong_passwords(backend: Backend) {
    // A real cost, so that the bcrypt work dominates the timing.
    let srv = TestServer::start(backend, |c| {
        c.profile = ProfileKind::Strict;
        c.bcrypt_cost = 10;
    })
    .await;
    srv.signup("judy", None).await;
    srv.signin("nobody", PASSWORD)
        .await
        .assert_json(401, INVALID_CREDENTIALS);
    srv.signin("judy", "wrong-password")
        .await
        .assert_json(401, INVALID_CREDENTIALS);
    srv.token_of("judy", PASSWORD).await;

    let unknown = median_time(5, || async {
        assert_eq!(srv.signin("nobody", PASSWORD).await.status, 401);
    })
    .await;
    let wrong = median_time(5, || async {
        assert_eq!(srv.signin("judy", "wrong-password").await.status, 401);
    })
    .await;
    let (fast, slow) = if unknown < wrong {
        (unknown, wrong)
    } else {
        (wrong, unknown)
    };
    assert!(
        fast.as_secs_f64() >= 0.5 * slow.as_secs_f64(),
        "unknown user {unknown:?} vs wrong password {wrong:?}"
    );
    srv.stop().await;
}

async fn strict_profile_challenges_missing_and_bad_tokens(backend: Backend) {
    let srv = TestServer::start(backend, |c| c.profile = ProfileKind::Strict).await;
    let res = srv.get("/api/test/user").await;
    res.assert_json(401, r#"{"message":"No token provided!"}"#);
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));
    let res = srv.get_with_token("/api/test/admin", "not.a.token").await;
    res.assert_json(401, r#"{"message":"Unauthorized!"}"#);
    assert_eq!(
        res.header("www-authenticate"),
        Some(r#"Bearer error="invalid_token""#)
    );
    // A valid token lacking the role is still 403, without a challenge.
    let (_, token) = srv.user_token("karl").await;
    let res = srv.get_with_token("/api/test/admin", &token).await;
    res.assert_json(403, r#"{"message":"Require Admin Role!"}"#);
    assert_eq!(res.header("www-authenticate"), None);
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
    srv.stop().await;
}
