//! The client session: authd's signin/refresh responses kept in the app's `TokenStore`, the
//! headers to send, and a single-flight refresh.
//!
//! The decisions (when to refresh, which headers, how a refresh response updates the session) are
//! `authcore::session`'s; this module adds storage and concurrency. The network call stays in the
//! app, behind `Refresher` or `AsyncRefresher` (`refresh.rs`: the single flight).

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::Waker;

use authcore::session::{self as core, STORAGE_KEY, Session};
use authcore::tokens::{Clock, SystemClock};

use crate::{AuthcoreError, TokenStore};

/// The signed-in user, as authd's signin response describes it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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

impl From<&core::SessionUser> for SessionUser {
    fn from(u: &core::SessionUser) -> Self {
        SessionUser {
            id: u.id,
            username: u.username.clone(),
            email: u.email.clone(),
            roles: u.roles.clone(),
        }
    }
}

/// One HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    /// Header name.
    pub name: String,
    /// Header value.
    pub value: String,
}

/// Which headers carry the access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HeaderStyle {
    /// The seed's `x-access-token` header only.
    AccessToken,
    /// `Authorization: Bearer …` only (RFC 6750).
    Bearer,
    /// Both headers: what authd accepts in every configuration.
    Both,
}

impl From<HeaderStyle> for core::HeaderStyle {
    fn from(s: HeaderStyle) -> Self {
        match s {
            HeaderStyle::AccessToken => core::HeaderStyle::AccessToken,
            HeaderStyle::Bearer => core::HeaderStyle::Bearer,
            HeaderStyle::Both => core::HeaderStyle::Both,
        }
    }
}

#[derive(Default)]
struct State {
    /// The session as last read from or written to the store; `None` until first read.
    cached: Option<Option<Session>>,
    /// Bumped on sign-in and sign-out, so a refresh that lands afterwards is not applied.
    epoch: u64,
    /// The id of the refresh under way, if any.
    flight: Option<u64>,
    /// How many callers wait for the refresh under way.
    waiting: usize,
    /// Wakers of async callers waiting for the refresh under way.
    wakers: Vec<Waker>,
    next_flight: u64,
    /// The outcome of the last refresh that landed, by id.
    landed: Option<(u64, Result<String, AuthcoreError>)>,
}

/// A signed-in session kept in a `TokenStore` under `authcore.session`.
///
/// Create one per app and share it: it caches the stored session (read on first use) and
/// serializes writes, so keep other writers away from that key. Every method is thread-safe.
/// The store is called while an internal lock is held: store implementations must not call back
/// into the session.
#[derive(uniffi::Object)]
pub struct AuthSession {
    store: Arc<dyn TokenStore>,
    state: Mutex<State>,
    refresh_landed: Condvar,
}

