//! `inspectToken`, `isExpired`, `hasRole`: reading a token without a key.

use authcore::tokens::{Inspection, UnverifiedToken, inspect};
use wasm_bindgen::prelude::*;

use crate::clock;
use crate::error::BindingError;
use crate::json::{non_negative_seconds_arg, whole_number_arg};

fn inspected(token: &str) -> Result<UnverifiedToken, BindingError> {
    Ok(inspect(token)?)
}

/// Decodes a token's header and claims **without verifying** its signature or times: for showing
/// who is signed in or deciding when to refresh, never for granting access.
///
/// Throws `AuthcoreError` with code `token_too_large`, `malformed`, `unsupported_header` or
/// `invalid_claims`.
#[wasm_bindgen(js_name = inspectToken, unchecked_return_type = "Inspection")]
pub fn inspect_token(
    token: &str,
    #[wasm_bindgen(
        js_name = nowSeconds,
        unchecked_optional_param_type = "number",
        param_description = "the time to judge `expired`/`secondsLeft` at; defaults to `Date.now()`"
    )]
    now_seconds: Option<f64>,
) -> Result<JsValue, BindingError> {
    let t = inspected(token)?;
    let now = whole_number_arg(now_seconds, "nowSeconds")?.unwrap_or_else(clock::now);
    let inspection = Inspection::at(t, now);
    // The same object either way: `to_json` writes serde_json's text (checked in the core).
    #[cfg(feature = "small-json")]
    return crate::json::json_to_js(&inspection.to_json());
    #[cfg(not(feature = "small-json"))]
    return crate::json::to_js(&inspection);
}

/// Whether the token's `exp` is past, allowing `leewaySeconds` (default 0). False when the token
/// has no `exp`. Reads the token **without verifying** it.
///
/// Throws `AuthcoreError` like `inspectToken`, or `invalid_argument` for a negative leeway.
#[wasm_bindgen(js_name = isExpired)]
pub fn is_expired(
    token: &str,
    #[wasm_bindgen(js_name = leewaySeconds, unchecked_optional_param_type = "number")]
    leeway_seconds: Option<f64>,
    #[wasm_bindgen(js_name = nowSeconds, unchecked_optional_param_type = "number")]
    now_seconds: Option<f64>,
) -> Result<bool, BindingError> {
    let t = inspected(token)?;
    let leeway = non_negative_seconds_arg(leeway_seconds, "leewaySeconds")?.unwrap_or(0);
    let now = whole_number_arg(now_seconds, "nowSeconds")?.unwrap_or_else(clock::now);
    Ok(t.claims.is_expired_at(now, leeway))
}

/// Whether the token's `roles` claim names `role` exactly (`"admin"`). Reads the token **without
/// verifying** it: use it to shape a UI, and let the server decide access.
///
/// Throws `AuthcoreError` like `inspectToken`.
#[wasm_bindgen(js_name = hasRole)]
pub fn has_role(token: &str, role: &str) -> Result<bool, BindingError> {
    Ok(inspected(token)?.claims.has_role(role))
}

#[cfg(test)]
mod tests {
    use authcore::tokens::{Inspection, VerifiedClaims, VerifyOptions};
    use tsify::Tsify;

    /// The member names of a generated TypeScript interface, in order.
    fn members(decl: &str) -> Vec<String> {
        decl.lines()
            .filter_map(|line| line.trim().split_once(':'))
            .filter(|(name, _)| !name.starts_with('*') && !name.starts_with('/'))
            .map(|(name, _)| name.trim_end_matches('?').to_owned())
            .collect()
    }

    #[test]
    fn the_typescript_interfaces_name_what_the_records_serialize() {
        let inspection = serde_json::to_value(Inspection::at(
            authcore::tokens::inspect("eyJhbGciOiJ4In0.e30.").unwrap(),
            0,
        ))
        .unwrap();
        let names: Vec<String> = inspection.as_object().unwrap().keys().cloned().collect();
        let mut declared = members(Inspection::DECL);
        declared.sort();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(declared, sorted, "{}", Inspection::DECL);
        assert!(Inspection::DECL.contains("secondsLeft: number | null;"));
        assert!(!Inspection::DECL.contains(": any"));
        assert!(VerifiedClaims::DECL.contains("aud: string[] | null;"));
        assert!(VerifyOptions::DECL.contains("leewaySeconds?: number;"));
    }
}
