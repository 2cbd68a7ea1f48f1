//! Prometheus metrics (`prometheus-client`, served by authd itself at `GET /metrics` in the
//! OpenMetrics text format): requests by route and status, latency by route, failed signins,
//! rate-limit rejections, refresh-token reuse, 503s, and overload: bcrypt jobs refused or dropped
//! and connections refused past the connection cap.
//!
//! Every label set is registered once, at start-up: recording a request is an index into the
//! route table, one atomic add and one histogram observation (a short per-route lock) — no
//! allocation and no label hashing on the hot path.

use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// `Content-Type` of `/metrics`.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// Route label of requests that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// Status codes with their own label; anything else is counted as `other`.
const STATUSES: [(u16, &str); 13] = [
    (200, "200"),
    (204, "204"),
    (400, "400"),
    (401, "401"),
    (403, "403"),
    (404, "404"),
    (405, "405"),
    (413, "413"),
    (415, "415"),
    (429, "429"),
    (500, "500"),
    (503, "503"),
    (504, "504"),
];

type RouteStatus = [(&'static str, &'static str); 2];
type ActionLabel = [(&'static str, &'static str); 1];

struct RouteMetrics {
    latency: Histogram,
    by_status: Vec<Counter>,
    other_status: Counter,
}

struct Metrics {
    registry: Registry,
    routes: Vec<RouteMetrics>,
    signin_failures: Counter,
    rate_limited: [Counter; 3],
    refresh_reuse: Counter,
    store_unavailable: Counter,
    bcrypt_queue_full: Counter,
    bcrypt_job_dropped: Counter,
    connections_refused: Counter,
}

fn latency_histogram() -> Histogram {
    // 100 µs to ~6.5 s.
    Histogram::new(exponential_buckets(0.0001, 4.0, 9))
}

fn build() -> Metrics {
    let mut registry = Registry::with_prefix("authd");
    let requests = Family::<RouteStatus, Counter>::default();
    let latency = Family::<[(&'static str, &'static str); 1], Histogram, fn() -> Histogram>::new_with_constructor(
        latency_histogram,
    );
    let mut labels: Vec<&'static str> = ROUTE_LABELS.get().cloned().unwrap_or_default();
    labels.push(UNMATCHED);
    let routes = labels
        .into_iter()
        .map(|route| RouteMetrics {
            latency: latency.get_or_create_owned(&[("route", route)]),
            by_status: STATUSES
                .iter()
                .map(|(_, s)| requests.get_or_create_owned(&[("route", route), ("status", s)]))
                .collect(),
            other_status: requests.get_or_create_owned(&[("route", route), ("status", "other")]),
        })
        .collect();
    registry.register(
        "http_requests",
        "HTTP requests answered, by route and status",
        requests,
    );
    registry.register(
        "http_request_duration_seconds",
        "Time to answer a request, by route",
        latency,
    );
    let signin_failures = Counter::default();
    registry.register(
        "signin_failures",
        "Signins refused for an unknown user or a wrong password",
        signin_failures.clone(),
    );
    let limited = Family::<ActionLabel, Counter>::default();
    let rate_limited = RATE_LIMITED_ACTIONS.map(|a| limited.get_or_create_owned(&[("action", a)]));
    registry.register(
        "rate_limited",
        "Requests refused with 429 by the abuse limits, by action",
        limited,
    );
    let refresh_reuse = Counter::default();
    registry.register(
        "refresh_token_reuse_detected",
        "Refresh tokens presented again after being used (possible theft)",
        refresh_reuse.clone(),
    );
    let store_unavailable = Counter::default();
    registry.register(
        "store_unavailable",
        "Requests answered 503: the store down or too slow, the request timeout, or overload (see bcrypt_queue_full)",
        store_unavailable.clone(),
    );
    let bcrypt_queue_full = Counter::default();
    registry.register(
        "bcrypt_queue_full",
        "Signins and signups answered 503 at once because the bcrypt queue's expected wait was past AUTHD_BCRYPT_MAX_WAIT_MS",
        bcrypt_queue_full.clone(),
    );
    let bcrypt_job_dropped = Counter::default();
    registry.register(
        "bcrypt_job_dropped",
        "bcrypt jobs dropped unrun because their request had already ended",
        bcrypt_job_dropped.clone(),
    );
    let connections_refused = Counter::default();
    registry.register(
        "connections_refused",
        "Connections answered 503 and closed because AUTHD_MAX_CONNECTIONS were open",
        connections_refused.clone(),
    );
    Metrics {
        registry,
        bcrypt_queue_full,
        bcrypt_job_dropped,
        connections_refused,
        routes,
        signin_failures,
        rate_limited,
        refresh_reuse,
        store_unavailable,
    }
}

static METRICS: LazyLock<Metrics> = LazyLock::new(build);

/// The route labels requests are counted under (given by [`init`]).
static ROUTE_LABELS: OnceLock<Vec<&'static str>> = OnceLock::new();

/// The labels of rate-limited actions.
pub const RATE_LIMITED_ACTIONS: [&str; 3] = ["signin", "signup", "refresh"];

/// Registers every metric now, with one series per label of `routes` (distinct) plus
/// [`UNMATCHED`] after them (so the first request does not pay for it). Requests are counted by
/// their index in `routes`; any other index counts as unmatched. Only the first call counts.
pub fn init(routes: Vec<&'static str>) {
    let _ = ROUTE_LABELS.set(routes);
    LazyLock::force(&METRICS);
}

/// Counts one answered request of route `index` (its position in the labels given to [`init`])
/// with HTTP `status`.
pub fn observe_request(index: usize, status: u16, elapsed: Duration) {
    let metrics = &*METRICS;
    let Some(entry) = metrics.routes.get(index).or_else(|| metrics.routes.last()) else {
        return;
    };
    match STATUSES.iter().position(|(s, _)| *s == status) {
        Some(i) => entry.by_status.get(i).unwrap_or(&entry.other_status).inc(),
        None => entry.other_status.inc(),
    };
    entry.latency.observe(elapsed.as_secs_f64());
    if status == 503 {
        metrics.store_unavailable.inc();
    }
}

/// Counts a failed signin.
pub fn signin_failed() {
    METRICS.signin_failures.inc();
}

/// Counts a 429 of the abuse limits for `action` (one of [`RATE_LIMITED_ACTIONS`]).
pub fn rate_limited(action: &str) {
    let index = RATE_LIMITED_ACTIONS.iter().position(|a| *a == action);
    if let Some(counter) = index.and_then(|i| METRICS.rate_limited.get(i)) {
        counter.inc();
    }
}

/// Counts a bcrypt job refused because the queue's expected wait was past the bound.
pub fn bcrypt_queue_full() {
    METRICS.bcrypt_queue_full.inc();
}

/// Counts a bcrypt job dropped because its request had ended.
pub fn bcrypt_job_dropped() {
    METRICS.bcrypt_job_dropped.inc();
}

/// Counts a connection refused past the connection cap.
pub fn connection_refused() {
    METRICS.connections_refused.inc();
}

/// Counts a refresh token presented after it was already used (call from the refresh handler).
pub fn refresh_reuse_detected() {
    METRICS.refresh_reuse.inc();
}

/// The current metrics in the OpenMetrics text format.
pub fn render() -> Result<String, std::fmt::Error> {
    let mut text = String::with_capacity(16 * 1024);
    encode(&mut text, &METRICS.registry)?;
    Ok(text)
}