impl std::fmt::Debug for AuthSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSession").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl AuthSession {
    /// A session over `store`. Nothing is read until the first call that needs the session.
    #[uniffi::constructor]
    pub fn new(store: Arc<dyn TokenStore>) -> Self {
        AuthSession {
            store,
            state: Mutex::new(State::default()),
            refresh_landed: Condvar::new(),
        }
    }

    /// Saves authd's signin response body (`{id, username, email, roles, accessToken,
    /// refreshToken?}`), replacing any session, and returns the user.
    ///
    /// Fails with `invalid_response`, or the store's error (then nothing changes).
    pub fn save_signin_response(&self, json: String) -> Result<SessionUser, AuthcoreError> {
        let session = Session::from_signin_response(&json)?;
        let mut state = self.lock();
        self.store.set(STORAGE_KEY.to_owned(), session.to_json())?;
        let user = SessionUser::from(&session.user);
        state.cached = Some(Some(session));
        state.epoch = state.epoch.wrapping_add(1);
        Ok(user)
    }

    /// Applies authd's refresh response body (`{accessToken, refreshToken?}`) to the session.
    ///
    /// Fails with `not_signed_in`, `invalid_response`, or the store's error (the new tokens are
    /// then kept in memory, since authd may already have retired the old refresh token).
    pub fn save_refresh_response(&self, json: String) -> Result<(), AuthcoreError> {
        let mut state = self.lock();
        let session = self.signed_in(&mut state)?;
        let next = session.with_refresh_response(&json)?;
        self.replace_refreshed(&mut state, next).map(|_| ())
    }

    /// Whether a session is stored. Fails with `invalid_session` or the store's error.
    pub fn is_signed_in(&self) -> Result<bool, AuthcoreError> {
        Ok(self.current(&mut self.lock())?.is_some())
    }

    /// The signed-in user, or none.
    pub fn current_user(&self) -> Result<Option<SessionUser>, AuthcoreError> {
        Ok(self
            .current(&mut self.lock())?
            .map(|s| SessionUser::from(&s.user)))
    }

    /// The access token as stored (it may be expired: see `AuthSession::fresh_access_token`),
    /// or none when signed out.
    pub fn access_token(&self) -> Result<Option<String>, AuthcoreError> {
        Ok(self.current(&mut self.lock())?.map(|s| s.access_token))
    }

    /// The headers carrying the access token. Fails with `not_signed_in`.
    pub fn headers(&self, style: HeaderStyle) -> Result<Vec<HttpHeader>, AuthcoreError> {
        let session = self.signed_in(&mut self.lock())?;
        Ok(session
            .headers(style.into())
            .into_iter()
            .map(|(name, value)| HttpHeader { name, value })
            .collect())
    }

    /// Whether the access token expires within `min_ttl_seconds` from now (or is unreadable).
    /// Fails with `not_signed_in`.
    pub fn needs_refresh(&self, min_ttl_seconds: i64) -> Result<bool, AuthcoreError> {
        let session = self.signed_in(&mut self.lock())?;
        Ok(session.needs_refresh(SystemClock.now(), min_ttl_seconds))
    }

    /// The JSON body of `POST /api/auth/refreshtoken`. Fails with `not_signed_in` or
    /// `no_refresh_token`.
    pub fn refresh_request_body(&self) -> Result<String, AuthcoreError> {
        Ok(self.signed_in(&mut self.lock())?.refresh_request_body()?)
    }

    /// Whether the signed-in user holds `role`, by name (`admin`) or authority (`ROLE_ADMIN`);
    /// `false` when signed out.
    pub fn has_role(&self, role: String) -> Result<bool, AuthcoreError> {
        Ok(self
            .current(&mut self.lock())?
            .is_some_and(|s| s.has_role(&role)))
    }

    /// Removes the session from the store and memory. A refresh under way is not applied when it
    /// lands. Succeeds when already signed out, and clears an unreadable stored session.
    pub fn sign_out(&self) -> Result<(), AuthcoreError> {
        let mut state = self.lock();
        self.store.remove(STORAGE_KEY.to_owned())?;
        state.cached = Some(None);
        state.epoch = state.epoch.wrapping_add(1);
        Ok(())
    }
}

impl AuthSession {
    /// How many callers (blocking or async) wait for the refresh under way.
    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        let state = self.lock();
        state.waiting + state.wakers.len()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // State changes are single assignments after all fallible work, so the state behind a
        // poisoned lock is consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The session, read from the store on first use.
    fn current(&self, state: &mut State) -> Result<Option<Session>, AuthcoreError> {
        if let Some(cached) = &state.cached {
            return Ok(cached.clone());
        }
        let stored = self.store.get(STORAGE_KEY.to_owned())?;
        let session = stored.map(|json| Session::from_json(&json)).transpose()?;
        state.cached = Some(session.clone());
        Ok(session)
    }

    fn signed_in(&self, state: &mut State) -> Result<Session, AuthcoreError> {
        self.current(state)?
            .ok_or_else(AuthcoreError::not_signed_in)
    }

    /// Keeps `next` in memory, then persists it; returns its access token.
    fn replace_refreshed(&self, state: &mut State, next: Session) -> Result<String, AuthcoreError> {
        let json = next.to_json();
        let token = next.access_token.clone();
        state.cached = Some(Some(next));
        self.store.set(STORAGE_KEY.to_owned(), json)?;
        Ok(token)
    }
}

mod refresh;
#[cfg(test)]
mod tests;

pub use refresh::{AsyncRefresher, Refresher};
