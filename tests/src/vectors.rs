//! The schema of `tests/vectors/vectors.json` (documented in `tests/vectors/README.md`) and the
//! conversions between it and authcore's types.
//!
//! Every struct denies unknown fields, so a generator change that the schema here does not know
//! about fails loudly instead of being skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use authcore::tokens::{
    Inspection, Jwk, Key, KeySet, UnverifiedToken, VerifiedClaims, VerifiedToken,
};
use authcore::validation::{SigninRequest, SignupRequest};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The schema version this crate reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole corpus.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vectors {
    /// Schema version; must equal [`SCHEMA_VERSION`].
    pub schema: u32,
    /// What the file is.
    pub description: String,
    /// Named keys the vectors refer to.
    pub keys: BTreeMap<String, KeySpec>,
    /// Tokens with their expected `inspect` and `verify` results.
    pub tokens: Vec<TokenVector>,
    /// Claims that must sign to an exact token.
    pub sign: Vec<SignVector>,
    /// bcrypt hashes with their expected `verify` and `needs_rehash` results.
    pub passwords: Vec<PasswordVector>,
    /// Signup bodies with their expected validation result.
    pub signup: Vec<BodyVector>,
    /// Signin bodies with their expected validation result.
    pub signin: Vec<BodyVector>,
}

/// A named key: an HS256 secret, one JWK, or a JWKS document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    /// What the key is for.
    #[serde(default)]
    pub description: Option<String>,
    /// `HS256`, `EdDSA` or `ES256`; absent for a JWKS.
    #[serde(default)]
    pub alg: Option<String>,
    /// Key id of an HS256 key (JWKs carry their own `kid`).
    #[serde(default)]
    pub kid: Option<String>,
    /// HS256 secret as UTF-8 text.
    #[serde(default)]
    pub secret_utf8: Option<String>,
    /// HS256 secret as unpadded base64url.
    #[serde(default)]
    pub secret_b64url: Option<String>,
    /// The HS256 secret is shorter than 32 bytes: only the legacy constructor accepts it, and the
    /// strict one must refuse it with `weak_secret`.
    #[serde(default)]
    pub legacy: bool,
    /// One public or private JWK.
    #[serde(default)]
    pub jwk: Option<Value>,
    /// A JWKS document (`{"keys": [...]}`), read as a server's published key set.
    #[serde(default)]
    pub jwks: Option<Value>,
    /// The `KeyError` code building this key must fail with, on every surface; such a key is
    /// never named by a token vector.
    #[serde(default)]
    pub refused: Option<String>,
}

/// One token and what inspecting and verifying it must give.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenVector {
    /// Unique name.
    pub name: String,
    /// What the vector shows and why the results are what they are.
    pub description: String,
    /// The token, exactly as a client would send it.
    pub token: String,
    /// The expected result of `inspect`.
    pub inspect: InspectCase,
    /// Expected results of `verify` under several key sets, times and options.
    pub verify: Vec<VerifyCase>,
}

/// Expected result of inspecting a token at `now`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectCase {
    /// The time for `expired` and `seconds_left`.
    pub now: i64,
    /// The leeway for `expired`.
    pub leeway: u64,
    /// The expected view (see [`inspect_view`]) when inspection succeeds.
    #[serde(default)]
    pub result: Option<Value>,
    /// The expected error code when it fails.
    #[serde(default)]
    pub error: Option<String>,
    /// A known core bug: the core currently gives something else.
    #[serde(default)]
    pub core_bug: Option<CoreBug>,
}

/// A case where the core is known to disagree with the expected (RFC-conforming) result.
///
/// A runner passes the case while the core gives exactly `actual`, and fails it both when the core
/// gives anything else and when it gives the expected result (then the bug is fixed and the marker
/// must go).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoreBug {
    /// What the core gives today: `"ok"` or an error code.
    pub actual: String,
    /// What is wrong and which rule says so.
    pub note: String,
}

