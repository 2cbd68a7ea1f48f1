//! `inspectToken`, `isExpired`, `hasRole`: reading a token without a key.
//!
//! The answers are computed here for both modules. The whole package exports them through
//! wasm-bindgen, `inspectToken`'s record as an object `JSON.parse`d from the text core writes; the
//! `authcore/inspect` module through plain exports (`inspect_abi`), its record written as bytes
//! the JS entries read back into the same object.

use authcore::tokens::{Inspection, UnverifiedToken, inspect};
#[cfg(feature = "verify")]
use wasm_bindgen::prelude::*;

use crate::args::{non_negative_seconds_arg, whole_number_arg};
#[cfg(feature = "verify")]
use crate::clock;
use crate::error::BindingError;
#[cfg(feature = "verify")]
use crate::json::string_arg;

fn inspected(token: &str) -> Result<UnverifiedToken, BindingError> {
    Ok(inspect(token)?)
}

/// `inspectToken`'s answer: the token read, then `now_seconds` checked (`clock` when absent).
pub(crate) fn inspection(
    token: &str,
    now_seconds: Option<f64>,
    clock: impl FnOnce() -> i64,
) -> Result<Inspection, BindingError> {
    let t = inspected(token)?;
    let now = whole_number_arg(now_seconds, "nowSeconds")?.unwrap_or_else(clock);
    Ok(Inspection::at(t, now))
}

/// `isExpired`'s answer: the token read, then the leeway and `now_seconds` checked, in that order.
pub(crate) fn expired(
    token: &str,
    leeway_seconds: Option<f64>,
    now_seconds: Option<f64>,
    clock: impl FnOnce() -> i64,
) -> Result<bool, BindingError> {
    let t = inspected(token)?;
    let leeway = non_negative_seconds_arg(leeway_seconds, "leewaySeconds")?.unwrap_or(0);
    let now = whole_number_arg(now_seconds, "nowSeconds")?.unwrap_or_else(clock);
    Ok(t.claims.is_expired_at(now, leeway))
}

/// `hasRole`'s answer.
pub(crate) fn role(token: &str, role: &str) -> Result<bool, BindingError> {
    Ok(inspected(token)?.claims.has_role(role))
}

/// Decodes a token's header and claims **without verifying** its signature or times: for showing
/// who is signed in or deciding when to refresh, never for granting access.
///
/// Throws `AuthcoreError` with code `token_too_large`, `malformed`, `unsupported_header` or
/// `invalid_claims`.
#[cfg(feature = "verify")]
#[wasm_bindgen(js_name = inspectToken, unchecked_return_type = "Inspection")]
pub fn inspect_token(
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(
        js_name = nowSeconds,
        unchecked_optional_param_type = "number",
        param_description = "the time to judge `expired`/`secondsLeft` at; defaults to `Date.now()`"
    )]
    now_seconds: Option<f64>,
) -> Result<JsValue, BindingError> {
    let token = string_arg(&token, "token")?;
    let inspection = inspection(&token, now_seconds, clock::now)?;
    // The same object either way: `to_json` writes serde_json's text (checked in the core).
    #[cfg(feature = "small-json")]
    return crate::json::json_to_js(&inspection.to_json());
    #[cfg(not(feature = "small-json"))]
    return crate::json::to_js(&inspection);
}

/// Whether the token's `exp` is past, allowing `leewaySeconds` (default 0). False when the token
/// has no `exp`. Reads the token **without verifying** it.
///
/// Throws `AuthcoreError` like `inspectToken`, or `invalid_argument` for a negative leeway.
#[cfg(feature = "verify")]
#[wasm_bindgen(js_name = isExpired)]
pub fn is_expired(
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(js_name = leewaySeconds, unchecked_optional_param_type = "number")]
    leeway_seconds: Option<f64>,
    #[wasm_bindgen(js_name = nowSeconds, unchecked_optional_param_type = "number")]
    now_seconds: Option<f64>,
) -> Result<bool, BindingError> {
    expired(
        &string_arg(&token, "token")?,
        leeway_seconds,
        now_seconds,
        clock::now,
    )
}

