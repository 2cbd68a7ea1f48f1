//! Brute-force and abuse limits: `governor` keyed rate limiters per client IP (signin, signup,
//! refresh; an IPv6 client by its /64) and per account (signin), plus the per-account slow-down
//! ([`lockout`], [`known_accounts`]). Accounts are keyed by [`AccountKey`]: the canonical username
//! key before the lookup, the account id after it, so no spelling that reaches an account gets a
//! budget of its own. Every limiter holds a bounded number of keys ([`keyed`]).
//!
//! The slow-down of known accounts is counted in the store, so it is shared by every instance on
//! one database. Everything else is per instance: N instances behind a balancer allow N times the
//! configured rates, and N times the slow-down's free tries of an unknown username.
//! Rejections ([`Limited`]) carry how long to wait (the transport answers 429 with
//! `Retry-After`), are counted in the metrics and logged at `info` with target
//! `authd::security`.

mod ip_key;
pub mod keyed;
pub mod known_accounts;
pub mod lockout;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};

use self::keyed::BoundedStore;
pub use self::lockout::AccountKey;
use self::lockout::Lockout;
pub use crate::config::limits::LimitsConfig;
use crate::metrics;
use crate::store::StoreError;

/// Accounts whose failures are remembered at once.
const LOCKOUT_CAPACITY: usize = 100_000;
/// How often idle limiter entries are dropped.
const CLEANUP_EVERY: Duration = Duration::from_secs(60);
/// Keys (client IPs or /64s, usernames) one limiter holds at most; past it, new keys share one
/// budget (see [`keyed`]).
const KEYS_PER_LIMITER: usize = 100_000;

/// What a client is trying to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `POST /api/auth/signin`.
    Signin,
    /// `POST /api/auth/signup`.
    Signup,
    /// `POST /api/auth/refreshtoken`.
    Refresh,
}

impl Action {
    /// Label in metrics and logs.
    pub fn label(self) -> &'static str {
        match self {
            Action::Signin => "signin",
            Action::Signup => "signup",
            Action::Refresh => "refresh",
        }
    }
}

/// Why a signin of a known account is refused before its password is checked.
#[derive(Debug)]
pub enum Refused {
    /// Slowed down or over its rate: 429.
    Limited(Limited),
    /// The failure count could not be read: 503/500.
    Store(StoreError),
}

/// What the check saw, for [`Limits::known_account_succeeded`].
#[derive(Debug, Clone, Copy)]
pub struct Checked {
    pub(super) stored: bool,
}

type KeyedLimiter<K> = RateLimiter<K, BoundedStore<K>, DefaultClock>;
type Keyed<K> = Option<Arc<KeyedLimiter<K>>>;

/// The limiters of one instance.
pub struct Limits {
    signin_ip: Keyed<IpAddr>,
    signin_account: Keyed<AccountKey>,
    signup_ip: Keyed<IpAddr>,
    refresh_ip: Keyed<IpAddr>,
    lockout: Option<Lockout>,
}

fn keyed<K>(per_minute: u32) -> Keyed<K>
where
    K: std::hash::Hash + Eq + Clone + Send + Sync + 'static,
{
    let per_minute = NonZeroU32::new(per_minute)?;
    let limiter = Arc::new(RateLimiter::new(
        Quota::per_minute(per_minute),
        BoundedStore::new(KEYS_PER_LIMITER),
        DefaultClock::default(),
    ));
    spawn_cleanup(Arc::downgrade(&limiter));
    Some(limiter)
}

/// Drops the state of keys that are back to a full quota, while the limiter lives.
fn spawn_cleanup<K>(limiter: Weak<KeyedLimiter<K>>)
where
    K: std::hash::Hash + Eq + Clone + Send + Sync + 'static,
{
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        loop {
            tokio::time::sleep(CLEANUP_EVERY).await;
            let Some(limiter) = limiter.upgrade() else {
                return;
            };
            limiter.retain_recent();
            limiter.shrink_to_fit();
            if limiter.len() >= KEYS_PER_LIMITER {
                tracing::warn!(
                    target: "authd::security",
                    keys = limiter.len(),
                    "rate limiter full: new clients share one budget"
                );
            }
        }
    });
}

fn check<K>(limiter: &Keyed<K>, key: &K) -> Result<(), Duration>
where
    K: std::hash::Hash + Eq + Clone,
{
    let Some(limiter) = limiter else {
        return Ok(());
    };
    limiter
        .check_key(key)
        .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
}

/// A request refused by a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// How long the client should wait.
    pub retry_after: Duration,
}

fn rejected(
    action: Action,
    reason: &'static str,
    client_ip: Option<IpAddr>,
    retry_after: Duration,
) -> Limited {
    metrics::rate_limited(action.label());
    tracing::info!(
        target: "authd::security",
        action = action.label(),
        client_ip = client_ip.map(tracing::field::display),
        reason,
        retry_after_s = retry_after.as_secs(),
        "request rate-limited"
    );
    Limited { retry_after }
}

