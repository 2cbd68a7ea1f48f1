//! The signed-in user's own account: `GET /api/auth/me`, `POST /api/auth/password`, and the
//! revocation every lifecycle event shares ([`revoke_all`]).
//!
//! Revocation sets the account's `tokens_valid_after` to the second after now and revokes all its
//! refresh families in one transaction, then drops this instance's role-cache entry: the old
//! access tokens fail here on the next request, on other instances within their role-cache TTL
//! (`AUTHD_ROLE_CACHE_MS`, 1 s by default). A token issued in the revocation's second is refused
//! too; tokens issued afterwards carry `iat = max(now, tokens_valid_after)` (see
//! `store::lifecycle`).

use authcore::passwords::MAX_PASSWORD_BYTES;
use authcore::roles::authorities;
use authcore::tokens::{Clock, SystemClock};
use authcore::validation::validate_new_password;
use http::{HeaderMap, Response, StatusCode};
use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::http::auth;
use crate::http::body;
use crate::http::responses::{self, Body, bodies};
use crate::limits::Refused;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::lifecycle::revocation_instant;

/// 200 of a password change.
pub const PASSWORD_CHANGED: &str =
    r#"{"message":"Password changed! Sign in again on every device."}"#;
/// 400: the body lacks `currentPassword` / `newPassword` strings.
pub const PASSWORDS_REQUIRED: &str =
    r#"{"message":"currentPassword and newPassword are required strings."}"#;

/// Revokes every access and refresh token of user `id` issued up to now, and replaces its
/// password hash when `new_password_hash` is given; `Ok(false)` when there is no such user.
pub async fn revoke_all(
    state: &AppState,
    id: i64,
    new_password_hash: Option<&str>,
) -> Result<bool, StoreError> {
    let now = SystemClock.now();
    let valid_after = revocation_instant(now);
    let found = state
        .db
        .with_store(|s| s.revoke_user_tokens(id, valid_after, now, new_password_hash))
        .await?;
    state.roles.invalidate(id);
    Ok(found)
}

#[derive(Serialize)]
struct Me<'a> {
    id: i64,
    username: &'a str,
    email: &'a str,
    roles: Vec<String>,
}

/// `GET /api/auth/me`: the caller's id, username, email and roles.
pub async fn me(state: &AppState, headers: &HeaderMap) -> Response<Body> {
    let id = match auth::caller(state, headers).await {
        Ok((id, _)) => id,
        Err(denied) => return denied.response(),
    };
    match state.db.with_store(|s| s.find_user_by_id(id)).await {
        Ok(Some(user)) => responses::json(
            StatusCode::OK,
            &Me {
                id: user.id,
                username: &user.username,
                email: &user.email,
                roles: authorities(&user.roles),
            },
        ),
        Ok(None) => auth::Denied::Unauthorized.response(),
        Err(e) => responses::store_error(&e),
    }
}

/// A wrong current password: counted as a failed signin of account `id`, answered 401.
async fn wrong_current_password(state: &AppState, id: i64) -> Response<Body> {
    state.limits.known_account_failed(&state.db, id).await;
    responses::json_static(StatusCode::UNAUTHORIZED, bodies::INVALID_PASSWORD)
}

/// The two strings of a password change body.
fn passwords(value: &Value) -> Option<(Zeroizing<String>, Zeroizing<String>)> {
    let field = |name: &str| match value.get(name) {
        Some(Value::String(s)) => Some(Zeroizing::new(s.clone())),
        _ => None,
    };
    Some((field("currentPassword")?, field("newPassword")?))
}

/// `POST /api/auth/password` with `{"currentPassword", "newPassword"}`: checks the current
/// password (a wrong one counts toward the account's signin slow-down, and a slowed-down account
/// is answered 429 before any bcrypt work), stores the new hash, and revokes every token of the
/// account, the caller's included.
pub async fn change_password<B>(state: &AppState, headers: &HeaderMap, body: B) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let id = match auth::caller(state, headers).await {
        Ok((id, _)) => id,
        Err(denied) => return denied.response(),
    };
    let value = match body::read_value(headers, body).await {
        Ok(value) => value,
        Err(e) => return e.response(),
    };
    let Some((current, new)) = passwords(&value) else {
        return responses::json_static(StatusCode::BAD_REQUEST, PASSWORDS_REQUIRED);
    };
    drop(value);
    if let Err(e) = validate_new_password(&new, &state.signup_rules) {
        return responses::bad_request(&e.to_string());
    }
    // The same cluster-wide slow-down as signin: a wrong current password is a failed signin.
    let checked = match state.limits.check_known_account(&state.db, id).await {
        Ok(checked) => checked,
        Err(Refused::Limited(limited)) => return limited.response(),
        Err(Refused::Store(e)) => return responses::store_error(&e),
    };
    let user = match state.db.with_store(|s| s.find_user_by_id(id)).await {
        Ok(Some(user)) => user,
        Ok(None) => return auth::Denied::Unauthorized.response(),
        Err(e) => return responses::store_error(&e),
    };
    if current.len() > MAX_PASSWORD_BYTES {
        return wrong_current_password(state, id).await;
    }
    match state.passwords.verify(current, user.password_hash).await {
        Ok(Ok(true)) => {}
        Ok(Ok(false) | Err(_)) => return wrong_current_password(state, id).await,
        Err(e) => return e.response(),
    }
    state
        .limits
        .known_account_succeeded(&state.db, id, checked)
        .await;
    let hash = match state.passwords.hash(new).await {
        Ok(Ok(hash)) => hash,
        Ok(Err(_)) => return responses::internal_error(),
        Err(e) => return e.response(),
    };
    match revoke_all(state, id, Some(&hash)).await {
        Ok(true) => {
            state.limits.signin_succeeded(id);
            tracing::warn!(target: "authd::security", user_id = id, "password changed, all tokens revoked");
            responses::json_static(StatusCode::OK, PASSWORD_CHANGED)
        }
        Ok(false) => auth::Denied::Unauthorized.response(),
        Err(e) => responses::store_error(&e),
    }
}
