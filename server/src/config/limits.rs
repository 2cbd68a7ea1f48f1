//! Settings of the abuse limits: per-minute rates, the signin slow-down and the trusted proxies.

use std::net::IpAddr;

use clap::Args;
use ipnet::IpNet;

use super::error::ConfigError;

/// The shipped defaults: the CLI and [`LimitsConfig::default`] both read these.
pub mod defaults {
    /// Signins per minute per client IP.
    pub const SIGNIN_PER_IP: u32 = 120;
    /// Signins per minute per account.
    pub const SIGNIN_PER_ACCOUNT: u32 = 30;
    /// Signups per minute per client IP.
    pub const SIGNUP_PER_IP: u32 = 60;
    /// Refreshes per minute per client IP.
    pub const REFRESH_PER_IP: u32 = 300;
    /// Consecutive failed signins before the slow-down starts.
    pub const FAILURES_BEFORE_DELAY: u32 = 5;
}

/// The abuse-limit settings (flags or env). `0` disables a limit.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Signins per minute from one client IP (0: no limit).
    #[arg(
        long,
        env = "AUTHD_RATE_LIMIT_SIGNIN_PER_MINUTE",
        default_value_t = defaults::SIGNIN_PER_IP
    )]
    pub rate_limit_signin_per_minute: u32,
    /// Signins per minute for one username, from anywhere (0: no limit).
    #[arg(
        long,
        env = "AUTHD_RATE_LIMIT_SIGNIN_PER_USERNAME_PER_MINUTE",
        default_value_t = defaults::SIGNIN_PER_ACCOUNT
    )]
    pub rate_limit_signin_per_username_per_minute: u32,
    /// Signups per minute from one client IP (0: no limit).
    #[arg(
        long,
        env = "AUTHD_RATE_LIMIT_SIGNUP_PER_MINUTE",
        default_value_t = defaults::SIGNUP_PER_IP
    )]
    pub rate_limit_signup_per_minute: u32,
    /// Token refreshes per minute from one client IP (0: no limit).
    #[arg(
        long,
        env = "AUTHD_RATE_LIMIT_REFRESH_PER_MINUTE",
        default_value_t = defaults::REFRESH_PER_IP
    )]
    pub rate_limit_refresh_per_minute: u32,
    /// Consecutive failed signins of one account before it is slowed down (0: never).
    #[arg(
        long,
        env = "AUTHD_SIGNIN_FAILURES_BEFORE_DELAY",
        default_value_t = defaults::FAILURES_BEFORE_DELAY
    )]
    pub signin_failures_before_delay: u32,
    /// Comma-separated IPs/CIDRs of reverse proxies whose `X-Forwarded-For` is believed.
    #[arg(long, env = "AUTHD_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
}

/// Validated abuse-limit settings. [`LimitsConfig::default`] is the documented defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitsConfig {
    /// Signins per minute per client IP (0: off).
    pub signin_per_ip: u32,
    /// Signins per minute per username (0: off).
    pub signin_per_username: u32,
    /// Signups per minute per client IP (0: off).
    pub signup_per_ip: u32,
    /// Refreshes per minute per client IP (0: off).
    pub refresh_per_ip: u32,
    /// Consecutive failures of one account before each further try waits
    /// 2^(failures − this) seconds, at most 15 minutes (0: off).
    pub failures_before_delay: u32,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            signin_per_ip: defaults::SIGNIN_PER_IP,
            signin_per_username: defaults::SIGNIN_PER_ACCOUNT,
            signup_per_ip: defaults::SIGNUP_PER_IP,
            refresh_per_ip: defaults::REFRESH_PER_IP,
            failures_before_delay: defaults::FAILURES_BEFORE_DELAY,
            trusted_proxies: Vec::new(),
        }
    }
}

impl LimitsConfig {
    /// Every limit off (for load tests and test suites that sign in a lot).
    pub fn disabled() -> LimitsConfig {
        LimitsConfig {
            signin_per_ip: 0,
            signin_per_username: 0,
            signup_per_ip: 0,
            refresh_per_ip: 0,
            failures_before_delay: 0,
            trusted_proxies: Vec::new(),
        }
    }

    /// Validates the flags.
    pub fn from_args(args: &LimitArgs) -> Result<LimitsConfig, ConfigError> {
        Ok(LimitsConfig {
            signin_per_ip: args.rate_limit_signin_per_minute,
            signin_per_username: args.rate_limit_signin_per_username_per_minute,
            signup_per_ip: args.rate_limit_signup_per_minute,
            refresh_per_ip: args.rate_limit_refresh_per_minute,
            failures_before_delay: args.signin_failures_before_delay,
            trusted_proxies: parse_proxies(&args.trusted_proxies)?,
        })
    }
}

/// `10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`; empty entries are skipped.
pub fn parse_proxies(raw: &[String]) -> Result<Vec<IpNet>, ConfigError> {
    raw.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|entry| {
            entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    ConfigError(format!(
                        "AUTHD_TRUSTED_PROXIES: {entry:?} is not an IP address or CIDR \
                         (like 10.0.0.1 or 10.0.0.0/8)"
                    ))
                })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn proxies_take_addresses_and_cidrs() {
        let nets = parse_proxies(&["10.0.0.0/8".into(), " ::1 ".into(), "".into()]).unwrap();
        assert_eq!(nets.len(), 2);
        assert!(nets[0].contains(&"10.1.2.3".parse::<IpAddr>().unwrap()));
        assert!(parse_proxies(&["proxy.local".into()]).is_err());
    }

    #[test]
    fn cli_defaults_are_the_default_config() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            limits: LimitArgs,
        }
        let args = <Cli as clap::Parser>::try_parse_from(["authd"]).unwrap();
        assert_eq!(
            LimitsConfig::from_args(&args.limits).unwrap(),
            LimitsConfig::default()
        );
    }
}
