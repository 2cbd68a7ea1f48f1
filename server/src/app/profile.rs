//! Answer profiles. `seed` (the default) keeps the tutorial's answers; `strict` closes what they
//! leak:
//!
//! - signin: an unknown user and a wrong password both get 401
//!   `{"accessToken":null,"message":"Invalid username or password!"}`, in the same time: an unknown
//!   user's password is checked against a dummy bcrypt hash of the configured cost, made once at
//!   start-up, and a known user's stored hash of a lower cost (the seed's `$2a$08$`) is padded with
//!   the bcrypt work that makes up the difference (see [`PasswordPool::verify_padded`]);
//! - a missing token is 401 `{"message":"No token provided!"}` with `WWW-Authenticate: Bearer`
//!   (RFC 6750) instead of 403, and a bad token 401 with
//!   `WWW-Authenticate: Bearer error="invalid_token"`.

use authcore::passwords::{PasswordError, PasswordHasher};
use zeroize::Zeroizing;

use crate::app::password_pool::{PasswordPool, PoolError};
use crate::config::ConfigError;
pub use crate::config::ProfileKind;

/// The active profile.
pub struct Profile {
    kind: ProfileKind,
    /// A bcrypt hash of a random password at the configured cost (strict only).
    dummy_hash: Option<String>,
}

impl Profile {
    /// Builds `kind`; strict hashes its dummy password now (one bcrypt at start-up).
    pub fn new(kind: ProfileKind, hasher: &PasswordHasher) -> Result<Profile, ConfigError> {
        let dummy_hash = match kind {
            ProfileKind::Seed => None,
            ProfileKind::Strict => {
                let mut bytes = [0u8; 18];
                getrandom::getrandom(&mut bytes)
                    .map_err(|e| ConfigError(format!("no randomness for the dummy hash: {e}")))?;
                let password =
                    Zeroizing::new(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
                let hash = hasher
                    .hash(&password)
                    .map_err(|e| ConfigError(format!("cannot make the dummy hash: {e}")))?;
                Some(hash)
            }
        };
        Ok(Profile { kind, dummy_hash })
    }

    /// The profile's kind.
    pub fn kind(&self) -> ProfileKind {
        self.kind
    }

    /// The work of a signin of an unknown user: none (seed), or the same bcrypt work as a real
    /// check (strict), so the answer comes after the same time as a wrong password's.
    pub async fn unknown_user(
        &self,
        passwords: &PasswordPool,
        password: Zeroizing<String>,
    ) -> Result<(), PoolError> {
        let Some(dummy) = &self.dummy_hash else {
            return Ok(());
        };
        if password.len() <= authcore::passwords::MAX_PASSWORD_BYTES {
            // The outcome is irrelevant: only the time spent matters. A full queue is answered
            // as it is for a known user (503), so overload does not tell users apart either.
            let _outcome = passwords.verify(password, dummy.clone()).await?;
        }
        Ok(())
    }

    /// Checks `password` against a known user's stored `hash`: as is (seed), or padded to the
    /// work of one verify at the configured cost (strict).
    pub async fn verify(
        &self,
        passwords: &PasswordPool,
        password: Zeroizing<String>,
        hash: String,
    ) -> Result<Result<bool, PasswordError>, PoolError> {
        match self.kind {
            ProfileKind::Seed => passwords.verify(password, hash).await,
            ProfileKind::Strict => {
                passwords
                    .verify_padded(password, hash, passwords.cost())
                    .await
            }
        }
    }
}
