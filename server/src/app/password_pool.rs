//! bcrypt off the async workers: each hash or verify runs on a dedicated pool of one thread per
//! CPU core, at a configurable nice value (`AUTHD_BCRYPT_NICE`, Linux). Signins use every idle
//! core, while request handling (nice 0) still wins a core quickly, so slow hashes do not stall
//! the other routes.
//!
//! The queue is bounded by **expected wait**: the pool keeps a moving average of how long one job
//! takes (measured, so a busy host counts; the age of the oldest running job when that is longer)
//! and the number of jobs ahead; a job that would wait
//! longer than `AUTHD_BCRYPT_MAX_WAIT_MS` for a thread is refused at once with
//! [`PoolError::Busy`] (503 + `Retry-After`), instead of timing out after the whole request
//! timeout. A job whose client went away before a thread picked it up is dropped unrun.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use authcore::passwords::{self, PasswordError, PasswordHasher};
use zeroize::Zeroizing;

use crate::metrics;

/// Jobs queued or running at most, whatever the expected wait (a backstop for tiny costs).
const MAX_OUTSTANDING: usize = 10_000;
/// Weight of the newest duration in the moving average (1/8).
const EWMA_SHIFT: u32 = 3;

/// Why password work did not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// The expected wait for a thread is past the bound; try again after `retry_after`.
    #[error("the bcrypt queue is full")]
    Busy {
        /// The expected wait when the job was refused.
        retry_after: Duration,
    },
    /// The job panicked or the pool is shutting down.
    #[error("password work could not run")]
    Failed,
}

impl PoolError {
    /// Stable code for logs.
    pub fn code(&self) -> &'static str {
        match self {
            PoolError::Busy { .. } => "bcrypt_busy",
            PoolError::Failed => "bcrypt_failed",
        }
    }
}

/// How the pool runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Threads (at least 1).
    pub threads: usize,
    /// Nice value of the threads (0..=19; Linux, best effort elsewhere).
    pub nice: i32,
    /// Longest expected wait for a thread before a job is refused.
    pub max_wait: Duration,
}

impl PoolSettings {
    /// One thread per core, with `nice` and `max_wait`.
    pub fn for_this_machine(nice: i32, max_wait: Duration) -> PoolSettings {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        PoolSettings {
            threads,
            nice,
            max_wait,
        }
    }
}

/// Jobs in the pool and how long one takes.
struct Load {
    outstanding: AtomicUsize,
    job_micros: AtomicU64,
    /// When each thread's current job started (µs since `epoch`, 0 when idle).
    running_since: Box<[AtomicU64]>,
    epoch: Instant,
}

impl Load {
    fn now_micros(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// The expected duration of one job: the moving average, or the age of the oldest running
    /// job when that is longer (the average lags when the host suddenly gets busy).
    fn per_job(&self) -> Duration {
        let now = self.now_micros();
        let oldest = self
            .running_since
            .iter()
            .map(|s| s.load(Ordering::Relaxed))
            .filter(|s| *s > 0)
            .map(|s| now.saturating_sub(s))
            .max()
            .unwrap_or(0);
        Duration::from_micros(self.job_micros.load(Ordering::Relaxed).max(oldest))
    }

    fn started(&self, thread: Option<usize>) {
        if let Some(slot) = thread.and_then(|t| self.running_since.get(t)) {
            slot.store(self.now_micros(), Ordering::Relaxed);
        }
    }

    fn finished(&self, thread: Option<usize>) {
        if let Some(slot) = thread.and_then(|t| self.running_since.get(t)) {
            slot.store(0, Ordering::Relaxed);
        }
    }

    fn record(&self, took: Duration) {
        let sample = u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1);
        let _ = self
            .job_micros
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                let old = i128::from(old);
                let next = old + ((i128::from(sample) - old) >> EWMA_SHIFT);
                Some(u64::try_from(next.max(1)).unwrap_or(1))
            });
    }
}

/// A job's place in the pool; frees it when dropped (run, skipped or refused).
struct Ticket(Arc<Load>);

impl Drop for Ticket {
    fn drop(&mut self) {
        self.0.outstanding.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Runs bcrypt on a bounded queue.
#[derive(Clone)]
pub struct PasswordPool {
    threads: Arc<rayon::ThreadPool>,
    load: Arc<Load>,
    hasher: PasswordHasher,
    parallelism: usize,
    max_wait: Duration,
}

/// Sets the nice value of the calling thread (best effort: where refused, the thread keeps the
/// process's priority).
fn set_nice(nice: i32) {
    #[cfg(target_os = "linux")]
    {
        // PRIO_PROCESS with a thread id sets that thread's nice value on Linux.
        let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), nice);
    }
    #[cfg(not(target_os = "linux"))]
    {
        // thread-priority maps 0..=99 onto nice 19..=-20.
        let value = u8::try_from((19 - nice.clamp(0, 19)) * 99 / 39).unwrap_or(0);
        if let Ok(value) = thread_priority::ThreadPriorityValue::try_from(value) {
            let _ = thread_priority::set_current_thread_priority(
                thread_priority::ThreadPriority::Crossplatform(value),
            );
        }
    }
}

