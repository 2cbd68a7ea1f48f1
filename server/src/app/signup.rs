//! Signup: decide the roles, hash, insert.
//!
//! Roles: absent, `null`, `[]` and `["user"]` grant `user` only (the seed granted all three for
//! `[]`). Asking for `moderator` or `admin` needs an admin's token on the request (checked
//! against the store): otherwise [`Needed::AdminToAssignRoles`] ([`Failure::InvalidToken`] for a
//! bad token). With it, the roles are granted as asked.
//!
//! With email verification on, the new account is marked unverified and mailed its link
//! ([`crate::app::verify`]).
//!
//! A taken username is refused, except for a retry of the signup that took it
//! ([`crate::app::signup_replay`]).

use authcore::Role;
use authcore::validation::SignupRequest;
use zeroize::Zeroizing;

use crate::app::access::{self, Presented};
use crate::app::{AppState, Failure, Needed, Refusal, signup_replay, verify};
use crate::store::{CreateUserError, NewUser, UserRecord};

/// The roles to grant for `requested`, or why not.
async fn granted_roles(
    state: &AppState,
    presented: Presented<'_>,
    requested: Option<Vec<Role>>,
) -> Result<Vec<Role>, Failure> {
    let requested = requested.unwrap_or_default();
    if requested.iter().all(|r| *r == Role::User) {
        return Ok(vec![Role::User]);
    }
    let refused = Failure::MissingRole(Needed::AdminToAssignRoles);
    let (id, iat) = match access::verified_token(state, presented) {
        Ok(token) => token,
        Err(Failure::NoToken) => return Err(refused),
        Err(failure) => return Err(failure),
    };
    // Authoritative read, not the cache: granting privileges is rare and must see revocations.
    match state.db.user_access(id).await? {
        Some(access) if !access.accepts(iat) => Err(Failure::InvalidToken),
        Some(access) if access.roles.contains(&Role::Admin) => Ok(requested),
        Some(_) => Err(refused),
        None => Err(Failure::InvalidToken),
    }
}

/// A username taken by `existing`: refused, unless this signup is a retry of the one that took it
/// (then it succeeds as the first attempt should have).
async fn username_taken(
    state: &AppState,
    existing: &UserRecord,
    email: &str,
    password: &Zeroizing<String>,
) -> Result<(), Failure> {
    if signup_replay::is_replay(state, existing, email, password).await? {
        Ok(())
    } else {
        Err(Refusal::UsernameTaken.into())
    }
}

/// Registers `request` (already validated); `presented` is the request's access token, needed
/// only to ask for roles beyond `user`.
pub async fn signup(
    state: &AppState,
    presented: Presented<'_>,
    request: SignupRequest,
) -> Result<(), Failure> {
    let roles = granted_roles(state, presented, request.roles).await?;
    let password = Zeroizing::new(request.password);
    // Cheap early answer for the common duplicate, before spending a bcrypt hash on it; the
    // store's create is what actually guarantees uniqueness.
    if let Some(existing) = state.db.find_user_by_username(&request.username).await? {
        return username_taken(state, &existing, &request.email, &password).await;
    }
    let password_hash = match state.passwords.hash(password.clone()).await? {
        Ok(hash) => hash,
        // Validation already enforced the password rules, so this is not the client's fault.
        Err(e) => {
            tracing::error!(code = e.code(), "could not hash a password");
            return Err(Failure::Internal("password hash"));
        }
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
            if state.email_verification {
                verify::start(state, id, new_user.email).await?;
            }
            Ok(())
        }
        Err(CreateUserError::UsernameTaken) => {
            match state.db.find_user_by_username(&new_user.username).await? {
                Some(existing) => {
                    username_taken(state, &existing, &new_user.email, &password).await
                }
                None => Err(Refusal::UsernameTaken.into()),
            }
        }
        Err(CreateUserError::EmailTaken) => Err(Refusal::EmailTaken.into()),
        Err(CreateUserError::Store(e)) => Err(e.into()),
    }
}
