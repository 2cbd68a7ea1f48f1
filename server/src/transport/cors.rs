//! CORS for the configured origins only, matched against the request's real `Origin` (the seed
//! always echoed one fixed origin, whatever was sent). Preflights (any `OPTIONS`) are answered by
//! tower-http's `CorsLayer`; every other response gets, in place, the headers that layer would add
//! (the tests compare both on every case): `Vary: origin, …`, `Access-Control-Allow-Origin` for an
//! allowed origin, and, like every route of the seed,
//! `Access-Control-Allow-Headers: x-access-token, Origin, Content-Type, Accept` (preflights list
//! `authorization` too, for `Bearer` tokens).

use std::convert::Infallible;

use http::header::{
    ACCEPT, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, AUTHORIZATION, CONTENT_TYPE,
    HeaderName, HeaderValue, ORIGIN, VARY,
};
use http::{HeaderMap, Method, Request, Response};
use tower::{Layer, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::CorsOrigins;
use crate::transport::responses::Body;

/// The seed's `Access-Control-Allow-Headers`, sent on every response.
pub const SEED_ALLOW_HEADERS: &str = "x-access-token, Origin, Content-Type, Accept";

/// [`SEED_ALLOW_HEADERS`] as a header value (a constant: not validated again per request).
const SEED_ALLOW_HEADERS_VALUE: HeaderValue = HeaderValue::from_static(SEED_ALLOW_HEADERS);

/// The request headers a response varies on, and its `Vary` value.
const VARY_ON: [HeaderName; 3] = [
    ORIGIN,
    ACCESS_CONTROL_REQUEST_METHOD,
    ACCESS_CONTROL_REQUEST_HEADERS,
];
const VARY_VALUE: HeaderValue = HeaderValue::from_static(
    "origin, access-control-request-method, access-control-request-headers",
);

/// The methods a preflight allows.
const ALLOWED_METHODS: [Method; 6] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::OPTIONS,
];

/// `Access-Control-Allow-Origin` when any origin may read.
const ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");

/// The CORS rules of one server, built once at start-up.
pub struct Cors {
    preflight: CorsLayer,
    origins: CorsOrigins,
}

impl Cors {
    /// The rules for `origins`.
    pub fn new(origins: &CorsOrigins) -> Self {
        // Origins that are not valid header values can never match a request's `Origin`.
        let origins = match origins {
            CorsOrigins::Any => CorsOrigins::Any,
            CorsOrigins::List(list) => CorsOrigins::List(
                list.iter()
                    .filter(|o| HeaderValue::from_str(o).is_ok())
                    .cloned()
                    .collect(),
            ),
        };
        Self {
            preflight: layer(&origins),
            origins,
        }
    }

    /// What a response to a request from `origin` carries as `Access-Control-Allow-Origin`.
    pub fn allow_origin(&self, origin: Option<&HeaderValue>) -> Option<HeaderValue> {
        match &self.origins {
            CorsOrigins::Any => Some(ANY_ORIGIN),
            CorsOrigins::List(list) => origin.filter(|o| allowed(list, o)).cloned(),
        }
    }

