//! Access to the [`Store`] with bounded waits, and a connection that may come later.
//!
//! authd starts even when MySQL is down: the first [`store::open`] failure that says
//! "unavailable" starts a background task that retries (200 ms doubling to 5 s) while every call
//! answers [`StoreError::Unavailable`] at once (HTTP 503). Once open, the store's pool reconnects
//! by itself after outages. Every call is bounded by one timeout, `AUTHD_STORE_TIMEOUT_MS` (the
//! backends add none of their own), so a hanging database also ends in a 503 instead of a hung
//! request, and a 503 means "not done": a call that times out before it commits never commits,
//! one that is committing is waited for (see [`crate::store::database::commit_gate`]). At most
//! [`MAX_QUEUED_CALLS`] calls wait or run at once (an abandoned SQLite call keeps its place until
//! it has rolled back); beyond that calls get 503 at once.

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use authcore::Role;
use tokio::sync::{Semaphore, watch};

pub mod commit_gate;

use self::commit_gate::Gate;
use crate::store::lifecycle::UserAccess;
use crate::store::ports::Store;
use crate::store::records::CreateUserError;
use crate::store::records::NewUser;
use crate::store::records::StoreError;
use crate::store::records::UserRecord;

/// First and last pause between connection attempts.
const RETRY_FIRST: Duration = Duration::from_millis(200);
const RETRY_MAX: Duration = Duration::from_secs(5);
/// Most store calls running or waiting at once; more get 503 (with `Retry-After`) at once.
pub const MAX_QUEUED_CALLS: usize = 512;

/// What is needed to open the store. `Debug` hides the database password.
#[derive(Clone)]
pub struct StoreTarget {
    /// `mysql://…` or `None` for SQLite.
    pub database_url: Option<String>,
    /// Data directory (SQLite).
    pub data_dir: PathBuf,
    /// Pool size (MySQL).
    pub pool_size: usize,
}

impl std::fmt::Debug for StoreTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreTarget")
            .field(
                "database_url",
                &self.database_url.as_deref().map(crate::config::redact_url),
            )
            .field("data_dir", &self.data_dir)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

impl StoreTarget {
    async fn open(&self) -> Result<Arc<dyn Store>, StoreError> {
        crate::store::backend::open(self.database_url.as_deref(), &self.data_dir, self.pool_size)
            .await
    }
}

/// A cheap-to-clone handle on the store.
#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

struct Inner {
    store: OnceLock<Arc<dyn Store>>,
    ready: watch::Sender<bool>,
    timeout: Duration,
    queue: Arc<Semaphore>,
    /// When periodic store maintenance last ran (seconds since the epoch).
    last_maintenance: AtomicI64,
}

impl Database {
    /// Opens the store. A database that is merely unavailable is retried in the background; any
    /// other failure (bad URL, unknown database, unwritable data directory) is returned.
    pub async fn connect(target: StoreTarget, timeout: Duration) -> Result<Database, StoreError> {
        let db = Database {
            inner: Arc::new(Inner {
                store: OnceLock::new(),
                ready: watch::Sender::new(false),
                timeout,
                queue: Arc::new(Semaphore::new(MAX_QUEUED_CALLS)),
                last_maintenance: AtomicI64::new(i64::MIN),
            }),
        };
        match target.open().await {
            Ok(store) => db.set(store),
            Err(StoreError::Unavailable(reason)) => {
                tracing::warn!(%reason, "database unavailable at start-up; answering 503 until it comes");
                tokio::spawn(db.clone().reconnect(target));
            }
            Err(e) => return Err(e),
        }
        Ok(db)
    }

    /// A handle on an already open store.
    pub fn from_store(store: Arc<dyn Store>, timeout: Duration) -> Database {
        let db = Database {
            inner: Arc::new(Inner {
                store: OnceLock::new(),
                ready: watch::Sender::new(false),
                timeout,
                queue: Arc::new(Semaphore::new(MAX_QUEUED_CALLS)),
                last_maintenance: AtomicI64::new(i64::MIN),
            }),
        };
        db.set(store);
        db
    }

    fn set(&self, store: Arc<dyn Store>) {
        let _ = self.inner.store.set(store);
        self.inner.ready.send_replace(true);
    }

    async fn reconnect(self, target: StoreTarget) {
        let mut pause = RETRY_FIRST;
        loop {
            tokio::time::sleep(pause).await;
            match target.open().await {
                Ok(store) => {
                    tracing::info!("database connected");
                    self.set(store);
                    return;
                }
                Err(e) => tracing::warn!(error = %e, "database still unavailable"),
            }
            pause = (pause * 2).min(RETRY_MAX);
        }
    }

    /// `true` for exactly one caller per `every` seconds: that caller runs periodic maintenance
    /// (e.g. pruning old refresh tokens).
    pub fn maintenance_due(&self, now: i64, every: i64) -> bool {
        let last = self.inner.last_maintenance.load(Ordering::Relaxed);
        now.saturating_sub(last) >= every
            && self
                .inner
                .last_maintenance
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
    }

