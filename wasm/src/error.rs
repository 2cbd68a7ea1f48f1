//! `BindingError`, the one error type of this surface. Every export that fails throws it as the
//! package's `AuthcoreError` (defined in `errors.js`), whose `code` is the core's stable `code()`
//! string, or the binding code `invalid_argument`; JS exceptions raised by code the binding calls
//! (a storage's `setItem` over quota) are rethrown unchanged.

#[cfg(feature = "verify")]
use authcore::session::SessionError;
#[cfg(feature = "verify")]
use authcore::tokens::KeyError;
use authcore::tokens::TokenError;
use thiserror::Error;
#[cfg(feature = "verify")]
use wasm_bindgen::prelude::*;

/// Why an export failed.
#[derive(Debug, Error)]
pub enum BindingError {
    /// A token could not be read or verified (`malformed`, `expired`, `invalid_signature`, …).
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A key or key set could not be built (`weak_secret`, `invalid_jwks`, …).
    #[error(transparent)]
    #[cfg(feature = "verify")]
    Key(#[from] KeyError),
    /// Session state or an authd response is unusable (`invalid_response`, `no_refresh_token`,
    /// `not_signed_in`, `session_changed`).
    #[error(transparent)]
    #[cfg(feature = "verify")]
    Session(#[from] SessionError),
    /// `invalid_argument`: an argument of the wrong type or range, or an unknown option.
    #[error("{0}")]
    InvalidArgument(String),
    /// An exception thrown by JS code the binding called; rethrown as it is.
    #[error("JavaScript exception")]
    #[cfg(feature = "verify")]
    Js(JsValue),
}

impl BindingError {
    /// The stable code the JS `AuthcoreError` carries; `None` for a rethrown JS exception.
    pub fn code(&self) -> Option<&'static str> {
        Some(match self {
            BindingError::Token(e) => e.code(),
            #[cfg(feature = "verify")]
            BindingError::Key(e) => e.code(),
            #[cfg(feature = "verify")]
            BindingError::Session(e) => e.code(),
            BindingError::InvalidArgument(_) => "invalid_argument",
            #[cfg(feature = "verify")]
            BindingError::Js(_) => return None,
        })
    }

    /// The message: the `Display` text, built without `core::fmt`, which the WebAssembly modules
    /// then do not link.
    pub fn message(&self) -> String {
        match self {
            BindingError::Token(e) => e.message(),
            #[cfg(feature = "verify")]
            BindingError::Key(e) => e.message(),
            #[cfg(feature = "verify")]
            BindingError::Session(e) => e.message(),
            BindingError::InvalidArgument(m) => m.clone(),
            #[cfg(feature = "verify")]
            BindingError::Js(_) => String::from("JavaScript exception"),
        }
    }

    /// An `invalid_argument` error.
    pub(crate) fn invalid(message: impl Into<String>) -> BindingError {
        BindingError::InvalidArgument(message.into())
    }
}

#[cfg(feature = "verify")]
impl From<JsValue> for BindingError {
    fn from(value: JsValue) -> Self {
        BindingError::Js(value)
    }
}

// `raw_module` is emitted verbatim: the generated glue lives in `<package>/wasm/`, the error class
// in `<package>/errors.js`, so the class users import is the very one thrown here (`instanceof`).
#[cfg(feature = "verify")]
#[wasm_bindgen(raw_module = "../errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = AuthcoreError)]
    type JsAuthcoreError;

    #[wasm_bindgen(constructor, js_class = "AuthcoreError")]
    fn new(code: &str, message: &str) -> JsAuthcoreError;
}

#[cfg(feature = "verify")]
impl From<BindingError> for JsValue {
    fn from(error: BindingError) -> Self {
        match error.code() {
            Some(code) => JsAuthcoreError::new(code, &error.message()).into(),
            None => match error {
                BindingError::Js(value) => value,
                other => JsValue::from_str(&other.message()),
            },
        }
    }
}

#[cfg(test)]
mod message_tests {
    use super::*;

    /// In both builds.
    #[test]
    fn messages_of_inspect_errors_are_the_display_texts() {
        for e in [
            BindingError::from(TokenError::TooLarge { limit: 8192 }),
            BindingError::from(TokenError::Malformed("empty segment")),
            BindingError::from(TokenError::InvalidClaims(
                "a member is missing, repeated or has the wrong type (line 1, column 10)".into(),
            )),
            BindingError::from(TokenError::UnsupportedHeader("crit")),
            BindingError::invalid("nowSeconds must be a finite number"),
        ] {
            assert_eq!(e.message(), e.to_string());
        }
    }
}

#[cfg(all(test, feature = "verify"))]
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

    #[test]
    fn messages_are_the_display_texts() {
        for e in [
            BindingError::from(TokenError::TooLarge { limit: 8192 }),
            BindingError::from(TokenError::Malformed("empty segment")),
            BindingError::from(TokenError::AlgorithmNotAllowed("none".into())),
            BindingError::invalid("nowSeconds must be a finite number"),
            BindingError::from(KeyError::WeakSecret { min: 32 }),
            BindingError::from(KeyError::InvalidJwks("more than 64 keys".into())),
            BindingError::from(SessionError::NotSignedIn),
            BindingError::from(SessionError::InvalidResponse("empty accessToken".into())),
            BindingError::Js(JsValue::NULL),
        ] {
            assert_eq!(e.message(), e.to_string());
        }
    }
}
