//! "503 means not done": a store call that times out either never commits, or is waited for.
//!
//! [`crate::store::database::Database`] gives every call a [`Gate`] (in a tokio task-local, so the
//! backends find it without new parameters) and moves it, on timeout, from `Running` to
//! `Abandoned`. The backends move it from `Running` to `Committing` right before they commit
//! ([`may_commit`]; on SQLite a commit hook does it for every COMMIT, explicit or automatic). Only
//! one of the two moves can win:
//! - `Abandoned` first: the client gets 503 and the call's COMMIT turns into a rollback (SQLite's
//!   blocking closure goes on, then rolls back; MySQL's future is dropped before it sends COMMIT,
//!   and the pool rolls the connection back);
//! - `Committing` first: the caller waits for the outcome instead of answering 503.
//!
//! A gate also holds the caller's place in the bounded queue of store calls: the permit is
//! released when the last holder (e.g. SQLite's still-running closure) drops it.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::OwnedSemaphorePermit;

use crate::store::records::StoreError;

const RUNNING: u8 = 0;
const COMMITTING: u8 = 1;
const ABANDONED: u8 = 2;

tokio::task_local! {
    static GATE: Arc<Gate>;
}

/// The shared state of one store call.
#[derive(Debug)]
pub struct Gate {
    state: AtomicU8,
    deadline: Instant,
    _permit: Option<OwnedSemaphorePermit>,
}

impl Gate {
    /// A running call that may take `limit`, holding `permit` (its queue place) until the last
    /// clone is dropped.
    pub fn new(limit: Duration, permit: Option<OwnedSemaphorePermit>) -> Arc<Gate> {
        Arc::new(Gate {
            state: AtomicU8::new(RUNNING),
            deadline: Instant::now() + limit,
            _permit: permit,
        })
    }

    /// Time left until the caller gives up (backends bound their own waits by it, e.g. SQLite's
    /// wait for another process' lock).
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// The call is about to commit: `true` lets it (the caller will wait for it), `false` means
    /// the caller has given up and the call must roll back.
    pub fn enter_commit(&self) -> bool {
        match self
            .state
            .compare_exchange(RUNNING, COMMITTING, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => true,
            Err(state) => state == COMMITTING,
        }
    }

    /// The caller gives up: `true` when the call can no longer commit, `false` when it already
    /// is committing (then the caller must wait for it).
    pub fn abandon(&self) -> bool {
        match self
            .state
            .compare_exchange(RUNNING, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => true,
            Err(state) => state == ABANDONED,
        }
    }

    /// Whether the caller has given up.
    pub fn is_abandoned(&self) -> bool {
        self.state.load(Ordering::Acquire) == ABANDONED
    }
}

/// Runs `fut` with `gate` as the current gate.
pub async fn scope<F: Future>(gate: Arc<Gate>, fut: F) -> F::Output {
    GATE.scope(gate, fut).await
}

/// The gate of the store call being run, if it runs under [`crate::store::database::Database`].
pub fn current() -> Option<Arc<Gate>> {
    GATE.try_with(Arc::clone).ok()
}

/// For backends, right before a COMMIT (or a statement that commits by itself): `Ok` to go on.
pub fn may_commit() -> Result<(), StoreError> {
    match current() {
        Some(gate) if !gate.enter_commit() => Err(abandoned()),
        _ => Ok(()),
    }
}

/// The error of a call whose caller has given up.
pub fn abandoned() -> StoreError {
    StoreError::Unavailable("store call abandoned after its timeout; rolled back".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committing_and_abandoning_exclude_each_other() {
        let gate = Gate::new(Duration::from_secs(1), None);
        assert!(gate.enter_commit());
        assert!(
            gate.enter_commit(),
            "a second commit of the same call goes on"
        );
        assert!(!gate.abandon(), "a committing call is waited for");
        let gate = Gate::new(Duration::from_secs(1), None);
        assert!(gate.abandon());
        assert!(gate.is_abandoned());
        assert!(!gate.enter_commit(), "an abandoned call never commits");
    }

    #[tokio::test]
    async fn the_gate_is_found_inside_its_scope_only() {
        assert!(current().is_none());
        assert!(
            may_commit().is_ok(),
            "calls outside a Database are never gated"
        );
        let gate = Gate::new(Duration::from_secs(1), None);
        gate.abandon();
        let inside = scope(gate, async { may_commit() }).await;
        assert!(inside.is_err());
    }
}
