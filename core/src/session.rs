//! Client-side session state: what an app keeps after signing in to authd, and the decisions it
//! makes from it (headers to send, whether to refresh). No I/O: the bindings store the state and
//! make the network calls; they share these rules so browsers and phones behave the same.

use crate::text::concat;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::tokens::inspect;

mod machine;

pub use machine::{Fresh, Landing, Refresh, SessionMachine, refresh_rejected};

/// Largest authd response body a session reads.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Why a text over [`MAX_RESPONSE_BYTES`] is refused (written out: messages are concatenated, not
/// formatted, so the WebAssembly build links no formatting code).
const LARGER: &str = "larger than 65536 bytes";
const _: () = assert!(MAX_RESPONSE_BYTES == 65_536);

/// The storage key bindings use for the serialized session.
pub const STORAGE_KEY: &str = "authcore.session";

/// Why a session operation failed.
///
/// | code | meaning |
/// |---|---|
/// | `invalid_response` | an authd response that is not the expected JSON |
/// | `invalid_session` | stored session data that cannot be read |
/// | `no_refresh_token` | the session holds no refresh token |
/// | `not_signed_in` | the store holds no session |
/// | `session_changed` | signed out, or another user signed in, while a refresh was under way |
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SessionError {
    /// The authd response is not what signin/refresh return.
    #[error("invalid authd response: {0}")]
    InvalidResponse(String),
    /// The stored session could not be read.
    #[error("stored session is unreadable: {0}")]
    InvalidSession(String),
    /// No refresh token to refresh with.
    #[error("the session has no refresh token")]
    NoRefreshToken,
    /// The store holds no session.
    #[error("no session is stored; sign in first")]
    NotSignedIn,
    /// The session a refresh was for is gone (signed out, or another user signed in).
    #[error("signed out or changed during the refresh")]
    Changed,
}

impl SessionError {
    /// The `Display` text, built without `core::fmt`: the WebAssembly build's messages, which
    /// then link no formatting code.
    pub fn message(&self) -> String {
        let (prefix, detail): (&str, &str) = match self {
            SessionError::InvalidResponse(m) => ("invalid authd response: ", m),
            SessionError::InvalidSession(m) => ("stored session is unreadable: ", m),
            SessionError::NoRefreshToken => ("the session has no refresh token", ""),
            SessionError::NotSignedIn => ("no session is stored; sign in first", ""),
            SessionError::Changed => ("signed out or changed during the refresh", ""),
        };
        concat(&[prefix, detail])
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            SessionError::InvalidResponse(_) => "invalid_response",
            SessionError::InvalidSession(_) => "invalid_session",
            SessionError::NoRefreshToken => "no_refresh_token",
            SessionError::NotSignedIn => "not_signed_in",
            SessionError::Changed => "session_changed",
        }
    }
}

/// The signed-in user, as authd's signin response describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// `users.id`.
    pub id: i64,
    /// Username.
    pub username: String,
    /// Email.
    pub email: String,
    /// Authorities as authd returns them (`ROLE_USER`, …).
    pub roles: Vec<String>,
}

/// A signed-in session: the user and its tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Who is signed in.
    pub user: SessionUser,
    /// The access token to send.
    #[serde(rename = "accessToken")]
    pub access_token: String,
    /// The refresh token, when authd issued one.
    #[serde(
        rename = "refreshToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct SigninResponse {
    id: i64,
    username: String,
    email: String,
    roles: Vec<String>,
    #[serde(rename = "accessToken")]
    access_token: String,
    #[serde(rename = "refreshToken", default)]
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct RefreshResponse {
    #[serde(rename = "accessToken")]
    access_token: String,
    #[serde(rename = "refreshToken", default)]
    refresh_token: Option<String>,
}

#[cfg(not(feature = "small-json"))]
#[derive(Serialize)]
struct RefreshRequest<'a> {
    #[serde(rename = "refreshToken")]
    refresh_token: &'a str,
}

impl SessionUser {
    /// The user as JSON text, exactly as serde_json writes it (`{"id","username","email","roles"}`),
    /// without serde: what the WebAssembly build hands to `JSON.parse`.
    pub fn to_json(&self) -> String {
        crate::json_lite::user_json(self)
    }
}

/// Which headers carry the access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderStyle {
    /// The seed's `x-access-token` header.
    AccessToken,
    /// `Authorization: Bearer …` (RFC 6750).
    Bearer,
    /// Both headers.
    #[default]
    Both,
}