/// Whether the token's `roles` claim names `role` exactly (`"admin"`). Reads the token **without
/// verifying** it: use it to shape a UI, and let the server decide access.
///
/// Throws `AuthcoreError` like `inspectToken`.
#[cfg(feature = "verify")]
#[wasm_bindgen(js_name = hasRole)]
pub fn has_role(
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] role: JsValue,
) -> Result<bool, BindingError> {
    let token = string_arg(&token, "token")?;
    self::role(&token, &string_arg(&role, "role")?)
}

#[cfg(all(test, feature = "verify"))]
mod tests {
    use authcore::tokens::{Inspection, VerifiedClaims, VerifyOptions};
    use tsify::Tsify;

    /// The member names of a generated TypeScript interface, in order.
    fn members(decl: &str) -> Vec<String> {
        decl.lines()
            .filter_map(|line| line.trim().split_once(':'))
            .filter(|(name, _)| !name.starts_with('*') && !name.starts_with('/'))
            .map(|(name, _)| name.trim_end_matches('?').to_owned())
            .collect()
    }

    #[test]
    fn the_typescript_interfaces_name_what_the_records_serialize() {
        let inspection = serde_json::to_value(Inspection::at(
            authcore::tokens::inspect("eyJhbGciOiJ4In0.e30.").unwrap(),
            0,
        ))
        .unwrap();
        let names: Vec<String> = inspection.as_object().unwrap().keys().cloned().collect();
        let mut declared = members(Inspection::DECL);
        declared.sort();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(declared, sorted, "{}", Inspection::DECL);
        assert!(Inspection::DECL.contains("secondsLeft: number | null;"));
        assert!(!Inspection::DECL.contains(": any"));
        assert!(VerifiedClaims::DECL.contains("aud: string[] | null;"));
        assert!(VerifyOptions::DECL.contains("leewaySeconds?: number;"));
    }
}

/// The inspect cases of `bindings/js/test/inspect-cases.json`: tokens (the vectors', edge cases
/// and generated ones), each with the answer of the path `inspectToken` took before the record
/// (the serde_json text of the `Inspection` that JS then `JSON.parse`d, or the error's code and
/// message). The JS tests hold `inspectToken` to these texts in Node and Chromium.
#[cfg(test)]
mod cases {
    use authcore::tokens::{Inspection, MAX_TOKEN_BYTES, inspect};
    use serde_json::{Value, json};

    use crate::error::BindingError;

