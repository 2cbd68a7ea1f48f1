//! Response builders and the contract's fixed bodies. Every error is JSON `{"message": …}`.

use bytes::Bytes;
use std::time::Duration;

use http::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{Response, StatusCode};
use http_body_util::Full;
use serde::Serialize;

use crate::app::password_pool::PoolError;
use crate::app::profile::ProfileKind;
use crate::app::{Failure, Needed, Refusal};
use crate::transport::body::BodyError;

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
    /// A rate limit or the signin slow-down.
    pub const TOO_MANY_REQUESTS: &str =
        r#"{"message":"Too many requests, please try again later."}"#;
    /// Strict profile: a signin failure, whatever the reason.
    pub const INVALID_CREDENTIALS: &str =
        r#"{"accessToken":null,"message":"Invalid username or password!"}"#;
    /// A correct password for an account an admin disabled.
    pub const ACCOUNT_DISABLED: &str = r#"{"message":"Account is disabled."}"#;
    /// A correct password for an account whose email is not verified yet.
    pub const NOT_VERIFIED: &str = r#"{"message":"Email is not verified."}"#;
    /// Password change: the body lacks `currentPassword` / `newPassword` strings.
    pub const PASSWORDS_REQUIRED: &str =
        r#"{"message":"currentPassword and newPassword are required strings."}"#;
    /// Password change done.
    pub const PASSWORD_CHANGED: &str =
        r#"{"message":"Password changed! Sign in again on every device."}"#;
    /// Refresh: no usable `refreshToken` field.
    pub const REFRESH_REQUIRED: &str = r#"{"message":"Refresh Token is required!"}"#;
    /// Refresh: unknown, malformed, reused or revoked token.
    pub const REFRESH_NOT_IN_DATABASE: &str = r#"{"message":"Refresh token is not in database!"}"#;
    /// Refresh: expired token.
    pub const REFRESH_EXPIRED: &str =
        r#"{"message":"Refresh token was expired. Please make a new signin request"}"#;
    /// Signout done.
    pub const SIGNED_OUT: &str = r#"{"message":"Signed out!"}"#;
    /// Reset routes without SMTP settings (501).
    pub const RESET_DISABLED: &str = r#"{"message":"Password reset by email is not configured."}"#;
    /// Every forgot request.
    pub const RESET_SENT: &str =
        r#"{"message":"If an account has this email, a reset link was sent to it."}"#;
    /// Forgot: no `email` string.
    pub const EMAIL_REQUIRED: &str = r#"{"message":"email is required."}"#;
    /// Reset: no `token` / `newPassword` strings.
    pub const RESET_FIELDS_REQUIRED: &str =
        r#"{"message":"token and newPassword are required strings."}"#;
    /// Reset: unknown, used, replaced or expired token.
    pub const RESET_TOKEN_INVALID: &str = r#"{"message":"Reset token is invalid or expired."}"#;
    /// Reset done.
    pub const RESET_DONE: &str =
        r#"{"message":"Password was reset! Sign in with the new password."}"#;
    /// Verify-email while verification is off (501).
    pub const VERIFICATION_DISABLED: &str = r#"{"message":"Email verification is not enabled."}"#;
    /// Verify-email: no `token` string.
    pub const VERIFICATION_TOKEN_REQUIRED: &str = r#"{"message":"token is required."}"#;
    /// Verify-email: unknown, used, replaced or expired token.
    pub const VERIFICATION_TOKEN_INVALID: &str =
        r#"{"message":"Verification token is invalid or expired."}"#;
    /// Verify-email done.
    pub const VERIFIED: &str = r#"{"message":"Email was verified! You can sign in now."}"#;
    /// Admin: a user deleted.
    pub const DELETED: &str = r#"{"message":"User was deleted successfully!"}"#;
    /// Admin: disabling one's own account.
    pub const NO_SELF_DISABLE: &str = r#"{"message":"Admins cannot disable themselves."}"#;
    /// Admin: the body is not `{"disabled": true|false}`.
    pub const DISABLED_REQUIRED: &str = r#"{"message":"disabled must be true or false."}"#;
    /// Admin: deleting one's own account.
    pub const NO_SELF_DELETE: &str = r#"{"message":"Admins cannot delete themselves."}"#;
    /// Admin: taking the admin role from one's own account.
    pub const NO_SELF_DEMOTE: &str =
        r#"{"message":"Admins cannot remove the admin role from themselves."}"#;
}

