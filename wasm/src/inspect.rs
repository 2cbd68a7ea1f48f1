//! `inspectToken`, `isExpired`, `hasRole`: reading a token without a key.

use authcore::tokens::{Audience, UnverifiedToken, inspect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::clock;
use crate::error::BindingError;
use crate::json::{non_negative_seconds_arg, to_js, whole_number_arg};

#[wasm_bindgen(typescript_custom_section)]
const TS_TOKEN_INFO: &str = r#"
/** What `inspectToken` reads from a token **without verifying it**: never grant access from it. */
export interface TokenInfo {
  /** `alg` exactly as written (it may name an algorithm `Verifier` refuses). */
  alg: string;
  /** `kid`, or null. */
  kid: string | null;
  /** `typ`, or null. */
  typ: string | null;
  /** The `id` claim (the seed's user id), or null. */
  id: number | null;
  /** The user id: `id`, or else a decimal `sub`; null when neither. */
  userId: number | null;
  /** The `roles` claim as written (`["user", "admin"]`), or null when absent. */
  roles: string[] | null;
  /** Issued at, seconds since the epoch, or null. */
  iat: number | null;
  /** Not before, seconds since the epoch, or null. */
  nbf: number | null;
  /** Expiry, seconds since the epoch, or null. */
  exp: number | null;
  /** Issuer, or null. */
  iss: string | null;
  /** Subject, or null. */
  sub: string | null;
  /** Audience(s), or null. */
  aud: string | string[] | null;
  /** Token id, or null. */
  jti: string | null;
  /** Whether `exp` is past (no leeway; see `isExpired` for one); false without `exp`. */
  expired: boolean;
  /** Seconds until `exp` (negative once expired), or null without `exp`. */
  secondsLeft: number | null;
}
"#;

/// The record `inspectToken` returns (see the `TokenInfo` TypeScript interface).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// `alg` as written.
    pub alg: String,
    /// `kid`.
    pub kid: Option<String>,
    /// `typ`.
    pub typ: Option<String>,
    /// `id`.
    pub id: Option<i64>,
    /// `id`, or a numeric `sub`.
    pub user_id: Option<i64>,
    /// `roles` as written.
    pub roles: Option<Vec<String>>,
    /// `iat`.
    pub iat: Option<i64>,
    /// `nbf`.
    pub nbf: Option<i64>,
    /// `exp`.
    pub exp: Option<i64>,
    /// `iss`.
    pub iss: Option<String>,
    /// `sub`.
    pub sub: Option<String>,
    /// `aud`.
    pub aud: Option<Audience>,
    /// `jti`.
    pub jti: Option<String>,
    /// `exp` is past at `now`, without leeway.
    pub expired: bool,
    /// Seconds until `exp` at `now`.
    pub seconds_left: Option<i64>,
}

/// The [`TokenInfo`] of an inspected token at `now` (seconds since the epoch).
pub fn token_info(token: &UnverifiedToken, now: i64) -> TokenInfo {
    let claims = &token.claims;
    TokenInfo {
        alg: token.header.alg.clone(),
        kid: token.header.kid.clone(),
        typ: token.header.typ.clone(),
        id: claims.id,
        user_id: claims.user_id(),
        roles: claims.roles.clone(),
        iat: claims.iat,
        nbf: claims.nbf,
        exp: claims.exp,
        iss: claims.iss.clone(),
        sub: claims.sub.clone(),
        aud: claims.aud.clone(),
        jti: claims.jti.clone(),
        expired: claims.is_expired_at(now, 0),
        seconds_left: claims.seconds_left(now),
    }
}

fn inspected(token: &str) -> Result<UnverifiedToken, BindingError> {
    Ok(inspect(token)?)
}

/// Decodes a token's header and claims **without verifying** its signature or times: for showing
/// who is signed in or deciding when to refresh, never for granting access.
///
/// Throws `AuthcoreError` with code `token_too_large`, `malformed`, `unsupported_header` or
/// `invalid_claims`.
#[wasm_bindgen(js_name = inspectToken, unchecked_return_type = "TokenInfo")]
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
    to_js(&token_info(&t, now))
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
    use super::*;

    // {"alg":"HS256","typ":"JWT"}.{"id":1,"iat":1795701477,"exp":1795787877}.sig
    const SEED: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6MSwiaWF0IjoxNzk1NzAxNDc3LCJleHAiOjE3OTU3ODc4Nzd9.c2ln";

    #[test]
    fn seed_token_info_has_camel_case_fields_and_nulls() {
        let info = token_info(&inspect(SEED).unwrap(), 1_795_787_870);
        assert_eq!(info.user_id, Some(1));
        assert_eq!(info.seconds_left, Some(7));
        assert!(!info.expired);
        assert_eq!(
            serde_json::to_string(&info).unwrap(),
            r#"{"alg":"HS256","kid":null,"typ":"JWT","id":1,"userId":1,"roles":null,"iat":1795701477,"nbf":null,"exp":1795787877,"iss":null,"sub":null,"aud":null,"jti":null,"expired":false,"secondsLeft":7}"#
        );
    }

    #[test]
    fn token_is_expired_from_its_exp_second_on() {
        let t = inspect(SEED).unwrap();
        assert!(!token_info(&t, 1_795_787_876).expired);
        assert!(token_info(&t, 1_795_787_877).expired);
        assert_eq!(token_info(&t, 1_795_787_880).seconds_left, Some(-3));
    }
}
