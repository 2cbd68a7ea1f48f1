//! The one typed configuration of the server, validated once at start-up with clear messages.

pub mod args;
mod error;
pub mod keys;
pub mod limits;
pub mod mail;
pub mod refresh;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use authcore::passwords::PasswordHasher;
use authcore::validation::{SignupRules, validate_signup};
use serde_json::json;
use zeroize::Zeroizing;

pub use self::error::ConfigError;

/// Env variables holding the JWT secret, in order of precedence.
pub const JWT_SECRET_VARS: [&str; 2] = ["AUTHD_JWT_SECRET", "JWT_SECRET"];
/// Env variable holding the bootstrap admin's password.
pub const BOOTSTRAP_PASSWORD_VAR: &str = "AUTHD_BOOTSTRAP_ADMIN_PASSWORD";

/// Which origins may read responses in a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin (`Access-Control-Allow-Origin: *`).
    Any,
    /// Exactly these origins (lowercase `scheme://host[:port]`); may be empty.
    List(Vec<String>),
}

/// Where the HS256 secret comes from.
#[derive(Clone, Default)]
pub enum JwtSecret {
    /// Not configured: generated in the data directory (embedded mode only).
    #[default]
    Unset,
    /// These bytes (from `AUTHD_JWT_SECRET`/`JWT_SECRET`, or set directly).
    Value(Zeroizing<Vec<u8>>),
    /// The content of this file, trailing newline removed.
    File(PathBuf),
}

impl std::fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JwtSecret::Unset => f.write_str("Unset"),
            JwtSecret::Value(_) => f.write_str("Value(<redacted>)"),
            JwtSecret::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

/// An admin to create at start-up unless the username exists.
#[derive(Clone)]
pub struct BootstrapAdmin {
    /// Username.
    pub username: String,
    /// Email.
    pub email: String,
    /// Plaintext password (from `AUTHD_BOOTSTRAP_ADMIN_PASSWORD`).
    pub password: Zeroizing<String>,
}

