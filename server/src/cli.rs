//! Command line and environment of `authd` (clap derive; every option also reads an env variable).
//!
//! Secrets are never taken from argv (they would show in `ps`): the JWT secret, the bootstrap
//! admin's password and the password of `authd user create` come from env variables, a file or
//! standard input only. They are listed in [`SECRETS_HELP`].

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand};

/// Help text for the settings that are read from the environment only.
pub const SECRETS_HELP: &str = "\
Secrets (environment only, never on the command line):
  AUTHD_JWT_SECRET (or JWT_SECRET)   HS256 secret shared by every instance, at least 32 bytes
                                     and not a published one (like the tutorial's
                                     `your-secret-key`): others are refused unless
                                     --insecure-secret is given. Required with DATABASE_URL
                                     unless --jwt-secret-file is given. Embedded mode without a
                                     secret generates one in DATA_DIR/jwt-secret (0600).
  AUTHD_BOOTSTRAP_ADMIN_PASSWORD     password of the bootstrap admin (see --bootstrap-admin-*)
  AUTHD_USER_PASSWORD                password for `authd user create` (else read from stdin)

Logging: RUST_LOG (default `info`). Each request is logged at `debug` (method, route, status,
latency); 5xx answers at `warn`. Passwords, tokens and secrets are never logged.

Containers: set AUTHD_BIND=0.0.0.0 to listen on every interface.";

/// `authd`: the authcore HTTP server.
#[derive(Debug, Parser)]
#[command(name = "authd", version, about, after_help = SECRETS_HELP)]
pub struct Cli {
    /// Server settings (used when no subcommand is given).
    #[command(flatten)]
    pub serve: ServeArgs,
    /// What to do; without a subcommand, authd serves HTTP.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage users directly in the store (e.g. to create the first admin).
    #[command(subcommand)]
    User(UserCommand),
    /// Manage the access-token signing keys (EdDSA/ES256).
    #[command(subcommand)]
    Keys(crate::token_keys::KeysCommand),
}

/// `authd user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user with the given roles; the password comes from AUTHD_USER_PASSWORD or stdin.
    Create(UserCreateArgs),
}

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
    pub limits: crate::limits::LimitArgs,
    /// Answer profile: `seed` (the tutorial's answers) or `strict` (uniform signin failures,
    /// RFC 6750 token challenges).
    #[arg(long, env = "AUTHD_PROFILE", value_enum, default_value_t = crate::profile::ProfileKind::Seed)]
    pub profile: crate::profile::ProfileKind,
    /// Upper bound of one store call, in ms; past it the request gets 503.
    #[arg(long, env = "AUTHD_STORE_TIMEOUT_MS", default_value_t = 1000)]
    pub store_timeout_ms: u64,
    /// Refresh tokens.
    #[command(flatten)]
    pub refresh: crate::refresh_config::RefreshArgs,
    /// Upper bound of a whole request (body, store, bcrypt), in seconds.
    #[arg(long, env = "AUTHD_REQUEST_TIMEOUT_SECONDS", default_value_t = 30)]
    pub request_timeout_seconds: u64,
    /// Time a client gets to send the request headers, in seconds.
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
    #[arg(long, env = "AUTHD_BCRYPT_NICE", default_value_t = crate::password_pool::DEFAULT_NICE)]
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

/// `authd user create`.
#[derive(Debug, Clone, Args)]
pub struct UserCreateArgs {
    /// Username of the new user.
    #[arg(long)]
    pub username: String,
    /// Email of the new user.
    #[arg(long)]
    pub email: String,
    /// Role to grant (`user`, `moderator`, `admin`); repeat for several. Default: user.
    #[arg(long = "role")]
    pub roles: Vec<String>,
    /// Storage.
    #[command(flatten)]
    pub store: StoreArgs,
}
