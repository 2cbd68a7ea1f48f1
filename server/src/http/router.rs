//! The route table and dispatch. GET routes also answer HEAD (hyper sends no body then); anything
//! else is a JSON 404 `Cannot METHOD /path`, as Express says it (but never as HTML).
//!
//! Paths match exactly, or like Express' defaults: case-insensitively and with one optional
//! trailing slash (`/API/Test/All/`). The query string is ignored.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use http::{Method, Request, Response, StatusCode};

use super::responses::{self, Body, bodies};
use crate::limits::{self, PeerAddr};
use crate::state::AppState;
use crate::{handlers, metrics, openapi};

/// Every route of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET /`.
    Welcome,
    /// `POST /api/auth/signup`.
    Signup,
    /// `POST /api/auth/signin`.
    Signin,
    /// `GET /api/test/all`.
    PublicContent,
    /// `GET /api/test/user`.
    UserContent,
    /// `GET /api/test/mod`.
    ModeratorContent,
    /// `GET /api/test/admin`.
    AdminContent,
    /// `GET /healthz`.
    Health,
    /// `GET /readyz`.
    Ready,
    /// `GET /.well-known/jwks.json`.
    Jwks,
    /// `GET /metrics` (Prometheus).
    Metrics,
    /// `GET /openapi.json`.
    OpenApi,
    /// `POST /api/auth/refreshtoken`.
    RefreshToken,
    /// `POST /api/auth/signout`.
    Signout,
    /// `GET /api/admin/users`.
    AdminUsers,
    /// `PUT /api/admin/users/{id}/roles`.
    AdminUserRoles(i64),
    /// `DELETE /api/admin/users/{id}`.
    AdminUser(i64),
    /// `PUT /api/admin/users/{id}/disabled`.
    AdminUserDisabled(i64),
    /// `GET /api/auth/me`.
    Me,
    /// `POST /api/auth/password`.
    ChangePassword,
    /// `POST /api/auth/password/forgot`.
    ForgotPassword,
    /// `POST /api/auth/password/reset`.
    ResetPassword,
    /// `POST /api/auth/verify-email`.
    VerifyEmail,
}

/// Routes with a path parameter: template and the route (with a placeholder id).
const TEMPLATES: [(&str, Route); 3] = [
    ("/api/admin/users/{id}/roles", Route::AdminUserRoles(0)),
    (
        "/api/admin/users/{id}/disabled",
        Route::AdminUserDisabled(0),
    ),
    ("/api/admin/users/{id}", Route::AdminUser(0)),
];

/// `/api/admin/users/{id}`, `…/{id}/roles` and `…/{id}/disabled` (prefix matched case-insensitively,
/// `{id}` all digits); anything else there is no route (404).
fn admin_user_route(path: &str) -> Option<Route> {
    const PREFIX: &str = "/api/admin/users/";
    let head = path.get(..PREFIX.len())?;
    if !head.eq_ignore_ascii_case(PREFIX) {
        return None;
    }
    let rest = &path[PREFIX.len()..];
    let (id, tail) = match rest.split_once('/') {
        Some((id, tail)) if tail.eq_ignore_ascii_case("roles") => (id, Some(true)),
        Some((id, tail)) if tail.eq_ignore_ascii_case("disabled") => (id, Some(false)),
        Some(_) => return None,
        None => (rest, None),
    };
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id = id.parse::<i64>().ok()?;
    Some(match tail {
        Some(true) => Route::AdminUserRoles(id),
        Some(false) => Route::AdminUserDisabled(id),
        None => Route::AdminUser(id),
    })
}

const TABLE: [(&str, Route); 20] = [
    ("/", Route::Welcome),
    ("/api/auth/signup", Route::Signup),
    ("/api/auth/signin", Route::Signin),
    ("/api/test/all", Route::PublicContent),
    ("/api/test/user", Route::UserContent),
    ("/api/test/mod", Route::ModeratorContent),
    ("/api/test/admin", Route::AdminContent),
    ("/healthz", Route::Health),
    ("/readyz", Route::Ready),
    ("/.well-known/jwks.json", Route::Jwks),
    ("/metrics", Route::Metrics),
    ("/openapi.json", Route::OpenApi),
    ("/api/auth/refreshtoken", Route::RefreshToken),
    ("/api/auth/signout", Route::Signout),
    ("/api/admin/users", Route::AdminUsers),
    ("/api/auth/me", Route::Me),
    ("/api/auth/password", Route::ChangePassword),
    ("/api/auth/password/forgot", Route::ForgotPassword),
    ("/api/auth/password/reset", Route::ResetPassword),
    ("/api/auth/verify-email", Route::VerifyEmail),
];

