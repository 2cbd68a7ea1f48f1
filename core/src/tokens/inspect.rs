//! Reading a compact JWS without verifying it: structure, header and claims.
//!
//! Inspection is for clients that hold no key (to show who is signed in, or to refresh before
//! expiry). Its result must never be used to grant access: only [`super::Verifier`] does that.

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::base64url;
use super::claims::Claims;
use super::error::TokenError;
use super::json::{describe, from_object};

/// Longest token accepted, in bytes. Real access tokens are a few hundred bytes.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The JOSE header fields authcore reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// `alg` exactly as written (it may name an algorithm authcore refuses).
    pub alg: String,
    /// `kid`, if present.
    pub kid: Option<String>,
    /// `typ`, if present.
    pub typ: Option<String>,
}

/// A token decoded without verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnverifiedToken {
    /// The header.
    pub header: Header,
    /// The claims, unverified.
    pub claims: Claims,
}

/// The three segments of a compact JWS.
pub(crate) struct Segments<'a> {
    pub header: &'a str,
    pub payload: &'a str,
    pub signature: &'a str,
    /// `header.payload`, the signing input.
    pub signing_input: &'a str,
}

/// Splits a token into exactly three non-empty-header segments, within the size limit.
pub(crate) fn split(token: &str) -> Result<Segments<'_>, TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::TooLarge {
            limit: MAX_TOKEN_BYTES,
        });
    }
    // The two dots, found byte by byte (`.` is ASCII): the same segments as `split('.')`, without
    // core's string searcher in the WebAssembly build.
    let mut dots = [0usize; 2];
    let mut found = 0;
    for (i, &b) in token.as_bytes().iter().enumerate() {
        if b == b'.' {
            match dots.get_mut(found) {
                Some(dot) => *dot = i,
                None => return Err(TokenError::Malformed("a JWS has exactly three segments")),
            }
            found += 1;
        }
    }
    let [first, second] = dots;
    if found != 2 {
        return Err(TokenError::Malformed("a JWS has exactly three segments"));
    }
    let part = |from: usize, to: usize| token.get(from..to).unwrap_or_default();
    let (header, payload) = (part(0, first), part(first + 1, second));
    if header.is_empty() || payload.is_empty() {
        return Err(TokenError::Malformed("empty segment"));
    }
    Ok(Segments {
        header,
        payload,
        signature: part(second + 1, token.len()),
        signing_input: part(0, second),
    })
}

/// The message of a segment that is not canonical unpadded base64url.
const NOT_BASE64URL: &str = "segment is not unpadded base64url";

pub(crate) fn decode_segment(segment: &str) -> Result<Vec<u8>, TokenError> {
    base64url::decode(segment).ok_or(TokenError::Malformed(NOT_BASE64URL))
}

/// The bytes of the header or payload segment, which must be UTF-8 throughout (RFC 7519 §7.2).
/// Checked here because serde_json does not check the strings of members it skips.
fn decode_json_segment(segment: &str, not_utf8: &'static str) -> Result<Vec<u8>, TokenError> {
    let bytes = decode_segment(segment)?;
    if std::str::from_utf8(&bytes).is_err() {
        return Err(TokenError::Malformed(not_utf8));
    }
    Ok(bytes)
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    crit: Option<IgnoredAny>,
    #[serde(default)]
    b64: Option<IgnoredAny>,
}

pub(crate) fn parse_header(segment: &str) -> Result<Header, TokenError> {
    let bytes = decode_json_segment(segment, "header is not UTF-8")?;
    if first_non_space(&bytes) != Some(b'{') {
        return Err(TokenError::Malformed("header is not a JSON object"));
    }
    #[cfg(feature = "small-json")]
    return header_small(&bytes);
    #[cfg(not(feature = "small-json"))]
    return header_serde(&bytes);
}

/// A header read with serde_json (the server's reader).
pub(crate) fn header_serde(bytes: &[u8]) -> Result<Header, TokenError> {
    let raw: RawHeader = from_object(bytes)
        .map_err(|_| TokenError::Malformed("header is not a valid JOSE header"))?;
    checked_header(
        raw.alg,
        raw.kid,
        raw.typ,
        raw.crit.is_some(),
        raw.b64.is_some(),
    )
}

