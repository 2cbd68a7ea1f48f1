//! `authd keys rotate`: the same store settings and `AUTHD_JWT_ALG` as the server.

use std::time::Duration;

use clap::{Args, Subcommand};

use crate::app::token_keys::{KeysError, rotate};
use crate::config::args::StoreArgs;
use crate::config::args::check_store;

/// `authd keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a new signing key and retire the current one (it keeps verifying until the tokens
    /// it signed expired). Prints the new kid. Running servers pick it up within
    /// AUTHD_KEY_RELOAD_SECONDS.
    Rotate(KeysRotateArgs),
}

/// `authd keys rotate`.
#[derive(Debug, Clone, Args)]
pub struct KeysRotateArgs {
    /// Algorithm of the new key (EdDSA or ES256); must match the servers' AUTHD_JWT_ALG.
    #[arg(long, env = "AUTHD_JWT_ALG", default_value = "HS256")]
    pub jwt_alg: String,
    /// Storage.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Why `authd keys rotate` failed.
#[derive(Debug, thiserror::Error)]
pub enum RotateCommandError {
    /// A setting is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// Creating the key failed.
    #[error(transparent)]
    Keys(#[from] KeysError),
}

/// Runs `authd keys rotate`; returns the new kid.
pub async fn rotate_command(args: KeysRotateArgs) -> Result<String, RotateCommandError> {
    let alg = crate::config::keys::parse_alg(&args.jwt_alg)
        .map_err(|e| RotateCommandError::Config(e.0))?;
    let settings = check_store(args.store).map_err(|e| RotateCommandError::Config(e.0))?;
    let store = crate::store::backend::open(
        settings.database_url.as_deref(),
        &settings.data_dir,
        settings.db_pool_size.clamp(1, 2),
    )
    .await
    .map_err(KeysError::from)?;
    let kid = tokio::time::timeout(
        Duration::from_secs(30),
        rotate(
            store.as_ref(),
            alg,
            authcore::tokens::Clock::now(&authcore::tokens::SystemClock),
        ),
    )
    .await
    .map_err(|_| KeysError::Store(crate::store::StoreError::Unavailable("timed out".into())))??;
    Ok(kid)
}
