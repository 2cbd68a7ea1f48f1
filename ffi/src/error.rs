//! The one error type of the binding surface.

use authcore::session::SessionError;
use authcore::tokens::{KeyError, TokenError};

/// Every failure of the authcore bindings.
///
/// Each variant carries a stable `code` (the core's `code()` string where the core decided, or one
/// of the binding codes below) and a human-readable `detail`. The variant names the area; match on
/// `code` for the exact reason. In Kotlin this is `AuthcoreException`, in Swift `AuthcoreError`.
///
/// Codes added by the bindings (everything else comes from `authcore` unchanged):
///
/// | variant | code | meaning |
/// |---|---|---|
/// | `Session` | `store_reentered` | a `TokenStore` method called back into its own `AuthSession` |
/// | `Refresh` | `refresh_aborted` | the refresh a caller waited for was cancelled or panicked |
/// | `Callback` | `unexpected_callback_error` | a foreign callback threw something other than `AuthcoreError` |
///
/// `Store` and `Refresh` carry whatever code the app's own `TokenStore` or
/// `Refresher` implementation chose.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum AuthcoreError {
    /// A token could not be inspected or verified (`malformed`, `expired`, `invalid_signature`, …).
    #[error("{code}: {detail}")]
    Token {
        /// The stable code.
        code: String,
        /// What failed, for people.
        detail: String,
    },
    /// A key or key set could not be built (`invalid_jwks`, `weak_secret`, `unsupported_key`, …).
    #[error("{code}: {detail}")]
    Key {
        /// The stable code.
        code: String,
        /// What failed, for people.
        detail: String,
    },
    /// Session state or an authd response is unusable (`invalid_response`, `no_refresh_token`,
    /// `not_signed_in`, `session_changed`, `store_reentered`).
    #[error("{code}: {detail}")]
    Session {
        /// The stable code.
        code: String,
        /// What failed, for people.
        detail: String,
    },
    /// The app's token store failed; raised by the app's `TokenStore` implementation.
    #[error("{code}: {detail}")]
    Store {
        /// A code chosen by the store implementation.
        code: String,
        /// What failed, for people.
        detail: String,
    },
    /// The app's refresh call failed; raised by the app's `Refresher` implementation.
    #[error("{code}: {detail}")]
    Refresh {
        /// A code chosen by the refresher implementation (for example `http_401`).
        code: String,
        /// What failed, for people.
        detail: String,
    },
    /// A foreign callback failed with an exception that is not an `AuthcoreError`.
    #[error("{code}: {detail}")]
    Callback {
        /// Always `unexpected_callback_error`.
        code: String,
        /// The foreign exception's description.
        detail: String,
    },
}

impl AuthcoreError {
    /// The stable code, whatever the variant.
    pub fn code(&self) -> &str {
        match self {
            AuthcoreError::Token { code, .. }
            | AuthcoreError::Key { code, .. }
            | AuthcoreError::Session { code, .. }
            | AuthcoreError::Store { code, .. }
            | AuthcoreError::Refresh { code, .. }
            | AuthcoreError::Callback { code, .. } => code,
        }
    }
}

impl From<TokenError> for AuthcoreError {
    fn from(e: TokenError) -> Self {
        AuthcoreError::Token {
            code: e.code().to_owned(),
            detail: e.to_string(),
        }
    }
}

impl From<KeyError> for AuthcoreError {
    fn from(e: KeyError) -> Self {
        AuthcoreError::Key {
            code: e.code().to_owned(),
            detail: e.to_string(),
        }
    }
}

impl From<SessionError> for AuthcoreError {
    fn from(e: SessionError) -> Self {
        AuthcoreError::Session {
            code: e.code().to_owned(),
            detail: e.to_string(),
        }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for AuthcoreError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        AuthcoreError::Callback {
            code: "unexpected_callback_error".to_owned(),
            detail: e.reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_codes_cross_unchanged() {
        let e = AuthcoreError::from(TokenError::Expired);
        assert_eq!(e.code(), "expired");
        assert!(matches!(e, AuthcoreError::Token { .. }));
        assert_eq!(
            AuthcoreError::from(KeyError::WeakSecret { min: 32 }).code(),
            "weak_secret"
        );
        assert_eq!(
            AuthcoreError::from(SessionError::NoRefreshToken).code(),
            "no_refresh_token"
        );
    }
}
