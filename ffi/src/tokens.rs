//! Tokens: inspection without a key, and verification with a JWKS or an HS256 secret.

use std::sync::Arc;

use authcore::roles::Role;
use authcore::tokens::{
    self, Clock, Inspection, Key, KeySet, SystemClock, VerifiedClaims, Verifier, VerifyOptions,
};

use crate::AuthcoreError;

fn now() -> i64 {
    SystemClock.now()
}

/// Reads `token` without verifying it, judging expiry at the current time.
///
/// Fails with `token_too_large`, `malformed`, `unsupported_header` or `invalid_claims`.
#[uniffi::export]
pub fn inspect_token(token: String) -> Result<Inspection, AuthcoreError> {
    inspect_token_at(token, now())
}

/// Reads `token` without verifying it, judging expiry as if the time were `now` (seconds since
/// the epoch). For tests and vectors.
#[uniffi::export]
pub fn inspect_token_at(token: String, now: i64) -> Result<Inspection, AuthcoreError> {
    Ok(Inspection::at(tokens::inspect(&token)?, now))
}

/// Whether `token` is expired now, allowing `leeway_seconds` (`false` without `exp`). The
/// signature is not checked. Fails like `inspect_token` on an unreadable token.
#[uniffi::export]
pub fn is_expired(token: String, leeway_seconds: u64) -> Result<bool, AuthcoreError> {
    Ok(tokens::inspect(&token)?
        .claims
        .is_expired_at(now(), leeway_seconds))
}

/// Whether `token` is expired at `now` (seconds since the epoch), allowing `leeway_seconds`. For
/// tests and vectors; see `is_expired`.
#[uniffi::export]
pub fn is_expired_at(token: String, leeway_seconds: u64, now: i64) -> Result<bool, AuthcoreError> {
    Ok(tokens::inspect(&token)?
        .claims
        .is_expired_at(now, leeway_seconds))
}

/// Whether the token's `roles` claim names `role` exactly (`admin`, not `ROLE_ADMIN`). The
/// signature is not checked: use it for display, never for access decisions.
#[uniffi::export]
pub fn has_role(token: String, role: String) -> Result<bool, AuthcoreError> {
    Ok(tokens::inspect(&token)?.claims.has_role(&role))
}

/// The authorities of `roles` as the server formats them: known role names (`user`, `moderator`,
/// `admin`, case-sensitive) become `ROLE_USER`, … in id order without duplicates; unknown names
/// are left out.
#[uniffi::export]
pub fn authorities(roles: Vec<String>) -> Vec<String> {
    let known: Vec<Role> = roles.iter().filter_map(|n| Role::from_name(n)).collect();
    authcore::roles::authorities(&known)
}

/// One source of keys a `TokenVerifier` trusts.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TrustedKey {
    /// Every supported key (EdDSA, ES256) of a public JWKS document (`{"keys": [...]}`).
    Jwks {
        /// The JWKS JSON.
        json: String,
    },
    /// An HS256 secret of at least 32 bytes. Server-side only.
    Hs256 {
        /// The secret bytes.
        secret: Vec<u8>,
        /// The key id tokens name in `kid`, if any.
        kid: Option<String>,
    },
    /// An HS256 secret of any non-empty length, for deployments whose secret is shorter than 32
    /// bytes (the seed's is 15). Server-side only.
    Hs256Legacy {
        /// The secret bytes.
        secret: Vec<u8>,
        /// The key id tokens name in `kid`, if any.
        kid: Option<String>,
    },
}

impl TrustedKey {
    fn into_keys(self) -> Result<Vec<Key>, AuthcoreError> {
        let hs = |key: Key, kid: Option<String>| match kid {
            Some(kid) => key.with_kid(kid),
            None => key,
        };
        Ok(match self {
            TrustedKey::Jwks { json } => KeySet::from_jwks_json(&json)?.keys().to_vec(),
            TrustedKey::Hs256 { secret, kid } => vec![hs(Key::hs256(&secret)?, kid)],
            TrustedKey::Hs256Legacy { secret, kid } => vec![hs(Key::hs256_legacy(&secret)?, kid)],
        })
    }
}

