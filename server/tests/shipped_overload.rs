//! Overload and the promises of issue 10 §4–5, against authd as shipped (limits on, refresh tokens
//! on, default bcrypt cost) over real HTTP on both backends; a test changes one setting only where
//! it needs a small bound to reach (said in each test).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::{Duration, Instant};

use authcore_server::Config;
use authcore_server::config::JwtSecret;
use http_common::{Backend, MysqlDb, PASSWORD, Resp, SECRET, TestServer, shipped_config};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use zeroize::Zeroizing;

on_both_backends!(
    bcrypt_queue_past_its_bound_answers_503_with_retry_after_at_once,
    bcrypt_work_of_clients_that_left_is_dropped,
    connections_past_the_cap_do_not_make_a_probe_wait,
    ipv6_clients_are_limited_per_64,
    every_response_carries_the_seed_allow_headers,
    strict_profile_hides_weak_hashes_in_signin_time,
);

/// Taken shared by every test here and exclusively by the timing test, so the other tests'
/// bcrypt work does not skew its samples.
static QUIET: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// The seed's `Access-Control-Allow-Headers`.
const SEED_ALLOW_HEADERS: &str = "x-access-token, Origin, Content-Type, Accept";

/// authd as shipped, with `tweak` applied to its configuration.
async fn start_shipped_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mysql = match backend {
        Backend::Sqlite => None,
        Backend::Mysql => Some(MysqlDb::create().await),
    };
    let mut config = shipped_config(&dir, mysql.as_ref().map(MysqlDb::url));
    if backend == Backend::Mysql {
        // Shipped authd refuses a shared database without a configured secret.
        config.jwt_secret = JwtSecret::Value(Zeroizing::new(SECRET.to_vec()));
    }
    tweak(&mut config);
    TestServer::start_with(backend, config, dir, mysql).await
}

/// Sends `n` signins of `username` at once on `client`; returns each answer and its latency.
async fn parallel_signins(
    srv: &TestServer,
    client: &reqwest::Client,
    n: usize,
    username: &str,
) -> Vec<Result<(Resp, Duration), reqwest::Error>> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let request = client
            .post(srv.url("/api/auth/signin"))
            .json(&json!({"username": username, "password": PASSWORD}));
        set.spawn(async move {
            let sent = Instant::now();
            let res = request.send().await?;
            let status = res.status().as_u16();
            let headers = res.headers().clone();
            let body = res.text().await?;
            let took = sent.elapsed();
            Ok((
                Resp {
                    status,
                    headers,
                    body,
                },
                took,
            ))
        });
    }
    set.join_all().await
}

/// The value of an unlabelled counter in `/metrics`.
async fn counter(srv: &TestServer, name: &str) -> f64 {
    let text = srv.get("/metrics").await.body;
    let prefix = format!("{name}_total ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{name} not in /metrics"))
        .trim()
        .parse()
        .unwrap()
}

