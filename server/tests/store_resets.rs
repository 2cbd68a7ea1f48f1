//! Password reset tokens in the store, on both backends (MariaDB when `TEST_MYSQL_URL` is set):
//! one live token per account, single use, expiry, a newer token replacing the older, rows
//! going with their user, the table surviving a reopen.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::sync::Arc;

use authcore::roles::Role;
use store_support::{Harness, new_user};

macro_rules! backend_tests {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    Harness::sqlite().await.run(super::$case).await;
                }
            )*
        }
        mod mysql {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let Some(h) = Harness::mysql().await else { return };
                    h.run(super::$case).await;
                }
            )*
        }
    };
}

backend_tests!(
    emails_are_found_by_their_canonical_key,
    a_token_is_taken_once_and_only_before_it_expires,
    a_newer_token_replaces_the_older_and_tokens_go_with_their_user,
);

const NOW: i64 = 1_800_000_000;
const HASH_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const HASH_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

async fn emails_are_found_by_their_canonical_key(h: Arc<Harness>) {
    let s = &h.store;
    let id = s
        .create_user(&new_user("ivy", "Ivy@Example.com", &[Role::User]))
        .await
        .unwrap();
    for probe in ["Ivy@Example.com", "ivy@example.com", " IVY@EXAMPLE.COM "] {
        assert_eq!(
            s.user_id_by_email(probe).await.unwrap(),
            Some(id),
            "{probe:?}"
        );
    }
    assert_eq!(
        s.user_id_by_email("nobody@example.com").await.unwrap(),
        None
    );
}

async fn a_token_is_taken_once_and_only_before_it_expires(h: Arc<Harness>) {
    let s = &h.store;
    let id = s
        .create_user(&new_user("jay", "jay@example.com", &[Role::User]))
        .await
        .unwrap();
    s.replace_password_reset(id, HASH_A, NOW + 900)
        .await
        .unwrap();
    assert_eq!(s.take_password_reset(HASH_B, NOW).await.unwrap(), None);
    assert_eq!(s.take_password_reset(HASH_A, NOW).await.unwrap(), Some(id));
    assert_eq!(s.take_password_reset(HASH_A, NOW).await.unwrap(), None);
    // An expired token gives nothing, and is gone afterwards.
    s.replace_password_reset(id, HASH_B, NOW + 900)
        .await
        .unwrap();
    assert_eq!(
        s.take_password_reset(HASH_B, NOW + 900).await.unwrap(),
        None
    );
    assert_eq!(s.take_password_reset(HASH_B, NOW).await.unwrap(), None);
}

async fn a_newer_token_replaces_the_older_and_tokens_go_with_their_user(h: Arc<Harness>) {
    let s = &h.store;
    let id = s
        .create_user(&new_user("kim", "kim@example.com", &[Role::User]))
        .await
        .unwrap();
    s.replace_password_reset(id, HASH_A, NOW + 900)
        .await
        .unwrap();
    s.replace_password_reset(id, HASH_B, NOW + 900)
        .await
        .unwrap();
    assert_eq!(s.take_password_reset(HASH_A, NOW).await.unwrap(), None);
    let s = h.reopen().await;
    assert_eq!(s.take_password_reset(HASH_B, NOW).await.unwrap(), Some(id));
    s.replace_password_reset(id, HASH_A, NOW + 900)
        .await
        .unwrap();
    assert!(s.delete_user(id).await.unwrap());
    assert_eq!(s.take_password_reset(HASH_A, NOW).await.unwrap(), None);
}