impl std::fmt::Debug for BootstrapAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BootstrapAdmin")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Everything the server needs, validated. [`Config::default`] gives the documented defaults
/// (handy for tests, which then override fields). Its `Debug` output hides the password of
/// `database_url` (see [`redact_url`]).
#[derive(Clone)]
pub struct Config {
    /// Address to listen on (used by `main`; [`crate::serve`] takes a bound listener).
    pub listen: SocketAddr,
    /// `mysql://…`, or `None` for embedded SQLite.
    pub database_url: Option<String>,
    /// Data directory (SQLite file, generated JWT secret).
    pub data_dir: PathBuf,
    /// Maximum MySQL connections.
    pub db_pool_size: usize,
    /// Allowed CORS origins.
    pub cors_origins: CorsOrigins,
    /// Source of the HS256 secret.
    pub jwt_secret: JwtSecret,
    /// Production mode: a configured secret of at least 32 bytes is mandatory and
    /// `insecure_secret` is refused.
    pub production: bool,
    /// Opt-in to start with a short or published JWT secret (`--insecure-secret`), with a loud
    /// warning; without it such a secret is refused.
    pub insecure_secret: bool,
    /// Access token lifetime in seconds.
    pub token_ttl_seconds: i64,
    /// bcrypt cost of new hashes.
    pub bcrypt_cost: u32,
    /// Role cache entry lifetime (zero disables the cache).
    pub role_cache_ttl: Duration,
    /// Role cache capacity in users.
    pub role_cache_capacity: usize,
    /// Rate limits, signin slow-down and trusted proxies (`AUTHD_RATE_LIMIT_*` and friends).
    pub limits: crate::config::limits::LimitsConfig,
    /// `seed` (default) or `strict` answers (`AUTHD_PROFILE`).
    pub profile: ProfileKind,
    /// Upper bound of one store call.
    pub store_timeout: Duration,
    /// Refresh tokens (`AUTHD_REFRESH_*`).
    pub refresh: crate::config::refresh::RefreshConfig,
    /// Upper bound of one request.
    pub request_timeout: Duration,
    /// Time allowed for reading request headers.
    pub header_read_timeout: Duration,
    /// Time allowed for draining in-flight requests at shutdown.
    pub shutdown_timeout: Duration,
    /// Admin created at start-up when absent.
    pub bootstrap_admin: Option<BootstrapAdmin>,
    /// Algorithm of issued access tokens (`AUTHD_JWT_ALG`; see [`crate::app::token_keys`]).
    pub jwt_alg: authcore::tokens::Algorithm,
    /// How often the signing keys are re-read from the store (`AUTHD_KEY_RELOAD_SECONDS`).
    pub key_reload_interval: Duration,
    /// Nice value of the bcrypt threads (`AUTHD_BCRYPT_NICE`, 0..=19).
    pub bcrypt_nice: i32,
    /// Longest expected wait for a bcrypt thread before 503 (`AUTHD_BCRYPT_MAX_WAIT_MS`; the
    /// request timeout bounds it too).
    pub bcrypt_max_wait: Duration,
    /// Most client connections open at once (`AUTHD_MAX_CONNECTIONS`).
    pub max_connections: usize,
    /// Password reset by email (`AUTHD_SMTP_*`, `AUTHD_RESET_*`); `None`: disabled.
    pub reset_mail: Option<mail::ResetMailConfig>,
    /// Email verification at signup (`AUTHD_EMAIL_VERIFICATION`); needs `reset_mail`.
    pub email_verification: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            data_dir: PathBuf::from("./data"),
            db_pool_size: 10,
            cors_origins: CorsOrigins::List(vec!["http://localhost:8081".to_owned()]),
            jwt_secret: JwtSecret::Unset,
            production: false,
            insecure_secret: false,
            token_ttl_seconds: 86_400,
            bcrypt_cost: authcore::passwords::DEFAULT_COST,
            role_cache_ttl: Duration::from_millis(1000),
            role_cache_capacity: 100_000,
            limits: crate::config::limits::LimitsConfig::default(),
            profile: ProfileKind::Seed,
            store_timeout: Duration::from_millis(1000),
            refresh: crate::config::refresh::RefreshConfig::default(),
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(30),
            bootstrap_admin: None,
            jwt_alg: authcore::tokens::Algorithm::HS256,
            key_reload_interval: Duration::from_secs(30),
            bcrypt_nice: DEFAULT_BCRYPT_NICE,
            bcrypt_max_wait: Duration::from_millis(3000),
            max_connections: 10_000,
            reset_mail: None,
            email_verification: false,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Destructured so that a new field cannot be forgotten here.
        let Config {
            listen,
            database_url,
            data_dir,
            db_pool_size,
            cors_origins,
            jwt_secret,
            production,
            insecure_secret,
            token_ttl_seconds,
            bcrypt_cost,
            role_cache_ttl,
            role_cache_capacity,
            limits,
            profile,
            store_timeout,
            refresh,
            request_timeout,
            header_read_timeout,
            shutdown_timeout,
            bootstrap_admin,
            jwt_alg,
            key_reload_interval,
            bcrypt_nice,
            bcrypt_max_wait,
            max_connections,
            reset_mail,
            email_verification,
        } = self;
        f.debug_struct("Config")
            .field("listen", listen)
            .field("database_url", &database_url.as_deref().map(redact_url))
            .field("data_dir", data_dir)
            .field("db_pool_size", db_pool_size)
            .field("cors_origins", cors_origins)
            .field("jwt_secret", jwt_secret)
            .field("production", production)
            .field("insecure_secret", insecure_secret)
            .field("token_ttl_seconds", token_ttl_seconds)
            .field("bcrypt_cost", bcrypt_cost)
            .field("role_cache_ttl", role_cache_ttl)
            .field("role_cache_capacity", role_cache_capacity)
            .field("limits", limits)
            .field("profile", profile)
            .field("store_timeout", store_timeout)
            .field("refresh", refresh)
            .field("request_timeout", request_timeout)
            .field("header_read_timeout", header_read_timeout)
            .field("shutdown_timeout", shutdown_timeout)
            .field("bootstrap_admin", bootstrap_admin)
            .field("reset_mail", reset_mail)
            .field("email_verification", email_verification)
            .field("jwt_alg", jwt_alg)
            .field("key_reload_interval", key_reload_interval)
            .field("bcrypt_nice", bcrypt_nice)
            .field("bcrypt_max_wait", bcrypt_max_wait)
            .field("max_connections", max_connections)
            .finish()
    }
}

