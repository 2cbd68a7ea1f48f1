//! Criterion benchmarks of authcore's hot paths: bcrypt at costs 8 and 10, signing and verifying a
//! seed-shaped token (`{"id":1,"iat":…,"exp":…}`) with HS256, EdDSA and ES256, and `inspect`.
//! The `hs256_parts` and `asym_parts` groups time the pieces of a signature or verification on
//! their own, to show where the time goes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use authcore::passwords::{self, PasswordHasher};
use authcore::tokens::{
    Claims, FixedClock, Key, KeySet, TokenSigner, Verifier, VerifyOptions, inspect,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use jsonwebtoken::DecodingKey;

/// The seed token's `iat`; tokens are verified ten seconds later.
const IAT: i64 = 1_795_701_477;
const PASSWORD: &str = "12345678";

fn bcrypt(c: &mut Criterion) {
    let mut g = c.benchmark_group("bcrypt");
    g.sample_size(10);
    for cost in [8, 10] {
        let hasher = PasswordHasher::new(cost).unwrap();
        g.bench_function(format!("hash/cost{cost}"), |b| {
            b.iter(|| hasher.hash(black_box(PASSWORD)).unwrap())
        });
        g.bench_function(format!("verify/cost{cost}"), |b| {
            // Hashed inside the closure, so a filtered run (`cargo bench -- inspect`) skips it.
            let hash = hasher.hash(PASSWORD).unwrap();
            b.iter(|| assert!(passwords::verify(black_box(PASSWORD), black_box(&hash)).unwrap()))
        });
    }
    g.finish();
}

fn keys() -> [(&'static str, Key); 3] {
    [
        ("HS256", Key::hs256_legacy(b"your-secret-key").unwrap()),
        (
            "EdDSA",
            Key::ed25519_from_seed(&[7; 32]).unwrap().with_kid("ed-1"),
        ),
        (
            "ES256",
            Key::es256_from_scalar(&[9; 32]).unwrap().with_kid("es-1"),
        ),
    ]
}

fn seed_token(key: &Key) -> String {
    TokenSigner::new(key.clone())
        .unwrap()
        .sign(&Claims::for_user(1, IAT, 86_400))
        .unwrap()
}

fn tokens(c: &mut Criterion) {
    let claims = Claims::for_user(1, IAT, 86_400);
    let mut g = c.benchmark_group("tokens");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    for (name, key) in keys() {
        let signer = TokenSigner::new(key.clone()).unwrap();
        g.bench_function(format!("sign/{name}"), |b| {
            b.iter(|| signer.sign(black_box(&claims)).unwrap())
        });
        let token = seed_token(&key);
        let public = key.to_public().unwrap_or(key);
        let verifier = Verifier::new(
            KeySet::single(public),
            VerifyOptions::default(),
            Arc::new(FixedClock(IAT + 10)),
        );
        g.bench_function(format!("verify/{name}"), |b| {
            b.iter(|| verifier.verify_at(black_box(&token), IAT + 10).unwrap())
        });
    }
    let token = seed_token(&keys()[0].1);
    g.bench_function("inspect", |b| {
        b.iter(|| inspect(black_box(&token)).unwrap())
    });
    g.finish();
}

/// The header fields core's `parse_header` reads, to time the same deserialization.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct HeaderLike {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    crit: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    b64: Option<serde::de::IgnoredAny>,
}

/// The parts of `verify/HS256`, each on its own, to show where its time goes.
fn hs256_parts(c: &mut Criterion) {
    // Creating a verifier installs authcore's crypto provider, which jsonwebtoken needs below.
    let _ = Verifier::new(
        KeySet::single(keys()[0].1.clone()),
        VerifyOptions::default(),
        Arc::new(FixedClock(IAT)),
    );
    let token = seed_token(&keys()[0].1);
    let mut parts = token.split('.');
    let (header, payload, signature) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let signing_input = &token[..header.len() + 1 + payload.len()];
    let header_json = URL_SAFE_NO_PAD.decode(header).unwrap();
    let payload_json = URL_SAFE_NO_PAD.decode(payload).unwrap();
    let mac = Hmac::<sha2::Sha256>::new_from_slice(b"your-secret-key").unwrap();

    let mut g = c.benchmark_group("hs256_parts");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(2));
    g.bench_function("base64_decode_3_segments", |b| {
        b.iter(|| {
            (
                URL_SAFE_NO_PAD.decode(black_box(header)).unwrap(),
                URL_SAFE_NO_PAD.decode(black_box(payload)).unwrap(),
                URL_SAFE_NO_PAD.decode(black_box(signature)).unwrap(),
            )
        })
    });
    g.bench_function("json_header", |b| {
        b.iter(|| serde_json::from_slice::<HeaderLike>(black_box(&header_json)).unwrap())
    });
    g.bench_function("json_claims", |b| {
        b.iter(|| serde_json::from_slice::<Claims>(black_box(&payload_json)).unwrap())
    });
    // What `signature_matches` in core does: jsonwebtoken decodes the signature, asks the provider
    // for a fresh verifier (HMAC key setup, boxed), MACs the signing input and compares.
    let decoding = DecodingKey::from_secret(b"your-secret-key");
    g.bench_function("jsonwebtoken_crypto_verify", |b| {
        b.iter(|| {
            assert!(
                jsonwebtoken::crypto::verify(
                    black_box(signature),
                    black_box(signing_input.as_bytes()),
                    &decoding,
                    jsonwebtoken::Algorithm::HS256,
                )
                .unwrap()
            )
        })
    });
    g.bench_function("hmac_key_setup", |b| {
        b.iter(|| Hmac::<sha2::Sha256>::new_from_slice(black_box(b"your-secret-key")).unwrap())
    });
    g.bench_function("hmac_sha256_signing_input", |b| {
        b.iter(|| {
            let mut m = mac.clone();
            m.update(black_box(signing_input.as_bytes()));
            m.finalize()
        })
    });
    g.finish();
}

