//! `authd user create`: validates like a signup, opens the store and creates the user.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use authcore::validation::{SignupRules, validate_signup};
use serde_json::json;
use zeroize::Zeroizing;

use clap::Args;

use crate::app::bootstrap::{CreateError, create_user};
use crate::app::password_pool::PasswordPool;
use crate::config::args::StoreArgs;
use crate::config::args::check_store;
use crate::store::database::{Database, StoreTarget};

/// Env variable with the password for `authd user create`.
pub const USER_PASSWORD_VAR: &str = "AUTHD_USER_PASSWORD";

/// `authd user create`.
#[derive(Debug, Clone, Args)]
pub struct UserCreateArgs {
    /// Username of the new user.
    #[arg(long)]
    pub username: String,
    /// Email of the new user.
    #[arg(long)]
    pub email: String,
    /// Role to grant (`user`, `moderator`, `admin`); repeat for several. Default: user.
    #[arg(long = "role")]
    pub roles: Vec<String>,
    /// Storage.
    #[command(flatten)]
    pub store: StoreArgs,
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
    let store = crate::store::backend::open(
        target.database_url.as_deref(),
        &target.data_dir,
        target.pool_size,
    )
    .await?;
    let db = Database::from_store(store, Duration::from_secs(10));
    let hasher = authcore::passwords::PasswordHasher::new(settings.bcrypt_cost)
        .map_err(|e| CreateError::Invalid(e.to_string()))?;
    let settings = crate::app::password_pool::PoolSettings {
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
