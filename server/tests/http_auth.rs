//! Tokens and roles over real HTTP on both backends (CONTRACT.md rows 59–84 as fixed): which
//! tokens are accepted, role checks, deleted users, self-assigned roles, the admin bootstrap and
//! tokens minted by the seed with its secret.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::Duration;

use authcore::tokens::{Claims, Key, TokenSigner};
use authcore_server::config::{BootstrapAdmin, JwtSecret};
use http_common::{
    Backend, PASSWORD, SECRET, SEED_SECRET, TestServer, hmac_token, hs256, now, token_for,
};
use serde_json::json;
use zeroize::Zeroizing;

const REGISTERED: &str = "User was registered successfully!";
const UNAUTHORIZED: &str = "Unauthorized!";
const NO_TOKEN: &str = "No token provided!";
const ASSIGN: &str = "Require Admin Role to assign roles!";
const CONTENT: [(&str, &str); 3] = [
    ("/api/test/user", "User Content."),
    ("/api/test/mod", "Moderator Content."),
    ("/api/test/admin", "Admin Content."),
];

on_both_backends!(
    missing_bad_and_foreign_tokens_are_refused,
    role_checks_follow_the_flat_hierarchy,
    tokens_of_unknown_or_deleted_users_are_401_everywhere,
    self_assigned_roles_need_an_admin_token,
    empty_or_null_roles_grant_user_only,
    bootstrap_admin_is_created_once_and_can_assign_roles,
    seed_minted_tokens_with_the_configured_secret_are_accepted,
);

/// A server with a bootstrap admin `root`; returns it with the admin's token.
async fn with_admin(backend: Backend) -> (TestServer, String) {
    let srv = TestServer::start(backend, |c| {
        c.bootstrap_admin = Some(BootstrapAdmin {
            username: "root".into(),
            email: "root@x.com".into(),
            password: Zeroizing::new("root-password".into()),
        });
    })
    .await;
    let token = wait_for_signin(&srv, "root", "root-password").await;
    (srv, token)
}

