//! `GET /readyz`: whether the store answers and can serve (`/healthz` needs no handler: it is
//! always 200). On a MariaDB Galera node "can serve" means `wsrep_ready` and `Synced`: a node that
//! is joining or lost quorum still answers a ping but refuses every query (error 1047), so a load
//! balancer that checks `/readyz` takes its authd out of rotation until the node is back.

use http::{Response, StatusCode};

use crate::http::responses::{self, Body, bodies};
use crate::state::AppState;

/// 200 `{"status":"ok"}` when the store answers a ping (and, on Galera, the node is ready), else
/// 503 `{"status":"unavailable"}`.
pub async fn ready(state: &AppState) -> Response<Body> {
    match state.db.ping().await {
        Ok(()) => responses::json_static(StatusCode::OK, bodies::STATUS_OK),
        Err(e) => {
            tracing::debug!(error = %e, "not ready");
            responses::json_static(StatusCode::SERVICE_UNAVAILABLE, bodies::STATUS_UNAVAILABLE)
        }
    }
}
