#![doc = include_str!("../README.md")]
//!
//! In-process use: [`start`] a server on a bound listener (tests use port 0) and
//! [`RunningServer::shutdown`] it, or [`serve`] until a future resolves; the `authd` binary wraps
//! [`run`].

pub mod app;
pub mod cli;
pub mod config;
pub mod metrics;
pub mod private_files;
pub mod secret;
pub mod server;
pub mod store;
pub mod telemetry;
pub mod transport;

pub use config::Config;
pub use server::{RunningServer, ServeError, run, serve, shutdown_signal, start};
