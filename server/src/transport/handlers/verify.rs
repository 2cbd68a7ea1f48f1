//! `POST /api/auth/verify-email` with `{"token"}` (see [`crate::app::verify`]).

use http::{HeaderMap, StatusCode};

use super::string_field;
use crate::app::{AppState, verify};
use crate::transport::body;
use crate::transport::responses::{self, Handled, bodies};

/// `POST /api/auth/verify-email`.
pub async fn verify_email<B>(state: &AppState, headers: &HeaderMap, body: B) -> Handled
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    verify::require_enabled(state)?;
    let value = body::read_value(headers, body).await?;
    let token = string_field(&value, "token");
    verify::verify_email(state, token.as_deref()).await?;
    Ok(responses::json_static(StatusCode::OK, bodies::VERIFIED))
}
