//! `Verifier`: signature, algorithm, times, issuer and audience, all decided by the core.

use std::sync::Arc;

use authcore::tokens::{Key, KeySet, VerifiedClaims, VerifyOptions};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::args::{whole_number_arg, whole_seconds};
use crate::clock::JsClock;
use crate::error::BindingError;
use crate::json::{
    bool_member, json_text, member, only_members, options_object, string_arg, string_member,
};

/// The verified claims as a plain JS object.
fn claims_js(claims: VerifiedClaims) -> Result<JsValue, BindingError> {
    // The same object either way: `to_json` writes serde_json's text (checked in the core).
    #[cfg(feature = "small-json")]
    return crate::json::json_to_js(&claims.to_json());
    #[cfg(not(feature = "small-json"))]
    return crate::json::to_js(&claims);
}

#[wasm_bindgen(typescript_custom_section)]
const TS_VERIFIER: &str = r#"
/** A JSON Web Key Set (RFC 7517). Ed25519 (`OKP`) and P-256 (`EC`) keys are used; others are skipped. */
export interface JsonWebKeySet {
  keys: Array<{ kty: string; kid?: string; alg?: string; use?: string; crv?: string; x?: string; y?: string; [member: string]: unknown }>;
}

/**
 * One entry of `Verifier.fromKeys`: an HS256 secret (at least 32 bytes unless `legacy`), with an
 * optional key id, or a JWKS document (public keys; private members are ignored).
 */
export type VerifierKey =
  | { hs256Secret: string | Uint8Array; kid?: string; legacy?: boolean }
  | { jwks: string | JsonWebKeySet };
"#;

/// The members a `VerifyOptions` object may have: the core record's, camelCased.
const OPTION_MEMBERS: [&str; 4] = ["leewaySeconds", "requireExp", "issuer", "audience"];

/// The core's `VerifyOptions` from a JS options object (`undefined` or `null`: all defaults), read
/// member by member over the core's defaults. Unknown members are refused so that a misspelt
/// `audience` cannot silently switch a check off.
fn verify_options(options: &JsValue) -> Result<VerifyOptions, BindingError> {
    let mut core = VerifyOptions::default();
    let Some(options) = options_object(options, "options", &OPTION_MEMBERS)? else {
        return Ok(core);
    };
    if let Some(value) = member(options, "leewaySeconds")? {
        core.leeway_seconds = value
            .as_f64()
            .ok_or_else(|| "leewaySeconds must be a number".to_owned())
            .and_then(|n| whole_seconds(n, "leewaySeconds"))
            .map_err(BindingError::invalid)?;
    }
    if let Some(require_exp) = bool_member(options, "requireExp")? {
        core.require_exp = require_exp;
    }
    core.issuer = string_member(options, "issuer")?;
    core.audience = string_member(options, "audience")?;
    Ok(core)
}

fn secret_bytes(secret: &JsValue) -> Result<Zeroizing<Vec<u8>>, BindingError> {
    if let Some(text) = secret.as_string() {
        return Ok(Zeroizing::new(text.into_bytes()));
    }
    if let Some(bytes) = secret.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(Zeroizing::new(bytes.to_vec()));
    }
    Err(BindingError::invalid(
        "secret must be a string or a Uint8Array",
    ))
}

/// One `VerifierKey` entry, added to `set`.
fn add_key(set: &mut KeySet, entry: &JsValue) -> Result<(), BindingError> {
    if !entry.is_object() {
        return Err(BindingError::invalid("each key must be an object"));
    }
    let jwks = Reflect::get(entry, &JsValue::from_str("jwks"))?;
    let allowed: &[&str] = if jwks.is_undefined() {
        &["hs256Secret", "kid", "legacy"]
    } else {
        &["jwks"]
    };
    if !only_members(entry, allowed) {
        return Err(BindingError::invalid(
            "a key is {hs256Secret, kid?, legacy?} or {jwks}",
        ));
    }
    if !jwks.is_undefined() {
        let keys = KeySet::from_jwks_json(&json_text(&jwks, "jwks")?)?;
        // Moved, not cloned: no `Key` clone code in the module.
        for key in keys.into_keys() {
            set.add_verification_key(key)?;
        }
        return Ok(());
    }
    let member = |name: &str| Reflect::get(entry, &JsValue::from_str(name));
    let secret = secret_bytes(&member("hs256Secret")?)?;
    let legacy = member("legacy")?;
    let key = match legacy.as_bool() {
        Some(true) => Key::hs256_legacy(&secret),
        Some(false) => Key::hs256(&secret),
        None if legacy.is_undefined() => Key::hs256(&secret),
        None => return Err(BindingError::invalid("legacy must be a boolean")),
    }?;
    let kid = member("kid")?;
    let key = match kid.as_string() {
        Some(kid) => key.with_kid(kid),
        None if kid.is_undefined() => key,
        None => return Err(BindingError::invalid("kid must be a string")),
    };
    Ok(set.add_verification_key(key)?)
}

/// Verifies tokens against trusted keys: a JWKS (EdDSA, ES256), a shared HS256 secret, or both.
#[wasm_bindgen]
pub struct Verifier {
    inner: authcore::tokens::Verifier,
}

