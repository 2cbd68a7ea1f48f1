//! Storage of the asymmetric signing keys (table `signing_keys`), shared by every instance.
//!
//! One row per key: `kid` (primary key), `alg` (`EdDSA`/`ES256`), `private_jwk` (the key's
//! private JWK as JSON text), `created_at` and `retired_at` (Unix seconds; `retired_at` is NULL
//! while the key is active), plus `bootstrap_marker`, a UNIQUE column that makes the first key of
//! an algorithm race-safe between instances starting together (see
//! [`KeyStore::insert_bootstrap_key`]).
//!
//! **The private keys are in the database**: whoever can read `signing_keys` can mint tokens.
//! Protect the database (credentials, backups, replicas) like the keys themselves.

use async_trait::async_trait;
use zeroize::Zeroizing;

use super::records::StoreError;

/// One stored signing key. `Debug` never shows the private JWK.
#[derive(Clone)]
pub struct StoredKey {
    /// Key id (`kid` header of the tokens it signs).
    pub kid: String,
    /// JOSE algorithm name (`EdDSA` or `ES256`).
    pub alg: String,
    /// The private JWK as JSON text.
    pub private_jwk: Zeroizing<String>,
    /// When it was created, Unix seconds.
    pub created_at: i64,
    /// When it stopped signing, Unix seconds; `None` while active.
    pub retired_at: Option<i64>,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("private_jwk", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .finish()
    }
}

/// Persistent storage of signing keys.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Every key that is active or was retired after `retired_after` (Unix seconds), newest
    /// first (`created_at` then `kid`, descending).
    async fn signing_keys(&self, retired_after: i64) -> Result<Vec<StoredKey>, StoreError>;

    /// Inserts `key` unless a row with the same `marker` exists (insert-or-ignore on the UNIQUE
    /// `bootstrap_marker`): of several instances racing with the same marker, exactly one key
    /// is stored. Returns whether this call stored it.
    async fn insert_bootstrap_key(&self, key: &StoredKey, marker: &str)
    -> Result<bool, StoreError>;

    /// Inserts `key` (active) and retires every other active key at `now`, in one transaction.
    async fn rotate_to(&self, key: &StoredKey, now: i64) -> Result<(), StoreError>;
}
