//! authcore's `jsonwebtoken` crypto provider: exactly HS256, EdDSA (Ed25519) and ES256 on the
//! RustCrypto crates. No RSA, no P-384 is linked.
//!
//! Key bytes inside `EncodingKey`/`DecodingKey` (built only by [`super::Key`]): HMAC secrets raw;
//! Ed25519 signing keys as the 32-byte seed, verifying keys as the 32-byte point; P-256 signing keys
//! as the 32-byte scalar, verifying keys as the SEC1 uncompressed point.
//!
//! [`super::Verifier`] checks signatures here itself (`signature_valid`, on the public keys
//! [`super::Key`] decoded when it was built), so verification runs on them whatever provider the
//! process installed. The provider table (`PROVIDER`), which jsonwebtoken signs with, and its
//! verifiers exist with the `signing` feature only.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use signature::Verifier;

use super::keys::{Algorithm as KeyAlgorithm, Key, Public};

#[cfg(feature = "signing")]
pub use signing::PROVIDER;
#[cfg(feature = "signing")]
pub(crate) use signing::ensure_installed;

type HmacSha256 = Hmac<Sha256>;

/// Whether `signature` is `key`'s signature of `msg`, by the key's one algorithm: HMAC-SHA256
/// compared in constant time, strict Ed25519 (no small-order keys, no malleable signatures), or
/// ECDSA on P-256 over the fixed 64-byte r‖s form (never DER). The public key was decoded and
/// checked when the key was built.
pub(crate) fn signature_valid(key: &Key, msg: &[u8], signature: &[u8]) -> bool {
    match (key.alg, &key.public) {
        (KeyAlgorithm::HS256, Public::None) => {
            key.decoding.try_get_as_bytes().is_ok_and(|secret| {
                HmacSha256::new_from_slice(secret).is_ok_and(|mac| hs256_valid(mac, msg, signature))
            })
        }
        (KeyAlgorithm::EdDSA, Public::Ed25519(public)) => ed25519_valid(public, msg, signature),
        (KeyAlgorithm::ES256, Public::P256(public)) => es256_valid(public, msg, signature),
        _ => false,
    }
}

fn hs256_valid(mut mac: HmacSha256, msg: &[u8], signature: &[u8]) -> bool {
    mac.update(msg);
    // `verify_slice` compares in constant time.
    mac.verify_slice(signature).is_ok()
}

fn ed25519_valid(public: &ed25519_dalek::VerifyingKey, msg: &[u8], signature: &[u8]) -> bool {
    ed25519_dalek::Signature::from_slice(signature)
        .is_ok_and(|sig| public.verify_strict(msg, &sig).is_ok())
}

fn es256_valid(public: &p256::ecdsa::VerifyingKey, msg: &[u8], signature: &[u8]) -> bool {
    signature.len() == 64
        && p256::ecdsa::Signature::from_slice(signature)
            .is_ok_and(|sig| public.verify(msg, &sig).is_ok())
}

/// The provider table and the signers (feature `signing`).
#[cfg(feature = "signing")]
mod signing {
    use std::sync::Once;

    use hmac::Mac;
    use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
    use jsonwebtoken::errors::{Error as JwtError, ErrorKind};
    use jsonwebtoken::jwk::{EllipticCurve, ThumbprintHash};
    use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
    use sha2::{Digest, Sha256};
    use signature::{Signer, Verifier};

    use super::{HmacSha256, ed25519_valid, es256_valid, hs256_valid};

    /// The verifier for `alg` over `key` (the provider's `verifier_factory`).
    fn new_verifier(alg: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>, JwtError> {
        let bytes = key.try_get_as_bytes()?;
        match alg {
            Algorithm::HS256 => Ok(Box::new(Hs256(
                HmacSha256::new_from_slice(bytes).map_err(|_| ErrorKind::InvalidKeyFormat)?,
            ))),
            Algorithm::EdDSA => {
                let raw: &[u8; 32] = bytes.try_into().map_err(|_| ErrorKind::InvalidEddsaKey)?;
                Ok(Box::new(EdVerifier(
                    ed25519_dalek::VerifyingKey::from_bytes(raw)
                        .map_err(|_| ErrorKind::InvalidEddsaKey)?,
                )))
            }
            Algorithm::ES256 => Ok(Box::new(EsVerifier(
                p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
                    .map_err(|_| ErrorKind::InvalidEcdsaKey)?,
            ))),
            _ => Err(ErrorKind::UnsupportedAlgorithm.into()),
        }
    }

    /// An outcome of the checks above as `signature::Verifier` reports it.
    fn outcome(valid: bool) -> Result<(), signature::Error> {
        if valid {
            Ok(())
        } else {
            Err(signature::Error::new())
        }
    }

    struct Hs256(HmacSha256);

    impl Verifier<Vec<u8>> for Hs256 {
        fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
            outcome(hs256_valid(self.0.clone(), msg, signature))
        }
    }

    impl JwtVerifier for Hs256 {
        fn algorithm(&self) -> Algorithm {
            Algorithm::HS256
        }
    }

    struct EdVerifier(ed25519_dalek::VerifyingKey);

