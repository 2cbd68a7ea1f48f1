//! RFC 7517 JSON Web Keys: import and export of Ed25519 (`OKP`), P-256 (`EC`) and HS256 (`oct`) keys.

use crate::text::concat;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::base64url;
use super::error::KeyError;
use super::json::{Loose, describe};
use super::keys::{Algorithm, Key, KeySet, Public, Secret, p256_coordinates};

/// Largest JWKS document [`KeySet::from_jwks_json`] reads.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;
/// Most keys one JWKS may hold.
pub const MAX_JWKS_KEYS: usize = 64;

/// One JSON Web Key, as it appears in a JWKS document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `OKP`, `EC` or `oct`.
    pub kty: String,
    /// Key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Intended use (`sig`).
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// Algorithm the key is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Curve: `Ed25519` or `P-256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// Public point (OKP) or x coordinate (EC), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// y coordinate (EC), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Private part, base64url: never present in a published JWKS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<String>,
    /// HMAC secret (`oct`), base64url: never present in a published JWKS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<String>,
}

/// A JWKS document as [`KeySet::from_jwks_json`] reads it: each `keys` entry parsed whole, as
/// `serde_json::Value` would parse it, and typed when its turn comes (so the first failing entry
/// decides the error, as when the entries were `Value`s read with `serde_json::from_value`).
#[derive(Deserialize)]
struct JwksDocument {
    keys: Vec<Loose>,
}

/// The members of [`Jwk`], in field order (serde's positional order).
const JWK_MEMBERS: [&str; 9] = ["kty", "kid", "use", "alg", "crv", "x", "y", "d", "k"];

/// The JWK in `keys` entry `index`, as `serde_json::from_value::<Jwk>` reads a `Value`: from an
/// object (a repeated member's last occurrence wins, as in a `Value`'s map; unknown members are
/// ignored) or from serde's positional form of a struct (an array of 1 to 9 members in field order);
/// `kty` a string, the other members strings or `null`. Anything else is `invalid_jwks`.
fn entry_to_jwk(entry: Loose, index: usize) -> Result<Jwk, KeyError> {
    // Messages concatenated, not formatted: the WebAssembly build links no formatting code.
    let invalid = |what: &str| {
        let mut text = String::from("keys[");
        crate::json_lite::push_u64(&mut text, index as u64);
        text.push_str("]: ");
        text.push_str(what);
        KeyError::InvalidJwks(text)
    };
    // Vectors, not arrays of nine: the same steps without copying the arrays around (smaller in
    // the WebAssembly build).
    let mut members: Vec<Loose> = Vec::new();
    members.resize(JWK_MEMBERS.len(), Loose::Absent);
    match entry {
        Loose::Object(entries) => {
            for (name, value) in entries {
                if let Loose::Str(name) = name
                    && let Some(slot) = JWK_MEMBERS
                        .iter()
                        .position(|m| *m == name)
                        .and_then(|i| members.get_mut(i))
                {
                    *slot = value;
                }
            }
        }
        Loose::List(items) if (1..=JWK_MEMBERS.len()).contains(&items.len()) => {
            for (slot, item) in members.iter_mut().zip(items) {
                *slot = item;
            }
        }
        _ => return Err(invalid("not a JWK object")),
    }
    let mut strings = Vec::with_capacity(JWK_MEMBERS.len());
    for (value, name) in members.into_iter().zip(JWK_MEMBERS) {
        strings.push(
            value
                .optional_string()
                .map_err(|()| invalid(&concat(&[name, " is not a string"])))?,
        );
    }
    let mut strings = strings.into_iter();
    let mut next = || strings.next().flatten();
    let kty = next().ok_or_else(|| invalid("kty is missing"))?;
    Ok(Jwk {
        kty,
        kid: next(),
        use_: next(),
        alg: next(),
        crv: next(),
        x: next(),
        y: next(),
        d: next(),
        k: next(),
    })
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn b64_32(field: &Option<String>, what: &'static str) -> Result<[u8; 32], KeyError> {
    let text = field.as_deref().ok_or(KeyError::InvalidKey(what))?;
    let bytes = Zeroizing::new(base64url::decode(text).ok_or(KeyError::InvalidKey(what))?);
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| KeyError::InvalidKey(what))
}

