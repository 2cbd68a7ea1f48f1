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

mod command;
mod reload;
mod ring;
mod rotate;
mod snapshot;

use std::time::Duration;

use authcore::tokens::Algorithm;

use crate::config::ConfigError;

pub use command::{KeysCommand, KeysRotateArgs, RotateCommandError, rotate_command};
pub use reload::{from_config, start};
pub use ring::TokenKeys;
pub use rotate::{KeysError, ensure_signing_key, rotate};
pub use snapshot::verification_window_seconds;

/// Shortest and longest `AUTHD_KEY_RELOAD_SECONDS`.
const RELOAD_RANGE: std::ops::RangeInclusive<u64> = 1..=3600;

/// Parses `AUTHD_JWT_ALG` (`HS256`, `EdDSA` or `ES256`, exact case).
pub fn parse_alg(name: &str) -> Result<Algorithm, ConfigError> {
    Algorithm::from_name(name.trim()).ok_or_else(|| {
        ConfigError(format!(
            "AUTHD_JWT_ALG: {name:?} is not one of HS256, EdDSA, ES256"
        ))
    })
}

/// Checks `AUTHD_KEY_RELOAD_SECONDS`.
pub fn validate_reload_interval(interval: Duration) -> Result<(), ConfigError> {
    if RELOAD_RANGE.contains(&interval.as_secs()) && interval.subsec_nanos() == 0 {
        Ok(())
    } else {
        Err(ConfigError(
            "AUTHD_KEY_RELOAD_SECONDS must be between 1 and 3600".to_owned(),
        ))
    }
}

/// Current time in Unix seconds.
pub(crate) fn unix_now() -> i64 {
    use authcore::tokens::{Clock, SystemClock};
    SystemClock.now()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_parse_exactly() {
        assert_eq!(parse_alg("EdDSA").unwrap(), Algorithm::EdDSA);
        assert_eq!(parse_alg("ES256").unwrap(), Algorithm::ES256);
        assert_eq!(parse_alg("HS256").unwrap(), Algorithm::HS256);
        assert!(parse_alg("RS256").unwrap_err().0.contains("AUTHD_JWT_ALG"));
        assert!(parse_alg("eddsa").is_err());
    }

    #[test]
    fn reload_interval_is_bounded() {
        assert!(validate_reload_interval(Duration::from_secs(30)).is_ok());
        assert!(validate_reload_interval(Duration::ZERO).is_err());
        assert!(validate_reload_interval(Duration::from_secs(3601)).is_err());
    }
}
