//! Cross-module token tests: interop vectors and the attacks RFC 8725 warns about.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;

const RFC7515_A1: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC7515_A1_K: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

fn verifier(keys: KeySet, now: i64) -> Verifier {
    Verifier::new(keys, VerifyOptions::default(), Arc::new(FixedClock(now)))
}

fn seed_key() -> Key {
    Key::hs256_legacy(b"your-secret-key").unwrap()
}

fn forge(header: &str, payload: &str, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

#[test]
fn rfc7515_a1_verifies_before_its_2011_expiry() {
    let k = URL_SAFE_NO_PAD.decode(RFC7515_A1_K).unwrap();
    let v = verifier(KeySet::single(Key::hs256(&k).unwrap()), 1_300_819_370);
    let t = v.verify(RFC7515_A1).unwrap();
    assert_eq!(t.claims.iss.as_deref(), Some("joe"));
    let late = verifier(KeySet::single(Key::hs256(&k).unwrap()), 1_300_819_380 + 60);
    assert_eq!(late.verify(RFC7515_A1).unwrap_err(), TokenError::Expired);
}

#[test]
fn seed_tokens_are_byte_identical_to_node_jsonwebtoken() {
    // jwt.sign({id: 1}, "your-secret-key", {expiresIn: 86400}) at iat 1795701477, from CONTRACT.md.
    let signer = TokenSigner::new(seed_key()).unwrap();
    let token = signer
        .sign(&Claims::for_user(1, 1_795_701_477, 86_400))
        .unwrap();
    assert!(token.starts_with(
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6MSwiaWF0IjoxNzk1NzAxNDc3LCJleHAiOjE3OTU3ODc4Nzd9."
    ));
    let t = verifier(KeySet::single(seed_key()), 1_795_701_500)
        .verify(&token)
        .unwrap();
    assert_eq!(t.claims.user_id(), Some(1));
}

#[test]
fn alg_none_in_any_case_is_refused() {
    let v = verifier(KeySet::single(seed_key()), 0);
    for alg in ["none", "None", "NONE", "nOnE"] {
        let t = forge(
            &format!(r#"{{"alg":"{alg}"}}"#),
            r#"{"id":1,"exp":99}"#,
            b"",
        );
        assert_eq!(v.verify(&t).unwrap_err().code(), "algorithm_not_allowed");
    }
}

#[test]
fn hs512_with_the_right_secret_is_refused() {
    let t = forge(
        r#"{"alg":"HS512","typ":"JWT"}"#,
        r#"{"id":1,"exp":99}"#,
        &[0u8; 64],
    );
    assert_eq!(
        verifier(KeySet::single(seed_key()), 0)
            .verify(&t)
            .unwrap_err()
            .code(),
        "algorithm_not_allowed"
    );
}

#[test]
fn hs256_signed_with_a_public_key_is_refused_by_an_asymmetric_verifier() {
    let ed = Key::generate(Algorithm::EdDSA).unwrap().with_kid("k1");
    let jwk = ed.to_public_jwk().unwrap();
    let public_bytes = URL_SAFE_NO_PAD.decode(jwk.x.unwrap()).unwrap();
    // Classic confusion: use the public key bytes as an HMAC secret.
    let confused = TokenSigner::new(Key::hs256_legacy(&public_bytes).unwrap().with_kid("k1"))
        .unwrap()
        .sign(&Claims::for_user(1, 0, 100))
        .unwrap();
    let v = verifier(KeySet::single(ed.to_public().unwrap()), 10);
    assert_eq!(
        v.verify(&confused).unwrap_err().code(),
        "algorithm_not_allowed"
    );
}

#[test]
fn eddsa_and_es256_round_trip_with_kid_and_rotation() {
    for alg in [Algorithm::EdDSA, Algorithm::ES256] {
        let old = Key::generate(alg).unwrap().with_kid("old");
        let old_token = TokenSigner::new(old.clone())
            .unwrap()
            .sign(&Claims::for_user(7, 1000, 3600))
            .unwrap();
        let mut set = KeySet::single(old);
        set.rotate_to(Key::generate(alg).unwrap().with_kid("new"))
            .unwrap();
        let new_token = TokenSigner::new(set.signing_key().unwrap().clone())
            .unwrap()
            .sign(&Claims::for_user(8, 1000, 3600).with_roles(&[crate::Role::Admin]))
            .unwrap();
        let public = KeySet::from_jwks_json(&set.to_jwks_json()).unwrap();
        let v = verifier(public, 1500);
        assert_eq!(v.verify(&old_token).unwrap().claims.user_id(), Some(7));
        let t = v.verify(&new_token).unwrap();
        assert_eq!(t.header.kid.as_deref(), Some("new"));
        assert!(t.claims.has_role("admin"));
    }
}

#[test]
fn unknown_kid_is_its_own_error() {
    let key = Key::generate(Algorithm::EdDSA).unwrap().with_kid("a");
    let token = TokenSigner::new(key.clone().with_kid("b"))
        .unwrap()
        .sign(&Claims::for_user(1, 0, 100))
        .unwrap();
    let v = verifier(KeySet::single(key), 10);
    assert_eq!(v.verify(&token).unwrap_err(), TokenError::UnknownKeyId);
}

#[test]
fn tampered_payload_fails_the_signature() {
    let token = TokenSigner::new(seed_key())
        .unwrap()
        .sign(&Claims::for_user(1, 0, 100))
        .unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let evil = URL_SAFE_NO_PAD.encode(r#"{"id":3,"iat":0,"exp":100}"#);
    let tampered = format!("{}.{}.{}", parts[0], evil, parts[2]);
    assert_eq!(
        verifier(KeySet::single(seed_key()), 10)
            .verify(&tampered)
            .unwrap_err(),
        TokenError::InvalidSignature
    );
}

#[test]
fn exp_and_nbf_honour_the_leeway_boundaries() {
    let sign = |c: &Claims| TokenSigner::new(seed_key()).unwrap().sign(c).unwrap();
    let keys = KeySet::single(seed_key());
    let exp = sign(&Claims {
        exp: Some(1000),
        ..Claims::default()
    });
    assert!(verifier(keys.clone(), 1059).verify(&exp).is_ok());
    assert_eq!(
        verifier(keys.clone(), 1060).verify(&exp).unwrap_err(),
        TokenError::Expired
    );
    let nbf = sign(&Claims {
        exp: Some(5000),
        nbf: Some(1000),
        ..Claims::default()
    });
    assert!(verifier(keys.clone(), 940).verify(&nbf).is_ok());
    assert_eq!(
        verifier(keys.clone(), 939).verify(&nbf).unwrap_err(),
        TokenError::NotYetValid
    );
    let no_exp = sign(&Claims {
        id: Some(1),
        ..Claims::default()
    });
    assert_eq!(
        verifier(keys, 0).verify(&no_exp).unwrap_err(),
        TokenError::MissingClaim("exp")
    );
}

#[test]
fn issuer_and_audience_are_enforced_when_configured() {
    let signer = TokenSigner::new(seed_key()).unwrap();
    let mut claims = Claims::for_user(1, 0, 100);
    claims.iss = Some("authd".into());
    claims.aud = Some(Audience::Many(vec!["api".into(), "web".into()]));
    let token = signer.sign(&claims).unwrap();
    let opts = |iss: &str, aud: Option<&str>| VerifyOptions {
        issuer: Some(iss.into()),
        audience: aud.map(Into::into),
        ..VerifyOptions::default()
    };
    let v = |o| Verifier::new(KeySet::single(seed_key()), o, Arc::new(FixedClock(10)));
    assert!(v(opts("authd", Some("web"))).verify(&token).is_ok());
    assert_eq!(
        v(opts("other", Some("web"))).verify(&token).unwrap_err(),
        TokenError::InvalidIssuer
    );
    assert_eq!(
        v(opts("authd", Some("x"))).verify(&token).unwrap_err(),
        TokenError::InvalidAudience
    );
    assert_eq!(
        v(opts("authd", None)).verify(&token).unwrap_err(),
        TokenError::InvalidAudience
    );
}

#[test]
fn rfc8037_ed25519_signature_verifies_but_its_text_payload_is_not_claims() {
    let token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    let x: [u8; 32] = URL_SAFE_NO_PAD
        .decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
        .unwrap()
        .try_into()
        .unwrap();
    let v = verifier(KeySet::single(Key::ed25519_public(&x).unwrap()), 0);
    assert_eq!(v.verify(token).unwrap_err().code(), "malformed");
    // One flipped signature bit turns it into a signature failure instead.
    let bad = token.replace("hgyY0il", "hgyY0iL");
    assert_eq!(v.verify(&bad).unwrap_err().code(), "invalid_signature");
}
