//! The application: what authd does, as plain Rust — services that take parsed input and
//! return typed outcomes or a [`Failure`], with no HTTP types — and [`AppState`], everything
//! they need, built once at start-up and shared behind an `Arc`. The transport
//! (`crate::transport`) calls in; the store's ports (`crate::store`) are called out to.

pub mod access;
pub mod account;
pub mod admin;
pub mod bootstrap;
mod failure;
pub mod limits;
pub mod mail;
pub mod password_pool;
pub mod profile;
pub mod refresh;
pub mod reset;
pub mod role_cache;
pub mod signin;
pub mod signup;
mod signup_replay;
pub mod token_keys;
pub mod verify;

pub use self::failure::{Failure, Needed, Refusal};

use std::sync::Arc;
use std::time::Duration;

use authcore::passwords::PasswordHasher;
use authcore::validation::SignupRules;
use authcore::{RoleHierarchy, RoleRequirement};

use crate::app::password_pool::{PasswordPool, PoolSettings};
use crate::app::role_cache::RoleCache;
use crate::app::token_keys::TokenKeys;
use crate::config::{Config, ConfigError};
use crate::store::database::Database;

/// Shared server state.
pub struct AppState {
    /// The store, with timeouts.
    pub db: Database,
    /// Signs access tokens (`signer.sign(&claims)`); the same keys as `verifier`.
    pub signer: Arc<TokenKeys>,
    /// Verifies access tokens (`exp` required, 60 s leeway; keys per `AUTHD_JWT_ALG`).
    pub verifier: Arc<TokenKeys>,
    /// Cache of users' roles.
    pub roles: RoleCache,
    /// bcrypt off the async workers.
    pub passwords: PasswordPool,
    /// Signup validation limits.
    pub signup_rules: SignupRules,
    /// `/api/test/mod`'s requirement.
    pub moderator: RoleRequirement,
    /// `/api/test/admin`'s requirement.
    pub admin: RoleRequirement,
    /// Admin is not moderator (the seed's rules).
    pub hierarchy: RoleHierarchy,
    /// Lifetime of issued tokens, in seconds.
    pub token_ttl_seconds: i64,
    /// Upper bound of one request.
    pub request_timeout: Duration,
    /// Refresh token settings.
    pub refresh: crate::config::refresh::RefreshConfig,
    /// Rate limits and the signin slow-down.
    pub limits: crate::app::limits::Limits,
    /// Seed or strict answers.
    pub profile: crate::app::profile::Profile,
    /// Password reset mail; `None`: disabled (the reset routes answer 501).
    pub reset_mail: Option<Arc<crate::app::mail::ResetMailer>>,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Email verification at signup (`AUTHD_EMAIL_VERIFICATION`; implies `reset_mail`).
    pub email_verification: bool,
}

impl AppState {
    /// Builds the state around the token `keys` (see [`crate::app::token_keys::start`]) and the store.
    pub fn build(
        config: &Config,
        keys: Arc<TokenKeys>,
        db: Database,
    ) -> Result<AppState, ConfigError> {
        let reset_mail = match &config.reset_mail {
            Some(mail) => Some(Arc::new(crate::app::mail::ResetMailer::new(mail)?)),
            None => {
                tracing::info!(
                    "password reset mail is disabled (no AUTHD_SMTP_HOST): the reset routes answer 501"
                );
                None
            }
        };
        let signer = Arc::clone(&keys);
        let verifier = keys;
        let hasher = PasswordHasher::new(config.bcrypt_cost)
            .map_err(|_| ConfigError("AUTHD_BCRYPT_COST must be between 4 and 31".to_owned()))?;
        Ok(AppState {
            db,
            signer,
            verifier,
            roles: RoleCache::new(config.role_cache_capacity, config.role_cache_ttl),
            passwords: PasswordPool::new(
                hasher,
                PoolSettings::for_this_machine(
                    config.bcrypt_nice,
                    config.bcrypt_max_wait.min(config.request_timeout),
                ),
            )
            .map_err(|_| ConfigError("cannot start the bcrypt threads".to_owned()))?,
            signup_rules: SignupRules::default(),
            moderator: RoleRequirement::moderator(),
            admin: RoleRequirement::admin(),
            hierarchy: RoleHierarchy::Flat,
            token_ttl_seconds: config.token_ttl_seconds,
            request_timeout: config.request_timeout,
            refresh: config.refresh,
            limits: crate::app::limits::Limits::new(&config.limits),
            trusted_proxies: config.limits.trusted_proxies.clone(),
            profile: crate::app::profile::Profile::new(config.profile, &hasher)?,
            email_verification: config.email_verification && reset_mail.is_some(),
            reset_mail,
        })
    }
}

impl AppState {
    /// Whether the store answers and can serve (on Galera: the node is ready and synced).
    pub async fn ready(&self) -> bool {
        match self.db.ping().await {
            Ok(()) => true,
            Err(e) => {
                tracing::debug!(error = %e, "not ready");
                false
            }
        }
    }
}
