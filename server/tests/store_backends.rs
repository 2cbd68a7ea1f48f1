//! The store contract, run against both backends: SQLite (always) and MariaDB (when
//! `TEST_MYSQL_URL` is set, each test on its own fresh database).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::sync::Arc;

use authcore::roles::Role;
use authcore_server::store::CreateUserError;
use store_support::{Harness, SEED_HASH, new_user};

on_both_stores!(
    ping_answers,
    create_then_find_ignores_case_width_and_surrounding_spaces,
    unicode_usernames_compare_case_insensitively,
    duplicate_username_is_username_taken,
    duplicate_email_is_email_taken,
    username_is_checked_before_email,
    roles_come_in_role_id_order,
    missing_users_are_none,
    parallel_creates_of_one_username_yield_one_winner,
    parallel_creates_of_one_email_yield_one_winner,
    schema_setup_twice_keeps_data,
    update_password_hash_replaces_the_hash,
);

async fn ping_answers(h: Arc<Harness>) {
    h.store.ping().await.unwrap();
}

async fn create_then_find_ignores_case_width_and_surrounding_spaces(h: Arc<Harness>) {
    let s = &h.store;
    let id = s
        .create_user(&new_user("zkoder", "user@bezkoder.com", &[Role::User]))
        .await
        .unwrap();
    for probe in [
        "zkoder",
        "ZKoder",
        "zkoder ",
        "ZKODER   ",
        " zkoder",
        "ｚｋｏｄｅｒ",
    ] {
        let u = s.find_user_by_username(probe).await.unwrap();
        let u = u.unwrap_or_else(|| panic!("{probe:?} not found"));
        assert_eq!(u.id, id);
        assert_eq!(u.username, "zkoder");
        assert_eq!(u.email, "user@bezkoder.com");
        assert_eq!(u.password_hash, SEED_HASH);
        assert_eq!(u.roles, [Role::User]);
    }
    // Other characters, accents included, still matter (PRECIS keeps them).
    assert!(s.find_user_by_username("zkoder2").await.unwrap().is_none());
    assert!(s.find_user_by_username("zkóder").await.unwrap().is_none());
    let by_id = s.find_user_by_id(id).await.unwrap().unwrap();
    assert_eq!(by_id.username, "zkoder");
    assert_eq!(by_id.roles, [Role::User]);
}

async fn unicode_usernames_compare_case_insensitively(h: Arc<Harness>) {
    let s = &h.store;
    let id = s
        .create_user(&new_user("üñí😀", "uni@x.com", &[Role::User]))
        .await
        .unwrap();
    let u = s.find_user_by_username("ÜÑÍ😀").await.unwrap().unwrap();
    assert_eq!((u.id, u.username.as_str()), (id, "üñí😀"));
    let dup = s.create_user(&new_user("ÜÑÍ😀 ", "other@x.com", &[])).await;
    assert_eq!(dup, Err(CreateUserError::UsernameTaken));
    // Empty strings are values like any other (the seed accepts them).
    s.create_user(&new_user("", "", &[Role::User]))
        .await
        .unwrap();
    let empty = s.find_user_by_username("   ").await.unwrap().unwrap();
    assert_eq!(empty.username, "");
}

async fn duplicate_username_is_username_taken(h: Arc<Harness>) {
    let s = &h.store;
    s.create_user(&new_user("zkoder", "user@bezkoder.com", &[Role::User]))
        .await
        .unwrap();
    for name in ["zkoder", "ZKODER", "zkoder  "] {
        let r = s.create_user(&new_user(name, "fresh@x.com", &[])).await;
        assert_eq!(r, Err(CreateUserError::UsernameTaken), "{name:?}");
    }
    assert_eq!(h.raw_count_username("zkoder").await, 1);
}

async fn duplicate_email_is_email_taken(h: Arc<Harness>) {
    let s = &h.store;
    s.create_user(&new_user("zkoder", "user@bezkoder.com", &[Role::User]))
        .await
        .unwrap();
    for email in [
        "user@bezkoder.com",
        "USER@BEZKODER.COM",
        "user@bezkoder.com ",
    ] {
        let r = s.create_user(&new_user("other", email, &[])).await;
        assert_eq!(r, Err(CreateUserError::EmailTaken), "{email:?}");
    }
    assert!(s.find_user_by_username("other").await.unwrap().is_none());
}

