//! The slow-down of known accounts, counted in the store so that every authd on one database
//! shares it: failures alternated over N instances slow an account down at the same count as on
//! one. Same policy as [`super::lockout`] (threshold, doubling wait, 15 min cap, forgotten
//! 30 minutes after the last failure).
//!
//! A failure the store cannot record (down, too slow) is still answered as before (401) and is
//! counted in this instance's memory instead, which the check also consults.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::lockout::{AccountKey, FORGET_AFTER, delay_after};
use super::{Action, Checked, Limits, Refused, check, rejected};
use crate::metrics;
use crate::store::SigninFailures;
use crate::store::database::Database;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// How much longer an account with `stored` failures must wait at `now`, if at all.
fn wait(stored: SigninFailures, threshold: u32, now: i64) -> Option<Duration> {
    let elapsed = now.saturating_sub(stored.last_failure_ms);
    if elapsed >= millis(FORGET_AFTER) {
        return None;
    }
    let delay = millis(delay_after(stored.failures, threshold));
    let left = delay.saturating_sub(elapsed.max(0));
    u64::try_from(left)
        .ok()
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis)
}

impl Limits {
    /// The slow-down (store, then this instance's fallback) and the per-account rate of user
    /// `id`, before its password is checked.
    pub async fn check_known_account(&self, db: &Database, id: i64) -> Result<Checked, Refused> {
        let key = AccountKey::Id(id);
        let Some(lockout) = &self.lockout else {
            check(&self.signin_account, &key)
                .map_err(|w| Refused::Limited(rejected(Action::Signin, "username", None, w)))?;
            return Ok(Checked { stored: false });
        };
        let stored = db
            .with_store(|s| s.signin_failures(id))
            .await
            .map_err(Refused::Store)?;
        let slowed = stored
            .and_then(|f| wait(f, lockout.threshold(), now_ms()))
            .into_iter()
            .chain(lockout.wait(&key))
            .max();
        if let Some(wait) = slowed {
            let limited = rejected(Action::Signin, "account_slowed_down", None, wait);
            return Err(Refused::Limited(limited));
        }
        check(&self.signin_account, &key)
            .map_err(|w| Refused::Limited(rejected(Action::Signin, "username", None, w)))?;
        Ok(Checked {
            stored: stored.is_some(),
        })
    }

    /// Counts a wrong password of user `id` in the store (in memory if the store fails).
    pub async fn known_account_failed(&self, db: &Database, id: i64) {
        metrics::signin_failed();
        let consecutive = match &self.lockout {
            None => 0,
            Some(lockout) => {
                let now = now_ms();
                let forget_before = now.saturating_sub(millis(FORGET_AFTER));
                match db
                    .with_store(|s| s.record_signin_failure(id, now, forget_before))
                    .await
                {
                    Ok(count) => count,
                    Err(e) => {
                        tracing::warn!(
                            user_id = id,
                            error = %e,
                            "signin failure not stored; counted on this instance only"
                        );
                        lockout.record_failure(AccountKey::Id(id))
                    }
                }
            }
        };
        tracing::info!(
            target: "authd::security",
            user_id = id,
            known_user = true,
            consecutive_failures = consecutive,
            "signin failed"
        );
    }

    /// Resets the slow-down of user `id` after a successful signin: a store write only when the
    /// check saw stored failures.
    pub async fn known_account_succeeded(&self, db: &Database, id: i64, checked: Checked) {
        self.signin_succeeded(id);
        if !checked.stored {
            return;
        }
        if let Err(e) = db.with_store(|s| s.clear_signin_failures(id)).await {
            tracing::warn!(user_id = id, error = %e, "signin failures not cleared");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_count_slows_down_from_the_last_failure_and_is_forgotten() {
        let at = |failures, last_failure_ms| SigninFailures {
            failures,
            last_failure_ms,
        };
        let now = 10_000_000;
        assert_eq!(wait(at(4, now), 5, now), None);
        assert_eq!(
            wait(at(5, now - 300), 5, now),
            Some(Duration::from_millis(700))
        );
        assert_eq!(
            wait(at(7, now - 1_000), 5, now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(wait(at(5, now - 1_000), 5, now), None);
        let forgotten = now - millis(FORGET_AFTER);
        assert_eq!(wait(at(40, forgotten), 5, now), None);
        let capped = super::super::lockout::MAX_DELAY - Duration::from_secs(1);
        assert_eq!(wait(at(40, now - 1_000), 5, now), Some(capped));
    }
}
