//! `authd`: parses flags and env, then serves HTTP or runs a subcommand.

use std::process::ExitCode;

use authcore_server::cli::keys::{self, KeysCommand};
use authcore_server::cli::user;
use authcore_server::cli::{Cli, Command, UserCommand};
use authcore_server::{Config, telemetry};
use clap::Parser;

/// mimalloc returns freed pages to the OS; with glibc's allocator, RSS stayed ~100 MB after five
/// waves of 5,000 idle connections had closed (see `benches/load/README.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("authd: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        None => {
            let config = match Config::from_args(cli.serve) {
                Ok(config) => config,
                Err(e) => {
                    eprintln!("authd: configuration error: {e}");
                    return ExitCode::from(2);
                }
            };
            match runtime.block_on(authcore_server::run(config)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("authd: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Keys(KeysCommand::Rotate(args))) => {
            match runtime.block_on(keys::rotate_command(args)) {
                Ok(kid) => {
                    println!("{kid}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("authd: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::User(UserCommand::Create(args))) => {
            match runtime.block_on(user::create_user_command(args)) {
                Ok(summary) => {
                    println!("{summary}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("authd: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
