//! The small JSON reader (`authcore` feature `small-json`, the `authcore/inspect` module's) against
//! serde_json (the server's), on any text.
//!
//! The input, made to start with `{` when it does not (the readers' precondition, checked by the
//! token code before either runs), is read as a JOSE header and as claims by both readers: the
//! results must be equal, errors included (code and message; an `invalid_claims` message carries
//! serde_json's line and column). Claims both accept are also written as an `Inspection` with and
//! without serde, which must give the same text. Non-UTF-8 inputs are skipped: tokens refuse them
//! before any JSON is read.
#![no_main]

use authcore::session::differential as sessions;
use authcore::session::{Session, SessionUser};
use authcore::tokens::differential::{
    claims_serde, claims_small, header_serde, header_small, jwks_serde, jwks_small,
};
use authcore::tokens::{Header, Inspection, KeySet, UnverifiedToken};
use libfuzzer_sys::fuzz_target;

/// The keys of a JWKS read, for comparison.
fn keys(set: KeySet) -> Vec<(Option<String>, authcore::tokens::Algorithm)> {
    set.keys()
        .iter()
        .map(|k| (k.kid().map(str::to_owned), k.algorithm()))
        .collect()
}

fn documents(text: &str) {
    assert_eq!(
        jwks_small(text).map(keys),
        jwks_serde(text).map(keys),
        "jwks"
    );
    let signin = sessions::signin_small(text);
    assert_eq!(signin, sessions::signin_serde(text), "signin");
    let stored = sessions::stored_small(text);
    assert_eq!(stored, sessions::stored_serde(text), "stored");
    let base = Session {
        user: SessionUser {
            id: 7,
            username: "u".into(),
            email: "e".into(),
            roles: vec![],
        },
        access_token: "a".into(),
        refresh_token: Some("r".into()),
    };
    assert_eq!(
        sessions::refresh_small(&base, text),
        sessions::refresh_serde(&base, text),
        "refresh"
    );
    for session in [signin, stored].into_iter().flatten() {
        assert_eq!(
            sessions::to_json_small(&session),
            sessions::to_json_serde(&session),
            "to_json"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    documents(raw);
    let starts_with_brace = data
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        == Some(&b'{');
    let text: Vec<u8> = if starts_with_brace {
        data.to_vec()
    } else {
        [b"{".as_slice(), data].concat()
    };
    let header = header_small(&text);
    assert_eq!(header, header_serde(&text), "header");
    let claims = claims_small(&text);
    assert_eq!(claims, claims_serde(&text), "claims");
    if let Ok(claims) = claims {
        let header = header.unwrap_or(Header {
            alg: "HS256".into(),
            kid: None,
            typ: None,
        });
        let info = Inspection::at(UnverifiedToken { header, claims }, 1_795_701_477);
        assert_eq!(
            info.to_json(),
            serde_json::to_string(&info).expect("serializes"),
            "to_json"
        );
    }
});
