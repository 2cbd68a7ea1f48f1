//! Account lifecycle against authd as shipped (limits on, refresh tokens on, default bcrypt cost),
//! on both backends: instant revocation (`tokens_valid_after`) by sign-out everywhere, password
//! change and admin disable; `GET /api/auth/me`; the lifecycle columns added in place.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use http_common::{Backend, PASSWORD, Resp, TestServer, mysql_base_url};
use serde_json::{Value, json};

const NEW_PASSWORD: &str = "a-new-password";

on_both_backends!(
    signout_everywhere_revokes_every_token_even_of_the_same_second,
    me_shows_the_caller_without_internals,
    password_change_revokes_everything_and_counts_wrong_passwords,
    disabled_accounts_cannot_sign_in_refresh_or_use_tokens,
    lifecycle_columns_are_added_in_place,
    revocation_behind_the_instance_is_seen_within_the_role_cache_ttl,
);

/// `iat` of an access token.
fn iat(token: &str) -> i64 {
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice::<Value>(&bytes).unwrap()["iat"]
        .as_i64()
        .unwrap()
}

/// Waits until the wall clock is early in a second, so that the next few requests share it.
async fn start_of_a_second() {
    loop {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_millis();
        if ms < 50 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(u64::from(1000 - ms).min(20))).await;
    }
}

/// Signs in; returns `(id, access token, refresh token)`.
async fn session(srv: &TestServer, username: &str, password: &str) -> (i64, String, String) {
    let res = srv.signin(username, password).await;
    assert_eq!(res.status, 200, "{res:?}");
    let v = res.json();
    (
        v["id"].as_i64().unwrap(),
        v["accessToken"].as_str().unwrap().to_owned(),
        v["refreshToken"].as_str().unwrap().to_owned(),
    )
}

/// Checks the status and the JSON value (key order aside).
trait JsonIs {
    fn json_is(self, status: u16, value: Value);
}

impl JsonIs for Resp {
    fn json_is(self, status: u16, value: Value) {
        assert_eq!((self.status, self.json()), (status, value), "{self:?}");
    }
}

async fn refresh(srv: &TestServer, refresh_token: &str) -> Resp {
    srv.post_json(
        "/api/auth/refreshtoken",
        &json!({ "refreshToken": refresh_token }),
    )
    .await
}

async fn post_with_token(srv: &TestServer, path: &str, token: &str, body: &Value) -> Resp {
    srv.send(
        srv.client
            .post(srv.url(path))
            .header("x-access-token", token)
            .json(body),
    )
    .await
}

async fn put_with_token(srv: &TestServer, path: &str, token: &str, body: &Value) -> Resp {
    srv.send(
        srv.client
            .put(srv.url(path))
            .header("x-access-token", token)
            .json(body),
    )
    .await
}

async fn change_password(srv: &TestServer, token: &str, current: &str, new: &str) -> Resp {
    let body = json!({"currentPassword": current, "newPassword": new});
    post_with_token(srv, "/api/auth/password", token, &body).await
}

/// Signs up `username` and makes it admin directly in the database; returns its fresh token.
async fn admin_token(srv: &TestServer, username: &str) -> String {
    let (id, _) = srv.user_token(username).await;
    srv.exec_sql(&format!(
        "INSERT INTO user_roles (createdAt, updatedAt, roleId, userId) \
         VALUES ('2024-01-01 00:00:00', '2024-01-01 00:00:00', 3, {id})"
    ))
    .await;
    // A new signin reads the roles from the store (and refreshes this instance's cache).
    srv.token_of(username, PASSWORD).await.1
}

