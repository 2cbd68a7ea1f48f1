//! The failed-signin counts of the store contract, on both backends: one atomic upsert per
//! failure that restarts after the forget window, concurrent failures all counted, clearing,
//! and no count surviving its user.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::sync::Arc;

use authcore::roles::Role;
use authcore_server::store::SigninFailures;
use store_support::{Harness, new_user};

on_both_stores!(
    failures_count_up_restart_after_the_forget_window_and_clear,
    concurrent_failures_are_all_counted,
    deleting_a_user_deletes_its_count,
);

async fn user(h: &Harness, name: &str) -> i64 {
    h.store
        .create_user(&new_user(name, &format!("{name}@x.com"), &[Role::User]))
        .await
        .unwrap()
}

async fn failures_count_up_restart_after_the_forget_window_and_clear(h: Arc<Harness>) {
    let s = &h.store;
    let id = user(&h, "alice").await;
    assert_eq!(s.signin_failures(id).await.unwrap(), None);
    assert_eq!(s.record_signin_failure(id, 1_000, 0).await.unwrap(), 1);
    assert_eq!(s.record_signin_failure(id, 2_000, 0).await.unwrap(), 2);
    assert_eq!(
        s.signin_failures(id).await.unwrap(),
        Some(SigninFailures {
            failures: 2,
            last_failure_ms: 2_000
        })
    );
    // The last failure (2 000) is at the forget boundary: the count starts over.
    assert_eq!(s.record_signin_failure(id, 9_000, 2_000).await.unwrap(), 1);
    assert_eq!(s.record_signin_failure(id, 9_500, 2_000).await.unwrap(), 2);
    s.clear_signin_failures(id).await.unwrap();
    assert_eq!(s.signin_failures(id).await.unwrap(), None);
    assert_eq!(s.record_signin_failure(id, 10_000, 0).await.unwrap(), 1);
}

async fn concurrent_failures_are_all_counted(h: Arc<Harness>) {
    let id = user(&h, "bob").await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = Arc::clone(&h.store);
            tokio::spawn(async move { store.record_signin_failure(id, 1_000 + i, 0).await })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.unwrap().unwrap());
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=20).collect::<Vec<u32>>());
    assert_eq!(
        h.store.signin_failures(id).await.unwrap().unwrap().failures,
        20
    );
}

async fn deleting_a_user_deletes_its_count(h: Arc<Harness>) {
    let s = &h.store;
    let id = user(&h, "carol").await;
    s.record_signin_failure(id, 1_000, 0).await.unwrap();
    assert!(s.delete_user(id).await.unwrap());
    assert_eq!(s.signin_failures(id).await.unwrap(), None);
}
