//! A throw-away MariaDB database per test, from `TEST_MYSQL_URL`.

use std::sync::atomic::{AtomicUsize, Ordering};

use mysql_async::prelude::Queryable;

/// `TEST_MYSQL_URL` without its database path (`mysql://root@127.0.0.1:3306`).
pub fn mysql_base_url() -> Option<String> {
    let Some(url) = std::env::var("TEST_MYSQL_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "TEST_MYSQL_URL is not set but CI is: MariaDB tests must run in CI, not skip"
        );
        return None;
    };
    let rest = url.strip_prefix("mysql://")?;
    let host_end = rest.find('/').unwrap_or(rest.len());
    Some(format!("mysql://{}", &rest[..host_end]))
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh MariaDB database, dropped when this is dropped.
pub struct MysqlDb {
    base: String,
    /// Database name.
    pub name: String,
}

impl MysqlDb {
    /// Creates `authd_http_<pid>_<n>_<random>`.
    pub async fn create() -> MysqlDb {
        let base = mysql_base_url().expect("TEST_MYSQL_URL");
        let mut random = [0u8; 4];
        getrandom::getrandom(&mut random).unwrap();
        let name = format!(
            "authd_http_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            u32::from_le_bytes(random)
        );
        let mut conn = mysql_async::Conn::from_url(base.as_str()).await.unwrap();
        conn.query_drop(format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
        ))
        .await
        .unwrap();
        conn.disconnect().await.unwrap();
        MysqlDb { base, name }
    }

    /// The URL of this database.
    pub fn url(&self) -> String {
        format!("{}/{}", self.base, self.name)
    }

    /// A connection to this database.
    pub async fn conn(&self) -> mysql_async::Conn {
        mysql_async::Conn::from_url(self.url().as_str())
            .await
            .unwrap()
    }
}

impl Drop for MysqlDb {
    fn drop(&mut self) {
        let base = self.base.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime: do the async cleanup on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut conn) = mysql_async::Conn::from_url(base.as_str()).await {
                    let _ = conn
                        .query_drop(format!("DROP DATABASE IF EXISTS `{name}`"))
                        .await;
                    let _ = conn.disconnect().await;
                }
            });
        })
        .join();
    }
}