impl Key {
    /// Builds a key from a JWK. A `d` (or `k`) member makes a signing key; without the `signing`
    /// feature a `d` member is `unsupported_key`.
    pub fn from_jwk(jwk: &Jwk) -> Result<Key, KeyError> {
        if jwk.d.is_some() {
            Key::from_jwk_members::<true>(jwk)
        } else {
            Key::from_jwk_members::<false>(jwk)
        }
    }

    /// [`Key::from_jwk`], reading `d` only when `PRIVATE` (a JWKS is read with `PRIVATE` false,
    /// so the browser build, which only reads JWKS, links no private-key branch).
    fn from_jwk_members<const PRIVATE: bool>(jwk: &Jwk) -> Result<Key, KeyError> {
        let alg = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
            ("OKP", Some("Ed25519")) => Algorithm::EdDSA,
            ("EC", Some("P-256")) => Algorithm::ES256,
            ("oct", _) => Algorithm::HS256,
            (kty, crv) => {
                return Err(KeyError::UnsupportedKey(concat(&[
                    "kty ",
                    kty,
                    ", crv ",
                    crv.unwrap_or("-"),
                ])));
            }
        };
        if let Some(stated) = jwk.alg.as_deref()
            && Algorithm::from_name(stated) != Some(alg)
        {
            return Err(KeyError::UnsupportedKey(concat(&[
                "alg ",
                stated,
                " for a ",
                alg.as_str(),
                " key",
            ])));
        }
        if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
            return Err(KeyError::UnsupportedKey("use other than sig".into()));
        }
        let key = match alg {
            Algorithm::HS256 => {
                let text = jwk
                    .k
                    .as_deref()
                    .ok_or(KeyError::InvalidKey("oct key without k"))?;
                let secret =
                    Zeroizing::new(base64url::decode(text).ok_or(KeyError::InvalidKey("k"))?);
                Key::hs256(&secret)?
            }
            Algorithm::EdDSA => {
                let x = b64_32(&jwk.x, "Ed25519 x")?;
                if PRIVATE {
                    private_jwk::ed25519(jwk, x)?
                } else {
                    Key::ed25519_public(&x)?
                }
            }
            Algorithm::ES256 => {
                let x = b64_32(&jwk.x, "P-256 x")?;
                let y = b64_32(&jwk.y, "P-256 y")?;
                if PRIVATE {
                    private_jwk::es256(jwk, x, y)?
                } else {
                    Key::es256_public(&x, &y)?
                }
            }
        };
        Ok(match &jwk.kid {
            Some(kid) => key.with_kid(kid.clone()),
            None => key,
        })
    }

    /// The public JWK of an asymmetric key; `None` for HS256 (a secret is never published).
    pub fn to_public_jwk(&self) -> Option<Jwk> {
        let mut jwk = self.jwk_skeleton();
        match &self.public {
            Public::None => return None,
            Public::Ed25519(public) => {
                jwk.crv = Some("Ed25519".into());
                jwk.x = Some(b64(public.as_bytes()));
            }
            Public::P256(public) => {
                let (x, y) = p256_coordinates(public).ok()?;
                jwk.crv = Some("P-256".into());
                jwk.x = Some(b64(&x));
                jwk.y = Some(b64(&y));
            }
        }
        Some(jwk)
    }

    /// The full JWK including the private part, for key files; `None` for a verification-only key.
    pub fn to_private_jwk(&self) -> Option<Jwk> {
        let secret = self.secret.as_ref()?;
        let mut jwk = match &self.public {
            Public::None => self.jwk_skeleton(),
            _ => self.to_public_jwk()?,
        };
        match secret {
            Secret::Hmac(k) => jwk.k = Some(b64(k)),
            #[cfg(feature = "signing")]
            Secret::Scalar(d) => jwk.d = Some(b64(d.as_slice())),
        }
        Some(jwk)
    }

    fn jwk_skeleton(&self) -> Jwk {
        Jwk {
            kty: match self.alg {
                Algorithm::HS256 => "oct",
                Algorithm::EdDSA => "OKP",
                Algorithm::ES256 => "EC",
            }
            .into(),
            kid: self.kid.clone(),
            use_: Some("sig".into()),
            alg: Some(self.alg.as_str().into()),
            crv: None,
            x: None,
            y: None,
            d: None,
            k: None,
        }
    }
}

