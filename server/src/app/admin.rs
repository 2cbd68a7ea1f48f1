//! Account administration by admins: listing users, setting roles, disabling and deleting.
//!
//! Disabling an account revokes all its tokens ([`account::revoke_all`]); enabling it again does
//! not bring them back. A role change revokes nothing: roles are read from the store on every
//! request (through the role cache), so tokens carry no privileges that could go stale.
//!
//! The caller must be admin *in the store* (through the role cache, like `/api/test/admin`;
//! [`admin_id`]). A change invalidates this instance's role-cache entry, so it applies on the
//! next request here; other instances see it within their role-cache TTL (`AUTHD_ROLE_CACHE_MS`,
//! 1 s by default). Changes are logged on target `authd::security` with the target user and the
//! acting admin.

use authcore::roles::{Role, authorities};

use crate::app::access::{self, Presented};
use crate::app::{AppState, Failure, Needed, Refusal, account};
use crate::store::{UserRecord, UserSummary};

/// Largest page size of the user list.
pub const MAX_PAGE_SIZE: u64 = 100;
/// Page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// One page of users.
#[derive(Debug)]
pub struct UserPage {
    /// The users of the page, by id.
    pub users: Vec<UserSummary>,
    /// The page number (from 0).
    pub page: u64,
    /// The page size.
    pub size: u64,
    /// Users in all.
    pub total: u64,
}

/// A slice of users after a cursor (keyset paging).
#[derive(Debug)]
pub struct UserSlice {
    /// The users with an id greater than the cursor, by id.
    pub users: Vec<UserSummary>,
    /// The page size.
    pub size: u64,
    /// The cursor of the next slice (the last id here) while the slice is full.
    pub next: Option<i64>,
}

/// The calling admin's id, or the refusal.
pub async fn admin_id(state: &AppState, presented: Presented<'_>) -> Result<i64, Failure> {
    access::authorize(state, presented, &state.admin, Needed::Admin).await
}

/// `size` capped at [`MAX_PAGE_SIZE`]; 0 is invalid.
fn page_size(size: u64) -> Result<u64, Failure> {
    if size == 0 {
        return Err(Failure::Invalid(
            "size must be between 1 and 100.".to_owned(),
        ));
    }
    Ok(size.min(MAX_PAGE_SIZE))
}

/// Page `page` of `size` users (`size` is capped at [`MAX_PAGE_SIZE`]; 0 is invalid).
pub async fn list_users(state: &AppState, page: u64, size: u64) -> Result<UserPage, Failure> {
    let size = page_size(size)?;
    let offset = page.saturating_mul(size);
    let (users, total) = state.db.with_store(|s| s.list_users(offset, size)).await?;
    Ok(UserPage {
        users,
        page,
        size,
        total,
    })
}

/// Up to `size` users with an id greater than `after` (`size` as in [`list_users`]); the cost
/// does not depend on how many users come before `after`.
pub async fn list_users_after(
    state: &AppState,
    after: i64,
    size: u64,
) -> Result<UserSlice, Failure> {
    let size = page_size(size)?;
    let users = state
        .db
        .with_store(|s| s.list_users_after(after, size))
        .await?;
    let full = u64::try_from(users.len()).unwrap_or(u64::MAX) >= size;
    let next = if full {
        users.last().map(|u| u.id)
    } else {
        None
    };
    Ok(UserSlice { users, size, next })
}

/// Sets user `id`'s roles (admin `actor_id` acting); returns the user as stored afterwards. An
/// admin cannot take the admin role from themselves, as they cannot disable or delete themselves:
/// the store always keeps an admin who can undo a change.
pub async fn set_roles(
    state: &AppState,
    actor_id: i64,
    id: i64,
    roles: &[Role],
) -> Result<UserRecord, Failure> {
    if actor_id == id && !roles.contains(&Role::Admin) {
        return Err(Refusal::NoSelfDemote.into());
    }
    if !state.db.with_store(|s| s.set_user_roles(id, roles)).await? {
        return Err(Refusal::UserNotFound.into());
    }
    state.roles.invalidate(id);
    let user = state
        .db
        .with_store(|s| s.find_user_by_id(id))
        .await?
        .ok_or(Refusal::UserNotFound)?;
    tracing::warn!(
        target: "authd::security",
        user_id = id,
        actor_id,
        roles = ?authorities(&user.roles),
        "user roles changed"
    );
    Ok(user)
}

/// Disables or enables user `id`; disabling revokes every token of the account.
pub async fn set_disabled(
    state: &AppState,
    actor_id: i64,
    id: i64,
    disabled: bool,
) -> Result<(), Failure> {
    if disabled && actor_id == id {
        return Err(Refusal::NoSelfDisable.into());
    }
    if !state
        .db
        .with_store(|s| s.set_user_disabled(id, disabled))
        .await?
    {
        return Err(Refusal::UserNotFound.into());
    }
    state.roles.invalidate(id);
    if disabled {
        account::revoke_all(state, id, None).await?;
    }
    tracing::warn!(target: "authd::security", user_id = id, actor_id, disabled, "account disabled flag set");
    Ok(())
}

/// Deletes user `id` with its role links and refresh tokens.
pub async fn delete_user(state: &AppState, actor_id: i64, id: i64) -> Result<(), Failure> {
    if actor_id == id {
        return Err(Refusal::NoSelfDelete.into());
    }
    if !state.db.with_store(|s| s.delete_user(id)).await? {
        return Err(Refusal::UserNotFound.into());
    }
    state.roles.invalidate(id);
    tracing::warn!(target: "authd::security", user_id = id, actor_id, "user deleted");
    Ok(())
}
