//! `GET /readyz`: whether the store answers (`/healthz` needs no handler: it is always 200).

use http::{Response, StatusCode};

use crate::http::responses::{self, Body, bodies};
use crate::state::AppState;

/// 200 `{"status":"ok"}` when the store answers a ping, else 503 `{"status":"unavailable"}`.
pub async fn ready(state: &AppState) -> Response<Body> {
    match state.db.ping().await {
        Ok(()) => responses::json_static(StatusCode::OK, bodies::STATUS_OK),
        Err(e) => {
            tracing::debug!(error = %e, "not ready");
            responses::json_static(StatusCode::SERVICE_UNAVAILABLE, bodies::STATUS_UNAVAILABLE)
        }
    }
}