/// The `d` member of an OKP or EC JWK.
#[cfg(feature = "signing")]
mod private_jwk {
    use zeroize::Zeroizing;

    use super::{Jwk, Key, KeyError, Public, b64_32, p256_coordinates};

    pub(super) fn ed25519(jwk: &Jwk, x: [u8; 32]) -> Result<Key, KeyError> {
        let d = Zeroizing::new(b64_32(&jwk.d, "Ed25519 d")?);
        let key = Key::ed25519_from_seed(&d)?;
        if !matches!(&key.public, Public::Ed25519(public) if *public.as_bytes() == x) {
            return Err(KeyError::InvalidKey("Ed25519 x does not match d"));
        }
        Ok(key)
    }

    pub(super) fn es256(jwk: &Jwk, x: [u8; 32], y: [u8; 32]) -> Result<Key, KeyError> {
        let d = Zeroizing::new(b64_32(&jwk.d, "P-256 d")?);
        let key = Key::es256_from_scalar(&d)?;
        if !matches!(&key.public, Public::P256(public) if p256_coordinates(public).ok() == Some((x, y)))
        {
            return Err(KeyError::InvalidKey("P-256 x/y do not match d"));
        }
        Ok(key)
    }
}

/// Without the `signing` feature no private key is built.
#[cfg(not(feature = "signing"))]
mod private_jwk {
    use super::{Jwk, Key, KeyError};

    fn unsupported() -> Result<Key, KeyError> {
        Err(KeyError::UnsupportedKey(
            "private JWK (d): authcore is built without the signing feature".into(),
        ))
    }

    pub(super) fn ed25519(_: &Jwk, _: [u8; 32]) -> Result<Key, KeyError> {
        unsupported()
    }

    pub(super) fn es256(_: &Jwk, _: [u8; 32], _: [u8; 32]) -> Result<Key, KeyError> {
        unsupported()
    }
}

/// The `keys` entries of a JWKS document read by serde_json (the server's reader).
pub(crate) fn jwks_keys_serde(json: &str) -> Result<Vec<Loose>, KeyError> {
    // `from_slice` on the bytes: the same parser as `from_str` (which only skips UTF-8 checks
    // the `&str` already guarantees), one instantiation of serde_json's reader instead of two.
    let set: JwksDocument =
        serde_json::from_slice(json.as_bytes()).map_err(|e| KeyError::InvalidJwks(describe(&e)))?;
    Ok(set.keys)
}

/// The `keys` entries of a JWKS document read by [`crate::json_lite`] (feature `small-json`): the
/// same entries, or the same error and message.
pub(crate) fn jwks_keys_small(json: &str) -> Result<Vec<Loose>, KeyError> {
    crate::json_lite::jwks(json.as_bytes())
        .map_err(|e| KeyError::InvalidJwks(crate::json_lite::describe(json.as_bytes(), e)))
}

