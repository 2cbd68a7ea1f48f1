//! The small JSON reader (`small-json`) against serde_json, side by side: every header and payload
//! in `tests/vectors`, every JSON object those files hold, hand-written edge cases, every
//! single-byte deletion, truncation and insertion of them, and generated texts. Each must give the
//! same header, the same claims or the same error (code and message, which carries serde_json's
//! position); `Inspection` must serialize to the same text with and without serde. The same for
//! the other documents the npm package reads: JWKS, authd's signin and refresh responses and the
//! stored session (the same keys, sessions, or errors with the same messages: serde_json's
//! category, line and column), and the stored session and `VerifiedClaims` written without serde.
// Helpers outside `#[test]` functions too: a broken vectors file must fail the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use authcore::session::differential as sessions;
use authcore::session::{Session, SessionUser};
use authcore::tokens::differential::{
    claims_serde, claims_small, header_serde, header_small, jwks_serde, jwks_small,
};
use authcore::tokens::{Algorithm, Inspection, KeyError, KeySet, inspect};
use serde_json::Value;

const VECTORS: &str = include_str!("../../tests/vectors/vectors.json");
const SESSIONS: &str = include_str!("../../tests/vectors/sessions.json");

fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()
}

/// Whether `bytes` meets the readers' precondition: UTF-8, starting with `{` after whitespace.
fn readable(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok()
        && bytes
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            == Some(&b'{')
}

/// Compares both readers on `bytes` (as a header and as a payload); true when it was readable.
fn same(bytes: &[u8]) -> bool {
    if !readable(bytes) {
        return false;
    }
    let text = String::from_utf8_lossy(bytes);
    assert_eq!(claims_small(bytes), claims_serde(bytes), "claims: {text:?}");
    assert_eq!(header_small(bytes), header_serde(bytes), "header: {text:?}");
    true
}

/// Every object in `value`, as compact and as pretty JSON.
fn objects(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            out.push(value.to_string());
            if let Ok(pretty) = serde_json::to_string_pretty(value) {
                out.push(pretty);
            }
            for v in map.values() {
                objects(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| objects(v, out)),
        Value::String(s) => {
            // JSON texts inside strings (request bodies, JWKS, stored sessions).
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                if inner.is_object() {
                    out.push(s.clone());
                }
                objects(&inner, out);
            }
        }
        _ => {}
    }
}

/// Every string in `value` that looks like a compact JWS.
fn tokens(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map.values().for_each(|v| tokens(v, out)),
        Value::Array(items) => items.iter().for_each(|v| tokens(v, out)),
        Value::String(s) if s.split('.').count() == 3 => out.push(s.clone()),
        _ => {}
    }
}

/// The decoded header and payload of every token in the vectors, and every object they hold.
fn vector_corpus() -> Vec<Vec<u8>> {
    let mut corpus = Vec::new();
    for file in [VECTORS, SESSIONS] {
        let value: Value = serde_json::from_str(file).unwrap();
        let mut toks = Vec::new();
        tokens(&value, &mut toks);
        for t in toks {
            for segment in t.split('.').take(2) {
                if let Some(bytes) = b64url_decode(segment) {
                    corpus.push(bytes);
                }
            }
        }
        let mut objs = Vec::new();
        objects(&value, &mut objs);
        corpus.extend(objs.into_iter().map(String::into_bytes));
        corpus.push(file.as_bytes().to_vec());
    }
    corpus
}

