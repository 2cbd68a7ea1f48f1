//! Refresh tokens: opaque 256-bit random strings, stored only as a SHA-256 hash, rotated on every
//! use, with reuse detection over a token family (RFC 9700 §4.14.2).
//!
//! The store keeps, per token hash: the family id, the user, the expiry, and when it was rotated
//! (if it was). [`decide`] turns that record into what the server must do.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Bytes of randomness in a refresh token.
pub const REFRESH_TOKEN_BYTES: usize = 32;
/// Longest refresh token string accepted before hashing.
pub const MAX_REFRESH_TOKEN_CHARS: usize = 128;
/// Most live (unrotated, unrevoked) tokens one family may have: a rotation leaves one, and each
/// retry within the grace interval adds one, so a retrying client is served a few times but a
/// token replayed in a loop cannot grow the family.
pub const MAX_LIVE_TOKENS_PER_FAMILY: u64 = 4;

/// Why a refresh token cannot be created or used.
///
/// | code | meaning |
/// |---|---|
/// | `random_failed` | the system random source failed |
/// | `refresh_token_malformed` | not a string authcore could have issued |
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RefreshError {
    /// The operating system's random source failed.
    #[error("random source failed")]
    RandomFailed,
    /// The presented token is not of the shape authcore issues.
    #[error("malformed refresh token")]
    Malformed,
}

impl RefreshError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            RefreshError::RandomFailed => "random_failed",
            RefreshError::Malformed => "refresh_token_malformed",
        }
    }
}

/// A newly issued refresh token: the string for the client and the hash for the store.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedRefreshToken {
    /// Sent to the client once; never stored.
    pub token: String,
    /// Stored and looked up (hex SHA-256 of `token`).
    pub hash: String,
}

impl std::fmt::Debug for IssuedRefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedRefreshToken")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// A fresh random refresh token (43 base64url characters).
pub fn issue() -> Result<IssuedRefreshToken, RefreshError> {
    let mut bytes = [0u8; REFRESH_TOKEN_BYTES];
    getrandom::getrandom(&mut bytes).map_err(|_| RefreshError::RandomFailed)?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_of(&token);
    Ok(IssuedRefreshToken { token, hash })
}

/// A fresh random identifier (for token families, key ids): 22 base64url characters, 128 bits.
pub fn random_id() -> Result<String, RefreshError> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|_| RefreshError::RandomFailed)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored hash of a presented token, after checking its shape (so lookups never see junk).
pub fn hash_presented(token: &str) -> Result<String, RefreshError> {
    let well_formed = !token.is_empty()
        && token.len() <= MAX_REFRESH_TOKEN_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(RefreshError::Malformed);
    }
    Ok(hash_of(token))
}

fn hash_of(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// What the store knows of a presented refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredRefreshToken {
    /// Expiry, seconds since the epoch.
    pub expires_at: i64,
    /// When it was rotated (used), if it was.
    pub rotated_at: Option<i64>,
    /// Whether its family was revoked (sign-out, reuse, user deleted).
    pub revoked: bool,
}

/// What to do with a presented refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Rotate: mark it used and issue a successor in the same family.
    Rotate,
    /// Unknown token: refuse (`Refresh token is not in database!`).
    Unknown,
    /// Expired: refuse and delete it (`Refresh token was expired…`).
    Expired,
    /// Revoked family: refuse.
    Revoked,
    /// Used again after rotation, outside the grace interval: revoke the whole family.
    Reuse,
    /// Used again within the grace interval (a client retrying after a lost answer, or in
    /// parallel): issue another successor in the same family (at most
    /// [`MAX_LIVE_TOKENS_PER_FAMILY`] live ones), revoking nothing.
    RetryWithinGrace,
}

/// The refresh rule. `grace_seconds` serves a second use shortly after rotation (idempotent
/// rotation, as Auth0's and Okta's reuse intervals), so a client whose answer was lost, or two
/// parallel requests, keep the session; 0 disables the grace.
pub fn decide(stored: Option<StoredRefreshToken>, now: i64, grace_seconds: i64) -> RefreshDecision {
    let Some(t) = stored else {
        return RefreshDecision::Unknown;
    };
    if t.revoked {
        return RefreshDecision::Revoked;
    }
    if let Some(rotated) = t.rotated_at {
        return if now.saturating_sub(rotated) <= grace_seconds && grace_seconds > 0 {
            RefreshDecision::RetryWithinGrace
        } else {
            RefreshDecision::Reuse
        };
    }
    if now >= t.expires_at {
        return RefreshDecision::Expired;
    }
    RefreshDecision::Rotate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> StoredRefreshToken {
        StoredRefreshToken {
            expires_at: 1000,
            rotated_at: None,
            revoked: false,
        }
    }

    #[test]
    fn issued_tokens_are_256_bit_and_stored_only_as_their_hash() {
        let a = issue().unwrap();
        let b = issue().unwrap();
        assert_eq!(a.token.len(), 43);
        assert_ne!(a.token, b.token);
        assert_eq!(hash_presented(&a.token).unwrap(), a.hash);
        assert_eq!(a.hash.len(), 64);
        assert!(!format!("{a:?}").contains(&a.token));
    }

    #[test]
    fn junk_is_refused_before_any_lookup() {
        for bad in ["", "a b", "x".repeat(129).as_str(), "é", "a.b"] {
            assert_eq!(hash_presented(bad), Err(RefreshError::Malformed));
        }
    }

    #[test]
    fn live_token_rotates_and_expired_token_is_refused() {
        assert_eq!(decide(Some(live()), 999, 10), RefreshDecision::Rotate);
        assert_eq!(decide(Some(live()), 1000, 10), RefreshDecision::Expired);
        assert_eq!(decide(None, 0, 10), RefreshDecision::Unknown);
    }

    #[test]
    fn reuse_after_grace_revokes_and_within_grace_is_a_retry() {
        let used = StoredRefreshToken {
            rotated_at: Some(500),
            ..live()
        };
        assert_eq!(
            decide(Some(used), 505, 10),
            RefreshDecision::RetryWithinGrace
        );
        assert_eq!(decide(Some(used), 511, 10), RefreshDecision::Reuse);
        assert_eq!(decide(Some(used), 500, 0), RefreshDecision::Reuse);
        let revoked = StoredRefreshToken {
            revoked: true,
            ..used
        };
        assert_eq!(decide(Some(revoked), 505, 10), RefreshDecision::Revoked);
    }
}