/// A header read with [`crate::json_lite`] (feature `small-json`: the `authcore/inspect` module's).
pub(crate) fn header_small(bytes: &[u8]) -> Result<Header, TokenError> {
    let raw = crate::json_lite::header(bytes)
        .ok_or(TokenError::Malformed("header is not a valid JOSE header"))?;
    checked_header(raw.alg, raw.kid, raw.typ, raw.crit, raw.b64)
}

fn checked_header(
    alg: String,
    kid: Option<String>,
    typ: Option<String>,
    crit: bool,
    b64: bool,
) -> Result<Header, TokenError> {
    // RFC 7515 §4.1.11: extensions listed in `crit` must be understood; authcore knows none.
    if crit {
        return Err(TokenError::UnsupportedHeader("crit"));
    }
    if b64 {
        return Err(TokenError::UnsupportedHeader("b64"));
    }
    Ok(Header { alg, kid, typ })
}

pub(crate) fn parse_claims(segment: &str) -> Result<Claims, TokenError> {
    let bytes = decode_json_segment(segment, "payload is not UTF-8")?;
    if first_non_space(&bytes) != Some(b'{') {
        return Err(TokenError::Malformed("payload is not a JSON object"));
    }
    #[cfg(feature = "small-json")]
    return claims_small(&bytes);
    #[cfg(not(feature = "small-json"))]
    return claims_serde(&bytes);
}

/// Claims read with serde_json (the server's reader).
pub(crate) fn claims_serde(bytes: &[u8]) -> Result<Claims, TokenError> {
    from_object(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => TokenError::InvalidClaims(describe(&e)),
        _ => TokenError::Malformed("payload is not valid JSON"),
    })
}

/// Claims read with [`crate::json_lite`] (feature `small-json`: the `authcore/inspect` module's).
pub(crate) fn claims_small(bytes: &[u8]) -> Result<Claims, TokenError> {
    crate::json_lite::claims(bytes).map_err(|e| match e {
        crate::json_lite::Fail::Data(at) => {
            TokenError::InvalidClaims(crate::json_lite::describe_data_error(bytes, at))
        }
        _ => TokenError::Malformed("payload is not valid JSON"),
    })
}

/// The token and JWKS JSON readers side by side, for the differential tests and the fuzz targets:
/// the serde_json path (the server's) and the small reader (`small-json`, the npm package's).
/// The token readers take the decoded segment's bytes, which must start with `{` after whitespace
/// and be UTF-8; the JWKS readers any text.
#[doc(hidden)]
pub mod differential {
    use super::{Claims, Header, TokenError};

    /// A header through serde_json.
    pub fn header_serde(json: &[u8]) -> Result<Header, TokenError> {
        super::header_serde(json)
    }

    /// A header through the small reader.
    pub fn header_small(json: &[u8]) -> Result<Header, TokenError> {
        super::header_small(json)
    }

    /// Claims through serde_json.
    pub fn claims_serde(json: &[u8]) -> Result<Claims, TokenError> {
        super::claims_serde(json)
    }

    /// Claims through the small reader.
    pub fn claims_small(json: &[u8]) -> Result<Claims, TokenError> {
        super::claims_small(json)
    }

    /// A JWKS document through serde_json.
    pub fn jwks_serde(json: &str) -> Result<crate::tokens::KeySet, crate::tokens::KeyError> {
        crate::tokens::jwk::from_jwks_json_with(json, crate::tokens::jwk::jwks_keys_serde)
    }

    /// A JWKS document through the small reader.
    pub fn jwks_small(json: &str) -> Result<crate::tokens::KeySet, crate::tokens::KeyError> {
        crate::tokens::jwk::from_jwks_json_with(json, crate::tokens::jwk::jwks_keys_small)
    }
}

