//! Start-up, the accept loop and graceful shutdown.
//!
//! Each connection is served by hyper with `transport::service` (CORS around the router, which
//! logs every answer at `debug` and counts it in the metrics).
//! HTTP/1.1 with keep-alive; a request head must arrive complete within the header-read timeout
//! (up to 1.5 × it; `transport::head_timeout`), which also closes connections idle that long. A new connection gets its HTTP state only once its first bytes
//! arrive, and is closed if none arrive within the header-read timeout. On shutdown the listener
//! closes, idle connections are closed and in-flight requests get up to the shutdown timeout to
//! finish.
//!
//! Connections are capped (`AUTHD_MAX_CONNECTIONS`): past the cap a new connection is accepted,
//! its request answered `503` with `Retry-After: 1` and the connection closed (within 1 s), so the
//! accept loop never stalls and a client never waits in the kernel's backlog. At start the soft
//! `RLIMIT_NOFILE` is raised to the hard limit, and the cap is lowered (with a warning) if the
//! file limit could not hold it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinHandle;

use crate::app::AppState;
use crate::app::{bootstrap, token_keys};
use crate::config::{Config, ConfigError};
use crate::store::StoreError;
use crate::store::database::{Database, StoreTarget};
use crate::transport::cors::{self, Cors};
use crate::transport::head_timeout::Watch;
use crate::transport::service;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A setting is unusable.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// The store could not be opened (and the failure is not a passing outage).
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// Listening failed.
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

impl From<crate::app::token_keys::KeysError> for ServeError {
    fn from(e: crate::app::token_keys::KeysError) -> ServeError {
        match e {
            crate::app::token_keys::KeysError::Store(e) => ServeError::Store(e),
            other => ServeError::Config(ConfigError(other.to_string())),
        }
    }
}

