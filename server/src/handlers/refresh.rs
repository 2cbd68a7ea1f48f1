//! Refresh tokens over HTTP: `POST /api/auth/refreshtoken` (rotate) and `POST /api/auth/signout`,
//! plus [`start_session`], which signin calls to open a token family.
//!
//! Tokens come from `authcore::refresh::issue()` and are stored only as their hash. Each use
//! rotates the token atomically in the store: of racing requests presenting one token exactly one
//! rotates it. Presenting an already-rotated token again within
//! `AUTHD_REFRESH_REUSE_GRACE_SECONDS` (a client retrying after a lost answer, or in parallel)
//! gets another working pair of the same family, as long as the family has fewer than
//! [`refresh::MAX_LIVE_TOKENS_PER_FAMILY`] live tokens (else 403, nothing revoked); later it is a
//! reuse, and the whole family is revoked (logged on target `authd::security`).
//!
//! A family ends `AUTHD_REFRESH_FAMILY_LIFETIME_SECONDS` after its signin whatever its rotations.
//! Rotated and revoked rows are deleted `AUTHD_REFRESH_ROTATED_RETENTION_SECONDS` after the fact,
//! expired ones at once: each rotation prunes its family, and once a minute a bounded sweep
//! prunes the whole table.

use authcore::refresh::{self, RefreshDecision};
use authcore::tokens::{Claims, Clock, SystemClock};
use http::{HeaderMap, Response, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::http::auth;
use crate::http::body;
use crate::http::responses::{self, Body};
use crate::state::AppState;
use crate::store::lifecycle::issued_at;
use crate::store::{NewRefreshToken, RefreshRow, Rotation};

/// 403: no usable `refreshToken` field.
pub const REQUIRED: &str = r#"{"message":"Refresh Token is required!"}"#;
/// 403: unknown, malformed, reused or revoked token.
pub const NOT_IN_DATABASE: &str = r#"{"message":"Refresh token is not in database!"}"#;
/// 403: expired token.
pub const EXPIRED: &str =
    r#"{"message":"Refresh token was expired. Please make a new signin request"}"#;
/// 200 of signout.
pub const SIGNED_OUT: &str = r#"{"message":"Signed out!"}"#;

/// Seconds between two sweeps of the whole refresh token table.
const SWEEP_EVERY_SECONDS: i64 = 60;
/// Most rows one sweep deletes.
const SWEEP_LIMIT: u64 = 1000;

#[derive(Serialize)]
struct Refreshed {
    #[serde(rename = "accessToken")]
    access_token: String,
    #[serde(rename = "refreshToken")]
    refresh_token: String,
}

fn forbidden(body: &'static str) -> Response<Body> {
    responses::json_static(StatusCode::FORBIDDEN, body)
}

/// A signed access token for `user_id`, whose tokens are valid from `tokens_valid_after` on
/// (`None`: signing failed, logged).
pub fn access_token(state: &AppState, user_id: i64, tokens_valid_after: i64) -> Option<String> {
    let iat = issued_at(SystemClock.now(), tokens_valid_after);
    let claims = Claims::for_user(user_id, iat, state.token_ttl_seconds);
    state
        .signer
        .sign(&claims)
        .map_err(|e| tracing::error!(code = e.code(), "could not sign a token"))
        .ok()
}

/// Opens a new refresh token family for `user_id` (at signin); `Ok(None)` when refresh tokens
/// are disabled.
pub async fn start_session(
    state: &AppState,
    user_id: i64,
) -> Result<Option<String>, Response<Body>> {
    if !state.refresh.enabled {
        return Ok(None);
    }
    let (issued, family_id) = match (refresh::issue(), refresh::random_id()) {
        (Ok(issued), Ok(family)) => (issued, family),
        _ => {
            tracing::error!("random source failed while issuing a refresh token");
            return Err(responses::internal_error());
        }
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
        .await
        .map_err(|e| responses::store_error(&e))?;
    Ok(Some(issued.token))
}

/// The `refreshToken` string of the body: `Err(403 required)` when missing, empty or not a string.
async fn presented<B>(headers: &HeaderMap, body: B) -> Result<Option<String>, Response<Body>>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let value = body::read_value(headers, body)
        .await
        .map_err(|e| e.response())?;
    Ok(match value.get("refreshToken") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    })
}

/// `POST /api/auth/refreshtoken`.
pub async fn refresh_token<B>(state: &AppState, headers: &HeaderMap, body: B) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let token = match presented(headers, body).await {
        Ok(Some(token)) => token,
        Ok(None) => return forbidden(REQUIRED),
        Err(response) => return response,
    };
    let Ok(hash) = refresh::hash_presented(&token) else {
        return forbidden(NOT_IN_DATABASE);
    };
    let Ok(successor) = refresh::issue() else {
        tracing::error!("random source failed while issuing a refresh token");
        return responses::internal_error();
    };
    let now = SystemClock.now();
    let expires_at = now.saturating_add(state.refresh.ttl_seconds);
    let rotation = state
        .db
        .with_store(|s| s.rotate_refresh_token(&hash, &successor.hash, expires_at, now))
        .await;
    match rotation {
        Ok(Rotation::Rotated { user_id, family_id }) => {
            rotated(state, user_id, family_id, successor.token, now).await
        }
        Ok(Rotation::Refused(row)) => refused(state, &hash, row, now, successor, expires_at).await,
        Err(e) => responses::store_error(&e),
    }
}

