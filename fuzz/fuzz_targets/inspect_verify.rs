//! `inspect` and `Verifier::verify_at` on hostile tokens.
//!
//! Every input is tried as a whole token (when it is UTF-8). Its first byte also selects a
//! structured mutation of a valid token, so the fuzzer gets past base64url and, when it re-signs,
//! past the signature into the claims checks:
//!
//! | `sel & 7` | token built from the rest of the input                                  |
//! |-----------|-------------------------------------------------------------------------|
//! | 0, 7      | none (whole-input mode only)                                            |
//! | 1         | valid token, header segment := base64url(rest)                          |
//! | 2         | valid token, payload segment := base64url(rest)                         |
//! | 3         | valid token, signature segment := base64url(rest)                       |
//! | 4         | `header NUL payload` (or payload alone), base64url'd, HS256-signed      |
//! | 5         | same, EdDSA-signed with the fixture's Ed25519 key                        |
//! | 6         | valid token, signature segment := rest as raw text                      |
//!
//! `(sel >> 3) % 3` picks the valid token (HS256, EdDSA, ES256), `(sel >> 5) & 3` the clock
//! (whole-input mode always uses the first) and `sel >> 7` the verifier (default options, or
//! issuer + audience required with a huge leeway).
//!
//! Properties checked besides "no panic": a token that verifies also inspects, to the same header
//! and claims; its `alg` is the one bound to the key its `kid` names; it is unexpired at `now`
//! within the leeway; and every error has a code and a message.
#![no_main]

use std::sync::{Arc, LazyLock};

use authcore::tokens::{
    Algorithm, Claims, FixedClock, Key, KeySet, TokenSigner, Verifier, VerifyOptions, inspect,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer as _;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;

const HS_SECRET: &[u8] = b"your-secret-key";
const ED_SEED: [u8; 32] = [7; 32];
const ES_SCALAR: [u8; 32] = [9; 32];
/// The seed token's `iat` (from `tests/vectors`), so the seed-shaped tokens are valid at `IAT + 10`.
const IAT: i64 = 1_795_701_477;
const NOWS: [i64; 4] = [IAT + 10, 0, i64::MAX, i64::MIN];

struct Fixture {
    /// Default options: `exp` required, 60 s leeway, no issuer or audience.
    strict: Verifier,
    /// Issuer `authd` and audience `api` required, `exp` optional, leeway `u64::MAX`.
    lax: Verifier,
    /// Valid seed-shaped tokens: HS256 (no kid), EdDSA (kid `ed-1`), ES256 (kid `es-1`).
    tokens: [String; 3],
    ed: ed25519_dalek::SigningKey,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let hs = Key::hs256_legacy(HS_SECRET).expect("hs256 key");
    let ed = Key::ed25519_from_seed(&ED_SEED)
        .expect("ed25519 key")
        .with_kid("ed-1");
    let es = Key::es256_from_scalar(&ES_SCALAR)
        .expect("p256 key")
        .with_kid("es-1");
    let claims = Claims::for_user(1, IAT, 86_400);
    let sign = |k: &Key| {
        TokenSigner::new(k.clone())
            .expect("signer")
            .sign(&claims)
            .expect("sign")
    };
    let tokens = [sign(&hs), sign(&ed), sign(&es)];
    let mut keys = KeySet::single(hs);
    keys.add_verification_key(ed.to_public().expect("public ed"))
        .expect("add ed");
    keys.add_verification_key(es.to_public().expect("public es"))
        .expect("add es");
    let clock = Arc::new(FixedClock(IAT + 10));
    let strict = Verifier::new(keys.clone(), VerifyOptions::default(), clock.clone());
    let lax = Verifier::new(
        keys,
        VerifyOptions {
            leeway_seconds: u64::MAX,
            require_exp: false,
            issuer: Some("authd".into()),
            audience: Some("api".into()),
        },
        clock,
    );
    for t in &tokens {
        assert!(
            strict.verify_at(t, IAT + 10).is_ok(),
            "fixture token must verify"
        );
    }
    Fixture {
        strict,
        lax,
        tokens,
        ed: ed25519_dalek::SigningKey::from_bytes(&ED_SEED),
    }
});

