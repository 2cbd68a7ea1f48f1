//! bcrypt off the async workers: each hash or verify runs on a dedicated pool of one thread per
//! CPU core, at a low scheduling priority (nice 9 on Linux). Signins still use every idle
//! core, but when request handling needs a core it wins at once, so slow hashes never stall the
//! other routes (the seed's bcryptjs blocked its only thread for ~30 ms per signin). A semaphore
//! bounds the jobs in flight to the thread count.

use std::sync::Arc;

use authcore::passwords::{self, PasswordError, PasswordHasher};
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

/// Cross-platform priority of the bcrypt threads (0 lowest … 99 highest): nice 9 on Linux. Low
/// enough that request handling preempts hashing at once, high enough that signins still progress
/// when other nice-0 work (a database, a build) keeps the cores busy; nice 19 starved them.
const BCRYPT_PRIORITY: u8 = 24;

/// The work could not be run (the task panicked or the pool is shutting down).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("password work could not run")]
pub struct PoolError;

/// Runs bcrypt with bounded parallelism.
#[derive(Clone)]
pub struct PasswordPool {
    permits: Arc<Semaphore>,
    threads: Arc<rayon::ThreadPool>,
    hasher: PasswordHasher,
}

impl PasswordPool {
    /// A pool hashing at `hasher`'s cost on `parallelism` low-priority threads. Fails only when
    /// the threads cannot be started.
    pub fn new(hasher: PasswordHasher, parallelism: usize) -> Result<PasswordPool, PoolError> {
        let parallelism = parallelism.max(1);
        let threads = rayon::ThreadPoolBuilder::new()
            .num_threads(parallelism)
            .thread_name(|i| format!("authd-bcrypt-{i}"))
            .start_handler(|_| {
                // Best effort: where the OS refuses, bcrypt simply runs at normal priority.
                if let Ok(value) = thread_priority::ThreadPriorityValue::try_from(BCRYPT_PRIORITY) {
                    let _ = thread_priority::set_current_thread_priority(
                        thread_priority::ThreadPriority::Crossplatform(value),
                    );
                }
            })
            .build()
            .map_err(|_| PoolError)?;
        Ok(PasswordPool {
            permits: Arc::new(Semaphore::new(parallelism)),
            threads: Arc::new(threads),
            hasher,
        })
    }

    /// A pool sized to the machine's cores.
    pub fn for_this_machine(hasher: PasswordHasher) -> Result<PasswordPool, PoolError> {
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
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.threads.spawn(move || {
            let _ = tx.send(job());
        });
        // A panicking job drops `tx`, which ends the wait with an error.
        rx.await.map_err(|_| PoolError)
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
        let pool = PasswordPool::new(PasswordHasher::new(4).unwrap(), 2).unwrap();
        let pw = || Zeroizing::new("correct horse".to_owned());
        let hash = pool.hash(pw()).await.unwrap().unwrap();
        assert!(pool.verify(pw(), hash.clone()).await.unwrap().unwrap());
        let wrong = Zeroizing::new("wrong".to_owned());
        assert!(!pool.verify(wrong, hash).await.unwrap().unwrap());
    }
}
