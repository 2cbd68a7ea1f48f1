//! Refresh tokens: rotation ([`refresh`]), sign-out ([`signout`]), and [`start_session`], which
//! signin calls to open a token family.
//!
//! Tokens come from `authcore::refresh::issue()` and are stored only as their hash. Each use
//! rotates the token atomically in the store: of racing requests presenting one token exactly one
//! rotates it. Presenting an already-rotated token again within
//! `AUTHD_REFRESH_REUSE_GRACE_SECONDS` (a client retrying after a lost answer, or in parallel)
//! gets another working pair of the same family, as long as the family has fewer than
//! [`refresh::MAX_LIVE_TOKENS_PER_FAMILY`] live tokens (else refused, nothing revoked); later it
//! is a reuse, and the whole family is revoked (logged on target `authd::security`).
//!
//! A family ends `AUTHD_REFRESH_FAMILY_LIFETIME_SECONDS` after its signin whatever its rotations.
//! Rotated and revoked rows are deleted `AUTHD_REFRESH_ROTATED_RETENTION_SECONDS` after the fact,
//! expired ones at once: each rotation prunes its family, and once a minute a bounded sweep
//! prunes the whole table.

use authcore::refresh::{self, RefreshDecision};
use authcore::tokens::{Claims, Clock, SystemClock};

use crate::app::{AppState, Failure, Refusal, account};
use crate::store::lifecycle::issued_at;
use crate::store::{NewRefreshToken, RefreshRow, Rotation};

/// Seconds between two sweeps of the whole refresh token table.
const SWEEP_EVERY_SECONDS: i64 = 60;
/// Most rows one sweep deletes.
const SWEEP_LIMIT: u64 = 1000;

/// A rotated pair.
#[derive(Debug)]
pub struct Refreshed {
    /// A new access token.
    pub access_token: String,
    /// The successor refresh token.
    pub refresh_token: String,
}

/// A signed access token for `user_id`, whose tokens are valid from `tokens_valid_after` on.
pub fn access_token(
    state: &AppState,
    user_id: i64,
    tokens_valid_after: i64,
) -> Result<String, Failure> {
    let iat = issued_at(SystemClock.now(), tokens_valid_after);
    let claims = Claims::for_user(user_id, iat, state.token_ttl_seconds);
    state.signer.sign(&claims).map_err(|e| {
        tracing::error!(code = e.code(), "could not sign a token");
        Failure::Internal("token signing")
    })
}

/// Opens a new refresh token family for `user_id` (at signin); `None` when refresh tokens are
/// disabled.
pub async fn start_session(state: &AppState, user_id: i64) -> Result<Option<String>, Failure> {
    if !state.refresh.enabled {
        return Ok(None);
    }
    let (Ok(issued), Ok(family_id)) = (refresh::issue(), refresh::random_id()) else {
        tracing::error!("random source failed while issuing a refresh token");
        return Err(Failure::Internal("random source"));
    };
    let now = SystemClock.now();
    let new = NewRefreshToken {
        token_hash: issued.hash.clone(),
        family_id,
        user_id,
        expires_at: now.saturating_add(state.refresh.ttl_seconds),
        family_expires_at: now.saturating_add(state.refresh.family_lifetime_seconds),
    };
    state
        .db
        .with_store(|s| s.insert_refresh_token(&new))
        .await?;
    Ok(Some(issued.token))
}

/// Rotates the presented refresh `token` (`None`: the body had no usable one).
pub async fn refresh(state: &AppState, token: Option<&str>) -> Result<Refreshed, Failure> {
    let token = token.ok_or(Refusal::RefreshTokenRequired)?;
    let Ok(hash) = refresh::hash_presented(token) else {
        return Err(Refusal::RefreshTokenNotFound.into());
    };
    let Ok(successor) = refresh::issue() else {
        tracing::error!("random source failed while issuing a refresh token");
        return Err(Failure::Internal("random source"));
    };
    let now = SystemClock.now();
    let expires_at = now.saturating_add(state.refresh.ttl_seconds);
    let rotation = state
        .db
        .with_store(|s| s.rotate_refresh_token(&hash, &successor.hash, expires_at, now))
        .await?;
    match rotation {
        Rotation::Rotated { user_id, family_id } => {
            rotated(state, user_id, family_id, successor.token, now).await
        }
        Rotation::Refused(row) => refused(state, &hash, row, now, successor, expires_at).await,
    }
}

/// The answer to a rotation (or a reissue within the grace) that issued `refresh_token`.
async fn rotated(
    state: &AppState,
    user_id: i64,
    family_id: String,
    refresh_token: String,
    now: i64,
) -> Result<Refreshed, Failure> {
    // A user deleted behind authd's back (without the cascade) or disabled ends its sessions here.
    let tokens_valid_after = match state.db.user_access(user_id).await? {
        Some(access) if !access.disabled => access.tokens_valid_after,
        Some(_) => {
            revoke_family(state, &family_id, user_id, "account disabled").await;
            return Err(Refusal::RefreshTokenNotFound.into());
        }
        None => {
            revoke_family(state, &family_id, user_id, "user no longer exists").await;
            return Err(Refusal::RefreshTokenNotFound.into());
        }
    };
    prune_in_background(state, family_id, now);
    Ok(Refreshed {
        access_token: access_token(state, user_id, tokens_valid_after)?,
        refresh_token,
    })
}

