//! Role administration over real HTTP on both backends: listing and paging without hashes, role
//! changes visible on the very next request, deletion (sessions included), and who may call it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::Duration;

use authcore_server::config::BootstrapAdmin;
use http_common::{Backend, PASSWORD, Resp, TestServer};
use serde_json::{Value, json};
use zeroize::Zeroizing;

const USERS: &str = "/api/admin/users";

on_both_backends!(
    users_are_listed_in_pages_without_hashes,
    users_are_listed_after_a_cursor,
    a_role_change_applies_on_the_next_request,
    bad_role_bodies_and_unknown_users_are_refused,
    a_deleted_user_loses_tokens_and_sessions,
    only_admins_may_administer,
    an_admin_cannot_remove_their_own_admin_role,
);

/// A server (refresh tokens on) with the bootstrap admin `root`; returns it and root's token.
async fn with_admin(backend: Backend) -> (TestServer, String) {
    let srv = TestServer::start(backend, |c| {
        c.refresh.enabled = true;
        c.bootstrap_admin = Some(BootstrapAdmin {
            username: "root".into(),
            email: "root@x.com".into(),
            password: Zeroizing::new("root-password".into()),
        });
    })
    .await;
    for _ in 0..100 {
        let res = srv.signin("root", "root-password").await;
        if res.status == 200 {
            let token = res.json()["accessToken"].as_str().unwrap().to_owned();
            return (srv, token);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("bootstrap admin never appeared");
}

async fn put_roles(srv: &TestServer, token: &str, id: i64, body: &Value) -> Resp {
    srv.send(
        srv.client
            .put(srv.url(&format!("{USERS}/{id}/roles")))
            .header("x-access-token", token)
            .json(body),
    )
    .await
}

async fn delete(srv: &TestServer, token: &str, path: &str) -> Resp {
    srv.send(
        srv.client
            .delete(srv.url(path))
            .header("authorization", format!("Bearer {token}")),
    )
    .await
}

async fn users_are_listed_in_pages_without_hashes(backend: Backend) {
    let (srv, admin) = with_admin(backend).await;
    for name in ["alice", "bob", "carol"] {
        srv.user_token(name).await;
    }
    let first = srv
        .get_with_token(&format!("{USERS}?page=0&size=2"), &admin)
        .await;
    assert_eq!(first.status, 200, "{first:?}");
    let v = first.json();
    assert_eq!(
        (v["page"].as_u64(), v["size"].as_u64(), v["total"].as_u64()),
        (Some(0), Some(2), Some(4))
    );
    let users = v["users"].as_array().unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[0]["username"], "root");
    assert_eq!(users[0]["roles"], json!(["ROLE_ADMIN"]));
    let alice = users[1]["id"].as_i64().unwrap();
    let in_order = format!(
        r#"{{"id":{alice},"username":"alice","email":"alice@x.com","roles":["ROLE_USER"]}}"#
    );
    assert!(first.body.contains(&in_order), "{}", first.body);
    assert_eq!(users[1]["roles"], json!(["ROLE_USER"]));
    assert!(!first.body.contains("$2"), "{}", first.body);
    assert!(!first.body.contains("password"));
    let second = srv
        .get_with_token(&format!("{USERS}?page=1&size=2"), &admin)
        .await
        .json();
    let names: Vec<&str> = second["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bob", "carol"]);
    let beyond = srv
        .get_with_token(&format!("{USERS}?page=5"), &admin)
        .await
        .json();
    assert_eq!(beyond["users"], json!([]));
    assert_eq!(beyond["total"], 4);
    let clamped = srv
        .get_with_token(&format!("{USERS}?size=1000"), &admin)
        .await
        .json();
    assert_eq!(clamped["size"], 100);
    srv.get_with_token(&format!("{USERS}?size=abc"), &admin)
        .await
        .assert_message(400, "page and size must be non-negative integers.");
    srv.stop().await;
}