fn first_non_space(bytes: &[u8]) -> Option<u8> {
    bytes
        .iter()
        .copied()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Decodes a token's header and claims **without verifying** its signature or times.
///
/// Fails with `token_too_large`, `malformed`, `unsupported_header` or `invalid_claims`; never panics,
/// whatever the input.
pub fn inspect(token: &str) -> Result<UnverifiedToken, TokenError> {
    let segments = split(token)?;
    let header = parse_header(segments.header)?;
    let claims = parse_claims(segments.payload)?;
    // The signature is checked to be base64url, as `verify` would decode it, but not decoded.
    if !base64url::is_canonical(segments.signature) {
        return Err(TokenError::Malformed(NOT_BASE64URL));
    }
    Ok(UnverifiedToken { header, claims })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6MSwiaWF0IjoxNzk1NzAxNDc3LCJleHAiOjE3OTU3ODc4Nzd9.c2ln";

    #[test]
    fn seed_token_inspects_to_its_id_and_expiry() {
        let t = inspect(SEED).unwrap();
        assert_eq!(t.header.alg, "HS256");
        assert_eq!(t.header.typ.as_deref(), Some("JWT"));
        assert_eq!(t.claims.user_id(), Some(1));
        assert_eq!(t.claims.seconds_left(1_795_787_870), Some(7));
    }

    /// A segment whose bytes are `json`, unpadded base64url.
    fn segment(json: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn invalid_utf8_anywhere_in_header_or_payload_is_malformed() {
        // RFC 7519 §7.2: the decoded header and payload must be UTF-8. serde_json skips the
        // strings of members it ignores without checking them, so unknown members are the test.
        let header = segment(br#"{"alg":"HS256"}"#);
        let payload = segment(br#"{"id":1}"#);
        let bad_payloads: [&[u8]; 4] = [
            b"{\"id\":1,\"note\":\"\xff\xfe\"}",
            b"{\"id\":1,\"x\":{\"deep\":[\"\xc3\"]}}",
            b"{\"id\":1,\"\xff\":1}",
            b"{\"id\":1,\"x\":\"\xed\xa0\x80\"}",
        ];
        for bad in bad_payloads {
            let token = format!("{header}.{}.", segment(bad));
            assert_eq!(inspect(&token).unwrap_err().code(), "malformed", "{bad:?}");
        }
        let bad_headers: [&[u8]; 2] = [
            b"{\"alg\":\"HS256\",\"x\":\"\xff\"}",
            b"{\"alg\":\"HS256\",\"kid\":\"k\",\"x\":[\"\xc0\xaf\"]}",
        ];
        for bad in bad_headers {
            let token = format!("{}.{payload}.", segment(bad));
            assert_eq!(inspect(&token).unwrap_err().code(), "malformed", "{bad:?}");
        }
        // Valid UTF-8 in an unknown member is fine.
        let fine = segment("{\"id\":1,\"note\":\"caf\u{e9}\"}".as_bytes());
        assert!(inspect(&format!("{header}.{fine}.")).is_ok());
    }

    #[test]
    fn segments_are_those_of_split_on_dots() {
        for token in [
            "",
            ".",
            "..",
            "...",
            "a.b.c",
            "a..c",
            ".b.c",
            "a.b.",
            "a.b.c.d",
            "a.b",
            "abc",
            "x.y.z.",
            "h\u{e9}ader.p\u{e4}.s\u{df}",
            "\u{2024}.\u{ff0e}.x",
            "a.b.c\u{e9}",
        ] {
            let mut parts = token.split('.');
            let old = (parts.next(), parts.next(), parts.next(), parts.next());
            match split(token) {
                Ok(s) => {
                    assert_eq!(
                        old,
                        (Some(s.header), Some(s.payload), Some(s.signature), None),
                        "{token}"
                    );
                    assert_eq!(s.signing_input, format!("{}.{}", s.header, s.payload));
                }
                Err(_) => assert!(
                    !matches!(old, (Some(h), Some(p), Some(_), None) if !h.is_empty() && !p.is_empty()),
                    "{token}"
                ),
            }
        }
    }

    #[test]
    fn hostile_inputs_give_typed_errors() {
        let huge = "a".repeat(MAX_TOKEN_BYTES + 1);
        let cases: &[(&str, &str)] = &[
            ("", "malformed"),
            ("abc", "malformed"),
            ("a.b", "malformed"),
            ("a.b.c.d", "malformed"),
            ("..", "malformed"),
            ("!!!.e30.", "malformed"),
            ("e30=.e30.", "malformed"),
            ("W10.e30.", "malformed"),
            ("eyJhbGciOjF9.e30.", "malformed"),
            ("eyJhbGciOiJIUzI1NiJ9.W10.", "malformed"),
            ("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOiJ4In0.", "invalid_claims"),
            (
                "eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiZXhwIl19.e30.",
                "unsupported_header",
            ),
            (&huge, "token_too_large"),
        ];
        for (token, code) in cases {
            assert_eq!(inspect(token).unwrap_err().code(), *code, "{token:.40}");
        }
    }
}