/// [`KeySet::from_jwks_json`] with a given JSON reader, for the differential tests.
pub(crate) fn from_jwks_json_with(
    json: &str,
    read: fn(&str) -> Result<Vec<Loose>, KeyError>,
) -> Result<KeySet, KeyError> {
    if json.len() > MAX_JWKS_BYTES {
        // "larger than 65536 bytes", written out: no formatting code in the WebAssembly build.
        const _: () = assert!(MAX_JWKS_BYTES == 65_536);
        return Err(KeyError::InvalidJwks("larger than 65536 bytes".into()));
    }
    KeySet::from_jwks_entries(read(json)?)
}

impl KeySet {
    /// Reads a public JWKS (`{"keys": [...]}`) for verification. Keys of types authcore does not
    /// support (RSA, P-384, encryption keys) are skipped; private members are ignored; an `oct`
    /// key is refused, since a published HMAC secret is no secret. Fails on invalid supported keys,
    /// duplicate `kid`s, more than [`MAX_JWKS_KEYS`] keys or more than [`MAX_JWKS_BYTES`] bytes.
    pub fn from_jwks_json(json: &str) -> Result<KeySet, KeyError> {
        #[cfg(feature = "small-json")]
        return from_jwks_json_with(json, jwks_keys_small);
        #[cfg(not(feature = "small-json"))]
        return from_jwks_json_with(json, jwks_keys_serde);
    }

