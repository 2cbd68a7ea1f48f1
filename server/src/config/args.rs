//! The flags and env variables of `authd`'s server and store (clap derive), which
//! [`crate::config::Config::from_args`] turns into the plain `Config`.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use authcore::passwords::PasswordHasher;
use zeroize::Zeroizing;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args};

use super::{
    BOOTSTRAP_PASSWORD_VAR, Config, ConfigError, JWT_SECRET_VARS, JwtSecret, SMTP_PASSWORD_VAR,
    StoreSettings, bad, bootstrap_admin, env_value, keys, mail, parse_origins,
};

/// Where users are stored.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// MySQL/MariaDB URL (`mysql://user:pass@host:3306/db`). Unset: embedded SQLite in --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Directory of the embedded database and of the generated JWT secret.
    #[arg(long, env = "AUTHD_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Maximum number of MySQL connections.
    #[arg(long, env = "AUTHD_DB_POOL_SIZE", default_value_t = 10)]
    pub db_pool_size: usize,
    /// bcrypt cost of new password hashes (4..=31; existing cost-8 `$2a$` hashes still verify).
    #[arg(long, env = "AUTHD_BCRYPT_COST", default_value_t = authcore::passwords::DEFAULT_COST)]
    pub bcrypt_cost: u32,
}

