//! Limits and concurrency over real HTTP on both backends: body size, CORS (rows 85–91 as fixed),
//! racing signups, and bcrypt never stalling other requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::{Duration, Instant};

use http_common::{Backend, JSON_TYPE, PASSWORD, TestServer};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_both_backends!(
    oversized_bodies_are_413_json,
    cors_allows_only_configured_origins,
    fifty_parallel_signups_of_one_name_create_one_user,
    bcrypt_work_does_not_stall_other_requests,
    slow_clients_are_cut_off_by_the_timeouts,
    shutdown_lets_in_flight_requests_finish,
);

/// Sends raw bytes on a fresh connection and returns everything read until it closes.
async fn raw_exchange(srv: &TestServer, request: &[u8]) -> String {
    let addr = srv.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    // The server may answer (and close) before the whole body is written; that is fine.
    let _ = stream.write_all(request).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

async fn oversized_bodies_are_413_json(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    // row 28 (the seed answered an HTML stack trace): Content-Length over 64 KiB
    let big = json!({"username": "big", "email": "big@x.com", "password": PASSWORD,
                     "pad": "x".repeat(200 * 1024)});
    srv.post_json("/api/auth/signup", &big)
        .await
        .assert_message(413, "Payload too large");
    srv.post_json("/api/auth/signin", &big)
        .await
        .assert_message(413, "Payload too large");
    // Chunked, without Content-Length: cut off while reading.
    let mut request =
        b"POST /api/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            .to_vec();
    let chunk = "x".repeat(8 * 1024);
    request.extend_from_slice(b"6\r\n{\"a\":\"\r\n");
    for _ in 0..10 {
        request.extend_from_slice(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
    }
    request.extend_from_slice(b"2\r\n\"}\r\n0\r\n\r\n");
    let answer = raw_exchange(&srv, &request).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(JSON_TYPE), "{answer}");
    assert!(
        answer.ends_with(r#"{"message":"Payload too large"}"#),
        "{answer}"
    );
    // Just under the limit is parsed normally (and fails validation, not the size check).
    let under = json!({"pad": "x".repeat(60 * 1024)});
    srv.post_json("/api/auth/signup", &under)
        .await
        .assert_message(400, "Username is required.");
    srv.stop().await;
}

async fn cors_allows_only_configured_origins(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    let good = "http://localhost:8081";
    let evil = "http://evil.example";
    let preflight = |origin: &'static str, path: &'static str| {
        srv.send(
            srv.client
                .request(reqwest::Method::OPTIONS, srv.url(path))
                .header("origin", origin)
                .header("access-control-request-method", "GET")
                .header(
                    "access-control-request-headers",
                    "x-access-token,content-type",
                ),
        )
    };
    // rows 85, 86
    for path in ["/api/auth/signin", "/api/test/user"] {
        let res = preflight(good, path).await;
        assert!(res.status == 200 || res.status == 204, "{res:?}");
        assert_eq!(res.header("access-control-allow-origin"), Some(good));
        let headers = res
            .header("access-control-allow-headers")
            .unwrap()
            .to_lowercase();
        for h in ["x-access-token", "authorization", "content-type"] {
            assert!(headers.contains(h), "{headers}");
        }
        let methods = res.header("access-control-allow-methods").unwrap();
        for m in ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"] {
            assert!(methods.contains(m), "{methods}");
        }
        assert!(
            res.header("vary")
                .unwrap()
                .to_lowercase()
                .contains("origin")
        );
    }
    // row 87 fixed: an evil origin gets no Access-Control-Allow-Origin
    let res = preflight(evil, "/api/auth/signin").await;
    assert_eq!(res.header("access-control-allow-origin"), None, "{res:?}");
    // row 88: a bare OPTIONS is answered without error
    let res = srv
        .send(
            srv.client
                .request(reqwest::Method::OPTIONS, srv.url("/api/test/all")),
        )
        .await;
    assert!(res.status == 200 || res.status == 204, "{res:?}");
    // rows 89, 90: simple requests are served; only the allowed origin may read them
    let res = srv
        .send(
            srv.client
                .get(srv.url("/api/test/all"))
                .header("origin", good),
        )
        .await;
    res.assert_html(200, "Public Content.");
    assert_eq!(res.header("access-control-allow-origin"), Some(good));
    assert!(
        res.header("vary")
            .unwrap()
            .to_lowercase()
            .contains("origin")
    );
    let res = srv
        .send(
            srv.client
                .get(srv.url("/api/test/all"))
                .header("origin", evil),
        )
        .await;
    res.assert_html(200, "Public Content.");
    assert_eq!(res.header("access-control-allow-origin"), None);
    // Vary: Origin on every answer, also without an Origin header and on errors.
    for res in [srv.get("/").await, srv.get("/api/nope").await] {
        assert!(
            res.header("vary")
                .unwrap()
                .to_lowercase()
                .contains("origin"),
            "{res:?}"
        );
    }
    srv.stop().await;

    // Configured origins replace the default.
    let srv = TestServer::start(backend, |c| {
        c.cors_origins =
            authcore_server::config::CorsOrigins::List(vec!["https://app.example".into()]);
    })
    .await;
    let res = srv
        .send(
            srv.client
                .get(srv.url("/"))
                .header("origin", "https://app.example"),
        )
        .await;
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let res = srv
        .send(srv.client.get(srv.url("/")).header("origin", good))
        .await;
    assert_eq!(res.header("access-control-allow-origin"), None);
    srv.stop().await;
}

async fn fifty_parallel_signups_of_one_name_create_one_user(backend: Backend) {
    let srv = TestServer::start(backend, |_| {}).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        // Distinct emails: an identical signup of the winner would be a replay (200).
        let body = json!({"username": "racer", "email": format!("racer{i}@x.com"),
            "password": PASSWORD});
        let client = srv.client.clone();
        let url = srv.url("/api/auth/signup");
        tasks.push(tokio::spawn(async move {
            let res = client.post(url).json(&body).send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }));
    }
    let mut ok = 0;
    let mut taken = 0;
    for task in tasks {
        match task.await.unwrap() {
            (200, body) if body == r#"{"message":"User was registered successfully!"}"# => ok += 1,
            (400, body) if body == r#"{"message":"Failed! Username is already in use!"}"# => {
                taken += 1;
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!((ok, taken), (1, 49));
    assert_eq!(srv.signin("racer", PASSWORD).await.status, 200);
    srv.stop().await;
}

async fn bcrypt_work_does_not_stall_other_requests(backend: Backend) {
    // Cost 11: each hash takes a few hundred ms of CPU (seconds in a debug build).
    let srv = TestServer::start(backend, |c| c.bcrypt_cost = 11).await;
    let mut signups = Vec::new();
    for i in 0..4 {
        let client = srv.client.clone();
        let url = srv.url("/api/auth/signup");
        let body = json!({"username": format!("slow{i}"), "email": format!("slow{i}@x.com"),
                          "password": PASSWORD});
        signups.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut worst = Duration::ZERO;
    for _ in 0..10 {
        let started = Instant::now();
        srv.get("/api/test/all")
            .await
            .assert_html(200, "Public Content.");
        worst = worst.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        worst < Duration::from_millis(500),
        "a cheap request took {worst:?}"
    );
    for s in signups {
        assert_eq!(s.await.unwrap(), 200);
    }
    srv.stop().await;
}

async fn slow_clients_are_cut_off_by_the_timeouts(backend: Backend) {
    let srv = TestServer::start(backend, |c| {
        c.header_read_timeout = Duration::from_secs(1);
        c.request_timeout = Duration::from_secs(1);
    })
    .await;
    let addr = srv.base.trim_start_matches("http://").to_owned();
    // Headers that never end: the connection is closed after the header-read timeout.
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(b"GET /api/test/all HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "connection still open after 5 s");
    assert!(started.elapsed() < Duration::from_secs(4));
    // A body that never arrives: 503 JSON once the whole-request timeout passes.
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/auth/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
Content-Length: 100\r\n\r\n{\"username\"",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = vec![0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("no answer within 5 s")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.ends_with(r#"{"message":"Service unavailable"}"#),
        "{answer}"
    );
    assert!(started.elapsed() < Duration::from_secs(4));
    // Meanwhile the server answers everyone else.
    srv.get("/api/test/all")
        .await
        .assert_html(200, "Public Content.");
    srv.stop().await;
}

async fn shutdown_lets_in_flight_requests_finish(backend: Backend) {
    let srv = TestServer::start(backend, |c| c.bcrypt_cost = 11).await;
    let client = srv.client.clone();
    let url = srv.url("/api/auth/signup");
    let in_flight = tokio::spawn(async move {
        let body = json!({"username": "late", "email": "late@x.com", "password": PASSWORD});
        let res = client.post(url).json(&body).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let base = srv.base.clone();
    srv.stop().await;
    let (status, body) = in_flight.await.unwrap();
    assert_eq!(status, 200, "{body}");
    // And nothing listens any more.
    assert!(
        http_common::client()
            .get(format!("{base}/"))
            .send()
            .await
            .is_err()
    );
}
