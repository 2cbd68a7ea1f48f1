//! Creating users outside the HTTP API: the first admin, either at start-up from
//! `AUTHD_BOOTSTRAP_ADMIN_USERNAME`/`_EMAIL`/`_PASSWORD`, or with `authd user create`.
//!
//! Start-up bootstrap is idempotent and safe when several instances start at once: an existing
//! username is left as it is (even if it is not an admin: it is logged, never changed), and losing
//! the creation race (`UsernameTaken`) counts as done.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use authcore::Role;
use authcore::validation::{SignupRules, validate_signup};
use serde_json::json;
use zeroize::Zeroizing;

use crate::cli::UserCreateArgs;
use crate::config::{BootstrapAdmin, check_store};
use crate::database::{Database, StoreTarget};
use crate::password_pool::PasswordPool;
use crate::store::{CreateUserError, NewUser, StoreError};

/// Env variable with the password for `authd user create`.
pub const USER_PASSWORD_VAR: &str = "AUTHD_USER_PASSWORD";

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

/// The password for `authd user create`: `AUTHD_USER_PASSWORD`, else one line of stdin.
fn read_password() -> Result<Zeroizing<String>, CreateError> {
    if let Ok(value) = std::env::var(USER_PASSWORD_VAR) {
        return Ok(Zeroizing::new(value));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!(
            "Password for the new user (input is shown; pipe it or set {USER_PASSWORD_VAR} to avoid that): "
        );
        let _ = std::io::stderr().flush();
    }
    let mut line = Zeroizing::new(String::new());
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CreateError::Invalid(format!("cannot read the password from stdin: {e}")))?;
    let trimmed = line.trim_end_matches(['\n', '\r']);
    Ok(Zeroizing::new(trimmed.to_owned()))
}

/// `authd user create`: validates like a signup, opens the store, creates the user and returns a
/// one-line summary.
pub async fn create_user_command(args: UserCreateArgs) -> Result<String, CreateError> {
    let settings = check_store(args.store).map_err(|e| CreateError::Invalid(e.0))?;
    let password = read_password()?;
    let role_names = if args.roles.is_empty() {
        vec!["user".to_owned()]
    } else {
        args.roles
    };
    let body = json!({
        "username": args.username,
        "email": args.email,
        "password": password.as_str(),
        "roles": role_names,
    });
    let mut request = validate_signup(&body, &SignupRules::default())
        .map_err(|e| CreateError::Invalid(e.to_string()))?;
    drop(body);
    let roles = request.roles.clone().unwrap_or_default();
    let target = StoreTarget {
        database_url: settings.database_url,
        data_dir: settings.data_dir,
        pool_size: settings.db_pool_size.clamp(1, 2),
    };
    let store = crate::store::open(
        target.database_url.as_deref(),
        &target.data_dir,
        target.pool_size,
    )
    .await?;
    let db = Database::from_store(store, Duration::from_secs(10));
    let hasher = authcore::passwords::PasswordHasher::new(settings.bcrypt_cost)
        .map_err(|e| CreateError::Invalid(e.to_string()))?;
    let settings = crate::password_pool::PoolSettings {
        threads: 1,
        nice: 0,
        max_wait: Duration::from_secs(60),
    };
    let pool = PasswordPool::new(hasher, settings)
        .map_err(|_| CreateError::Invalid("cannot start the bcrypt thread".to_owned()))?;
    let id = create_user(
        &db,
        &pool,
        &request.username,
        &request.email,
        Zeroizing::new(std::mem::take(&mut request.password)),
        roles.clone(),
    )
    .await?;
    let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
    Ok(format!(
        "created user {:?} (id {id}) with roles: {}",
        request.username,
        names.join(", ")
    ))
}
