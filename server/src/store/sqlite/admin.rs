//! SQLite SQL of role administration (see [`crate::store::refresh::AdminStore`]).

use async_trait::async_trait;
use authcore::roles::{Role, normalize_roles};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{SqliteStore, map_err};
use crate::store::records::StoreError;
use crate::store::records::roles_from_names;
use crate::store::refresh::AdminStore;
use crate::store::refresh::UserSummary;

const PAGE: &str = "SELECT u.id, u.username, u.email, r.name
    FROM (SELECT id, username, email FROM users ORDER BY id LIMIT ?1 OFFSET ?2) AS u
    LEFT JOIN user_roles AS ur ON ur.userId = u.id
    LEFT JOIN roles AS r ON r.id = ur.roleId
    ORDER BY u.id, r.id";
const PAGE_AFTER: &str = "SELECT u.id, u.username, u.email, r.name
    FROM (SELECT id, username, email FROM users WHERE id > ?1 ORDER BY id LIMIT ?2) AS u
    LEFT JOIN user_roles AS ur ON ur.userId = u.id
    LEFT JOIN roles AS r ON r.id = ur.roleId
    ORDER BY u.id, r.id";
const COUNT: &str = "SELECT COUNT(*) FROM users";
const USER_EXISTS: &str = "SELECT id FROM users WHERE id = ?1";
const DELETE_ROLES: &str = "DELETE FROM user_roles WHERE userId = ?1";
const INSERT_ROLE: &str = "INSERT INTO user_roles (createdAt, updatedAt, roleId, userId)
    SELECT strftime('%Y-%m-%d %H:%M:%S','now'), strftime('%Y-%m-%d %H:%M:%S','now'), r.id, ?1
    FROM roles AS r WHERE r.name = ?2";
const DELETE_TOKENS: &str = "DELETE FROM refresh_tokens WHERE user_id = ?1";
const DELETE_USER: &str = "DELETE FROM users WHERE id = ?1";

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The users of `sql` (rows of id, username, email, role name, ordered by id) with their roles.
fn users_of(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<UserSummary>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(map_err)?;
    let mut rows = stmt.query(args).map_err(map_err)?;
    let mut users: Vec<(UserSummary, Vec<Option<String>>)> = Vec::new();
    while let Some(row) = rows.next().map_err(map_err)? {
        let id: i64 = row.get(0).map_err(map_err)?;
        let name: Option<String> = row.get(3).map_err(map_err)?;
        match users.last_mut() {
            Some((u, names)) if u.id == id => names.push(name),
            _ => users.push((
                UserSummary {
                    id,
                    username: row
                        .get::<_, Option<String>>(1)
                        .map_err(map_err)?
                        .unwrap_or_default(),
                    email: row
                        .get::<_, Option<String>>(2)
                        .map_err(map_err)?
                        .unwrap_or_default(),
                    roles: Vec::new(),
                },
                vec![name],
            )),
        }
    }
    Ok(users
        .into_iter()
        .map(|(mut u, names)| {
            u.roles = roles_from_names(names);
            u
        })
        .collect())
}

fn page(conn: &Connection, offset: u64, limit: u64) -> Result<(Vec<UserSummary>, u64), StoreError> {
    let users = users_of(conn, PAGE, params![to_i64(limit), to_i64(offset)])?;
    let total: i64 = conn.query_row(COUNT, [], |r| r.get(0)).map_err(map_err)?;
    Ok((users, u64::try_from(total).unwrap_or(0)))
}

fn exists(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    let found: Option<i64> = conn
        .query_row(USER_EXISTS, [id], |r| r.get(0))
        .optional()
        .map_err(map_err)?;
    Ok(found.is_some())
}

fn set_roles(conn: &mut Connection, id: i64, roles: &[Role]) -> Result<bool, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(map_err)?;
    if !exists(&tx, id)? {
        return Ok(false);
    }
    tx.execute(DELETE_ROLES, [id]).map_err(map_err)?;
    for role in normalize_roles(roles) {
        tx.execute(INSERT_ROLE, params![id, role.name()])
            .map_err(map_err)?;
    }
    tx.commit().map_err(map_err)?;
    Ok(true)
}

fn delete(conn: &mut Connection, id: i64) -> Result<bool, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(map_err)?;
    if !exists(&tx, id)? {
        return Ok(false);
    }
    // SQLite may give a deleted user's id to the next one: nothing of it may stay.
    for sql in [
        DELETE_ROLES,
        DELETE_TOKENS,
        super::lockout::DELETE,
        DELETE_USER,
    ] {
        tx.execute(sql, [id]).map_err(map_err)?;
    }
    tx.commit().map_err(map_err)?;
    Ok(true)
}

#[async_trait]
impl AdminStore for SqliteStore {
    async fn list_users(
        &self,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<UserSummary>, u64), StoreError> {
        self.call(move |c| page(c, offset, limit)).await
    }

    async fn list_users_after(
        &self,
        after: i64,
        limit: u64,
    ) -> Result<Vec<UserSummary>, StoreError> {
        self.call(move |c| users_of(c, PAGE_AFTER, params![after, to_i64(limit)]))
            .await
    }

    async fn set_user_roles(&self, id: i64, roles: &[Role]) -> Result<bool, StoreError> {
        let roles = roles.to_vec();
        self.call(move |c| set_roles(c, id, &roles)).await
    }

    async fn delete_user(&self, id: i64) -> Result<bool, StoreError> {
        self.call(move |c| delete(c, id)).await
    }
}
