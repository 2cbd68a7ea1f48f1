//! The seed's contract (CONTRACT.md rows 1–58) over real HTTP, on both backends: public routes,
//! 404s, signup, signin, duplicates and every input the seed crashed on, as fixed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use http_common::{Backend, HTML_TYPE, JSON_TYPE, PASSWORD, TestServer};
use serde_json::json;

const SIGNUP: &str = "/api/auth/signup";
const SIGNIN: &str = "/api/auth/signin";
const REGISTERED: &str = "User was registered successfully!";

on_both_backends!(
    public_routes_answer_like_the_seed,
    unknown_routes_and_wrong_methods_are_json_404s,
    signup_then_signin_returns_the_seed_shape_and_token,
    signin_is_case_and_trailing_space_insensitive,
    duplicates_are_refused_username_first,
    unknown_and_malformed_roles_are_400,
    invalid_signup_bodies_are_400_json_never_500,
    invalid_signin_bodies_are_400_json,
    signin_failures_are_404_and_401,
    form_urlencoded_bodies_work_for_signup_and_signin,
    health_and_readiness_report_ok,
);

async fn public_routes_answer_like_the_seed(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    // rows 1, 2
    srv.get("/")
        .await
        .assert_json(200, r#"{"message":"Welcome to my application."}"#);
    srv.get("/api/test/all")
        .await
        .assert_html(200, "Public Content.");
    // row 4: HEAD has the GET headers and no body
    let head = srv.send(srv.client.head(srv.url("/api/test/all"))).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.content_type(), HTML_TYPE);
    assert_eq!(head.header("content-length"), Some("15"));
    assert_eq!(head.body, "");
    // Express routing is case-insensitive and ignores one trailing slash; query strings too.
    srv.get("/API/Test/All/?x=1")
        .await
        .assert_html(200, "Public Content.");
    srv.stop().await;
}

async fn unknown_routes_and_wrong_methods_are_json_404s(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    // rows 5, 6, 7 (the seed answered HTML pages)
    srv.get("/api/nope")
        .await
        .assert_message(404, "Cannot GET /api/nope");
    let put = srv.send(srv.client.put(srv.url(SIGNUP)).body("{}")).await;
    put.assert_message(404, "Cannot PUT /api/auth/signup");
    srv.get(SIGNIN)
        .await
        .assert_message(404, "Cannot GET /api/auth/signin");
    let post = srv.post_json("/api/test/all", &json!({})).await;
    post.assert_message(404, "Cannot POST /api/test/all");
    let delete = srv.send(srv.client.delete(srv.url("/api/test/user"))).await;
    delete.assert_message(404, "Cannot DELETE /api/test/user");
    let head = srv.send(srv.client.head(srv.url("/api/nope"))).await;
    assert_eq!((head.status, head.content_type()), (404, JSON_TYPE));
    srv.stop().await;
}

