//! The OpenAPI 3.1 description of every route, kept by hand in `server/openapi.json`, embedded in
//! the binary and served at `GET /openapi.json`. A test keeps it in step with the router's table.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::Full;

use crate::transport::responses::{Body, JSON_TYPE};

/// The document, as served.
pub const DOCUMENT: &str = include_str!("../../openapi.json");

/// `GET /openapi.json`.
pub fn response() -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from_static(DOCUMENT.as_bytes())));
    *response.status_mut() = StatusCode::OK;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_TYPE));
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::transport::router;

    fn documented() -> BTreeSet<(String, String)> {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("openapi.json is JSON");
        assert_eq!(doc["openapi"].as_str().map(|v| &v[..4]), Some("3.1."));
        let paths = doc["paths"].as_object().expect("paths");
        let mut found = BTreeSet::new();
        for (path, item) in paths {
            for method in item.as_object().expect("path item").keys() {
                if ["get", "put", "post", "delete", "patch", "options", "head"]
                    .contains(&method.as_str())
                {
                    found.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
        found
    }

    #[test]
    fn document_lists_exactly_the_routes_of_the_router() {
        let routed: BTreeSet<(String, String)> = router::all_routes()
            .into_iter()
            .map(|(method, path)| (method.as_str().to_owned(), path.to_owned()))
            .collect();
        let documented = documented();
        let missing: Vec<_> = routed.difference(&documented).collect();
        let extra: Vec<_> = documented.difference(&routed).collect();
        assert!(
            missing.is_empty(),
            "routes missing from openapi.json: {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "openapi.json documents unknown routes: {extra:?}"
        );
    }
}