impl Limits {
    /// Builds the limiters of `config` (a zero rate has no limiter at all).
    pub fn new(config: &LimitsConfig) -> Limits {
        Limits {
            signin_ip: keyed(config.signin_per_ip),
            signin_account: keyed(config.signin_per_username),
            signup_ip: keyed(config.signup_per_ip),
            refresh_ip: keyed(config.refresh_per_ip),
            lockout: (config.failures_before_delay > 0)
                .then(|| Lockout::new(config.failures_before_delay, LOCKOUT_CAPACITY)),
        }
    }

    /// The per-IP limit of `action`.
    pub fn check_ip(&self, action: Action, ip: IpAddr) -> Result<(), Limited> {
        let limiter = match action {
            Action::Signin => &self.signin_ip,
            Action::Signup => &self.signup_ip,
            Action::Refresh => &self.refresh_ip,
        };
        check(limiter, &ip_key::limiter_key(ip))
            .map_err(|wait| rejected(action, "client_ip", Some(ip), wait))
    }

    /// The per-account signin rate and this instance's slow-down of `account`: the signin
    /// handler calls it with the username key before the lookup; a found account is checked by
    /// [`Limits::check_known_account`] (which adds the store's count).
    pub fn check_signin_account(&self, account: &AccountKey) -> Result<(), Limited> {
        if let Some(wait) = self.lockout.as_ref().and_then(|l| l.wait(account)) {
            return Err(rejected(Action::Signin, "account_slowed_down", None, wait));
        }
        check(&self.signin_account, account)
            .map_err(|wait| rejected(Action::Signin, "username", None, wait))
    }

    /// Records a failed signin of `account` in this instance's memory (the signin handler: unknown
    /// users; known accounts go through [`Limits::known_account_failed`]). Logs the user id of a
    /// known account, never the username as typed.
    pub fn signin_failed(&self, account: AccountKey) {
        metrics::signin_failed();
        let user_id = match &account {
            AccountKey::Id(id) => Some(*id),
            AccountKey::Name(_) => None,
        };
        let consecutive = self
            .lockout
            .as_ref()
            .map_or(0, |l| l.record_failure(account));
        tracing::info!(
            target: "authd::security",
            user_id,
            known_user = user_id.is_some(),
            consecutive_failures = consecutive,
            "signin failed"
        );
    }

    /// Resets this instance's slow-down of user `id` after a successful signin.
    pub fn signin_succeeded(&self, id: i64) {
        if let Some(lockout) = &self.lockout {
            lockout.record_success(&AccountKey::Id(id));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn per_ip_limits_reject_with_retry_after() {
        let limits = Limits::new(&LimitsConfig {
            signup_per_ip: 2,
            ..LimitsConfig::disabled()
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limits.check_ip(Action::Signup, ip).is_ok());
        assert!(limits.check_ip(Action::Signup, ip).is_ok());
        let refused = limits.check_ip(Action::Signup, ip).unwrap_err();
        let retry = refused.retry_after;
        assert!(
            retry > Duration::ZERO && retry <= Duration::from_secs(60),
            "{retry:?}"
        );
        // Another client and another action are not affected.
        assert!(
            limits
                .check_ip(Action::Signup, "192.0.2.2".parse().unwrap())
                .is_ok()
        );
        assert!(limits.check_ip(Action::Signin, ip).is_ok());
    }

    #[tokio::test]
    async fn an_account_has_one_budget_whatever_the_spelling_that_found_it() {
        let limits = Limits::new(&LimitsConfig {
            signin_per_username: 1,
            ..LimitsConfig::disabled()
        });
        assert!(limits.check_signin_account(&AccountKey::Id(7)).is_ok());
        assert!(limits.check_signin_account(&AccountKey::Id(7)).is_err());
        let key = |s: &str| AccountKey::Name(authcore::identity::username_key(s));
        assert!(limits.check_signin_account(&key("Bob")).is_ok());
        assert!(limits.check_signin_account(&key("bob ")).is_err());
        assert!(limits.check_signin_account(&key("ｂｏｂ")).is_err());
    }

    #[tokio::test]
    async fn failures_slow_the_account_down_by_id() {
        let limits = Limits::new(&LimitsConfig {
            failures_before_delay: 2,
            ..LimitsConfig::disabled()
        });
        limits.signin_failed(AccountKey::Id(7));
        limits.signin_failed(AccountKey::Id(7));
        assert!(limits.check_signin_account(&AccountKey::Id(7)).is_err());
        assert!(limits.check_signin_account(&AccountKey::Id(8)).is_ok());
        limits.signin_succeeded(7);
        assert!(limits.check_signin_account(&AccountKey::Id(7)).is_ok());
    }
}
