//! Storage of users and their roles.
//!
//! One [`Store`] trait, two backends:
//! - MySQL/MariaDB (`mysql://…`), working on the seed's own tables (`users`, `roles`, `user_roles`)
//!   so an existing seed database can be taken over as it is;
//! - an embedded SQLite file (`authd.sqlite3` in the data directory) with the same logical schema.
//!
//! Usernames and emails are compared by their canonical keys (`authcore::identity`), stored in
//! their own columns with plain UNIQUE indexes on both backends ([`identity`]): `ZKoder`,
//! `"zkoder "` and `ｚｋｏｄｅｒ` find `zkoder`; `zkóder` is another name.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use authcore::roles::{Role, normalize_roles};

mod admin_mysql;
mod admin_sqlite;
pub mod commit_gate;
mod galera;
mod identity;
mod identity_mysql;
mod identity_sqlite;
pub mod keys;
mod keys_mysql;
mod keys_sqlite;
pub mod lifecycle;
mod lifecycle_mysql;
mod lifecycle_sqlite;
mod lockout;
mod lockout_mysql;
mod lockout_sqlite;
mod mysql;
mod mysql_schema;
mod recent_signup;
mod refresh;
mod refresh_mysql;
mod refresh_sqlite;
pub mod reset;
mod reset_mysql;
mod reset_sqlite;
mod sqlite;
pub mod verify;
mod verify_mysql;
mod verify_sqlite;

pub use keys::{KeyStore, StoredKey};
pub use lifecycle::{LifecycleStore, UserAccess};
pub use lockout::{LockoutStore, SigninFailures};
pub use recent_signup::RecentSignupStore;
pub use refresh::{AdminStore, NewRefreshToken, RefreshRow, RefreshStore, Rotation, UserSummary};
pub use reset::ResetStore;
pub use verify::VerifyStore;

/// File name of the SQLite database inside the data directory.
pub const SQLITE_FILE_NAME: &str = "authd.sqlite3";

/// A stored user with its roles.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// `users.id`.
    pub id: i64,
    /// `users.username`, as stored (original case).
    pub username: String,
    /// `users.email`, as stored.
    pub email: String,
    /// `users.password`: the password hash (bcrypt `$2a$`/`$2b$`…).
    pub password_hash: String,
    /// The user's known roles in role-id order (user, moderator, admin), without duplicates.
    pub roles: Vec<Role>,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password_hash", &"<redacted>")
            .field("roles", &self.roles)
            .finish()
    }
}

/// A user to insert.
#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Username, stored as given.
    pub username: String,
    /// Email, stored as given.
    pub email: String,
    /// Password hash to store in `users.password`.
    pub password_hash: String,
    /// Roles to grant (order and duplicates do not matter).
    pub roles: Vec<Role>,
    /// `users.email_verified`: false only for a signup with email verification on.
    pub email_verified: bool,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password_hash", &"<redacted>")
            .field("roles", &self.roles)
            .field("email_verified", &self.email_verified)
            .finish()
    }
}

/// A storage failure. Messages never contain passwords or hashes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be used right now (refused, timed out, pool exhausted, busy); worth a retry (HTTP 503).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Other(String),
}

impl StoreError {
    /// A stable machine-readable code: `store_unavailable` or `store_error`.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable(_) => "store_unavailable",
            StoreError::Other(_) => "store_error",
        }
    }
}

/// Why [`Store::create_user`] did not create the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateUserError {
    /// A user with this username key exists. Checked before the email.
    #[error("username is already in use")]
    UsernameTaken,
    /// A user with this email key exists.
    #[error("email is already in use")]
    EmailTaken,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Persistent storage of users and roles.
#[async_trait]
pub trait Store:
    RefreshStore
    + AdminStore
    + KeyStore
    + LockoutStore
    + RecentSignupStore
    + LifecycleStore
    + ResetStore
    + VerifyStore
    + Send
    + Sync
    + 'static
{
    /// Checks that the database answers (and, on a Galera node, that the node is ready).
    async fn ping(&self) -> Result<(), StoreError>;

    /// The user with this username's key, with its roles; a colliding legacy user without a key
    /// (see [`identity`]) when `username` is exactly its stored name.
    async fn find_user_by_username(&self, username: &str)
    -> Result<Option<UserRecord>, StoreError>;

    /// The user with this id, with its roles.
    async fn find_user_by_id(&self, id: i64) -> Result<Option<UserRecord>, StoreError>;

    /// The roles of user `id` in role-id order; `None` when the user does not exist. One query.
    async fn user_roles(&self, id: i64) -> Result<Option<Vec<Role>>, StoreError>;

    /// Inserts a user and its roles in one transaction and returns its id. Username is checked
    /// first, then email; concurrent creates of the same name yield exactly one success.
    async fn create_user(&self, new: &NewUser) -> Result<i64, CreateUserError>;

    /// Replaces the password hash of user `id` (and bumps `updatedAt`).
    async fn update_password_hash(&self, id: i64, hash: &str) -> Result<(), StoreError>;
}

/// Opens the store: `mysql://…` selects MySQL/MariaDB (pool of at most `pool_size` connections,
/// `data_dir` unused); `None` selects the SQLite file [`SQLITE_FILE_NAME`] in `data_dir` (created,
/// mode 0700 on unix; one connection, `pool_size` unused). Sets up the schema idempotently and
/// never drops data. A database that cannot be reached gives [`StoreError::Unavailable`] in ~1 s.
pub async fn open(
    database_url: Option<&str>,
    data_dir: &Path,
    pool_size: usize,
) -> Result<Arc<dyn Store>, StoreError> {
    match database_url {
        Some(url) if url.starts_with("mysql://") => {
            Ok(Arc::new(mysql::MySqlStore::connect(url, pool_size).await?))
        }
        Some(_) => Err(StoreError::Other(
            "unsupported database URL: expected mysql://user:pass@host:port/db".to_owned(),
        )),
        None => Ok(Arc::new(sqlite::SqliteStore::open_in(data_dir).await?)),
    }
}

/// Known roles from role names (unknown names and NULLs ignored), sorted by id, de-duplicated.
pub(crate) fn roles_from_names<I>(names: I) -> Vec<Role>
where
    I: IntoIterator<Item = Option<String>>,
{
    let roles: Vec<Role> = names
        .into_iter()
        .flatten()
        .filter_map(|n| Role::from_name(&n))
        .collect();
    normalize_roles(&roles)
}
