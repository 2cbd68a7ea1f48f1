//! bcrypt password hashing and verification, without bcrypt's silent 72-byte truncation.
//!
//! The seed (bcryptjs) silently ignored everything after byte 72 of a password, so two passwords
//! sharing their first 72 bytes were interchangeable. Here a password longer than
//! [`MAX_PASSWORD_BYTES`] is an error both when hashing and when verifying, and a password of at
//! most 72 bytes is hashed in full. Hashes written by bcryptjs (`$2a$08$…`) still verify.

use std::str::FromStr;

use bcrypt::{BcryptError, HashParts};

/// The cost new hashes use unless told otherwise (bcryptjs's `hashSync(pw, 8)` in the seed was lower).
pub const DEFAULT_COST: u32 = 10;

/// The longest password, in UTF-8 bytes, that bcrypt can take into account.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// The lowest cost bcrypt accepts.
const MIN_COST: u32 = 4;
/// The highest cost bcrypt accepts.
const MAX_COST: u32 = 31;

/// Why a password could not be hashed or verified.
///
/// | variant | code |
/// |---|---|
/// | [`InvalidCost`](Self::InvalidCost) | `invalid_cost` |
/// | [`Empty`](Self::Empty) | `password_empty` |
/// | [`TooLong`](Self::TooLong) | `password_too_long` |
/// | [`InvalidHash`](Self::InvalidHash) | `invalid_hash` |
/// | [`Random`](Self::Random) | `random_unavailable` |
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// The bcrypt cost is outside 4..=31.
    #[error("bcrypt cost must be between 4 and 31, got {0}")]
    InvalidCost(u32),
    /// The password is the empty string.
    #[error("password must not be empty")]
    Empty,
    /// The password is longer than the 72-byte bcrypt limit.
    #[error("password is {len} bytes long; bcrypt passwords are limited to 72 bytes")]
    TooLong {
        /// The password's length in UTF-8 bytes.
        len: usize,
    },
    /// The stored hash is not a `$2a$`, `$2b$` or `$2y$` bcrypt hash.
    #[error("stored password hash is not a valid bcrypt hash: {0}")]
    InvalidHash(&'static str),
    /// The operating system could not supply random bytes for a salt.
    #[error("could not generate a salt: {0}")]
    Random(String),
}

impl PasswordError {
    /// The stable snake_case code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            PasswordError::InvalidCost(_) => "invalid_cost",
            PasswordError::Empty => "password_empty",
            PasswordError::TooLong { .. } => "password_too_long",
            PasswordError::InvalidHash(_) => "invalid_hash",
            PasswordError::Random(_) => "random_unavailable",
        }
    }
}

impl From<BcryptError> for PasswordError {
    fn from(err: BcryptError) -> Self {
        match err {
            BcryptError::CostNotAllowed(cost) => PasswordError::InvalidCost(cost),
            BcryptError::InvalidHash(reason) => PasswordError::InvalidHash(reason),
            BcryptError::Rand(e) => PasswordError::Random(e.to_string()),
            // Only the non_truncating_* functions report this; bcrypt counts the NUL terminator.
            BcryptError::Truncation(len) => PasswordError::TooLong {
                len: len.saturating_sub(1),
            },
        }
    }
}

/// Rejects passwords bcrypt cannot hash in full.
fn check_password(password: &str) -> Result<(), PasswordError> {
    if password.is_empty() {
        return Err(PasswordError::Empty);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordError::TooLong {
            len: password.len(),
        });
    }
    Ok(())
}

/// The cost of a `$2a$`, `$2b$` or `$2y$` hash, or why it is not one.
fn parse_hash(hash: &str) -> Result<(HashParts, u32), PasswordError> {
    // `$2x$` (crypt_blowfish's buggy 8-bit variant) parses in the bcrypt crate but is hashed as
    // `$2b$`, which would give wrong answers for non-ASCII passwords: refuse it.
    let prefix = hash.get(..4).unwrap_or("");
    if !matches!(prefix, "$2a$" | "$2b$" | "$2y$") {
        return Err(PasswordError::InvalidHash(
            "expected a $2a$, $2b$ or $2y$ prefix",
        ));
    }
    let parts = HashParts::from_str(hash)?;
    let cost = parts.get_cost();
    if !(MIN_COST..=MAX_COST).contains(&cost) {
        return Err(PasswordError::InvalidHash("the cost is outside 4..=31"));
    }
    Ok((parts, cost))
}