async fn signup_then_signin_returns_the_seed_shape_and_token(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    // row 8
    srv.post_json(
        SIGNUP,
        &json!({"username": "zkoder", "email": "user@bezkoder.com", "password": PASSWORD}),
    )
    .await
    .assert_message(200, REGISTERED);
    // row 42: key order id, username, email, roles, accessToken
    let res = srv.signin("zkoder", PASSWORD).await;
    assert_eq!((res.status, res.content_type()), (200, JSON_TYPE));
    let v = res.json();
    let token = v["accessToken"].as_str().unwrap().to_owned();
    let id = v["id"].as_i64().unwrap();
    let expected = format!(
        r#"{{"id":{id},"username":"zkoder","email":"user@bezkoder.com","roles":["ROLE_USER"],"accessToken":"{token}"}}"#
    );
    assert_eq!(res.body, expected);
    // The token is the seed's: HS256/JWT header, payload exactly {"id","iat","exp"}, 24 h.
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let decode = |s: &str| -> serde_json::Value {
        use base64::Engine as _;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap();
        serde_json::from_slice(&raw).unwrap()
    };
    assert_eq!(
        parts[0],
        http_common::b64(br#"{"alg":"HS256","typ":"JWT"}"#)
    );
    let payload = decode(parts[1]);
    let keys: Vec<&String> = payload.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3);
    assert_eq!(payload["id"], id);
    let (iat, exp) = (
        payload["iat"].as_i64().unwrap(),
        payload["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 86_400);
    assert!((iat - http_common::now()).abs() < 10);
    // row 60, and the token works through Authorization: Bearer too (row 61, fixed)
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
    let bearer = srv
        .send(
            srv.client
                .get(srv.url("/api/test/user"))
                .bearer_auth(&token),
        )
        .await;
    bearer.assert_html(200, "User Content.");
    srv.stop().await;
}

async fn signin_is_case_and_trailing_space_insensitive(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    srv.signup("zkoder", None)
        .await
        .assert_message(200, REGISTERED);
    // rows 47, 48: the stored spelling comes back
    for name in ["ZKoder", "zkoder ", "ZKODER  "] {
        let res = srv.signin(name, PASSWORD).await;
        assert_eq!(res.status, 200, "{name:?}: {res:?}");
        assert_eq!(res.json()["username"], "zkoder");
    }
    srv.stop().await;
}

async fn duplicates_are_refused_username_first(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    let body = |u: &str, e: &str| json!({"username": u, "email": e, "password": PASSWORD});
    srv.post_json(SIGNUP, &body("zkoder", "user@bezkoder.com"))
        .await
        .assert_message(200, REGISTERED);
    let taken_name = "Failed! Username is already in use!";
    let taken_mail = "Failed! Email is already in use!";
    // rows 11, 12, 13, 14, 40
    srv.post_json(SIGNUP, &body("zkoder", "other@x.com"))
        .await
        .assert_message(400, taken_name);
    srv.post_json(SIGNUP, &body("other", "user@bezkoder.com"))
        .await
        .assert_message(400, taken_mail);
    srv.post_json(SIGNUP, &body("ZKODER", "other@x.com"))
        .await
        .assert_message(400, taken_name);
    // The seed answered 400 here too; authd recognises the retry of a recent signup (same
    // email, the password its hash verifies) and answers it like the first one.
    srv.post_json(SIGNUP, &body("zkoder", "user@bezkoder.com"))
        .await
        .assert_message(200, REGISTERED);
    let other_password = json!({"username": "zkoder", "email": "user@bezkoder.com",
        "password": "another-password"});
    srv.post_json(SIGNUP, &other_password)
        .await
        .assert_message(400, taken_name);
    srv.post_json(SIGNUP, &body("other", "USER@BEZKODER.COM"))
        .await
        .assert_message(400, taken_mail);
    srv.stop().await;
}

async fn unknown_and_malformed_roles_are_400(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    // rows 15, 16, 17
    for (roles, bad) in [
        (json!(["superuser"]), "superuser"),
        (json!(["user", "superuser"]), "superuser"),
        (json!(["ADMIN"]), "ADMIN"),
    ] {
        srv.signup("roleless", Some(roles))
            .await
            .assert_message(400, &format!("Failed! Role does not exist = {bad}"));
    }
    // rows 18, 37: not arrays (the seed iterated strings and crashed on `true`)
    for roles in [json!("admin"), json!(true), json!(1), json!({"length": 0})] {
        srv.signup("roleless", Some(roles))
            .await
            .assert_message(400, "Roles must be an array of role names.");
    }
    srv.signup("roleless", Some(json!(["user", 1])))
        .await
        .assert_message(400, "Each role must be a string.");
    // Nothing of the above created a user.
    srv.signin("roleless", PASSWORD)
        .await
        .assert_message(404, "User Not found.");
    srv.stop().await;
}

async fn invalid_signup_bodies_are_400_json_never_500(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    let ok = json!({"username": "valid", "email": "valid@x.com", "password": PASSWORD});
    let with = |key: &str, value: serde_json::Value| {
        let mut body = ok.clone();
        body[key] = value;
        body
    };
    let without = |key: &str| {
        let mut body = ok.clone();
        body.as_object_mut().unwrap().remove(key);
        body
    };
    let cases = [
        // row 22, 23, 25, 26, 27, 29, 30, 32, 33, 34, 36, 41
        (
            with("email", json!("not-an-email")),
            "Email is not a valid email address.",
        ),
        (
            with("username", json!("")),
            "Username must be at least 3 characters.",
        ),
        (with("username", json!(123)), "Username must be a string."),
        (
            with("username", json!("u".repeat(300))),
            "Username must be at most 64 characters.",
        ),
        (
            with("password", json!("p".repeat(1000))),
            "Password must be at most 72 bytes long.",
        ),
        (
            with("password", json!(12345678)),
            "Password must be a string.",
        ),
        (without("password"), "Password is required."),
        (without("email"), "Email is required."),
        (without("username"), "Username is required."),
        (json!({}), "Username is required."),
        (
            with("username", json!({"a": 1})),
            "Username must be a string.",
        ),
        (
            with("username", json!(["arr1", "arr2"])),
            "Username must be a string.",
        ),
        (
            with("password", json!("12345")),
            "Password must be at least 6 characters.",
        ),
        (
            with("username", json!("zk oder")),
            "Username may only contain letters, digits, '_', '.' and '-'.",
        ),
        (json!([1, 2]), "Request body must be a JSON object."),
    ];
    for (body, message) in cases {
        srv.post_json(SIGNUP, &body)
            .await
            .assert_message(400, message);
    }
    // row 31: malformed JSON is a 400 JSON answer, not an HTML stack trace
    let res = srv
        .post_raw(SIGNUP, Some("application/json"), r#"{"username": 'zk'}"#)
        .await;
    assert_eq!((res.status, res.content_type()), (400, JSON_TYPE));
    let message = res.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("Malformed JSON in request body"),
        "{message}"
    );
    assert!(!message.contains('/'), "no paths: {message}");
    // row 35: no Content-Type means an empty body, like the seed
    srv.post_raw(SIGNUP, None, &ok.to_string())
        .await
        .assert_message(400, "Username is required.");
    srv.post_raw(SIGNUP, Some("text/plain"), &ok.to_string())
        .await
        .assert_message(400, "Username is required.");
    // rows 24, 25 as strings: unicode and numeric usernames are fine
    srv.signup("üñí", None)
        .await
        .assert_message(200, REGISTERED);
    srv.signup("123", None)
        .await
        .assert_message(200, REGISTERED);
    srv.stop().await;
}

async fn invalid_signin_bodies_are_400_json(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    srv.signup("zkoder", None)
        .await
        .assert_message(200, REGISTERED);
    // rows 53, 54, 55, 57, 58 (the seed answered 500 or logged in as the first array entry)
    let cases = [
        (json!({"username": "zkoder"}), "Password is required."),
        (json!({"password": PASSWORD}), "Username is required."),
        (json!({}), "Username is required."),
        (
            json!({"username": "zkoder", "password": 12345678}),
            "Password must be a string.",
        ),
        (
            json!({"username": ["ghost", "zkoder"], "password": PASSWORD}),
            "Username must be a string.",
        ),
        (
            json!({"username": "", "password": PASSWORD}),
            "Username must be at least 1 character.",
        ),
    ];
    for (body, message) in cases {
        srv.post_json(SIGNIN, &body)
            .await
            .assert_message(400, message);
    }
    // row 56
    let res = srv.post_raw(SIGNIN, Some("application/json"), "{").await;
    assert_eq!((res.status, res.content_type()), (400, JSON_TYPE));
    srv.stop().await;
}

async fn signin_failures_are_404_and_401(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    srv.signup("zkoder", None)
        .await
        .assert_message(200, REGISTERED);
    let invalid = r#"{"accessToken":null,"message":"Invalid Password!"}"#;
    // rows 45, 46
    srv.signin("zkoder", "wrong-password")
        .await
        .assert_json(401, invalid);
    srv.signin("ghost", PASSWORD)
        .await
        .assert_message(404, "User Not found.");
    // row 51 fixed: a password longer than 72 bytes is never verified (the seed truncated)
    let long = format!("{PASSWORD}{}", "x".repeat(100));
    srv.signin("zkoder", &long).await.assert_json(401, invalid);
    srv.stop().await;
}

async fn form_urlencoded_bodies_work_for_signup_and_signin(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    let form = "application/x-www-form-urlencoded";
    srv.post_raw(
        SIGNUP,
        Some(form),
        "username=formuser&email=form%40x.com&password=12345678",
    )
    .await
    .assert_message(200, REGISTERED);
    srv.post_raw(
        SIGNUP,
        Some(form),
        "username=formuser2&email=form2%40x.com&password=12345678&roles=user",
    )
    .await
    .assert_message(200, REGISTERED);
    // row 21 needs an admin's token now
    srv.post_raw(
        SIGNUP,
        Some(form),
        "username=formmod&email=fm%40x.com&password=12345678&roles%5B%5D=moderator",
    )
    .await
    .assert_message(403, "Require Admin Role to assign roles!");
    // row 52
    let res = srv
        .post_raw(SIGNIN, Some(form), "username=formuser&password=12345678")
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.json()["roles"], json!(["ROLE_USER"]));
    srv.stop().await;
}

async fn health_and_readiness_report_ok(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    srv.get("/healthz")
        .await
        .assert_json(200, r#"{"status":"ok"}"#);
    srv.get("/readyz")
        .await
        .assert_json(200, r#"{"status":"ok"}"#);
    srv.stop().await;
}
