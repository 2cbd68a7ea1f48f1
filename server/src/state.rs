//! Everything a request handler needs, built once at start-up and shared behind an `Arc`.

use std::sync::Arc;
use std::time::Duration;

use authcore::passwords::PasswordHasher;
use authcore::validation::SignupRules;
use authcore::{RoleHierarchy, RoleRequirement};

use crate::config::{Config, ConfigError};
use crate::database::Database;
use crate::password_pool::{PasswordPool, PoolSettings};
use crate::role_cache::RoleCache;
use crate::token_keys::TokenKeys;

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
    pub refresh: crate::refresh_config::RefreshConfig,
    /// Rate limits and the signin slow-down.
    pub limits: crate::limits::Limits,
    /// Seed or strict answers.
    pub profile: crate::profile::Profile,
    /// Password reset mail; `None`: disabled (the reset routes answer 501).
    pub reset_mail: Option<Arc<crate::reset_mail::ResetMailer>>,
    /// Email verification at signup (`AUTHD_EMAIL_VERIFICATION`; implies `reset_mail`).
    pub email_verification: bool,
}

impl AppState {
    /// Builds the state around the token `keys` (see [`crate::token_keys::start`]) and the store.
    pub fn build(
        config: &Config,
        keys: Arc<TokenKeys>,
        db: Database,
    ) -> Result<AppState, ConfigError> {
        let reset_mail = match &config.reset_mail {
            Some(mail) => Some(Arc::new(crate::reset_mail::ResetMailer::new(mail)?)),
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
            limits: crate::limits::Limits::new(&config.limits),
            profile: crate::profile::Profile::new(config.profile, &hasher)?,
            email_verification: config.email_verification && reset_mail.is_some(),
            reset_mail,
        })
    }
}