async fn bcrypt_queue_past_its_bound_answers_503_with_retry_after_at_once(backend: Backend) {
    let _shared = QUIET.read().await;
    // One setting changed: a 1 ms bound, so any job that would queue behind a running hash is
    // refused (the shipped bound is seconds, reached only under heavy load).
    let srv = start_shipped_with(backend, |c| {
        c.bcrypt_max_wait = Duration::from_millis(1);
    })
    .await;
    srv.signup("crowd", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let before = counter(&srv, "authd_bcrypt_queue_full").await;
    let started = Instant::now();
    let answers: Vec<(Resp, Duration)> = parallel_signins(&srv, &srv.client, 8, "crowd")
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let total = started.elapsed();
    let ok = answers.iter().filter(|(r, _)| r.status == 200).count();
    let busy: Vec<&(Resp, Duration)> = answers.iter().filter(|(r, _)| r.status == 503).collect();
    assert_eq!(ok + busy.len(), 8, "{answers:?}");
    assert!(ok >= 1, "{answers:?}");
    assert!(!busy.is_empty(), "nothing was refused: {answers:?}");
    let slowest_ok = answers
        .iter()
        .filter(|(r, _)| r.status == 200)
        .map(|(_, t)| *t)
        .max()
        .unwrap();
    for (res, took) in &busy {
        res.assert_message(503, "Service unavailable");
        let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
        assert!(retry >= 1, "{res:?}");
        // Refused at once: well before the hashes that were admitted finished.
        assert!(
            *took < slowest_ok,
            "503 after {took:?}, slowest 200 {slowest_ok:?}"
        );
    }
    let after = counter(&srv, "authd_bcrypt_queue_full").await;
    assert!(after - before >= busy.len() as f64, "{before} → {after}");
    assert!(total < Duration::from_secs(30), "{total:?}");
}

async fn bcrypt_work_of_clients_that_left_is_dropped(backend: Backend) {
    let _shared = QUIET.read().await;
    let srv = start_shipped_with(backend, |_| {}).await;
    srv.signup("leaver", None)
        .await
        .assert_message(200, "User was registered successfully!");
    let before = counter(&srv, "authd_bcrypt_job_dropped").await;
    // Clients that give up after 300 ms, while the bcrypt threads work through the queue (a
    // default-cost hash takes longer than 300 ms / 6 rounds even in an optimised build).
    let impatient = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let results = parallel_signins(&srv, &impatient, 12, "leaver").await;
    assert!(results.iter().any(Result::is_err), "{results:?}");
    // The jobs that were still queued when their clients left are dropped unrun.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let after = counter(&srv, "authd_bcrypt_job_dropped").await;
        if after > before {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no job dropped ({before} → {after})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(srv.signin("leaver", PASSWORD).await.status, 200);
}

async fn connections_past_the_cap_do_not_make_a_probe_wait(backend: Backend) {
    let _shared = QUIET.read().await;
    // One setting changed: a cap of 20, to reach it with few sockets.
    let srv = start_shipped_with(backend, |c| c.max_connections = 20).await;
    let addr = srv.base.trim_start_matches("http://").to_owned();
    let before = counter_via_raw(&addr).await;
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(TcpStream::connect(&addr).await.unwrap());
    }
    // Until the cap is full: a slot another connection still held when an idle one arrived (the
    // metrics read's, released just after its answer) left that one refused and its slot free, so
    // one more idle connection takes it.
    let deadline = Instant::now() + Duration::from_secs(10);
    while raw_status(&addr).await != "503" {
        assert!(Instant::now() < deadline, "the cap of 20 was never full");
        idle.push(TcpStream::connect(&addr).await.unwrap());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Requests on connections past the cap are answered 503 at once and the connections closed.
    for _ in 0..30 {
        let mut extra = TcpStream::connect(&addr).await.unwrap();
        extra
            .write_all(b"GET /api/test/all HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        let started = Instant::now();
        tokio::time::timeout(Duration::from_secs(2), extra.read_to_end(&mut answer))
            .await
            .expect("a connection past the cap was left waiting")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with("HTTP/1.1 503 "),
            "{answer} after {:?}",
            started.elapsed()
        );
        assert!(answer.to_lowercase().contains("retry-after: 1"), "{answer}");
        assert!(
            answer.ends_with(r#"{"message":"Service unavailable"}"#),
            "{answer}"
        );
    }
    // A probe with a fresh client is answered at once too (503 while the cap is full).
    let started = Instant::now();
    let probe = srv.get("/api/test/all").await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(probe.status, 503, "{probe:?}");
    // Closing idle connections frees their slots at once.
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let res = srv
            .send(http_common::client().get(srv.url("/api/test/all")))
            .await;
        if res.status == 200 {
            res.assert_html(200, "Public Content.");
            break;
        }
        assert!(Instant::now() < deadline, "slots never freed: {res:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after = counter(&srv, "authd_connections_refused").await;
    assert!(after - before >= 31.0, "{before} → {after}");
}

/// The answer to `request` (which asks to be closed) on a new raw connection: a client pool
/// would keep connections open and take slots.
async fn raw_answer(addr: &str, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out))
        .await
        .expect("a connection that asked to be closed was left open")
        .unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

/// The status code of `GET /api/test/all` on a new raw connection.
async fn raw_status(addr: &str) -> String {
    let answer = raw_answer(
        addr,
        b"GET /api/test/all HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    answer.split(' ').nth(1).unwrap_or_default().to_owned()
}

/// `authd_connections_refused_total`, read on a new raw connection.
async fn counter_via_raw(addr: &str) -> f64 {
    let answer = raw_answer(
        addr,
        b"GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    answer
        .lines()
        .find_map(|l| l.strip_prefix("authd_connections_refused_total "))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

async fn ipv6_clients_are_limited_per_64(backend: Backend) {
    let _shared = QUIET.read().await;
    // Two settings changed: 127.0.0.1 is a trusted proxy (so X-Forwarded-For names the client),
    // and 3 signins per minute per client, to reach the limit quickly.
    let srv = start_shipped_with(backend, |c| {
        c.limits.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.limits.signin_per_ip = 3;
    })
    .await;
    // A new unknown username each time, so the per-account slow-down never answers.
    let tries = std::sync::atomic::AtomicUsize::new(0);
    let signin_from = |client: &'static str| {
        let n = tries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        srv.send(
            srv.client
                .post(srv.url("/api/auth/signin"))
                .header("x-forwarded-for", client)
                .json(&json!({"username": format!("nobody{n}"), "password": "whatever1"})),
        )
    };
    // Three addresses of one /64 share its budget.
    for client in ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"] {
        signin_from(client)
            .await
            .assert_message(404, "User Not found.");
    }
    let res = signin_from("2001:db8:1:2:abcd::4").await;
    assert_eq!(res.status, 429, "{res:?}");
    assert!(res.header("retry-after").is_some());
    // The next /64 has its own budget; IPv4 clients stay per address.
    signin_from("2001:db8:1:3::1")
        .await
        .assert_message(404, "User Not found.");
    for client in ["192.0.2.1", "192.0.2.1", "192.0.2.1"] {
        signin_from(client)
            .await
            .assert_message(404, "User Not found.");
    }
    assert_eq!(signin_from("192.0.2.1").await.status, 429);
    signin_from("192.0.2.2")
        .await
        .assert_message(404, "User Not found.");
}

async fn every_response_carries_the_seed_allow_headers(backend: Backend) {
    let _shared = QUIET.read().await;
    let srv = start_shipped_with(backend, |_| {}).await;
    let (_, token) = srv.user_token("corsy").await;
    let answers = vec![
        srv.get("/").await,
        srv.get("/api/test/all").await,
        srv.get("/api/test/user").await,
        srv.get_with_token("/api/test/user", &token).await,
        srv.get_with_token("/api/test/admin", &token).await,
        srv.get("/healthz").await,
        srv.get("/readyz").await,
        srv.get("/metrics").await,
        srv.get("/nope").await,
        srv.signin("corsy", "wrong-password").await,
        srv.signin("nobody", PASSWORD).await,
        srv.post_raw("/api/auth/signin", Some("application/json"), "{")
            .await,
        srv.send(
            srv.client
                .get(srv.url("/api/test/all"))
                .header("origin", "http://evil.example"),
        )
        .await,
    ];
    for res in &answers {
        assert_eq!(
            res.header("access-control-allow-headers"),
            Some(SEED_ALLOW_HEADERS),
            "{res:?}"
        );
    }
    // A preflight lists the seed's headers, and `authorization` for Bearer tokens.
    let res = srv
        .send(
            srv.client
                .request(reqwest::Method::OPTIONS, srv.url("/api/auth/signin"))
                .header("origin", "http://localhost:8081")
                .header("access-control-request-method", "POST"),
        )
        .await;
    let listed = res
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    for h in [
        "x-access-token",
        "origin",
        "content-type",
        "accept",
        "authorization",
    ] {
        assert!(listed.contains(h), "{listed}");
    }
}

/// Median and range of `samples`.
fn summary(samples: &mut [Duration]) -> (Duration, Duration, Duration) {
    samples.sort();
    (
        samples[samples.len() / 2],
        samples[0],
        samples[samples.len() - 1],
    )
}

async fn strict_profile_hides_weak_hashes_in_signin_time(backend: Backend) {
    let _alone = QUIET.write().await;
    // One setting changed: the strict profile.
    let srv = start_shipped_with(backend, |c| {
        c.profile = authcore_server::app::profile::ProfileKind::Strict;
    })
    .await;
    // Seven users whose hashes are still the seed's cost-8 `$2a$` (written by SQL), three wrong
    // passwords each: under the slow-down threshold and the per-account rate.
    let legacy = bcrypt::hash_with_result(PASSWORD, 8)
        .unwrap()
        .format_for_version(bcrypt::Version::TwoA);
    assert!(legacy.starts_with("$2a$08$"));
    for i in 0..7 {
        let name = format!("legacy{i}");
        srv.signup(&name, None)
            .await
            .assert_message(200, "User was registered successfully!");
        srv.exec_sql(&format!(
            "UPDATE users SET password = '{legacy}' WHERE username = '{name}'"
        ))
        .await;
    }
    let invalid = r#"{"accessToken":null,"message":"Invalid username or password!"}"#;
    let timed = |username: String| {
        let srv = &srv;
        async move {
            let started = Instant::now();
            let res = srv.signin(&username, "wrong-password").await;
            let took = started.elapsed();
            res.assert_json(401, invalid);
            took
        }
    };
    // Warm-up, then alternate so both kinds see the same conditions.
    timed("ghost-warmup".to_owned()).await;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..21 {
        known.push(timed(format!("legacy{}", i % 7)).await);
        unknown.push(timed(format!("ghost{i}")).await);
    }
    let (known_median, known_min, known_max) = summary(&mut known);
    let (unknown_median, unknown_min, unknown_max) = summary(&mut unknown);
    eprintln!(
        "strict signin, wrong password: $2a$08$ user median {known_median:?} \
         ({known_min:?}–{known_max:?}); unknown user median {unknown_median:?} \
         ({unknown_min:?}–{unknown_max:?})"
    );
    let (fast, slow) = if known_median < unknown_median {
        (known_median, unknown_median)
    } else {
        (unknown_median, known_median)
    };
    assert!(
        slow.as_secs_f64() <= fast.as_secs_f64() * 1.25,
        "medians differ by more than 25 %: known {known_median:?}, unknown {unknown_median:?}"
    );
}