/// The content types as header values (constants: not validated again per response).
const JSON_VALUE: HeaderValue = HeaderValue::from_static(JSON_TYPE);
const HTML_VALUE: HeaderValue = HeaderValue::from_static(HTML_TYPE);

fn with_type(status: StatusCode, content_type: HeaderValue, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

/// A fixed JSON body.
pub fn json_static(status: StatusCode, body: &'static str) -> Response<Body> {
    with_type(status, JSON_VALUE, Bytes::from_static(body.as_bytes()))
}

/// A fixed `text/html` body (the seed's content routes).
pub fn html_static(status: StatusCode, body: &'static str) -> Response<Body> {
    with_type(status, HTML_VALUE, Bytes::from_static(body.as_bytes()))
}

/// Any serializable value as JSON (500 if it cannot be serialized, which does not happen for
/// the types used here).
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(body) => with_type(status, JSON_VALUE, Bytes::from(body)),
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
            // Nothing was done (see `crate::store::database`): the client may simply retry.
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

/// Why a request was not served: its body, or the application's [`Failure`].
#[derive(Debug)]
pub enum Rejection {
    /// The body could not be read as JSON.
    Body(BodyError),
    /// A service refused or failed.
    App(Failure),
}

impl From<BodyError> for Rejection {
    fn from(e: BodyError) -> Rejection {
        Rejection::Body(e)
    }
}

/// `?` on anything a service returns.
macro_rules! rejection_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Rejection {
            fn from(e: $t) -> Rejection {
                Rejection::App(e.into())
            }
        }
    )*};
}
rejection_from!(
    Failure,
    Refusal,
    crate::store::StoreError,
    PoolError,
    crate::app::limits::Limited
);

/// What a handler gives back: the answer, or why there is none.
pub type Handled = Result<Response<Body>, Rejection>;

/// The answer to a rejection under `profile`.
pub fn rejection(rejection: &Rejection, profile: ProfileKind) -> Response<Body> {
    match rejection {
        Rejection::Body(e) => body_error(e),
        Rejection::App(failure) => failure_response(failure, profile),
    }
}

/// The answer to an unusable body: 413 when too large, else 400.
fn body_error(error: &BodyError) -> Response<Body> {
    match error {
        BodyError::TooLarge => payload_too_large(),
        BodyError::Unreadable => bad_request("Could not read the request body."),
        BodyError::MalformedJson(reason) => {
            bad_request(&format!("Malformed JSON in request body: {reason}."))
        }
    }
}

/// `seconds` as a `Retry-After` value: whole seconds, at least 1.
fn with_retry_after(mut response: Response<Body>, wait: Duration) -> Response<Body> {
    let mut seconds = wait.as_secs();
    if wait.subsec_nanos() > 0 || seconds == 0 {
        seconds += 1;
    }
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// 401 with an RFC 6750 challenge (the strict profile's token failures).
fn challenge(body: &'static str, value: &'static str) -> Response<Body> {
    let mut response = json_static(StatusCode::UNAUTHORIZED, body);
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static(value));
    response
}