/// Hand-written cases: every branch where serde_json's answer depends on a detail.
const EDGES: &[&str] = &[
    r#"{}"#,
    " \n\t{\"id\":1}\r\n",
    r#"{"alg":"HS256"}"#,
    r#"{"alg":"HS256","kid":null,"typ":null,"crit":null,"b64":null}"#,
    r#"{"alg":"HS256","crit":["exp"]}"#,
    r#"{"alg":"HS256","crit":{"a":[1,{"b":"\ud800"}]}}"#,
    r#"{"alg":"HS256","b64":false}"#,
    r#"{"alg":"HS256","alg":"HS256"}"#,
    r#"{"alg":null}"#,
    r#"{"alg":1}"#,
    r#"{"kid":"k"}"#,
    r#"{"alg":"HS256","kid":5}"#,
    r#"{"\u0061lg":"HS256"}"#,
    r#"{"\u0069d":1,"id":2}"#,
    r#"{"i\u0064":"x"}"#,
    r#"{"id\u0000":"x","i\"d":1}"#,
    "{\"i\u{1}d\":1}",
    r#"{"alg":"\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t"}"#,
    r#"{"alg":"\ud83d"}"#,
    r#"{"alg":"\ude00"}"#,
    r#"{"alg":"\ud83d\u0041"}"#,
    r#"{"alg":"\ud83dx"}"#,
    r#"{"alg":"\ud83d\n"}"#,
    r#"{"alg":"\uZZZZ"}"#,
    r#"{"alg":"\u12"}"#,
    r#"{"alg":"\x"}"#,
    "{\"alg\":\"a\u{1}\"}",
    "{\"alg\":\"a\u{7f}\"}",
    r#"{"id":1,"iat":1795701477,"exp":1795787877}"#,
    r#"{"id":1,"roles":["user","admin"],"aud":["a"],"iss":"i","sub":"2","jti":"j","nbf":1.5}"#,
    r#"{"id":1,"id":2}"#,
    r#"{"id":1,"id" :2}"#,
    r#"{"id":1 , "id"}"#,
    r#"{"id":1,"id"}"#,
    r#"{"x":1,"x":2}"#,
    r#"{"exp":"x"}"#,
    r#"{"exp":null}"#,
    r#"{"exp":true}"#,
    r#"{"exp":false}"#,
    r#"{"exp":[]}"#,
    r#"{"exp":[ ]}"#,
    r#"{"exp":[1]}"#,
    r#"{"exp":[,1]}"#,
    r#"{"exp":[ , ]}"#,
    r#"{"exp":{}}"#,
    r#"{"exp":{ } }"#,
    r#"{"exp":{"a":1}}"#,
    r#"{"exp":{,}}"#,
    r#"{"exp":-0}"#,
    r#"{"exp":-0.0}"#,
    r#"{"exp":0.5,"nbf":0.5,"iat":-0.5}"#,
    r#"{"nbf":-1.5,"exp":-1.5}"#,
    r#"{"exp":1e400}"#,
    r#"{"exp":1e308}"#,
    r#"{"exp":1.7976931348623157e308}"#,
    r#"{"exp":1.8e308}"#,
    r#"{"exp":10e307}"#,
    r#"{"exp":0e999999}"#,
    r#"{"exp":0e99999999999}"#,
    r#"{"exp":1e99999999999}"#,
    r#"{"exp":1e-99999999999}"#,
    r#"{"exp":1e-400}"#,
    r#"{"exp":123456789012345678901234567890}"#,
    r#"{"exp":-123456789012345678901234567890}"#,
    r#"{"exp":18446744073709551615}"#,
    r#"{"exp":18446744073709551616}"#,
    r#"{"exp":9223372036854775807}"#,
    r#"{"exp":9223372036854775808}"#,
    r#"{"exp":-9223372036854775808}"#,
    r#"{"exp":-9223372036854775809}"#,
    r#"{"exp":1.00000000000000000000000000001}"#,
    r#"{"exp":0.99999999999999999999999999}"#,
    r#"{"exp":1795787876.9999999999}"#,
    r#"{"exp":179578787699999999999999999.5e-17}"#,
    r#"{"nbf":1000.0000000001}"#,
    r#"{"exp":1E3,"iat":1e+3,"nbf":1e-3}"#,
    r#"{"exp":01}"#,
    r#"{"exp":1.}"#,
    r#"{"exp":.5}"#,
    r#"{"exp":-}"#,
    r#"{"exp":1e}"#,
    r#"{"exp":1e+}"#,
    r#"{"exp":+1}"#,
    r#"{"exp":NaN}"#,
    r#"{"id":18446744073709551616}"#,
    r#"{"id":9223372036854775807}"#,
    r#"{"id":9223372036854775808}"#,
    r#"{"id":-9223372036854775808}"#,
    r#"{"id":-9223372036854775809}"#,
    r#"{"id":-0}"#,
    r#"{"id":1.0}"#,
    r#"{"id":1e2}"#,
    r#"{"id":1e400}"#,
    r#"{"id":"1"}"#,
    r#"{"id":[1]}"#,
    r#"{"id":{"a":1}}"#,
    r#"{"id":true}"#,
    r#"{"id":null}"#,
    r#"{"id":nul}"#,
    r#"{"id":tru}"#,
    r#"{"id":"\ud800"}"#,
    r#"{"id":-"x"}"#,
    r#"{"roles":"admin"}"#,
    r#"{"roles":[1]}"#,
    r#"{"roles":[[]]}"#,
    r#"{"roles":[{}]}"#,
    r#"{"roles":[null]}"#,
    r#"{"roles":[]}"#,
    r#"{"roles":["a",]}"#,
    r#"{"roles":["a" "b"]}"#,
    r#"{"roles":null}"#,
    r#"{"roles":{}}"#,
    r#"{"aud":5,"exp":"x"}"#,
    r#"{"aud":5}"#,
    r#"{"aud":5 }"#,
    r#"{"aud":5 ,"x":1}"#,
    r#"{"aud":null}"#,
    r#"{"aud":"a"}"#,
    r#"{"aud":[]}"#,
    r#"{"aud":["a",1]}"#,
    r#"{"aud":["a",["b"]]}"#,
    r#"{"aud":[1,1e400]}"#,
    r#"{"aud":{"a":"b"}}"#,
    r#"{"aud":{"a":1e400}}"#,
    r#"{"aud":{"a":"\ud800"}}"#,
    r#"{"aud":{1:2}}"#,
    r#"{"aud":["a","\ud800"]}"#,
    r#"{"iss":1}"#,
    r#"{"iss":1.5e3}"#,
    r#"{"iss":[]}"#,
    r#"{"iss":null,"sub":null,"jti":null}"#,
    r#"{"sub":"\u0000"}"#,
    r#"{"unknown":{"deep":[1,{"x":"\ud800"}]},"id":1}"#,
    r#"{"unknown":1e400}"#,
    r#"{"unknown":-}"#,
    r#"{"unknown":01}"#,
    r#"{"unknown":1.}"#,
    r#"{"unknown":"\q"}"#,
    r#"{"unknown":[1,]}"#,
    r#"{"unknown":{"a":1,}}"#,
    r#"{"unknown":{"a" 1}}"#,
    r#"{"unknown":{1:1}}"#,
    r#"{"unknown":[}"#,
    r#"{"unknown":{]}"#,
    r#"{"unknown":[[],{},[{}],{"a":[]}]}"#,
    r#"{"id":1} trailing"#,
    r#"{"id":1}}"#,
    r#"{"id":1"#,
    r#"{"id":1,}"#,
    r#"{"id":}"#,
    r#"{id:1}"#,
    r#"{"id" 1}"#,
    r#"{,"id":1}"#,
    r#"{"id":1 "iat":2}"#,
    "{\"sub\":\"\u{1}\"}",
    "{\"sub\":\"caf\u{e9} \u{1F600}\"}",
    "{\n\"id\":1,\n\"exp\":\"x\"}",
    "{\n\n  \"aud\" : 7 \n}",
    "{\"id\":1,\n \"id\"\n :2}",
    "{",
    "{\"",
    "{\"id",
    "{\"id\"",
    "{\"id\":",
    "{\"exp\":[",
    "{\"exp\":{",
    "{\"aud\":[",
    "{\"aud\":{\"a\"",
];