/// The answer to a rotation (or a reissue within the grace) that issued `refresh_token`.
async fn rotated(
    state: &AppState,
    user_id: i64,
    family_id: String,
    refresh_token: String,
    now: i64,
) -> Response<Body> {
    // A user deleted behind authd's back (without the cascade) or disabled ends its sessions here.
    let tokens_valid_after = match state.db.user_access(user_id).await {
        Ok(Some(access)) if !access.disabled => access.tokens_valid_after,
        Ok(Some(_)) => {
            revoke_family(state, &family_id, user_id, "account disabled").await;
            return forbidden(NOT_IN_DATABASE);
        }
        Ok(None) => {
            revoke_family(state, &family_id, user_id, "user no longer exists").await;
            return forbidden(NOT_IN_DATABASE);
        }
        Err(e) => return responses::store_error(&e),
    };
    prune_in_background(state, family_id, now);
    match access_token(state, user_id, tokens_valid_after) {
        Some(access_token) => responses::json(
            StatusCode::OK,
            &Refreshed {
                access_token,
                refresh_token,
            },
        ),
        None => responses::internal_error(),
    }
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
) -> Response<Body> {
    let grace = state.refresh.reuse_grace_seconds;
    let decision = refresh::decide(row.as_ref().map(RefreshRow::stored), now, grace);
    match (decision, row) {
        (RefreshDecision::Expired, _) => {
            if let Err(e) = state.db.with_store(|s| s.delete_refresh_token(hash)).await {
                tracing::debug!(error = %e, "expired refresh token not deleted");
            }
            forbidden(EXPIRED)
        }
        (RefreshDecision::Reuse, Some(row)) => {
            crate::metrics::refresh_reuse_detected();
            revoke_family(state, &row.family_id, row.user_id, "refresh token reused").await;
            forbidden(NOT_IN_DATABASE)
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
                .await;
            match reissued {
                Ok(Rotation::Rotated { user_id, family_id }) => {
                    tracing::info!(
                        target: "authd::security",
                        user_id,
                        family = %family_id,
                        "rotated refresh token presented again within the grace interval; \
                         reissued in its family"
                    );
                    rotated(state, user_id, family_id, successor.token, now).await
                }
                Ok(Rotation::Refused(_)) => {
                    tracing::info!(
                        target: "authd::security",
                        user_id = row.user_id,
                        family = %row.family_id,
                        "refresh token presented again within the grace interval, but its family \
                         has enough live tokens; refused"
                    );
                    forbidden(NOT_IN_DATABASE)
                }
                Err(e) => responses::store_error(&e),
            }
        }
        _ => forbidden(NOT_IN_DATABASE),
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

/// Whether the query string has `all=true` (or `all=1`).
fn wants_all(query: Option<&str>) -> bool {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .any(|(k, v)| k == "all" && (v == "true" || v == "1"))
}

/// `POST /api/auth/signout[?all=true]`: revokes the presented refresh token's family when it is
/// the caller's (its access tokens stay valid until they expire); with `all=true`, every refresh
/// token *and every access token* of the caller issued up to now
/// ([`crate::handlers::account::revoke_all`]).
pub async fn signout<B>(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    body: B,
) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let user_id = match auth::caller(state, headers).await {
        Ok((id, _)) => id,
        Err(denied) => return denied.response(),
    };
    let token = match presented(headers, body).await {
        Ok(token) => token,
        Err(response) => return response,
    };
    let now = SystemClock.now();
    if wants_all(query) {
        return match crate::handlers::account::revoke_all(state, user_id, None).await {
            Ok(_) => {
                tracing::info!(target: "authd::security", user_id, "signed out everywhere");
                responses::json_static(StatusCode::OK, SIGNED_OUT)
            }
            Err(e) => responses::store_error(&e),
        };
    }
    if let Some(hash) = token.and_then(|t| refresh::hash_presented(&t).ok()) {
        match state.db.with_store(|s| s.find_refresh_token(&hash)).await {
            Ok(Some(row)) if row.user_id == user_id => {
                if let Err(e) = state
                    .db
                    .with_store(|s| s.revoke_refresh_family(&row.family_id, now))
                    .await
                {
                    return responses::store_error(&e);
                }
                tracing::info!(target: "authd::security", user_id, family = %row.family_id, "signed out");
            }
            Ok(_) => {}
            Err(e) => return responses::store_error(&e),
        }
    }
    responses::json_static(StatusCode::OK, SIGNED_OUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_read_from_the_query() {
        assert!(wants_all(Some("all=true")));
        assert!(wants_all(Some("x=1&all=1")));
        assert!(!wants_all(Some("all=false")));
        assert!(!wants_all(None));
    }
}
