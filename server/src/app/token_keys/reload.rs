//! Building the [`TokenKeys`] at start-up and keeping them in step with the store.
//!
//! A background task re-reads the keys every reload interval, and soon after a request met an
//! unknown `kid`; reloads are at least [`MIN_GAP`] apart, so a flood of forged `kid`s costs at
//! most one store query per second. A failed reload keeps the previous keys. The task ends on the
//! first tick after the server state is gone.

use std::sync::{Arc, Weak};
use std::time::Duration;

use authcore::tokens::Algorithm;

use super::ring::TokenKeys;
use super::rotate::{KeysError, ensure_signing_key};
use super::snapshot::verification_window_seconds;
use crate::config::{Config, ConfigError, JwtSecret};
use crate::secret;
use crate::store::database::Database;
use crate::store::{StoreError, StoredKey};

/// Least time between two reloads.
const MIN_GAP: Duration = Duration::from_secs(1);
/// Reload interval while no signing key could be loaded yet (store unreachable).
const RETRY: Duration = Duration::from_secs(1);
/// Upper bound of one reload.
const RELOAD_TIMEOUT: Duration = Duration::from_secs(10);

/// The keys `config` asks for, before the store is open. HS256: the secret (see
/// [`crate::secret::load_key`]). EdDSA/ES256: the configured secret if any (verification only);
/// the stored keys come with [`start`].
pub fn from_config(config: &Config) -> Result<TokenKeys, ConfigError> {
    if config.jwt_alg == Algorithm::HS256 {
        let key = secret::load_key(config)?;
        return TokenKeys::hs256(key).map_err(|e| ConfigError(format!("JWT signing key: {e}")));
    }
    let hmac = match config.jwt_secret {
        JwtSecret::Unset => None,
        _ => Some(secret::load_key(config)?),
    };
    let window = verification_window_seconds(
        config.token_ttl_seconds,
        config.key_reload_interval.as_secs(),
    );
    Ok(TokenKeys::asymmetric(config.jwt_alg, hmac, window))
}

/// EdDSA/ES256: loads the stored keys, generating the first key when none is active (an
/// unreachable store is retried in the background; signin answers 500 until a key is loaded),
/// and starts the reload task. HS256: nothing to do.
pub async fn start(
    keys: TokenKeys,
    config: &Config,
    db: &Database,
) -> Result<Arc<TokenKeys>, KeysError> {
    let keys = Arc::new(keys);
    if !keys.is_asymmetric() {
        return Ok(keys);
    }
    match reload(&keys, db).await {
        Ok(()) => {}
        Err(KeysError::Store(StoreError::Unavailable(reason))) => {
            tracing::warn!(%reason, "signing keys not loaded yet; retrying in the background");
        }
        Err(e) => return Err(e),
    }
    tokio::spawn(keep_fresh(
        Arc::downgrade(&keys),
        db.clone(),
        config.key_reload_interval,
    ));
    Ok(keys)
}

fn has_active_key(rows: &[StoredKey], alg: Algorithm) -> bool {
    rows.iter()
        .any(|r| r.retired_at.is_none() && r.alg == alg.as_str())
}

/// Reads the keys (generating the first one if needed) and installs them.
async fn reload(keys: &TokenKeys, db: &Database) -> Result<(), KeysError> {
    let work = async {
        let store = db.store()?;
        let now = authcore::tokens::Clock::now(&authcore::tokens::SystemClock);
        let since = now.saturating_sub(keys.window_seconds());
        let mut rows = store.signing_keys(since).await?;
        if !has_active_key(&rows, keys.algorithm()) {
            ensure_signing_key(store.as_ref(), keys.algorithm(), now).await?;
            rows = store.signing_keys(since).await?;
        }
        if !keys.install(&rows, now) {
            tracing::warn!(alg = %keys.algorithm(), "no usable active signing key in the store");
        }
        Ok(())
    };
    match tokio::time::timeout(RELOAD_TIMEOUT, work).await {
        Ok(result) => result,
        Err(_) => Err(KeysError::Store(StoreError::Unavailable(
            "signing keys not read in time".to_owned(),
        ))),
    }
}

async fn keep_fresh(keys: Weak<TokenKeys>, db: Database, interval: Duration) {
    loop {
        let Some(strong) = keys.upgrade() else { return };
        let wait = if strong.signing_kid().is_some() {
            interval
        } else {
            RETRY
        };
        let unknown_kid = tokio::select! {
            () = tokio::time::sleep(wait) => false,
            () = strong.reload_requested() => true,
        };
        match reload(&strong, &db).await {
            Ok(()) => tracing::debug!(unknown_kid, "signing keys reloaded"),
            Err(e) => {
                tracing::warn!(error = %e, "signing keys not reloaded; keeping the previous ones")
            }
        }
        drop(strong);
        tokio::time::sleep(MIN_GAP).await;
    }
}