impl PasswordPool {
    /// A pool hashing at `hasher`'s cost per `settings`. Times one hash on a pool thread now, as
    /// the first estimate of a job's duration. Fails only when the threads cannot be started.
    pub fn new(hasher: PasswordHasher, settings: PoolSettings) -> Result<PasswordPool, PoolError> {
        let parallelism = settings.threads.max(1);
        let nice = settings.nice;
        let threads = rayon::ThreadPoolBuilder::new()
            .num_threads(parallelism)
            .thread_name(|i| format!("authd-bcrypt-{i}"))
            .start_handler(move |_| set_nice(nice))
            .build()
            .map_err(|_| PoolError::Failed)?;
        let first = threads.install(|| {
            let started = Instant::now();
            let _ = hasher.hash("calibration password");
            started.elapsed()
        });
        let load = Arc::new(Load {
            outstanding: AtomicUsize::new(0),
            job_micros: AtomicU64::new(u64::try_from(first.as_micros()).unwrap_or(1).max(1)),
            running_since: (0..parallelism).map(|_| AtomicU64::new(0)).collect(),
            epoch: Instant::now(),
        });
        Ok(PasswordPool {
            threads: Arc::new(threads),
            load,
            hasher,
            parallelism,
            max_wait: settings.max_wait,
        })
    }

    /// The cost of new hashes.
    pub fn cost(&self) -> u32 {
        self.hasher.cost()
    }

    /// The current estimate of one job's duration.
    pub fn job_estimate(&self) -> Duration {
        self.load.per_job()
    }

    /// A place in the queue, or [`PoolError::Busy`] when the expected wait is past the bound.
    fn admit(&self) -> Result<Ticket, PoolError> {
        let ahead = self.load.outstanding.fetch_add(1, Ordering::AcqRel);
        let ticket = Ticket(Arc::clone(&self.load));
        // Jobs ahead run `parallelism` at a time: this one starts after `ahead / parallelism`
        // rounds.
        let rounds = u32::try_from(ahead / self.parallelism).unwrap_or(u32::MAX);
        let expected = self.job_estimate().saturating_mul(rounds);
        if expected > self.max_wait || ahead >= MAX_OUTSTANDING {
            drop(ticket);
            metrics::bcrypt_queue_full();
            return Err(PoolError::Busy {
                retry_after: expected,
            });
        }
        Ok(ticket)
    }

    async fn run<T, F>(&self, job: F) -> Result<T, PoolError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let ticket = self.admit()?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.threads.spawn(move || {
            let ticket = ticket;
            // The request was answered (timeout) or its client went away: skip the work.
            if tx.is_closed() {
                metrics::bcrypt_job_dropped();
                return;
            }
            let thread = rayon::current_thread_index();
            ticket.0.started(thread);
            let started = Instant::now();
            let result = job();
            ticket.0.record(started.elapsed());
            ticket.0.finished(thread);
            let _ = tx.send(result);
        });
        // A panicking job drops `tx`, which ends the wait with an error.
        rx.await.map_err(|_| PoolError::Failed)
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

    /// Whether `password` matches `hash`, then, when `hash` is cheaper than `cost`, the bcrypt
    /// work that makes the whole job cost as much as one verify at `cost` (2^cost − 2^hash_cost
    /// rounds, as hashes at costs hash_cost … cost−1), so a weak stored hash cannot be told
    /// apart by time from a verify at `cost`.
    pub async fn verify_padded(
        &self,
        password: Zeroizing<String>,
        hash: String,
        cost: u32,
    ) -> Result<Result<bool, PasswordError>, PoolError> {
        self.run(move || {
            let outcome = passwords::verify(&password, &hash);
            for pad in hash_cost(&hash).unwrap_or(cost)..cost {
                if let Ok(hasher) = PasswordHasher::new(pad) {
                    let _ = hasher.hash("timing padding");
                }
            }
            outcome
        })
        .await
    }
}

/// The cost of a usable bcrypt `hash` (as the core parses it), if any.
pub fn hash_cost(hash: &str) -> Option<u32> {
    (4..=31u32)
        .take_while(|cost| !passwords::needs_rehash(hash, *cost))
        .last()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn settings(threads: usize, max_wait_ms: u64) -> PoolSettings {
        PoolSettings {
            threads,
            nice: crate::config::DEFAULT_BCRYPT_NICE,
            max_wait: Duration::from_millis(max_wait_ms),
        }
    }

    #[tokio::test]
    async fn hash_and_verify_run_off_the_workers() {
        let pool = PasswordPool::new(PasswordHasher::new(4).unwrap(), settings(2, 3000)).unwrap();
        let pw = || Zeroizing::new("correct horse".to_owned());
        let hash = pool.hash(pw()).await.unwrap().unwrap();
        assert!(pool.verify(pw(), hash.clone()).await.unwrap().unwrap());
        let wrong = Zeroizing::new("wrong".to_owned());
        assert!(!pool.verify(wrong, hash).await.unwrap().unwrap());
    }

    #[test]
    fn hash_cost_reads_the_stored_cost() {
        let hash = PasswordHasher::new(5).unwrap().hash("pw").unwrap();
        assert_eq!(hash_cost(&hash), Some(5));
        assert_eq!(hash_cost("not a hash"), None);
    }

    #[tokio::test]
    async fn jobs_past_the_expected_wait_are_refused_at_once() {
        // One thread, a 1 ms bound: while one hash runs, the next job's expected wait (one
        // measured hash) is past the bound.
        let pool = PasswordPool::new(PasswordHasher::new(10).unwrap(), settings(1, 1)).unwrap();
        assert!(pool.job_estimate() > Duration::from_millis(1));
        let pw = || Zeroizing::new("pw".to_owned());
        let running = pool.clone();
        let first = tokio::spawn(async move { running.hash(pw()).await });
        tokio::time::sleep(Duration::from_millis(5)).await;
        let started = Instant::now();
        let second = pool.hash(pw()).await;
        assert!(started.elapsed() < Duration::from_millis(50));
        match second {
            Err(PoolError::Busy { retry_after }) => assert!(retry_after > Duration::ZERO),
            other => panic!("expected busy, got {other:?}"),
        }
        assert!(first.await.unwrap().unwrap().is_ok());
    }
}
