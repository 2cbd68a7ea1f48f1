//! The single-flight refresh: one refresh at a time per session, whose outcome every caller that
//! arrived meanwhile shares. Blocking callers wait on a condition variable, async callers on
//! wakers; both join the same flight. No lock is held while the app's refresher runs.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll};

use authcore::session::Session;
use authcore::tokens::{Clock, SystemClock};

use super::{AuthSession, State};
use crate::AuthcoreError;

/// The app's call to authd's refresh endpoint, blocking the calling thread.
#[uniffi::export(with_foreign)]
pub trait Refresher: Send + Sync {
    /// POSTs `body` (JSON) to `/api/auth/refreshtoken` and returns the response body (JSON).
    /// Report failures as `AuthcoreError.Refresh` with a code of your choice (`http_403`,
    /// `network`, …).
    fn refresh(&self, body: String) -> Result<String, AuthcoreError>;
}

/// The app's call to authd's refresh endpoint, as a Kotlin `suspend fun` or a Swift `async`
/// function.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait AsyncRefresher: Send + Sync {
    /// POSTs `body` (JSON) to `/api/auth/refreshtoken` and returns the response body (JSON).
    /// Report failures as `AuthcoreError.Refresh` with a code of your choice.
    async fn refresh(&self, body: String) -> Result<String, AuthcoreError>;
}

/// What a caller of `fresh_access_token` does next.
enum Step {
    /// The current token is fresh enough.
    Done(String),
    /// Wait for the refresh under way with this id.
    Join(u64),
    /// Lead a new refresh: send `body`, then land the response with `complete`.
    Lead(Flight),
}

struct Flight {
    id: u64,
    /// The session epoch when the flight started.
    epoch: u64,
    body: String,
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
            match self.next_step(min_ttl_seconds)? {
                Step::Done(token) => return Ok(token),
                Step::Join(id) => {
                    if let Some(outcome) = self.wait_blocking(id) {
                        return outcome;
                    }
                }
                Step::Lead(flight) => {
                    let guard = FlightGuard::new(self, flight.id);
                    let response = refresher.refresh(flight.body.clone());
                    return guard.complete(&flight, response);
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
            match self.next_step(min_ttl_seconds)? {
                Step::Done(token) => return Ok(token),
                Step::Join(id) => {
                    Landed { session: self, id }.await;
                    if let Some(outcome) = self.outcome_of(id) {
                        return outcome;
                    }
                }
                Step::Lead(flight) => {
                    let guard = FlightGuard::new(self, flight.id);
                    let response = refresher.refresh(flight.body.clone()).await;
                    return guard.complete(&flight, response);
                }
            }
        }
    }
}

impl AuthSession {
    fn next_step(&self, min_ttl_seconds: i64) -> Result<Step, AuthcoreError> {
        let mut state = self.lock();
        let session = self.signed_in(&mut state)?;
        if !session.needs_refresh(SystemClock.now(), min_ttl_seconds) {
            return Ok(Step::Done(session.access_token));
        }
        if let Some(id) = state.flight {
            return Ok(Step::Join(id));
        }
        let body = session.refresh_request_body()?;
        let id = state.next_flight;
        state.next_flight = id.wrapping_add(1);
        state.flight = Some(id);
        Ok(Step::Lead(Flight {
            id,
            epoch: state.epoch,
            body,
        }))
    }

    /// Blocks until flight `id` has landed; its outcome, or `None` when a later flight's
    /// outcome replaced it before this caller woke (then look again).
    fn wait_blocking(&self, id: u64) -> Option<Result<String, AuthcoreError>> {
        let mut state = self.lock();
        state.waiting += 1;
        while state.flight == Some(id) {
            state = self
                .refresh_landed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.waiting -= 1;
        landed_outcome(&state, id)
    }

    fn outcome_of(&self, id: u64) -> Option<Result<String, AuthcoreError>> {
        landed_outcome(&self.lock(), id)
    }

    /// Applies a refresh response requested during `epoch`; returns the access token to use.
    fn land(&self, state: &mut State, epoch: u64, json: &str) -> Result<String, AuthcoreError> {
        let session: Session = self.signed_in(state)?;
        if state.epoch != epoch {
            // Signed out, or signed in again, while the refresh was under way: the response
            // belongs to a session that is gone. A new sign-in's token is fresh.
            return Ok(session.access_token);
        }
        let next = session.with_refresh_response(json)?;
        self.replace_refreshed(state, next)
    }

    /// Records the outcome of flight `id` and releases every waiter.
    fn finish(&self, state: &mut State, id: u64, outcome: Result<String, AuthcoreError>) {
        state.landed = Some((id, outcome));
        state.flight = None;
        for waker in state.wakers.drain(..) {
            waker.wake();
        }
        self.refresh_landed.notify_all();
    }
}

fn landed_outcome(state: &State, id: u64) -> Option<Result<String, AuthcoreError>> {
    match &state.landed {
        Some((landed, outcome)) if *landed == id && state.flight != Some(id) => {
            Some(outcome.clone())
        }
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
        if state.flight != Some(self.id) {
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

    fn complete(
        mut self,
        flight: &Flight,
        response: Result<String, AuthcoreError>,
    ) -> Result<String, AuthcoreError> {
        let mut state = self.session.lock();
        let outcome = response.and_then(|json| self.session.land(&mut state, flight.epoch, &json));
        self.session.finish(&mut state, self.id, outcome.clone());
        self.armed = false;
        outcome
    }
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            let mut state = self.session.lock();
            let aborted = Err(AuthcoreError::Refresh {
                code: "refresh_aborted".to_owned(),
                detail: "the refresh was abandoned before it landed".to_owned(),
            });
            self.session.finish(&mut state, self.id, aborted);
        }
    }
}
