#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Without `verify` (the `authcore/inspect` module) the option and JSON helpers the verifier and
// the session use are unused.
#![cfg_attr(not(feature = "verify"), allow(dead_code))]

mod clock;
mod error;
mod inspect;
mod json;
#[cfg(feature = "verify")]
mod session;
#[cfg(feature = "verify")]
mod verifier;

pub use error::BindingError;
pub use inspect::{has_role, is_expired};
#[cfg(feature = "verify")]
pub use session::{AuthSession, DEFAULT_MIN_TTL_SECONDS};
#[cfg(feature = "verify")]
pub use verifier::Verifier;