/// Expected result of verifying a token with some keys at `now`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyCase {
    /// Names of the keys that make up the verifier's key set, in order.
    pub keys: Vec<String>,
    /// The verifier clock.
    pub now: i64,
    /// `VerifyOptions::leeway_seconds`.
    pub leeway: u64,
    /// `VerifyOptions::require_exp`.
    pub require_exp: bool,
    /// `VerifyOptions::issuer`.
    pub issuer: Option<String>,
    /// `VerifyOptions::audience`.
    pub audience: Option<String>,
    /// `"ok"` or the expected `TokenError` code.
    pub result: String,
    /// On `"ok"`: the expected verified claims (see [`claims_view`]).
    #[serde(default)]
    pub claims: Option<Value>,
    /// Why this case exists.
    #[serde(default)]
    pub note: Option<String>,
    /// A known core bug: the core currently gives something else.
    #[serde(default)]
    pub core_bug: Option<CoreBug>,
}

/// Claims that must sign to exactly `token` with key `key`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignVector {
    /// Unique name.
    pub name: String,
    /// What the vector shows.
    pub description: String,
    /// Name of the signing key.
    pub key: String,
    /// The claims, in authcore's serialization order.
    pub claims: Value,
    /// The exact token.
    pub token: String,
}

/// A password, a bcrypt hash and the expected results.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordVector {
    /// Unique name.
    pub name: String,
    /// What the vector shows.
    pub description: String,
    /// The password as UTF-8 text.
    pub password: String,
    /// The stored hash.
    pub hash: String,
    /// `true`, `false` or the expected `PasswordError` code.
    pub verify: Value,
    /// Expected `needs_rehash(hash, cost)` by cost (keys are decimal costs).
    pub needs_rehash_at_cost: BTreeMap<String, bool>,
}

/// A request body and the expected validation result.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyVector {
    /// Unique name.
    pub name: String,
    /// What the vector shows.
    pub description: String,
    /// The parsed JSON body.
    pub body: Value,
    /// `"ok"` or the expected `ValidationError` code.
    pub result: String,
    /// On `"ok"`: the expected request (see [`signup_view`] and [`signin_view`]).
    #[serde(default)]
    pub request: Option<Value>,
}

/// The path of `vectors.json` in this repository.
pub fn default_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join("vectors.json")
}

/// Reads and parses a JSON file of the corpus; errors name the file.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads and parses a vectors file, checking its schema version.
pub fn load(path: &Path) -> Result<Vectors, String> {
    let vectors: Vectors = read_json(path)?;
    if vectors.schema != SCHEMA_VERSION {
        return Err(format!(
            "{}: schema {} (this runner reads {SCHEMA_VERSION})",
            path.display(),
            vectors.schema
        ));
    }
    Ok(vectors)
}

impl KeySpec {
    /// Whether the spec builds as it says: its keys, or, when `refused`, exactly that error.
    pub fn check(&self) -> Result<(), String> {
        match (&self.refused, self.to_keys()) {
            (None, built) => built.map(|_| ()),
            (Some(code), Err(e)) if e.rsplit(": ").next() == Some(code.as_str()) => Ok(()),
            (Some(code), Err(e)) => Err(format!("must be refused with {code}, failed with {e}")),
            (Some(code), Ok(keys)) => Err(format!(
                "must be refused with {code}, built {} key(s)",
                keys.len()
            )),
        }
    }

    /// The keys this spec names: one for a secret or a JWK, all supported keys of a JWKS.
    pub fn to_keys(&self) -> Result<Vec<Key>, String> {
        let keys = match (
            &self.secret_utf8,
            &self.secret_b64url,
            &self.jwk,
            &self.jwks,
        ) {
            (Some(text), None, None, None) => vec![self.hs256(text.as_bytes())?],
            (None, Some(b64), None, None) => {
                let secret = URL_SAFE_NO_PAD
                    .decode(b64)
                    .map_err(|e| format!("secret_b64url: {e}"))?;
                vec![self.hs256(&secret)?]
            }
            (None, None, Some(jwk), None) => {
                let jwk: Jwk = serde_json::from_value(jwk.clone()).map_err(|e| e.to_string())?;
                vec![Key::from_jwk(&jwk).map_err(|e| format!("from_jwk: {}", e.code()))?]
            }
            (None, None, None, Some(jwks)) => KeySet::from_jwks_json(&jwks.to_string())
                .map_err(|e| format!("from_jwks_json: {}", e.code()))?
                .keys()
                .to_vec(),
            _ => return Err("exactly one of secret_utf8, secret_b64url, jwk, jwks".into()),
        };
        if let Some(alg) = &self.alg
            && let Some(key) = keys.iter().find(|k| k.algorithm().as_str() != alg)
        {
            return Err(format!("key is {}, spec says {alg}", key.algorithm()));
        }
        Ok(keys)
    }

