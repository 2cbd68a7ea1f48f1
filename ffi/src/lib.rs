#![doc = include_str!("../README.md")]

mod error;
mod session;
mod store;
mod tokens;

pub use error::AuthcoreError;
pub use session::{
    AsyncRefresher, AuthSession, HeaderStyle, HttpHeader, Refresher, SessionClock, SessionUser,
};
pub use store::{TokenStore, memory_token_store};
pub use tokens::{
    TokenVerifier, TrustedKey, authorities, has_role, inspect_token, inspect_token_at, is_expired,
    is_expired_at,
};

uniffi::setup_scaffolding!();
