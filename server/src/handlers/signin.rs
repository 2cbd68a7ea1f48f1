//! `POST /api/auth/signin`: check the password, answer the user with a fresh token.
//!
//! Unknown username → 404 `User Not found.`; a disabled account with the right password → 403
//! `Account is disabled.`; with email verification on, an unverified account with the right
//! password → 403 `Email is not verified.`; wrong password → 401 `Invalid Password!` (a password
//! over bcrypt's 72 bytes is never verified, so it is always wrong: the seed silently truncated).
//! The per-account rate and slow-down apply by canonical username key before the lookup and by
//! account id after it (`limits::AccountKey`), so every spelling that reaches an account shares
//! its budget, and a slowed-down account is answered 429 before any bcrypt work. A known
//! account's failures are counted in the store (`limits::known_accounts`): shared by instances.
//! A correct password whose stored hash is weaker than the configured cost (the seed's cost-8
//! `$2a$` hashes) is re-hashed in the background.

use authcore::identity::username_key;
use authcore::passwords::{self, MAX_PASSWORD_BYTES, PasswordError};
use authcore::roles::authorities;
use authcore::tokens::{Claims, Clock, SystemClock};
use authcore::validation::validate_signin;
use http::{HeaderMap, Response, StatusCode};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::http::body;
use crate::http::responses::{self, Body};
use crate::limits::{AccountKey, Refused};
use crate::state::AppState;
use crate::store::lifecycle::issued_at;

/// 403 of a correct password for an account an admin disabled.
pub const ACCOUNT_DISABLED: &str = r#"{"message":"Account is disabled."}"#;

/// The signin answer, keys in the seed's order.
#[derive(Serialize)]
struct SigninResponse<'a> {
    id: i64,
    username: &'a str,
    email: &'a str,
    roles: Vec<String>,
    #[serde(rename = "accessToken")]
    access_token: String,
    /// Absent when refresh tokens are disabled (the seed's exact shape).
    #[serde(rename = "refreshToken", skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

/// A wrong password: counted against account `id` (in the store), answered as the profile says.
async fn invalid_password(state: &AppState, id: i64) -> Response<Body> {
    state.limits.known_account_failed(&state.db, id).await;
    state.profile.wrong_password()
}

/// Handles a signin.
pub async fn signin<B>(state: &AppState, headers: &HeaderMap, body: B) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let value = match body::read_value(headers, body).await {
        Ok(value) => value,
        Err(e) => return e.response(),
    };
    let request = match validate_signin(&value) {
        Ok(request) => request,
        Err(e) => return responses::bad_request(&e.to_string()),
    };
    drop(value);
    let name = AccountKey::Name(username_key(&request.username));
    if let Err(limited) = state.limits.check_signin_account(&name) {
        return limited.response();
    }
    let password = Zeroizing::new(request.password);
    let user = match state.db.find_user_by_username(&request.username).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            state.limits.signin_failed(name);
            return state.profile.unknown_user(&state.passwords, password).await;
        }
        Err(e) => return responses::store_error(&e),
    };
    let checked = match state.limits.check_known_account(&state.db, user.id).await {
        Ok(checked) => checked,
        Err(Refused::Limited(limited)) => return limited.response(),
        Err(Refused::Store(e)) => return responses::store_error(&e),
    };
    if password.len() > MAX_PASSWORD_BYTES {
        return invalid_password(state, user.id).await;
    }
    let stored_hash = user.password_hash.clone();
    let verified = state
        .profile
        .verify(&state.passwords, password.clone(), stored_hash)
        .await;
    match verified {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => return invalid_password(state, user.id).await,
        Ok(Err(PasswordError::InvalidHash(reason))) => {
            tracing::warn!(
                user_id = user.id,
                reason,
                "stored password hash is unusable"
            );
            return invalid_password(state, user.id).await;
        }
        Ok(Err(_)) => return invalid_password(state, user.id).await,
        Err(e) => return e.response(),
    }
    // Authoritative read: a revocation or disabling on another instance must be seen here.
    let access = match state.db.user_access(user.id).await {
        Ok(Some(access)) => access,
        Ok(None) => return state.profile.unknown_user(&state.passwords, password).await,
        Err(e) => return responses::store_error(&e),
    };
    if access.disabled {
        tracing::info!(target: "authd::security", user_id = user.id, "signin of a disabled account");
        return responses::json_static(StatusCode::FORBIDDEN, ACCOUNT_DISABLED);
    }
    match crate::handlers::verify::refuses_signin(state, user.id).await {
        Ok(false) => {}
        Ok(true) => {
            tracing::info!(target: "authd::security", user_id = user.id, "signin of an unverified email");
            return responses::json_static(
                StatusCode::FORBIDDEN,
                crate::handlers::verify::NOT_VERIFIED,
            );
        }
        Err(e) => return responses::store_error(&e),
    }
    let iat = issued_at(SystemClock.now(), access.tokens_valid_after);
    let claims = Claims::for_user(user.id, iat, state.token_ttl_seconds);
    let access_token = match state.signer.sign(&claims) {
        Ok(token) => token,
        Err(e) => {
            tracing::error!(code = e.code(), "could not sign a token");
            return responses::internal_error();
        }
    };
    let refresh_token = match crate::handlers::refresh::start_session(state, user.id).await {
        Ok(token) => token,
        Err(response) => return response,
    };
    state.roles.put(user.id, &access);
    state
        .limits
        .known_account_succeeded(&state.db, user.id, checked)
        .await;
    if passwords::needs_rehash(&user.password_hash, state.passwords.cost()) {
        upgrade_hash(state, user.id, password);
    }
    responses::json(
        StatusCode::OK,
        &SigninResponse {
            id: user.id,
            username: &user.username,
            email: &user.email,
            roles: authorities(&user.roles),
            access_token,
            refresh_token,
        },
    )
}

/// Re-hashes a verified password at the configured cost, off the request path.
fn upgrade_hash(state: &AppState, id: i64, password: Zeroizing<String>) {
    let pool = state.passwords.clone();
    let db = state.db.clone();
    tokio::spawn(async move {
        let Ok(Ok(hash)) = pool.hash(password).await else {
            return;
        };
        match db.update_password_hash(id, &hash).await {
            Ok(()) => tracing::debug!(user_id = id, "password hash upgraded"),
            Err(e) => tracing::debug!(user_id = id, error = %e, "password hash not upgraded"),
        }
    });
}
