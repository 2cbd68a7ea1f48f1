//! Request bodies as the seed read them: JSON or `application/x-www-form-urlencoded` become a
//! [`serde_json::Value`]; any other or missing `Content-Type` is an empty object (validation then
//! says what is missing). Bodies are limited to [`MAX_BODY_BYTES`], checked against
//! `Content-Length` first and enforced while reading.

use http::HeaderMap;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::{Map, Value};

/// The largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How a body is to be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Json,
    Form,
    Ignored,
}

fn kind(headers: &HeaderMap) -> Kind {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return Kind::Ignored;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Kind::Json
    } else if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Kind::Form
    } else {
        Kind::Ignored
    }
}

/// Whether the declared `Content-Length` is over the limit.
fn declared_too_large(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|len| len > MAX_BODY_BYTES as u64)
}

/// Why a body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Over [`MAX_BODY_BYTES`]: 413.
    TooLarge,
    /// The connection failed while reading: 400.
    Unreadable,
    /// Not JSON: 400 with the parser's explanation.
    MalformedJson(String),
}

/// Reads and parses the body.
pub async fn read_value<B>(headers: &HeaderMap, body: B) -> Result<Value, BodyError>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let kind = kind(headers);
    if declared_too_large(headers) || body.size_hint().lower() > MAX_BODY_BYTES as u64 {
        return Err(BodyError::TooLarge);
    }
    if kind == Kind::Ignored {
        return Ok(Value::Object(Map::new()));
    }
    let bytes = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return Err(BodyError::TooLarge);
        }
        Err(_) => return Err(BodyError::Unreadable),
    };
    match kind {
        Kind::Json => parse_json(&bytes),
        Kind::Form => Ok(parse_form(&bytes)),
        Kind::Ignored => Ok(Value::Object(Map::new())),
    }
}

/// JSON; an empty body is `{}` like Express' `json()` parser.
fn parse_json(bytes: &[u8]) -> Result<Value, BodyError> {
    if bytes.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(bytes).map_err(|e| BodyError::MalformedJson(e.to_string()))
}

/// Form fields as a JSON object of strings. A repeated key, or a key ending in `[]` or `[N]`,
/// becomes an array (`roles[]=a&roles[]=b`, `roles=a&roles=b`), as Express' extended parser does;
/// `roles` is always an array, so a single `roles=moderator` means `["moderator"]`.
fn parse_form(bytes: &[u8]) -> Value {
    let mut object = Map::new();
    for (key, value) in form_urlencoded::parse(bytes) {
        let (name, bracketed) = match key.strip_suffix(']').and_then(|k| k.rsplit_once('[')) {
            Some((name, index)) if index.bytes().all(|b| b.is_ascii_digit()) => (name, true),
            _ => (key.as_ref(), false),
        };
        let value = Value::String(value.into_owned());
        match object.get_mut(name) {
            Some(Value::Array(items)) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None if bracketed || name == "roles" => {
                object.insert(name.to_owned(), Value::Array(vec![value]));
            }
            None => {
                object.insert(name.to_owned(), value);
            }
        }
    }
    Value::Object(object)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_fields_become_strings_and_arrays() {
        let v = parse_form(b"username=zk&password=12345678&roles%5B%5D=moderator&roles[]=user");
        assert_eq!(
            v,
            json!({"username": "zk", "password": "12345678", "roles": ["moderator", "user"]})
        );
        assert_eq!(parse_form(b"roles=admin"), json!({"roles": ["admin"]}));
        assert_eq!(parse_form(b"roles=a&roles=b"), json!({"roles": ["a", "b"]}));
        assert_eq!(
            parse_form(b"username=a&username=b"),
            json!({"username": ["a", "b"]})
        );
        assert_eq!(
            parse_form(b"x[0]=a&name=J+D%C3%BC"),
            json!({"x": ["a"], "name": "J Dü"})
        );
    }

    #[test]
    fn content_types_are_matched_on_their_essence() {
        let mut h = HeaderMap::new();
        assert_eq!(kind(&h), Kind::Ignored);
        h.insert(
            CONTENT_TYPE,
            "Application/JSON; charset=utf-8".parse().unwrap(),
        );
        assert_eq!(kind(&h), Kind::Json);
        h.insert(
            CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        assert_eq!(kind(&h), Kind::Form);
        h.insert(CONTENT_TYPE, "text/plain".parse().unwrap());
        assert_eq!(kind(&h), Kind::Ignored);
    }

    #[test]
    fn empty_json_is_an_empty_object_and_bad_json_malformed() {
        assert_eq!(parse_json(b"").unwrap(), json!({}));
        let err = parse_json(b"{\"username\": 'x'}").unwrap_err();
        assert!(matches!(err, BodyError::MalformedJson(_)), "{err:?}");
    }
}