/// Hashes passwords with bcrypt at a fixed cost, producing `$2b$` hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordHasher {
    cost: u32,
}

impl PasswordHasher {
    /// A hasher using `cost` (4..=31; each step doubles the work).
    pub fn new(cost: u32) -> Result<Self, PasswordError> {
        if (MIN_COST..=MAX_COST).contains(&cost) {
            Ok(PasswordHasher { cost })
        } else {
            Err(PasswordError::InvalidCost(cost))
        }
    }

    /// The bcrypt cost of the hashes this hasher produces.
    pub fn cost(&self) -> u32 {
        self.cost
    }

    /// A fresh salted `$2b$` hash of `password`.
    ///
    /// Fails with [`PasswordError::Empty`] for `""` and [`PasswordError::TooLong`] above 72 bytes:
    /// no part of a password is ever ignored.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        check_password(password)?;
        // The length is checked above, so bcrypt's truncation never drops a byte of the password.
        // (`non_truncating_hash` would also refuse exactly 72 bytes, which bcrypt handles in full.)
        Ok(bcrypt::hash(password, self.cost)?)
    }
}

impl Default for PasswordHasher {
    /// A hasher at [`DEFAULT_COST`].
    fn default() -> Self {
        PasswordHasher { cost: DEFAULT_COST }
    }
}

/// Whether `password` matches the stored bcrypt `hash` (`$2a$`, `$2b$` or `$2y$`).
///
/// An empty password is [`PasswordError::Empty`] and a password over 72 bytes is
/// [`PasswordError::TooLong`]: neither ever verifies, so passwords that differ only after byte 72
/// cannot both match. A malformed hash (including `$2x$`) is [`PasswordError::InvalidHash`].
/// The digest comparison is constant-time (the bcrypt crate compares with `subtle`).
pub fn verify(password: &str, hash: &str) -> Result<bool, PasswordError> {
    check_password(password)?;
    parse_hash(hash)?;
    Ok(bcrypt::verify(password, hash)?)
}