/// `json` within [`MAX_RESPONSE_BYTES`]. Readers parse its bytes with `serde_json::from_slice`:
/// the same parser as `from_str` (which only skips UTF-8 checks a `&str` already guarantees), and
/// one instantiation of serde_json's reader for the whole crate instead of two.
fn bounded(json: &str) -> Result<&str, SessionError> {
    if json.len() > MAX_RESPONSE_BYTES {
        return Err(SessionError::InvalidResponse(LARGER.into()));
    }
    Ok(json)
}

fn non_empty(token: String, what: &str) -> Result<String, SessionError> {
    if token.is_empty() {
        return Err(SessionError::InvalidResponse(concat(&["empty ", what])));
    }
    Ok(token)
}

impl Session {
    /// A session from authd's signin response body (`{id, username, email, roles, accessToken}`).
    pub fn from_signin_response(json: &str) -> Result<Session, SessionError> {
        #[cfg(feature = "small-json")]
        return readers::signin_small(json);
        #[cfg(not(feature = "small-json"))]
        return readers::signin_serde(json);
    }

    /// This session with the tokens of authd's refresh response (`{accessToken, refreshToken}`).
    /// A response without `refreshToken` keeps the current one.
    pub fn with_refresh_response(&self, json: &str) -> Result<Session, SessionError> {
        #[cfg(feature = "small-json")]
        let (access_token, refresh_token) = readers::refresh_small(json)?;
        #[cfg(not(feature = "small-json"))]
        let (access_token, refresh_token) = readers::refresh_serde(json)?;
        Ok(self.refreshed(access_token, refresh_token))
    }

    /// This session with a refresh response's tokens, as read.
    fn refreshed(&self, access_token: String, refresh_token: Option<String>) -> Session {
        Session {
            user: self.user.clone(),
            access_token,
            refresh_token: refresh_token
                .filter(|t| !t.is_empty())
                .or_else(|| self.refresh_token.clone()),
        }
    }

    /// The stored form of the session.
    pub fn to_json(&self) -> String {
        #[cfg(feature = "small-json")]
        return crate::json_lite::session_json(self);
        #[cfg(not(feature = "small-json"))]
        return serde_json::to_string(self).unwrap_or_default();
    }

    /// Reads the stored form written by [`Session::to_json`].
    pub fn from_json(json: &str) -> Result<Session, SessionError> {
        #[cfg(feature = "small-json")]
        return readers::stored_small(json);
        #[cfg(not(feature = "small-json"))]
        return readers::stored_serde(json);
    }

    /// The headers that carry the access token, as (name, value) pairs.
    pub fn headers(&self, style: HeaderStyle) -> Vec<(String, String)> {
        let mut out = Vec::with_capacity(2);
        if matches!(style, HeaderStyle::AccessToken | HeaderStyle::Both) {
            out.push(("x-access-token".to_owned(), self.access_token.clone()));
        }
        if matches!(style, HeaderStyle::Bearer | HeaderStyle::Both) {
            out.push((
                "Authorization".to_owned(),
                concat(&["Bearer ", &self.access_token]),
            ));
        }
        out
    }

    /// Whether the access token should be refreshed at `now`: it expires within `min_ttl_seconds`,
    /// carries no `exp`, or cannot be read.
    pub fn needs_refresh(&self, now: i64, min_ttl_seconds: i64) -> bool {
        match inspect(&self.access_token) {
            Ok(t) => match t.claims.seconds_left(now) {
                Some(left) => left <= min_ttl_seconds,
                None => false,
            },
            Err(_) => true,
        }
    }

    /// The body of `POST /api/auth/refreshtoken`.
    pub fn refresh_request_body(&self) -> Result<String, SessionError> {
        let token = self
            .refresh_token
            .as_deref()
            .ok_or(SessionError::NoRefreshToken)?;
        #[cfg(feature = "small-json")]
        {
            let mut w = crate::json_lite::ObjectWriter::new();
            w.string("refreshToken", token);
            Ok(w.finish())
        }
        #[cfg(not(feature = "small-json"))]
        serde_json::to_string(&RefreshRequest {
            refresh_token: token,
        })
        .map_err(|e| SessionError::InvalidSession(crate::tokens::json::describe(&e)))
    }

    /// Whether the user holds `role`, given as a name (`admin`) or an authority (`ROLE_ADMIN`).
    pub fn has_role(&self, role: &str) -> bool {
        let wanted = role
            .strip_prefix("ROLE_")
            .unwrap_or(role)
            .to_ascii_uppercase();
        self.user
            .roles
            .iter()
            .any(|r| r.strip_prefix("ROLE_").unwrap_or(r) == wanted)
    }
}