    impl Verifier<Vec<u8>> for EdVerifier {
        fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
            outcome(ed25519_valid(&self.0, msg, signature))
        }
    }

    impl JwtVerifier for EdVerifier {
        fn algorithm(&self) -> Algorithm {
            Algorithm::EdDSA
        }
    }

    struct EsVerifier(p256::ecdsa::VerifyingKey);

    impl Verifier<Vec<u8>> for EsVerifier {
        fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
            outcome(es256_valid(&self.0, msg, signature))
        }
    }

    impl JwtVerifier for EsVerifier {
        fn algorithm(&self) -> Algorithm {
            Algorithm::ES256
        }
    }

    /// The provider authcore installs as `jsonwebtoken`'s process default.
    pub static PROVIDER: CryptoProvider = CryptoProvider {
        signer_factory: new_signer,
        verifier_factory: new_verifier,
        key_utils: KeyUtils {
            rsa_pub_components_from_private_key: |_| Err(ErrorKind::UnsupportedAlgorithm.into()),
            rsa_pub_components_from_public_key: |_| Err(ErrorKind::UnsupportedAlgorithm.into()),
            ec_pub_components_from_private_key: ec_components_from_private_key,
            ed_pub_components_from_private_key: ed_components_from_private_key,
            compute_digest,
        },
    };

    static INSTALL: Once = Once::new();

    /// Installs [`PROVIDER`] unless a provider is already installed. Called before signing (and
    /// when a verifier is built, so that code calling jsonwebtoken directly finds a provider).
    pub(crate) fn ensure_installed() {
        INSTALL.call_once(|| {
            // An application that installed its own provider first keeps it; the algorithm
            // allow-list is enforced by authcore before any provider is asked, so RSA can never be
            // reached.
            let _ = PROVIDER.install_default();
        });
    }

    fn new_signer(alg: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>, JwtError> {
        match alg {
            Algorithm::HS256 => Ok(Box::new(Hs256(
                HmacSha256::new_from_slice(key.as_bytes())
                    .map_err(|_| ErrorKind::InvalidKeyFormat)?,
            ))),
            Algorithm::EdDSA => {
                let seed: &[u8; 32] = key
                    .as_bytes()
                    .try_into()
                    .map_err(|_| ErrorKind::InvalidEddsaKey)?;
                Ok(Box::new(EdSigner(ed25519_dalek::SigningKey::from_bytes(
                    seed,
                ))))
            }
            Algorithm::ES256 => Ok(Box::new(EsSigner(
                p256::ecdsa::SigningKey::from_slice(key.as_bytes())
                    .map_err(|_| ErrorKind::InvalidEcdsaKey)?,
            ))),
            _ => Err(ErrorKind::UnsupportedAlgorithm.into()),
        }
    }

    fn ec_components_from_private_key(
        scalar: &[u8],
        alg: Algorithm,
    ) -> Result<(EllipticCurve, Vec<u8>, Vec<u8>), JwtError> {
        if alg != Algorithm::ES256 {
            return Err(ErrorKind::UnsupportedAlgorithm.into());
        }
        let key =
            p256::ecdsa::SigningKey::from_slice(scalar).map_err(|_| ErrorKind::InvalidEcdsaKey)?;
        let point = key.verifying_key().to_encoded_point(false);
        match (point.x(), point.y()) {
            (Some(x), Some(y)) => Ok((EllipticCurve::P256, x.to_vec(), y.to_vec())),
            _ => Err(ErrorKind::InvalidEcdsaKey.into()),
        }
    }

    fn ed_components_from_private_key(
        seed: &[u8],
        curve: &EllipticCurve,
    ) -> Result<Vec<u8>, JwtError> {
        if *curve != EllipticCurve::Ed25519 {
            return Err(ErrorKind::UnsupportedAlgorithm.into());
        }
        let seed: &[u8; 32] = seed.try_into().map_err(|_| ErrorKind::InvalidEddsaKey)?;
        let key = ed25519_dalek::SigningKey::from_bytes(seed);
        Ok(key.verifying_key().as_bytes().to_vec())
    }

    fn compute_digest(data: &[u8], hash: ThumbprintHash) -> Result<Vec<u8>, JwtError> {
        match hash {
            ThumbprintHash::SHA256 => Ok(Sha256::digest(data).to_vec()),
            _ => Err(ErrorKind::UnsupportedAlgorithm.into()),
        }
    }

    impl Signer<Vec<u8>> for Hs256 {
        fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
            let mut mac = self.0.clone();
            mac.update(msg);
            Ok(mac.finalize().into_bytes().to_vec())
        }
    }

    impl JwtSigner for Hs256 {
        fn algorithm(&self) -> Algorithm {
            Algorithm::HS256
        }
    }

    struct EdSigner(ed25519_dalek::SigningKey);

    impl Signer<Vec<u8>> for EdSigner {
        fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
            Ok(self.0.sign(msg).to_bytes().to_vec())
        }
    }

    impl JwtSigner for EdSigner {
        fn algorithm(&self) -> Algorithm {
            Algorithm::EdDSA
        }
    }

    struct EsSigner(p256::ecdsa::SigningKey);

    impl Signer<Vec<u8>> for EsSigner {
        fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
            let sig: p256::ecdsa::Signature = self.0.try_sign(msg)?;
            Ok(sig.to_bytes().to_vec())
        }
    }

    impl JwtSigner for EsSigner {
        fn algorithm(&self) -> Algorithm {
            Algorithm::ES256
        }
    }
}
