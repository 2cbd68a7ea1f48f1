//! Settings of the access-token keys (`AUTHD_JWT_ALG`, `AUTHD_KEY_RELOAD_SECONDS`).

use std::time::Duration;

use authcore::tokens::Algorithm;

use super::error::ConfigError;

/// Shortest and longest `AUTHD_KEY_RELOAD_SECONDS`.
const RELOAD_RANGE: std::ops::RangeInclusive<u64> = 1..=3600;

/// Parses `AUTHD_JWT_ALG` (`HS256`, `EdDSA` or `ES256`, exact case): the name authd's tokens
/// will carry, so RFC 9864's `Ed25519`, which verification accepts, is not one.
pub fn parse_alg(name: &str) -> Result<Algorithm, ConfigError> {
    let name = name.trim();
    let alg = Algorithm::from_name(name).filter(|alg| alg.as_str() == name);
    alg.ok_or_else(|| {
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
        assert!(parse_alg("Ed25519").is_err());
    }

    #[test]
    fn reload_interval_is_bounded() {
        assert!(validate_reload_interval(Duration::from_secs(30)).is_ok());
        assert!(validate_reload_interval(Duration::ZERO).is_err());
        assert!(validate_reload_interval(Duration::from_secs(3601)).is_err());
    }
}
