//! One connection's HTTP service: the CORS layers ([`cors`]) around the router, built once per
//! connection and called in place behind an uncontended lock (an HTTP/1 connection serves one
//! request at a time), instead of cloning the whole stack for every request.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Waker};

use http::{Request, Response};
use hyper::body::Incoming;
use tower::{Service, ServiceBuilder};
use tower_http::cors::CorsLayer;

use crate::app::AppState;
use crate::transport::responses::Body;
use crate::transport::{cors, router};

/// The service of one connection.
pub struct Connection<S> {
    stack: Mutex<S>,
}

/// The service for a connection from `peer`: CORS (`cors_layer`, built once at start-up) and the
/// seed's `Access-Control-Allow-Headers` around the router.
pub fn connection(
    state: Arc<AppState>,
    cors_layer: &CorsLayer,
    peer: SocketAddr,
) -> Connection<
    impl Service<
        Request<Incoming>,
        Response = Response<Body>,
        Error = Infallible,
        Future: Send + 'static,
    > + Send
    + 'static,
> {
    let stack = ServiceBuilder::new()
        .layer(cors::seed_allow_headers())
        .layer(cors_layer.clone())
        .service(tower::service_fn(move |req: Request<Incoming>| {
            router::handle(Arc::clone(&state), Some(peer), req)
        }));
    Connection {
        stack: Mutex::new(stack),
    }
}

impl<S> hyper::service::Service<Request<Incoming>> for Connection<S>
where
    S: Service<Request<Incoming>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn call(&self, req: Request<Incoming>) -> S::Future {
        // Uncontended: HTTP/1 hands over one request at a time.
        let mut stack = self
            .stack
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Every layer here is always ready (CORS and the header layer delegate to the router,
        // which is); polled anyway, as tower requires before `call`.
        let _ready = stack.poll_ready(&mut Context::from_waker(Waker::noop()));
        stack.call(req)
    }
}