/// Signs in, retrying while the start-up task has not created the user yet.
async fn wait_for_signin(srv: &TestServer, username: &str, password: &str) -> String {
    for _ in 0..100 {
        let res = srv.signin(username, password).await;
        if res.status == 200 {
            return res.json()["accessToken"].as_str().unwrap().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{username} never could sign in");
}

async fn missing_bad_and_foreign_tokens_are_refused(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    let (id, token) = srv.user_token("zkoder").await;
    let exp = now() + 3600;
    let payload = json!({"id": id, "iat": now(), "exp": exp});
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    let refused = [
        // rows 62, 63, 64
        format!("Bearer {token}"),
        "garbage".to_owned(),
        tampered,
        // row 65: expired beyond the 60 s leeway
        hs256(&json!({"id": id, "iat": now() - 7200, "exp": now() - 3600})),
        // row 66: alg none
        format!(
            "{}.{}.",
            http_common::b64(br#"{"alg":"none","typ":"JWT"}"#),
            http_common::b64(payload.to_string().as_bytes())
        ),
        // row 67: HS512 with the same secret (the seed accepted it)
        hmac_token(
            &json!({"alg": "HS512", "typ": "JWT"}),
            &payload,
            SECRET,
            true,
        ),
        // row 68: no exp (the seed accepted it forever)
        hs256(&json!({"id": id, "iat": now()})),
        // no id claim (row 83 crashed the seed)
        hs256(&json!({"iat": now(), "exp": exp})),
        // signed with another secret (row 79's forged token, as it would be here)
        hmac_token(
            &json!({"alg": "HS256", "typ": "JWT"}),
            &payload,
            SEED_SECRET,
            false,
        ),
    ];
    for bad in &refused {
        for (path, _) in CONTENT {
            srv.get_with_token(path, bad)
                .await
                .assert_message(401, UNAUTHORIZED);
        }
    }
    // rows 59, 72, 73; an Authorization header of another scheme is no token either
    for (path, _) in CONTENT {
        srv.get(path).await.assert_message(403, NO_TOKEN);
        let basic = srv
            .send(
                srv.client
                    .get(srv.url(path))
                    .header("authorization", "Basic eDp5"),
            )
            .await;
        basic.assert_message(403, NO_TOKEN);
    }
    // A token within the leeway still works.
    let recent = hs256(&json!({"id": id, "iat": now() - 100, "exp": now() - 30}));
    srv.get_with_token("/api/test/user", &recent)
        .await
        .assert_html(200, "User Content.");
    srv.stop().await;
}

async fn role_checks_follow_the_flat_hierarchy(backend: Backend) {
    let (srv, admin) = with_admin(backend).await;
    let (_, user) = srv.user_token("zkoder").await;
    // An admin creates a moderator (+user) and a moderator-only account (rows 9, 39).
    let create = |name: &'static str, roles: serde_json::Value| {
        let body = json!({"username": name, "email": format!("{name}@x.com"),
                          "password": PASSWORD, "roles": roles});
        srv.send(
            srv.client
                .post(srv.url("/api/auth/signup"))
                .header("x-access-token", &admin)
                .json(&body),
        )
    };
    create("mod", json!(["moderator", "user"]))
        .await
        .assert_message(200, REGISTERED);
    let (_, moderator) = srv.token_of("mod", PASSWORD).await;
    let res = srv.signin("mod", PASSWORD).await;
    assert_eq!(res.json()["roles"], json!(["ROLE_USER", "ROLE_MODERATOR"]));
    let res = srv.signin("root", "root-password").await;
    assert_eq!(res.json()["roles"], json!(["ROLE_ADMIN"]));

    let expect = [
        // (token, user, mod, admin) — rows 60, 69, 70, 71, 75, 76, 77
        (&user, 200, 403, 403),
        (&moderator, 200, 200, 403),
        (&admin, 200, 403, 200),
    ];
    for (token, u, m, a) in expect {
        for ((path, content), status) in CONTENT.iter().zip([u, m, a]) {
            let res = srv.get_with_token(path, token).await;
            if status == 200 {
                res.assert_html(200, content);
            } else if *path == "/api/test/mod" {
                res.assert_message(403, "Require Moderator Role!");
            } else {
                res.assert_message(403, "Require Admin Role!");
            }
        }
    }
    // row 78 fixed: Bearer works for admin too
    let res = srv
        .send(
            srv.client
                .get(srv.url("/api/test/admin"))
                .bearer_auth(&admin),
        )
        .await;
    res.assert_html(200, "Admin Content.");
    srv.stop().await;
}

async fn tokens_of_unknown_or_deleted_users_are_401_everywhere(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    // rows 80, 81, 82: a valid token for a user that never existed
    for (path, _) in CONTENT {
        srv.get_with_token(path, &token_for(999_999))
            .await
            .assert_message(401, UNAUTHORIZED);
    }
    // A user deleted behind the server's back: refused once the role cache entry expires.
    let (id, token) = srv.user_token("doomed").await;
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
    srv.delete_user(id).await;
    tokio::time::sleep(srv.config.role_cache_ttl + Duration::from_millis(100)).await;
    for (path, _) in CONTENT {
        srv.get_with_token(path, &token)
            .await
            .assert_message(401, UNAUTHORIZED);
    }
    // The server is still healthy afterwards (the seed crashed here).
    srv.get("/api/test/all")
        .await
        .assert_html(200, "Public Content.");
    srv.stop().await;
}

async fn self_assigned_roles_need_an_admin_token(backend: Backend) {
    let (srv, admin) = with_admin(backend).await;
    let (_, user) = srv.user_token("plain").await;
    // rows 9, 10, 20, 39 without a token
    for roles in [
        json!(["moderator", "user"]),
        json!(["admin"]),
        json!(["admin", "admin", "user"]),
        json!(["moderator"]),
    ] {
        srv.signup("climber", Some(roles))
            .await
            .assert_message(403, ASSIGN);
    }
    let signup_with = |token: String, name: &'static str, roles: serde_json::Value| {
        let body = json!({"username": name, "email": format!("{name}@x.com"),
                          "password": PASSWORD, "roles": roles});
        srv.send(
            srv.client
                .post(srv.url("/api/auth/signup"))
                .header("x-access-token", token)
                .json(&body),
        )
    };
    // A plain user's token is not enough; a bad token is 401.
    signup_with(user.clone(), "climber", json!(["admin"]))
        .await
        .assert_message(403, ASSIGN);
    signup_with("garbage".into(), "climber", json!(["admin"]))
        .await
        .assert_message(401, UNAUTHORIZED);
    srv.signin("climber", PASSWORD)
        .await
        .assert_message(404, "User Not found.");
    // An admin's token grants exactly what is asked (row 39: moderator only), also via Bearer.
    signup_with(admin.clone(), "modonly", json!(["moderator"]))
        .await
        .assert_message(200, REGISTERED);
    let res = srv.signin("modonly", PASSWORD).await;
    assert_eq!(res.json()["roles"], json!(["ROLE_MODERATOR"]));
    let body = json!({"username": "admin2", "email": "admin2@x.com", "password": PASSWORD,
                      "roles": ["admin", "admin", "user"]});
    srv.send(
        srv.client
            .post(srv.url("/api/auth/signup"))
            .bearer_auth(&admin)
            .json(&body),
    )
    .await
    .assert_message(200, REGISTERED);
    let res = srv.signin("admin2", PASSWORD).await;
    assert_eq!(res.json()["roles"], json!(["ROLE_USER", "ROLE_ADMIN"]));
    // ["user"] needs no token.
    srv.signup("justuser", Some(json!(["user"])))
        .await
        .assert_message(200, REGISTERED);
    srv.stop().await;
}

async fn empty_or_null_roles_grant_user_only(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    // row 19 (the seed granted all three roles), row 38
    srv.signup("noroles", Some(json!([])))
        .await
        .assert_message(200, REGISTERED);
    srv.signup("nullroles", Some(json!(null)))
        .await
        .assert_message(200, REGISTERED);
    for name in ["noroles", "nullroles"] {
        let res = srv.signin(name, PASSWORD).await;
        assert_eq!(res.json()["roles"], json!(["ROLE_USER"]), "{name}");
        let token = res.json()["accessToken"].as_str().unwrap().to_owned();
        srv.get_with_token("/api/test/admin", &token)
            .await
            .assert_message(403, "Require Admin Role!");
    }
    srv.stop().await;
}

async fn bootstrap_admin_is_created_once_and_can_assign_roles(backend: Backend) {
    let (srv, admin) = with_admin(backend).await;
    srv.get_with_token("/api/test/admin", &admin)
        .await
        .assert_html(200, "Admin Content.");
    // Restart on the same data with the same bootstrap settings: idempotent, same user.
    let first_id = srv.signin("root", "root-password").await.json()["id"].clone();
    let (config, dir, mysql) = srv.stop().await;
    let srv = TestServer::start_with(backend, config, dir, mysql).await;
    let res = srv.signin("root", "root-password").await;
    assert_eq!(res.json()["id"], first_id);
    srv.get_with_token("/api/test/admin", &admin)
        .await
        .assert_html(200, "Admin Content.");
    srv.stop().await;
}

async fn seed_minted_tokens_with_the_configured_secret_are_accepted(backend: Backend) {
    let srv = TestServer::start(backend, |c| {
        c.jwt_secret = JwtSecret::Value(Zeroizing::new(SEED_SECRET.to_vec()));
        // The published tutorial secret is refused unless the migration opts in explicitly.
        c.insecure_secret = true;
    })
    .await;
    let (id, _) = srv.user_token("zkoder").await;
    // jwt.sign({id}, "your-secret-key", {expiresIn: 86400}) — byte-identical with authcore's signer
    let signer = TokenSigner::new(Key::hs256_legacy(SEED_SECRET).unwrap()).unwrap();
    let seed_token = signer.sign(&Claims::for_user(id, now(), 86_400)).unwrap();
    srv.get_with_token("/api/test/user", &seed_token)
        .await
        .assert_html(200, "User Content.");
    // A hand-made HS256 token with the seed's exact header and payload layout works as well.
    let by_hand = hmac_token(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &json!({"id": id, "iat": now(), "exp": now() + 86_400}),
        SEED_SECRET,
        false,
    );
    srv.get_with_token("/api/test/user", &by_hand)
        .await
        .assert_html(200, "User Content.");
    srv.stop().await;
}
