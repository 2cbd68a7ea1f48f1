//! Signing and verification keys, each bound to exactly one algorithm, and key sets for rotation.

use jsonwebtoken::{DecodingKey, EncodingKey};
use zeroize::Zeroizing;

use super::error::KeyError;

/// Minimum HS256 secret length for [`Key::hs256`] (RFC 7518 §3.2: at least the hash size).
pub const MIN_HS256_SECRET_BYTES: usize = 32;

/// The algorithms authcore signs and verifies. Nothing else is ever accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC with SHA-256 (shared secret; the seed's algorithm).
    HS256,
    /// Ed25519 signatures (RFC 8037).
    EdDSA,
    /// ECDSA on P-256 with SHA-256.
    ES256,
}

impl Algorithm {
    /// The JOSE `alg` name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::ES256 => "ES256",
        }
    }

    /// Parses a JOSE `alg` name exactly (case-sensitive, as RFC 7515 requires). `Ed25519`, RFC
    /// 9864's fully-specified name for EdDSA over Ed25519 (which jose 6 signs with), is EdDSA.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        match name {
            "HS256" => Some(Algorithm::HS256),
            "EdDSA" | "Ed25519" => Some(Algorithm::EdDSA),
            "ES256" => Some(Algorithm::ES256),
            _ => None,
        }
    }

    /// jsonwebtoken's name for it, to sign with (feature `signing`).
    #[cfg(feature = "signing")]
    pub(crate) fn to_jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Algorithm::HS256 => jsonwebtoken::Algorithm::HS256,
            Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
            Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The secret part of a key, kept only to sign and to export private JWKs.
#[derive(Clone)]
pub(crate) enum Secret {
    /// HMAC secret bytes.
    Hmac(Zeroizing<Vec<u8>>),
    /// Ed25519 seed or P-256 scalar (32 bytes).
    #[cfg(feature = "signing")]
    Scalar(Zeroizing<[u8; 32]>),
}

/// The public part of a key, decoded and checked once, when the key is built: verifying a token
/// does not decode it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Public {
    /// HMAC keys have no public part.
    None,
    /// An Ed25519 public point.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// A P-256 public point.
    P256(p256::ecdsa::VerifyingKey),
}

/// One key bound to one algorithm, with an optional key id (`kid`).
#[derive(Clone)]
pub struct Key {
    pub(crate) kid: Option<String>,
    pub(crate) alg: Algorithm,
    pub(crate) decoding: DecodingKey,
    pub(crate) encoding: Option<EncodingKey>,
    pub(crate) public: Public,
    pub(crate) secret: Option<Secret>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("can_sign", &self.can_sign())
            .finish_non_exhaustive()
    }
}

impl Key {
    /// An HS256 key from a secret of at least [`MIN_HS256_SECRET_BYTES`] bytes.
    pub fn hs256(secret: &[u8]) -> Result<Key, KeyError> {
        if secret.len() < MIN_HS256_SECRET_BYTES {
            return Err(KeyError::WeakSecret {
                min: MIN_HS256_SECRET_BYTES,
            });
        }
        Self::hs256_legacy(secret)
    }

    /// An HS256 key from any non-empty secret, for existing deployments whose shared secret is
    /// shorter than 32 bytes (the seed's tutorial secret is 15). Prefer [`Key::hs256`].
    pub fn hs256_legacy(secret: &[u8]) -> Result<Key, KeyError> {
        if secret.is_empty() {
            return Err(KeyError::WeakSecret { min: 1 });
        }
        Ok(Key {
            kid: None,
            alg: Algorithm::HS256,
            decoding: DecodingKey::from_secret(secret),
            encoding: Some(EncodingKey::from_secret(secret)),
            public: Public::None,
            secret: Some(Secret::Hmac(Zeroizing::new(secret.to_vec()))),
        })
    }

