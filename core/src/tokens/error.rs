//! Token and key errors with stable codes.

use crate::text::concat;
use thiserror::Error;

/// Why a token could not be inspected, verified or signed.
///
/// Every variant has a stable [`code`](TokenError::code) that crosses every binding unchanged:
///
/// | code | meaning |
/// |---|---|
/// | `token_too_large` | the token is longer than [`MAX_TOKEN_BYTES`](super::MAX_TOKEN_BYTES) |
/// | `malformed` | not three base64url segments holding a JSON header and a JSON object payload |
/// | `invalid_claims` | the payload is a JSON object but a registered claim has the wrong type |
/// | `unsupported_header` | the header carries `crit` or another parameter authcore refuses to honour |
/// | `algorithm_not_allowed` | `alg` is `none`, unknown, or not the algorithm bound to the key |
/// | `unknown_key_id` | the `kid` names no key of the key set |
/// | `invalid_signature` | the signature does not match |
/// | `expired` | `exp` is past, beyond the leeway |
/// | `not_yet_valid` | `nbf` is in the future, beyond the leeway |
/// | `missing_claim` | a required claim (`exp`, `iss`, `aud`) is absent |
/// | `invalid_issuer` | `iss` differs from the expected issuer |
/// | `invalid_audience` | `aud` does not name the expected audience |
/// | `signing_failed` | the key could not sign |
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    /// The token exceeds the size limit.
    #[error("token is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The token is not a well-formed compact JWS.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// A registered claim has the wrong JSON type.
    #[error("invalid claims: {0}")]
    InvalidClaims(String),
    /// The header asks for something authcore does not honour (`crit`).
    #[error("unsupported header parameter: {0}")]
    UnsupportedHeader(&'static str),
    /// The algorithm is refused for this key (or at all).
    #[error("algorithm not allowed: {0}")]
    AlgorithmNotAllowed(String),
    /// No key with this `kid`.
    #[error("unknown key id")]
    UnknownKeyId,
    /// The signature does not verify.
    #[error("invalid signature")]
    InvalidSignature,
    /// `exp` is in the past beyond the leeway.
    #[error("token expired")]
    Expired,
    /// `nbf` is in the future beyond the leeway.
    #[error("token not yet valid")]
    NotYetValid,
    /// A required claim is absent.
    #[error("missing required claim: {0}")]
    MissingClaim(&'static str),
    /// `iss` is not the expected issuer.
    #[error("invalid issuer")]
    InvalidIssuer,
    /// `aud` does not contain the expected audience.
    #[error("invalid audience")]
    InvalidAudience,
    /// The key could not produce a signature.
    #[error("signing failed")]
    SigningFailed,
}

impl TokenError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::TooLarge { .. } => "token_too_large",
            TokenError::Malformed(_) => "malformed",
            TokenError::InvalidClaims(_) => "invalid_claims",
            TokenError::UnsupportedHeader(_) => "unsupported_header",
            TokenError::AlgorithmNotAllowed(_) => "algorithm_not_allowed",
            TokenError::UnknownKeyId => "unknown_key_id",
            TokenError::InvalidSignature => "invalid_signature",
            TokenError::Expired => "expired",
            TokenError::NotYetValid => "not_yet_valid",
            TokenError::MissingClaim(_) => "missing_claim",
            TokenError::InvalidIssuer => "invalid_issuer",
            TokenError::InvalidAudience => "invalid_audience",
            TokenError::SigningFailed => "signing_failed",
        }
    }
}

impl TokenError {
    /// The `Display` text, built without `core::fmt`: the WebAssembly build's messages, which
    /// then link no formatting code.
    pub fn message(&self) -> String {
        let (prefix, detail): (&str, &str) = match self {
            TokenError::TooLarge { limit } => {
                let mut text = String::from("token is larger than ");
                crate::json_lite::push_u64(&mut text, *limit as u64);
                text.push_str(" bytes");
                return text;
            }
            TokenError::Malformed(m) => ("malformed token: ", m),
            TokenError::InvalidClaims(m) => ("invalid claims: ", m),
            TokenError::UnsupportedHeader(p) => ("unsupported header parameter: ", p),
            TokenError::AlgorithmNotAllowed(a) => ("algorithm not allowed: ", a),
            TokenError::UnknownKeyId => ("unknown key id", ""),
            TokenError::InvalidSignature => ("invalid signature", ""),
            TokenError::Expired => ("token expired", ""),
            TokenError::NotYetValid => ("token not yet valid", ""),
            TokenError::MissingClaim(c) => ("missing required claim: ", c),
            TokenError::InvalidIssuer => ("invalid issuer", ""),
            TokenError::InvalidAudience => ("invalid audience", ""),
            TokenError::SigningFailed => ("signing failed", ""),
        };
        concat(&[prefix, detail])
    }
}

