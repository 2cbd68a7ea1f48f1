//! Access to the [`Store`] with bounded waits, and a connection that may come later.
//!
//! authd starts even when MySQL is down: the first [`store::open`] failure that says
//! "unavailable" starts a background task that retries (200 ms doubling to 5 s) while every call
//! answers [`StoreError::Unavailable`] at once (HTTP 503). Once open, the store's pool reconnects
//! by itself after outages. Every call is wrapped in a timeout, so a hanging database also ends in
//! a 503 instead of a hung request.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use authcore::Role;
use tokio::sync::watch;

use crate::store::{self, CreateUserError, NewUser, Store, StoreError, UserRecord};

/// First and last pause between connection attempts.
const RETRY_FIRST: Duration = Duration::from_millis(200);
const RETRY_MAX: Duration = Duration::from_secs(5);
/// A create transaction may take this many store timeouts (the MySQL backend retries deadlocks).
const CREATE_TIMEOUT_FACTOR: u32 = 5;

/// What is needed to open the store.
#[derive(Debug, Clone)]
pub struct StoreTarget {
    /// `mysql://…` or `None` for SQLite.
    pub database_url: Option<String>,
    /// Data directory (SQLite).
    pub data_dir: PathBuf,
    /// Pool size (MySQL).
    pub pool_size: usize,
}

impl StoreTarget {
    async fn open(&self) -> Result<Arc<dyn Store>, StoreError> {
        store::open(self.database_url.as_deref(), &self.data_dir, self.pool_size).await
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

    async fn bounded<T>(
        &self,
        limit: Duration,
        fut: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(limit, fut).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Unavailable(format!(
                "no answer from the store within {} ms",
                limit.as_millis()
            ))),
        }
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

    /// Creates a user (username checked first, then email).
    pub async fn create_user(&self, new: &NewUser) -> Result<i64, CreateUserError> {
        let store = self.store()?;
        let limit = self.inner.timeout * CREATE_TIMEOUT_FACTOR;
        match tokio::time::timeout(limit, store.create_user(new)).await {
            Ok(result) => result,
            Err(_) => Err(CreateUserError::Store(StoreError::Unavailable(
                "no answer from the store in time".to_owned(),
            ))),
        }
    }

    /// Replaces user `id`'s password hash.
    pub async fn update_password_hash(&self, id: i64, hash: &str) -> Result<(), StoreError> {
        let store = self.store()?;
        self.bounded(self.inner.timeout, store.update_password_hash(id, hash))
            .await
    }
}
