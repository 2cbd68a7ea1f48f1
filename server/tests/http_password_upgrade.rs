//! Password upgrades end to end: a user whose stored hash is the seed's cost-8 `$2a$08$` signs in,
//! and the stored hash is then re-hashed at the configured cost, with the password still working.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_common;

use std::time::{Duration, Instant};

use http_common::{Backend, PASSWORD, TestServer};
use mysql_async::prelude::Queryable;

on_both_backends!(seed_cost_8_hash_is_upgraded_at_signin);

/// The stored hash of `username`, read behind the server's back.
async fn stored_hash(srv: &TestServer, username: &str) -> String {
    match srv.backend {
        Backend::Sqlite => {
            let path = srv
                .config
                .data_dir
                .join(authcore_server::store::SQLITE_FILE_NAME);
            let username = username.to_owned();
            tokio::task::spawn_blocking(move || {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.busy_timeout(Duration::from_secs(5)).unwrap();
                conn.query_row(
                    "SELECT password FROM users WHERE username = ?1",
                    [username],
                    |row| row.get::<_, String>(0),
                )
                .unwrap()
            })
            .await
            .unwrap()
        }
        Backend::Mysql => {
            let mut conn = srv.mysql.as_ref().unwrap().conn().await;
            let hash: Option<String> = conn
                .exec_first("SELECT password FROM users WHERE username = ?", (username,))
                .await
                .unwrap();
            conn.disconnect().await.unwrap();
            hash.unwrap()
        }
    }
}

async fn seed_cost_8_hash_is_upgraded_at_signin(backend: Backend) {
    let srv = TestServer::start(backend, |c| c.bcrypt_cost = 9).await;
    srv.signup("legacy", None).await;
    let seed_hash = bcrypt::hash_with_result(PASSWORD, 8)
        .unwrap()
        .format_for_version(bcrypt::Version::TwoA);
    assert!(seed_hash.starts_with("$2a$08$"));
    srv.exec_sql(&format!(
        "UPDATE users SET password = '{seed_hash}' WHERE username = 'legacy'"
    ))
    .await;
    assert_eq!(stored_hash(&srv, "legacy").await, seed_hash);

    srv.token_of("legacy", PASSWORD).await;
    // The upgrade runs in the background, after the answer.
    let deadline = Instant::now() + Duration::from_secs(10);
    let upgraded = loop {
        let hash = stored_hash(&srv, "legacy").await;
        if hash != seed_hash {
            break hash;
        }
        assert!(Instant::now() < deadline, "hash was not upgraded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(upgraded.starts_with("$2b$09$"), "{upgraded}");
    assert!(bcrypt::verify(PASSWORD, &upgraded).unwrap());
    srv.token_of("legacy", PASSWORD).await;
    assert_eq!(srv.signin("legacy", "wrong-password").await.status, 401);
    srv.stop().await;
}