    /// An Ed25519 signing key from its 32-byte seed (the JWK `d`). Feature `signing`.
    #[cfg(feature = "signing")]
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> Result<Key, KeyError> {
        let signing = ed25519_dalek::SigningKey::from_bytes(seed);
        let public = signing.verifying_key();
        Ok(Key {
            kid: None,
            alg: Algorithm::EdDSA,
            decoding: DecodingKey::from_ed_der(public.as_bytes()),
            encoding: Some(EncodingKey::from_ed_der(seed)),
            public: Public::Ed25519(public),
            secret: Some(Secret::Scalar(Zeroizing::new(*seed))),
        })
    }

    /// An Ed25519 verification key from its 32-byte public point (the JWK `x`), in the point's
    /// one canonical encoding: RFC 8032 §5.1.3 fails the decoding of a y ≥ p and of a sign bit
    /// on x = 0, which `ed25519_dalek` would accept.
    pub fn ed25519_public(x: &[u8; 32]) -> Result<Key, KeyError> {
        let public = ed25519_dalek::VerifyingKey::from_bytes(x)
            .ok()
            .filter(|key| key.to_edwards().compress().as_bytes() == x)
            .ok_or(KeyError::InvalidKey("Ed25519 public key"))?;
        Ok(Key {
            kid: None,
            alg: Algorithm::EdDSA,
            decoding: DecodingKey::from_ed_der(x),
            encoding: None,
            public: Public::Ed25519(public),
            secret: None,
        })
    }

    /// A P-256 signing key from its 32-byte private scalar (the JWK `d`). Feature `signing`.
    #[cfg(feature = "signing")]
    pub fn es256_from_scalar(d: &[u8; 32]) -> Result<Key, KeyError> {
        let signing = p256::ecdsa::SigningKey::from_slice(d)
            .map_err(|_| KeyError::InvalidKey("P-256 private scalar"))?;
        let (x, y) = p256_coordinates(signing.verifying_key())?;
        let mut key = Self::es256_public(&x, &y)?;
        key.encoding = Some(EncodingKey::from_ec_der(d));
        key.secret = Some(Secret::Scalar(Zeroizing::new(*d)));
        Ok(key)
    }

    /// A P-256 verification key from its affine coordinates (the JWK `x` and `y`).
    pub fn es256_public(x: &[u8; 32], y: &[u8; 32]) -> Result<Key, KeyError> {
        // SEC1 uncompressed (0x04 ‖ x ‖ y): checked here, kept as the DecodingKey's bytes.
        let point = p256::EncodedPoint::from_affine_coordinates(x.into(), y.into(), false);
        let public = p256::ecdsa::VerifyingKey::from_encoded_point(&point)
            .map_err(|_| KeyError::InvalidKey("P-256 point is not on the curve"))?;
        Ok(Key {
            kid: None,
            alg: Algorithm::ES256,
            decoding: DecodingKey::from_ec_der(point.as_bytes()),
            encoding: None,
            public: Public::P256(public),
            secret: None,
        })
    }

    /// A fresh random key for `alg` (HS256: a 32-byte secret). Feature `signing`.
    #[cfg(feature = "signing")]
    pub fn generate(alg: Algorithm) -> Result<Key, KeyError> {
        match alg {
            Algorithm::HS256 => {
                let secret = Zeroizing::new(random_32()?);
                Self::hs256(secret.as_slice())
            }
            Algorithm::EdDSA => Self::ed25519_from_seed(&random_32()?),
            Algorithm::ES256 => loop {
                // A random 32-byte string is a valid scalar with overwhelming probability.
                if let Ok(key) = Self::es256_from_scalar(&random_32()?) {
                    return Ok(key);
                }
            },
        }
    }

    /// The same key with this key id.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Key {
        self.kid = Some(kid.into());
        self
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The one algorithm this key signs or verifies.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// Whether this key holds the private part needed to sign.
    pub fn can_sign(&self) -> bool {
        self.encoding.is_some()
    }

    /// Whether this key may be published (asymmetric keys only; HMAC secrets never are).
    pub fn is_asymmetric(&self) -> bool {
        self.alg != Algorithm::HS256
    }

    /// The same key without its private part.
    pub fn to_public(&self) -> Option<Key> {
        if !self.is_asymmetric() {
            return None;
        }
        Some(Key {
            encoding: None,
            secret: None,
            ..self.clone()
        })
    }
}

