//! [`Store`]: every port of the store in one trait object, as the application holds it.

use async_trait::async_trait;
use authcore::roles::Role;

use super::keys::KeyStore;
use super::lifecycle::LifecycleStore;
use super::lockout::LockoutStore;
use super::recent_signup::RecentSignupStore;
use super::records::{CreateUserError, NewUser, StoreError, UserRecord};
use super::refresh::{AdminStore, RefreshStore};
use super::reset::ResetStore;
use super::verify::VerifyStore;

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