/// The parts of EdDSA and ES256 signing and verification. authcore's provider builds the key
/// object from raw bytes on every call (jsonwebtoken asks its factory per operation), so each
/// `tokens/sign|verify` pays a `*_from_*` step on top of the signature itself.
fn asym_parts(c: &mut Criterion) {
    use ed25519_dalek::Signer as _;
    use ed25519_dalek::Verifier as _;

    const MSG: &[u8] = b"eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6ImVkLTEifQ.eyJpZCI6MSwiaWF0IjoxNzk1NzAxNDc3LCJleHAiOjE3OTU3ODc4Nzd9";
    let mut g = c.benchmark_group("asym_parts");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));

    let seed = [7u8; 32];
    let ed = ed25519_dalek::SigningKey::from_bytes(&seed);
    let ed_public = ed.verifying_key().to_bytes();
    let ed_sig = ed.sign(MSG);
    g.bench_function("ed25519_signing_key_from_seed", |b| {
        b.iter(|| ed25519_dalek::SigningKey::from_bytes(black_box(&seed)))
    });
    g.bench_function("ed25519_sign", |b| b.iter(|| ed.sign(black_box(MSG))));
    g.bench_function("ed25519_verifying_key_from_bytes", |b| {
        b.iter(|| ed25519_dalek::VerifyingKey::from_bytes(black_box(&ed_public)).unwrap())
    });
    let ed_verifying = ed.verifying_key();
    g.bench_function("ed25519_verify_strict", |b| {
        b.iter(|| {
            ed_verifying
                .verify_strict(black_box(MSG), black_box(&ed_sig))
                .unwrap()
        })
    });
    g.bench_function("ed25519_verify", |b| {
        b.iter(|| {
            ed_verifying
                .verify(black_box(MSG), black_box(&ed_sig))
                .unwrap()
        })
    });

    let scalar = [9u8; 32];
    let es = p256::ecdsa::SigningKey::from_slice(&scalar).unwrap();
    let es_sec1 = es.verifying_key().to_encoded_point(false);
    let es_sig: p256::ecdsa::Signature = es.sign(MSG);
    g.bench_function("p256_signing_key_from_scalar", |b| {
        b.iter(|| p256::ecdsa::SigningKey::from_slice(black_box(&scalar)).unwrap())
    });
    g.bench_function("p256_sign", |b| {
        b.iter(|| -> p256::ecdsa::Signature { es.sign(black_box(MSG)) })
    });
    g.bench_function("p256_verifying_key_from_sec1", |b| {
        b.iter(|| {
            p256::ecdsa::VerifyingKey::from_sec1_bytes(black_box(es_sec1.as_bytes())).unwrap()
        })
    });
    let es_verifying = *es.verifying_key();
    g.bench_function("p256_verify", |b| {
        b.iter(|| {
            es_verifying
                .verify(black_box(MSG), black_box(&es_sig))
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bcrypt, tokens, hs256_parts, asym_parts);
criterion_main!(benches);
