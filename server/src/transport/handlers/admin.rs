//! `GET /api/admin/users`, `PUT /api/admin/users/{id}/roles`, `PUT /api/admin/users/{id}/disabled`
//! and `DELETE /api/admin/users/{id}` (see [`crate::app::admin`]).

use authcore::roles::{Role, authorities};
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::app::admin::{self, DEFAULT_PAGE_SIZE};
use crate::app::{AppState, Failure, Refusal};
use crate::store::UserSummary;
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

#[derive(Serialize)]
struct UserSlice<'a> {
    users: Vec<UserView<'a>>,
    size: u64,
    next: Option<i64>,
}

/// How the query string asks to page.
#[derive(Debug, PartialEq)]
enum Paging {
    /// `page` (default 0) of `size` (default 20): offset paging.
    Offset { page: u64, size: u64 },
    /// `after=<id>`: the users with an id greater than it (keyset paging).
    After { after: i64, size: u64 },
}

/// The [`Paging`] of the query string; `page` and `after` exclude each other.
fn paging(query: Option<&str>) -> Result<Paging, Failure> {
    let (mut page, mut size, mut after) = (None, DEFAULT_PAGE_SIZE, None);
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let slot = match key.as_ref() {
            "page" => page.insert(0),
            "size" => &mut size,
            "after" => {
                let id = value.parse::<u64>().map_err(|_| {
                    Failure::Invalid("after must be a non-negative integer.".to_owned())
                })?;
                after = Some(i64::try_from(id).unwrap_or(i64::MAX));
                continue;
            }
            _ => continue,
        };
        *slot = value.parse::<u64>().map_err(|_| {
            Failure::Invalid("page and size must be non-negative integers.".to_owned())
        })?;
    }
    match (page, after) {
        (Some(_), Some(_)) => Err(Failure::Invalid(
            "page and after cannot be used together.".to_owned(),
        )),
        (page, None) => Ok(Paging::Offset {
            page: page.unwrap_or(0),
            size,
        }),
        (None, Some(after)) => Ok(Paging::After { after, size }),
    }
}

fn views(users: &[UserSummary]) -> Vec<UserView<'_>> {
    users
        .iter()
        .map(|u| UserView::of(u.id, &u.username, &u.email, &u.roles))
        .collect()
}

/// `GET /api/admin/users?page=0&size=20` (offset) or `?after=<id>&size=20` (keyset).
pub async fn list_users(state: &AppState, headers: &HeaderMap, query: Option<&str>) -> Handled {
    admin::admin_id(state, token::presented(headers)).await?;
    match paging(query)? {
        Paging::Offset { page, size } => {
            let found = admin::list_users(state, page, size).await?;
            Ok(responses::json(
                StatusCode::OK,
                &UserPage {
                    users: views(&found.users),
                    page: found.page,
                    size: found.size,
                    total: found.total,
                },
            ))
        }
        Paging::After { after, size } => {
            let found = admin::list_users_after(state, after, size).await?;
            Ok(responses::json(
                StatusCode::OK,
                &UserSlice {
                    users: views(&found.users),
                    size: found.size,
                    next: found.next,
                },
            ))
        }
    }
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
        let offset = |page, size| Some(Paging::Offset { page, size });
        assert_eq!(paging(None).ok(), offset(0, 20));
        assert_eq!(paging(Some("page=2&size=500")).ok(), offset(2, 500));
        assert!(paging(Some("page=-1")).is_err());
        assert!(paging(Some("size=x")).is_err());
    }

    #[test]
    fn after_selects_keyset_paging_and_excludes_page() {
        let after = |after, size| Some(Paging::After { after, size });
        assert_eq!(paging(Some("after=7")).ok(), after(7, 20));
        assert_eq!(paging(Some("size=5&after=0")).ok(), after(0, 5));
        assert_eq!(
            paging(Some("after=99999999999999999999")).ok(),
            None,
            "beyond u64 is not an integer here"
        );
        assert_eq!(
            paging(Some("after=18446744073709551615")).ok(),
            after(i64::MAX, 20)
        );
        assert!(paging(Some("after=-1")).is_err());
        assert!(paging(Some("after=1&page=0")).is_err());
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
