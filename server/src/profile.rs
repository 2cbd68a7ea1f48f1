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
use http::header::{HeaderValue, WWW_AUTHENTICATE};
use http::{Response, StatusCode};
use zeroize::Zeroizing;

use crate::config::ConfigError;
use crate::http::responses::{self, Body, bodies};
use crate::password_pool::{PasswordPool, PoolError};

/// Strict signin failure, whatever the reason.
pub const INVALID_CREDENTIALS: &str =
    r#"{"accessToken":null,"message":"Invalid username or password!"}"#;

/// Which answers the server gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ProfileKind {
    /// The seed tutorial's answers (404 for an unknown user, 403 without a token).
    #[default]
    Seed,
    /// Uniform signin failures and RFC 6750 token challenges.
    Strict,
}

/// Marks an authentication failure on its response, so the profile can shape it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No token was sent.
    NoToken,
    /// The token is bad, expired or of a user that no longer exists.
    InvalidToken,
}

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

    /// Signin with a wrong password.
    pub fn wrong_password(&self) -> Response<Body> {
        match self.kind {
            ProfileKind::Seed => {
                responses::json_static(StatusCode::UNAUTHORIZED, bodies::INVALID_PASSWORD)
            }
            ProfileKind::Strict => {
                responses::json_static(StatusCode::UNAUTHORIZED, INVALID_CREDENTIALS)
            }
        }
    }

    /// Signin of an unknown user: seed answers 404 at once; strict spends the same bcrypt work
    /// as a real check, then answers like a wrong password.
    pub async fn unknown_user(
        &self,
        passwords: &PasswordPool,
        password: Zeroizing<String>,
    ) -> Response<Body> {
        let Some(dummy) = &self.dummy_hash else {
            return responses::json_static(StatusCode::NOT_FOUND, bodies::USER_NOT_FOUND);
        };
        if password.len() <= authcore::passwords::MAX_PASSWORD_BYTES {
            // The outcome is irrelevant: only the time spent matters. A full queue is answered
            // as it is for a known user (503), so overload does not tell users apart either.
            if let Err(e) = passwords.verify(password, dummy.clone()).await {
                return e.response();
            }
        }
        self.wrong_password()
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

    /// Reshapes a marked authentication failure for the strict profile.
    pub fn finish(&self, response: Response<Body>) -> Response<Body> {
        if self.kind == ProfileKind::Seed {
            return response;
        }
        let (body, challenge) = match response.extensions().get::<AuthFailure>() {
            Some(AuthFailure::NoToken) => (bodies::NO_TOKEN, "Bearer"),
            Some(AuthFailure::InvalidToken) => {
                (bodies::UNAUTHORIZED, r#"Bearer error="invalid_token""#)
            }
            None => return response,
        };
        let mut strict = responses::json_static(StatusCode::UNAUTHORIZED, body);
        strict
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        strict
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn marked(failure: AuthFailure, status: StatusCode) -> Response<Body> {
        let mut r = responses::json_static(status, bodies::NO_TOKEN);
        r.extensions_mut().insert(failure);
        r
    }

    #[test]
    fn strict_turns_missing_tokens_into_bearer_challenges() {
        let hasher = PasswordHasher::new(4).unwrap();
        let strict = Profile::new(ProfileKind::Strict, &hasher).unwrap();
        let r = strict.finish(marked(AuthFailure::NoToken, StatusCode::FORBIDDEN));
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()[WWW_AUTHENTICATE], "Bearer");
        let seed = Profile::new(ProfileKind::Seed, &hasher).unwrap();
        let r = seed.finish(marked(AuthFailure::NoToken, StatusCode::FORBIDDEN));
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
}
