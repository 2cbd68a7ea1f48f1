//! Brute-force and abuse limits: per-IP and per-username rates with 429 + `Retry-After`, the
//! progressive slow-down of an account after failed signins, and `X-Forwarded-For` only from
//! trusted proxies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::Duration;

use authcore_server::config::limits::LimitsConfig;
use http_common::{Backend, PASSWORD, Resp, TestServer};
use serde_json::json;

on_both_backends!(
    signins_over_the_per_ip_rate_get_429_with_retry_after,
    signins_of_one_username_are_limited_from_any_address,
    failed_signins_slow_the_account_down_until_a_success,
    signups_over_the_per_ip_rate_get_429,
    forwarded_for_counts_only_behind_a_trusted_proxy,
);

const TOO_MANY: &str = r#"{"message":"Too many requests, please try again later."}"#;

async fn start(backend: Backend, limits: LimitsConfig) -> TestServer {
    TestServer::start(backend, move |c| c.limits = limits).await
}

fn assert_limited(res: &Resp) {
    res.assert_json(429, TOO_MANY);
    let retry: u64 = res
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
}

async fn signin_from(srv: &TestServer, username: &str, password: &str, xff: Option<&str>) -> Resp {
    let mut req = srv
        .client
        .post(srv.url("/api/auth/signin"))
        .json(&json!({"username": username, "password": password}));
    if let Some(xff) = xff {
        req = req.header("x-forwarded-for", xff);
    }
    srv.send(req).await
}

async fn signins_over_the_per_ip_rate_get_429_with_retry_after(backend: Backend) {
    let srv = start(
        backend,
        LimitsConfig {
            signin_per_ip: 3,
            ..LimitsConfig::disabled()
        },
    )
    .await;
    for i in 0..3 {
        let res = srv.signin(&format!("nobody{i}"), PASSWORD).await;
        assert_eq!(res.status, 404, "{res:?}");
    }
    assert_limited(&srv.signin("nobody9", PASSWORD).await);
    // Other actions have their own limits.
    srv.signup("alice", None)
        .await
        .assert_message(200, "User was registered successfully!");
    srv.stop().await;
}

async fn signins_of_one_username_are_limited_from_any_address(backend: Backend) {
    let srv = start(
        backend,
        LimitsConfig {
            signin_per_username: 2,
            ..LimitsConfig::disabled()
        },
    )
    .await;
    srv.user_token("bob").await;
    srv.token_of("BOB", PASSWORD).await;
    assert_limited(&srv.signin("bob", PASSWORD).await);
    srv.user_token("carol").await;
    srv.stop().await;
}

async fn failed_signins_slow_the_account_down_until_a_success(backend: Backend) {
    let srv = start(
        backend,
        LimitsConfig {
            failures_before_delay: 3,
            ..LimitsConfig::disabled()
        },
    )
    .await;
    srv.signup("dave", None).await;
    for _ in 0..3 {
        assert_eq!(srv.signin("dave", "wrong-password").await.status, 401);
    }
    // Even the right password must wait now (2^0 = 1 s after the third failure).
    let res = srv.signin("dave", PASSWORD).await;
    assert_limited(&res);
    assert_eq!(res.header("retry-after"), Some("1"));
    // Other accounts are not affected.
    srv.user_token("erin").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    srv.token_of("dave", PASSWORD).await;
    // The success reset the count.
    for _ in 0..2 {
        assert_eq!(srv.signin("dave", "wrong-password").await.status, 401);
    }
    srv.token_of("dave", PASSWORD).await;
    srv.stop().await;
}

async fn signups_over_the_per_ip_rate_get_429(backend: Backend) {
    let srv = start(
        backend,
        LimitsConfig {
            signup_per_ip: 2,
            ..LimitsConfig::disabled()
        },
    )
    .await;
    srv.signup("frank", None)
        .await
        .assert_message(200, "User was registered successfully!");
    srv.signup("grace", None)
        .await
        .assert_message(200, "User was registered successfully!");
    assert_limited(&srv.signup("heidi", None).await);
    srv.stop().await;
}

async fn forwarded_for_counts_only_behind_a_trusted_proxy(backend: Backend) {
    let one_per_ip = |trusted: &str| LimitsConfig {
        signin_per_ip: 1,
        trusted_proxies: vec![trusted.parse().unwrap()],
        ..LimitsConfig::disabled()
    };
    // 127.0.0.1 is a trusted proxy: each forwarded client has its own budget.
    let srv = start(backend, one_per_ip("127.0.0.0/8")).await;
    let spoofed = Some("6.6.6.6, 203.0.113.1");
    assert_eq!(signin_from(&srv, "x1", PASSWORD, spoofed).await.status, 404);
    // The client cannot escape by changing what it writes left of the proxy's entry.
    let res = signin_from(&srv, "x1", PASSWORD, Some("7.7.7.7, 203.0.113.1")).await;
    assert_limited(&res);
    let other = Some("203.0.113.2");
    assert_eq!(signin_from(&srv, "x1", PASSWORD, other).await.status, 404);
    srv.stop().await;

    // Not trusted: the header is ignored and the peer address is the client.
    let srv = start(backend, one_per_ip("10.0.0.0/8")).await;
    assert_eq!(
        signin_from(&srv, "x1", PASSWORD, Some("203.0.113.1"))
            .await
            .status,
        404
    );
    assert_limited(&signin_from(&srv, "x1", PASSWORD, Some("203.0.113.2")).await);
    srv.stop().await;
}