/// Every `(method, path template)` the router serves (HEAD, implied by GET, is not listed); the
/// OpenAPI document must list exactly these (a test checks it).
pub fn all_routes() -> Vec<(Method, &'static str)> {
    let methods = [Method::GET, Method::POST, Method::PUT, Method::DELETE];
    TABLE
        .iter()
        .chain(TEMPLATES.iter())
        .flat_map(|(path, route)| {
            methods
                .iter()
                .filter(|m| route.accepts(m))
                .map(|m| (m.clone(), *path))
        })
        .collect()
}

impl Route {
    /// The route of `path`, if any.
    pub fn from_path(path: &str) -> Option<Route> {
        if let Some((_, route)) = TABLE.iter().find(|(p, _)| *p == path) {
            return Some(*route);
        }
        let trimmed = match path.strip_suffix('/') {
            Some(rest) if !rest.is_empty() => rest,
            _ => path,
        };
        TABLE
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(trimmed))
            .map(|(_, route)| *route)
            .or_else(|| admin_user_route(trimmed))
    }

    /// The canonical path, used as the route label in logs.
    pub fn path(self) -> &'static str {
        let this = match self {
            Route::AdminUserRoles(_) => Route::AdminUserRoles(0),
            Route::AdminUser(_) => Route::AdminUser(0),
            Route::AdminUserDisabled(_) => Route::AdminUserDisabled(0),
            other => other,
        };
        TABLE
            .iter()
            .chain(TEMPLATES.iter())
            .find(|(_, r)| *r == this)
            .map_or("?", |(p, _)| p)
    }

    /// Whether `method` is served on this route.
    pub fn accepts(self, method: &Method) -> bool {
        match self {
            Route::Signup | Route::Signin => method == Method::POST,
            Route::RefreshToken | Route::Signout => method == Method::POST,
            Route::AdminUserRoles(_) | Route::AdminUserDisabled(_) => method == Method::PUT,
            Route::ChangePassword
            | Route::ForgotPassword
            | Route::ResetPassword
            | Route::VerifyEmail => method == Method::POST,
            Route::AdminUser(_) => method == Method::DELETE,
            _ => method == Method::GET || method == Method::HEAD,
        }
    }
}

/// The label of a request path for logs: its route, or `unmatched` (raw paths are not logged).
pub fn label(path: &str) -> &'static str {
    Route::from_path(path).map_or("unmatched", Route::path)
}

/// Answers one request. Routes that need no I/O answer at once; signup and signin (body, store,
/// bcrypt) run under the whole-request timeout (503 when it passes); the protected routes and
/// `/readyz` make at most one store call, which the store timeout bounds.
pub async fn handle<B>(state: Arc<AppState>, req: Request<B>) -> Result<Response<Body>, Infallible>
where
    B: hyper::body::Body + Send,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let started = Instant::now();
    let route_label = label(req.uri().path());
    let response = answer(&state, req).await;
    let response = state.profile.finish(response);
    metrics::observe_request(route_label, response.status(), started.elapsed());
    Ok(response)
}

async fn answer<B>(state: &Arc<AppState>, req: Request<B>) -> Response<Body>
where
    B: hyper::body::Body + Send,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let route = Route::from_path(req.uri().path()).filter(|r| r.accepts(req.method()));
    let Some(route) = route else {
        return responses::not_found(req.method(), req.uri().path());
    };
    match route {
        Route::Welcome => responses::json_static(StatusCode::OK, bodies::WELCOME),
        Route::PublicContent => responses::html_static(StatusCode::OK, "Public Content."),
        Route::Health => responses::json_static(StatusCode::OK, bodies::STATUS_OK),
        Route::Metrics => metrics::response(),
        Route::OpenApi => openapi::response(),
        Route::Jwks => handlers::jwks::jwks(state),
        // Token check plus at most one store call, itself bounded by the store timeout: no
        // whole-request timer on this hot path.
        Route::UserContent | Route::ModeratorContent | Route::AdminContent | Route::Ready => {
            let response = dispatch(state, route, req).await;
            log_failure(route, &response, None);
            response
        }
        Route::Signup
        | Route::Signin
        | Route::RefreshToken
        | Route::Signout
        | Route::AdminUsers
        | Route::AdminUserRoles(_)
        | Route::AdminUser(_)
        | Route::AdminUserDisabled(_)
        | Route::Me
        | Route::ChangePassword
        | Route::ForgotPassword
        | Route::ResetPassword
        | Route::VerifyEmail => {
            let started = Instant::now();
            let limit = state.request_timeout;
            let response = match tokio::time::timeout(limit, dispatch(state, route, req)).await {
                Ok(response) => response,
                Err(_) => responses::unavailable(),
            };
            log_failure(route, &response, Some(started));
            response
        }
    }
}