/// The readers of authd's responses and of the stored session: serde_json (the server's and the
/// phones') and [`crate::json_lite`] (feature `small-json`, the npm package's), which give the same
/// sessions or the same errors and messages (`differential` runs both).
mod readers {
    use super::{
        LARGER, RefreshResponse, Session, SessionError, SessionUser, SigninResponse, bounded,
        non_empty,
    };
    use crate::json_lite;
    use crate::tokens::json::describe;

    /// A signin response's session, its tokens checked.
    fn checked(session: Session) -> Result<Session, SessionError> {
        Ok(Session {
            user: session.user,
            access_token: non_empty(session.access_token, "accessToken")?,
            refresh_token: session.refresh_token.filter(|t| !t.is_empty()),
        })
    }

    fn invalid_response(json: &str, e: json_lite::Fail) -> SessionError {
        SessionError::InvalidResponse(json_lite::describe(json.as_bytes(), e))
    }

    pub(super) fn signin_serde(json: &str) -> Result<Session, SessionError> {
        let r: SigninResponse = serde_json::from_slice(bounded(json)?.as_bytes())
            .map_err(|e| SessionError::InvalidResponse(describe(&e)))?;
        checked(Session {
            user: SessionUser {
                id: r.id,
                username: r.username,
                email: r.email,
                roles: r.roles,
            },
            access_token: r.access_token,
            refresh_token: r.refresh_token,
        })
    }

    pub(super) fn signin_small(json: &str) -> Result<Session, SessionError> {
        checked(
            json_lite::signin(bounded(json)?.as_bytes()).map_err(|e| invalid_response(json, e))?,
        )
    }

    pub(super) fn refresh_serde(json: &str) -> Result<(String, Option<String>), SessionError> {
        let r: RefreshResponse = serde_json::from_slice(bounded(json)?.as_bytes())
            .map_err(|e| SessionError::InvalidResponse(describe(&e)))?;
        Ok((non_empty(r.access_token, "accessToken")?, r.refresh_token))
    }

    pub(super) fn refresh_small(json: &str) -> Result<(String, Option<String>), SessionError> {
        let (access_token, refresh_token) =
            json_lite::refresh(bounded(json)?.as_bytes()).map_err(|e| invalid_response(json, e))?;
        Ok((non_empty(access_token, "accessToken")?, refresh_token))
    }

    /// `json` within [`MAX_RESPONSE_BYTES`], as a stored session.
    fn bounded_stored(json: &str) -> Result<&str, SessionError> {
        bounded(json).map_err(|_| SessionError::InvalidSession(LARGER.into()))
    }

    pub(super) fn stored_serde(json: &str) -> Result<Session, SessionError> {
        serde_json::from_slice(bounded_stored(json)?.as_bytes())
            .map_err(|e| SessionError::InvalidSession(describe(&e)))
    }

    pub(super) fn stored_small(json: &str) -> Result<Session, SessionError> {
        json_lite::stored_session(bounded_stored(json)?.as_bytes())
            .map_err(|e| SessionError::InvalidSession(json_lite::describe(json.as_bytes(), e)))
    }
}

/// The session readers and writers side by side, for the differential tests and the fuzz target:
/// serde_json's (the server's and the phones') and the small reader's (`small-json`, the npm
/// package's).
#[doc(hidden)]
pub mod differential {
    use super::{Session, SessionError, readers};

    /// A signin response through serde_json.
    pub fn signin_serde(json: &str) -> Result<Session, SessionError> {
        readers::signin_serde(json)
    }

    /// A signin response through the small reader.
    pub fn signin_small(json: &str) -> Result<Session, SessionError> {
        readers::signin_small(json)
    }

    /// A refresh response applied to `session` through serde_json.
    pub fn refresh_serde(session: &Session, json: &str) -> Result<Session, SessionError> {
        let (access_token, refresh_token) = readers::refresh_serde(json)?;
        Ok(session.refreshed(access_token, refresh_token))
    }

    /// A refresh response applied to `session` through the small reader.
    pub fn refresh_small(session: &Session, json: &str) -> Result<Session, SessionError> {
        let (access_token, refresh_token) = readers::refresh_small(json)?;
        Ok(session.refreshed(access_token, refresh_token))
    }

