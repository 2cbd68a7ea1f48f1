#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

#[cfg(feature = "identity")]
pub mod identity;
#[cfg(feature = "passwords")]
pub mod passwords;
pub mod refresh;
pub mod roles;
pub mod session;
pub mod tokens;
pub mod validation;

pub use roles::{Role, RoleHierarchy, RoleRequirement};
