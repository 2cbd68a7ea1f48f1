#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod clock;
mod error;
mod inspect;
mod json;
mod session;
mod verifier;

pub use error::BindingError;
pub use inspect::{has_role, inspect_token, is_expired};
pub use session::{AuthSession, DEFAULT_MIN_TTL_SECONDS};
pub use verifier::Verifier;