    /// A stored session through serde_json.
    pub fn stored_serde(json: &str) -> Result<Session, SessionError> {
        readers::stored_serde(json)
    }

    /// A stored session through the small reader.
    pub fn stored_small(json: &str) -> Result<Session, SessionError> {
        readers::stored_small(json)
    }

    /// The stored form written by serde_json.
    pub fn to_json_serde(session: &Session) -> String {
        serde_json::to_string(session).unwrap_or_default()
    }

    /// The stored form written without serde.
    pub fn to_json_small(session: &Session) -> String {
        crate::json_lite::session_json(session)
    }
}

#[cfg(test)]
mod message_tests {
    use super::*;

    #[test]
    fn messages_are_the_display_texts() {
        for e in [
            SessionError::InvalidResponse("empty accessToken".into()),
            SessionError::InvalidSession(LARGER.into()),
            SessionError::NoRefreshToken,
            SessionError::NotSignedIn,
            SessionError::Changed,
        ] {
            assert_eq!(e.message(), e.to_string());
        }
        assert_eq!(LARGER, format!("larger than {MAX_RESPONSE_BYTES} bytes"));
    }
}

#[cfg(test)]
#[cfg(feature = "signing")]
mod tests {
    use super::*;
    use crate::tokens::{Claims, Key, TokenSigner};

    fn token(exp: i64) -> String {
        let claims = Claims {
            id: Some(1),
            exp: Some(exp),
            ..Claims::default()
        };
        TokenSigner::new(Key::hs256_legacy(b"k").unwrap())
            .unwrap()
            .sign(&claims)
            .unwrap()
    }

    fn signin(exp: i64) -> String {
        format!(
            r#"{{"id":1,"username":"zkoder","email":"user@bezkoder.com","roles":["ROLE_USER","ROLE_MODERATOR"],"accessToken":"{}","refreshToken":"r1"}}"#,
            token(exp)
        )
    }

    #[test]
    fn signin_response_becomes_a_session_that_round_trips_through_storage() {
        let s = Session::from_signin_response(&signin(100)).unwrap();
        assert_eq!(s.user.username, "zkoder");
        assert_eq!(Session::from_json(&s.to_json()).unwrap(), s);
        assert!(s.has_role("moderator"));
        assert!(s.has_role("ROLE_USER"));
        assert!(!s.has_role("admin"));
    }

    #[test]
    fn seed_signin_without_refresh_token_is_accepted() {
        let json = format!(
            r#"{{"id":1,"username":"u","email":"e@x.io","roles":[],"accessToken":"{}"}}"#,
            token(5)
        );
        let s = Session::from_signin_response(&json).unwrap();
        assert_eq!(
            s.refresh_request_body().unwrap_err().code(),
            "no_refresh_token"
        );
    }

    #[test]
    fn refresh_is_needed_within_the_minimum_ttl() {
        let s = Session::from_signin_response(&signin(1000)).unwrap();
        assert!(!s.needs_refresh(900, 60));
        assert!(s.needs_refresh(940, 60));
        assert!(s.needs_refresh(2000, 0));
    }

    #[test]
    fn refresh_response_replaces_tokens_and_keeps_the_user() {
        let s = Session::from_signin_response(&signin(1000)).unwrap();
        let fresh = token(5000);
        let next = s
            .with_refresh_response(&format!(
                r#"{{"accessToken":"{fresh}","refreshToken":"r2"}}"#
            ))
            .unwrap();
        assert_eq!(next.access_token, fresh);
        assert_eq!(next.refresh_token.as_deref(), Some("r2"));
        assert_eq!(next.user, s.user);
        assert_eq!(
            s.refresh_request_body().unwrap(),
            r#"{"refreshToken":"r1"}"#
        );
    }

    #[test]
    fn headers_follow_the_style() {
        let s = Session::from_signin_response(&signin(1000)).unwrap();
        assert_eq!(s.headers(HeaderStyle::AccessToken).len(), 1);
        let both = s.headers(HeaderStyle::Both);
        assert_eq!(both[1].1, format!("Bearer {}", s.access_token));
    }

    #[test]
    fn garbage_responses_are_errors() {
        for bad in [
            "",
            "{}",
            "[]",
            r#"{"id":"1"}"#,
            r#"{"id":1,"username":"u","email":"e","roles":[],"accessToken":""}"#,
        ] {
            assert_eq!(
                Session::from_signin_response(bad).unwrap_err().code(),
                "invalid_response"
            );
        }
    }
}
