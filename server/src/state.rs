//! Everything a request handler needs, built once at start-up and shared behind an `Arc`.

use std::time::Duration;

use authcore::passwords::PasswordHasher;
use authcore::tokens::{Key, KeySet, TokenSigner, Verifier, VerifyOptions};
use authcore::validation::SignupRules;
use authcore::{RoleHierarchy, RoleRequirement};

use crate::config::{Config, ConfigError};
use crate::database::Database;
use crate::password_pool::PasswordPool;
use crate::role_cache::RoleCache;

/// Shared server state.
pub struct AppState {
    /// The store, with timeouts.
    pub db: Database,
    /// Signs access tokens.
    pub signer: TokenSigner,
    /// Verifies access tokens (HS256 only, `exp` required, 60 s leeway).
    pub verifier: Verifier,
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
}

impl AppState {
    /// Builds the state around the signing `key` (see [`crate::secret::load_key`]) and the store.
    pub fn build(config: &Config, key: Key, db: Database) -> Result<AppState, ConfigError> {
        let signer = TokenSigner::new(key.clone())
            .map_err(|e| ConfigError(format!("JWT signing key: {e}")))?;
        let verifier = Verifier::with_system_clock(KeySet::single(key), VerifyOptions::default());
        let hasher = PasswordHasher::new(config.bcrypt_cost)
            .map_err(|_| ConfigError("AUTHD_BCRYPT_COST must be between 4 and 31".to_owned()))?;
        Ok(AppState {
            db,
            signer,
            verifier,
            roles: RoleCache::new(config.role_cache_capacity, config.role_cache_ttl),
            passwords: PasswordPool::for_this_machine(hasher),
            signup_rules: SignupRules::default(),
            moderator: RoleRequirement::moderator(),
            admin: RoleRequirement::admin(),
            hierarchy: RoleHierarchy::Flat,
            token_ttl_seconds: config.token_ttl_seconds,
            request_timeout: config.request_timeout,
        })
    }
}
