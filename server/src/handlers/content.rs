//! The seed's protected content routes: `/api/test/user`, `/mod` and `/admin`.
//!
//! Each resolves the token's user in the store (through the role cache): a valid token whose user
//! no longer exists is 401 everywhere, and `mod`/`admin` check roles with the flat hierarchy
//! (an admin is not a moderator, as in the seed).

use authcore::RoleRequirement;
use http::{HeaderMap, Response, StatusCode};

use crate::http::auth;
use crate::http::responses::{self, Body, bodies};
use crate::state::AppState;

/// `GET /api/test/user`: any existing user.
pub async fn user(state: &AppState, headers: &HeaderMap) -> Response<Body> {
    guarded(
        state,
        headers,
        &RoleRequirement::Authenticated,
        bodies::UNAUTHORIZED,
        "User Content.",
    )
    .await
}

/// `GET /api/test/mod`: moderators.
pub async fn moderator(state: &AppState, headers: &HeaderMap) -> Response<Body> {
    let requirement = &state.moderator;
    guarded(
        state,
        headers,
        requirement,
        bodies::REQUIRE_MODERATOR,
        "Moderator Content.",
    )
    .await
}

/// `GET /api/test/admin`: admins.
pub async fn admin(state: &AppState, headers: &HeaderMap) -> Response<Body> {
    guarded(
        state,
        headers,
        &state.admin,
        bodies::REQUIRE_ADMIN,
        "Admin Content.",
    )
    .await
}

async fn guarded(
    state: &AppState,
    headers: &HeaderMap,
    requirement: &RoleRequirement,
    forbidden_body: &'static str,
    content: &'static str,
) -> Response<Body> {
    match auth::authorize(state, headers, requirement, forbidden_body).await {
        Ok(()) => responses::html_static(StatusCode::OK, content),
        Err(denied) => denied.response(),
    }
}
