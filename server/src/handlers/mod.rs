//! One module per endpoint family; each handler turns a request into the contract's response.

pub mod account;
pub mod admin;
pub mod content;
pub mod health;
pub mod jwks;
pub mod refresh;
pub mod reset;
pub mod signin;
pub mod signup;
mod signup_replay;
pub mod verify;
