//! Email verification (`AUTHD_EMAIL_VERIFICATION`, off by default): signup mails a one-time link
//! ([`start`]), signin of an unverified account with the right password answers 403
//! [`NOT_VERIFIED`], and `POST /api/auth/verify-email` with `{"token"}` marks it verified.
//!
//! Tokens are made and kept like password reset tokens (`handlers::reset`): 256 random bits,
//! stored only as their SHA-256, valid [`VERIFY_TTL_SECONDS`], once. Accounts created while the
//! setting is off, and all accounts from before it existed, count as verified.

use authcore::refresh;
use authcore::tokens::{Clock, SystemClock};
use http::{HeaderMap, Response, StatusCode};
use serde_json::Value;

use crate::http::body;
use crate::http::responses::{self, Body};
use crate::reset_mail::VERIFY_TTL_SECONDS;
use crate::state::AppState;

/// 403 of a correct password for an account whose email is not verified yet.
pub const NOT_VERIFIED: &str = r#"{"message":"Email is not verified."}"#;
/// 501 when email verification is off.
pub const DISABLED: &str = r#"{"message":"Email verification is not enabled."}"#;
/// 400: no `token` string.
pub const TOKEN_REQUIRED: &str = r#"{"message":"token is required."}"#;
/// 400: unknown, used, replaced or expired token.
pub const INVALID_TOKEN: &str = r#"{"message":"Verification token is invalid or expired."}"#;
/// 200 of a verification.
pub const VERIFIED: &str = r#"{"message":"Email was verified! You can sign in now."}"#;

/// After a signup with verification on (the account was created unverified): stores a new
/// token and mails it to `email` off the request path. `Err` (logged) when the token could not
/// be stored (the caller answers 500; the account stays unverified). A mail that fails to send
/// is logged.
pub async fn start(state: &AppState, user_id: i64, email: String) -> Result<(), ()> {
    let Some(mailer) = state.reset_mail.clone() else {
        return Err(());
    };
    let Ok(issued) = refresh::issue() else {
        tracing::error!("random source failed while issuing a verification token");
        return Err(());
    };
    let expires_at = SystemClock.now().saturating_add(VERIFY_TTL_SECONDS);
    if let Err(e) = state
        .db
        .with_store(|s| s.start_email_verification(user_id, &issued.hash, expires_at))
        .await
    {
        tracing::warn!(user_id, error = %e, "email verification: token not stored");
        return Err(());
    }
    let Ok(permit) = std::sync::Arc::clone(&mailer.pending).try_acquire_owned() else {
        tracing::warn!(target: "authd::security", user_id, "verification mail dropped: too many pending");
        return Ok(());
    };
    tokio::spawn(async move {
        match mailer.send_verification(&email, &issued.token).await {
            Ok(()) => tracing::info!(target: "authd::security", user_id, "verification mail sent"),
            Err(e) => tracing::warn!(user_id, error = %e, "verification mail not sent"),
        }
        drop(permit);
    });
    Ok(())
}

/// Whether signin must be refused for user `user_id`: verification on and the email unverified.
pub async fn refuses_signin(
    state: &AppState,
    user_id: i64,
) -> Result<bool, crate::store::StoreError> {
    if !state.email_verification {
        return Ok(false);
    }
    let verified = state.db.with_store(|s| s.email_verified(user_id)).await?;
    Ok(verified == Some(false))
}

/// `POST /api/auth/verify-email` with `{"token"}`.
pub async fn verify_email<B>(state: &AppState, headers: &HeaderMap, body: B) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    if !state.email_verification {
        return responses::json_static(StatusCode::NOT_IMPLEMENTED, DISABLED);
    }
    let value = match body::read_value(headers, body).await {
        Ok(value) => value,
        Err(e) => return e.response(),
    };
    let Some(Value::String(token)) = value.get("token") else {
        return responses::json_static(StatusCode::BAD_REQUEST, TOKEN_REQUIRED);
    };
    let Ok(hash_of_token) = refresh::hash_presented(token) else {
        return responses::json_static(StatusCode::BAD_REQUEST, INVALID_TOKEN);
    };
    let now = SystemClock.now();
    match state
        .db
        .with_store(|s| s.take_email_verification(&hash_of_token, now))
        .await
    {
        Ok(Some(user_id)) => {
            tracing::info!(target: "authd::security", user_id, "email verified");
            responses::json_static(StatusCode::OK, VERIFIED)
        }
        Ok(None) => responses::json_static(StatusCode::BAD_REQUEST, INVALID_TOKEN),
        Err(e) => responses::store_error(&e),
    }
}
