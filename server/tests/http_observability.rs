//! `/metrics` (parses as Prometheus/OpenMetrics text and counts requests, failed signins and
//! rate-limit rejections) and `/openapi.json` (the embedded document, served as JSON).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use authcore_server::config::limits::LimitsConfig;
use http_common::{Backend, JSON_TYPE, TestServer};
use prometheus_parse::{Scrape, Value};

/// Scrapes `/metrics` and parses it strictly enough for Prometheus.
async fn scrape(srv: &TestServer) -> Scrape {
    let res = srv.get("/metrics").await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.content_type(),
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(res.body.ends_with("# EOF\n"), "OpenMetrics end marker");
    for line in res.body.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').expect("`series value` line");
        assert!(!series.is_empty());
        value.parse::<f64>().expect("numeric sample value");
    }
    Scrape::parse(res.body.lines().map(|l| Ok(l.to_owned()))).unwrap()
}

/// The value of `name` with all of `labels` (0 when absent).
fn sample(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => v,
            _ => 0.0,
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_and_count_requests_failures_and_rejections() {
    let srv = TestServer::start(Backend::Sqlite, |c| {
        c.limits = LimitsConfig {
            signup_per_ip: 1,
            ..LimitsConfig::disabled()
        }
    })
    .await;
    let requests = "authd_http_requests_total";
    let all = [("route", "/api/test/all"), ("status", "200")];
    let before = scrape(&srv).await;
    srv.get("/api/test/all").await;
    srv.signup("mallory", None).await;
    assert_eq!(srv.signup("trent", None).await.status, 429);
    assert_eq!(srv.signin("mallory", "wrong-password").await.status, 401);
    let after = scrape(&srv).await;

    assert!(sample(&after, requests, &all) >= sample(&before, requests, &all) + 1.0);
    let limited = [("action", "signup")];
    let name = "authd_rate_limited_total";
    assert!(sample(&after, name, &limited) >= sample(&before, name, &limited) + 1.0);
    let name = "authd_signin_failures_total";
    assert!(sample(&after, name, &[]) >= sample(&before, name, &[]) + 1.0);
    let histogram = after
        .samples
        .iter()
        .find(|s| s.metric == "authd_http_request_duration_seconds")
        .expect("latency histogram");
    assert!(matches!(histogram.value, Value::Histogram(_)));
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_is_served_as_json() {
    let srv = TestServer::start(Backend::Sqlite, |_| {}).await;
    let res = srv.get("/openapi.json").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.content_type(), JSON_TYPE);
    let doc = res.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(res.body, include_str!("../openapi.json"));
    srv.stop().await;
}
