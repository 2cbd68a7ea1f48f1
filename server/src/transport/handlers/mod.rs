//! One module per endpoint family: each handler reads the request (headers, body, path, query),
//! calls the application service and writes the contract's answer; refusals go back as a
//! [`Rejection`](crate::transport::responses::Rejection) the router answers.

pub mod account;
pub mod admin;
pub mod content;
pub mod jwks;
pub mod refresh;
pub mod reset;
pub mod signin;
pub mod signup;
pub mod verify;

use serde_json::Value;

/// The string member `name` of a JSON body, if it is one.
fn string_field(value: &Value, name: &str) -> Option<String> {
    match value.get(name) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}
