//! `GET /.well-known/jwks.json`: the public keys access tokens are signed with (RFC 7517).

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::Full;

use crate::app::AppState;
use crate::transport::responses::Body;

/// Caches may keep the document for five minutes; a rotated-in key is published before it signs
/// anything only on the instance that created it, so verifiers should also refetch on an
/// unknown `kid`.
const CACHE: &str = "public, max-age=300";

/// 200 `application/json` `{"keys":[…]}`: public JWKs of the active and still-verifying
/// EdDSA/ES256 keys; never a private part nor the HS256 secret (`{"keys":[]}` in HS256 mode).
pub fn jwks(state: &AppState) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(state.verifier.jwks_json())));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(CACHE));
    response
}
