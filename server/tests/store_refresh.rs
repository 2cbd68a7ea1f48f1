//! The refresh-token and administration part of the store contract, on both backends: atomic
//! rotation under concurrency, family and user revocation, idempotent schema, paging, role
//! replacement and deletion with cascades.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::sync::Arc;

use authcore::roles::Role;
use authcore_server::store::{NewRefreshToken, Rotation};
use store_support::{Harness, new_user};

on_both_stores!(
    parallel_rotations_of_one_token_have_one_winner,
    expired_and_revoked_tokens_do_not_rotate,
    admin_paging_roles_and_deletion,
);

fn hash(n: u32) -> String {
    format!("{n:064x}")
}

async fn user_with_token(h: &Harness, name: &str, n: u32, expires_at: i64) -> i64 {
    let id = h
        .store
        .create_user(&new_user(name, &format!("{name}@x.com"), &[Role::User]))
        .await
        .unwrap();
    h.store
        .insert_refresh_token(&NewRefreshToken {
            token_hash: hash(n),
            family_id: format!("family-{name}"),
            user_id: id,
            expires_at,
            family_expires_at: expires_at,
        })
        .await
        .unwrap();
    id
}

async fn parallel_rotations_of_one_token_have_one_winner(h: Arc<Harness>) {
    let id = user_with_token(&h, "racer", 1, 2_000).await;
    let tasks: Vec<_> = (0..20u32)
        .map(|i| {
            let store = Arc::clone(&h.store);
            tokio::spawn(async move {
                store
                    .rotate_refresh_token(&hash(1), &hash(100 + i), 3_000, 1_000)
                    .await
            })
        })
        .collect();
    let mut winners = 0;
    for t in tasks {
        match t.await.unwrap().unwrap() {
            Rotation::Rotated { user_id, family_id } => {
                assert_eq!((user_id, family_id.as_str()), (id, "family-racer"));
                winners += 1;
            }
            Rotation::Refused(Some(row)) => assert_eq!(row.rotated_at, Some(1_000)),
            Rotation::Refused(None) => panic!("row vanished"),
        }
    }
    assert_eq!(winners, 1);
    let old = h.store.find_refresh_token(&hash(1)).await.unwrap().unwrap();
    assert_eq!((old.rotated_at, old.revoked_at), (Some(1_000), None));
}

async fn expired_and_revoked_tokens_do_not_rotate(h: Arc<Harness>) {
    let id = user_with_token(&h, "late", 2, 1_000).await;
    let late = h
        .store
        .rotate_refresh_token(&hash(2), &hash(3), 9_000, 1_000)
        .await
        .unwrap();
    assert!(matches!(late, Rotation::Refused(Some(ref r)) if r.expires_at == 1_000));
    h.store.delete_refresh_token(&hash(2)).await.unwrap();
    assert_eq!(h.store.find_refresh_token(&hash(2)).await.unwrap(), None);

    user_with_token(&h, "out", 4, 9_000).await;
    assert_eq!(
        h.store
            .revoke_refresh_family("family-out", 5)
            .await
            .unwrap(),
        1
    );
    let revoked = h
        .store
        .rotate_refresh_token(&hash(4), &hash(5), 9_000, 10)
        .await
        .unwrap();
    assert!(matches!(revoked, Rotation::Refused(Some(ref r)) if r.revoked_at == Some(5)));
    assert_eq!(h.store.revoke_user_refresh_tokens(id, 6).await.unwrap(), 0);
    // The schema set-up is idempotent and keeps the tokens.
    let reopened = h.reopen().await;
    assert!(
        reopened
            .find_refresh_token(&hash(4))
            .await
            .unwrap()
            .is_some()
    );
}

async fn admin_paging_roles_and_deletion(h: Arc<Harness>) {
    let a = user_with_token(&h, "anna", 6, 9_000).await;
    let b = user_with_token(&h, "bert", 7, 9_000).await;
    let (page, total) = h.store.list_users(1, 1).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(page.len(), 1);
    assert_eq!(
        (page[0].id, page[0].roles.as_slice()),
        (b, &[Role::User][..])
    );
    assert!(
        h.store
            .set_user_roles(a, &[Role::Admin, Role::User])
            .await
            .unwrap()
    );
    assert_eq!(
        h.store.user_roles(a).await.unwrap().unwrap(),
        [Role::User, Role::Admin]
    );
    assert!(!h.store.set_user_roles(9_999, &[Role::User]).await.unwrap());
    assert!(h.store.delete_user(a).await.unwrap());
    assert!(!h.store.delete_user(a).await.unwrap());
    assert_eq!(h.store.user_roles(a).await.unwrap(), None);
    assert_eq!(h.store.find_refresh_token(&hash(6)).await.unwrap(), None);
    assert!(
        h.store
            .find_refresh_token(&hash(7))
            .await
            .unwrap()
            .is_some()
    );
}