/// Arrays and objects nested `depth` deep inside `aud`, `exp`, an unknown member and `crit`:
/// around serde_json's limit of 128 for values it reads, and far beyond it for values it skips.
fn nesting_cases() -> Vec<String> {
    let mut out = Vec::new();
    for depth in [1, 2, 125, 126, 127, 128, 129, 1000] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            for name in ["aud", "exp", "roles", "x", "crit", "alg"] {
                out.push(format!(r#"{{"alg":"HS256","{name}":{nested}}}"#));
            }
        }
    }
    out
}

/// A xorshift generator (no dependency), deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// A random value built from the tokens that matter to the readers.
fn random_value(rng: &mut Rng, depth: u32) -> String {
    const SCALARS: &[&str] = &[
        "null",
        "true",
        "false",
        "0",
        "-0",
        "1",
        "-1",
        "1.5",
        "-2.5e3",
        "1e400",
        "1e-400",
        "18446744073709551616",
        "9223372036854775808",
        "-9223372036854775809",
        "0.1e1",
        "\"\"",
        "\"a\"",
        "\"\\u00e9\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud800\"",
        "\"\\n\"",
        "\"admin\"",
        "\"user\"",
        "1795787877",
        "01",
        "1.",
        "\"\\x\"",
        "nul",
        "[",
        "}",
        "",
    ];
    if depth > 3 || !rng.next().is_multiple_of(3) {
        return rng.pick(SCALARS).to_owned();
    }
    let n = rng.next() % 4;
    let items: Vec<String> = (0..n).map(|_| random_value(rng, depth + 1)).collect();
    if rng.next().is_multiple_of(2) {
        format!("[{}]", items.join(rng.pick(&[",", ",", " , ", ""])))
    } else {
        let members: Vec<String> = items
            .iter()
            .map(|v| format!("{}:{v}", random_name(rng)))
            .collect();
        format!("{{{}}}", members.join(","))
    }
}

fn random_name(rng: &mut Rng) -> &'static str {
    rng.pick(&[
        "\"id\"",
        "\"roles\"",
        "\"iat\"",
        "\"nbf\"",
        "\"exp\"",
        "\"aud\"",
        "\"iss\"",
        "\"sub\"",
        "\"jti\"",
        "\"alg\"",
        "\"kid\"",
        "\"typ\"",
        "\"crit\"",
        "\"b64\"",
        "\"x\"",
        "\"\\u0069d\"",
        "\"\\ud800\"",
    ])
}