/// The affine coordinates (`x`, `y`) of a P-256 public key.
pub(crate) fn p256_coordinates(
    key: &p256::ecdsa::VerifyingKey,
) -> Result<([u8; 32], [u8; 32]), KeyError> {
    let point = key.to_encoded_point(false);
    match (point.x(), point.y()) {
        (Some(x), Some(y)) => {
            let mut xs = [0u8; 32];
            let mut ys = [0u8; 32];
            xs.copy_from_slice(x);
            ys.copy_from_slice(y);
            Ok((xs, ys))
        }
        _ => Err(KeyError::InvalidKey("P-256 point")),
    }
}

#[cfg(feature = "signing")]
fn random_32() -> Result<[u8; 32], KeyError> {
    let mut buf = [0u8; 32];
    getrandom::getrandom(&mut buf).map_err(|_| KeyError::RandomFailed)?;
    Ok(buf)
}

/// One signing key plus older verification keys: what a server rotates through.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: Vec<Key>,
    signing: Option<usize>,
}

impl KeySet {
    /// An empty key set.
    pub fn new() -> KeySet {
        KeySet::default()
    }

    /// A key set holding one key; it signs when it has a private part.
    pub fn single(key: Key) -> KeySet {
        let signing = key.can_sign().then_some(0);
        KeySet {
            keys: vec![key],
            signing,
        }
    }

    /// Adds a key that only verifies. Fails on a `kid` already present.
    pub fn add_verification_key(&mut self, key: Key) -> Result<(), KeyError> {
        self.check_kid(&key)?;
        self.keys.push(key);
        Ok(())
    }

    /// Makes `key` the signing key; the previous signing key stays for verification (rotation).
    pub fn rotate_to(&mut self, key: Key) -> Result<(), KeyError> {
        if !key.can_sign() {
            return Err(KeyError::NoSigningKey);
        }
        self.check_kid(&key)?;
        self.keys.push(key);
        self.signing = Some(self.keys.len() - 1);
        Ok(())
    }

    /// Drops the verification key with this `kid` (never the signing key). Returns whether one went.
    pub fn remove(&mut self, kid: &str) -> bool {
        let Some(pos) = self.keys.iter().position(|k| k.kid() == Some(kid)) else {
            return false;
        };
        if self.signing == Some(pos) {
            return false;
        }
        self.keys.remove(pos);
        if let Some(s) = self.signing
            && s > pos
        {
            self.signing = Some(s - 1);
        }
        true
    }

    /// The key that signs new tokens.
    pub fn signing_key(&self) -> Option<&Key> {
        self.signing.and_then(|i| self.keys.get(i))
    }

    /// Every key, signing key included.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// Every key, signing key included, taken out of the set (in order).
    pub fn into_keys(self) -> Vec<Key> {
        self.keys
    }

