//! Forgotten passwords: `POST /api/auth/password/forgot` mails a one-time reset link,
//! `POST /api/auth/password/reset` sets a new password with its token.
//!
//! No enumeration: `forgot` answers the same 200 at once whatever the email, after the same work
//! on the request path (validating the body and handing it to a background task); the lookup,
//! the token and the mail happen in that task, bounded by [`crate::reset_mail::MAX_PENDING`].
//! A token is 256 random bits (`authcore::refresh::issue`), stored only as its SHA-256, valid for
//! `AUTHD_RESET_TOKEN_TTL_SECONDS` (15 min), once; a newer one replaces it, a reset consumes it.
//! A reset stores the new hash and revokes every token of the account (see `handlers::account`).
//! Without SMTP settings both routes answer 501.

use std::sync::Arc;

use authcore::refresh;
use authcore::tokens::{Clock, SystemClock};
use authcore::validation::validate_new_password;
use http::{HeaderMap, Response, StatusCode};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::database::Database;
use crate::http::body;
use crate::http::responses::{self, Body};
use crate::reset_mail::ResetMailer;
use crate::state::AppState;

/// 501 without SMTP settings.
pub const DISABLED: &str = r#"{"message":"Password reset by email is not configured."}"#;
/// 200 of every forgot request.
pub const SENT: &str =
    r#"{"message":"If an account has this email, a reset link was sent to it."}"#;
/// 400: no `email` string.
pub const EMAIL_REQUIRED: &str = r#"{"message":"email is required."}"#;
/// 400: no `token` / `newPassword` strings.
pub const RESET_FIELDS_REQUIRED: &str =
    r#"{"message":"token and newPassword are required strings."}"#;
/// 400: unknown, used, replaced or expired token.
pub const INVALID_TOKEN: &str = r#"{"message":"Reset token is invalid or expired."}"#;
/// 200 of a reset.
pub const RESET_DONE: &str = r#"{"message":"Password was reset! Sign in with the new password."}"#;

fn string_field(value: &Value, name: &str) -> Option<String> {
    match value.get(name) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// `POST /api/auth/password/forgot` with `{"email"}`.
pub async fn forgot<B>(state: &AppState, headers: &HeaderMap, body: B) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let Some(mailer) = state.reset_mail.clone() else {
        return responses::json_static(StatusCode::NOT_IMPLEMENTED, DISABLED);
    };
    let value = match body::read_value(headers, body).await {
        Ok(value) => value,
        Err(e) => return e.response(),
    };
    let Some(email) = string_field(&value, "email").filter(|e| !e.is_empty() && e.len() <= 254)
    else {
        return responses::json_static(StatusCode::BAD_REQUEST, EMAIL_REQUIRED);
    };
    match Arc::clone(&mailer.pending).try_acquire_owned() {
        Ok(permit) => {
            let db = state.db.clone();
            tokio::spawn(async move {
                send_reset(&db, &mailer, &email).await;
                drop(permit);
            });
        }
        Err(_) => {
            tracing::warn!(target: "authd::security", "reset request dropped: too many pending")
        }
    }
    responses::json_static(StatusCode::OK, SENT)
}

/// The background half of `forgot`: lookup, new token, mail. Logs ids only.
async fn send_reset(db: &Database, mailer: &ResetMailer, email: &str) {
    let user_id = match db.with_store(|s| s.user_id_by_email(email)).await {
        Ok(Some(id)) => id,
        Ok(None) => {
            tracing::info!(target: "authd::security", known_user = false, "password reset requested");
            return;
        }
        Err(e) => {
            tracing::warn!(error = %e, "password reset: lookup failed");
            return;
        }
    };
    let Ok(issued) = refresh::issue() else {
        tracing::error!("random source failed while issuing a reset token");
        return;
    };
    let expires_at = SystemClock.now().saturating_add(mailer.ttl_seconds);
    if let Err(e) = db
        .with_store(|s| s.replace_password_reset(user_id, &issued.hash, expires_at))
        .await
    {
        tracing::warn!(user_id, error = %e, "password reset: token not stored");
        return;
    }
    match mailer.send(email, &issued.token).await {
        Ok(()) => tracing::info!(target: "authd::security", user_id, "password reset mail sent"),
        Err(e) => tracing::warn!(user_id, error = %e, "password reset mail not sent"),
    }
}

/// `POST /api/auth/password/reset` with `{"token", "newPassword"}`.
pub async fn reset<B>(state: &AppState, headers: &HeaderMap, body: B) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    if state.reset_mail.is_none() {
        return responses::json_static(StatusCode::NOT_IMPLEMENTED, DISABLED);
    }
    let value = match body::read_value(headers, body).await {
        Ok(value) => value,
        Err(e) => return e.response(),
    };
    let (Some(token), Some(password)) = (
        string_field(&value, "token"),
        string_field(&value, "newPassword").map(Zeroizing::new),
    ) else {
        return responses::json_static(StatusCode::BAD_REQUEST, RESET_FIELDS_REQUIRED);
    };
    drop(value);
    if let Err(e) = validate_new_password(&password, &state.signup_rules) {
        return responses::bad_request(&e.to_string());
    }
    let Ok(hash_of_token) = refresh::hash_presented(&token) else {
        return responses::json_static(StatusCode::BAD_REQUEST, INVALID_TOKEN);
    };
    let now = SystemClock.now();
    let user_id = match state
        .db
        .with_store(|s| s.take_password_reset(&hash_of_token, now))
        .await
    {
        Ok(Some(id)) => id,
        Ok(None) => return responses::json_static(StatusCode::BAD_REQUEST, INVALID_TOKEN),
        Err(e) => return responses::store_error(&e),
    };
    let password_hash = match state.passwords.hash(password).await {
        Ok(Ok(hash)) => hash,
        Ok(Err(_)) | Err(_) => return responses::internal_error(),
    };
    match crate::handlers::account::revoke_all(state, user_id, Some(&password_hash)).await {
        Ok(_) => {
            state.limits.signin_succeeded(user_id);
            tracing::warn!(target: "authd::security", user_id, "password reset, all tokens revoked");
            responses::json_static(StatusCode::OK, RESET_DONE)
        }
        Err(e) => responses::store_error(&e),
    }
}