fn random_object(rng: &mut Rng) -> String {
    let n = rng.next() % 6;
    let members: Vec<String> = (0..n)
        .map(|_| {
            let ws = rng.pick(&["", " ", "\n", "\t "]);
            format!(
                "{ws}{}{ws}:{ws}{}{ws}",
                random_name(rng),
                random_value(rng, 0)
            )
        })
        .collect();
    let tail = rng.pick(&["", "", "", " ", "\n", "x", ",", "}", "{}"]);
    format!(
        "{{{}}}{tail}",
        members.join(rng.pick(&[",", ",", ", ", ",,"]))
    )
}

#[test]
fn every_vector_reads_the_same_with_both_readers() {
    let corpus = vector_corpus();
    let read = corpus.iter().filter(|b| same(b)).count();
    // Every token vector's header and payload, the session records, JWKS and request bodies.
    assert!(read > 300, "only {read} readable texts in the vectors");
}

#[test]
fn edge_cases_read_the_same() {
    for edge in EDGES {
        assert!(same(edge.as_bytes()), "not readable: {edge}");
    }
    for case in nesting_cases() {
        assert!(same(case.as_bytes()));
    }
}

/// Every power of ten the readers scale by (serde_json's `POW10`, 1e0 … 1e308, which the small
/// reader computes) and past it, up and down, on integer and fraction significands.
#[test]
fn every_decimal_exponent_reads_the_same() {
    for k in 0..=340 {
        for significand in [
            "1",
            "9",
            "1.5",
            "123456789012345678",
            "0.000001",
            "17976931348623157",
        ] {
            for sign in ["", "-", "+"] {
                let text =
                    format!(r#"{{"exp":{significand}e{sign}{k},"iat":-{significand}E{sign}{k}}}"#);
                assert!(same(text.as_bytes()), "{text}");
            }
        }
    }
}

#[test]
fn every_deletion_truncation_and_insertion_reads_the_same() {
    const INSERTS: &[&[u8]] = &[
        b"\"",
        b"\\",
        b",",
        b":",
        b"{",
        b"}",
        b"[",
        b"]",
        b" ",
        b"\n",
        b"0",
        b"-",
        b".",
        b"e",
        b"n",
        b"\x01",
        b"\\u",
        b"\\ud800",
        b"1e400",
        b"\"id\":1,",
    ];
    let mut seeds: Vec<Vec<u8>> = EDGES.iter().map(|e| e.as_bytes().to_vec()).collect();
    seeds.extend(
        vector_corpus()
            .into_iter()
            .filter(|b| readable(b) && b.len() < 160),
    );
    let mut compared = 0usize;
    for seed in &seeds {
        for i in 0..seed.len() {
            let mut deleted = seed.clone();
            deleted.remove(i);
            compared += usize::from(same(&deleted));
            compared += usize::from(same(&seed[..i]));
            for insert in INSERTS {
                let mut inserted = seed.clone();
                inserted.splice(i..i, insert.iter().copied());
                compared += usize::from(same(&inserted));
            }
        }
    }
    eprintln!("{compared} mutants compared");
    assert!(compared > 50_000, "only {compared} mutants compared");
}

#[test]
fn generated_objects_read_the_same() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut outcomes = std::collections::BTreeMap::<&str, usize>::new();
    for _ in 0..60_000 {
        let text = random_object(&mut rng);
        assert!(same(text.as_bytes()));
        let kind = match claims_serde(text.as_bytes()) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        *outcomes.entry(kind).or_default() += 1;
    }
    eprintln!("generated objects: {outcomes:?}");
    // The generator reaches all three outcomes often.
    for kind in ["ok", "malformed", "invalid_claims"] {
        assert!(
            outcomes.get(kind).copied().unwrap_or(0) > 1000,
            "{outcomes:?}"
        );
    }
}

#[test]
fn records_serialize_to_serde_jsons_text() {
    let value: Value = serde_json::from_str(VECTORS).unwrap();
    let mut toks = Vec::new();
    tokens(&value, &mut toks);
    let mut written = 0;
    let weird = "q\"b\\s/\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f}\u{e9}\u{1F600}";
    for t in &toks {
        let Ok(mut token) = inspect(t) else { continue };
        for now in [0, 1_795_787_870, i64::MIN, i64::MAX] {
            let info = Inspection::at(token.clone(), now);
            assert_eq!(info.to_json(), serde_json::to_string(&info).unwrap());
            written += 1;
        }
        token.header.kid = Some(weird.into());
        token.claims.roles = Some(vec![weird.into(), String::new()]);
        token.claims.iss = Some(weird.into());
        token.claims.id = Some(i64::MIN);
        let info = Inspection::at(token.clone(), 0);
        assert_eq!(info.to_json(), serde_json::to_string(&info).unwrap());
        // Every ASCII character, each at the start, inside a run and at the end of a string.
        for c in (0u8..0x80).map(char::from) {
            token.header.kid = Some(format!("{c}a{c}\u{e9}{c}{c}\u{1F600}{c}"));
            let info = Inspection::at(token.clone(), 0);
            assert_eq!(info.to_json(), serde_json::to_string(&info).unwrap());
        }
    }
    assert!(written > 100, "{written}");
}

