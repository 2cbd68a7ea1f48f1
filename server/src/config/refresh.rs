//! Settings of refresh tokens: flags/env ([`RefreshArgs`]) and the validated [`RefreshConfig`].

use clap::Args;
use clap::builder::BoolishValueParser;

use super::error::ConfigError;

/// Default refresh token lifetime: 30 days.
pub const DEFAULT_REFRESH_TTL_SECONDS: i64 = 2_592_000;
/// Default grace interval for a refresh token presented again just after its rotation.
pub const DEFAULT_REUSE_GRACE_SECONDS: i64 = 10;
/// Default absolute lifetime of a token family (one signin and all its rotations): 30 days.
pub const DEFAULT_FAMILY_LIFETIME_SECONDS: i64 = 2_592_000;
/// Default time rotated and revoked tokens are kept to detect their reuse: 7 days (longer than
/// the default 24 h access token, after which a legitimate client comes back with its token).
pub const DEFAULT_ROTATED_RETENTION_SECONDS: i64 = 604_800;

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
    /// Seconds after a rotation during which the old token presented again (a client retrying
    /// after a lost answer, or in parallel) gets another working pair of the same family; later
    /// it is a reuse and revokes the family. 0 = every reuse revokes.
    #[arg(long, env = "AUTHD_REFRESH_REUSE_GRACE_SECONDS", default_value_t = DEFAULT_REUSE_GRACE_SECONDS)]
    pub refresh_reuse_grace_seconds: i64,
    /// Absolute lifetime of a token family, in seconds: past it the user signs in again, however
    /// often the tokens were rotated.
    #[arg(long, env = "AUTHD_REFRESH_FAMILY_LIFETIME_SECONDS", default_value_t = DEFAULT_FAMILY_LIFETIME_SECONDS)]
    pub refresh_family_lifetime_seconds: i64,
    /// How long rotated and revoked tokens are kept (to detect reuse), in seconds; then deleted.
    #[arg(long, env = "AUTHD_REFRESH_ROTATED_RETENTION_SECONDS", default_value_t = DEFAULT_ROTATED_RETENTION_SECONDS)]
    pub refresh_rotated_retention_seconds: i64,
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
    /// Absolute lifetime of a token family, in seconds.
    pub family_lifetime_seconds: i64,
    /// How long rotated and revoked tokens are kept, in seconds.
    pub rotated_retention_seconds: i64,
}

impl Default for RefreshConfig {
    fn default() -> Self {
        RefreshConfig {
            enabled: true,
            ttl_seconds: DEFAULT_REFRESH_TTL_SECONDS,
            reuse_grace_seconds: DEFAULT_REUSE_GRACE_SECONDS,
            family_lifetime_seconds: DEFAULT_FAMILY_LIFETIME_SECONDS,
            rotated_retention_seconds: DEFAULT_ROTATED_RETENTION_SECONDS,
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
            family_lifetime_seconds: args.refresh_family_lifetime_seconds,
            rotated_retention_seconds: args.refresh_rotated_retention_seconds,
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
        if !(60..=31_536_000).contains(&self.family_lifetime_seconds) {
            return Err(ConfigError(
                "AUTHD_REFRESH_FAMILY_LIFETIME_SECONDS must be between 60 and 31536000 (one year)"
                    .to_owned(),
            ));
        }
        if !(self.reuse_grace_seconds..=31_536_000).contains(&self.rotated_retention_seconds)
            || self.rotated_retention_seconds < 60
        {
            return Err(ConfigError(
                "AUTHD_REFRESH_ROTATED_RETENTION_SECONDS must be between 60 (and at least the \
                 reuse grace) and 31536000 (one year)"
                    .to_owned(),
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
        let bad_family = RefreshConfig {
            family_lifetime_seconds: 59,
            ..RefreshConfig::default()
        };
        assert!(bad_family.validate().is_err());
        let short_retention = RefreshConfig {
            reuse_grace_seconds: 120,
            rotated_retention_seconds: 100,
            ..RefreshConfig::default()
        };
        assert!(short_retention.validate().is_err());
    }
}
