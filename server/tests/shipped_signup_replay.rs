//! A signup retried after an answer that got lost (e.g. a 503 while a Galera cluster stalled,
//! though the first attempt committed) gets the answer the first attempt should have got, 200,
//! against authd as shipped: same username and email (canonical keys) and the password the
//! stored hash verifies, within 10 minutes of the account's creation. Anything else stays 400.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use http_common::{Backend, PASSWORD, TestServer};
use serde_json::json;

const SIGNUP: &str = "/api/auth/signup";
const REGISTERED: &str = "User was registered successfully!";
const NAME_TAKEN: &str = "Failed! Username is already in use!";

async fn signup(s: &TestServer, username: &str, email: &str, password: &str) -> (u16, String) {
    let res = s
        .post_json(
            SIGNUP,
            &json!({"username": username, "email": email, "password": password}),
        )
        .await;
    (res.status, res.body)
}

/// alice's id, by signing in.
async fn alice_id(s: &TestServer) -> i64 {
    let v = s.signin("alice", PASSWORD).await.json();
    v["id"].as_i64().unwrap()
}

async fn a_retried_signup_is_answered_like_the_first(backend: Backend) {
    let s = TestServer::start_shipped(backend).await;
    let registered = json!({ "message": REGISTERED }).to_string();
    let taken = json!({ "message": NAME_TAKEN }).to_string();
    assert_eq!(
        signup(&s, "alice", "alice@x.com", PASSWORD).await,
        (200, registered.clone())
    );
    let id = alice_id(&s).await;

    let replays = [
        ("alice", "alice@x.com"),
        ("ALICE", "Alice@X.com"), // the same canonical keys
    ];
    for (name, email) in replays {
        let got = signup(&s, name, email, PASSWORD).await;
        assert_eq!(got, (200, registered.clone()), "{name:?} {email:?}");
    }
    let not_replays = [
        ("alice", "alice@x.com", "another-password"),
        ("alice", "other@x.com", PASSWORD),
    ];
    for (name, email, password) in not_replays {
        let got = signup(&s, name, email, password).await;
        assert_eq!(got, (400, taken.clone()), "{name:?} {email:?} {password:?}");
    }
    // Still the one account.
    assert_eq!(alice_id(&s).await, id);

    // Ten minutes after its creation, the same request is a plain duplicate.
    let eleven_minutes_ago = match backend {
        Backend::Sqlite => "strftime('%Y-%m-%d %H:%M:%S', 'now', '-11 minutes')",
        Backend::Mysql => "UTC_TIMESTAMP() - INTERVAL 11 MINUTE",
    };
    s.exec_sql(&format!(
        "UPDATE users SET createdAt = {eleven_minutes_ago} WHERE id = {id}"
    ))
    .await;
    assert_eq!(
        signup(&s, "alice", "alice@x.com", PASSWORD).await,
        (400, taken.clone())
    );
    // Nine minutes: still a replay.
    let nine_minutes_ago = eleven_minutes_ago.replace("11", "9");
    s.exec_sql(&format!(
        "UPDATE users SET createdAt = {nine_minutes_ago} WHERE id = {id}"
    ))
    .await;
    assert_eq!(
        signup(&s, "alice", "alice@x.com", PASSWORD).await,
        (200, registered)
    );
    s.stop().await;
}

on_both_backends!(a_retried_signup_is_answered_like_the_first);