/// Verifies tokens against trusted keys.
#[derive(Debug, uniffi::Object)]
pub struct TokenVerifier {
    inner: Verifier,
}

#[uniffi::export]
impl TokenVerifier {
    /// A verifier trusting every key of `keys` (for example an HS256 secret and the JWKS that
    /// replaces it, during a migration). An empty list trusts nothing.
    ///
    /// Fails like the other constructors, and with `duplicate_key_id` when two keys share a `kid`.
    #[uniffi::constructor]
    pub fn new(keys: Vec<TrustedKey>, options: VerifyOptions) -> Result<Arc<Self>, AuthcoreError> {
        let mut set = KeySet::new();
        for source in keys {
            for key in source.into_keys()? {
                set.add_verification_key(key)?;
            }
        }
        Ok(Self::over(set, options))
    }

    /// A verifier trusting the EdDSA (Ed25519) and ES256 keys of a public JWKS document
    /// (`{"keys": [...]}`), as authd publishes it. Unsupported key types are skipped.
    ///
    /// Fails with `invalid_jwks`, `invalid_key`, `unsupported_key` or `duplicate_key_id`.
    #[uniffi::constructor]
    pub fn from_jwks(
        jwks_json: String,
        options: VerifyOptions,
    ) -> Result<Arc<Self>, AuthcoreError> {
        let keys = KeySet::from_jwks_json(&jwks_json)?;
        Ok(Self::over(keys, options))
    }

    /// A verifier with an HS256 shared secret of at least 32 bytes, for server-side use only (a
    /// secret shipped in an app is no secret). Fails with `weak_secret`.
    #[uniffi::constructor]
    pub fn from_hs256_secret(
        secret: Vec<u8>,
        options: VerifyOptions,
    ) -> Result<Arc<Self>, AuthcoreError> {
        Ok(Self::over(KeySet::single(Key::hs256(&secret)?), options))
    }

    /// Verifies `token` at the current time.
    ///
    /// Fails with the token codes: `malformed`, `algorithm_not_allowed`, `unknown_key_id`,
    /// `invalid_signature`, `expired`, `not_yet_valid`, `missing_claim`, `invalid_issuer`,
    /// `invalid_audience`, …
    pub fn verify(&self, token: String) -> Result<VerifiedClaims, AuthcoreError> {
        self.verify_at(token, now())
    }

    /// Verifies `token` as if the time were `now` (seconds since the epoch). For tests and vectors.
    pub fn verify_at(&self, token: String, now: i64) -> Result<VerifiedClaims, AuthcoreError> {
        Ok(self.inner.verify_at(&token, now)?.into())
    }
}

