//! JSON Web Tokens: signing, verification and inspection, on `jsonwebtoken` with authcore's own
//! crypto provider (HS256, EdDSA, ES256 only). Signing and private keys need the `signing` feature
//! (on by default).

mod base64url;
mod claims;
mod error;
mod inspect;
#[cfg(feature = "signing")]
mod issue;
pub(crate) mod json;
mod jwk;
mod keys;
pub mod provider;
mod verify;
mod views;

#[cfg(test)]
#[cfg(feature = "signing")]
mod tests;

pub use claims::{Audience, Claims};
pub use error::{KeyError, TokenError};
pub use inspect::{Header, MAX_TOKEN_BYTES, UnverifiedToken, differential, inspect};
#[cfg(feature = "signing")]
pub use issue::TokenSigner;
pub use jwk::{Jwk, MAX_JWKS_BYTES, MAX_JWKS_KEYS};
pub use keys::{Algorithm, Key, KeySet, MIN_HS256_SECRET_BYTES};
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use verify::SystemClock;
pub use verify::{
    Clock, DEFAULT_LEEWAY_SECONDS, FixedClock, VerifiedToken, Verifier, VerifyOptions,
};
pub use views::{Inspection, VerifiedClaims};
