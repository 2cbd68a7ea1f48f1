//! RFC 7517 JSON Web Keys: import and export of Ed25519 (`OKP`), P-256 (`EC`) and HS256 (`oct`) keys.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::error::KeyError;
use super::keys::{Algorithm, Key, KeySet, Public, Secret};

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

#[derive(Serialize, Deserialize)]
struct JwkSet {
    keys: Vec<serde_json::Value>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn b64_32(field: &Option<String>, what: &'static str) -> Result<[u8; 32], KeyError> {
    let text = field.as_deref().ok_or(KeyError::InvalidKey(what))?;
    let bytes = Zeroizing::new(
        URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| KeyError::InvalidKey(what))?,
    );
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| KeyError::InvalidKey(what))
}

impl Key {
    /// Builds a key from a JWK. A `d` (or `k`) member makes a signing key.
    pub fn from_jwk(jwk: &Jwk) -> Result<Key, KeyError> {
        let alg = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
            ("OKP", Some("Ed25519")) => Algorithm::EdDSA,
            ("EC", Some("P-256")) => Algorithm::ES256,
            ("oct", _) => Algorithm::HS256,
            (kty, crv) => {
                return Err(KeyError::UnsupportedKey(format!(
                    "kty {kty}, crv {}",
                    crv.unwrap_or("-")
                )));
            }
        };
        if let Some(stated) = jwk.alg.as_deref()
            && stated != alg.as_str()
        {
            return Err(KeyError::UnsupportedKey(format!(
                "alg {stated} for a {} key",
                alg.as_str()
            )));
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
                let secret = Zeroizing::new(
                    URL_SAFE_NO_PAD
                        .decode(text)
                        .map_err(|_| KeyError::InvalidKey("k"))?,
                );
                Key::hs256(&secret)?
            }
            Algorithm::EdDSA => {
                let x = b64_32(&jwk.x, "Ed25519 x")?;
                match &jwk.d {
                    Some(_) => {
                        let d = Zeroizing::new(b64_32(&jwk.d, "Ed25519 d")?);
                        let key = Key::ed25519_from_seed(&d)?;
                        if key.public != Public::Ed25519(x) {
                            return Err(KeyError::InvalidKey("Ed25519 x does not match d"));
                        }
                        key
                    }
                    None => Key::ed25519_public(&x)?,
                }
            }
            Algorithm::ES256 => {
                let x = b64_32(&jwk.x, "P-256 x")?;
                let y = b64_32(&jwk.y, "P-256 y")?;
                match &jwk.d {
                    Some(_) => {
                        let d = Zeroizing::new(b64_32(&jwk.d, "P-256 d")?);
                        let key = Key::es256_from_scalar(&d)?;
                        if key.public != (Public::P256 { x, y }) {
                            return Err(KeyError::InvalidKey("P-256 x/y do not match d"));
                        }
                        key
                    }
                    None => Key::es256_public(&x, &y)?,
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
        match self.public {
            Public::None => return None,
            Public::Ed25519(x) => {
                jwk.crv = Some("Ed25519".into());
                jwk.x = Some(b64(&x));
            }
            Public::P256 { x, y } => {
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
        let mut jwk = match self.public {
            Public::None => self.jwk_skeleton(),
            _ => self.to_public_jwk()?,
        };
        match secret {
            Secret::Hmac(k) => jwk.k = Some(b64(k)),
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

impl KeySet {
    /// Reads a public JWKS (`{"keys": [...]}`) for verification. Keys of types authcore does not
    /// support (RSA, P-384, encryption keys) are skipped; private members are ignored; an `oct`
    /// key is refused, since a published HMAC secret is no secret. Fails on invalid supported keys,
    /// duplicate `kid`s, more than [`MAX_JWKS_KEYS`] keys or more than [`MAX_JWKS_BYTES`] bytes.
    pub fn from_jwks_json(json: &str) -> Result<KeySet, KeyError> {
        if json.len() > MAX_JWKS_BYTES {
            return Err(KeyError::InvalidJwks(format!(
                "larger than {MAX_JWKS_BYTES} bytes"
            )));
        }
        let set: JwkSet =
            serde_json::from_str(json).map_err(|e| KeyError::InvalidJwks(e.to_string()))?;
        if set.keys.len() > MAX_JWKS_KEYS {
            return Err(KeyError::InvalidJwks(format!(
                "more than {MAX_JWKS_KEYS} keys"
            )));
        }
        let mut out = KeySet::new();
        for value in set.keys {
            let mut jwk: Jwk =
                serde_json::from_value(value).map_err(|e| KeyError::InvalidJwks(e.to_string()))?;
            if jwk.kty == "oct" {
                return Err(KeyError::UnsupportedKey(
                    "oct keys cannot be published in a JWKS".into(),
                ));
            }
            jwk.d = None;
            match Key::from_jwk(&jwk) {
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
    const RFC8037_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    #[test]
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
}
