#![doc = include_str!("../README.md")]
//!
//! In-process use: [`start`] a server on a bound listener (tests use port 0) and
//! [`RunningServer::shutdown`] it, or [`serve`] until a future resolves; the `authd` binary wraps
//! [`run`].

pub mod bootstrap;
pub mod cli;
pub mod config;
pub mod database;
pub mod handlers;
pub mod http;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod password_pool;
pub mod private_files;
pub mod profile;
pub mod refresh_config;
pub mod reset_mail;
pub mod role_cache;
pub mod secret;
pub mod server;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod token_keys;

pub use config::Config;
pub use server::{RunningServer, ServeError, run, serve, shutdown_signal, start};
