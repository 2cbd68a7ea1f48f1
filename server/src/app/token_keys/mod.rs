//! Access-token keys: HS256 (the seed's shared secret) or EdDSA/ES256 keys kept in the store,
//! published at `/.well-known/jwks.json` and rotated with `authd keys rotate`.
//!
//! - `AUTHD_JWT_ALG=HS256` (default): tokens are signed and verified with the HS256 secret only,
//!   exactly as before; the JWKS is `{"keys":[]}`.
//! - `AUTHD_JWT_ALG=EdDSA|ES256`: tokens are signed with the newest active key of that algorithm
//!   in the store's `signing_keys` table (header `kid`); at start-up one is generated if none is
//!   active. The verifier trusts the HS256 secret when one is configured (other services, seed
//!   tokens) plus every stored key that is active or was retired less than
//!   `TTL + leeway + reload interval` ago; the JWKS lists the public halves of those stored keys.
//! - Every instance re-reads the keys every `AUTHD_KEY_RELOAD_SECONDS` and soon after a token
//!   with an unknown `kid` arrives (at most one reload per second, whatever the traffic). The
//!   request bearing the unknown `kid` itself is refused; later ones pass once the reload is done.
//!
//! The current keys live in an [`arc_swap::ArcSwap`]: signing and verifying are a lock-free load,
//! never a store call.

mod reload;
mod ring;
mod rotate;
mod snapshot;

pub use reload::{from_config, start};
pub use ring::TokenKeys;
pub use rotate::{KeysError, ensure_signing_key, rotate};
pub use snapshot::verification_window_seconds;
