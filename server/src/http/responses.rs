//! Response builders and the contract's fixed bodies. Every error is JSON `{"message": …}`.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::Full;
use serde::Serialize;

/// The response body type of every handler.
pub type Body = Full<Bytes>;

/// `Content-Type` of JSON answers.
pub const JSON_TYPE: &str = "application/json; charset=utf-8";
/// `Content-Type` of the content routes' text answers.
pub const HTML_TYPE: &str = "text/html; charset=utf-8";

/// Fixed JSON bodies of the contract.
pub mod bodies {
    /// `GET /`.
    pub const WELCOME: &str = r#"{"message":"Welcome to my application."}"#;
    /// Signup success.
    pub const REGISTERED: &str = r#"{"message":"User was registered successfully!"}"#;
    /// Signin with an unknown username.
    pub const USER_NOT_FOUND: &str = r#"{"message":"User Not found."}"#;
    /// Signin with a wrong password.
    pub const INVALID_PASSWORD: &str = r#"{"accessToken":null,"message":"Invalid Password!"}"#;
    /// No `x-access-token` nor `Authorization: Bearer`.
    pub const NO_TOKEN: &str = r#"{"message":"No token provided!"}"#;
    /// Bad, expired or unverifiable token, or its user is gone.
    pub const UNAUTHORIZED: &str = r#"{"message":"Unauthorized!"}"#;
    /// `/api/test/mod` without the moderator role.
    pub const REQUIRE_MODERATOR: &str = r#"{"message":"Require Moderator Role!"}"#;
    /// `/api/test/admin` without the admin role.
    pub const REQUIRE_ADMIN: &str = r#"{"message":"Require Admin Role!"}"#;
    /// Signup asking for moderator/admin without an admin's token.
    pub const REQUIRE_ADMIN_TO_ASSIGN: &str =
        r#"{"message":"Require Admin Role to assign roles!"}"#;
    /// Duplicate username.
    pub const USERNAME_TAKEN: &str = r#"{"message":"Failed! Username is already in use!"}"#;
    /// Duplicate email.
    pub const EMAIL_TAKEN: &str = r#"{"message":"Failed! Email is already in use!"}"#;
    /// Body over the limit.
    pub const PAYLOAD_TOO_LARGE: &str = r#"{"message":"Payload too large"}"#;
    /// Database down or too slow.
    pub const UNAVAILABLE: &str = r#"{"message":"Service unavailable"}"#;
    /// A server-side failure.
    pub const INTERNAL: &str = r#"{"message":"Internal server error"}"#;
    /// `/healthz`, and `/readyz` when the store answers.
    pub const STATUS_OK: &str = r#"{"status":"ok"}"#;
    /// `/readyz` when the store does not answer.
    pub const STATUS_UNAVAILABLE: &str = r#"{"status":"unavailable"}"#;
}

fn with_type(status: StatusCode, content_type: HeaderValue, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

/// A fixed JSON body.
pub fn json_static(status: StatusCode, body: &'static str) -> Response<Body> {
    with_type(
        status,
        HeaderValue::from_static(JSON_TYPE),
        Bytes::from_static(body.as_bytes()),
    )
}

/// A fixed `text/html` body (the seed's content routes).
pub fn html_static(status: StatusCode, body: &'static str) -> Response<Body> {
    with_type(
        status,
        HeaderValue::from_static(HTML_TYPE),
        Bytes::from_static(body.as_bytes()),
    )
}

/// Any serializable value as JSON (500 if it cannot be serialized, which does not happen for
/// the types used here).
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(body) => with_type(
            status,
            HeaderValue::from_static(JSON_TYPE),
            Bytes::from(body),
        ),
        Err(_) => internal_error(),
    }
}

/// `{"message": message}`.
pub fn message(status: StatusCode, message: &str) -> Response<Body> {
    #[derive(Serialize)]
    struct Message<'a> {
        message: &'a str,
    }
    json(status, &Message { message })
}

/// 400 with `message`.
pub fn bad_request(message_text: &str) -> Response<Body> {
    message(StatusCode::BAD_REQUEST, message_text)
}

/// 503 `Service unavailable`.
pub fn unavailable() -> Response<Body> {
    json_static(StatusCode::SERVICE_UNAVAILABLE, bodies::UNAVAILABLE)
}

/// 500 `Internal server error`.
pub fn internal_error() -> Response<Body> {
    json_static(StatusCode::INTERNAL_SERVER_ERROR, bodies::INTERNAL)
}

/// 413 `Payload too large`.
pub fn payload_too_large() -> Response<Body> {
    json_static(StatusCode::PAYLOAD_TOO_LARGE, bodies::PAYLOAD_TOO_LARGE)
}

/// The longest path echoed back in a 404.
const MAX_ECHOED_PATH: usize = 256;

/// 404 `{"message":"Cannot GET /path"}`, like Express (but JSON).
pub fn not_found(method: &http::Method, path: &str) -> Response<Body> {
    let path = match path.char_indices().nth(MAX_ECHOED_PATH) {
        Some((cut, _)) => &path[..cut],
        None => path,
    };
    message(StatusCode::NOT_FOUND, &format!("Cannot {method} {path}"))
}

/// Seconds a client is asked to wait after a 503 of an unavailable store.
const STORE_RETRY_AFTER_SECONDS: u32 = 1;

/// The response for a store failure: 503 with `Retry-After` when unavailable, else 500 (logged).
pub fn store_error(error: &crate::store::StoreError) -> Response<Body> {
    match error {
        crate::store::StoreError::Unavailable(reason) => {
            tracing::debug!(%reason, "store unavailable");
            let mut response = unavailable();
            // Nothing was done (see `crate::database`): the client may simply retry.
            response.headers_mut().insert(
                http::header::RETRY_AFTER,
                HeaderValue::from(STORE_RETRY_AFTER_SECONDS),
            );
            response
        }
        crate::store::StoreError::Other(reason) => {
            tracing::error!(%reason, code = error.code(), "store error");
            internal_error()
        }
    }
}
