//! The single-flight refresh, as the core's `SessionMachine` decides it: one refresh at a time per
//! session, whose outcome every caller that arrived meanwhile shares. Blocking callers wait on a
//! condition variable, async callers on wakers; both join the same flight. Before refreshing, the
//! leader re-reads the store and adopts a session that another `AuthSession` over the same store
//! refreshed. No lock is held while the app's refresher or store runs.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll};

use authcore::session::{Fresh, Refresh, STORAGE_KEY, refresh_rejected};

use super::{AuthSession, State};
use crate::AuthcoreError;

/// The app's call to authd's refresh endpoint, blocking the calling thread.
#[uniffi::export(with_foreign)]
pub trait Refresher: Send + Sync {
    /// POSTs `body` (JSON) to `/api/auth/refreshtoken` and returns the response body (JSON).
    /// Report failures as `AuthcoreError.Refresh` with a code of your choice (`network`, …); an
    /// HTTP status as `http_<status>`: `http_401` and `http_403` sign the session out.
    fn refresh(&self, body: String) -> Result<String, AuthcoreError>;
}

/// The app's call to authd's refresh endpoint, as a Kotlin `suspend fun` or a Swift `async`
/// function.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait AsyncRefresher: Send + Sync {
    /// POSTs `body` (JSON) to `/api/auth/refreshtoken` and returns the response body (JSON).
    /// Report failures as `AuthcoreError.Refresh` with a code of your choice; an HTTP status as
    /// `http_<status>`: `http_401` and `http_403` sign the session out.
    async fn refresh(&self, body: String) -> Result<String, AuthcoreError>;
}

#[uniffi::export]
impl AuthSession {
    /// An access token valid for at least `min_ttl_seconds`, refreshing through `refresher` when
    /// needed. Blocks the calling thread for the duration of a refresh.
    ///
    /// Single-flight: while one refresh is under way, other callers wait for its outcome (the
    /// new token, or the same error) instead of starting their own. `refresher` is called
    /// without any lock held. Fails with `not_signed_in`, `no_refresh_token`, the refresher's
    /// error, `invalid_response`, or the store's error (the new tokens are then kept in memory).
    pub fn fresh_access_token(
        &self,
        refresher: Arc<dyn Refresher>,
        min_ttl_seconds: i64,
    ) -> Result<String, AuthcoreError> {
        loop {
            match self.fresh(min_ttl_seconds)? {
                Fresh::Ready(token) => return Ok(token),
                Fresh::Join(id) => {
                    if let Some(outcome) = self.wait_blocking(id) {
                        return outcome;
                    }
                }
                Fresh::Lead(id) => {
                    let guard = FlightGuard::new(self, id);
                    let outcome = match self.refresh_body(id, min_ttl_seconds) {
                        Ok(Refresh::Send(body)) => match refresher.refresh(body) {
                            Ok(json) => self.land(id, &json),
                            Err(e) => self.refused(id, e),
                        },
                        Ok(Refresh::Adopt(token)) => Ok(token),
                        Err(e) => Err(e),
                    };
                    return guard.finish(outcome);
                }
            }
        }
    }

    /// `fresh_access_token` for async code: the same single flight (shared with blocking
    /// callers), waiting without blocking a thread. Dropping (cancelling) the call while it
    /// leads a refresh releases its waiters with `refresh_aborted`.
    pub async fn fresh_access_token_async(
        &self,
        refresher: Arc<dyn AsyncRefresher>,
        min_ttl_seconds: i64,
    ) -> Result<String, AuthcoreError> {
        loop {
            match self.fresh(min_ttl_seconds)? {
                Fresh::Ready(token) => return Ok(token),
                Fresh::Join(id) => {
                    Landed { session: self, id }.await;
                    if let Some(outcome) = self.outcome_of(id) {
                        return outcome;
                    }
                }
                Fresh::Lead(id) => {
                    let guard = FlightGuard::new(self, id);
                    let outcome = match self.refresh_body(id, min_ttl_seconds) {
                        Ok(Refresh::Send(body)) => match refresher.refresh(body).await {
                            Ok(json) => self.land(id, &json),
                            Err(e) => self.refused(id, e),
                        },
                        Ok(Refresh::Adopt(token)) => Ok(token),
                        Err(e) => Err(e),
                    };
                    return guard.finish(outcome);
                }
            }
        }
    }
}

