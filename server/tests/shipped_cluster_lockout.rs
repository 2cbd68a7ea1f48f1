//! The failed-signin slow-down of a known account is cluster-wide: two authd as shipped on one
//! database (MariaDB: one database; SQLite: one data directory, as two processes on one host
//! would share it) count an account's failures together. Failures alternated between the two
//! reach the threshold at the same total count as on one instance; then both answer 429 before
//! any bcrypt work (the right password is refused too); a success on one resets both.
//! A failure the store cannot record is still 401 and counted on its instance only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::Duration;

use http_common::{Backend, MysqlDb, PASSWORD, TestServer, shipped_config};

const WRONG: &str = "not-the-password";

/// Instances A and B as shipped, on one database.
async fn pair(backend: Backend) -> (TestServer, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    let mysql = match backend {
        Backend::Sqlite => None,
        Backend::Mysql => Some(MysqlDb::create().await),
    };
    let config = shipped_config(&dir, mysql.as_ref().map(MysqlDb::url));
    let a = TestServer::start_with(backend, config.clone(), dir, mysql).await;
    // B shares A's database (SQLite: A's data directory, generated secret included).
    let b_dir = tempfile::tempdir().unwrap();
    let mut b_config = config;
    if backend == Backend::Mysql {
        b_config.data_dir = b_dir.path().join("data");
    }
    let b = TestServer::start_with(backend, b_config, b_dir, None).await;
    (a, b)
}

/// `threshold` wrong passwords for `name`, alternating A and B, each a 401.
async fn fail_alternating(a: &TestServer, b: &TestServer, name: &str, threshold: u32) {
    for i in 0..threshold {
        let s = if i % 2 == 0 { a } else { b };
        let res = s.signin(name, WRONG).await;
        assert_eq!(res.status, 401, "failure {} of {threshold}: {res:?}", i + 1);
    }
}

/// The answer of a slowed-down account: 429 with the body and a `Retry-After`; the wait.
fn assert_slowed_down(res: &http_common::Resp) -> Duration {
    res.assert_message(429, "Too many requests, please try again later.");
    let wait: u64 = res.header("retry-after").unwrap().parse().unwrap();
    Duration::from_secs(wait)
}

async fn failures_on_two_instances_slow_the_account_down_on_both(backend: Backend) {
    let (a, b) = pair(backend).await;
    let threshold = a.config.limits.failures_before_delay;
    assert!(threshold >= 2, "shipped threshold {threshold}");
    a.signup("alice", None)
        .await
        .assert_message(200, "User was registered successfully!");

    fail_alternating(&a, &b, "alice", threshold).await;
    // Per instance, A would have counted ⌈threshold/2⌉ and B ⌊threshold/2⌋: both below it.
    // Counted together, the next try is refused on both, even with the right password (a bcrypt
    // verify would have answered 200).
    let on_b = b.signin("alice", PASSWORD).await;
    let on_a = a.signin("alice", PASSWORD).await;
    let wait = assert_slowed_down(&on_b).max(assert_slowed_down(&on_a));
    eprintln!("{backend:?}: after {threshold} alternated failures: B {on_b:?}, A {on_a:?}");

    // A success (once the wait is over) resets the count on both instances.
    tokio::time::sleep(wait + Duration::from_millis(100)).await;
    assert_eq!(b.signin("alice", PASSWORD).await.status, 200);
    fail_alternating(&a, &b, "alice", threshold).await;
    assert_slowed_down(&b.signin("alice", WRONG).await);
    assert_slowed_down(&a.signin("alice", WRONG).await);

    b.stop().await;
    a.stop().await;
}

/// A failure the store refuses to record (here a trigger; in production a stalled node) is still
/// answered 401, never 5xx, and is counted on the instance that saw it.
async fn a_failure_the_store_cannot_record_is_401_and_counted_in_memory(backend: Backend) {
    let (a, b) = pair(backend).await;
    let threshold = a.config.limits.failures_before_delay;
    a.signup("bob", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let refuse = match backend {
        Backend::Sqlite => {
            "CREATE TRIGGER refuse_failures BEFORE INSERT ON signin_failures
             BEGIN SELECT RAISE(ABORT, 'refused'); END"
        }
        Backend::Mysql => {
            "CREATE TRIGGER refuse_failures BEFORE INSERT ON signin_failures FOR EACH ROW
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'"
        }
    };
    a.exec_sql(refuse).await;
    for i in 0..threshold {
        let res = a.signin("bob", WRONG).await;
        assert_eq!(res.status, 401, "failure {} of {threshold}: {res:?}", i + 1);
    }
    // Counted on A only: A slows bob down, B (which shares only the store) does not.
    assert_slowed_down(&a.signin("bob", PASSWORD).await);
    assert_eq!(b.signin("bob", PASSWORD).await.status, 200);
    b.stop().await;
    a.stop().await;
}

on_both_backends!(
    failures_on_two_instances_slow_the_account_down_on_both,
    a_failure_the_store_cannot_record_is_401_and_counted_in_memory,
);
