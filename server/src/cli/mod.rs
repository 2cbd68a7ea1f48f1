//! Command line and environment of `authd` (clap derive; every option also reads an env variable).
//!
//! Secrets are never taken from argv (they would show in `ps`): the JWT secret, the bootstrap
//! admin's password and the password of `authd user create` come from env variables, a file or
//! standard input only. They are listed in [`SECRETS_HELP`].

pub mod keys;
pub mod user;

pub use crate::config::args::{ServeArgs, StoreArgs};

use clap::{Parser, Subcommand};

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
    Keys(self::keys::KeysCommand),
}

/// `authd user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user with the given roles; the password comes from AUTHD_USER_PASSWORD or stdin.
    Create(user::UserCreateArgs),
}
