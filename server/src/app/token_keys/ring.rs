//! [`TokenKeys`]: the current [`Snapshot`] behind an `ArcSwap`, read lock-free by every request.

use std::sync::Arc;

use arc_swap::ArcSwap;
use authcore::tokens::{Algorithm, Claims, Key, TokenError, VerifiedToken};
use tokio::sync::Notify;

use super::snapshot::{self, Snapshot};
use crate::store::StoredKey;

/// The keys access tokens are signed and verified with. Cheap to share (`Arc`); [`sign`],
/// [`verify`] and [`jwks_json`] never touch the store.
///
/// [`sign`]: TokenKeys::sign
/// [`verify`]: TokenKeys::verify
/// [`jwks_json`]: TokenKeys::jwks_json
pub struct TokenKeys {
    current: ArcSwap<Snapshot>,
    alg: Algorithm,
    hmac: Option<Key>,
    window_seconds: i64,
    reload_wanted: Notify,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// HS256 only, with `key` (the seed's behaviour; the JWKS is empty).
    pub fn hs256(key: Key) -> Result<TokenKeys, authcore::tokens::KeyError> {
        Ok(TokenKeys {
            current: ArcSwap::from_pointee(snapshot::hs256(key.clone())?),
            alg: Algorithm::HS256,
            hmac: Some(key),
            window_seconds: 0,
            reload_wanted: Notify::new(),
        })
    }

    /// EdDSA/ES256 with keys from the store (none yet: call [`TokenKeys::install`]); `hmac`
    /// keeps verifying HS256 tokens. Retired keys verify for `window_seconds` more.
    pub fn asymmetric(alg: Algorithm, hmac: Option<Key>, window_seconds: i64) -> TokenKeys {
        let empty = snapshot::asymmetric(alg, hmac.as_ref(), &[], 0, window_seconds);
        TokenKeys {
            current: ArcSwap::from_pointee(empty),
            alg,
            hmac,
            window_seconds,
            reload_wanted: Notify::new(),
        }
    }

    /// The algorithm new tokens are signed with.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// Whether keys come from the store (EdDSA/ES256).
    pub fn is_asymmetric(&self) -> bool {
        self.alg != Algorithm::HS256
    }

    /// How long a retired key keeps verifying, in seconds.
    pub fn window_seconds(&self) -> i64 {
        self.window_seconds
    }

    /// Signs `claims` with the current signing key. Fails with `signing_failed` while no key of
    /// the configured algorithm is loaded (store unreachable since start-up).
    pub fn sign(&self, claims: &Claims) -> Result<String, TokenError> {
        match &self.current.load().signer {
            Some(signer) => signer.sign(claims),
            None => Err(TokenError::SigningFailed),
        }
    }

    /// Verifies `token` against the current keys. An unknown `kid` asks the background task for
    /// a reload (coalesced, at most one per second) and is refused this time.
    pub fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        let result = self.current.load().verifier.verify(token);
        if matches!(result, Err(TokenError::UnknownKeyId)) && self.is_asymmetric() {
            self.reload_wanted.notify_one();
        }
        result
    }

    /// The published JWKS: `{"keys":[…]}` with public JWKs only.
    pub fn jwks_json(&self) -> String {
        self.current.load().jwks.clone()
    }

    /// The `kid` new tokens are signed with, if any.
    pub fn signing_kid(&self) -> Option<String> {
        let current = self.current.load();
        current
            .signer
            .as_ref()
            .and_then(|s| s.key().kid().map(str::to_owned))
    }

    /// Replaces the keys with `stored` (newest first) as of `now`. Returns whether a signing key
    /// of the configured algorithm is among them.
    pub fn install(&self, stored: &[StoredKey], now: i64) -> bool {
        let next = snapshot::asymmetric(
            self.alg,
            self.hmac.as_ref(),
            stored,
            now,
            self.window_seconds,
        );
        let has_signer = next.signer.is_some();
        self.current.store(Arc::new(next));
        has_signer
    }

    /// Resolves when a request met an unknown `kid` since the last call.
    pub(crate) async fn reload_requested(&self) {
        self.reload_wanted.notified().await;
    }
}
