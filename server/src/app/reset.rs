//! Forgotten passwords: [`forgot`] mails a one-time reset link, [`reset`] sets a new password
//! with its token.
//!
//! No enumeration: `forgot` answers the same at once whatever the email, after the same work on
//! the request path (handing it to a background task); the lookup, the token and the mail happen
//! in that task, bounded by [`crate::app::mail::MAX_PENDING`]. A token is 256 random bits
//! (`authcore::refresh::issue`), stored only as its SHA-256, valid for
//! `AUTHD_RESET_TOKEN_TTL_SECONDS` (15 min), once; a newer one replaces it, a reset consumes it.
//! A reset stores the new hash and revokes every token of the account ([`account::revoke_all`]).
//! Without SMTP settings both are refused ([`Refusal::ResetNotConfigured`]).

use std::sync::Arc;

use authcore::refresh;
use authcore::tokens::{Clock, SystemClock};
use authcore::validation::validate_new_password;
use zeroize::Zeroizing;

use crate::app::mail::ResetMailer;
use crate::app::{AppState, Failure, Refusal, account};
use crate::store::database::Database;

/// Longest email accepted by `forgot`.
const MAX_EMAIL_BYTES: usize = 254;

/// The mailer, or the refusal when reset mail is not configured (checked before the request
/// body is read).
pub fn mailer(state: &AppState) -> Result<Arc<ResetMailer>, Failure> {
    state
        .reset_mail
        .clone()
        .ok_or(Refusal::ResetNotConfigured.into())
}

/// Starts a reset for `email` (`None`: the body had no `email` string) in the background.
pub fn forgot(state: &AppState, email: Option<String>) -> Result<(), Failure> {
    let mailer = mailer(state)?;
    let email = email
        .filter(|e| !e.is_empty() && e.len() <= MAX_EMAIL_BYTES)
        .ok_or(Refusal::EmailRequired)?;
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
    Ok(())
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

/// Sets `password` on the account of reset `token` (both `None` when the body lacked them).
pub async fn reset(
    state: &AppState,
    token: Option<String>,
    password: Option<Zeroizing<String>>,
) -> Result<(), Failure> {
    mailer(state)?;
    let (Some(token), Some(password)) = (token, password) else {
        return Err(Refusal::ResetFieldsRequired.into());
    };
    validate_new_password(&password, &state.signup_rules)
        .map_err(|e| Failure::Invalid(e.to_string()))?;
    let Ok(hash_of_token) = refresh::hash_presented(&token) else {
        return Err(Refusal::ResetTokenInvalid.into());
    };
    let now = SystemClock.now();
    let user_id = state
        .db
        .with_store(|s| s.take_password_reset(&hash_of_token, now))
        .await?
        .ok_or(Refusal::ResetTokenInvalid)?;
    let password_hash = state
        .passwords
        .hash(password)
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or(Failure::Internal("password hash"))?;
    account::revoke_all(state, user_id, Some(&password_hash)).await?;
    state.limits.signin_succeeded(user_id);
    tracing::warn!(target: "authd::security", user_id, "password reset, all tokens revoked");
    Ok(())
}
