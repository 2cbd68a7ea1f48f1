//! The access token of a request: a non-empty `x-access-token` (the seed's header), else
//! `Authorization: Bearer <token>` (RFC 6750).

use http::HeaderMap;
use http::header::AUTHORIZATION;

use crate::app::access::Presented;

/// The raw token: a non-empty `x-access-token`, else `Authorization: Bearer <token>`.
/// `Some(None)` means a header was sent but is not usable text (→ 401).
fn raw_token(headers: &HeaderMap) -> Option<Option<&str>> {
    if let Some(value) = headers.get("x-access-token")
        && !value.is_empty()
    {
        return Some(value.to_str().ok());
    }
    let value = headers.get(AUTHORIZATION)?;
    let Ok(text) = value.to_str() else {
        return Some(None);
    };
    let (scheme, token) = text.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then_some(Some(token))
}

/// The token a request presents.
pub fn presented(headers: &HeaderMap) -> Presented<'_> {
    match raw_token(headers) {
        None => Presented::Missing,
        Some(None) => Presented::Unreadable,
        Some(Some(token)) => Presented::Token(token),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn x_access_token_wins_over_bearer() {
        let h = headers(&[
            ("x-access-token", "a.b.c"),
            ("authorization", "Bearer d.e.f"),
        ]);
        assert_eq!(raw_token(&h), Some(Some("a.b.c")));
    }

    #[test]
    fn bearer_is_read_case_insensitively() {
        let h = headers(&[("authorization", "bearer  d.e.f ")]);
        assert_eq!(raw_token(&h), Some(Some("d.e.f")));
    }

    #[test]
    fn missing_empty_or_other_schemes_mean_no_token() {
        assert_eq!(raw_token(&HeaderMap::new()), None);
        assert_eq!(raw_token(&headers(&[("x-access-token", "")])), None);
        assert_eq!(raw_token(&headers(&[("authorization", "Basic abc")])), None);
        assert_eq!(raw_token(&headers(&[("authorization", "Bearer ")])), None);
    }
}
