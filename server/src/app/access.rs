//! Who is calling: the presented access token, verified by authcore, and the caller's roles as
//! the store (through the role cache) says now.

use authcore::RoleRequirement;

use crate::app::role_cache::RoleSet;
use crate::app::{AppState, Failure, Needed};

/// The access token a request presented (the transport reads it from `x-access-token` or
/// `Authorization: Bearer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented<'a> {
    /// No token at all.
    Missing,
    /// A token header that is not usable text.
    Unreadable,
    /// The token.
    Token(&'a str),
}

/// The verified user id and `iat` of the presented token (signature and expiry only: whether
/// the account still accepts it is [`caller`]'s job).
pub fn verified_token(
    state: &AppState,
    presented: Presented<'_>,
) -> Result<(i64, Option<i64>), Failure> {
    let token = match presented {
        Presented::Missing => return Err(Failure::NoToken),
        Presented::Unreadable => return Err(Failure::InvalidToken),
        Presented::Token(token) => token,
    };
    let verified = state.verifier.verify(token).map_err(|e| {
        tracing::debug!(reason = e.code(), "token refused");
        Failure::InvalidToken
    })?;
    let id = verified.claims.id.ok_or(Failure::InvalidToken)?;
    Ok((id, verified.claims.iat))
}

/// The caller's id and current roles (cached for at most the role-cache TTL). A token issued
/// before the account's `tokens_valid_after`, or of a disabled account, is
/// [`Failure::InvalidToken`].
pub async fn caller(state: &AppState, presented: Presented<'_>) -> Result<(i64, RoleSet), Failure> {
    let (id, iat) = verified_token(state, presented)?;
    let access = state
        .roles
        .get_or_fetch(id, || state.db.user_access(id))
        .await?
        .ok_or(Failure::InvalidToken)?;
    if !access.accepts(iat) {
        tracing::debug!(user_id = id, "token revoked or account disabled");
        return Err(Failure::InvalidToken);
    }
    Ok((id, access.roles))
}

/// The caller's id when the caller meets `requirement`; an authenticated caller lacking the role
/// is [`Failure::MissingRole`] with `needed`.
pub async fn authorize(
    state: &AppState,
    presented: Presented<'_>,
    requirement: &RoleRequirement,
    needed: Needed,
) -> Result<i64, Failure> {
    let (id, roles) = caller(state, presented).await?;
    if requirement.is_met_by(roles.as_slice(), state.hierarchy) {
        Ok(id)
    } else {
        Err(Failure::MissingRole(needed))
    }
}