    /// The keys of a parsed JWKS document's `keys` entries (see [`KeySet::from_jwks_json`]).
    fn from_jwks_entries(keys: Vec<Loose>) -> Result<KeySet, KeyError> {
        if keys.len() > MAX_JWKS_KEYS {
            const _: () = assert!(MAX_JWKS_KEYS == 64);
            return Err(KeyError::InvalidJwks("more than 64 keys".into()));
        }
        let mut out = KeySet::new();
        for (index, entry) in keys.into_iter().enumerate() {
            let jwk = entry_to_jwk(entry, index)?;
            if jwk.kty == "oct" {
                return Err(KeyError::UnsupportedKey(
                    "oct keys cannot be published in a JWKS".into(),
                ));
            }
            // Private members are ignored: the public part only.
            match Key::from_jwk_members::<false>(&jwk) {
                Ok(key) => out.add_verification_key(key)?,
                Err(KeyError::UnsupportedKey(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The public JWKS of every asymmetric key of the set (HMAC secrets are never included).
    pub fn to_jwks_json(&self) -> String {
        let keys: Vec<serde_json::Value> = self
            .keys()
            .iter()
            .filter_map(Key::to_public_jwk)
            .filter_map(|jwk| serde_json::to_value(jwk).ok())
            .collect();
        serde_json::json!({ "keys": keys }).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8037 A.1 / A.2.
    #[cfg(feature = "signing")]
    const RFC8037_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    #[cfg(feature = "signing")]
    const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    #[test]
    #[cfg(feature = "signing")]
    fn rfc8037_private_jwk_yields_its_public_point() {
        let jwk = Jwk {
            kty: "OKP".into(),
            crv: Some("Ed25519".into()),
            d: Some(RFC8037_D.into()),
            x: Some(RFC8037_X.into()),
            kid: None,
            use_: None,
            alg: None,
            y: None,
            k: None,
        };
        let key = Key::from_jwk(&jwk).unwrap();
        assert!(key.can_sign());
        assert_eq!(key.to_public_jwk().unwrap().x.as_deref(), Some(RFC8037_X));
    }

    #[test]
    #[cfg(feature = "signing")]
    fn jwks_round_trip_keeps_public_keys_and_drops_secrets() {
        let mut set = KeySet::single(Key::generate(Algorithm::EdDSA).unwrap().with_kid("ed"));
        set.add_verification_key(Key::generate(Algorithm::ES256).unwrap().with_kid("es"))
            .unwrap();
        set.add_verification_key(Key::generate(Algorithm::HS256).unwrap().with_kid("hs"))
            .unwrap();
        let json = set.to_jwks_json();
        assert!(!json.contains("\"d\""));
        assert!(!json.contains("\"k\""));
        let back = KeySet::from_jwks_json(&json).unwrap();
        assert_eq!(back.keys().len(), 2);
        assert!(back.keys().iter().all(|k| !k.can_sign()));
    }

    #[test]
    fn limit_messages_name_the_limits() {
        let huge = " ".repeat(MAX_JWKS_BYTES + 1);
        assert_eq!(
            KeySet::from_jwks_json(&huge).unwrap_err(),
            KeyError::InvalidJwks(format!("larger than {MAX_JWKS_BYTES} bytes"))
        );
        let many = format!("{{\"keys\":[{}]}}", vec!["1"; MAX_JWKS_KEYS + 1].join(","));
        assert_eq!(
            KeySet::from_jwks_json(&many).unwrap_err(),
            KeyError::InvalidJwks(format!("more than {MAX_JWKS_KEYS} keys"))
        );
    }

    #[test]
    fn jwks_skips_rsa_keys_and_refuses_oct() {
        let json = r#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"r"},
            {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"e"}]}"#;
        assert_eq!(KeySet::from_jwks_json(json).unwrap().keys().len(), 1);
        let oct = r#"{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI"}]}"#;
        assert_eq!(
            KeySet::from_jwks_json(oct).unwrap_err().code(),
            "unsupported_key"
        );
    }

    #[test]
    fn jwk_whose_alg_disagrees_with_its_type_is_refused() {
        let json = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","alg":"HS256","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
        assert!(KeySet::from_jwks_json(json).unwrap().is_empty());
    }

    #[test]
    fn malformed_jwks_is_an_error_not_a_panic() {
        for bad in [
            "",
            "{",
            "[]",
            r#"{"keys":{}}"#,
            r#"{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}"#,
        ] {
            assert!(KeySet::from_jwks_json(bad).is_err(), "{bad}");
        }
    }

    /// `from_jwks_json` as it was, on `serde_json::Value`: the reference the new reader must match.
    fn reference_from_jwks_json(json: &str) -> Result<KeySet, KeyError> {
        #[derive(Deserialize)]
        struct JwkSet {
            keys: Vec<serde_json::Value>,
        }
        if json.len() > MAX_JWKS_BYTES {
            return Err(KeyError::InvalidJwks(String::new()));
        }
        let set: JwkSet =
            serde_json::from_str(json).map_err(|e| KeyError::InvalidJwks(e.to_string()))?;
        if set.keys.len() > MAX_JWKS_KEYS {
            return Err(KeyError::InvalidJwks(String::new()));
        }
        let mut out = KeySet::new();
        for value in set.keys {
            let mut jwk: Jwk =
                serde_json::from_value(value).map_err(|e| KeyError::InvalidJwks(e.to_string()))?;
            if jwk.kty == "oct" {
                return Err(KeyError::UnsupportedKey(String::new()));
            }
            jwk.d = None;
            match Key::from_jwk_members::<false>(&jwk) {
                Ok(key) => out.add_verification_key(key)?,
                Err(KeyError::UnsupportedKey(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// What a JWKS read yields, for comparison: the keys (kid, algorithm) or the error code.
    fn outcome(
        read: Result<KeySet, KeyError>,
    ) -> Result<Vec<(Option<String>, Algorithm)>, &'static str> {
        read.map(|set| {
            set.keys()
                .iter()
                .map(|k| (k.kid().map(str::to_owned), k.algorithm()))
                .collect()
        })
        .map_err(|e| e.code())
    }

    #[test]
    fn jwks_reader_matches_the_value_based_reader() {
        const ED: &str =
            r#""kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo""#;
        const EC: &str = r#""kty":"EC","crv":"P-256","x":"axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY","y":"T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU""#;
        let docs = [
            format!(r#"{{"keys":[{{{ED},"kid":"e"}},{{{EC},"kid":"p"}}]}}"#),
            format!(r#"{{"keys":[{{{ED}}},{{{EC}}}],"other":[1,{{"a":null}}]}}"#),
            // Repeated members: the last one counts (as in a Value's map).
            format!(r#"{{"keys":[{{{ED},"kid":"a","kid":"b"}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"kid":5,"kid":"b"}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"kid":"b","kid":5}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"crv":"P-256"}}]}}"#),
            // null members are absent; other types are invalid_jwks.
            format!(r#"{{"keys":[{{{ED},"kid":null,"alg":null,"use":null,"d":null}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"kid":1}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"d":["x"]}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"use":{{}}}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"use":"enc"}},{{{EC},"alg":"ES384"}}]}}"#),
            // Private members are ignored, whatever they hold (as long as they are strings).
            format!(r#"{{"keys":[{{{ED},"d":"AAAA"}}]}}"#),
            // Unknown members of any shape are parsed (and checked) but ignored.
            format!(r#"{{"keys":[{{{ED},"x5c":["a",["b",{{"c":[1.5e3,true,null]}}]],"n":-0}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"n":1e400}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"n":"\ud800"}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"n":"\u00e9\n"}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"\ud800":1}}]}}"#),
            // kty missing, null or not a string.
            r#"{"keys":[{"crv":"Ed25519"}]}"#.to_owned(),
            r#"{"keys":[{"kty":null}]}"#.to_owned(),
            r#"{"keys":[{"kty":["OKP"]}]}"#.to_owned(),
            r#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}"#.to_owned(),
            // Entries that are not objects, in order with other failures.
            r#"{"keys":[1]}"#.to_owned(),
            r#"{"keys":["OKP"]}"#.to_owned(),
            r#"{"keys":[null]}"#.to_owned(),
            r#"{"keys":[true,{"kty":"oct","k":"AAAA"}]}"#.to_owned(),
            r#"{"keys":[{"kty":"oct","k":"AAAA"},true]}"#.to_owned(),
            format!(r#"{{"keys":[{{"kty":"oct","k":"AAAA"}},{{{ED},"kid":7}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"kid":7}},{{"kty":"oct","k":"AAAA"}}]}}"#),
            format!(r#"{{"keys":[{{{ED},"kid":"a"}},{{{ED},"kid":"a"}}]}}"#),
            // serde's positional form of the Jwk struct.
            r#"{"keys":[[]]}"#.to_owned(),
            r#"{"keys":[["RSA"]]}"#.to_owned(),
            r#"{"keys":[["OKP","k1",null,null,"Ed25519","11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"]]}"#.to_owned(),
            r#"{"keys":[["OKP","k1","sig","EdDSA","Ed25519","11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",null,null,null]]}"#.to_owned(),
            r#"{"keys":[["OKP","k1","sig","EdDSA","Ed25519","11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",null,null,null,null]]}"#.to_owned(),
            r#"{"keys":[["OKP",1]]}"#.to_owned(),
            r#"{"keys":[[null]]}"#.to_owned(),
            // The document itself.
            r#"[[]]"#.to_owned(),
            format!(r#"[[{{{ED}}}]]"#),
            r#"{"keys":[],"keys":[]}"#.to_owned(),
            r#"{"keys":null}"#.to_owned(),
            r#"{"keys":{}}"#.to_owned(),
            r#"{}"#.to_owned(),
            r#"{"keys":[]} x"#.to_owned(),
            r#"{"keys":[{"kty":"OKP",}]}"#.to_owned(),
            r#"{"keys":[{"kty":"OKP""#.to_owned(),
            format!("{{\"keys\":[{}]}}", vec![format!("{{{ED}}}"); 65].join(",")),
            format!("{{\"keys\":[{}]}}", vec!["1"; 65].join(",")),
            format!("{{\"keys\":[{}1{}]}}", "[".repeat(200), "]".repeat(200)),
        ];
        for doc in &docs {
            assert_eq!(
                outcome(KeySet::from_jwks_json(doc)),
                outcome(reference_from_jwks_json(doc)),
                "{doc:.200}"
            );
        }
    }
}
