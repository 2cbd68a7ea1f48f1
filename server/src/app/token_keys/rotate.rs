//! Creating keys in the store: the first key of an algorithm (race-safe between instances
//! starting together) and rotations.

use authcore::tokens::{Algorithm, Key, KeyError};
use zeroize::Zeroizing;

use crate::store::{KeyStore, StoreError, StoredKey};

/// Why a key could not be created.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    /// HS256 has no stored keys.
    #[error("AUTHD_JWT_ALG is HS256: there are no stored signing keys (set EdDSA or ES256)")]
    NotAsymmetric,
    /// Key generation or encoding failed.
    #[error("signing key: {0}")]
    Key(#[from] KeyError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl KeysError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            KeysError::NotAsymmetric => "keys_not_asymmetric",
            KeysError::Key(e) => e.code(),
            KeysError::Store(e) => e.code(),
        }
    }
}

/// A fresh key of `alg` with a random `kid`, ready to store.
fn new_stored_key(alg: Algorithm, now: i64) -> Result<StoredKey, KeysError> {
    if alg == Algorithm::HS256 {
        return Err(KeysError::NotAsymmetric);
    }
    let kid = authcore::refresh::random_id().map_err(|_| KeyError::RandomFailed)?;
    let key = Key::generate(alg)?.with_kid(kid.clone());
    let jwk = key.to_private_jwk().ok_or(KeyError::NoSigningKey)?;
    let text = serde_json::to_string(&jwk)
        .map_err(|_| KeyError::InvalidKey("private JWK not serializable"))?;
    Ok(StoredKey {
        kid,
        alg: alg.as_str().to_owned(),
        private_jwk: Zeroizing::new(text),
        created_at: now,
        retired_at: None,
    })
}

/// Makes sure an active key of `alg` exists, generating one if not. Returns the `kid` this call
/// stored, if it stored one.
///
/// Race-safety: the insert carries the marker `bootstrap:ALG:N` (N = keys of `alg` ever stored)
/// into a UNIQUE column and is an insert-or-ignore, so instances starting together compute the
/// same marker and exactly one key is stored; the losers simply load the winner's key.
pub async fn ensure_signing_key(
    store: &dyn KeyStore,
    alg: Algorithm,
    now: i64,
) -> Result<Option<String>, KeysError> {
    if alg == Algorithm::HS256 {
        return Err(KeysError::NotAsymmetric);
    }
    let all = store.signing_keys(i64::MIN).await?;
    let of_alg = all.iter().filter(|k| k.alg == alg.as_str());
    if of_alg.clone().any(|k| k.retired_at.is_none()) {
        return Ok(None);
    }
    let marker = format!("bootstrap:{alg}:{}", of_alg.count());
    let key = new_stored_key(alg, now)?;
    if store.insert_bootstrap_key(&key, &marker).await? {
        tracing::info!(kid = %key.kid, %alg, "generated the first signing key");
        Ok(Some(key.kid))
    } else {
        Ok(None)
    }
}

/// Adds a new active key of `alg` and retires every other active key at `now` (they keep
/// verifying for the verification window). Returns the new `kid`.
pub async fn rotate(store: &dyn KeyStore, alg: Algorithm, now: i64) -> Result<String, KeysError> {
    let key = new_stored_key(alg, now)?;
    store.rotate_to(&key, now).await?;
    tracing::info!(kid = %key.kid, %alg, "rotated the signing key");
    Ok(key.kid)
}