/// A server accepting connections in the background.
pub struct RunningServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, drains in-flight requests (bounded by the shutdown timeout) and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Validates the configuration, loads the signing key, opens the store (an unavailable MySQL is
/// retried in the background while requests get 503), starts the bootstrap admin task, prints
/// `authd listening on http://ADDR` and serves `listener` in the background.
pub async fn start(config: Config, listener: TcpListener) -> Result<RunningServer, ServeError> {
    config.validate()?;
    let keys = token_keys::from_config(&config)?;
    let target = StoreTarget {
        database_url: config.database_url.clone(),
        data_dir: config.data_dir.clone(),
        pool_size: config.db_pool_size,
    };
    let db = Database::connect(target, config.store_timeout).await?;
    let keys = token_keys::start(keys, &config, &db).await?;
    let state = Arc::new(AppState::build(&config, keys, db)?);
    crate::metrics::init(crate::transport::router::metric_labels());
    if let Some(admin) = config.bootstrap_admin.clone() {
        let db = state.db.clone();
        tokio::spawn(bootstrap::run_at_startup(
            db,
            state.passwords.clone(),
            admin,
        ));
    }
    let addr = listener.local_addr()?;
    let backend = if config.database_url.is_some() {
        "mysql"
    } else {
        "sqlite"
    };
    tracing::info!(%addr, backend, "authd started");
    println!("authd listening on http://{addr}");
    let (stop, stopped) = oneshot::channel();
    let max_connections = connection_cap(config.max_connections, raise_file_limit());
    let task = tokio::spawn(accept_loop(
        listener,
        state,
        config,
        max_connections,
        stopped,
    ));
    Ok(RunningServer {
        addr,
        stop: Some(stop),
        task,
    })
}

/// [`start`], then serve until `shutdown` resolves, then drain.
pub async fn serve<F>(config: Config, listener: TcpListener, shutdown: F) -> Result<(), ServeError>
where
    F: Future<Output = ()>,
{
    let running = start(config, listener).await?;
    shutdown.await;
    tracing::info!("shutting down");
    running.shutdown().await;
    Ok(())
}

/// File descriptors kept free for the store, the log and the like, besides connections.
const RESERVED_FILES: u64 = 256;
/// Refusals (503 then close) in progress at most; past it, excess connections are closed unanswered.
const MAX_REFUSING: usize = 256;
/// Bytes of a refused connection's request head read at most.
const MAX_REFUSED_HEAD: usize = 16 * 1024;
/// How long a refused connection may take to send its request head and receive its 503.
const REFUSE_TIMEOUT: Duration = Duration::from_secs(1);

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (best effort); returns the soft limit now in
/// force, if known.
fn raise_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current != limit.maximum {
            let raised = Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            };
            match setrlimit(Resource::Nofile, raised) {
                Ok(()) => tracing::debug!(soft = ?limit.maximum, "raised RLIMIT_NOFILE"),
                Err(e) => tracing::warn!(error = %e, "cannot raise RLIMIT_NOFILE"),
            }
        }
        // `None` means unlimited.
        Some(getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The connection cap that fits under `file_limit`.
fn connection_cap(configured: usize, file_limit: Option<u64>) -> usize {
    let Some(limit) = file_limit else {
        return configured;
    };
    let room = usize::try_from(limit.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
    if configured > room {
        tracing::warn!(
            configured,
            file_limit = limit,
            cap = room.max(1),
            "AUTHD_MAX_CONNECTIONS lowered to fit the open-file limit"
        );
        return room.max(1);
    }
    configured
}

/// Answers a connection past the cap with 503 and closes it.
async fn refuse(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const BODY: &str = crate::transport::responses::bodies::UNAVAILABLE;
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: {}\r\nretry-after: 1\r\n\
         access-control-allow-headers: {}\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{BODY}",
        crate::transport::responses::JSON_TYPE,
        cors::SEED_ALLOW_HEADERS,
        BODY.len()
    );
    let _ = tokio::time::timeout(REFUSE_TIMEOUT, async {
        // Answer after the request head (HTTP clients do not expect an answer before they have
        // sent their request); a client that sends nothing is just closed.
        let mut request = Vec::with_capacity(1024);
        let mut chunk = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut chunk).await?;
            if n == 0 || request.len() + n > MAX_REFUSED_HEAD {
                return Ok(());
            }
            request.extend_from_slice(&chunk[..n]);
        }
        stream.write_all(head.as_bytes()).await?;
        stream.shutdown().await?;
        // Drain what the client sent, so closing does not reset the connection before it has
        // read the answer.
        while stream.read(&mut chunk).await? > 0 {}
        Ok::<(), std::io::Error>(())
    })
    .await;
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<AppState>,
    config: Config,
    max_connections: usize,
    mut stopped: oneshot::Receiver<()>,
) {
    let shared = Arc::new(service::Shared {
        cors: Cors::new(&config.cors_origins),
        state,
    });

    let mut http = http1::Builder::new();
    // The header-read timeout is kept per connection (`transport::head_timeout`), not by a
    // timer hyper would arm and drop for every request. Head and body go out as one buffer
    // (`writev(false)`): the bodies are small, and copying one is cheaper than queueing slices.
    http.header_read_timeout(None)
        .keep_alive(true)
        .writev(false);
    let graceful = GracefulShutdown::new();
    let open = Arc::new(Semaphore::new(max_connections));
    let refusing = Arc::new(Semaphore::new(MAX_REFUSING));

    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let Ok(slot) = Arc::clone(&open).try_acquire_owned() else {
                        crate::metrics::connection_refused();
                        if let Ok(refusal) = Arc::clone(&refusing).try_acquire_owned() {
                            tokio::spawn(async move {
                                refuse(stream).await;
                                drop(refusal);
                            });
                        }
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    // The peer address, for the per-client limits (see `transport::client_ip`).
                    let connection = service::Connection::new(Arc::clone(&shared), peer);
                    let (http, watcher) = (http.clone(), graceful.watcher());
                    let head_limit = config.header_read_timeout;
                    let served = tokio::spawn({
                        let connection = Arc::clone(&connection);
                        async move {
                            let _closes = ClosesClock(Arc::clone(&connection));
                            // No HTTP buffers until the first bytes arrive: an idle connection
                            // costs little memory.
                            let readable =
                                tokio::time::timeout(head_limit, stream.readable()).await;
                            if matches!(readable, Ok(Ok(()))) {
                                let service = service::service(connection);
                                let conn = http.serve_connection(TokioIo::new(stream), service);
                                if let Err(e) = watcher.watch(conn).await {
                                    tracing::debug!(error = %e, "connection ended with an error");
                                }
                            }
                            drop(slot);
                        }
                    });
                    // The header-read timeout: closes (drops) the connection when it expires.
                    tokio::spawn(async move {
                        if connection.clock.watch(head_limit).await == Watch::Expired {
                            served.abort();
                            tracing::debug!("request head not received in time: closed");
                        }
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = &mut stopped => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(config.shutdown_timeout) => {
            tracing::warn!("shutdown timeout passed with requests still in flight");
        }
    }
}

/// Ends the header-read watch of a connection when the connection's task ends, however it ends.
struct ClosesClock(Arc<service::Connection>);

impl Drop for ClosesClock {
    fn drop(&mut self) {
        self.0.clock.close();
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Binds `config.listen` and serves until SIGINT/SIGTERM.
pub async fn run(config: Config) -> Result<(), ServeError> {
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", config.listen)))?;
    serve(config, listener, shutdown_signal()).await
}