/// `url` with the password of its user info replaced by `<redacted>`
/// (`mysql://app:pw@db/x` → `mysql://app:<redacted>@db/x`), for `Debug` and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<redacted>".to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split_once(':').map_or(user_info, |(u, _)| u);
            let password = if user_info.contains(':') {
                ":<redacted>"
            } else {
                ""
            };
            format!("{scheme}://{user}{password}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

/// Which answers the server gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ProfileKind {
    /// The seed tutorial's answers (404 for an unknown user, 403 without a token).
    #[default]
    Seed,
    /// Uniform signin failures and RFC 6750 token challenges.
    Strict,
}

/// Default nice value of the bcrypt threads (see `benches/load/README.md` for the measurement).
pub const DEFAULT_BCRYPT_NICE: i32 = 4;

pub(crate) fn bad(msg: impl Into<String>) -> ConfigError {
    ConfigError(msg.into())
}

/// A non-empty env variable.
/// Env variable of the SMTP password (never a flag).
pub const SMTP_PASSWORD_VAR: &str = "AUTHD_SMTP_PASSWORD";

pub(crate) fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Config {
    /// Checks ranges and combinations (also for configurations built in code).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=1000).contains(&self.db_pool_size) {
            return Err(bad("AUTHD_DB_POOL_SIZE must be between 1 and 1000"));
        }
        PasswordHasher::new(self.bcrypt_cost)
            .map_err(|_| bad("AUTHD_BCRYPT_COST must be between 4 and 31"))?;
        if !(60..=31_536_000).contains(&self.token_ttl_seconds) {
            return Err(bad(
                "AUTHD_TOKEN_TTL_SECONDS must be between 60 and 31536000 (one year)",
            ));
        }
        self.refresh.validate()?;
        if self.role_cache_ttl > Duration::from_secs(60) {
            return Err(bad("AUTHD_ROLE_CACHE_MS must be at most 60000"));
        }
        if self.role_cache_capacity == 0 {
            return Err(bad("AUTHD_ROLE_CACHE_CAPACITY must be at least 1"));
        }
        keys::validate_reload_interval(self.key_reload_interval)?;
        if self.store_timeout < Duration::from_millis(10) {
            return Err(bad("AUTHD_STORE_TIMEOUT_MS must be at least 10"));
        }
        if self.request_timeout < Duration::from_secs(1) {
            return Err(bad("AUTHD_REQUEST_TIMEOUT_SECONDS must be at least 1"));
        }
        if self.header_read_timeout < Duration::from_secs(1) {
            return Err(bad("AUTHD_HEADER_READ_TIMEOUT_SECONDS must be at least 1"));
        }
        if self.email_verification && self.reset_mail.is_none() {
            return Err(bad(
                "AUTHD_EMAIL_VERIFICATION=true needs the SMTP settings (AUTHD_SMTP_HOST and \
                 AUTHD_SMTP_FROM) to mail the verification links",
            ));
        }
        if self.production && self.insecure_secret {
            return Err(bad(
                "--production and --insecure-secret (AUTHD_INSECURE_SECRET) exclude each other: \
                 production mode never signs with a short or published secret",
            ));
        }
        if !(0..=19).contains(&self.bcrypt_nice) {
            return Err(bad("AUTHD_BCRYPT_NICE must be between 0 and 19"));
        }
        if self.max_connections == 0 {
            return Err(bad("AUTHD_MAX_CONNECTIONS must be at least 1"));
        }
        if let Some(url) = &self.database_url
            && !url.starts_with("mysql://")
        {
            return Err(bad(
                "DATABASE_URL must start with mysql:// (unset it for the embedded SQLite store)",
            ));
        }
        Ok(())
    }
}

/// Validated store settings, shared by the server and `authd user create`.
#[derive(Clone)]
pub struct StoreSettings {
    /// `mysql://…` or `None`.
    pub database_url: Option<String>,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Pool size.
    pub db_pool_size: usize,
    /// bcrypt cost.
    pub bcrypt_cost: u32,
}

impl std::fmt::Debug for StoreSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreSettings")
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("data_dir", &self.data_dir)
            .field("db_pool_size", &self.db_pool_size)
            .field("bcrypt_cost", &self.bcrypt_cost)
            .finish()
    }
}

