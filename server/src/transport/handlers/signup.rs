//! `POST /api/auth/signup` (see [`crate::app::signup`]).

use authcore::validation::validate_signup;
use http::{HeaderMap, StatusCode};

use crate::app::{AppState, Failure, signup};
use crate::transport::responses::{self, Handled, bodies};
use crate::transport::{body, token};

/// Handles a signup.
pub async fn signup<B>(state: &AppState, headers: &HeaderMap, body: B) -> Handled
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let value = body::read_value(headers, body).await?;
    let request = validate_signup(&value, &state.signup_rules)
        .map_err(|e| Failure::Invalid(e.to_string()))?;
    drop(value);
    signup::signup(state, token::presented(headers), request).await?;
    Ok(responses::json_static(StatusCode::OK, bodies::REGISTERED))
}