async fn username_is_checked_before_email(h: Arc<Harness>) {
    let s = &h.store;
    s.create_user(&new_user("zkoder", "user@bezkoder.com", &[Role::User]))
        .await
        .unwrap();
    let r = s
        .create_user(&new_user("ZKoder", "USER@bezkoder.com", &[Role::User]))
        .await;
    assert_eq!(r, Err(CreateUserError::UsernameTaken));
}

async fn roles_come_in_role_id_order(h: Arc<Harness>) {
    let s = &h.store;
    let all = [Role::Admin, Role::User, Role::Moderator, Role::Admin];
    let cases: [(&str, &[Role], &[Role]); 4] = [
        ("noroles", &all, &[Role::User, Role::Moderator, Role::Admin]),
        (
            "mod",
            &[Role::Moderator, Role::User],
            &[Role::User, Role::Moderator],
        ),
        ("modonly", &[Role::Moderator], &[Role::Moderator]),
        ("rolestrue", &[], &[]),
    ];
    for (name, given, expected) in cases {
        let id = s
            .create_user(&new_user(name, &format!("{name}@x.com"), given))
            .await
            .unwrap();
        let u = s.find_user_by_username(name).await.unwrap().unwrap();
        assert_eq!(u.roles, expected, "{name} by username");
        let u = s.find_user_by_id(id).await.unwrap().unwrap();
        assert_eq!(u.roles, expected, "{name} by id");
        assert_eq!(s.user_roles(id).await.unwrap().unwrap(), expected, "{name}");
    }
}

async fn missing_users_are_none(h: Arc<Harness>) {
    let s = &h.store;
    assert_eq!(s.user_roles(999_999).await.unwrap(), None);
    assert_eq!(s.find_user_by_id(999_999).await.unwrap(), None);
    assert_eq!(s.find_user_by_username("ghost").await.unwrap(), None);
    let id = s
        .create_user(&new_user("bare", "bare@x.com", &[]))
        .await
        .unwrap();
    assert_eq!(s.user_roles(id).await.unwrap(), Some(vec![]));
}

async fn parallel_creates_of_one_username_yield_one_winner(h: Arc<Harness>) {
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = Arc::clone(&h.store);
            // Same username (in varying case), distinct emails.
            let name = if i % 2 == 0 { "racer" } else { "RACER" };
            let user = new_user(name, &format!("racer{i}@x.com"), &[Role::User]);
            tokio::spawn(async move { store.create_user(&user).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(CreateUserError::UsernameTaken) => {}
            Err(e) => panic!("unexpected outcome: {e:?}"),
        }
    }
    assert_eq!(ok, 1);
    let total = h.raw_count_username("racer").await + h.raw_count_username("RACER").await;
    assert_eq!(total, 1);
    let u = h
        .store
        .find_user_by_username("Racer")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.roles, [Role::User]);
}

async fn parallel_creates_of_one_email_yield_one_winner(h: Arc<Harness>) {
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = Arc::clone(&h.store);
            let user = new_user(&format!("mailer{i}"), "same@x.com", &[Role::User]);
            tokio::spawn(async move { store.create_user(&user).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(CreateUserError::EmailTaken) => {}
            Err(e) => panic!("unexpected outcome: {e:?}"),
        }
    }
    assert_eq!(ok, 1);
}

async fn schema_setup_twice_keeps_data(h: Arc<Harness>) {
    let id = h
        .store
        .create_user(&new_user(
            "keeper",
            "keeper@x.com",
            &[Role::Admin, Role::User],
        ))
        .await
        .unwrap();
    let again = h.reopen().await;
    let third = h.reopen().await;
    for s in [&again, &third] {
        let u = s.find_user_by_username("KEEPER").await.unwrap().unwrap();
        assert_eq!(u.id, id);
        assert_eq!(u.roles, [Role::User, Role::Admin]);
        assert_eq!(
            s.create_user(&new_user("keeper", "k2@x.com", &[])).await,
            Err(CreateUserError::UsernameTaken)
        );
    }
    let next = third
        .create_user(&new_user("next", "next@x.com", &[]))
        .await
        .unwrap();
    assert!(next > id);
}

async fn update_password_hash_replaces_the_hash(h: Arc<Harness>) {
    let s = &h.store;
    let id = s
        .create_user(&new_user("rehash", "rehash@x.com", &[]))
        .await
        .unwrap();
    let new_hash = "$2b$10$abcdefghijklmnopqrstuu5Tq6M0xK0a5K1S0wqcWlC3uG3Hh6Gm";
    s.update_password_hash(id, new_hash).await.unwrap();
    let u = s.find_user_by_id(id).await.unwrap().unwrap();
    assert_eq!(u.password_hash, new_hash);
}
