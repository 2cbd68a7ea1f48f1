//! `GET /api/admin/users`, `PUT /api/admin/users/{id}/roles`, `PUT /api/admin/users/{id}/disabled`
//! and `DELETE /api/admin/users/{id}` (see [`crate::app::admin`]).

use authcore::roles::{Role, authorities};
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::app::admin::{self, DEFAULT_PAGE_SIZE};
use crate::app::{AppState, Failure, Refusal};
use crate::transport::responses::{self, Handled, bodies};
use crate::transport::{body, token};

#[derive(Serialize)]
struct UserView<'a> {
    id: i64,
    username: &'a str,
    email: &'a str,
    roles: Vec<String>,
}

impl<'a> UserView<'a> {
    fn of(id: i64, username: &'a str, email: &'a str, roles: &[Role]) -> Self {
        UserView {
            id,
            username,
            email,
            roles: authorities(roles),
        }
    }
}

#[derive(Serialize)]
struct UserPage<'a> {
    users: Vec<UserView<'a>>,
    page: u64,
    size: u64,
    total: u64,
}

/// `page` and `size` from the query string (defaults 0 and 20).
fn paging(query: Option<&str>) -> Result<(u64, u64), Failure> {
    let (mut page, mut size) = (0, DEFAULT_PAGE_SIZE);
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let slot = match key.as_ref() {
            "page" => &mut page,
            "size" => &mut size,
            _ => continue,
        };
        *slot = value.parse::<u64>().map_err(|_| {
            Failure::Invalid("page and size must be non-negative integers.".to_owned())
        })?;
    }
    Ok((page, size))
}

/// `GET /api/admin/users?page=0&size=20`.
pub async fn list_users(state: &AppState, headers: &HeaderMap, query: Option<&str>) -> Handled {
    admin::admin_id(state, token::presented(headers)).await?;
    let (page, size) = paging(query)?;
    let found = admin::list_users(state, page, size).await?;
    let users = found
        .users
        .iter()
        .map(|u| UserView::of(u.id, &u.username, &u.email, &u.roles))
        .collect();
    Ok(responses::json(
        StatusCode::OK,
        &UserPage {
            users,
            page: found.page,
            size: found.size,
            total: found.total,
        },
    ))
}

/// The roles of a `{"roles": [...]}` body: a non-empty array of known role names.
fn requested_roles(value: &Value) -> Result<Vec<Role>, Failure> {
    const SHAPE: &str = "roles must be a non-empty array of role names.";
    let shape = || Failure::Invalid(SHAPE.to_owned());
    let Some(Value::Array(items)) = value.get("roles") else {
        return Err(shape());
    };
    if items.is_empty() {
        return Err(shape());
    }
    items
        .iter()
        .map(|item| match item {
            Value::String(name) => Role::from_name(name)
                .ok_or_else(|| Failure::Invalid(format!("Failed! Role does not exist = {name}"))),
            _ => Err(shape()),
        })
        .collect()
}

/// `PUT /api/admin/users/{id}/roles` with `{"roles": ["user", "moderator"]}`.
pub async fn set_roles<B>(state: &AppState, headers: &HeaderMap, id: i64, body: B) -> Handled
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let actor_id = admin::admin_id(state, token::presented(headers)).await?;
    let value = body::read_value(headers, body).await?;
    let roles = requested_roles(&value)?;
    let user = admin::set_roles(state, actor_id, id, &roles).await?;
    Ok(responses::json(
        StatusCode::OK,
        &UserView::of(user.id, &user.username, &user.email, &user.roles),
    ))
}

#[derive(Serialize)]
struct DisabledView {
    id: i64,
    disabled: bool,
}

/// `PUT /api/admin/users/{id}/disabled` with `{"disabled": true|false}`.
pub async fn set_disabled<B>(state: &AppState, headers: &HeaderMap, id: i64, body: B) -> Handled
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let actor_id = admin::admin_id(state, token::presented(headers)).await?;
    let value = body::read_value(headers, body).await?;
    let Some(Value::Bool(disabled)) = value.get("disabled") else {
        return Err(Refusal::DisabledRequired.into());
    };
    admin::set_disabled(state, actor_id, id, *disabled).await?;
    Ok(responses::json(
        StatusCode::OK,
        &DisabledView {
            id,
            disabled: *disabled,
        },
    ))
}

/// `DELETE /api/admin/users/{id}`.
pub async fn delete_user(state: &AppState, headers: &HeaderMap, id: i64) -> Handled {
    let actor_id = admin::admin_id(state, token::presented(headers)).await?;
    admin::delete_user(state, actor_id, id).await?;
    Ok(responses::json_static(StatusCode::OK, bodies::DELETED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_and_parses_integers() {
        assert!(matches!(paging(None), Ok((0, 20))));
        assert!(matches!(paging(Some("page=2&size=500")), Ok((2, 500))));
        assert!(paging(Some("page=-1")).is_err());
        assert!(paging(Some("size=x")).is_err());
    }

    #[test]
    fn roles_must_be_known_names_in_a_non_empty_array() {
        let ok = requested_roles(&serde_json::json!({"roles": ["user", "moderator"]}));
        assert!(matches!(ok.as_deref(), Ok([Role::User, Role::Moderator])));
        for bad in [
            serde_json::json!({}),
            serde_json::json!({"roles": []}),
            serde_json::json!({"roles": "admin"}),
            serde_json::json!({"roles": ["root"]}),
            serde_json::json!({"roles": [1]}),
        ] {
            assert!(requested_roles(&bad).is_err(), "{bad}");
        }
    }
}