/// What a JWKS read yields, for comparison: the keys (kid, algorithm) or the error.
fn keys_of(read: Result<KeySet, KeyError>) -> Result<Vec<(Option<String>, Algorithm)>, KeyError> {
    read.map(|set| {
        set.keys()
            .iter()
            .map(|k| (k.kid().map(str::to_owned), k.algorithm()))
            .collect()
    })
}

/// A session a refresh response is applied to.
fn base_session() -> Session {
    Session {
        user: SessionUser {
            id: 7,
            username: "u".into(),
            email: "e@x.io".into(),
            roles: vec!["ROLE_USER".into()],
        },
        access_token: "a0".into(),
        refresh_token: Some("r0".into()),
    }
}

/// Compares both readers on `bytes` read as a JWKS, a signin response, a refresh response and a
/// stored session; true when it was UTF-8 (the readers take `&str`).
fn same_documents(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    assert_eq!(
        keys_of(jwks_small(text)),
        keys_of(jwks_serde(text)),
        "jwks: {text:?}"
    );
    let signin = sessions::signin_small(text);
    assert_eq!(signin, sessions::signin_serde(text), "signin: {text:?}");
    let stored = sessions::stored_small(text);
    assert_eq!(stored, sessions::stored_serde(text), "stored: {text:?}");
    let base = base_session();
    assert_eq!(
        sessions::refresh_small(&base, text),
        sessions::refresh_serde(&base, text),
        "refresh: {text:?}"
    );
    for session in [signin, stored].into_iter().flatten() {
        assert_eq!(
            sessions::to_json_small(&session),
            sessions::to_json_serde(&session)
        );
        assert_eq!(
            session.user.to_json(),
            serde_json::to_string(&session.user).unwrap()
        );
    }
    true
}

const ED: &str = r#""kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo""#;
const EC: &str = r#""kty":"EC","crv":"P-256","x":"axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY","y":"T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU""#;