/// Whether `hash` should be replaced by a new hash at `cost`: its cost is lower, or it is not a
/// usable bcrypt hash at all.
pub fn needs_rehash(hash: &str, cost: u32) -> bool {
    match parse_hash(hash) {
        Ok((_, hash_cost)) => hash_cost < cost,
        Err(_) => true,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// bcryptjs `hashSync("12345678", 8)` from the seed's database.
    const SEED_HASH: &str = "$2a$08$wZ6/SI4gsh7KcDAnwGQdfek.KDNyHXjSBKXZVFn7D3Cam/xXiK8k2";

    fn fast() -> PasswordHasher {
        PasswordHasher::new(4).unwrap()
    }

    #[test]
    fn hash_then_verify_round_trips_at_cost_4() {
        let hash = fast().hash("correct horse").unwrap();
        assert!(hash.starts_with("$2b$04$"));
        assert_eq!(hash.len(), 60);
        assert!(verify("correct horse", &hash).unwrap());
    }

    #[test]
    fn hashes_are_salted() {
        let h = fast();
        assert_ne!(h.hash("same").unwrap(), h.hash("same").unwrap());
    }

    #[test]
    fn seed_bcryptjs_cost_8_hash_verifies() {
        assert!(verify("12345678", SEED_HASH).unwrap());
    }

    #[test]
    fn wrong_password_does_not_verify() {
        assert!(!verify("12345679", SEED_HASH).unwrap());
        let hash = fast().hash("secret").unwrap();
        assert!(!verify("Secret", &hash).unwrap());
    }

    #[test]
    fn password_of_73_bytes_is_rejected_by_hash() {
        let pw = "a".repeat(73);
        let err = fast().hash(&pw).unwrap_err();
        assert_eq!(err, PasswordError::TooLong { len: 73 });
        assert_eq!(err.code(), "password_too_long");
        assert!(err.to_string().contains("72 bytes"));
    }

    #[test]
    fn password_of_73_bytes_never_verifies_even_against_its_72_byte_prefix() {
        let prefix = "b".repeat(72);
        let hash = fast().hash(&prefix).unwrap();
        let longer = format!("{prefix}c");
        assert_eq!(
            verify(&longer, &hash),
            Err(PasswordError::TooLong { len: 73 })
        );
    }

    #[test]
    fn password_of_72_bytes_is_hashed_in_full() {
        let pw = "x".repeat(71) + "y";
        let hash = fast().hash(&pw).unwrap();
        assert!(verify(&pw, &hash).unwrap());
        let other = "x".repeat(72);
        assert!(!verify(&other, &hash).unwrap());
    }

    #[test]
    fn multibyte_password_limit_counts_bytes_not_chars() {
        // 24 three-byte chars = 72 bytes is fine, 25 = 75 bytes is not.
        let ok = "€".repeat(24);
        assert!(verify(&ok, &fast().hash(&ok).unwrap()).unwrap());
        let too_long = "€".repeat(25);
        assert_eq!(
            fast().hash(&too_long),
            Err(PasswordError::TooLong { len: 75 })
        );
    }

    #[test]
    fn empty_password_is_an_error_on_hash_and_verify() {
        assert_eq!(fast().hash(""), Err(PasswordError::Empty));
        assert_eq!(verify("", SEED_HASH), Err(PasswordError::Empty));
        assert_eq!(PasswordError::Empty.code(), "password_empty");
    }

    #[test]
    fn malformed_hashes_are_invalid_hash_errors() {
        for bad in [
            "",
            "not a hash",
            "$2b$10$short",
            "$1$abcdefgh$abcdefghijklmnopqrstuv",
            &SEED_HASH.replace("$2a$", "$2x$"),
            &SEED_HASH.replace("$08$", "$99$"),
            &SEED_HASH.replace("$08$", "$03$"),
            &SEED_HASH.replace("$08$", "$xx$"),
            &SEED_HASH.replace('w', "é"),
            &SEED_HASH.replace('Z', "!"),
        ] {
            let err = verify("12345678", bad).unwrap_err();
            assert_eq!(err.code(), "invalid_hash", "{bad:?}: {err}");
        }
    }

    #[test]
    fn two_y_and_two_b_prefixes_verify_like_two_a() {
        assert!(verify("12345678", &SEED_HASH.replace("$2a$", "$2y$")).unwrap());
        assert!(verify("12345678", &SEED_HASH.replace("$2a$", "$2b$")).unwrap());
    }

    #[test]
    fn cost_outside_4_to_31_is_rejected() {
        for cost in [0, 3, 32, u32::MAX] {
            let err = PasswordHasher::new(cost).unwrap_err();
            assert_eq!(err, PasswordError::InvalidCost(cost));
            assert_eq!(err.code(), "invalid_cost");
        }
        assert_eq!(PasswordHasher::new(31).unwrap().cost(), 31);
    }

    #[test]
    fn default_hasher_uses_cost_10() {
        assert_eq!(PasswordHasher::default().cost(), DEFAULT_COST);
        assert_eq!(DEFAULT_COST, 10);
    }

    #[test]
    fn needs_rehash_when_cost_is_below_target() {
        assert!(needs_rehash(SEED_HASH, 10));
        assert!(!needs_rehash(SEED_HASH, 8));
        assert!(!needs_rehash(SEED_HASH, 4));
    }

    #[test]
    fn needs_rehash_when_hash_is_unparseable() {
        assert!(needs_rehash("", 4));
        assert!(needs_rehash("plaintext-password", 4));
        assert!(needs_rehash(&SEED_HASH.replace("$2a$", "$2x$"), 4));
    }

    #[test]
    fn error_codes_are_stable() {
        assert_eq!(PasswordError::InvalidHash("x").code(), "invalid_hash");
        assert_eq!(
            PasswordError::Random("x".into()).code(),
            "random_unavailable"
        );
        assert_eq!(
            PasswordError::from(BcryptError::Truncation(74)),
            PasswordError::TooLong { len: 73 }
        );
    }
}
