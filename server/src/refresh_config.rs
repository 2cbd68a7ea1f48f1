//! Settings of refresh tokens: flags/env ([`RefreshArgs`]) and the validated [`RefreshConfig`].

use clap::Args;
use clap::builder::BoolishValueParser;

use crate::config::ConfigError;

/// Default refresh token lifetime: 30 days.
pub const DEFAULT_REFRESH_TTL_SECONDS: i64 = 2_592_000;
/// Default grace interval for a refresh token presented again just after its rotation.
pub const DEFAULT_REUSE_GRACE_SECONDS: i64 = 10;

/// Refresh token flags (flattened into `authd`'s server settings).
#[derive(Debug, Clone, Args)]
pub struct RefreshArgs {
    /// Issue refresh tokens at signin (`refreshToken`) and serve `/api/auth/refreshtoken`.
    /// Off: signin answers exactly the seed's shape.
    #[arg(long, env = "AUTHD_REFRESH_TOKENS", default_value_t = true,
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub refresh_tokens: bool,
    /// Lifetime of refresh tokens, in seconds (each rotation issues a fresh one).
    #[arg(long, env = "AUTHD_REFRESH_TOKEN_TTL_SECONDS", default_value_t = DEFAULT_REFRESH_TTL_SECONDS)]
    pub refresh_token_ttl_seconds: i64,
    /// Seconds after a rotation during which the old token presented again is refused (403)
    /// without revoking its family (a client retrying in parallel); 0 = every reuse revokes.
    #[arg(long, env = "AUTHD_REFRESH_REUSE_GRACE_SECONDS", default_value_t = DEFAULT_REUSE_GRACE_SECONDS)]
    pub refresh_reuse_grace_seconds: i64,
}

/// Validated refresh token settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshConfig {
    /// Whether signin issues refresh tokens.
    pub enabled: bool,
    /// Lifetime of a refresh token, in seconds.
    pub ttl_seconds: i64,
    /// Reuse grace interval, in seconds (0: none).
    pub reuse_grace_seconds: i64,
}

impl Default for RefreshConfig {
    fn default() -> Self {
        RefreshConfig {
            enabled: true,
            ttl_seconds: DEFAULT_REFRESH_TTL_SECONDS,
            reuse_grace_seconds: DEFAULT_REUSE_GRACE_SECONDS,
        }
    }
}

impl RefreshConfig {
    /// From the parsed flags (then [`RefreshConfig::validate`]).
    pub fn from_args(args: &RefreshArgs) -> RefreshConfig {
        RefreshConfig {
            enabled: args.refresh_tokens,
            ttl_seconds: args.refresh_token_ttl_seconds,
            reuse_grace_seconds: args.refresh_reuse_grace_seconds,
        }
    }

    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=31_536_000).contains(&self.ttl_seconds) {
            return Err(ConfigError(
                "AUTHD_REFRESH_TOKEN_TTL_SECONDS must be between 1 and 31536000 (one year)"
                    .to_owned(),
            ));
        }
        if !(0..=300).contains(&self.reuse_grace_seconds) {
            return Err(ConfigError(
                "AUTHD_REFRESH_REUSE_GRACE_SECONDS must be between 0 and 300".to_owned(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_ranges_checked() {
        assert!(RefreshConfig::default().validate().is_ok());
        let bad_ttl = RefreshConfig {
            ttl_seconds: 0,
            ..RefreshConfig::default()
        };
        assert!(bad_ttl.validate().is_err());
        let bad_grace = RefreshConfig {
            reuse_grace_seconds: -1,
            ..RefreshConfig::default()
        };
        assert!(bad_grace.validate().is_err());
    }
}