    /// Adds the CORS headers to the response of a request that is not a preflight;
    /// `allow_origin` comes from [`Cors::allow_origin`].
    pub fn finish(&self, allow_origin: Option<HeaderValue>, headers: &mut HeaderMap) {
        headers.append(VARY, VARY_VALUE);
        if let Some(origin) = allow_origin {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
        seed_allow_headers(headers);
    }

    /// The answer to a preflight (an `OPTIONS` request), from tower-http's layer.
    pub async fn preflight<B>(&self, req: Request<B>) -> Response<Body> {
        // The layer answers every OPTIONS request itself: the inner service is never called.
        let answered = self
            .preflight
            .layer(tower::service_fn(|_: Request<B>| async {
                Ok::<_, Infallible>(Response::new(Body::default()))
            }))
            .oneshot(req)
            .await;
        let mut response = match answered {
            Ok(response) => response,
            Err(never) => match never {},
        };
        seed_allow_headers(response.headers_mut());
        response
    }
}

/// [`SEED_ALLOW_HEADERS`] on a response that has no `Access-Control-Allow-Headers` yet.
fn seed_allow_headers(headers: &mut HeaderMap) {
    headers
        .entry(ACCESS_CONTROL_ALLOW_HEADERS)
        .or_insert(SEED_ALLOW_HEADERS_VALUE);
}

fn allowed(list: &[String], origin: &HeaderValue) -> bool {
    // Origins compare case-insensitively.
    list.iter()
        .any(|a| a.as_bytes().eq_ignore_ascii_case(origin.as_bytes()))
}

/// tower-http's layer for `origins`: what preflights are answered with.
fn layer(origins: &CorsOrigins) -> CorsLayer {
    let base = CorsLayer::new()
        .allow_methods(ALLOWED_METHODS)
        .allow_headers([
            HeaderName::from_static("x-access-token"),
            ORIGIN,
            CONTENT_TYPE,
            ACCEPT,
            AUTHORIZATION,
        ])
        .vary(VARY_ON);
    match origins {
        CorsOrigins::Any => base.allow_origin(AllowOrigin::any()),
        CorsOrigins::List(list) => {
            let list = list.clone();
            base.allow_origin(AllowOrigin::predicate(move |origin, _| {
                allowed(&list, origin)
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_http::set_header::SetResponseHeaderLayer;

    /// tower-http's whole answer: its CORS layer around a route that answers `route_headers`,
    /// inside the seed's allow-headers when absent.
    async fn by_tower(
        origins: &CorsOrigins,
        req: Request<Body>,
        route_headers: &HeaderMap,
    ) -> HeaderMap {
        let route_headers = route_headers.clone();
        let stack = tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::if_not_present(
                ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(SEED_ALLOW_HEADERS),
            ))
            .layer(layer(origins))
            .service(tower::service_fn(move |_: Request<Body>| {
                let route_headers = route_headers.clone();
                async move {
                    let mut response = Response::new(Body::default());
                    *response.headers_mut() = route_headers;
                    Ok::<_, Infallible>(response)
                }
            }));
        stack.oneshot(req).await.unwrap().headers().clone()
    }

    async fn by_us(
        origins: &CorsOrigins,
        req: Request<Body>,
        route_headers: &HeaderMap,
    ) -> HeaderMap {
        let cors = Cors::new(origins);
        if req.method() == Method::OPTIONS {
            return cors.preflight(req).await.headers().clone();
        }
        let allow = cors.allow_origin(req.headers().get(ORIGIN));
        let mut headers = route_headers.clone();
        cors.finish(allow, &mut headers);
        headers
    }

    fn pairs(headers: &HeaderMap) -> Vec<(String, Vec<u8>)> {
        headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
            .collect()
    }

    #[tokio::test]
    async fn every_answer_is_tower_https() {
        let configs = [
            CorsOrigins::Any,
            CorsOrigins::List(vec![]),
            CorsOrigins::List(vec!["http://localhost:8081".into()]),
            CorsOrigins::List(vec![
                "http://localhost:8081".into(),
                "https://App.example.com".into(),
                "bad\norigin".into(),
            ]),
        ];
        let origins: [Option<&[u8]>; 7] = [
            None,
            Some(b"http://localhost:8081"),
            Some(b"HTTP://LOCALHOST:8081"),
            Some(b"https://app.example.com"),
            Some(b"http://localhost:8082"),
            Some(b"null"),
            Some(b"http://\xffweird"),
        ];
        let mut route_variants = vec![HeaderMap::new()];
        let mut typed = HeaderMap::new();
        typed.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        route_variants.push(typed.clone());
        let mut with_vary = typed.clone();
        with_vary.insert(VARY, HeaderValue::from_static("accept-encoding"));
        route_variants.push(with_vary);
        let mut with_allow = typed;
        with_allow.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("x-other"),
        );
        with_allow.insert(
            ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("https://x"),
        );
        route_variants.push(with_allow);
        let methods: Vec<Method> = ALLOWED_METHODS.into_iter().chain([Method::PATCH]).collect();
        let mut cases = 0;
        for config in &configs {
            for origin in origins {
                for method in &methods {
                    for preflight_ask in [false, true] {
                        for route in &route_variants {
                            let build = || {
                                let mut b = Request::builder().method(method.clone()).uri("/x");
                                if let Some(o) = origin {
                                    b = b.header(ORIGIN, HeaderValue::from_bytes(o).unwrap());
                                }
                                if preflight_ask {
                                    b = b
                                        .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
                                        .header(ACCESS_CONTROL_REQUEST_HEADERS, "x-access-token");
                                }
                                b.body(Body::default()).unwrap()
                            };
                            let want = by_tower(config, build(), route).await;
                            let got = by_us(config, build(), route).await;
                            assert_eq!(
                                pairs(&got),
                                pairs(&want),
                                "{config:?} {origin:?} {method} {preflight_ask} {route:?}"
                            );
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(cases, 4 * 7 * 7 * 2 * 4);
    }
}