fn check(verifier: &Verifier, token: &str, now: i64) {
    let inspected = inspect(token);
    if let Err(e) = &inspected {
        assert!(!e.code().is_empty() && !e.to_string().is_empty());
    }
    match verifier.verify_at(token, now) {
        Ok(v) => {
            let i = inspected.expect("a token that verifies must inspect");
            assert_eq!(i.header, v.header);
            assert_eq!(i.claims, v.claims);
            let alg = Algorithm::from_name(&v.header.alg).expect("verified alg is allowed");
            if let Some(kid) = v.header.kid.as_deref() {
                let key = verifier.keys().find(kid).expect("verified kid is known");
                assert_eq!(key.algorithm(), alg);
            }
            let leeway = i64::try_from(verifier.options().leeway_seconds).unwrap_or(i64::MAX);
            if let Some(exp) = v.claims.exp {
                assert!(now < exp.saturating_add(leeway), "expired token verified");
            } else {
                assert!(
                    !verifier.options().require_exp,
                    "token without exp verified"
                );
            }
        }
        Err(e) => assert!(!e.code().is_empty() && !e.to_string().is_empty()),
    }
}

fn segments(token: &str) -> (&str, &str, &str) {
    let mut it = token.split('.');
    match (it.next(), it.next(), it.next()) {
        (Some(h), Some(p), Some(s)) => (h, p, s),
        _ => unreachable!("fixture tokens have three segments"),
    }
}

/// `header NUL payload`, or the payload alone under `default_header`.
fn split_json<'a>(rest: &'a [u8], default_header: &'a [u8]) -> (&'a [u8], &'a [u8]) {
    match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (default_header, rest),
    }
}

fn signing_input(header: &[u8], payload: &[u8]) -> String {
    let mut s = URL_SAFE_NO_PAD.encode(header);
    s.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut s);
    s
}

fuzz_target!(|data: &[u8]| {
    let fx = &*FIXTURE;
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let verifier = if sel & 0x80 == 0 { &fx.strict } else { &fx.lax };
    let now = NOWS[usize::from((sel >> 5) & 3)];

    if let Ok(whole) = std::str::from_utf8(data) {
        // A whole token starts with `e` (`{"` in base64url), whose bits would pick `i64::MIN`:
        // whole tokens are checked at the time the fixture tokens are valid.
        check(verifier, whole, NOWS[0]);
    }

    let (h, p, s) = segments(&fx.tokens[usize::from((sel >> 3) % 3)]);
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    let token = match sel & 7 {
        1 => format!("{}.{p}.{s}", b64(rest)),
        2 => format!("{h}.{}.{s}", b64(rest)),
        3 => format!("{h}.{p}.{}", b64(rest)),
        4 => {
            let (header, payload) = split_json(rest, br#"{"alg":"HS256","typ":"JWT"}"#);
            let input = signing_input(header, payload);
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(HS_SECRET).expect("hmac key");
            mac.update(input.as_bytes());
            format!("{input}.{}", b64(&mac.finalize().into_bytes()))
        }
        5 => {
            let (header, payload) =
                split_json(rest, br#"{"alg":"EdDSA","typ":"JWT","kid":"ed-1"}"#);
            let input = signing_input(header, payload);
            let sig = fx.ed.sign(input.as_bytes());
            format!("{input}.{}", b64(&sig.to_bytes()))
        }
        6 => match std::str::from_utf8(rest) {
            Ok(text) => format!("{h}.{p}.{text}"),
            Err(_) => return,
        },
        _ => return,
    };
    check(verifier, &token, now);
});