impl AuthSession {
    /// The machine's first step, from the store as read now.
    fn fresh(&self, min_ttl_seconds: i64) -> Result<Fresh, AuthcoreError> {
        self.decide(|machine, stored, now| machine.fresh(stored, now, min_ttl_seconds))
    }

    /// For the leader: the store re-read right before refreshing, so that a session another
    /// `AuthSession` over the same store (an app extension) refreshed meanwhile is adopted.
    fn refresh_body(&self, id: u64, min_ttl_seconds: i64) -> Result<Refresh, AuthcoreError> {
        self.decide(|machine, stored, now| machine.refresh_body(id, stored, now, min_ttl_seconds))
    }

    /// Lands authd's refresh response for flight `id` in the store, in one store turn; returns the
    /// new access token.
    fn land(&self, id: u64, json: &str) -> Result<String, AuthcoreError> {
        self.with_store(|store| {
            let stored = store.get(STORAGE_KEY.to_owned())?;
            let landing = self.lock().machine.land(id, stored.as_deref(), json)?;
            store.set(STORAGE_KEY.to_owned(), landing.stored)?;
            Ok(landing.access_token)
        })
    }

    /// The refresh call of flight `id` failed with `error`: when authd refused it (`http_401`,
    /// `http_403`) and the store still holds the session refreshed, signs out, in one store turn.
    /// Returns `error`, or the store's error.
    fn refused(&self, id: u64, error: AuthcoreError) -> Result<String, AuthcoreError> {
        let AuthcoreError::Refresh { code, .. } = &error else {
            return Err(error);
        };
        if !refresh_rejected(code) {
            return Err(error);
        }
        self.with_store(|store| {
            let stored = store.get(STORAGE_KEY.to_owned())?;
            if self
                .lock()
                .machine
                .refresh_failed(id, stored.as_deref(), code)
            {
                store.remove(STORAGE_KEY.to_owned())?;
            }
            Ok(())
        })?;
        Err(error)
    }

    /// Blocks until flight `id` has landed; its outcome, or `None` when it ended without one
    /// this caller can see (then look again).
    fn wait_blocking(&self, id: u64) -> Option<Result<String, AuthcoreError>> {
        let mut state = self.lock();
        state.waiting += 1;
        while state.machine.in_flight(id) && !landed_is(&state, id) {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.waiting -= 1;
        landed_outcome(&state, id)
    }

    fn outcome_of(&self, id: u64) -> Option<Result<String, AuthcoreError>> {
        landed_outcome(&self.lock(), id)
    }

    /// Records the outcome of flight `id`, ends it and releases every waiter.
    fn finish(&self, id: u64, outcome: Result<String, AuthcoreError>) {
        let mut state = self.lock();
        state.machine.end(id);
        state.landed = Some((id, outcome));
        for waker in state.wakers.drain(..) {
            waker.wake();
        }
        drop(state);
        self.changed.notify_all();
    }
}

fn landed_is(state: &State, id: u64) -> bool {
    state
        .landed
        .as_ref()
        .is_some_and(|(landed, _)| *landed == id)
}

fn landed_outcome(state: &State, id: u64) -> Option<Result<String, AuthcoreError>> {
    match &state.landed {
        Some((landed, outcome)) if *landed == id => Some(outcome.clone()),
        _ => None,
    }
}

/// Ready once flight `id` is no longer under way.
struct Landed<'a> {
    session: &'a AuthSession,
    id: u64,
}

impl Future for Landed<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.session.lock();
        if !state.machine.in_flight(self.id) || landed_is(&state, self.id) {
            return Poll::Ready(());
        }
        if !state.wakers.iter().any(|w| w.will_wake(cx.waker())) {
            state.wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// Ends the flight it leads: with the response through `complete`, or, when the leader unwinds
/// or its future is dropped, with `refresh_aborted` so that waiters are never left waiting.
struct FlightGuard<'a> {
    session: &'a AuthSession,
    id: u64,
    armed: bool,
}

impl<'a> FlightGuard<'a> {
    fn new(session: &'a AuthSession, id: u64) -> Self {
        FlightGuard {
            session,
            id,
            armed: true,
        }
    }

    fn finish(mut self, outcome: Result<String, AuthcoreError>) -> Result<String, AuthcoreError> {
        self.session.finish(self.id, outcome.clone());
        self.armed = false;
        outcome
    }
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            let aborted = Err(AuthcoreError::Refresh {
                code: "refresh_aborted".to_owned(),
                detail: "the refresh was abandoned before it landed".to_owned(),
            });
            self.session.finish(self.id, aborted);
        }
    }
}