impl TokenVerifier {
    fn over(keys: KeySet, options: VerifyOptions) -> Arc<Self> {
        Arc::new(TokenVerifier {
            inner: Verifier::with_system_clock(keys, options),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authcore::tokens::{Claims, TokenSigner};

    fn signed(key: Key, claims: &Claims) -> String {
        TokenSigner::new(key).unwrap().sign(claims).unwrap()
    }

    #[test]
    fn inspect_reports_claims_and_expiry_at_the_given_time() {
        let claims = Claims::for_user(7, 1_000, 100).with_roles(&[Role::Admin, Role::User]);
        let token = signed(Key::hs256_legacy(b"k").unwrap(), &claims);
        let info = inspect_token_at(token.clone(), 1_050).unwrap();
        assert_eq!(info.alg, "HS256");
        assert_eq!(info.user_id, Some(7));
        assert_eq!(
            info.roles.as_deref(),
            Some(&["user".to_owned(), "admin".to_owned()][..])
        );
        assert_eq!(info.seconds_left, Some(50));
        assert!(!info.expired);
        assert!(inspect_token_at(token.clone(), 1_100).unwrap().expired);
        assert!(has_role(token.clone(), "admin".into()).unwrap());
        assert!(!has_role(token, "moderator".into()).unwrap());
    }

    #[test]
    fn unreadable_tokens_fail_with_core_codes() {
        let e = inspect_token("a.b".into()).unwrap_err();
        assert_eq!(e.code(), "malformed");
        assert_eq!(is_expired("x".into(), 0).unwrap_err().code(), "malformed");
    }

    #[test]
    fn authorities_are_formatted_like_the_server() {
        let names = ["admin", "user", "ADMIN", "nobody", "user"].map(String::from);
        assert_eq!(authorities(names.to_vec()), ["ROLE_USER", "ROLE_ADMIN"]);
    }

    #[test]
    fn hs256_verifier_checks_signature_and_time() {
        let secret = [7u8; 32];
        let token = signed(
            Key::hs256(&secret).unwrap(),
            &Claims::for_user(1, 1_000, 100),
        );
        let v =
            TokenVerifier::from_hs256_secret(secret.to_vec(), VerifyOptions::default()).unwrap();
        assert_eq!(v.verify_at(token.clone(), 1_050).unwrap().user_id, Some(1));
        let late = v.verify_at(token.clone(), 1_160).unwrap_err();
        assert_eq!(late.code(), "expired");
        let other =
            TokenVerifier::from_hs256_secret(vec![8; 32], VerifyOptions::default()).unwrap();
        assert_eq!(
            other.verify_at(token, 1_050).unwrap_err().code(),
            "invalid_signature"
        );
        let weak = TokenVerifier::from_hs256_secret(vec![1; 4], VerifyOptions::default());
        assert_eq!(weak.unwrap_err().code(), "weak_secret");
    }

    #[test]
    fn jwks_verifier_accepts_eddsa_tokens_of_its_keys() {
        let key = Key::generate(tokens::Algorithm::EdDSA)
            .unwrap()
            .with_kid("k1");
        let jwks = KeySet::single(key.clone()).to_jwks_json();
        let token = signed(key, &Claims::for_user(3, 1_000, 100));
        let v = TokenVerifier::from_jwks(jwks, VerifyOptions::default()).unwrap();
        let claims = v.verify_at(token, 1_001).unwrap();
        assert_eq!(
            (claims.alg.as_str(), claims.kid.as_deref()),
            ("EdDSA", Some("k1"))
        );
        let bad = TokenVerifier::from_jwks("{".into(), VerifyOptions::default());
        assert_eq!(bad.unwrap_err().code(), "invalid_jwks");
    }

    #[test]
    fn a_verifier_over_several_sources_trusts_each_and_refuses_shared_kids() {
        let ed = Key::generate(tokens::Algorithm::EdDSA)
            .unwrap()
            .with_kid("ed");
        let jwks = KeySet::single(ed.clone()).to_jwks_json();
        let seed = b"your-secret-key".to_vec();
        let keys = vec![
            TrustedKey::Hs256Legacy {
                secret: seed.clone(),
                kid: None,
            },
            TrustedKey::Jwks { json: jwks.clone() },
        ];
        let v = TokenVerifier::new(keys, VerifyOptions::default()).unwrap();
        let claims = Claims::for_user(1, 1_000, 100);
        let hs_token = signed(Key::hs256_legacy(&seed).unwrap(), &claims);
        assert_eq!(v.verify_at(hs_token, 1_001).unwrap().alg, "HS256");
        assert_eq!(
            v.verify_at(signed(ed, &claims), 1_001).unwrap().alg,
            "EdDSA"
        );

        let clash = vec![
            TrustedKey::Hs256 {
                secret: vec![1; 32],
                kid: Some("ed".into()),
            },
            TrustedKey::Jwks { json: jwks },
        ];
        let e = TokenVerifier::new(clash, VerifyOptions::default()).unwrap_err();
        assert_eq!(e.code(), "duplicate_key_id");
        let nothing = TokenVerifier::new(Vec::new(), VerifyOptions::default()).unwrap();
        let e = nothing.verify_at(signed(Key::hs256_legacy(&seed).unwrap(), &claims), 1_001);
        assert_eq!(e.unwrap_err().code(), "algorithm_not_allowed");
    }
}