    const FILE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../bindings/js/test/inspect-cases.json"
    );

    /// Unpadded base64url.
    fn b64u(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
            }
        }
        out
    }

    fn token(header: &[u8], payload: &[u8]) -> String {
        format!("{}.{}.c2ln", b64u(header), b64u(payload))
    }

    const HS: &[u8] = br#"{"alg":"HS256","typ":"JWT"}"#;

    /// A small deterministic generator (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a>(&mut self, all: &[&'a str]) -> &'a str {
            all[self.below(all.len())]
        }
    }

    /// A JSON string literal of random code points: ASCII, escapes, BMP, astral, lone surrogate
    /// escapes (refused by the readers), BOM, line separators.
    fn random_string(rng: &mut Rng) -> String {
        let mut s = String::from("\"");
        for _ in 0..rng.below(80) {
            match rng.below(12) {
                0 => s.push_str(rng.pick(&["\\n", "\\\"", "\\\\", "\\/", "\\t", "\\u0000", "\\b"])),
                1 => s.push_str(rng.pick(&["\\ud83d\\ude00", "\\u00e9", "\\uFEFF", "\\u2028"])),
                2 => s.push_str(rng.pick(&["é", "ß", "€", "\u{feff}", "\u{2028}", "中"])),
                3 => s.push_str(rng.pick(&["😀", "\u{10ffff}", "𝄞"])),
                4 if rng.below(20) == 0 => s.push_str(rng.pick(&["\\ud800", "\\udc00x"])),
                _ => match char::from(b' ' + rng.below(95) as u8) {
                    '"' | '\\' => s.push('q'),
                    c => s.push(c),
                },
            }
        }
        s.push('"');
        s
    }

    fn random_number(rng: &mut Rng) -> String {
        rng.pick(&[
            "0",
            "-0",
            "1",
            "-1",
            "7",
            "1795701477",
            "1795787877",
            "9007199254740991",
            "9007199254740992",
            "9007199254740993",
            "9007199254740995",
            "-9007199254740993",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551616",
            "1e3",
            "1.0",
            "1.5",
            "-1.5",
            "0.1",
            "1e400",
            "-1e400",
            "1E2",
            "2.5e9",
            "123456789012345678901234567890",
            "-0.0",
            "1795701477.999",
            "4e-400",
        ])
        .to_owned()
    }

    fn random_value(rng: &mut Rng, depth: usize) -> String {
        match rng.below(if depth > 2 { 5 } else { 8 }) {
            0 | 1 => random_number(rng),
            2 | 3 => random_string(rng),
            4 => rng.pick(&["null", "true", "false"]).to_owned(),
            5 | 6 => {
                let items: Vec<String> = (0..rng.below(4))
                    .map(|_| random_value(rng, depth + 1))
                    .collect();
                format!("[{}]", items.join(","))
            }
            _ => {
                let members: Vec<String> = (0..rng.below(3))
                    .map(|_| format!("{}:{}", random_string(rng), random_value(rng, depth + 1)))
                    .collect();
                format!("{{{}}}", members.join(","))
            }
        }
    }

    /// A claims object of random known and unknown members, mostly of the right types.
    fn random_claims(rng: &mut Rng) -> String {
        let names = [
            "id", "roles", "iat", "nbf", "exp", "aud", "iss", "sub", "jti", "name", "x",
        ];
        let mut members = Vec::new();
        for _ in 0..rng.below(9) {
            let name = rng.pick(&names);
            let right = rng.below(6) != 0;
            let value = match name {
                "id" | "iat" | "nbf" | "exp" if right => random_number(rng),
                "roles" | "aud" if right => {
                    let items: Vec<String> =
                        (0..rng.below(5)).map(|_| random_string(rng)).collect();
                    if name == "aud" && rng.below(3) == 0 {
                        random_string(rng)
                    } else {
                        format!("[{}]", items.join(","))
                    }
                }
                "iss" | "sub" | "jti" if right => {
                    if name == "sub" && rng.below(2) == 0 {
                        format!("\"{}\"", random_number(rng))
                    } else {
                        random_string(rng)
                    }
                }
                _ => random_value(rng, 0),
            };
            members.push(format!("\"{name}\":{value}"));
        }
        let space = rng.pick(&["", " ", "\n\t "]);
        format!("{{{space}{}{space}}}", members.join(&format!(",{space}")))
    }

    fn random_header(rng: &mut Rng) -> String {
        let mut members = vec![format!(
            "\"alg\":{}",
            if rng.below(8) == 0 {
                random_value(rng, 0)
            } else {
                format!(
                    "\"{}\"",
                    rng.pick(&["HS256", "EdDSA", "ES256", "none", "é"])
                )
            }
        )];
        if rng.below(2) == 0 {
            members.push(format!(
                "\"kid\":{}",
                if rng.below(6) == 0 {
                    random_value(rng, 0)
                } else {
                    random_string(rng)
                }
            ));
        }
        if rng.below(2) == 0 {
            members.push(format!(
                "\"typ\":{}",
                if rng.below(6) == 0 {
                    random_value(rng, 0)
                } else {
                    random_string(rng)
                }
            ));
        }
        if rng.below(10) == 0 {
            members.push(format!("{}:{}", random_string(rng), random_value(rng, 0)));
        }
        if rng.below(12) == 0 {
            members.push(members[0].clone());
        }
        if rng.below(2) == 0 {
            members.reverse();
        }
        format!("{{{}}}", members.join(","))
    }

    /// Hand-picked payloads (with the seed's header): the edge cases of numbers, strings, lists,
    /// duplicates and sizes.
    fn edge_payloads() -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        for n in [
            "0",
            "-0",
            "1",
            "-1",
            "9007199254740991",
            "9007199254740992",
            "9007199254740993",
            "-9007199254740993",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "1.0",
            "1.5",
            "-1.5",
            "1e3",
            "1e400",
            "-0.0",
            "0.5",
            "\"1\"",
            "null",
            "true",
            "[]",
            "{}",
        ] {
            for claim in ["id", "iat", "nbf", "exp"] {
                all.push(format!("{{\"{claim}\":{n}}}"));
            }
        }
        for sub in [
            "42",
            "-42",
            "+42",
            "042",
            " 42",
            "42 ",
            "-0",
            "0",
            "9223372036854775807",
            "9223372036854775808",
            "9007199254740993",
            "١٢",
            "",
        ] {
            all.push(format!("{{\"sub\":\"{sub}\"}}"));
            all.push(format!("{{\"sub\":\"{sub}\",\"id\":5}}"));
        }
        let strings = [
            r#""""#,
            r#""\u0000""#,
            r#""\"\\\/\b\f\n\r\t""#,
            r#""\ud83d\ude00""#,
            r#""\ud800""#,
            r#""\udc00""#,
            r#""\ud800\ud800""#,
            r#""\uFEFFiss""#,
            "\"\u{feff}iss\"",
            "\"é\"",
            "\"😀\"",
            "\"\u{2028}\u{2029}\"",
            r#""\u2028""#,
            "\"\u{7f}\"",
            "\"\u{80}\"",
            "\"\u{10ffff}\"",
        ];
        for s in strings {
            for claim in ["iss", "sub", "jti", "roles", "aud"] {
                if claim == "roles" || claim == "aud" {
                    all.push(format!("{{\"{claim}\":[{s},{s}]}}"));
                }
                all.push(format!("{{\"{claim}\":{s}}}"));
            }
        }
        // Strings around the JS reader's 64-byte switch, ASCII and not.
        for n in [62, 63, 64, 65, 200] {
            all.push(format!("{{\"iss\":\"{}\"}}", "a".repeat(n)));
            all.push(format!("{{\"iss\":\"{}é\"}}", "a".repeat(n - 2)));
            all.push(format!("{{\"iss\":\"é{}\"}}", "a".repeat(n - 2)));
        }
        all.extend(
            [
                r#"{"roles":[]}"#,
                r#"{"roles":[""]}"#,
                r#"{"roles":["user","admin"]}"#,
                r#"{"roles":[1]}"#,
                r#"{"roles":"admin"}"#,
                r#"{"roles":null}"#,
                r#"{"roles":[null]}"#,
                r#"{"aud":"x"}"#,
                r#"{"aud":[]}"#,
                r#"{"aud":["x","y"]}"#,
                r#"{"aud":[1]}"#,
                r#"{"aud":null}"#,
                r#"{"aud":{}}"#,
                r#"{"id":1,"id":2}"#,
                r#"{"exp":1,"exp":2}"#,
                r#"{"roles":["a"],"roles":["b"]}"#,
                r#"{"iss":"a","iss":"b"}"#,
                r#"{"x":1,"x":2}"#,
                r#"{"id":1,"x":{"id":2}}"#,
                r#"{"x":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}"#,
                r#"{}"#,
                " {\"id\":3} ",
                "{\"id\":3}\n",
                r#"{"id":3}x"#,
                r#"{"id":3,}"#,
                r#"{"id":3"#,
                r#"{"id":03}"#,
                r#"{"id":+3}"#,
                r#"{"id":.5}"#,
                r#"{"id":1.}"#,
                "{\"iss\":\"a\u{1}b\"}",
                "{\"iss\":\"tab\there\"}",
                r#"{"iss":"\x41"}"#,
                r#"{"iss":"\u00"}"#,
                r#"{"ID":1,"Exp":2}"#,
                r#"{"exp":1795787877,"iat":1795701477,"id":1}"#,
                "\u{feff}{\"id\":1}",
            ]
            .map(String::from),
        );
        // Many roles, and a claim near the size limit.
        let many: Vec<String> = (0..1000).map(|i| format!("\"r{i}\"")).collect();
        all.push(format!("{{\"roles\":[{}]}}", many.join(",")));
        all.push(format!("{{\"roles\":[{}]}}", vec!["\"\""; 2000].join(",")));
        all
    }

    /// Raw payload bytes that are not UTF-8, or not JSON objects.
    fn bad_bytes() -> Vec<Vec<u8>> {
        vec![
            b"{\"iss\":\"\xff\"}".to_vec(),
            b"{\"x\":\"\xed\xa0\x80\"}".to_vec(),
            b"{\"iss\":\"\xc3\"}".to_vec(),
            b"{\"iss\":\"\xc0\xaf\"}".to_vec(),
            b"{\"iss\":\"\xf4\x90\x80\x80\"}".to_vec(),
            b"\xef\xbb\xbf{\"id\":1}".to_vec(),
            b"[1]".to_vec(),
            b"\"x\"".to_vec(),
            b"".to_vec(),
        ]
    }

    /// Every case: `(name, token, now)`.
    fn all_cases() -> Vec<(String, String, i64)> {
        const NOW: i64 = 1_795_701_537;
        let mut cases = Vec::new();
        let vectors: Value = serde_json::from_str(include_str!("../../tests/vectors/vectors.json"))
            .unwrap_or(Value::Null);
        for v in vectors["tokens"].as_array().into_iter().flatten() {
            if let (Some(name), Some(token), Some(now)) = (
                v["name"].as_str(),
                v["token"].as_str(),
                v["inspect"]["now"].as_i64(),
            ) {
                cases.push((format!("vector {name}"), token.to_owned(), now));
            }
        }
        for (i, payload) in edge_payloads().iter().enumerate() {
            cases.push((
                format!("edge payload {i}"),
                token(HS, payload.as_bytes()),
                NOW,
            ));
        }
        for (i, bytes) in bad_bytes().iter().enumerate() {
            cases.push((format!("bad payload {i}"), token(HS, bytes), NOW));
            cases.push((format!("bad header {i}"), token(bytes, b"{}"), NOW));
        }
        for header in [
            r#"{"alg":"HS256","alg":"none"}"#,
            r#"{"alg":"HS256","kid":null}"#,
            r#"{"alg":"HS256","typ":null}"#,
            r#"{"alg":"HS256","kid":"","typ":""}"#,
            r#"{"alg":"HS256","kid":"\ud83d\ude00é","typ":"\uFEFF"}"#,
            r#"{"alg":""}"#,
            r#"{"alg":"HS256","crit":["exp"]}"#,
            r#"{"alg":"HS256","b64":false}"#,
            r#"{"alg":"HS256","kid":1}"#,
            r#"{"alg":"\ud800"}"#,
            r#"{"typ":"JWT"}"#,
        ] {
            cases.push((
                format!("header {header}"),
                token(header.as_bytes(), b"{\"id\":1}"),
                NOW,
            ));
        }
        // Times: before, at and after exp; extreme clocks.
        let seed = token(HS, br#"{"id":1,"iat":1795701477,"exp":1795787877}"#);
        for now in [
            i64::MIN,
            -1,
            0,
            1_795_787_876,
            1_795_787_877,
            1_795_787_878,
            i64::MAX,
        ] {
            cases.push((format!("seed at {now}"), seed.clone(), now));
        }
        let extreme = token(HS, br#"{"exp":-9223372036854775808}"#);
        for now in [i64::MIN, 0, i64::MAX] {
            cases.push((format!("exp i64::MIN at {now}"), extreme.clone(), now));
        }
        // Sizes around the limit: the token itself, and a claim that fills it.
        let head = b64u(HS);
        for len in [MAX_TOKEN_BYTES - 1, MAX_TOKEN_BYTES, MAX_TOKEN_BYTES + 1] {
            // `{"iss":"aaa…"}` whose token is `len` bytes with a 4-character signature.
            let mut iss = 0;
            let mut t = String::new();
            for n in (len * 3 / 4).saturating_sub(40)..len {
                t = token(HS, format!("{{\"iss\":\"{}\"}}", "a".repeat(n)).as_bytes());
                if t.len() >= len - 3 {
                    iss = n;
                    break;
                }
            }
            while t.len() < len {
                t.push('A');
            }
            cases.push((format!("{len}-byte token (iss of {iss})"), t, NOW));
            cases.push((
                format!("{len}-byte junk"),
                format!("{head}.{}", "A".repeat(len - head.len() - 1)),
                NOW,
            ));
        }
        // Structure.
        for (i, t) in [
            "",
            ".",
            "..",
            "a.b",
            "a.b.c.d",
            "e30.e30.",
            "e30.e30.c2ln.",
            " e30.e30.",
            "e30.e30.c2l",
            "e30.e30.c2ln=",
            "eyJhbGciOiJIUzI1NiJ9.e30.é",
        ]
        .iter()
        .enumerate()
        {
            cases.push((format!("structure {i}"), (*t).to_owned(), NOW));
        }
        // Random headers and claims.
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..600 {
            let header = if rng.below(4) == 0 {
                random_header(&mut rng)
            } else {
                String::from_utf8_lossy(HS).into_owned()
            };
            let payload = random_claims(&mut rng);
            cases.push((
                format!("random {i}"),
                token(header.as_bytes(), payload.as_bytes()),
                NOW,
            ));
        }
        cases
    }

    /// The answer of the previous `inspectToken`: the JSON text it parsed, or the error.
    fn answer(token: &str, now: i64) -> Value {
        match inspect(token) {
            Ok(t) => {
                json!({ "json": serde_json::to_string(&Inspection::at(t, now)).unwrap_or_default() })
            }
            Err(e) => {
                let e = BindingError::from(e);
                json!({ "code": e.code(), "message": e.message() })
            }
        }
    }

    fn document() -> String {
        let cases: Vec<Value> = all_cases()
            .into_iter()
            .map(|(name, token, now)| {
                let mut case = json!({ "name": name, "token": token, "now": now });
                if let (Some(case), Value::Object(answer)) =
                    (case.as_object_mut(), answer(&token, now))
                {
                    case.extend(answer);
                }
                case
            })
            .collect();
        let doc = json!({
            "description": "Written by `AUTHCORE_WRITE_INSPECT_CASES=1 cargo test -p authcore-wasm inspect_cases`, checked by it otherwise: inspectToken's answers as the serde_json text of the core's Inspection (what JSON.parse read before the record) or the error's code and message.",
            "cases": cases,
        });
        let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
        text
    }

    #[test]
    fn inspect_cases_are_the_answers_of_the_core() {
        let want = document();
        if std::env::var_os("AUTHCORE_WRITE_INSPECT_CASES").is_some() {
            std::fs::write(FILE, &want).unwrap();
        }
        let have = std::fs::read_to_string(FILE).unwrap_or_default();
        assert!(
            have == want,
            "{FILE} is stale: rerun with AUTHCORE_WRITE_INSPECT_CASES=1"
        );
        let cases = all_cases();
        assert!(cases.len() > 900, "{}", cases.len());
    }
}