/// Why a key or key set could not be built, imported or exported.
///
/// | code | meaning |
/// |---|---|
/// | `invalid_key` | key bytes or JWK members are not a valid key for the algorithm |
/// | `weak_secret` | an HS256 secret shorter than the required minimum |
/// | `invalid_jwks` | the JWKS document is not valid JSON of the expected shape, or too large |
/// | `unsupported_key` | a key type or algorithm outside HS256, EdDSA (Ed25519) and ES256 |
/// | `duplicate_key_id` | two keys of one set share a `kid` |
/// | `no_signing_key` | the key set holds no private key to sign with |
/// | `random_failed` | the system random source failed |
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    /// Not a valid key.
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// An HMAC secret below the minimum length.
    #[error("HS256 secret must be at least {min} bytes")]
    WeakSecret {
        /// Minimum length in bytes.
        min: usize,
    },
    /// A JWKS document that cannot be read.
    #[error("invalid JWKS: {0}")]
    InvalidJwks(String),
    /// A key type or algorithm authcore does not support.
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),
    /// Two keys share one `kid`.
    #[error("duplicate key id: {0}")]
    DuplicateKeyId(String),
    /// No private key available for signing.
    #[error("key set has no signing key")]
    NoSigningKey,
    /// The operating system's random source failed.
    #[error("random source failed")]
    RandomFailed,
}

impl KeyError {
    /// The `Display` text, built without `core::fmt`: the WebAssembly build's messages, which
    /// then link no formatting code.
    pub fn message(&self) -> String {
        let (prefix, detail): (&str, &str) = match self {
            KeyError::InvalidKey(m) => ("invalid key: ", m),
            KeyError::WeakSecret { min } => {
                let mut text = String::from("HS256 secret must be at least ");
                crate::json_lite::push_u64(&mut text, *min as u64);
                text.push_str(" bytes");
                return text;
            }
            KeyError::InvalidJwks(m) => ("invalid JWKS: ", m),
            KeyError::UnsupportedKey(m) => ("unsupported key: ", m),
            KeyError::DuplicateKeyId(kid) => ("duplicate key id: ", kid),
            KeyError::NoSigningKey => ("key set has no signing key", ""),
            KeyError::RandomFailed => ("random source failed", ""),
        };
        concat(&[prefix, detail])
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::InvalidKey(_) => "invalid_key",
            KeyError::WeakSecret { .. } => "weak_secret",
            KeyError::InvalidJwks(_) => "invalid_jwks",
            KeyError::UnsupportedKey(_) => "unsupported_key",
            KeyError::DuplicateKeyId(_) => "duplicate_key_id",
            KeyError::NoSigningKey => "no_signing_key",
            KeyError::RandomFailed => "random_failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_the_display_texts() {
        for e in [
            TokenError::TooLarge { limit: 8192 },
            TokenError::TooLarge { limit: 0 },
            TokenError::Malformed("empty segment"),
            TokenError::InvalidClaims("x (line 1, column 2)".into()),
            TokenError::UnsupportedHeader("crit"),
            TokenError::AlgorithmNotAllowed("none".into()),
            TokenError::UnknownKeyId,
            TokenError::InvalidSignature,
            TokenError::Expired,
            TokenError::NotYetValid,
            TokenError::MissingClaim("exp"),
            TokenError::InvalidIssuer,
            TokenError::InvalidAudience,
            TokenError::SigningFailed,
        ] {
            assert_eq!(e.message(), e.to_string());
        }
    }

    #[test]
    fn key_error_messages_are_the_display_texts() {
        for e in [
            KeyError::InvalidKey("Ed25519 x"),
            KeyError::WeakSecret { min: 32 },
            KeyError::WeakSecret { min: 1 },
            KeyError::InvalidJwks("keys[3]: kid is not a string".into()),
            KeyError::UnsupportedKey("kty RSA, crv -".into()),
            KeyError::DuplicateKeyId("k".into()),
            KeyError::NoSigningKey,
            KeyError::RandomFailed,
        ] {
            assert_eq!(e.message(), e.to_string());
        }
    }
}
