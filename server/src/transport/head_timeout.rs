//! The header-read timeout of one connection, without a timer per request: the service counts
//! the requests it starts and answers, and a periodic check beside the connection (its own task,
//! so serving a request never polls it) tells when the connection has waited `limit` (up to
//! 1.5 × `limit`) for a complete request head — at its start or after an answer. A request being
//! answered never counts; its own timeouts bound it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::{Instant, MissedTickBehavior};

/// What the check reads: how many requests a connection started and answered.
#[derive(Debug, Default)]
pub struct HeadClock {
    started: AtomicU64,
    answered: AtomicU64,
    closed: AtomicBool,
}

/// How [`HeadClock::watch`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    /// The connection waited too long for a request head: close it.
    Expired,
    /// The connection closed by itself.
    Closed,
}

impl HeadClock {
    /// A request's head arrived complete.
    pub fn request_started(&self) {
        self.started.fetch_add(1, Ordering::Relaxed);
    }

    /// A request was answered; the wait for the next head begins.
    pub fn request_answered(&self) {
        self.answered.fetch_add(1, Ordering::Relaxed);
    }

    /// The connection is gone: the watch ends at its next check.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
    }

    fn read(&self) -> (u64, u64) {
        (
            self.started.load(Ordering::Relaxed),
            self.answered.load(Ordering::Relaxed),
        )
    }

    /// Resolves with [`Watch::Expired`] once the connection has waited at least `limit` (at most
    /// 1.5 × `limit`) for a complete request head, or with [`Watch::Closed`] after [`close`](Self::close).
    pub async fn watch(&self, limit: Duration) -> Watch {
        // Checked every half limit: a wait that began just after a check is seen idle at the
        // two checks after it.
        let period = (limit / 2).max(Duration::from_millis(1));
        let mut checks = tokio::time::interval_at(Instant::now() + period, period);
        checks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut seen = self.read();
        let mut idle_checks = 0u32;
        loop {
            checks.tick().await;
            if self.closed.load(Ordering::Relaxed) {
                return Watch::Closed;
            }
            let now = self.read();
            let busy = now.0 != now.1;
            if busy || now != seen {
                seen = now;
                idle_checks = 0;
                continue;
            }
            idle_checks += 1;
            if idle_checks >= 2 {
                return Watch::Expired;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_secs(10);

    #[tokio::test(start_paused = true)]
    async fn a_silent_connection_expires_at_the_limit() {
        let clock = HeadClock::default();
        let started = Instant::now();
        assert_eq!(clock.watch(LIMIT).await, Watch::Expired);
        assert_eq!(started.elapsed(), LIMIT);
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_restarts_after_each_answer_and_never_counts_a_request_in_progress() {
        let clock = std::sync::Arc::new(HeadClock::default());
        let watch = tokio::spawn({
            let clock = std::sync::Arc::clone(&clock);
            async move {
                let started = Instant::now();
                assert_eq!(clock.watch(LIMIT).await, Watch::Expired);
                started.elapsed()
            }
        });
        // Requests every 3 s for 60 s, one of them answered only after 40 s.
        for i in 0..20 {
            tokio::time::sleep(Duration::from_secs(3)).await;
            clock.request_started();
            if i == 5 {
                tokio::time::sleep(Duration::from_secs(40)).await;
            }
            clock.request_answered();
        }
        let last_answer = Instant::now();
        let lived = watch.await.unwrap();
        // It outlived every request, then closed within [limit, 1.5 × limit] of the last answer.
        let since_last = Instant::now() - last_answer;
        assert!(since_last >= LIMIT, "{since_last:?}");
        assert!(since_last <= LIMIT + LIMIT / 2, "{since_last:?}");
        assert!(lived >= Duration::from_secs(100), "{lived:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_that_never_completes_expires_between_the_limit_and_one_and_a_half() {
        for offset_ms in [0u64, 1, 2_500, 4_999, 5_000, 5_001, 9_999] {
            let clock = std::sync::Arc::new(HeadClock::default());
            let watch = tokio::spawn({
                let clock = std::sync::Arc::clone(&clock);
                async move { clock.watch(LIMIT).await }
            });
            tokio::time::sleep(Duration::from_millis(offset_ms)).await;
            clock.request_started();
            clock.request_answered();
            let answered = Instant::now();
            assert_eq!(watch.await.unwrap(), Watch::Expired);
            let waited = answered.elapsed();
            assert!(
                waited >= LIMIT && waited <= LIMIT + LIMIT / 2,
                "answer at +{offset_ms} ms: closed {waited:?} later"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_closed_connection_ends_the_watch_at_the_next_check() {
        let clock = std::sync::Arc::new(HeadClock::default());
        let watch = tokio::spawn({
            let clock = std::sync::Arc::clone(&clock);
            async move { clock.watch(LIMIT).await }
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        clock.close();
        let closed = Instant::now();
        assert_eq!(watch.await.unwrap(), Watch::Closed);
        assert!(closed.elapsed() <= LIMIT / 2);
    }
}