/// Hand-written JWKS and session documents: both forms of a struct (object and serde's array),
/// every field type wrong, missing, repeated or null, and every place a text can break.
fn document_edges() -> Vec<String> {
    let mut out: Vec<String> = [
        "",
        " ",
        "\n",
        "null",
        "nul",
        "true",
        "1",
        "-",
        "1.5",
        "\"x\"",
        "\"\\ud800\"",
        "{",
        "[",
        "{}",
        "[]",
        "[[]]",
        "[[],1]",
        "[[],]",
        "[[] 1]",
        "[[]",
        "[[]}",
        "{}}",
        "{} x",
        "{,}",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\" 1}",
        "{1:1}",
        "{\"a\":1,}",
        "{\"a\":1 \"b\":2}",
        "{\"keys\":[]}",
        "{\"keys\":[],\"keys\":[]}",
        "{\"keys\":[] , \"keys\"}",
        "{\"keys\":null}",
        "{\"keys\":{}}",
        "{\"keys\":\"x\"}",
        "{\"keys\":1e400}",
        "{\"keys\":[1e400]}",
        "{\"keys\":[\"\\ud800\"]}",
        "{\"keys\":[{\"a\":1,}]}",
        "{\"keys\":[[1,]]}",
        "{\"keys\":[],\"x\":[1,{\"a\":[}]}",
        "{\"keys\":[],\"x\":\"\\q\"}",
        "{\"keys\":[],\"x\":\"\u{1}\"}",
        "{\"keys\":[\"\u{1}\"]}",
        "{\"keys\":[],\"x\":-}",
        "{\"keys\":[],\"x\":01}",
        "{\"keys\":[],\"x\":1.}",
        "{\"keys\":[],\"x\":1e}",
        "{\"keys\":[],\"x\":1e400}",
        "{\"keys\":[-]}",
        "{\"keys\":[01]}",
        "{\"keys\":[1.]}",
        "{\"keys\":[1e]}",
        "{\"keys\":[1e+]}",
        "{\"keys\":[tru]}",
        "{\"keys\":[\"\\u12\"]}",
        "{\"keys\":[\"\\uZZZZ\"]}",
        "{\"keys\":[\"\\ud83d\\u0041\"]}",
        "{\"keys\":[\"\\ud83dx\"]}",
        "{\"keys\":[\"\\ud83d\"]}",
        "{\"keys\":[\"\\ud83d\\",
        "{\"keys\":[\"\\ud83d",
        "{\"keys\":[\"\\u",
        "{\"keys\":[\"\\",
        "{\"keys\":[\"",
        "{\"keys\":[",
        "{\"keys\":",
        "{\"keys\"",
        "{\"keys",
        "{\"",
        "{\n  \"keys\": [\n    {\"kty\": 5}\n  ]\n}",
        "{\n\"keys\":\n[1,\n2\n]\n,\n\"keys\"\n:[]}",
        r#"{"id":1,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":1,"username":"u","email":"e","roles":[],"accessToken":"t","refreshToken":"r"}"#,
        r#"{"id":1,"username":"u","email":"e","roles":[],"accessToken":"t","refreshToken":null}"#,
        r#"{"id":1,"username":"u","email":"e","roles":[],"accessToken":"t","refreshToken":""}"#,
        r#"{"id":1,"username":"u","email":"e","roles":[],"accessToken":""}"#,
        r#"{"id":1,"username":"u","email":"e","roles":[],"accessToken":null}"#,
        r#"{"id":1,"username":"u","email":"e","roles":[],"accessToken":"t","refreshToken":1}"#,
        r#"{"id":1,"username":"u","email":"e","roles":["ROLE_USER","ROLE_ADMIN"],"accessToken":"t","x":[{}]}"#,
        r#"{"id":1,"username":"u","email":"e","roles":[],"accessToken":"t","id":2}"#,
        r#"{"id":1,"username":"u","email":"e","roles":[],"accessToken":"t","accessToken"}"#,
        r#"{"id":1,"username":"u","email":"e","roles":[]}"#,
        r#"{"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":-0,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":-1,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":1.0,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":1e2,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":9007199254740993,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":9223372036854775807,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":9223372036854775808,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":-9223372036854775808,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":-9223372036854775809,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":18446744073709551616,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":"1","username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":[1],"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":{},"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":null,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":true,"username":"u","email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":1,"username":5,"email":"e","roles":[],"accessToken":"t"}"#,
        r#"{"id":1,"username":"u","email":null,"roles":[],"accessToken":"t"}"#,
        r#"{"id":1,"username":"u","email":"e","roles":"ROLE_USER","accessToken":"t"}"#,
        r#"{"id":1,"username":"u","email":"e","roles":[1],"accessToken":"t"}"#,
        r#"{"id":1,"username":"u","email":"e","roles":null,"accessToken":"t"}"#,
        r#"{"id":1,"username":"u","email":"e","roles":["a",],"accessToken":"t"}"#,
        r#"{"id":1,"username":"\u00e9\ud83d\ude00\n","email":"e","roles":[],"accessToken":"t"}"#,
        r#"[1,"u","e",[],"t"]"#,
        r#"[1,"u","e",[],"t","r"]"#,
        r#"[1,"u","e",[],"t",null]"#,
        r#"[1,"u","e",[],"t","r",1]"#,
        r#"[1,"u","e",[],"t","r",]"#,
        r#"[1,"u","e",[],"t","r" 1]"#,
        r#"[1,"u","e",[],"t","r"}"#,
        r#"[1,"u","e",[],"t","r""#,
        r#"[1,"u","e",[],"t","#,
        r#"[1,"u","e",[]]"#,
        r#"[1,"u","e",[] ]"#,
        r#"[1,"u"]"#,
        r#"[1]"#,
        r#"["t"]"#,
        r#"["t","r"]"#,
        r#"["t","r",1]"#,
        r#"["t",1]"#,
        r#"[1,"u","e",[],5]"#,
        r#"{"accessToken":"t"}"#,
        r#"{"accessToken":"t","refreshToken":"r"}"#,
        r#"{"accessToken":"t","refreshToken":null}"#,
        r#"{"accessToken":"t","refreshToken":""}"#,
        r#"{"accessToken":""}"#,
        r#"{"accessToken":"t","accessToken":"u"}"#,
        r#"{"refreshToken":"r"}"#,
        r#"{"user":{"id":1,"username":"u","email":"e","roles":["ROLE_USER"]},"accessToken":"t","refreshToken":"r"}"#,
        r#"{"user":{"id":1,"username":"u","email":"e","roles":[]},"accessToken":"t"}"#,
        r#"{"user":[1,"u","e",[]],"accessToken":"t"}"#,
        r#"{"user":[1,"u","e"],"accessToken":"t"}"#,
        r#"{"user":[1,"u","e",[],1],"accessToken":"t"}"#,
        r#"[[1,"u","e",[]],"t"]"#,
        r#"[[1,"u","e",[]],"t",null]"#,
        r#"[[1,"u","e",[]],"t","r"]"#,
        r#"[{"id":1,"username":"u","email":"e","roles":[]},"t"]"#,
        r#"{"user":{"id":1,"username":"u","email":"e"},"accessToken":"t"}"#,
        r#"{"user":{"id":1,"username":"u","email":"e","roles":[],"id":1},"accessToken":"t"}"#,
        r#"{"user":{"id":1,"username":"u","email":"e","roles":[]} ,"user":1}"#,
        r#"{"user":null,"accessToken":"t"}"#,
        r#"{"user":"x","accessToken":"t"}"#,
        r#"{"user":{"id":1,"username":"u","email":"e","roles":[]},"accessToken":5}"#,
        r#"{"user":{},"accessToken":"t"}"#,
        r#"{"user":{ },"accessToken":"t"}"#,
        r#"{"user":[],"accessToken":"t"}"#,
        r#"{"user":[ ] ,"accessToken":"t"}"#,
        "{\"user\":{\"id\":1,\n\"username\":\"u\",\n\"email\":\"e\",\"roles\":[\n]},\n\"accessToken\":7}",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    out.extend([
        format!(r#"{{"keys":[{{{ED},"kid":"e"}},{{{EC},"kid":"p"}}]}}"#),
        format!(r#"{{"keys":[{{{ED}}},{{{EC}}}],"other":[1,{{"a":null}}]}}"#),
        format!(r#"{{"keys":[{{{ED},"kid":"a","kid":"b"}}]}}"#),
        format!(r#"{{"keys":[{{{ED},"kid":5}}]}}"#),
        format!(r#"{{"keys":[{{{ED},"n":1e400}}]}}"#),
        format!(r#"[[{{{ED}}}]]"#),
        format!(r#"[[{{{ED}}}],1]"#),
        format!(r#"{{"keys":[{{{ED},"kid":"a"}},{{{ED},"kid":"a"}}]}}"#),
        r#"{"keys":[["OKP","k1",null,null,"Ed25519","11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"]]}"#.to_owned(),
        format!("{{\"keys\":[{}]}}", vec![format!("{{{ED}}}"); 65].join(",")),
        format!("{{\"keys\":[{}1{}]}}", "[".repeat(126), "]".repeat(126)),
        format!("{{\"keys\":[{}1{}]}}", "[".repeat(127), "]".repeat(127)),
        format!("{{\"keys\":[],\"x\":{}1{}}}", "[".repeat(300), "]".repeat(300)),
        format!("{}{{\"keys\":[]}}{}", "[".repeat(127), "]".repeat(127)),
        format!("{}{{\"keys\":[]}}{}", "[".repeat(128), "]".repeat(128)),
        format!(
            r#"{{"user":{{"id":1,"username":"u","email":"e","roles":[{}]}},"accessToken":"t"}}"#,
            "[".repeat(130)
        ),
        format!("{{\"keys\":[],\"x\":\"{}\"}}", "a".repeat(70_000)),
    ]);
    out
}

/// Every JSON text in the vectors (JWKS documents, signin and refresh responses, stored sessions).
fn document_corpus() -> Vec<Vec<u8>> {
    let mut corpus = vector_corpus();
    for file in [VECTORS, SESSIONS] {
        let value: Value = serde_json::from_str(file).unwrap();
        let mut texts = Vec::new();
        strings(&value, &mut texts);
        corpus.extend(texts.into_iter().map(String::into_bytes));
    }
    corpus
}

/// Every string in `value` that is JSON text, and every value as compact JSON.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            out.push(value.to_string());
            map.values().for_each(|v| strings(v, out));
        }
        Value::Array(items) => {
            out.push(value.to_string());
            items.iter().for_each(|v| strings(v, out));
        }
        Value::String(s) if serde_json::from_str::<Value>(s).is_ok() => out.push(s.clone()),
        _ => {}
    }
}

#[test]
fn documents_read_and_write_the_same_with_both_readers() {
    let mut read = 0;
    for doc in document_corpus() {
        read += usize::from(same_documents(&doc));
    }
    for doc in document_edges() {
        assert!(same_documents(doc.as_bytes()), "{doc:.80}");
        read += 1;
    }
    assert!(read > 500, "only {read} documents");
    // The vectors' own documents are read successfully (not only refused alike).
    let jwks = serde_json::from_str::<Value>(VECTORS).unwrap()["keys"]["jwks"]["jwks"].to_string();
    assert_eq!(jwks_small(&jwks).unwrap().keys().len(), 3);
    let value: Value = serde_json::from_str(SESSIONS).unwrap();
    let mut texts = Vec::new();
    strings(&value, &mut texts);
    let signins = texts
        .iter()
        .filter(|t| sessions::signin_small(t).is_ok())
        .count();
    let stored = texts
        .iter()
        .filter(|t| sessions::stored_small(t).is_ok())
        .count();
    assert!(
        signins > 10 && stored > 10,
        "{signins} signins, {stored} stored"
    );
}

#[test]
fn every_document_deletion_truncation_and_insertion_reads_the_same() {
    const INSERTS: &[&[u8]] = &[
        b"\"", b"\\", b",", b":", b"{", b"}", b"[", b"]", b" ", b"\n", b"0", b"-", b".", b"e",
        b"n", b"\x01", b"\\u", b"\\ud800", b"1e400", b"null,",
    ];
    let mut seeds: Vec<Vec<u8>> = document_edges()
        .into_iter()
        .filter(|d| d.len() < 200)
        .map(String::into_bytes)
        .collect();
    seeds.extend(
        document_corpus()
            .into_iter()
            .filter(|b| b.len() < 200 && std::str::from_utf8(b).is_ok()),
    );
    seeds.sort();
    seeds.dedup();
    let mut compared = 0usize;
    for seed in &seeds {
        for i in 0..seed.len() {
            let mut deleted = seed.clone();
            deleted.remove(i);
            compared += usize::from(same_documents(&deleted));
            compared += usize::from(same_documents(&seed[..i]));
            for insert in INSERTS {
                let mut inserted = seed.clone();
                inserted.splice(i..i, insert.iter().copied());
                compared += usize::from(same_documents(&inserted));
            }
        }
    }
    eprintln!("{compared} document mutants compared");
    assert!(compared > 50_000, "only {compared} mutants compared");
}

/// A random document: an object or an array of the shapes' field names and random values.
fn random_document(rng: &mut Rng) -> String {
    const NAMES: &[&str] = &[
        "\"keys\"",
        "\"id\"",
        "\"username\"",
        "\"email\"",
        "\"roles\"",
        "\"accessToken\"",
        "\"refreshToken\"",
        "\"user\"",
        "\"kty\"",
        "\"x\"",
        "\"\\u0069d\"",
    ];
    let n = rng.next() % 7;
    let values: Vec<String> = (0..n)
        .map(|_| match rng.next() % 5 {
            0 => format!("{{{ED}}}"),
            1 => "[1,\"u\",\"e\",[\"ROLE_USER\"]]".to_owned(),
            _ => random_value(rng, 0),
        })
        .collect();
    let tail = rng.pick(&["", "", "", " ", "\n", "x", ",", "}", "]"]);
    if rng.next().is_multiple_of(3) {
        return format!("[{}]{tail}", values.join(rng.pick(&[",", ",", ", ", ",,"])));
    }
    let members: Vec<String> = values
        .iter()
        .map(|v| format!("{}:{v}", rng.pick(NAMES)))
        .collect();
    format!(
        "{{{}}}{tail}",
        members.join(rng.pick(&[",", ",", ", ", ",,"]))
    )
}

#[test]
fn generated_documents_read_the_same() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for _ in 0..20_000 {
        let text = random_document(&mut rng);
        assert!(same_documents(text.as_bytes()));
        for (shape, result) in [
            (
                "signin",
                sessions::signin_serde(&text)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            ),
            (
                "stored",
                sessions::stored_serde(&text)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            ),
            (
                "jwks",
                jwks_serde(&text).map(|_| ()).map_err(|e| e.to_string()),
            ),
        ] {
            let kind = match result {
                Ok(()) => "ok",
                Err(e) if e.contains("wrong type") => "data",
                Err(e) if e.contains("ends early") => "eof",
                Err(_) => "other",
            };
            *outcomes.entry(format!("{shape} {kind}")).or_default() += 1;
        }
    }
    eprintln!("generated documents: {outcomes:?}");
    // Every shape is refused for both kinds of reasons, and read successfully, often.
    for (key, least) in [
        ("jwks ok", 20),
        ("stored ok", 5),
        ("jwks data", 1000),
        ("jwks other", 1000),
        ("signin data", 1000),
        ("signin other", 1000),
        ("stored data", 1000),
    ] {
        assert!(
            outcomes.get(key).copied().unwrap_or(0) > least,
            "{key}: {outcomes:?}"
        );
    }
}

#[test]
fn verified_claims_serialize_to_serde_jsons_text() {
    use authcore::tokens::{VerifiedClaims, VerifiedToken};
    let value: Value = serde_json::from_str(VECTORS).unwrap();
    let mut toks = Vec::new();
    tokens(&value, &mut toks);
    let weird = "q\"b\\s/\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f}\u{e9}\u{1F600}";
    let mut written = 0;
    for t in &toks {
        let Ok(token) = inspect(t) else { continue };
        let mut claims = VerifiedClaims::from(VerifiedToken {
            header: token.header,
            claims: token.claims,
        });
        assert_eq!(claims.to_json(), serde_json::to_string(&claims).unwrap());
        claims.kid = Some(weird.into());
        claims.roles = Some(vec![weird.into(), String::new()]);
        claims.aud = Some(vec![]);
        claims.id = Some(i64::MIN);
        assert_eq!(claims.to_json(), serde_json::to_string(&claims).unwrap());
        written += 1;
    }
    assert!(written > 50, "{written}");
}
