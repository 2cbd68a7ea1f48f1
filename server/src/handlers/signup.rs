//! `POST /api/auth/signup`: validate, decide the roles, hash, insert.
//!
//! Roles: absent, `null`, `[]` and `["user"]` grant `user` only (the seed granted all three for
//! `[]`). Asking for `moderator` or `admin` needs an admin's token on the request (`x-access-token`
//! or `Authorization: Bearer`, checked against the store): otherwise 403 `Require Admin Role to
//! assign roles!` (401 `Unauthorized!` for a bad token). With it, the roles are granted as asked.
//!
//! With email verification on, the new account is marked unverified and mailed its link
//! (`handlers::verify`).
//!
//! A taken username is 400, except for a retry of the signup that took it ([`signup_replay`]).

use authcore::Role;
use authcore::validation::validate_signup;
use http::{HeaderMap, Response, StatusCode};
use zeroize::Zeroizing;

use crate::handlers::signup_replay;
use crate::http::auth::{self, Denied};
use crate::http::body;
use crate::http::responses::{self, Body, bodies};
use crate::state::AppState;
use crate::store::{CreateUserError, NewUser, UserRecord};

/// The roles to grant for `requested`, or why not.
async fn granted_roles(
    state: &AppState,
    headers: &HeaderMap,
    requested: Option<Vec<Role>>,
) -> Result<Vec<Role>, Denied> {
    let requested = requested.unwrap_or_default();
    if requested.iter().all(|r| *r == Role::User) {
        return Ok(vec![Role::User]);
    }
    let refused = Denied::Forbidden(bodies::REQUIRE_ADMIN_TO_ASSIGN);
    let (id, iat) = match auth::verified_token(state, headers) {
        Ok(token) => token,
        Err(Denied::NoToken) => return Err(refused),
        Err(denied) => return Err(denied),
    };
    // Authoritative read, not the cache: granting privileges is rare and must see revocations.
    match state.db.user_access(id).await {
        Ok(Some(access)) if !access.accepts(iat) => Err(Denied::Unauthorized),
        Ok(Some(access)) if access.roles.contains(&Role::Admin) => Ok(requested),
        Ok(Some(_)) => Err(refused),
        Ok(None) => Err(Denied::Unauthorized),
        Err(e) => Err(Denied::Store(e)),
    }
}

/// 400 for a username taken by `existing`, unless this signup is a retry of the one that took
/// it ([`signup_replay`]): then the 200 the first attempt should have got.
async fn username_taken(
    state: &AppState,
    existing: &UserRecord,
    email: &str,
    password: &Zeroizing<String>,
) -> Response<Body> {
    match signup_replay::is_replay(state, existing, email, password).await {
        Ok(true) => responses::json_static(StatusCode::OK, bodies::REGISTERED),
        Ok(false) => responses::json_static(StatusCode::BAD_REQUEST, bodies::USERNAME_TAKEN),
        Err(e) => responses::store_error(&e),
    }
}

/// Handles a signup.
pub async fn signup<B>(state: &AppState, headers: &HeaderMap, body: B) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let value = match body::read_value(headers, body).await {
        Ok(value) => value,
        Err(e) => return e.response(),
    };
    let request = match validate_signup(&value, &state.signup_rules) {
        Ok(request) => request,
        Err(e) => return responses::bad_request(&e.to_string()),
    };
    drop(value);
    let roles = match granted_roles(state, headers, request.roles).await {
        Ok(roles) => roles,
        Err(denied) => return denied.response(),
    };
    let password = Zeroizing::new(request.password);
    // Cheap early answer for the common duplicate, before spending a bcrypt hash on it; the
    // store's create is what actually guarantees uniqueness.
    match state.db.find_user_by_username(&request.username).await {
        Ok(Some(existing)) => {
            return username_taken(state, &existing, &request.email, &password).await;
        }
        Ok(None) => {}
        Err(e) => return responses::store_error(&e),
    }
    let password_hash = match state.passwords.hash(password.clone()).await {
        Ok(Ok(hash)) => hash,
        // Validation already enforced the password rules, so this is not the client's fault.
        Ok(Err(e)) => {
            tracing::error!(code = e.code(), "could not hash a password");
            return responses::internal_error();
        }
        Err(e) => return e.response(),
    };
    let new_user = NewUser {
        username: request.username,
        email: request.email,
        password_hash,
        roles,
        email_verified: !state.email_verification,
    };
    match state.db.create_user(&new_user).await {
        Ok(id) => {
            state.roles.invalidate(id);
            if state.email_verification
                && crate::handlers::verify::start(state, id, new_user.email)
                    .await
                    .is_err()
            {
                return responses::internal_error();
            }
            responses::json_static(StatusCode::OK, bodies::REGISTERED)
        }
        Err(CreateUserError::UsernameTaken) => {
            match state.db.find_user_by_username(&new_user.username).await {
                Ok(Some(existing)) => {
                    username_taken(state, &existing, &new_user.email, &password).await
                }
                Ok(None) => responses::json_static(StatusCode::BAD_REQUEST, bodies::USERNAME_TAKEN),
                Err(e) => responses::store_error(&e),
            }
        }
        Err(CreateUserError::EmailTaken) => {
            responses::json_static(StatusCode::BAD_REQUEST, bodies::EMAIL_TAKEN)
        }
        Err(CreateUserError::Store(e)) => responses::store_error(&e),
    }
}