/// Logs 5xx answers at `warn` (everything else is logged at `debug` by the trace layer).
fn log_failure(route: Route, response: &Response<Body>, started: Option<Instant>) {
    if response.status().is_server_error() {
        let latency_us =
            started.map(|s| u64::try_from(s.elapsed().as_micros()).unwrap_or(u64::MAX));
        tracing::warn!(
            route = route.path(),
            status = response.status().as_u16(),
            latency_us,
            "request failed"
        );
    }
}

async fn dispatch<B>(state: &AppState, route: Route, req: Request<B>) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let (parts, body) = req.into_parts();
    if let Some(action) = limits::action_of(route) {
        let peer = parts.extensions.get::<PeerAddr>();
        if let Some(ip) = state.limits.client_ip(peer, &parts.headers)
            && let Err(limited) = state.limits.check_ip(action, ip)
        {
            return limited.response();
        }
    }
    match route {
        Route::Signup => handlers::signup::signup(state, &parts.headers, body).await,
        Route::Signin => handlers::signin::signin(state, &parts.headers, body).await,
        Route::UserContent => handlers::content::user(state, &parts.headers).await,
        Route::ModeratorContent => handlers::content::moderator(state, &parts.headers).await,
        Route::AdminContent => handlers::content::admin(state, &parts.headers).await,
        Route::Ready => handlers::health::ready(state).await,
        Route::RefreshToken => handlers::refresh::refresh_token(state, &parts.headers, body).await,
        Route::Signout => {
            handlers::refresh::signout(state, &parts.headers, parts.uri.query(), body).await
        }
        Route::AdminUsers => {
            handlers::admin::list_users(state, &parts.headers, parts.uri.query()).await
        }
        Route::AdminUserRoles(id) => {
            handlers::admin::set_roles(state, &parts.headers, id, body).await
        }
        Route::AdminUser(id) => handlers::admin::delete_user(state, &parts.headers, id).await,
        Route::AdminUserDisabled(id) => {
            handlers::admin::set_disabled(state, &parts.headers, id, body).await
        }
        Route::Me => handlers::account::me(state, &parts.headers).await,
        Route::ForgotPassword => handlers::reset::forgot(state, &parts.headers, body).await,
        Route::ResetPassword => handlers::reset::reset(state, &parts.headers, body).await,
        Route::VerifyEmail => handlers::verify::verify_email(state, &parts.headers, body).await,
        Route::ChangePassword => {
            handlers::account::change_password(state, &parts.headers, body).await
        }
        Route::Welcome
        | Route::PublicContent
        | Route::Health
        | Route::Metrics
        | Route::OpenApi
        | Route::Jwks => responses::not_found(&parts.method, parts.uri.path()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_exactly_or_like_express() {
        assert_eq!(Route::from_path("/"), Some(Route::Welcome));
        assert_eq!(
            Route::from_path("/api/test/all"),
            Some(Route::PublicContent)
        );
        assert_eq!(
            Route::from_path("/API/Test/All/"),
            Some(Route::PublicContent)
        );
        assert_eq!(Route::from_path("/api/test/all//"), None);
        assert_eq!(Route::from_path("/api/nope"), None);
        assert_eq!(Route::from_path(""), None);
    }

    #[test]
    fn get_routes_take_head_and_post_routes_only_post() {
        assert!(Route::PublicContent.accepts(&Method::HEAD));
        assert!(!Route::PublicContent.accepts(&Method::POST));
        assert!(Route::Signin.accepts(&Method::POST));
        assert!(!Route::Signin.accepts(&Method::GET));
    }

    #[test]
    fn labels_never_echo_unknown_paths() {
        assert_eq!(label("/API/TEST/USER"), "/api/test/user");
        assert_eq!(label("/secret/token/abc"), "unmatched");
    }
}
