//! `POST /api/auth/password/forgot` and `POST /api/auth/password/reset` (see
//! [`crate::app::reset`]).

use http::{HeaderMap, StatusCode};
use zeroize::Zeroizing;

use super::string_field;
use crate::app::{AppState, reset};
use crate::transport::body;
use crate::transport::responses::{self, Handled, bodies};

/// `POST /api/auth/password/forgot` with `{"email"}`: the same 200 whatever the email.
pub async fn forgot<B>(state: &AppState, headers: &HeaderMap, body: B) -> Handled
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    reset::mailer(state)?;
    let value = body::read_value(headers, body).await?;
    reset::forgot(state, string_field(&value, "email"))?;
    Ok(responses::json_static(StatusCode::OK, bodies::RESET_SENT))
}

/// `POST /api/auth/password/reset` with `{"token", "newPassword"}`.
pub async fn reset<B>(state: &AppState, headers: &HeaderMap, body: B) -> Handled
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    reset::mailer(state)?;
    let value = body::read_value(headers, body).await?;
    let token = string_field(&value, "token");
    let password = string_field(&value, "newPassword").map(Zeroizing::new);
    drop(value);
    reset::reset(state, token, password).await?;
    Ok(responses::json_static(StatusCode::OK, bodies::RESET_DONE))
}
