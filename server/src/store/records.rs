//! The records and errors every store port shares.

use authcore::roles::{Role, normalize_roles};

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
