//! bcrypt off the async workers: each hash or verify runs on tokio's blocking pool, at most one
//! per CPU core at a time (a semaphore), so slow hashes neither stall other requests nor starve
//! the blocking pool that the SQLite store also uses.

use std::sync::Arc;

use authcore::passwords::{self, PasswordError, PasswordHasher};
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

/// The work could not be run (the task panicked or the pool is shutting down).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("password work could not run")]
pub struct PoolError;

/// Runs bcrypt with bounded parallelism.
#[derive(Clone)]
pub struct PasswordPool {
    permits: Arc<Semaphore>,
    hasher: PasswordHasher,
}

impl PasswordPool {
    /// A pool hashing at `hasher`'s cost, running at most `parallelism` jobs at once.
    pub fn new(hasher: PasswordHasher, parallelism: usize) -> PasswordPool {
        PasswordPool {
            permits: Arc::new(Semaphore::new(parallelism.max(1))),
            hasher,
        }
    }

    /// A pool sized to the machine's cores.
    pub fn for_this_machine(hasher: PasswordHasher) -> PasswordPool {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        PasswordPool::new(hasher, cores)
    }

    /// The cost of new hashes.
    pub fn cost(&self) -> u32 {
        self.hasher.cost()
    }

    async fn run<T, F>(&self, job: F) -> Result<T, PoolError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self.permits.acquire().await.map_err(|_| PoolError)?;
        tokio::task::spawn_blocking(job)
            .await
            .map_err(|_| PoolError)
    }

    /// A new salted hash of `password`.
    pub async fn hash(
        &self,
        password: Zeroizing<String>,
    ) -> Result<Result<String, PasswordError>, PoolError> {
        let hasher = self.hasher;
        self.run(move || hasher.hash(&password)).await
    }

    /// Whether `password` matches `hash`.
    pub async fn verify(
        &self,
        password: Zeroizing<String>,
        hash: String,
    ) -> Result<Result<bool, PasswordError>, PoolError> {
        self.run(move || passwords::verify(&password, &hash)).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify_run_off_the_workers() {
        let pool = PasswordPool::new(PasswordHasher::new(4).unwrap(), 2);
        let pw = || Zeroizing::new("correct horse".to_owned());
        let hash = pool.hash(pw()).await.unwrap().unwrap();
        assert!(pool.verify(pw(), hash.clone()).await.unwrap().unwrap());
        let wrong = Zeroizing::new("wrong".to_owned());
        assert!(!pool.verify(wrong, hash).await.unwrap().unwrap());
    }
}
