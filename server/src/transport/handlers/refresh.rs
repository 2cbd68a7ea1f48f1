//! `POST /api/auth/refreshtoken` and `POST /api/auth/signout[?all=true]` (see
//! [`crate::app::refresh`]).

use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::app::{AppState, access, refresh};
use crate::transport::responses::{self, Handled, Rejection, bodies};
use crate::transport::{body, token};

#[derive(Serialize)]
struct Refreshed<'a> {
    #[serde(rename = "accessToken")]
    access_token: &'a str,
    #[serde(rename = "refreshToken")]
    refresh_token: &'a str,
}

/// The non-empty `refreshToken` string of the body, if any.
async fn presented<B>(headers: &HeaderMap, body: B) -> Result<Option<String>, Rejection>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let value = body::read_value(headers, body).await?;
    Ok(match value.get("refreshToken") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    })
}

/// `POST /api/auth/refreshtoken`.
pub async fn refresh_token<B>(state: &AppState, headers: &HeaderMap, body: B) -> Handled
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let token = presented(headers, body).await?;
    let pair = refresh::refresh(state, token.as_deref()).await?;
    Ok(responses::json(
        StatusCode::OK,
        &Refreshed {
            access_token: &pair.access_token,
            refresh_token: &pair.refresh_token,
        },
    ))
}

/// Whether the query string has `all=true` (or `all=1`).
fn wants_all(query: Option<&str>) -> bool {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .any(|(k, v)| k == "all" && (v == "true" || v == "1"))
}

/// `POST /api/auth/signout[?all=true]`.
pub async fn signout<B>(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    body: B,
) -> Handled
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let (user_id, _) = access::caller(state, token::presented(headers)).await?;
    let token = presented(headers, body).await?;
    refresh::signout(state, user_id, token.as_deref(), wants_all(query)).await?;
    Ok(responses::json_static(StatusCode::OK, bodies::SIGNED_OUT))
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