async fn signout_everywhere_revokes_every_token_even_of_the_same_second(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    srv.signup("alice", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let (_, phone, phone_refresh) = session(&srv, "alice", PASSWORD).await;
    // Sign in, sign out everywhere and sign in again within one second where the clock allows:
    // the token of the revocation's second must die, the one signed in right after must live.
    start_of_a_second().await;
    let (_, laptop, laptop_refresh) = session(&srv, "alice", PASSWORD).await;
    let res = post_with_token(&srv, "/api/auth/signout?all=true", &laptop, &json!({})).await;
    res.assert_message(200, "Signed out!");
    let (_, fresh, fresh_refresh) = session(&srv, "alice", PASSWORD).await;
    assert!(
        iat(&fresh) > iat(&laptop),
        "a token signed in after the revocation is dated after it: {} vs {}",
        iat(&fresh),
        iat(&laptop)
    );
    for old in [&phone, &laptop] {
        srv.get_with_token("/api/test/user", old)
            .await
            .assert_message(401, "Unauthorized!");
    }
    for old in [&phone_refresh, &laptop_refresh] {
        assert_eq!(refresh(&srv, old).await.status, 403);
    }
    srv.get_with_token("/api/test/user", &fresh)
        .await
        .assert_html(200, "User Content.");
    // Refreshing the new session gives a working token too (its iat is not before the instant).
    let res = refresh(&srv, &fresh_refresh).await;
    assert_eq!(res.status, 200, "{res:?}");
    let renewed = res.json()["accessToken"].as_str().unwrap().to_owned();
    srv.get_with_token("/api/test/user", &renewed)
        .await
        .assert_html(200, "User Content.");
}

async fn me_shows_the_caller_without_internals(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    let (id, token) = srv.user_token("bob").await;
    let res = srv.get_with_token("/api/auth/me", &token).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(
        res.json(),
        json!({"id": id, "username": "bob", "email": "bob@x.com", "roles": ["ROLE_USER"]})
    );
    srv.get("/api/auth/me")
        .await
        .assert_message(403, "No token provided!");
    let metrics = srv.get("/metrics").await.body;
    for route in [
        "/api/auth/me",
        "/api/auth/password",
        "/api/admin/users/{id}/disabled",
    ] {
        assert!(metrics.contains(&format!("route=\"{route}\"")), "{route}");
    }
    srv.get_with_token("/api/auth/me", "not.a.token")
        .await
        .assert_message(401, "Unauthorized!");
}

async fn password_change_revokes_everything_and_counts_wrong_passwords(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    srv.signup("carol", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let (_, other_device, other_refresh) = session(&srv, "carol", PASSWORD).await;
    let (_, token, _) = session(&srv, "carol", PASSWORD).await;

    let res = change_password(&srv, &token, PASSWORD, "short").await;
    res.assert_message(400, "Password must be at least 6 characters.");
    let res = post_with_token(
        &srv,
        "/api/auth/password",
        &token,
        &json!({"newPassword": "x"}),
    )
    .await;
    assert_eq!(res.status, 400, "{res:?}");

    let started = Instant::now();
    let res = change_password(&srv, &token, PASSWORD, NEW_PASSWORD).await;
    res.assert_message(200, "Password changed! Sign in again on every device.");
    let changed = started.elapsed();
    let old = srv.get_with_token("/api/test/user", &token).await;
    eprintln!(
        "revocation latency (same instance): change answered after {changed:?}, \
         old token's next request {} after {:?}",
        old.status,
        started.elapsed()
    );
    old.assert_message(401, "Unauthorized!");
    srv.get_with_token("/api/test/user", &other_device)
        .await
        .assert_message(401, "Unauthorized!");
    assert_eq!(refresh(&srv, &other_refresh).await.status, 403);
    assert_eq!(srv.signin("carol", PASSWORD).await.status, 401);
    let (id, token, _) = session(&srv, "carol", NEW_PASSWORD).await;
    srv.get_with_token("/api/auth/me", &token).await.json_is(
        200,
        json!({"id": id, "username": "carol", "email": "carol@x.com", "roles": ["ROLE_USER"]}),
    );

    // Five wrong current passwords (the shipped threshold) slow the account down: the sixth try
    // and even a correct signin are answered 429 before any bcrypt work.
    for _ in 0..5 {
        change_password(&srv, &token, "wrong-password", "whatever-new")
            .await
            .assert_json(401, r#"{"accessToken":null,"message":"Invalid Password!"}"#);
    }
    assert_eq!(
        change_password(&srv, &token, NEW_PASSWORD, PASSWORD)
            .await
            .status,
        429
    );
    assert_eq!(srv.signin("carol", NEW_PASSWORD).await.status, 429);
    // Nothing was changed meanwhile: the token still works.
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
}

async fn disabled_accounts_cannot_sign_in_refresh_or_use_tokens(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    let admin = admin_token(&srv, "root").await;
    srv.signup("dave", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let (id, token, refresh_token) = session(&srv, "dave", PASSWORD).await;
    let path = format!("/api/admin/users/{id}/disabled");

    put_with_token(&srv, &path, &token, &json!({"disabled": true}))
        .await
        .assert_message(403, "Require Admin Role!");
    put_with_token(&srv, &path, &admin, &json!({"disabled": "yes"}))
        .await
        .assert_message(400, "disabled must be true or false.");
    put_with_token(
        &srv,
        "/api/admin/users/999999/disabled",
        &admin,
        &json!({"disabled": true}),
    )
    .await
    .assert_message(404, "User Not found.");

    put_with_token(&srv, &path, &admin, &json!({"disabled": true}))
        .await
        .json_is(200, json!({"id": id, "disabled": true}));
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_message(401, "Unauthorized!");
    assert_eq!(refresh(&srv, &refresh_token).await.status, 403);
    srv.signin("dave", PASSWORD)
        .await
        .assert_message(403, "Account is disabled.");
    assert_eq!(srv.signin("dave", "wrong-password").await.status, 401);

    put_with_token(&srv, &path, &admin, &json!({"disabled": false}))
        .await
        .json_is(200, json!({"id": id, "disabled": false}));
    let (_, fresh, _) = session(&srv, "dave", PASSWORD).await;
    srv.get_with_token("/api/test/user", &fresh)
        .await
        .assert_html(200, "User Content.");
    // Enabling does not bring the old tokens back.
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_message(401, "Unauthorized!");

    let admin_id = srv.get_with_token("/api/auth/me", &admin).await.json()["id"]
        .as_i64()
        .unwrap();
    put_with_token(
        &srv,
        &format!("/api/admin/users/{admin_id}/disabled"),
        &admin,
        &json!({"disabled": true}),
    )
    .await
    .assert_message(400, "Admins cannot disable themselves.");
}

async fn lifecycle_columns_are_added_in_place(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    let (id, _) = srv.user_token("erin").await;
    srv.user_token("frank").await;
    // Back to the schema of the previous version: no lifecycle columns.
    srv.exec_sql("ALTER TABLE users DROP COLUMN tokens_valid_after")
        .await;
    srv.exec_sql("ALTER TABLE users DROP COLUMN disabled").await;
    let (config, dir, mysql) = srv.stop().await;
    let srv = TestServer::start_with(backend, config, dir, mysql).await;
    let (again, token) = srv.token_of("erin", PASSWORD).await;
    assert_eq!(again, id);
    srv.token_of("frank", PASSWORD).await;
    srv.get_with_token("/api/auth/me", &token).await.json_is(
        200,
        json!({"id": id, "username": "erin", "email": "erin@x.com", "roles": ["ROLE_USER"]}),
    );
    let res = post_with_token(&srv, "/api/auth/signout?all=true", &token, &json!({})).await;
    res.assert_message(200, "Signed out!");
    srv.get_with_token("/api/auth/me", &token)
        .await
        .assert_message(401, "Unauthorized!");
}

async fn revocation_behind_the_instance_is_seen_within_the_role_cache_ttl(backend: Backend) {
    let srv = TestServer::start_shipped(backend).await;
    let (id, token) = srv.user_token("gina").await;
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
    // Another instance revokes (same SQL as authd's): this one still has the entry cached.
    let started = Instant::now();
    srv.exec_sql(&format!(
        "UPDATE users SET tokens_valid_after = {} WHERE id = {id}",
        iat(&token) + 1
    ))
    .await;
    let mut status = 200;
    while status == 200 && started.elapsed() < Duration::from_secs(5) {
        status = srv.get_with_token("/api/test/user", &token).await.status;
        if status == 200 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let seen = started.elapsed();
    eprintln!("revocation latency (another writer, role cache 1000 ms): {seen:?}");
    assert_eq!(status, 401);
    // The shipped role cache keeps an entry at most 1 s (plus the store round trip and polling).
    assert!(seen < Duration::from_millis(2500), "{seen:?}");
}

/// Two shipped instances on one MariaDB database (skipped without `TEST_MYSQL_URL`, like
/// `http_two_instances`): a password change on A refuses the old token on A at once and on B
/// within B's role-cache TTL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_reaches_another_instance_within_the_role_cache_ttl() {
    if mysql_base_url().is_none() {
        eprintln!("skipping: TEST_MYSQL_URL not set");
        return;
    }
    let a = TestServer::start_shipped(Backend::Mysql).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = a.config.clone();
    config.data_dir = dir.path().join("data");
    let b = TestServer::start_with(Backend::Mysql, config, dir, None).await;
    a.signup("hana", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let (_, token) = b.token_of("hana", PASSWORD).await;
    b.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
    change_password(&a, &token, PASSWORD, NEW_PASSWORD)
        .await
        .assert_message(200, "Password changed! Sign in again on every device.");
    let started = Instant::now();
    a.get_with_token("/api/test/user", &token)
        .await
        .assert_message(401, "Unauthorized!");
    let mut status = 200;
    while status == 200 && started.elapsed() < Duration::from_secs(5) {
        status = b.get_with_token("/api/test/user", &token).await.status;
        if status == 200 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let seen = started.elapsed();
    eprintln!("revocation latency (other instance, role cache 1000 ms): {seen:?}");
    assert_eq!(status, 401);
    assert!(seen < Duration::from_millis(2500), "{seen:?}");
    // A signin on B right after sees the new password at once (signin bypasses the cache).
    b.token_of("hana", NEW_PASSWORD).await;
}
