#![doc = include_str!("../README.md")]
// UniFFI's derives implement its (unsafe) FFI traits; everything else stays free of unsafe code.
#![cfg_attr(not(feature = "uniffi"), forbid(unsafe_code))]

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

#[cfg(feature = "identity")]
pub mod identity;
mod json_lite;
#[cfg(feature = "passwords")]
pub mod passwords;
pub mod refresh;
pub mod roles;
pub mod session;
pub mod tokens;
pub mod validation;

pub use roles::{Role, RoleHierarchy, RoleRequirement};