    fn hs256(&self, secret: &[u8]) -> Result<Key, String> {
        let key = if self.legacy {
            match Key::hs256(secret) {
                Err(e) if e.code() == "weak_secret" => {}
                other => return Err(format!("strict HS256 constructor gave {other:?}")),
            }
            Key::hs256_legacy(secret)
        } else {
            Key::hs256(secret)
        }
        .map_err(|e| format!("hs256: {}", e.code()))?;
        Ok(match &self.kid {
            Some(kid) => key.with_kid(kid.clone()),
            None => key,
        })
    }
}

impl Vectors {
    /// A key set holding every key of the named specs, in order (all as verification keys).
    pub fn key_set(&self, names: &[String]) -> Result<KeySet, String> {
        let mut set = KeySet::new();
        for name in names {
            let spec = self
                .keys
                .get(name)
                .ok_or_else(|| format!("no key named {name}"))?;
            for key in spec.to_keys().map_err(|e| format!("key {name}: {e}"))? {
                set.add_verification_key(key)
                    .map_err(|e| format!("key {name}: {}", e.code()))?;
            }
        }
        Ok(set)
    }
}

/// The corpus's view of verified claims: the core's [`VerifiedClaims`] record as JSON, in the
/// corpus's spelling (see [`corpus_spelling`]), without the header's `alg` and `kid`.
pub fn claims_view(verified: VerifiedToken) -> Value {
    let mut view = corpus_spelling(VerifiedClaims::from(verified));
    if let Value::Object(map) = &mut view {
        map.remove("alg");
        map.remove("kid");
    }
    view
}

/// The corpus's view of an inspected token: the core's [`Inspection`] at `now` as JSON, in the
/// corpus's spelling, with `expired` judged with `leeway` (`Claims::is_expired_at(now, leeway)`).
pub fn inspect_view(token: UnverifiedToken, now: i64, leeway: u64) -> Value {
    let expired = token.claims.is_expired_at(now, leeway);
    let mut view = corpus_spelling(Inspection::at(token, now));
    if let Value::Object(map) = &mut view {
        map.insert("expired".into(), json!(expired));
    }
    view
}

/// A record serialized as every surface sees it, with the corpus's snake_case member names
/// (`userId` → `user_id`, `secondsLeft` → `seconds_left`).
fn corpus_spelling(record: impl Serialize) -> Value {
    match serde_json::to_value(record) {
        Ok(Value::Object(map)) => Value::Object(
            map.into_iter()
                .map(|(name, value)| (snake_case(&name), value))
                .collect(),
        ),
        Ok(other) => other,
        Err(e) => json!({ "serialization_error": e.to_string() }),
    }
}

fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// An expected view of the corpus as the records give it: the corpus writes `aud` as the token
/// does (a string or an array), the records always as an array.
pub fn with_aud_as_list(mut expected: Value) -> Value {
    if let Some(aud) = expected.get_mut("aud")
        && let Value::String(one) = aud
    {
        *aud = json!([one]);
    }
    expected
}

/// The corpus's view of a valid signup: `username`, `email`, `password`, and `roles` as names in
/// id order (`null` when absent).
pub fn signup_view(request: &SignupRequest) -> Value {
    json!({
        "username": request.username,
        "email": request.email,
        "password": request.password,
        "roles": request.roles.as_ref().map(|roles| roles.iter().map(|r| r.name()).collect::<Vec<_>>()),
    })
}

/// The corpus's view of a valid signin: `username` and `password`.
pub fn signin_view(request: &SigninRequest) -> Value {
    json!({ "username": request.username, "password": request.password })
}
