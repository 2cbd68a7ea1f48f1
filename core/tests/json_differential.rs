//! The small JSON reader (`small-json`) against serde_json, side by side: every header and payload
//! in `tests/vectors`, every JSON object those files hold, hand-written edge cases, every
//! single-byte deletion, truncation and insertion of them, and generated texts. Each must give the
//! same header, the same claims or the same error (code and message, which carries serde_json's
//! position); `Inspection` must serialize to the same text with and without serde.
// Helpers outside `#[test]` functions too: a broken vectors file must fail the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use authcore::tokens::differential::{claims_serde, claims_small, header_serde, header_small};
use authcore::tokens::{Inspection, inspect};
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
        let info = Inspection::at(token, 0);
        assert_eq!(info.to_json(), serde_json::to_string(&info).unwrap());
    }
    assert!(written > 100, "{written}");
}