/// The usernames of a listing and its `next` cursor.
async fn slice(srv: &TestServer, admin: &str, query: &str) -> (Vec<String>, Value) {
    let res = srv.get_with_token(&format!("{USERS}?{query}"), admin).await;
    assert_eq!(res.status, 200, "{query}: {res:?}");
    let v = res.json();
    assert!(v.get("total").is_none() && v.get("page").is_none(), "{v}");
    let names = v["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect();
    (names, v["next"].clone())
}

async fn users_are_listed_after_a_cursor(backend: Backend) {
    let (srv, admin) = with_admin(backend).await;
    for name in ["alice", "bob", "carol"] {
        srv.user_token(name).await;
    }
    let (names, next) = slice(&srv, &admin, "after=0&size=2").await;
    assert_eq!(names, ["root", "alice"]);
    let alice = next.as_i64().unwrap();
    let (names, next) = slice(&srv, &admin, &format!("after={alice}&size=2")).await;
    assert_eq!(names, ["bob", "carol"]);
    let carol = next.as_i64().unwrap();
    assert!(carol > alice);
    let (names, next) = slice(&srv, &admin, &format!("after={carol}&size=2")).await;
    assert!(names.is_empty());
    assert_eq!(next, Value::Null);
    // A slice that is not full has no next one; roles come as in the offset listing.
    let (names, next) = slice(&srv, &admin, &format!("after={alice}")).await;
    assert_eq!(
        (names, next),
        (vec!["bob".to_owned(), "carol".to_owned()], Value::Null)
    );
    let first = srv
        .get_with_token(&format!("{USERS}?after=0&size=1"), &admin)
        .await;
    assert_eq!(first.json()["users"][0]["roles"], json!(["ROLE_ADMIN"]));
    assert!(!first.body.contains("$2"), "{}", first.body);
    srv.get_with_token(&format!("{USERS}?after=0&page=0"), &admin)
        .await
        .assert_message(400, "page and after cannot be used together.");
    srv.get_with_token(&format!("{USERS}?after=-1"), &admin)
        .await
        .assert_message(400, "after must be a non-negative integer.");
    srv.get_with_token(&format!("{USERS}?after=0&size=0"), &admin)
        .await
        .assert_message(400, "size must be between 1 and 100.");
    srv.stop().await;
}

async fn a_role_change_applies_on_the_next_request(backend: Backend) {
    let (srv, admin) = with_admin(backend).await;
    let (id, token) = srv.user_token("moddy").await;
    srv.get_with_token("/api/test/mod", &token)
        .await
        .assert_message(403, "Require Moderator Role!");
    let res = put_roles(&srv, &admin, id, &json!({"roles": ["moderator", "user"]})).await;
    res.assert_json(
        200,
        &format!(r#"{{"id":{id},"username":"moddy","email":"moddy@x.com","roles":["ROLE_USER","ROLE_MODERATOR"]}}"#),
    );
    // The very next request (the role cache entry was dropped).
    srv.get_with_token("/api/test/mod", &token)
        .await
        .assert_html(200, "Moderator Content.");
    put_roles(&srv, &admin, id, &json!({"roles": ["user"]})).await;
    srv.get_with_token("/api/test/mod", &token)
        .await
        .assert_message(403, "Require Moderator Role!");
    srv.stop().await;
}

async fn bad_role_bodies_and_unknown_users_are_refused(backend: Backend) {
    let (srv, admin) = with_admin(backend).await;
    let (id, _) = srv.user_token("plain").await;
    for body in [
        json!({}),
        json!({"roles": []}),
        json!({"roles": "admin"}),
        json!({"roles": [1]}),
    ] {
        let res = put_roles(&srv, &admin, id, &body).await;
        res.assert_message(400, "roles must be a non-empty array of role names.");
    }
    put_roles(&srv, &admin, id, &json!({"roles": ["root"]}))
        .await
        .assert_message(400, "Failed! Role does not exist = root");
    put_roles(&srv, &admin, 999_999, &json!({"roles": ["user"]}))
        .await
        .assert_message(404, "User Not found.");
    delete(&srv, &admin, &format!("{USERS}/999999"))
        .await
        .assert_message(404, "User Not found.");
    delete(&srv, &admin, &format!("{USERS}/abc"))
        .await
        .assert_message(404, "Cannot DELETE /api/admin/users/abc");
    srv.get_with_token(&format!("{USERS}/{id}"), &admin)
        .await
        .assert_message(404, &format!("Cannot GET /api/admin/users/{id}"));
    srv.stop().await;
}

async fn a_deleted_user_loses_tokens_and_sessions(backend: Backend) {
    let (srv, admin) = with_admin(backend).await;
    srv.signup("gone", None).await;
    let res = srv.signin("gone", PASSWORD).await.json();
    let id = res["id"].as_i64().unwrap();
    let token = res["accessToken"].as_str().unwrap().to_owned();
    let refresh = res["refreshToken"].as_str().unwrap().to_owned();
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
    delete(&srv, &admin, &format!("{USERS}/{id}"))
        .await
        .assert_message(200, "User was deleted successfully!");
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_message(401, "Unauthorized!");
    srv.post_json(
        "/api/auth/refreshtoken",
        &json!({ "refreshToken": refresh }),
    )
    .await
    .assert_message(403, "Refresh token is not in database!");
    delete(&srv, &admin, &format!("{USERS}/{id}"))
        .await
        .assert_message(404, "User Not found.");
    // Admins cannot delete themselves.
    let root_id = srv.signin("root", "root-password").await.json()["id"]
        .as_i64()
        .unwrap();
    delete(&srv, &admin, &format!("{USERS}/{root_id}"))
        .await
        .assert_message(400, "Admins cannot delete themselves.");
    srv.stop().await;
}

async fn an_admin_cannot_remove_their_own_admin_role(backend: Backend) {
    let (srv, admin) = with_admin(backend).await;
    let root_id = srv.signin("root", "root-password").await.json()["id"]
        .as_i64()
        .unwrap();
    for roles in [json!(["user"]), json!(["moderator", "user"])] {
        put_roles(&srv, &admin, root_id, &json!({ "roles": roles }))
            .await
            .assert_message(400, "Admins cannot remove the admin role from themselves.");
    }
    // Still an admin, and may change their other roles while keeping admin.
    assert_eq!(srv.get_with_token(USERS, &admin).await.status, 200);
    let res = put_roles(
        &srv,
        &admin,
        root_id,
        &json!({"roles": ["admin", "moderator"]}),
    )
    .await;
    assert_eq!(
        (res.status, &res.json()["roles"]),
        (200, &json!(["ROLE_MODERATOR", "ROLE_ADMIN"])),
        "{res:?}"
    );
    // Another admin's admin role can be taken.
    let (id, other) = srv.user_token("second").await;
    let res = put_roles(&srv, &admin, id, &json!({"roles": ["admin"]})).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(srv.get_with_token(USERS, &other).await.status, 200);
    let res = put_roles(&srv, &admin, id, &json!({"roles": ["user"]})).await;
    assert_eq!(res.status, 200, "{res:?}");
    srv.get_with_token(USERS, &other)
        .await
        .assert_message(403, "Require Admin Role!");
    srv.stop().await;
}

async fn only_admins_may_administer(backend: Backend) {
    let (srv, _) = with_admin(backend).await;
    let (id, user) = srv.user_token("mallory").await;
    srv.get_with_token(USERS, &user)
        .await
        .assert_message(403, "Require Admin Role!");
    put_roles(&srv, &user, id, &json!({"roles": ["admin"]}))
        .await
        .assert_message(403, "Require Admin Role!");
    delete(&srv, &user, &format!("{USERS}/{id}"))
        .await
        .assert_message(403, "Require Admin Role!");
    srv.get(USERS)
        .await
        .assert_message(403, "No token provided!");
    srv.send(srv.client.delete(srv.url(&format!("{USERS}/{id}"))))
        .await
        .assert_message(403, "No token provided!");
    srv.get_with_token(USERS, "bad.token.here")
        .await
        .assert_message(401, "Unauthorized!");
    srv.stop().await;
}
