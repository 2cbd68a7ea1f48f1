//! The signed-in user's own account: who they are ([`me`]), changing the password
//! ([`change_password`]), and the revocation every lifecycle event shares ([`revoke_all`]).
//!
//! Revocation sets the account's `tokens_valid_after` to the second after now and revokes all its
//! refresh families in one transaction, then drops this instance's role-cache entry: the old
//! access tokens fail here on the next request, on other instances within their role-cache TTL
//! (`AUTHD_ROLE_CACHE_MS`, 1 s by default). A token issued in the revocation's second is refused
//! too; tokens issued afterwards carry `iat = max(now, tokens_valid_after)` (see
//! `store::lifecycle`).

use authcore::passwords::MAX_PASSWORD_BYTES;
use authcore::tokens::{Clock, SystemClock};
use authcore::validation::validate_new_password;
use zeroize::Zeroizing;

use crate::app::{AppState, Failure, Refusal};
use crate::store::lifecycle::revocation_instant;
use crate::store::{StoreError, UserRecord};

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

/// The account of user `id` (the caller).
pub async fn me(state: &AppState, id: i64) -> Result<UserRecord, Failure> {
    state
        .db
        .with_store(|s| s.find_user_by_id(id))
        .await?
        .ok_or(Failure::InvalidToken)
}

/// A wrong current password: counted as a failed signin of account `id`.
async fn wrong_current_password(state: &AppState, id: i64) -> Failure {
    state.limits.known_account_failed(&state.db, id).await;
    Refusal::WrongCurrentPassword.into()
}

/// Changes user `id`'s password from `current` to `new`: checks the current password (a wrong
/// one counts toward the account's signin slow-down, and a slowed-down account is refused before
/// any bcrypt work), stores the new hash, and revokes every token of the account, the caller's
/// included.
pub async fn change_password(
    state: &AppState,
    id: i64,
    current: Zeroizing<String>,
    new: Zeroizing<String>,
) -> Result<(), Failure> {
    validate_new_password(&new, &state.signup_rules)
        .map_err(|e| Failure::Invalid(e.to_string()))?;
    // The same cluster-wide slow-down as signin: a wrong current password is a failed signin.
    let checked = state.limits.check_known_account(&state.db, id).await?;
    let user = state
        .db
        .with_store(|s| s.find_user_by_id(id))
        .await?
        .ok_or(Failure::InvalidToken)?;
    if current.len() > MAX_PASSWORD_BYTES {
        return Err(wrong_current_password(state, id).await);
    }
    match state.passwords.verify(current, user.password_hash).await? {
        Ok(true) => {}
        Ok(false) | Err(_) => return Err(wrong_current_password(state, id).await),
    }
    state
        .limits
        .known_account_succeeded(&state.db, id, checked)
        .await;
    let hash = state
        .passwords
        .hash(new)
        .await?
        .map_err(|_| Failure::Internal("password hash"))?;
    if !revoke_all(state, id, Some(&hash)).await? {
        return Err(Failure::InvalidToken);
    }
    state.limits.signin_succeeded(id);
    tracing::warn!(target: "authd::security", user_id = id, "password changed, all tokens revoked");
    Ok(())
}
