//! Creating users outside the HTTP API: the first admin, either at start-up from
//! `AUTHD_BOOTSTRAP_ADMIN_USERNAME`/`_EMAIL`/`_PASSWORD`, or with `authd user create`.
//!
//! Start-up bootstrap is idempotent and safe when several instances start at once: an existing
//! username is left as it is (even if it is not an admin: it is logged, never changed), and losing
//! the creation race (`UsernameTaken`) counts as done.

use std::time::Duration;

use authcore::Role;
use zeroize::Zeroizing;

use crate::app::password_pool::PasswordPool;
use crate::config::BootstrapAdmin;
use crate::store::database::Database;
use crate::store::{CreateUserError, NewUser, StoreError};

/// Why a user could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The input is not acceptable (validation message).
    #[error("{0}")]
    Invalid(String),
    /// The username exists.
    #[error("username {0:?} is already in use")]
    UsernameTaken(String),
    /// The email exists.
    #[error("email {0:?} is already in use")]
    EmailTaken(String),
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Hashes the password and inserts the user; returns its id.
pub async fn create_user(
    db: &Database,
    pool: &PasswordPool,
    username: &str,
    email: &str,
    password: Zeroizing<String>,
    roles: Vec<Role>,
) -> Result<i64, CreateError> {
    let password_hash = match pool.hash(password).await {
        Ok(Ok(hash)) => hash,
        Ok(Err(e)) => return Err(CreateError::Invalid(e.to_string())),
        Err(e) => return Err(CreateError::Invalid(e.to_string())),
    };
    let new_user = NewUser {
        username: username.to_owned(),
        email: email.to_owned(),
        password_hash,
        roles,
        email_verified: true,
    };
    db.create_user(&new_user).await.map_err(|e| match e {
        CreateUserError::UsernameTaken => CreateError::UsernameTaken(username.to_owned()),
        CreateUserError::EmailTaken => CreateError::EmailTaken(email.to_owned()),
        CreateUserError::Store(e) => CreateError::Store(e),
    })
}

/// Creates the bootstrap admin unless its username exists. Returns whether it was created.
pub async fn ensure_admin(
    db: &Database,
    pool: &PasswordPool,
    admin: &BootstrapAdmin,
) -> Result<bool, CreateError> {
    if let Some(existing) = db.find_user_by_username(&admin.username).await? {
        if !existing.roles.contains(&Role::Admin) {
            tracing::warn!(
                username = %admin.username,
                "bootstrap admin: the user exists without the admin role; left unchanged"
            );
        }
        return Ok(false);
    }
    let password = admin.password.clone();
    match create_user(
        db,
        pool,
        &admin.username,
        &admin.email,
        password,
        vec![Role::Admin],
    )
    .await
    {
        Ok(id) => {
            tracing::info!(username = %admin.username, id, "bootstrap admin created");
            Ok(true)
        }
        // Another instance created it at the same moment.
        Err(CreateError::UsernameTaken(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Start-up task: waits for the store, then ensures the admin, retrying while unavailable.
pub async fn run_at_startup(db: Database, pool: PasswordPool, admin: BootstrapAdmin) {
    db.wait_ready().await;
    let mut pause = Duration::from_millis(500);
    loop {
        match ensure_admin(&db, &pool, &admin).await {
            Ok(_) => return,
            Err(CreateError::Store(StoreError::Unavailable(reason))) => {
                tracing::warn!(%reason, "bootstrap admin: database unavailable, retrying");
            }
            Err(e) => {
                tracing::error!(error = %e, "bootstrap admin not created");
                return;
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(10));
    }
}