/// Settings of the HTTP server.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// TCP port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; use 0.0.0.0 in containers.
    #[arg(long, env = "AUTHD_BIND", default_value = "127.0.0.1")]
    pub bind: String,
    /// Storage.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Allowed CORS origins, comma-separated (`*` allows any origin).
    #[arg(
        long,
        env = "AUTHD_CORS_ORIGINS",
        default_value = "http://localhost:8081",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// File holding the HS256 secret (its bytes, trailing newline removed).
    #[arg(long, env = "AUTHD_JWT_SECRET_FILE")]
    pub jwt_secret_file: Option<PathBuf>,
    /// Refuse to start without a configured JWT secret (a generated one is refused too);
    /// excludes --insecure-secret.
    #[arg(long, env = "AUTHD_PRODUCTION", action = ArgAction::SetTrue,
          value_parser = BoolishValueParser::new())]
    pub production: bool,
    /// Start even with a short (< 32 bytes) or published JWT secret, logging a warning: anyone
    /// who knows it can forge any user's token. For migrations from the seed only.
    #[arg(long, env = "AUTHD_INSECURE_SECRET", action = ArgAction::SetTrue,
          value_parser = BoolishValueParser::new())]
    pub insecure_secret: bool,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, env = "AUTHD_TOKEN_TTL_SECONDS", default_value_t = 86_400)]
    pub token_ttl_seconds: i64,
    /// How long a user's roles are cached, in ms (0 disables the cache). Role changes and
    /// deletions take effect within this bound.
    #[arg(long, env = "AUTHD_ROLE_CACHE_MS", default_value_t = 1000)]
    pub role_cache_ms: u64,
    /// Most users whose roles are cached at once.
    #[arg(long, env = "AUTHD_ROLE_CACHE_CAPACITY", default_value_t = 100_000)]
    pub role_cache_capacity: usize,
    /// Abuse limits (rates per minute, signin slow-down, trusted proxies).
    #[command(flatten)]
    pub limits: crate::config::limits::LimitArgs,
    /// Answer profile: `seed` (the tutorial's answers) or `strict` (uniform signin failures,
    /// RFC 6750 token challenges).
    #[arg(long, env = "AUTHD_PROFILE", value_enum, default_value_t = super::ProfileKind::Seed)]
    pub profile: super::ProfileKind,
    /// Upper bound of one store call, in ms; past it the request gets 503.
    #[arg(long, env = "AUTHD_STORE_TIMEOUT_MS", default_value_t = 1000)]
    pub store_timeout_ms: u64,
    /// Refresh tokens.
    #[command(flatten)]
    pub refresh: crate::config::refresh::RefreshArgs,
    /// Upper bound of a whole request (body, store, bcrypt), in seconds.
    #[arg(long, env = "AUTHD_REQUEST_TIMEOUT_SECONDS", default_value_t = 30)]
    pub request_timeout_seconds: u64,
    /// Time a client gets to send a request head (on a new connection or after an answer), in
    /// seconds; the connection is closed between 1× and 1.5× it.
    #[arg(long, env = "AUTHD_HEADER_READ_TIMEOUT_SECONDS", default_value_t = 10)]
    pub header_read_timeout_seconds: u64,
    /// Time in-flight requests get to finish after SIGINT/SIGTERM, in seconds.
    #[arg(long, env = "AUTHD_SHUTDOWN_TIMEOUT_SECONDS", default_value_t = 30)]
    pub shutdown_timeout_seconds: u64,
    /// Username of an admin created at start-up if absent (with _EMAIL and the _PASSWORD env).
    #[arg(long, env = "AUTHD_BOOTSTRAP_ADMIN_USERNAME")]
    pub bootstrap_admin_username: Option<String>,
    /// Email of the bootstrap admin.
    #[arg(long, env = "AUTHD_BOOTSTRAP_ADMIN_EMAIL")]
    pub bootstrap_admin_email: Option<String>,
    /// Algorithm of issued access tokens: HS256 (shared secret), EdDSA or ES256 (keys in the
    /// store, published at /.well-known/jwks.json).
    #[arg(long, env = "AUTHD_JWT_ALG", default_value = "HS256")]
    pub jwt_alg: String,
    /// How often the signing keys are re-read from the store, in seconds (EdDSA/ES256).
    #[arg(long, env = "AUTHD_KEY_RELOAD_SECONDS", default_value_t = 30)]
    pub key_reload_seconds: u64,
    /// Nice value of the bcrypt threads (0..=19, Linux): higher yields the cores to request
    /// handling sooner, but starves signins when other processes keep the cores busy.
    #[arg(long, env = "AUTHD_BCRYPT_NICE", default_value_t = super::DEFAULT_BCRYPT_NICE)]
    pub bcrypt_nice: i32,
    /// Longest expected wait for a bcrypt thread, in ms; past it signin and signup answer 503
    /// with `Retry-After` at once instead of queueing.
    #[arg(long, env = "AUTHD_BCRYPT_MAX_WAIT_MS", default_value_t = 3000)]
    pub bcrypt_max_wait_ms: u64,
    /// Most client connections open at once; past it new connections get 503 and are closed.
    #[arg(long, env = "AUTHD_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,
    /// SMTP host for password reset mail; unset: reset by email is disabled (501).
    #[arg(long, env = "AUTHD_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port (default 587, or 465 with `--smtp-tls tls`).
    #[arg(long, env = "AUTHD_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// SMTP user (the password comes from the AUTHD_SMTP_PASSWORD env only).
    #[arg(long, env = "AUTHD_SMTP_USER")]
    pub smtp_user: Option<String>,
    /// SMTP connection security: starttls, tls, or none (loopback hosts only).
    #[arg(long, env = "AUTHD_SMTP_TLS", default_value = "starttls")]
    pub smtp_tls: String,
    /// `From:` address of reset mail.
    #[arg(long, env = "AUTHD_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// The reset link sent by mail; `{token}` is replaced by the token.
    #[arg(
        long,
        env = "AUTHD_RESET_LINK_TEMPLATE",
        default_value = "http://localhost:8081/reset-password?token={token}"
    )]
    pub reset_link_template: String,
    /// Lifetime of a password reset token, in seconds (60..=86400).
    #[arg(long, env = "AUTHD_RESET_TOKEN_TTL_SECONDS", default_value_t = 900)]
    pub reset_token_ttl_seconds: u64,
    /// Email verification: signup mails a one-time link and signin answers 403 until it is
    /// followed (needs the SMTP settings). Off: every account counts as verified.
    #[arg(long, env = "AUTHD_EMAIL_VERIFICATION", action = ArgAction::SetTrue,
          value_parser = BoolishValueParser::new())]
    pub email_verification: bool,
    /// The email verification link sent by mail; `{token}` is replaced by the token.
    #[arg(
        long,
        env = "AUTHD_VERIFY_LINK_TEMPLATE",
        default_value = "http://localhost:8081/verify-email?token={token}"
    )]
    pub verify_link_template: String,
}