    /// Resolves once the store is open (immediately if it already is).
    pub async fn wait_ready(&self) {
        let mut rx = self.inner.ready.subscribe();
        let _ = rx.wait_for(|ready| *ready).await;
    }

    pub(crate) fn store(&self) -> Result<&Arc<dyn Store>, StoreError> {
        self.inner
            .store
            .get()
            .ok_or_else(|| StoreError::Unavailable("database not connected yet".to_owned()))
    }

    /// Runs `fut` under a fresh [`Gate`] for at most `limit`: past it, a call that has not begun
    /// to commit is abandoned (503, and it will not commit); a committing one is waited for.
    async fn bounded<T, E>(
        &self,
        limit: Duration,
        fut: impl Future<Output = Result<T, E>>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let Ok(permit) = Arc::clone(&self.inner.queue).try_acquire_owned() else {
            return Err(StoreError::Unavailable(format!(
                "{MAX_QUEUED_CALLS} store calls are already waiting"
            ))
            .into());
        };
        let gate = Gate::new(limit, Some(permit));
        let fut = commit_gate::scope(Arc::clone(&gate), fut);
        tokio::pin!(fut);
        tokio::select! {
            result = &mut fut => return result,
            () = tokio::time::sleep(limit) => {}
        }
        if gate.abandon() {
            return Err(StoreError::Unavailable(format!(
                "no answer from the store within {} ms",
                limit.as_millis()
            ))
            .into());
        }
        tracing::debug!("store call past its timeout is committing; waiting for it");
        fut.await
    }

    /// Runs `op` on the open store within the store timeout (refresh tokens, role administration).
    pub async fn with_store<'a, T, Fut>(
        &'a self,
        op: impl FnOnce(&'a Arc<dyn Store>) -> Fut,
    ) -> Result<T, StoreError>
    where
        Fut: Future<Output = Result<T, StoreError>> + 'a,
    {
        let store = self.store()?;
        self.bounded(self.inner.timeout, op(store)).await
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let store = self.store()?;
        self.bounded(self.inner.timeout, store.ping()).await
    }

    /// The user with this username (case- and trailing-space-insensitive).
    pub async fn find_user_by_username(
        &self,
        username: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let store = self.store()?;
        self.bounded(self.inner.timeout, store.find_user_by_username(username))
            .await
    }

    /// The roles of user `id`, or `None` when it does not exist.
    pub async fn user_roles(&self, id: i64) -> Result<Option<Vec<Role>>, StoreError> {
        let store = self.store()?;
        self.bounded(self.inner.timeout, store.user_roles(id)).await
    }

    /// Roles, `tokens_valid_after` and `disabled` of user `id`, or `None` when it does not exist.
    pub async fn user_access(&self, id: i64) -> Result<Option<UserAccess>, StoreError> {
        let store = self.store()?;
        self.bounded(self.inner.timeout, store.user_access(id))
            .await
    }

    /// Creates a user (username checked first, then email).
    pub async fn create_user(&self, new: &NewUser) -> Result<i64, CreateUserError> {
        let store = self.store()?;
        self.bounded(self.inner.timeout, store.create_user(new))
            .await
    }

    /// Replaces user `id`'s password hash.
    pub async fn update_password_hash(&self, id: i64, hash: &str) -> Result<(), StoreError> {
        let store = self.store()?;
        self.bounded(self.inner.timeout, store.update_password_hash(id, hash))
            .await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Holds SQLite's write lock from another connection until `release` fires.
    fn lock_database(
        path: std::path::PathBuf,
    ) -> (std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>) {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (taken_tx, taken) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch("BEGIN IMMEDIATE").unwrap();
            taken_tx.send(()).unwrap();
            let _ = wait.recv();
            conn.execute_batch("COMMIT").unwrap();
        });
        taken.recv().unwrap();
        (release, holder)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_answers_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::backend::open(None, dir.path(), 1)
            .await
            .unwrap();
        let db = Database::from_store(store, Duration::from_secs(3));
        let (release, holder) = lock_database(dir.path().join(crate::store::SQLITE_FILE_NAME));
        let calls = MAX_QUEUED_CALLS + 40;
        let started = std::time::Instant::now();
        let tasks: Vec<_> = (0..calls)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    let result = db.update_password_hash(1, "x").await;
                    (i, result, started.elapsed())
                })
            })
            .collect();
        // The first call waits for the lock; the queue fills behind it.
        tokio::time::sleep(Duration::from_millis(500)).await;
        release.send(()).unwrap();
        let mut refused_fast = 0;
        for task in tasks {
            let (_, result, elapsed) = task.await.unwrap();
            if let Err(StoreError::Unavailable(reason)) = &result
                && reason.contains("already waiting")
            {
                assert!(elapsed < Duration::from_millis(500), "{elapsed:?}");
                refused_fast += 1;
            }
        }
        holder.join().unwrap();
        assert_eq!(refused_fast, 40, "exactly the calls beyond the queue bound");
    }
}