/// The contract's answer to `failure` under `profile`.
pub fn failure_response(failure: &Failure, profile: ProfileKind) -> Response<Body> {
    let strict = profile == ProfileKind::Strict;
    match failure {
        Failure::Invalid(text) => bad_request(text),
        Failure::Refused(refusal) => refusal_response(*refusal),
        Failure::NoToken if strict => challenge(bodies::NO_TOKEN, "Bearer"),
        Failure::NoToken => json_static(StatusCode::FORBIDDEN, bodies::NO_TOKEN),
        Failure::InvalidToken if strict => {
            challenge(bodies::UNAUTHORIZED, r#"Bearer error="invalid_token""#)
        }
        Failure::InvalidToken => json_static(StatusCode::UNAUTHORIZED, bodies::UNAUTHORIZED),
        Failure::MissingRole(needed) => json_static(
            StatusCode::FORBIDDEN,
            match needed {
                Needed::Moderator => bodies::REQUIRE_MODERATOR,
                Needed::Admin => bodies::REQUIRE_ADMIN,
                Needed::AdminToAssignRoles => bodies::REQUIRE_ADMIN_TO_ASSIGN,
            },
        ),
        Failure::UnknownUser | Failure::WrongPassword if strict => {
            json_static(StatusCode::UNAUTHORIZED, bodies::INVALID_CREDENTIALS)
        }
        Failure::UnknownUser => json_static(StatusCode::NOT_FOUND, bodies::USER_NOT_FOUND),
        Failure::WrongPassword => json_static(StatusCode::UNAUTHORIZED, bodies::INVALID_PASSWORD),
        Failure::RateLimited { retry_after } => with_retry_after(
            json_static(StatusCode::TOO_MANY_REQUESTS, bodies::TOO_MANY_REQUESTS),
            *retry_after,
        ),
        Failure::Passwords(PoolError::Busy { retry_after }) => {
            with_retry_after(unavailable(), *retry_after)
        }
        Failure::Passwords(PoolError::Failed) | Failure::Internal(_) => internal_error(),
        Failure::Store(e) => store_error(e),
    }
}

/// The fixed answer of a refusal.
fn refusal_response(refusal: Refusal) -> Response<Body> {
    use StatusCode as S;
    let (status, body) = match refusal {
        Refusal::UsernameTaken => (S::BAD_REQUEST, bodies::USERNAME_TAKEN),
        Refusal::EmailTaken => (S::BAD_REQUEST, bodies::EMAIL_TAKEN),
        Refusal::AccountDisabled => (S::FORBIDDEN, bodies::ACCOUNT_DISABLED),
        Refusal::EmailNotVerified => (S::FORBIDDEN, bodies::NOT_VERIFIED),
        Refusal::WrongCurrentPassword => (S::UNAUTHORIZED, bodies::INVALID_PASSWORD),
        Refusal::PasswordsRequired => (S::BAD_REQUEST, bodies::PASSWORDS_REQUIRED),
        Refusal::RefreshTokenRequired => (S::FORBIDDEN, bodies::REFRESH_REQUIRED),
        Refusal::RefreshTokenNotFound => (S::FORBIDDEN, bodies::REFRESH_NOT_IN_DATABASE),
        Refusal::RefreshTokenExpired => (S::FORBIDDEN, bodies::REFRESH_EXPIRED),
        Refusal::ResetNotConfigured => (S::NOT_IMPLEMENTED, bodies::RESET_DISABLED),
        Refusal::EmailRequired => (S::BAD_REQUEST, bodies::EMAIL_REQUIRED),
        Refusal::ResetFieldsRequired => (S::BAD_REQUEST, bodies::RESET_FIELDS_REQUIRED),
        Refusal::ResetTokenInvalid => (S::BAD_REQUEST, bodies::RESET_TOKEN_INVALID),
        Refusal::VerificationNotEnabled => (S::NOT_IMPLEMENTED, bodies::VERIFICATION_DISABLED),
        Refusal::VerificationTokenRequired => (S::BAD_REQUEST, bodies::VERIFICATION_TOKEN_REQUIRED),
        Refusal::VerificationTokenInvalid => (S::BAD_REQUEST, bodies::VERIFICATION_TOKEN_INVALID),
        Refusal::UserNotFound => (S::NOT_FOUND, bodies::USER_NOT_FOUND),
        Refusal::NoSelfDisable => (S::BAD_REQUEST, bodies::NO_SELF_DISABLE),
        Refusal::NoSelfDelete => (S::BAD_REQUEST, bodies::NO_SELF_DELETE),
        Refusal::NoSelfDemote => (S::BAD_REQUEST, bodies::NO_SELF_DEMOTE),
        Refusal::DisabledRequired => (S::BAD_REQUEST, bodies::DISABLED_REQUIRED),
    };
    json_static(status, body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn strict_turns_token_failures_into_bearer_challenges() {
        let r = failure_response(&Failure::NoToken, ProfileKind::Strict);
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()[WWW_AUTHENTICATE], "Bearer");
        let r = failure_response(&Failure::NoToken, ProfileKind::Seed);
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.headers().get(WWW_AUTHENTICATE).is_none());
    }

    #[test]
    fn waits_are_whole_seconds_rounded_up_and_at_least_one() {
        let limited = |ms| {
            let failure = Failure::RateLimited {
                retry_after: Duration::from_millis(ms),
            };
            let r = failure_response(&failure, ProfileKind::Seed);
            assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
            r.headers()[RETRY_AFTER].to_str().unwrap().to_owned()
        };
        assert_eq!(limited(0), "1");
        assert_eq!(limited(1500), "2");
        assert_eq!(limited(3000), "3");
    }
}