impl Config {
    /// Builds and validates the configuration from parsed flags plus the secret env variables.
    pub fn from_args(args: ServeArgs) -> Result<Config, ConfigError> {
        let ip: IpAddr = args.bind.trim().parse().map_err(|_| {
            bad(format!(
                "AUTHD_BIND/--bind: {:?} is not an IP address (use 127.0.0.1, or 0.0.0.0 in containers)",
                args.bind
            ))
        })?;
        let store = check_store(args.store)?;
        let jwt_secret = match (
            &args.jwt_secret_file,
            JWT_SECRET_VARS.iter().find_map(|v| env_value(v)),
        ) {
            (Some(_), Some(_)) => {
                return Err(bad(
                    "both AUTHD_JWT_SECRET/JWT_SECRET and --jwt-secret-file are set; keep one",
                ));
            }
            (Some(path), None) => JwtSecret::File(path.clone()),
            (None, Some(value)) => JwtSecret::Value(Zeroizing::new(value.into_bytes())),
            (None, None) => JwtSecret::Unset,
        };
        let config = Config {
            listen: SocketAddr::new(ip, args.port),
            database_url: store.database_url,
            data_dir: store.data_dir,
            db_pool_size: store.db_pool_size,
            cors_origins: parse_origins(&args.cors_origins)?,
            jwt_secret,
            production: args.production,
            insecure_secret: args.insecure_secret,
            token_ttl_seconds: args.token_ttl_seconds,
            bcrypt_cost: store.bcrypt_cost,
            role_cache_ttl: Duration::from_millis(args.role_cache_ms),
            role_cache_capacity: args.role_cache_capacity,
            limits: crate::config::limits::LimitsConfig::from_args(&args.limits)?,
            profile: args.profile,
            store_timeout: Duration::from_millis(args.store_timeout_ms),
            refresh: crate::config::refresh::RefreshConfig::from_args(&args.refresh),
            request_timeout: Duration::from_secs(args.request_timeout_seconds),
            header_read_timeout: Duration::from_secs(args.header_read_timeout_seconds),
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout_seconds),
            bootstrap_admin: bootstrap_admin(
                args.bootstrap_admin_username,
                args.bootstrap_admin_email,
                env_value(BOOTSTRAP_PASSWORD_VAR),
            )?,
            jwt_alg: keys::parse_alg(&args.jwt_alg)?,
            key_reload_interval: Duration::from_secs(args.key_reload_seconds),
            bcrypt_nice: args.bcrypt_nice,
            bcrypt_max_wait: Duration::from_millis(args.bcrypt_max_wait_ms),
            max_connections: args.max_connections,
            reset_mail: mail::ResetMailConfig::from_parts(
                args.smtp_host,
                args.smtp_port,
                args.smtp_user,
                env_value(SMTP_PASSWORD_VAR),
                &args.smtp_tls,
                args.smtp_from,
                args.reset_link_template,
                args.reset_token_ttl_seconds,
                args.verify_link_template,
            )?,
            email_verification: args.email_verification,
        };
        config.validate()?;
        Ok(config)
    }
}

/// Validates the store flags.
pub fn check_store(args: StoreArgs) -> Result<StoreSettings, ConfigError> {
    let database_url = args.database_url.filter(|u| !u.trim().is_empty());
    if args.data_dir.as_os_str().is_empty() {
        return Err(bad("AUTHD_DATA_DIR must not be empty"));
    }
    PasswordHasher::new(args.bcrypt_cost)
        .map_err(|_| bad("AUTHD_BCRYPT_COST must be between 4 and 31"))?;
    Ok(StoreSettings {
        database_url,
        data_dir: args.data_dir,
        db_pool_size: args.db_pool_size,
        bcrypt_cost: args.bcrypt_cost,
    })
}
