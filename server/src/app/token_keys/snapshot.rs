//! One immutable view of the keys: the signer, the verifier and the published JWKS, built from
//! the HS256 secret and the stored keys.

use authcore::tokens::{
    Algorithm, DEFAULT_LEEWAY_SECONDS, Jwk, Key, KeyError, KeySet, TokenSigner, Verifier,
    VerifyOptions,
};

use crate::store::StoredKey;

/// What the hot path reads, swapped as a whole on reload.
pub(crate) struct Snapshot {
    /// Signs new tokens; `None` until a key of the configured algorithm is loaded.
    pub(crate) signer: Option<TokenSigner>,
    /// Verifies tokens (public halves and the HS256 secret only).
    pub(crate) verifier: Verifier,
    /// `{"keys":[…]}`, public JWKs only.
    pub(crate) jwks: String,
}

/// How long after its retirement a key still verifies, in seconds: the token lifetime, the
/// verifier's leeway, and one reload interval (another instance may sign with it until it
/// reloads).
pub fn verification_window_seconds(token_ttl_seconds: i64, reload_seconds: u64) -> i64 {
    let leeway = i64::try_from(DEFAULT_LEEWAY_SECONDS).unwrap_or(i64::MAX);
    let reload = i64::try_from(reload_seconds).unwrap_or(i64::MAX);
    token_ttl_seconds
        .saturating_add(leeway)
        .saturating_add(reload)
}

fn verifier(keys: KeySet) -> Verifier {
    Verifier::with_system_clock(keys, VerifyOptions::default())
}

/// HS256 only: the seed's behaviour.
pub(crate) fn hs256(key: Key) -> Result<Snapshot, KeyError> {
    let signer = TokenSigner::new(key.clone())?;
    let keys = KeySet::single(key);
    let jwks = keys.to_jwks_json();
    Ok(Snapshot {
        signer: Some(signer),
        verifier: verifier(keys),
        jwks,
    })
}

/// The key of a stored row, or `None` (logged by kid) when the row is unusable.
fn parse(stored: &StoredKey) -> Option<Key> {
    let key = serde_json::from_str::<Jwk>(&stored.private_jwk)
        .ok()
        .and_then(|jwk| Key::from_jwk(&jwk).ok())
        .filter(|key| key.algorithm().as_str() == stored.alg && key.can_sign());
    if key.is_none() {
        tracing::warn!(kid = %stored.kid, "ignoring an unreadable signing key row");
    }
    key.map(|k| k.with_kid(stored.kid.clone()))
}

/// Asymmetric mode: sign with the newest active key of `alg`; verify with `hmac` (if any) and
/// every stored key still inside its window at `now`. Keys are listed active first, then newest
/// first (so the signing key comes first in the JWKS).
pub(crate) fn asymmetric(
    alg: Algorithm,
    hmac: Option<&Key>,
    stored: &[StoredKey],
    now: i64,
    window: i64,
) -> Snapshot {
    let mut keys = KeySet::new();
    if let Some(hmac) = hmac {
        let _ = keys.add_verification_key(hmac.clone());
    }
    let mut rows: Vec<&StoredKey> = stored.iter().collect();
    rows.sort_by(|a, b| {
        (a.retired_at.is_none(), a.created_at, &a.kid)
            .cmp(&(b.retired_at.is_none(), b.created_at, &b.kid))
            .reverse()
    });
    let mut signer = None;
    for row in rows {
        if row
            .retired_at
            .is_some_and(|retired| retired.saturating_add(window) <= now)
        {
            continue;
        }
        let Some(key) = parse(row) else { continue };
        if signer.is_none() && row.retired_at.is_none() && key.algorithm() == alg {
            signer = TokenSigner::new(key.clone()).ok();
        }
        if let Some(public) = key.to_public()
            && keys.add_verification_key(public).is_err()
        {
            tracing::warn!(kid = %row.kid, "ignoring a duplicate signing key id");
        }
    }
    let jwks = keys.to_jwks_json();
    Snapshot {
        signer,
        verifier: verifier(keys),
        jwks,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn row(alg: Algorithm, kid: &str, created_at: i64, retired_at: Option<i64>) -> StoredKey {
        let key = Key::generate(alg).unwrap().with_kid(kid);
        StoredKey {
            kid: kid.into(),
            alg: alg.as_str().into(),
            private_jwk: Zeroizing::new(serde_json::to_string(&key.to_private_jwk()).unwrap()),
            created_at,
            retired_at,
        }
    }

    #[test]
    fn newest_active_key_signs_and_expired_retired_keys_drop_out() {
        let rows = [
            row(Algorithm::EdDSA, "new", 300, None),
            row(Algorithm::EdDSA, "old", 200, Some(300)),
            row(Algorithm::EdDSA, "gone", 100, Some(200)),
        ];
        let snap = asymmetric(Algorithm::EdDSA, None, &rows, 400, 150);
        assert_eq!(snap.signer.unwrap().key().kid(), Some("new"));
        let kids: Vec<_> = snap
            .verifier
            .keys()
            .keys()
            .iter()
            .map(|k| k.kid())
            .collect();
        assert_eq!(kids, [Some("new"), Some("old")]);
        assert!(!snap.jwks.contains("\"d\""));
        assert!(snap.jwks.contains("\"old\""));
    }

    #[test]
    fn hmac_key_verifies_but_is_never_published() {
        let hmac = Key::hs256(&[7u8; 32]).unwrap();
        let rows = [row(Algorithm::ES256, "a", 1, None)];
        let snap = asymmetric(Algorithm::ES256, Some(&hmac), &rows, 2, 10);
        assert_eq!(snap.verifier.keys().keys().len(), 2);
        let jwks: serde_json::Value = serde_json::from_str(&snap.jwks).unwrap();
        assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
        assert!(!snap.jwks.contains("\"k\""));
    }

    #[test]
    fn no_signer_without_an_active_key_of_the_configured_algorithm() {
        let rows = [row(Algorithm::EdDSA, "a", 1, None)];
        assert!(
            asymmetric(Algorithm::ES256, None, &rows, 2, 10)
                .signer
                .is_none()
        );
    }

    #[test]
    fn window_covers_ttl_leeway_and_one_reload() {
        assert_eq!(verification_window_seconds(3600, 30), 3690);
    }
}
