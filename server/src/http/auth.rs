//! Who is calling: the token from `x-access-token` (the seed's header) or `Authorization: Bearer`,
//! verified by authcore, and the caller's roles as the store (through the role cache) says now.

use authcore::RoleRequirement;
use http::header::AUTHORIZATION;
use http::{HeaderMap, Response, StatusCode};

use super::responses::{self, Body, bodies};
use crate::profile::AuthFailure;
use crate::role_cache::RoleSet;
use crate::state::AppState;
use crate::store::StoreError;

/// Why a caller was turned away; each maps to one contract response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// No token at all: 403 `No token provided!`.
    NoToken,
    /// Bad, expired or foreign token, no `id` claim, or its user no longer exists: 401.
    Unauthorized,
    /// Authenticated but lacking a role: 403 with this fixed body.
    Forbidden(&'static str),
    /// The store could not answer.
    Store(StoreError),
}

impl Denied {
    /// The contract response.
    /// Token failures carry a [`AuthFailure`] marker that the strict profile reshapes.
    pub fn response(&self) -> Response<Body> {
        match self {
            Denied::NoToken => {
                let mut r = responses::json_static(StatusCode::FORBIDDEN, bodies::NO_TOKEN);
                r.extensions_mut().insert(AuthFailure::NoToken);
                r
            }
            Denied::Unauthorized => {
                let mut r = responses::json_static(StatusCode::UNAUTHORIZED, bodies::UNAUTHORIZED);
                r.extensions_mut().insert(AuthFailure::InvalidToken);
                r
            }
            Denied::Forbidden(body) => responses::json_static(StatusCode::FORBIDDEN, body),
            Denied::Store(e) => responses::store_error(e),
        }
    }
}

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

/// The verified user id and `iat` of the request's token (signature and expiry only: whether
/// the account still accepts it is [`caller`]'s job).
pub fn verified_token(state: &AppState, headers: &HeaderMap) -> Result<(i64, Option<i64>), Denied> {
    let token = raw_token(headers)
        .ok_or(Denied::NoToken)?
        .ok_or(Denied::Unauthorized)?;
    let verified = state.verifier.verify(token).map_err(|e| {
        tracing::debug!(reason = e.code(), "token refused");
        Denied::Unauthorized
    })?;
    let id = verified.claims.id.ok_or(Denied::Unauthorized)?;
    Ok((id, verified.claims.iat))
}

/// The caller's id and current roles (cached for at most the role-cache TTL). A token issued
/// before the account's `tokens_valid_after`, or of a disabled account, is [`Denied::Unauthorized`].
pub async fn caller(state: &AppState, headers: &HeaderMap) -> Result<(i64, RoleSet), Denied> {
    let (id, iat) = verified_token(state, headers)?;
    let access = state
        .roles
        .get_or_fetch(id, || state.db.user_access(id))
        .await
        .map_err(Denied::Store)?
        .ok_or(Denied::Unauthorized)?;
    if !access.accepts(iat) {
        tracing::debug!(user_id = id, "token revoked or account disabled");
        return Err(Denied::Unauthorized);
    }
    Ok((id, access.roles))
}

/// Lets the request through when the caller meets `requirement`; an authenticated caller lacking
/// the role is [`Denied::Forbidden`] with `forbidden_body`.
pub async fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    requirement: &RoleRequirement,
    forbidden_body: &'static str,
) -> Result<(), Denied> {
    let (_, roles) = caller(state, headers).await?;
    if requirement.is_met_by(roles.as_slice(), state.hierarchy) {
        Ok(())
    } else {
        Err(Denied::Forbidden(forbidden_body))
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
