//! `POST /api/auth/signin` (see [`crate::app::signin`]).

use authcore::roles::authorities;
use authcore::validation::validate_signin;
use http::{HeaderMap, StatusCode};
use serde::Serialize;

use crate::app::{AppState, Failure, signin};
use crate::transport::body;
use crate::transport::responses::{self, Handled};

/// The signin answer, keys in the seed's order.
#[derive(Serialize)]
struct SigninResponse<'a> {
    id: i64,
    username: &'a str,
    email: &'a str,
    roles: Vec<String>,
    #[serde(rename = "accessToken")]
    access_token: &'a str,
    /// Absent when refresh tokens are disabled (the seed's exact shape).
    #[serde(rename = "refreshToken", skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
}

/// Handles a signin.
pub async fn signin<B>(state: &AppState, headers: &HeaderMap, body: B) -> Handled
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let value = body::read_value(headers, body).await?;
    let request = validate_signin(&value).map_err(|e| Failure::Invalid(e.to_string()))?;
    drop(value);
    let signed_in = signin::signin(state, request).await?;
    let user = &signed_in.user;
    Ok(responses::json(
        StatusCode::OK,
        &SigninResponse {
            id: user.id,
            username: &user.username,
            email: &user.email,
            roles: authorities(&user.roles),
            access_token: &signed_in.access_token,
            refresh_token: signed_in.refresh_token.as_deref(),
        },
    ))
}
