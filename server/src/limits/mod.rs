//! Brute-force and abuse limits: `governor` keyed rate limiters per client IP (signin, signup,
//! refresh; an IPv6 client by its /64) and per username (signin), plus the per-account slow-down
//! of [`lockout`]. Every limiter holds a bounded number of keys ([`keyed`]).
//!
//! Limits are per instance: N instances behind a balancer allow N times the configured rates.
//! Rejections are 429 `{"message":"Too many requests, please try again later."}` with
//! `Retry-After` in whole seconds, counted in the metrics and logged at `info` with target
//! `authd::security`.

pub mod client_ip;
pub mod config;
pub mod keyed;
pub mod lockout;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

use authcore::validation::lookup_key;
use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};
use http::header::{HeaderValue, RETRY_AFTER};
use http::{HeaderMap, Response, StatusCode};
use ipnet::IpNet;

pub use self::client_ip::PeerAddr;
pub use self::config::{LimitArgs, LimitsConfig};
use self::keyed::BoundedStore;
use self::lockout::Lockout;
use crate::http::responses::{self, Body};
use crate::http::router::Route;
use crate::metrics;
use crate::state::AppState;

/// The 429 body.
pub const TOO_MANY_REQUESTS: &str = r#"{"message":"Too many requests, please try again later."}"#;

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

type KeyedLimiter<K> = RateLimiter<K, BoundedStore<K>, DefaultClock>;
type Keyed<K> = Option<Arc<KeyedLimiter<K>>>;

/// The limiters of one instance.
pub struct Limits {
    signin_ip: Keyed<IpAddr>,
    signin_username: Keyed<String>,
    signup_ip: Keyed<IpAddr>,
    refresh_ip: Keyed<IpAddr>,
    lockout: Option<Lockout>,
    trusted_proxies: Vec<IpNet>,
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

/// 429 with `Retry-After` (whole seconds, at least 1).
pub fn too_many_requests(retry_after: Duration) -> Response<Body> {
    let mut seconds = retry_after.as_secs();
    if retry_after.subsec_nanos() > 0 || seconds == 0 {
        seconds += 1;
    }
    let mut response = responses::json_static(StatusCode::TOO_MANY_REQUESTS, TOO_MANY_REQUESTS);
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// A request refused by a limit; [`Limited::response`] is the 429 to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// How long the client should wait.
    pub retry_after: Duration,
}

impl Limited {
    /// 429 with `Retry-After`.
    pub fn response(self) -> Response<Body> {
        too_many_requests(self.retry_after)
    }
}

fn rejected(
    action: Action,
    reason: &'static str,
    client_ip: Option<IpAddr>,
    retry_after: Duration,
) -> Limited {
    metrics::rate_limited(action);
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
            signin_username: keyed(config.signin_per_username),
            signup_ip: keyed(config.signup_per_ip),
            refresh_ip: keyed(config.refresh_per_ip),
            lockout: (config.failures_before_delay > 0)
                .then(|| Lockout::new(config.failures_before_delay, LOCKOUT_CAPACITY)),
            trusted_proxies: config.trusted_proxies.clone(),
        }
    }

    /// The client address of a request (see [`client_ip`]); `None` without a peer address
    /// (requests not from the accept loop), which no per-IP limit applies to.
    pub fn client_ip(&self, peer: Option<&PeerAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?.0.ip();
        Some(client_ip::client_ip(peer, headers, &self.trusted_proxies))
    }

    /// The per-IP limit of `action`.
    pub fn check_ip(&self, action: Action, ip: IpAddr) -> Result<(), Limited> {
        let limiter = match action {
            Action::Signin => &self.signin_ip,
            Action::Signup => &self.signup_ip,
            Action::Refresh => &self.refresh_ip,
        };
        check(limiter, &client_ip::limiter_key(ip))
            .map_err(|wait| rejected(action, "client_ip", Some(ip), wait))
    }

    /// The per-username signin rate and the account's slow-down.
    pub fn check_signin_account(&self, username: &str) -> Result<(), Limited> {
        let key = lookup_key(username);
        if let Some(wait) = self.lockout.as_ref().and_then(|l| l.wait(&key)) {
            return Err(rejected(Action::Signin, "account_slowed_down", None, wait));
        }
        check(&self.signin_username, &key)
            .map_err(|wait| rejected(Action::Signin, "username", None, wait))
    }

    /// Records a failed signin of `username` (unknown user or wrong password).
    pub fn signin_failed(&self, username: &str) {
        metrics::signin_failed();
        let key = lookup_key(username);
        let consecutive = self.lockout.as_ref().map_or(0, |l| l.record_failure(key));
        tracing::info!(
            target: "authd::security",
            username,
            consecutive_failures = consecutive,
            "signin failed"
        );
    }

    /// Resets the slow-down of `username` after a successful signin.
    pub fn signin_succeeded(&self, username: &str) {
        if let Some(lockout) = &self.lockout {
            lockout.record_success(&lookup_key(username));
        }
    }
}

/// The limited action of `route`, if any.
pub fn action_of(route: Route) -> Option<Action> {
    match route {
        Route::Signin => Some(Action::Signin),
        Route::Signup => Some(Action::Signup),
        Route::RefreshToken => Some(Action::Refresh),
        _ => None,
    }
}

/// The per-IP refresh limit (the router applies it before the refresh handler runs).
pub fn check_refresh(state: &AppState, ip: IpAddr) -> Result<(), Limited> {
    state.limits.check_ip(Action::Refresh, ip)
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
        let refused = limits.check_ip(Action::Signup, ip).unwrap_err().response();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = refused.headers()[RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        // Another client and another action are not affected.
        assert!(
            limits
                .check_ip(Action::Signup, "192.0.2.2".parse().unwrap())
                .is_ok()
        );
        assert!(limits.check_ip(Action::Signin, ip).is_ok());
    }

    #[test]
    fn usernames_share_a_limit_whatever_their_case() {
        let limits = Limits::new(&LimitsConfig {
            signin_per_username: 1,
            ..LimitsConfig::disabled()
        });
        assert!(limits.check_signin_account("Bob").is_ok());
        assert!(limits.check_signin_account("bob ").is_err());
    }
}