    /// The key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.kid() == Some(kid))
    }

    /// Whether the set holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn check_kid(&self, key: &Key) -> Result<(), KeyError> {
        if let Some(kid) = key.kid()
            && self.find(kid).is_some()
        {
            return Err(KeyError::DuplicateKeyId(kid.to_owned()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_are_exact_and_ed25519_is_eddsa() {
        for alg in [Algorithm::HS256, Algorithm::EdDSA, Algorithm::ES256] {
            assert_eq!(Algorithm::from_name(alg.as_str()), Some(alg));
        }
        assert_eq!(Algorithm::from_name("Ed25519"), Some(Algorithm::EdDSA));
        for name in ["ed25519", "EDDSA", "Ed448", "none", "HS256 ", ""] {
            assert_eq!(Algorithm::from_name(name), None, "{name:?}");
        }
    }

    #[test]
    fn short_hs256_secret_is_refused_unless_legacy_is_asked() {
        assert_eq!(
            Key::hs256(b"your-secret-key").err().map(|e| e.code()),
            Some("weak_secret")
        );
        assert!(Key::hs256_legacy(b"your-secret-key").is_ok());
        assert!(Key::hs256_legacy(b"").is_err());
    }

    #[test]
    #[cfg(feature = "signing")]
    fn generated_keys_can_sign_and_publish_only_public_parts() {
        for alg in [Algorithm::EdDSA, Algorithm::ES256] {
            let key = Key::generate(alg).unwrap();
            assert!(key.can_sign());
            let public = key.to_public().unwrap();
            assert!(!public.can_sign());
        }
        assert!(
            Key::generate(Algorithm::HS256)
                .unwrap()
                .to_public()
                .is_none()
        );
    }

    #[test]
    #[cfg(feature = "signing")]
    fn rotation_keeps_old_key_for_verification() {
        let mut set = KeySet::single(Key::generate(Algorithm::EdDSA).unwrap().with_kid("a"));
        set.rotate_to(Key::generate(Algorithm::EdDSA).unwrap().with_kid("b"))
            .unwrap();
        assert_eq!(set.signing_key().unwrap().kid(), Some("b"));
        assert!(set.find("a").is_some());
        assert!(!set.remove("b"), "the signing key is never removed");
        assert!(set.remove("a"));
        assert_eq!(set.signing_key().unwrap().kid(), Some("b"));
    }

    #[test]
    #[cfg(feature = "signing")]
    fn duplicate_kid_is_refused() {
        let mut set = KeySet::single(Key::generate(Algorithm::EdDSA).unwrap().with_kid("a"));
        let err = set
            .add_verification_key(Key::generate(Algorithm::ES256).unwrap().with_kid("a"))
            .unwrap_err();
        assert_eq!(err.code(), "duplicate_key_id");
    }

    /// `p + k` (p = 2^255 - 19) as 32 little-endian bytes, with the sign bit of x.
    fn y_above_p(k: u8, sign: bool) -> [u8; 32] {
        let mut bytes = [0xff; 32];
        bytes[0] = 0xed + k;
        bytes[31] = if sign { 0xff } else { 0x7f };
        bytes
    }

    #[test]
    fn ed25519_public_keys_are_read_in_their_canonical_encoding_only() {
        // y = 3 is a point of large order; p + 3 encodes it too, and decompresses to it.
        let mut y3 = [0u8; 32];
        y3[0] = 3;
        assert!(Key::ed25519_public(&y3).is_ok());
        let reduced = ed25519_dalek::VerifyingKey::from_bytes(&y_above_p(3, false))
            .expect("ed25519_dalek reads a y ≥ p");
        assert_eq!(reduced.to_edwards().compress().as_bytes(), &y3);
        // Every y ≥ p (k = 0..18) and a sign bit on x = 0 (y = 1, the identity) are refused.
        let mut negative_zero = [0u8; 32];
        negative_zero[0] = 1;
        negative_zero[31] = 0x80;
        let non_canonical = (0..19)
            .flat_map(|k| [y_above_p(k, false), y_above_p(k, true)])
            .chain([negative_zero]);
        for x in non_canonical {
            assert_eq!(
                Key::ed25519_public(&x).err().map(|e| e.code()),
                Some("invalid_key"),
                "{x:02x?}"
            );
        }
        // The canonical identity still imports (it verifies nothing: `verify_strict`).
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(Key::ed25519_public(&identity).is_ok());
    }

    #[test]
    fn off_curve_p256_point_is_refused() {
        assert!(Key::es256_public(&[1u8; 32], &[2u8; 32]).is_err());
    }

    #[test]
    fn p256_coordinates_are_read_below_p_only() {
        // (5, y) is on the curve; x + p (still 32 bytes) names the same point, non-canonically
        // (SEC 1 2.3.5: a field element is an integer below p).
        let hex = |text: &str| -> [u8; 32] {
            let mut out = [0u8; 32];
            for (i, byte) in out.iter_mut().enumerate() {
                *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex");
            }
            out
        };
        let y = hex("459243b9aa581806fe913bce99817ade11ca503c64d9a3c533415c083248fbcc");
        let mut x = [0u8; 32];
        x[31] = 5;
        assert!(Key::es256_public(&x, &y).is_ok());
        let x_plus_p = hex("ffffffff00000001000000000000000000000001000000000000000000000004");
        assert_eq!(
            Key::es256_public(&x_plus_p, &y).err().map(|e| e.code()),
            Some("invalid_key")
        );
    }
}
