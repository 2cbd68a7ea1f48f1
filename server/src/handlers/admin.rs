//! Role administration for admins: `GET /api/admin/users`, `PUT /api/admin/users/{id}/roles`,
//! `PUT /api/admin/users/{id}/disabled`, `DELETE /api/admin/users/{id}`.
//!
//! Disabling an account revokes all its tokens (see `handlers::account`); enabling it again does
//! not bring them back. A role change revokes nothing: roles are read from the store on every
//! request (through the role cache), so tokens carry no privileges that could go stale.
//!
//! The caller must be admin *in the store* (through the role cache, like `/api/test/admin`). A
//! change invalidates this instance's role-cache entry, so it applies on the next request here;
//! other instances see it within their role-cache TTL (`AUTHD_ROLE_CACHE_MS`, 1 s by default).
//! Changes are logged on target `authd::security` with the target user and the acting admin.

use authcore::roles::{Role, authorities};
use http::{HeaderMap, Response, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::http::auth::{self, Denied};
use crate::http::body;
use crate::http::responses::{self, Body, bodies};
use crate::state::AppState;
use crate::store::UserSummary;

/// Largest page size of the user list.
pub const MAX_PAGE_SIZE: u64 = 100;
/// Page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// 200 of a deletion.
pub const DELETED: &str = r#"{"message":"User was deleted successfully!"}"#;
/// 400 of an admin disabling their own account.
pub const NO_SELF_DISABLE: &str = r#"{"message":"Admins cannot disable themselves."}"#;
/// 400: the body is not `{"disabled": true|false}`.
pub const DISABLED_REQUIRED: &str = r#"{"message":"disabled must be true or false."}"#;
/// 400 of an admin deleting their own account.
pub const NO_SELF_DELETE: &str = r#"{"message":"Admins cannot delete themselves."}"#;

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

/// The calling admin's id, or the refusal.
async fn admin_id(state: &AppState, headers: &HeaderMap) -> Result<i64, Response<Body>> {
    let (id, roles) = auth::caller(state, headers)
        .await
        .map_err(|d| d.response())?;
    if state.admin.is_met_by(roles.as_slice(), state.hierarchy) {
        Ok(id)
    } else {
        Err(Denied::Forbidden(bodies::REQUIRE_ADMIN).response())
    }
}

/// `page` and `size` from the query string (defaults 0 and 20, size at most 100).
fn paging(query: Option<&str>) -> Result<(u64, u64), &'static str> {
    let (mut page, mut size) = (0, DEFAULT_PAGE_SIZE);
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let slot = match key.as_ref() {
            "page" => &mut page,
            "size" => &mut size,
            _ => continue,
        };
        *slot = value
            .parse::<u64>()
            .map_err(|_| "page and size must be non-negative integers.")?;
    }
    if size == 0 {
        return Err("size must be between 1 and 100.");
    }
    Ok((page, size.min(MAX_PAGE_SIZE)))
}