impl Verifier {
    fn over(keys: KeySet, options: &JsValue) -> Result<Verifier, BindingError> {
        let options = verify_options(options)?;
        Ok(Verifier {
            inner: authcore::tokens::Verifier::new(keys, options, Arc::new(JsClock)),
        })
    }
}

#[wasm_bindgen]
impl Verifier {
    /// A verifier trusting the public keys of a JWKS document (`{"keys": [...]}`), given as JSON
    /// text or as an object. Ed25519 and P-256 keys are used; other key types are skipped.
    ///
    /// Throws `AuthcoreError` with code `invalid_jwks`, `invalid_key`, `unsupported_key` (an `oct`
    /// key: a published secret is no secret), `duplicate_key_id`, or `invalid_argument`.
    #[wasm_bindgen(js_name = fromJwks)]
    pub fn from_jwks(
        #[wasm_bindgen(unchecked_param_type = "string | JsonWebKeySet")] jwks: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: JsValue,
    ) -> Result<Verifier, BindingError> {
        let text = json_text(&jwks, "jwks")?;
        let keys = KeySet::from_jwks_json(&text)?;
        Verifier::over(keys, &options)
    }

    /// A verifier sharing an HS256 secret (a string, as UTF-8, or bytes) of at least 32 bytes,
    /// for Node services that share authd's secret.
    ///
    /// Throws `AuthcoreError` with code `weak_secret` for a shorter secret, or `invalid_argument`.
    #[wasm_bindgen(js_name = fromHs256Secret)]
    pub fn from_hs256_secret(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] secret: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: JsValue,
    ) -> Result<Verifier, BindingError> {
        let key = Key::hs256(&secret_bytes(&secret)?)?;
        Verifier::over(KeySet::single(key), &options)
    }

    /// Like `fromHs256Secret`, accepting any non-empty secret, for existing deployments whose
    /// secret is shorter than 32 bytes (the seed's `your-secret-key`). Prefer `fromHs256Secret`.
    #[wasm_bindgen(js_name = fromLegacyHs256Secret)]
    pub fn from_legacy_hs256_secret(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] secret: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: JsValue,
    ) -> Result<Verifier, BindingError> {
        let key = Key::hs256_legacy(&secret_bytes(&secret)?)?;
        Verifier::over(KeySet::single(key), &options)
    }

    /// A verifier trusting several keys at once, in order: during a move from a shared HS256
    /// secret to EdDSA, `[{hs256Secret, kid: "hs-1"}, {jwks}]` accepts tokens of both.
    ///
    /// Throws `AuthcoreError` like `fromJwks` and `fromHs256Secret`, `duplicate_key_id` for a `kid`
    /// seen twice, or `invalid_argument` for an entry that is not a `VerifierKey`.
    #[wasm_bindgen(js_name = fromKeys)]
    pub fn from_keys(
        #[wasm_bindgen(unchecked_param_type = "VerifierKey[]")] keys: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: JsValue,
    ) -> Result<Verifier, BindingError> {
        if !Array::is_array(&keys) {
            return Err(BindingError::invalid("keys must be an array"));
        }
        let mut set = KeySet::new();
        for entry in Array::from(&keys).iter() {
            add_key(&mut set, &entry)?;
        }
        Verifier::over(set, &options)
    }

    /// Verifies `token` now (`Date.now()`) and returns its claims.
    ///
    /// Checks, in order: size and structure, header, algorithm and key, signature, claim types,
    /// `exp`, `nbf`, `iss`, `aud`. Throws `AuthcoreError` whose `code` names the first failure:
    /// `token_too_large`, `malformed`, `unsupported_header`, `algorithm_not_allowed`,
    /// `unknown_key_id`, `invalid_signature`, `invalid_claims`, `expired`, `not_yet_valid`,
    /// `missing_claim`, `invalid_issuer` or `invalid_audience`.
    #[wasm_bindgen(unchecked_return_type = "VerifiedClaims")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    ) -> Result<JsValue, BindingError> {
        let token = string_arg(&token, "token")?;
        claims_js(VerifiedClaims::from(self.inner.verify(&token)?))
    }

    /// Like `verify`, as if the time were `nowSeconds` (seconds since the epoch).
    #[wasm_bindgen(js_name = verifyAt, unchecked_return_type = "VerifiedClaims")]
    pub fn verify_at(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(js_name = nowSeconds)] now_seconds: f64,
    ) -> Result<JsValue, BindingError> {
        let token = string_arg(&token, "token")?;
        let now = whole_number_arg(Some(now_seconds), "nowSeconds")?.unwrap_or_default();
        claims_js(VerifiedClaims::from(self.inner.verify_at(&token, now)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_members_are_the_core_records_fields_camel_cased() {
        use tsify::Tsify;
        for name in OPTION_MEMBERS {
            assert!(
                VerifyOptions::DECL.contains(&format!("{name}?:")),
                "{name} / {}",
                VerifyOptions::DECL
            );
        }
        assert_eq!(
            VerifyOptions::DECL.matches("?:").count(),
            OPTION_MEMBERS.len()
        );
    }
}
