//! Email verification (`AUTHD_EMAIL_VERIFICATION`, off by default): signup mails a one-time link
//! ([`start`]), signin of an unverified account with the right password is refused
//! ([`Refusal::EmailNotVerified`]), and [`verify_email`] with the link's token marks it verified.
//!
//! Tokens are made and kept like password reset tokens ([`crate::app::reset`]): 256 random bits,
//! stored only as their SHA-256, valid [`VERIFY_TTL_SECONDS`], once. Accounts created while the
//! setting is off, and all accounts from before it existed, count as verified.

use authcore::refresh;
use authcore::tokens::{Clock, SystemClock};

use crate::app::mail::VERIFY_TTL_SECONDS;
use crate::app::{AppState, Failure, Refusal};
use crate::store::StoreError;

/// After a signup with verification on (the account was created unverified): stores a new
/// token and mails it to `email` off the request path. A token that could not be stored is a
/// failure (logged; the account stays unverified); a mail that fails to send is logged.
pub async fn start(state: &AppState, user_id: i64, email: String) -> Result<(), Failure> {
    let Some(mailer) = state.reset_mail.clone() else {
        return Err(Failure::Internal("verification without mail"));
    };
    let Ok(issued) = refresh::issue() else {
        tracing::error!("random source failed while issuing a verification token");
        return Err(Failure::Internal("random source"));
    };
    let expires_at = SystemClock.now().saturating_add(VERIFY_TTL_SECONDS);
    if let Err(e) = state
        .db
        .with_store(|s| s.start_email_verification(user_id, &issued.hash, expires_at))
        .await
    {
        tracing::warn!(user_id, error = %e, "email verification: token not stored");
        return Err(Failure::Internal("verification token not stored"));
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
pub async fn refuses_signin(state: &AppState, user_id: i64) -> Result<bool, StoreError> {
    if !state.email_verification {
        return Ok(false);
    }
    let verified = state.db.with_store(|s| s.email_verified(user_id)).await?;
    Ok(verified == Some(false))
}

/// Refused unless email verification is on (checked before the request body is read).
pub fn require_enabled(state: &AppState) -> Result<(), Failure> {
    if state.email_verification {
        Ok(())
    } else {
        Err(Refusal::VerificationNotEnabled.into())
    }
}

/// Marks the account of a verification `token` verified.
pub async fn verify_email(state: &AppState, token: Option<&str>) -> Result<(), Failure> {
    require_enabled(state)?;
    let token = token.ok_or(Refusal::VerificationTokenRequired)?;
    let Ok(hash_of_token) = refresh::hash_presented(token) else {
        return Err(Refusal::VerificationTokenInvalid.into());
    };
    let now = SystemClock.now();
    match state
        .db
        .with_store(|s| s.take_email_verification(&hash_of_token, now))
        .await?
    {
        Some(user_id) => {
            tracing::info!(target: "authd::security", user_id, "email verified");
            Ok(())
        }
        None => Err(Refusal::VerificationTokenInvalid.into()),
    }
}
