//! CORS with tower-http: the configured origins only, matched against the request's real
//! `Origin` (the seed always echoed one fixed origin, whatever was sent). Preflights (any
//! `OPTIONS`) are answered by the layer itself; an origin that is not allowed gets no
//! `Access-Control-Allow-Origin`. Every response carries `Vary: origin, …` and, like every route
//! of the seed, `Access-Control-Allow-Headers: x-access-token, Origin, Content-Type, Accept`
//! (preflights list `authorization` too, for `Bearer` tokens).

use std::sync::Arc;

use http::Method;
use http::header::{
    ACCEPT, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, ORIGIN,
};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::CorsOrigins;

/// The seed's `Access-Control-Allow-Headers`, sent on every response.
pub const SEED_ALLOW_HEADERS: &str = "x-access-token, Origin, Content-Type, Accept";

/// Adds [`SEED_ALLOW_HEADERS`] to every response that has no `Access-Control-Allow-Headers` yet
/// (preflights keep the CORS layer's own list); goes outside [`layer`].
pub fn seed_allow_headers() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(SEED_ALLOW_HEADERS),
    )
}

/// The CORS layer for `origins`.
pub fn layer(origins: &CorsOrigins) -> CorsLayer {
    let base = CorsLayer::new()
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            HeaderName::from_static("x-access-token"),
            ORIGIN,
            CONTENT_TYPE,
            ACCEPT,
            AUTHORIZATION,
        ])
        .vary([
            ORIGIN,
            ACCESS_CONTROL_REQUEST_METHOD,
            ACCESS_CONTROL_REQUEST_HEADERS,
        ]);
    match origins {
        CorsOrigins::Any => base.allow_origin(AllowOrigin::any()),
        CorsOrigins::List(list) => {
            let allowed: Arc<[HeaderValue]> = list
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok())
                .collect();
            // A predicate (not `AllowOrigin::list`) so cloning the layer per request stays an
            // `Arc` bump; origins compare case-insensitively.
            base.allow_origin(AllowOrigin::predicate(move |origin, _| {
                allowed
                    .iter()
                    .any(|a| a.as_bytes().eq_ignore_ascii_case(origin.as_bytes()))
            }))
        }
    }
}
