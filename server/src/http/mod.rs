//! HTTP: routing, bodies, tokens, CORS and the contract's responses.

pub mod auth;
pub mod body;
pub mod cors;
pub mod responses;
pub mod router;
