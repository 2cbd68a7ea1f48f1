//! A TCP proxy to MariaDB for outage tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::url_with;

/// A TCP proxy to MariaDB that can be stopped (connections reset, port closed), frozen
/// (bytes held back) and restarted on the same port.
pub struct Proxy {
    pub addr: SocketAddr,
    upstream: SocketAddr,
    /// While true, bytes are held back in both directions.
    pub frozen: Arc<AtomicBool>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    /// Listens on a free local port, forwarding to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let mut proxy = Proxy {
            addr: "127.0.0.1:0".parse().unwrap(),
            upstream,
            frozen: Arc::new(AtomicBool::new(false)),
            tasks: Arc::new(Mutex::new(Vec::new())),
        };
        proxy.listen().await;
        proxy
    }

    /// (Re)opens the port.
    pub async fn listen(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("rebinding {}: {e}", self.addr);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("cannot bind {}: {e}", self.addr),
            }
        };
        self.addr = listener.local_addr().unwrap();
        let (upstream, frozen, tasks) = (self.upstream, self.frozen.clone(), self.tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    continue;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                let mut tasks = tasks.lock().unwrap();
                tasks.push(tokio::spawn(pump(cr, sw, frozen.clone())));
                tasks.push(tokio::spawn(pump(sr, cw, frozen.clone())));
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// Closes the port and every proxied connection.
    pub async fn stop(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    /// A URL to `db` through the proxy (TCP only: no switch to the server's Unix socket).
    pub fn url(&self, server_url: &str, db: &str) -> String {
        let url = url_with(server_url, Some(&self.addr.to_string()), db);
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}prefer_socket=false")
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    frozen: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        while frozen.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
