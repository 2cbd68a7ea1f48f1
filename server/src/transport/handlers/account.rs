//! `GET /api/auth/me` and `POST /api/auth/password` (see [`crate::app::account`]).

use authcore::roles::authorities;
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use zeroize::Zeroizing;

use super::string_field;
use crate::app::{AppState, Refusal, access, account};
use crate::transport::responses::{self, Handled, bodies};
use crate::transport::{body, token};

#[derive(Serialize)]
struct Me<'a> {
    id: i64,
    username: &'a str,
    email: &'a str,
    roles: Vec<String>,
}

/// `GET /api/auth/me`: the caller's id, username, email and roles.
pub async fn me(state: &AppState, headers: &HeaderMap) -> Handled {
    let (id, _) = access::caller(state, token::presented(headers)).await?;
    let user = account::me(state, id).await?;
    Ok(responses::json(
        StatusCode::OK,
        &Me {
            id: user.id,
            username: &user.username,
            email: &user.email,
            roles: authorities(&user.roles),
        },
    ))
}

/// `POST /api/auth/password` with `{"currentPassword", "newPassword"}`.
pub async fn change_password<B>(state: &AppState, headers: &HeaderMap, body: B) -> Handled
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let (id, _) = access::caller(state, token::presented(headers)).await?;
    let value = body::read_value(headers, body).await?;
    let current = string_field(&value, "currentPassword").map(Zeroizing::new);
    let new = string_field(&value, "newPassword").map(Zeroizing::new);
    drop(value);
    let (Some(current), Some(new)) = (current, new) else {
        return Err(Refusal::PasswordsRequired.into());
    };
    account::change_password(state, id, current, new).await?;
    Ok(responses::json_static(
        StatusCode::OK,
        bodies::PASSWORD_CHANGED,
    ))
}