/// Deletes the family's spent rows, and once a minute those of the whole table (bounded), after
/// the answer.
fn prune_in_background(state: &AppState, family_id: String, now: i64) {
    let db = state.db.clone();
    let before = now.saturating_sub(state.refresh.rotated_retention_seconds);
    let sweep = db.maintenance_due(now, SWEEP_EVERY_SECONDS);
    tokio::spawn(async move {
        let family = db
            .with_store(|s| s.prune_refresh_tokens(Some(&family_id), now, before, u64::MAX))
            .await;
        let swept = if sweep {
            db.with_store(|s| s.prune_refresh_tokens(None, now, before, SWEEP_LIMIT))
                .await
        } else {
            Ok(0)
        };
        match (family, swept) {
            (Ok(family), Ok(swept)) => {
                tracing::debug!(family, swept, "pruned spent refresh tokens");
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::debug!(error = %e, "spent refresh tokens not pruned");
            }
        }
    });
}

/// Applies `authcore::refresh::decide` to a token the store did not rotate; within the grace,
/// issues `successor` in the same family instead.
async fn refused(
    state: &AppState,
    hash: &str,
    row: Option<RefreshRow>,
    now: i64,
    successor: refresh::IssuedRefreshToken,
    expires_at: i64,
) -> Result<Refreshed, Failure> {
    let grace = state.refresh.reuse_grace_seconds;
    let decision = refresh::decide(row.as_ref().map(RefreshRow::stored), now, grace);
    match (decision, row) {
        (RefreshDecision::Expired, _) => {
            if let Err(e) = state.db.with_store(|s| s.delete_refresh_token(hash)).await {
                tracing::debug!(error = %e, "expired refresh token not deleted");
            }
            Err(Refusal::RefreshTokenExpired.into())
        }
        (RefreshDecision::Reuse, Some(row)) => {
            crate::metrics::refresh_reuse_detected();
            revoke_family(state, &row.family_id, row.user_id, "refresh token reused").await;
            Err(Refusal::RefreshTokenNotFound.into())
        }
        (RefreshDecision::RetryWithinGrace, Some(row)) => {
            let since = now.saturating_sub(grace);
            let reissued = state
                .db
                .with_store(|s| {
                    s.reissue_refresh_token(
                        hash,
                        &successor.hash,
                        expires_at,
                        now,
                        since,
                        refresh::MAX_LIVE_TOKENS_PER_FAMILY,
                    )
                })
                .await?;
            match reissued {
                Rotation::Rotated { user_id, family_id } => {
                    tracing::info!(
                        target: "authd::security",
                        user_id,
                        family = %family_id,
                        "rotated refresh token presented again within the grace interval; \
                         reissued in its family"
                    );
                    rotated(state, user_id, family_id, successor.token, now).await
                }
                Rotation::Refused(_) => {
                    tracing::info!(
                        target: "authd::security",
                        user_id = row.user_id,
                        family = %row.family_id,
                        "refresh token presented again within the grace interval, but its family \
                         has enough live tokens; refused"
                    );
                    Err(Refusal::RefreshTokenNotFound.into())
                }
            }
        }
        _ => Err(Refusal::RefreshTokenNotFound.into()),
    }
}

/// Revokes a family and logs the security event.
async fn revoke_family(state: &AppState, family_id: &str, user_id: i64, reason: &'static str) {
    let now = SystemClock.now();
    match state
        .db
        .with_store(|s| s.revoke_refresh_family(family_id, now))
        .await
    {
        Ok(revoked) => tracing::warn!(
            target: "authd::security",
            user_id,
            family = %family_id,
            revoked,
            reason,
            "refresh token family revoked"
        ),
        Err(e) => tracing::error!(
            target: "authd::security",
            user_id,
            family = %family_id,
            error = %e,
            "could not revoke a refresh token family"
        ),
    }
}

/// Signs user `user_id` out: revokes the presented refresh token's family when it is the
/// caller's (its access tokens stay valid until they expire); with `everywhere`, every refresh
/// token *and every access token* of the caller issued up to now ([`account::revoke_all`]).
pub async fn signout(
    state: &AppState,
    user_id: i64,
    token: Option<&str>,
    everywhere: bool,
) -> Result<(), Failure> {
    if everywhere {
        account::revoke_all(state, user_id, None).await?;
        tracing::info!(target: "authd::security", user_id, "signed out everywhere");
        return Ok(());
    }
    let Some(hash) = token.and_then(|t| refresh::hash_presented(t).ok()) else {
        return Ok(());
    };
    if let Some(row) = state.db.with_store(|s| s.find_refresh_token(&hash)).await?
        && row.user_id == user_id
    {
        let now = SystemClock.now();
        state
            .db
            .with_store(|s| s.revoke_refresh_family(&row.family_id, now))
            .await?;
        tracing::info!(target: "authd::security", user_id, family = %row.family_id, "signed out");
    }
    Ok(())
}
