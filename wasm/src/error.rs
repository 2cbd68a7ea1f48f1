//! `BindingError`, the one error type of this surface. Every export that fails throws it as the
//! package's `AuthcoreError` (defined in `errors.js`), whose `code` is the core's stable `code()`
//! string, or the binding code `invalid_argument`; JS exceptions raised by code the binding calls
//! (a storage's `setItem` over quota) are rethrown unchanged.

use authcore::session::SessionError;
use authcore::tokens::{KeyError, TokenError};
use thiserror::Error;
use wasm_bindgen::prelude::*;

/// Why an export failed.
#[derive(Debug, Error)]
pub enum BindingError {
    /// A token could not be read or verified (`malformed`, `expired`, `invalid_signature`, …).
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A key or key set could not be built (`weak_secret`, `invalid_jwks`, …).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Session state or an authd response is unusable (`invalid_response`, `no_refresh_token`,
    /// `not_signed_in`, `session_changed`).
    #[error(transparent)]
    Session(#[from] SessionError),
    /// `invalid_argument`: an argument of the wrong type or range, or an unknown option.
    #[error("{0}")]
    InvalidArgument(String),
    /// An exception thrown by JS code the binding called; rethrown as it is.
    #[error("JavaScript exception")]
    Js(JsValue),
}

impl BindingError {
    /// The stable code the JS `AuthcoreError` carries; `None` for a rethrown JS exception.
    pub fn code(&self) -> Option<&'static str> {
        Some(match self {
            BindingError::Token(e) => e.code(),
            BindingError::Key(e) => e.code(),
            BindingError::Session(e) => e.code(),
            BindingError::InvalidArgument(_) => "invalid_argument",
            BindingError::Js(_) => return None,
        })
    }

    /// An `invalid_argument` error.
    pub(crate) fn invalid(message: impl Into<String>) -> BindingError {
        BindingError::InvalidArgument(message.into())
    }
}

impl From<JsValue> for BindingError {
    fn from(value: JsValue) -> Self {
        BindingError::Js(value)
    }
}

// `raw_module` is emitted verbatim: the generated glue lives in `<package>/wasm/`, the error class
// in `<package>/errors.js`, so the class users import is the very one thrown here (`instanceof`).
#[wasm_bindgen(raw_module = "../errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = AuthcoreError)]
    type JsAuthcoreError;

    #[wasm_bindgen(constructor, js_class = "AuthcoreError")]
    fn new(code: &str, message: &str) -> JsAuthcoreError;
}

impl From<BindingError> for JsValue {
    fn from(error: BindingError) -> Self {
        match error.code() {
            Some(code) => JsAuthcoreError::new(code, &error.to_string()).into(),
            None => match error {
                BindingError::Js(value) => value,
                other => JsValue::from_str(&other.to_string()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_codes_and_messages() {
        let e = BindingError::from(TokenError::Expired);
        assert_eq!(e.code(), Some("expired"));
        assert_eq!(e.to_string(), "token expired");
        assert_eq!(
            BindingError::from(KeyError::WeakSecret { min: 32 }).code(),
            Some("weak_secret")
        );
        assert_eq!(
            BindingError::from(SessionError::NoRefreshToken).code(),
            Some("no_refresh_token")
        );
    }

    #[test]
    fn binding_errors_have_their_own_codes() {
        assert_eq!(
            BindingError::invalid("bad").code(),
            Some("invalid_argument")
        );
        assert_eq!(
            BindingError::from(SessionError::NotSignedIn).code(),
            Some("not_signed_in")
        );
        assert_eq!(
            BindingError::from(SessionError::Changed).code(),
            Some("session_changed")
        );
    }
}
