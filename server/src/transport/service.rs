//! One connection's HTTP service: preflights answered by [`Cors`], every other request by the
//! router, with the CORS headers added to its response in place; each request counted on the
//! connection's [`HeadClock`].

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use http::header::ORIGIN;
use http::{Method, Request, Response};
use hyper::body::Incoming;

use crate::app::AppState;
use crate::transport::cors::Cors;
use crate::transport::head_timeout::HeadClock;
use crate::transport::responses::Body;
use crate::transport::router::{self, Reply};

/// What every connection of a server shares.
pub struct Shared {
    /// The application.
    pub state: Arc<AppState>,
    /// The CORS rules.
    pub cors: Cors,
}

/// One connection: its peer and its header-read clock.
pub struct Connection {
    shared: Arc<Shared>,
    peer: SocketAddr,
    /// Read by the connection's header-read timeout.
    pub clock: HeadClock,
}

impl Connection {
    /// A connection from `peer`.
    pub fn new(shared: Arc<Shared>, peer: SocketAddr) -> Arc<Self> {
        Arc::new(Self {
            shared,
            peer,
            clock: HeadClock::default(),
        })
    }
}

/// The service of `connection`.
pub fn service(
    connection: Arc<Connection>,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = Response<Body>,
    Error = Infallible,
    Future: Send + 'static,
> + Send
+ 'static {
    hyper::service::service_fn(move |req: Request<Incoming>| {
        let connection = Arc::clone(&connection);
        connection.clock.request_started();
        async move {
            let Connection {
                shared,
                peer,
                clock,
            } = &*connection;
            let response = if req.method() == Method::OPTIONS {
                // Boxed: rare, and the other requests' future should not carry its state.
                Box::pin(shared.cors.preflight(req)).await
            } else {
                let allow_origin = shared.cors.allow_origin(req.headers().get(ORIGIN));
                let mut response = match router::handle(&shared.state, Some(*peer), req) {
                    Reply::Now(response) => response,
                    Reply::Later(answer) => answer.await,
                };
                shared.cors.finish(allow_origin, response.headers_mut());
                response
            };
            clock.request_answered();
            Ok(response)
        }
    })
}