/// `*` alone means any origin; otherwise each entry must be `http(s)://host[:port]`.
pub(crate) fn parse_origins(raw: &[String]) -> Result<CorsOrigins, ConfigError> {
    let entries: Vec<&str> = raw
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if entries == ["*"] {
        return Ok(CorsOrigins::Any);
    }
    let mut origins = Vec::with_capacity(entries.len());
    for entry in entries {
        let origin = entry.trim_end_matches('/').to_ascii_lowercase();
        let rest = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        let valid = rest.is_some_and(|host| {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
        });
        if !valid {
            return Err(bad(format!(
                "AUTHD_CORS_ORIGINS: {entry:?} is not an origin like http://localhost:8081 \
                 (scheme://host[:port], no path; or `*` alone for any origin)"
            )));
        }
        origins.push(origin);
    }
    Ok(CorsOrigins::List(origins))
}

/// All three bootstrap settings, or none.
pub(crate) fn bootstrap_admin(
    username: Option<String>,
    email: Option<String>,
    password: Option<String>,
) -> Result<Option<BootstrapAdmin>, ConfigError> {
    let password = password.map(Zeroizing::new);
    match (
        username.filter(|u| !u.is_empty()),
        email.filter(|e| !e.is_empty()),
        password,
    ) {
        (None, None, None) => Ok(None),
        (Some(username), Some(email), Some(password)) => {
            let body = json!({"username": username, "email": email, "password": password.as_str()});
            validate_signup(&body, &SignupRules::default())
                .map_err(|e| bad(format!("bootstrap admin: {e}")))?;
            Ok(Some(BootstrapAdmin {
                username,
                email,
                password,
            }))
        }
        _ => Err(bad(
            "bootstrap admin: set all of AUTHD_BOOTSTRAP_ADMIN_USERNAME, \
             AUTHD_BOOTSTRAP_ADMIN_EMAIL and AUTHD_BOOTSTRAP_ADMIN_PASSWORD, or none",
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalized_and_star_means_any() {
        let list = parse_origins(&["HTTP://LocalHost:8081/ ".into(), "https://a.example".into()]);
        assert_eq!(
            list.unwrap(),
            CorsOrigins::List(vec![
                "http://localhost:8081".into(),
                "https://a.example".into()
            ])
        );
        assert_eq!(parse_origins(&["*".into()]).unwrap(), CorsOrigins::Any);
        assert_eq!(parse_origins(&[]).unwrap(), CorsOrigins::List(vec![]));
    }

    #[test]
    fn origins_with_paths_or_without_scheme_are_refused() {
        for bad in ["localhost:8081", "http://a/b", "ftp://a", "http://"] {
            assert!(parse_origins(&[bad.into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn bootstrap_needs_all_three_settings() {
        assert!(bootstrap_admin(None, None, None).unwrap().is_none());
        assert!(bootstrap_admin(Some("root".into()), None, None).is_err());
        let admin = bootstrap_admin(
            Some("root".into()),
            Some("root@example.com".into()),
            Some("long enough".into()),
        );
        assert_eq!(admin.unwrap().unwrap().username, "root");
    }

    #[test]
    fn bootstrap_password_is_validated_like_a_signup() {
        let err = bootstrap_admin(
            Some("root".into()),
            Some("root@example.com".into()),
            Some("123".into()),
        );
        assert!(err.unwrap_err().0.contains("Password must be at least 6"));
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let c = Config {
            database_url: Some("mysql://app:hunter2-secret@db.example:3306/auth".into()),
            production: true,
            ..Config::default()
        };
        let debug = format!("{c:?}");
        assert!(!debug.contains("hunter2-secret"), "{debug}");
        assert!(
            debug.contains("mysql://app:<redacted>@db.example:3306/auth"),
            "{debug}"
        );
        assert_eq!(
            redact_url("mysql://root@127.0.0.1/x"),
            "mysql://root@127.0.0.1/x"
        );
        assert_eq!(
            redact_url("mysql://a:b:c@h/x?p=1"),
            "mysql://a:<redacted>@h/x?p=1"
        );
        assert_eq!(redact_url("not a url pw"), "<redacted>");
    }

    #[test]
    fn production_and_insecure_secret_exclude_each_other() {
        let c = Config {
            production: true,
            insecure_secret: true,
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().0.contains("--insecure-secret"));
    }

    #[test]
    fn defaults_are_valid_and_ranges_are_checked() {
        assert!(Config::default().validate().is_ok());
        let c = Config {
            bcrypt_cost: 3,
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().0.contains("AUTHD_BCRYPT_COST"));
        let c = Config {
            database_url: Some("postgres://x".into()),
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().0.contains("mysql://"));
    }
}
