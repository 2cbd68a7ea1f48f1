//! Hand-made tokens: any header, payload, HMAC flavour and secret.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};

use super::SECRET;

/// base64url without padding.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWS with this header and payload, HMAC-signed with SHA-256 or SHA-512.
pub fn hmac_token(header: &Value, payload: &Value, secret: &[u8], sha512: bool) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let sig = if sha512 {
        let mut mac = Hmac::<sha2::Sha512>::new_from_slice(secret).unwrap();
        mac.update(input.as_bytes());
        mac.finalize().into_bytes().to_vec()
    } else {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
        mac.update(input.as_bytes());
        mac.finalize().into_bytes().to_vec()
    };
    format!("{input}.{}", b64(&sig))
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// An HS256 token for `payload` with the test secret.
pub fn hs256(payload: &Value) -> String {
    hmac_token(
        &json!({"alg": "HS256", "typ": "JWT"}),
        payload,
        SECRET,
        false,
    )
}

/// A valid-looking token for user `id` with the test secret.
pub fn token_for(id: i64) -> String {
    hs256(&json!({"id": id, "iat": now(), "exp": now() + 3600}))
}
