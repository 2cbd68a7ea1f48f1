//! MySQL/MariaDB SQL of role administration (see [`crate::store::refresh::AdminStore`]).

use async_trait::async_trait;
use authcore::roles::{Role, normalize_roles};
use mysql_async::prelude::Queryable;
use mysql_async::{Error as MyError, Row, TxOpts};

use super::{MySqlStore, bounded, map_err, take};
use crate::store::records::StoreError;
use crate::store::records::roles_from_names;
use crate::store::refresh::AdminStore;
use crate::store::refresh::UserSummary;

const PAGE: &str = "SELECT u.id, u.username, u.email, r.name
    FROM (SELECT id, username, email FROM users ORDER BY id LIMIT ? OFFSET ?) AS u
    LEFT JOIN user_roles AS ur ON ur.userId = u.id
    LEFT JOIN roles AS r ON r.id = ur.roleId
    ORDER BY u.id, r.id";
const PAGE_AFTER: &str = "SELECT u.id, u.username, u.email, r.name
    FROM (SELECT id, username, email FROM users WHERE id > ? ORDER BY id LIMIT ?) AS u
    LEFT JOIN user_roles AS ur ON ur.userId = u.id
    LEFT JOIN roles AS r ON r.id = ur.roleId
    ORDER BY u.id, r.id";
const COUNT: &str = "SELECT COUNT(*) FROM users";
const LOCK_USER: &str = "SELECT id FROM users WHERE id = ? FOR UPDATE";
const DELETE_ROLES: &str = "DELETE FROM user_roles WHERE userId = ?";
const INSERT_ROLE: &str = "INSERT INTO user_roles (createdAt, updatedAt, roleId, userId)
    SELECT UTC_TIMESTAMP(), UTC_TIMESTAMP(), r.id, ? FROM roles AS r WHERE r.name = ?";
const DELETE_TOKENS: &str = "DELETE FROM refresh_tokens WHERE user_id = ?";
const DELETE_USER: &str = "DELETE FROM users WHERE id = ?";

impl MySqlStore {
    /// The users of `sql` (rows of id, username, email, role name, ordered by id) with roles.
    async fn users_of(
        conn: &mut mysql_async::Conn,
        sql: &str,
        args: (u64, u64),
    ) -> Result<Vec<UserSummary>, MyError> {
        let rows: Vec<Row> = conn.exec(sql, args).await?;
        let mut users: Vec<(UserSummary, Vec<Option<String>>)> = Vec::new();
        for mut row in rows {
            let id: i64 = take(&mut row, 0)?;
            let name: Option<String> = take(&mut row, 3)?;
            match users.last_mut() {
                Some((u, names)) if u.id == id => names.push(name),
                _ => users.push((
                    UserSummary {
                        id,
                        username: take::<Option<String>>(&mut row, 1)?.unwrap_or_default(),
                        email: take::<Option<String>>(&mut row, 2)?.unwrap_or_default(),
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

    async fn page(&self, offset: u64, limit: u64) -> Result<(Vec<UserSummary>, u64), MyError> {
        let mut conn = self.pool.get_conn().await?;
        let users = Self::users_of(&mut conn, PAGE, (limit, offset)).await?;
        let total: Option<u64> = conn.query_first(COUNT).await?;
        Ok((users, total.unwrap_or(0)))
    }

    async fn page_after(&self, after: i64, limit: u64) -> Result<Vec<UserSummary>, MyError> {
        let mut conn = self.pool.get_conn().await?;
        // Ids are positive, so a negative cursor means "from the start".
        let after = u64::try_from(after).unwrap_or(0);
        Self::users_of(&mut conn, PAGE_AFTER, (after, limit)).await
    }

    /// Locks user `id`, runs the deletions, then `extra` inserts; `false` if there is no such user.
    async fn rewrite_user(
        &self,
        id: i64,
        deletes: &[&str],
        roles: &[Role],
    ) -> Result<bool, MyError> {
        let mut conn = self.pool.get_conn().await?;
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        let found: Option<Row> = tx.exec_first(LOCK_USER, (id,)).await?;
        if found.is_none() {
            tx.rollback().await?;
            return Ok(false);
        }
        for sql in deletes {
            tx.exec_drop(*sql, (id,)).await?;
        }
        for role in roles {
            tx.exec_drop(INSERT_ROLE, (id, role.name())).await?;
        }
        super::commit_allowed()?;
        tx.commit().await?;
        Ok(true)
    }
}

#[async_trait]
impl AdminStore for MySqlStore {
    async fn list_users(
        &self,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<UserSummary>, u64), StoreError> {
        bounded(async { self.page(offset, limit).await.map_err(map_err) }).await
    }

    async fn list_users_after(
        &self,
        after: i64,
        limit: u64,
    ) -> Result<Vec<UserSummary>, StoreError> {
        bounded(async { self.page_after(after, limit).await.map_err(map_err) }).await
    }

    async fn set_user_roles(&self, id: i64, roles: &[Role]) -> Result<bool, StoreError> {
        let roles = normalize_roles(roles);
        bounded(async {
            self.rewrite_user(id, &[DELETE_ROLES], &roles)
                .await
                .map_err(map_err)
        })
        .await
    }

    async fn delete_user(&self, id: i64) -> Result<bool, StoreError> {
        bounded(async {
            let deletes = [
                DELETE_ROLES,
                DELETE_TOKENS,
                super::lockout::DELETE,
                DELETE_USER,
            ];
            self.rewrite_user(id, &deletes, &[]).await.map_err(map_err)
        })
        .await
    }
}