/// `GET /api/admin/users?page=0&size=20`.
pub async fn list_users(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Response<Body> {
    if let Err(response) = admin_id(state, headers).await {
        return response;
    }
    let (page, size) = match paging(query) {
        Ok(paging) => paging,
        Err(message) => return responses::bad_request(message),
    };
    let offset = page.saturating_mul(size);
    let (users, total): (Vec<UserSummary>, u64) =
        match state.db.with_store(|s| s.list_users(offset, size)).await {
            Ok(result) => result,
            Err(e) => return responses::store_error(&e),
        };
    let users = users
        .iter()
        .map(|u| UserView::of(u.id, &u.username, &u.email, &u.roles))
        .collect();
    responses::json(
        StatusCode::OK,
        &UserPage {
            users,
            page,
            size,
            total,
        },
    )
}

/// The roles of a `{"roles": [...]}` body: a non-empty array of known role names.
fn requested_roles(value: &Value) -> Result<Vec<Role>, String> {
    const SHAPE: &str = "roles must be a non-empty array of role names.";
    let Some(Value::Array(items)) = value.get("roles") else {
        return Err(SHAPE.to_owned());
    };
    if items.is_empty() {
        return Err(SHAPE.to_owned());
    }
    items
        .iter()
        .map(|item| match item {
            Value::String(name) => {
                Role::from_name(name).ok_or_else(|| format!("Failed! Role does not exist = {name}"))
            }
            _ => Err(SHAPE.to_owned()),
        })
        .collect()
}

fn user_not_found() -> Response<Body> {
    responses::json_static(StatusCode::NOT_FOUND, bodies::USER_NOT_FOUND)
}

/// `PUT /api/admin/users/{id}/roles` with `{"roles": ["user", "moderator"]}`.
pub async fn set_roles<B>(state: &AppState, headers: &HeaderMap, id: i64, body: B) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let actor_id = match admin_id(state, headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let value = match body::read_value(headers, body).await {
        Ok(value) => value,
        Err(e) => return e.response(),
    };
    let roles = match requested_roles(&value) {
        Ok(roles) => roles,
        Err(message) => return responses::bad_request(&message),
    };
    match state.db.with_store(|s| s.set_user_roles(id, &roles)).await {
        Ok(true) => {}
        Ok(false) => return user_not_found(),
        Err(e) => return responses::store_error(&e),
    }
    state.roles.invalidate(id);
    let user = match state.db.with_store(|s| s.find_user_by_id(id)).await {
        Ok(Some(user)) => user,
        Ok(None) => return user_not_found(),
        Err(e) => return responses::store_error(&e),
    };
    tracing::warn!(
        target: "authd::security",
        user_id = id,
        actor_id,
        roles = ?authorities(&user.roles),
        "user roles changed"
    );
    responses::json(
        StatusCode::OK,
        &UserView::of(user.id, &user.username, &user.email, &user.roles),
    )
}

#[derive(Serialize)]
struct DisabledView {
    id: i64,
    disabled: bool,
}

/// `PUT /api/admin/users/{id}/disabled` with `{"disabled": true|false}`; disabling revokes every
/// token of the account.
pub async fn set_disabled<B>(
    state: &AppState,
    headers: &HeaderMap,
    id: i64,
    body: B,
) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let actor_id = match admin_id(state, headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let disabled = match body::read_value(headers, body).await {
        Ok(value) => match value.get("disabled") {
            Some(Value::Bool(disabled)) => *disabled,
            _ => return responses::json_static(StatusCode::BAD_REQUEST, DISABLED_REQUIRED),
        },
        Err(e) => return e.response(),
    };
    if disabled && actor_id == id {
        return responses::json_static(StatusCode::BAD_REQUEST, NO_SELF_DISABLE);
    }
    match state
        .db
        .with_store(|s| s.set_user_disabled(id, disabled))
        .await
    {
        Ok(true) => {}
        Ok(false) => return user_not_found(),
        Err(e) => return responses::store_error(&e),
    }
    state.roles.invalidate(id);
    if disabled && let Err(e) = crate::handlers::account::revoke_all(state, id, None).await {
        return responses::store_error(&e);
    }
    tracing::warn!(target: "authd::security", user_id = id, actor_id, disabled, "account disabled flag set");
    responses::json(StatusCode::OK, &DisabledView { id, disabled })
}

/// `DELETE /api/admin/users/{id}`: the user, its role links and refresh tokens.
pub async fn delete_user(state: &AppState, headers: &HeaderMap, id: i64) -> Response<Body> {
    let actor_id = match admin_id(state, headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    if actor_id == id {
        return responses::json_static(StatusCode::BAD_REQUEST, NO_SELF_DELETE);
    }
    match state.db.with_store(|s| s.delete_user(id)).await {
        Ok(true) => {
            state.roles.invalidate(id);
            tracing::warn!(target: "authd::security", user_id = id, actor_id, "user deleted");
            responses::json_static(StatusCode::OK, DELETED)
        }
        Ok(false) => user_not_found(),
        Err(e) => responses::store_error(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_and_bounds() {
        assert!(matches!(paging(None), Ok((0, 20))));
        assert!(matches!(paging(Some("page=2&size=500")), Ok((2, 100))));
        assert!(paging(Some("size=0")).is_err());
        assert!(paging(Some("page=-1")).is_err());
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
