//! Database outage: authd starts although MySQL is unreachable, answers 503 JSON quickly where it
//! needs the database, keeps serving what does not, and (MariaDB only) recovers without restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use authcore_server::Config;
use http_common::{Backend, MysqlDb, PASSWORD, TestServer, mysql_base_url, token_for};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};

const UNAVAILABLE: &str = r#"{"message":"Service unavailable"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_mysql_gives_fast_503s_and_the_server_still_starts() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        database_url: Some("mysql://root@127.0.0.1:1/authd".into()),
        ..http_common::test_config(&dir)
    };
    let srv = TestServer::start_with(Backend::Mysql, config, dir, None).await;
    let signin = json!({"username": "zkoder", "password": PASSWORD});
    let signup = json!({"username": "zkoder", "email": "z@x.com", "password": PASSWORD});
    for (path, body) in [("/api/auth/signin", &signin), ("/api/auth/signup", &signup)] {
        let started = Instant::now();
        let res = srv.post_json(path, body).await;
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        res.assert_json(503, UNAVAILABLE);
        assert_eq!(res.header("retry-after"), Some("1"), "{path}");
    }
    for path in ["/api/test/user", "/api/test/mod", "/api/test/admin"] {
        let started = Instant::now();
        srv.get_with_token(path, &token_for(1))
            .await
            .assert_json(503, UNAVAILABLE);
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    srv.get("/readyz")
        .await
        .assert_json(503, r#"{"status":"unavailable"}"#);
    // What needs no database keeps working, and token errors stay token errors.
    srv.get("/healthz")
        .await
        .assert_json(200, r#"{"status":"ok"}"#);
    srv.get("/api/test/all")
        .await
        .assert_html(200, "Public Content.");
    srv.get("/api/test/user")
        .await
        .assert_message(403, "No token provided!");
    srv.get_with_token("/api/test/user", "garbage")
        .await
        .assert_message(401, "Unauthorized!");
    srv.stop().await;
}

/// A TCP forwarder to MariaDB that can be switched off (connections are then cut).
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(false));
        let flag = up.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                let flag = flag.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    let copy = tokio::io::copy_bidirectional(&mut inbound, &mut outbound);
                    let cut = async {
                        while flag.load(Ordering::SeqCst) {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! {
                        _ = copy => {},
                        () = cut => {},
                    }
                });
            }
        });
        Proxy { port, up }
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_that_comes_late_and_goes_away_is_recovered_without_restart() {
    let Some(base) = mysql_base_url() else {
        eprintln!("skipping: TEST_MYSQL_URL not set");
        return;
    };
    let db = MysqlDb::create().await;
    let rest = base.strip_prefix("mysql://").unwrap();
    let (user_part, host) = match rest.rsplit_once('@') {
        Some((user, host)) => (format!("{user}@"), host),
        None => (String::new(), rest),
    };
    let proxy = Proxy::start(host.to_owned()).await;
    // prefer_socket=false: otherwise mysql_async switches to the unix socket, around the proxy.
    let url = format!(
        "mysql://{user_part}127.0.0.1:{}/{}?prefer_socket=false",
        proxy.port, db.name
    );
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        database_url: Some(url),
        ..http_common::test_config(&dir)
    };
    // Down at start-up: the server starts anyway.
    let srv = TestServer::start_with(Backend::Mysql, config, dir, Some(db)).await;
    srv.get("/readyz")
        .await
        .assert_json(503, r#"{"status":"unavailable"}"#);
    srv.signup("late", None).await.assert_json(503, UNAVAILABLE);
    // The database comes: ready within the reconnect back-off.
    proxy.set_up(true);
    wait_until_ready(&srv, true).await;
    let (_, token) = srv.user_token("late").await;
    // It goes away: 503s, quickly.
    proxy.set_up(false);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    srv.signin("late", PASSWORD)
        .await
        .assert_json(503, UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    wait_until_ready(&srv, false).await;
    // It comes back: everything works again without a restart.
    proxy.set_up(true);
    wait_until_ready(&srv, true).await;
    assert_eq!(srv.signin("late", PASSWORD).await.status, 200);
    srv.get_with_token("/api/test/user", &token)
        .await
        .assert_html(200, "User Content.");
    srv.stop().await;
}

async fn wait_until_ready(srv: &TestServer, ready: bool) {
    let want = if ready { 200 } else { 503 };
    for _ in 0..200 {
        if srv.get("/readyz").await.status == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("/readyz never became {want}");
}
