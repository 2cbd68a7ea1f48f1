//! One module per endpoint family; each handler turns a request into the contract's response.

pub mod content;
pub mod health;
pub mod signin;
pub mod signup;
