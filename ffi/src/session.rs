//! The client session: authd's signin/refresh responses kept in the app's `TokenStore`, the
//! headers to send, and a single-flight refresh.
//!
//! The decisions (what is stored, when to refresh, who refreshes, what a landed refresh or a
//! sign-out means) are `authcore::session::SessionMachine`'s; this module calls the store and
//! waits. The network call stays in the app, behind `Refresher` or `AsyncRefresher` (`refresh.rs`).

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::Waker;
use std::thread::{self, ThreadId};

use authcore::session::{self as core, STORAGE_KEY, Session, SessionError, SessionMachine};
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

/// The time an `AuthSession` judges token expiry at, implemented by the app: for tests, previews
/// and apps with their own trusted time source. Sessions made with `AuthSession::new` read the
/// system clock.
#[uniffi::export(with_foreign)]
pub trait SessionClock: Send + Sync {
    /// Now, in whole seconds since the Unix epoch.
    fn now_seconds(&self) -> i64;
}

/// The system clock, for `AuthSession::new`.
struct SystemSessionClock;

impl SessionClock for SystemSessionClock {
    fn now_seconds(&self) -> i64 {
        SystemClock.now()
    }
}

#[derive(Default)]
struct State {
    /// The decisions: which stored session is current, the refresh flight, sign-in epochs.
    machine: SessionMachine,
    /// The thread calling the store for this session, if any: one store call at a time, made with
    /// no lock held (see [`AuthSession::with_store`]).
    store_turn: Option<ThreadId>,
    /// How many blocking callers wait for a refresh under way.
    waiting: usize,
    /// Wakers of async callers waiting for a refresh under way.
    wakers: Vec<Waker>,
    /// The outcome of the last refresh that landed, by flight id.
    landed: Option<(u64, Result<String, AuthcoreError>)>,
}

/// A signed-in session kept in a `TokenStore` under `authcore.session`.
///
/// Every call reads the store, so sessions sharing one store (an app and its extension, each with
/// its own `AuthSession`) see each other's sign-ins, refreshes and sign-outs; before refreshing, a
/// session re-reads the store and adopts a session another one already refreshed. The decisions
/// are `authcore::session::SessionMachine`'s, the same the JS package makes. Every method is
/// thread-safe. The store is called with no lock held, one call at a time per session; a store
/// that calls back into its own session from inside a store method fails with `store_reentered`
/// instead of deadlocking.
#[derive(uniffi::Object)]
pub struct AuthSession {
    store: Arc<dyn TokenStore>,
    clock: Arc<dyn SessionClock>,
    state: Mutex<State>,
    /// Signalled when a store turn ends or a refresh lands.
    changed: Condvar,
}

