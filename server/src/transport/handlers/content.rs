//! The seed's protected content routes (`/api/test/user`, `/mod`, `/admin`) and `/readyz`.
//!
//! Each content route resolves the token's user in the store (through the role cache): a valid
//! token whose user no longer exists is 401 everywhere, and `mod`/`admin` check roles with the
//! flat hierarchy (an admin is not a moderator, as in the seed).
//!
//! `/readyz` is 200 when the store answers and can serve: on a MariaDB Galera node that means
//! `wsrep_ready` and `Synced` (a node that is joining or lost quorum still answers a ping but
//! refuses every query), so a load balancer that checks `/readyz` takes its authd out of rotation
//! until the node is back.

use authcore::RoleRequirement;
use http::{HeaderMap, StatusCode};

use crate::app::{AppState, Needed, access};
use crate::transport::responses::{self, Body, Handled, bodies};
use crate::transport::token;

/// `GET /api/test/user`: any existing user.
pub async fn user(state: &AppState, headers: &HeaderMap) -> Handled {
    access::caller(state, token::presented(headers)).await?;
    Ok(responses::html_static(StatusCode::OK, "User Content."))
}

/// `GET /api/test/mod`: moderators.
pub async fn moderator(state: &AppState, headers: &HeaderMap) -> Handled {
    guarded(
        state,
        headers,
        &state.moderator,
        Needed::Moderator,
        "Moderator Content.",
    )
    .await
}

/// `GET /api/test/admin`: admins.
pub async fn admin(state: &AppState, headers: &HeaderMap) -> Handled {
    guarded(
        state,
        headers,
        &state.admin,
        Needed::Admin,
        "Admin Content.",
    )
    .await
}

async fn guarded(
    state: &AppState,
    headers: &HeaderMap,
    requirement: &RoleRequirement,
    needed: Needed,
    content: &'static str,
) -> Handled {
    access::authorize(state, token::presented(headers), requirement, needed).await?;
    Ok(responses::html_static(StatusCode::OK, content))
}

/// `GET /readyz`: 200 `{"status":"ok"}` when the store can serve, else 503
/// `{"status":"unavailable"}`.
pub async fn ready(state: &AppState) -> http::Response<Body> {
    if state.ready().await {
        responses::json_static(StatusCode::OK, bodies::STATUS_OK)
    } else {
        responses::json_static(StatusCode::SERVICE_UNAVAILABLE, bodies::STATUS_UNAVAILABLE)
    }
}
