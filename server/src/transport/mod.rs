//! HTTP: routing, bodies, tokens, CORS and the contract's responses.

pub mod body;
pub mod client_ip;
pub mod cors;
pub mod handlers;
pub mod head_timeout;
pub mod openapi;
pub mod responses;
pub mod router;
pub mod service;
pub mod token;