impl std::fmt::Debug for AuthSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSession").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl AuthSession {
    /// A session over `store`, judging expiry by the system clock. Nothing is read until the
    /// first call that needs the session.
    #[uniffi::constructor]
    pub fn new(store: Arc<dyn TokenStore>) -> Self {
        Self::with_clock(store, Arc::new(SystemSessionClock))
    }

    /// A session over `store` that judges expiry (`needs_refresh`, `fresh_access_token`) at
    /// `clock`'s time instead of the system clock's.
    #[uniffi::constructor]
    pub fn with_clock(store: Arc<dyn TokenStore>, clock: Arc<dyn SessionClock>) -> Self {
        AuthSession {
            store,
            clock,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        }
    }

    /// Saves authd's signin response body (`{id, username, email, roles, accessToken,
    /// refreshToken?}`), replacing any session, and returns the user. A refresh under way is not
    /// applied when it lands.
    ///
    /// Fails with `invalid_response`, or the store's error (then nothing is saved).
    pub fn save_signin_response(&self, json: String) -> Result<SessionUser, AuthcoreError> {
        self.with_store(|store| {
            let (session, stored) = self.lock().machine.sign_in(&json)?;
            store.set(STORAGE_KEY.to_owned(), stored)?;
            Ok(SessionUser::from(&session.user))
        })
    }

    /// Applies authd's refresh response body (`{accessToken, refreshToken?}`) to the stored
    /// session.
    ///
    /// Fails with `not_signed_in`, `invalid_response`, or the store's error.
    pub fn save_refresh_response(&self, json: String) -> Result<(), AuthcoreError> {
        self.with_store(|store| {
            let stored = store.get(STORAGE_KEY.to_owned())?;
            let landing = self
                .lock()
                .machine
                .apply_refresh(stored.as_deref(), &json, None)?;
            store.set(STORAGE_KEY.to_owned(), landing.stored)
        })
    }

    /// Whether a session is stored (an unreadable stored value counts as signed out). Fails with
    /// the store's error.
    pub fn is_signed_in(&self) -> Result<bool, AuthcoreError> {
        Ok(self.current()?.is_some())
    }

    /// The signed-in user, or none.
    pub fn current_user(&self) -> Result<Option<SessionUser>, AuthcoreError> {
        Ok(self.current()?.map(|s| SessionUser::from(&s.user)))
    }

    /// The access token as stored (it may be expired: see `AuthSession::fresh_access_token`),
    /// or none when signed out.
    pub fn access_token(&self) -> Result<Option<String>, AuthcoreError> {
        Ok(self.current()?.map(|s| s.access_token))
    }

    /// The headers carrying the access token. Fails with `not_signed_in`.
    pub fn headers(&self, style: HeaderStyle) -> Result<Vec<HttpHeader>, AuthcoreError> {
        Ok(self
            .signed_in()?
            .headers(style.into())
            .into_iter()
            .map(|(name, value)| HttpHeader { name, value })
            .collect())
    }

    /// Whether the access token expires within `min_ttl_seconds` from now, carries no `exp`, or
    /// cannot be read. False when signed out: there is nothing to refresh. Fails with the store's
    /// error.
    pub fn needs_refresh(&self, min_ttl_seconds: i64) -> Result<bool, AuthcoreError> {
        self.decide(|machine, stored, now| machine.needs_refresh(stored, now, min_ttl_seconds))
    }

    /// The JSON body of `POST /api/auth/refreshtoken`, whatever the access token's time left (see
    /// `needs_refresh`). Fails with `not_signed_in` or `no_refresh_token`.
    pub fn refresh_request_body(&self) -> Result<String, AuthcoreError> {
        Ok(self.signed_in()?.refresh_request_body()?)
    }

    /// Whether the signed-in user holds `role`, by name (`admin`) or authority (`ROLE_ADMIN`);
    /// `false` when signed out.
    pub fn has_role(&self, role: String) -> Result<bool, AuthcoreError> {
        Ok(self.current()?.is_some_and(|s| s.has_role(&role)))
    }

    /// Reports that authd answered a request carrying this session's access token with 401 (the
    /// token was revoked, or the account disabled): signs out like `sign_out`, so a later
    /// `fresh_access_token` fails with `not_signed_in`. Fails with the store's error.
    pub fn handle_unauthorized(&self) -> Result<(), AuthcoreError> {
        self.with_store(|store| {
            self.lock().machine.access_rejected();
            store.remove(STORAGE_KEY.to_owned())
        })
    }

    /// Removes the session from the store. A refresh under way is not applied when it lands.
    /// Succeeds when already signed out, and clears an unreadable stored session.
    pub fn sign_out(&self) -> Result<(), AuthcoreError> {
        self.with_store(|store| {
            self.lock().machine.sign_out();
            store.remove(STORAGE_KEY.to_owned())
        })
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

    /// Runs `calls` (which call the store, and may lock the state briefly between calls) as this
    /// session's one store turn: no lock is held while the store runs, and the turns of several
    /// threads follow each other, so a decision taken from what a turn read still holds when the
    /// same turn writes.
    fn with_store<T>(
        &self,
        calls: impl FnOnce(&dyn TokenStore) -> Result<T, AuthcoreError>,
    ) -> Result<T, AuthcoreError> {
        let me = thread::current().id();
        {
            let mut state = self.lock();
            if state.store_turn == Some(me) {
                return Err(AuthcoreError::Session {
                    code: "store_reentered".to_owned(),
                    detail: "a TokenStore method called back into its own AuthSession".to_owned(),
                });
            }
            while state.store_turn.is_some() {
                state = self
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            state.store_turn = Some(me);
        }
        let _turn = StoreTurn(self);
        calls(&*self.store)
    }

    /// The stored session, read now; none when signed out.
    fn current(&self) -> Result<Option<Session>, AuthcoreError> {
        self.with_store(|store| {
            let stored = store.get(STORAGE_KEY.to_owned())?;
            Ok(self.lock().machine.current(stored.as_deref())?)
        })
    }

    /// One store turn that reads the store and the clock, and asks the machine `decide(machine,
    /// stored, now)`.
    fn decide<T>(
        &self,
        decide: impl FnOnce(&mut SessionMachine, Option<&str>, i64) -> Result<T, SessionError>,
    ) -> Result<T, AuthcoreError> {
        self.with_store(|store| {
            let stored = store.get(STORAGE_KEY.to_owned())?;
            let now = self.clock.now_seconds();
            Ok(decide(&mut self.lock().machine, stored.as_deref(), now)?)
        })
    }

    fn signed_in(&self) -> Result<Session, AuthcoreError> {
        Ok(self.current()?.ok_or(SessionError::NotSignedIn)?)
    }
}

/// Ends a store turn, also when the store panicked.
struct StoreTurn<'a>(&'a AuthSession);

impl Drop for StoreTurn<'_> {
    fn drop(&mut self) {
        self.0.lock().store_turn = None;
        self.0.changed.notify_all();
    }
}

mod refresh;
#[cfg(test)]
mod tests;

pub use refresh::{AsyncRefresher, Refresher};
