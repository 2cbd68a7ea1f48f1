//! Signing tokens with the key set's signing key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use super::claims::Claims;
use super::error::{KeyError, TokenError};
use super::keys::Key;
use super::provider::ensure_installed;

/// Header as Node's `jsonwebtoken` writes it: `{"alg":…,"typ":"JWT"}`, then `kid` when set.
#[derive(Serialize)]
struct HeaderOut<'a> {
    alg: &'a str,
    typ: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

/// Signs claims with one key.
#[derive(Clone, Debug)]
pub struct TokenSigner {
    key: Key,
}

impl TokenSigner {
    /// A signer over `key`, which must hold its private part.
    pub fn new(key: Key) -> Result<TokenSigner, KeyError> {
        if !key.can_sign() {
            return Err(KeyError::NoSigningKey);
        }
        ensure_installed();
        Ok(TokenSigner { key })
    }

    /// The signing key.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// A compact JWS of `claims`, with `kid` in the header when the key has one.
    pub fn sign(&self, claims: &Claims) -> Result<String, TokenError> {
        let Some(encoding) = &self.key.encoding else {
            return Err(TokenError::SigningFailed);
        };
        let header = HeaderOut {
            alg: self.key.alg.as_str(),
            typ: "JWT",
            kid: self.key.kid(),
        };
        let header = serde_json::to_vec(&header).map_err(|_| TokenError::SigningFailed)?;
        let payload = serde_json::to_vec(claims).map_err(|_| TokenError::SigningFailed)?;
        let mut token = URL_SAFE_NO_PAD.encode(header);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(payload, &mut token);
        let signature =
            jsonwebtoken::crypto::sign(token.as_bytes(), encoding, self.key.alg.to_jwt())
                .map_err(|_| TokenError::SigningFailed)?;
        token.push('.');
        token.push_str(&signature);
        Ok(token)
    }
}
