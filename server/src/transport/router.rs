//! The route table ([`matchit`]) and dispatch. GET routes also answer HEAD (hyper sends no body
//! then); anything else is a JSON 404 `Cannot METHOD /path`, as Express says it (but never as
//! HTML).
//!
//! Paths match exactly, or like Express' defaults: case-insensitively and with one optional
//! trailing slash (`/API/Test/All/`). The query string is ignored.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::time::Instant;

use http::{Method, Request, Response, StatusCode};

use super::responses::{self, Body, Handled, bodies};
use crate::app::AppState;
use crate::app::limits::Action;
use crate::metrics;
use crate::transport::client_ip;
use crate::transport::{handlers, openapi};

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

/// Every route with its path template (`{id}`: a user id, all digits).
const TABLE: [(&str, Route); 23] = [
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
    ("/api/admin/users/{id}/roles", Route::AdminUserRoles(0)),
    ("/api/admin/users/{id}", Route::AdminUser(0)),
    (
        "/api/admin/users/{id}/disabled",
        Route::AdminUserDisabled(0),
    ),
    ("/api/auth/me", Route::Me),
    ("/api/auth/password", Route::ChangePassword),
    ("/api/auth/password/forgot", Route::ForgotPassword),
    ("/api/auth/password/reset", Route::ResetPassword),
    ("/api/auth/verify-email", Route::VerifyEmail),
];

/// The table as a [`matchit`] tree, built once.
static ROUTER: LazyLock<matchit::Router<Route>> = LazyLock::new(|| {
    let mut router = matchit::Router::new();
    for (template, route) in TABLE {
        // The templates are constants, each inserted once: a conflict is a programming error
        // the route tests catch; it would only leave that route unrouted.
        if let Err(e) = router.insert(template, route) {
            tracing::error!(template, error = %e, "route not registered");
        }
    }
    router
});

/// Every `(method, path template)` the router serves (HEAD, implied by GET, is not listed); the
/// OpenAPI document must list exactly these (a test checks it).
pub fn all_routes() -> Vec<(Method, &'static str)> {
    let methods = [Method::GET, Method::POST, Method::PUT, Method::DELETE];
    TABLE
        .iter()
        .flat_map(|(path, route)| {
            methods
                .iter()
                .filter(|m| route.accepts(m))
                .map(|m| (m.clone(), *path))
        })
        .collect()
}

/// The route of exactly `path` in the tree, with its `{id}` (all digits) filled in.
fn lookup(path: &str) -> Option<Route> {
    let found = ROUTER.at(path).ok()?;
    let route = *found.value;
    let id = || -> Option<i64> {
        let raw = found.params.get("id")?;
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        raw.parse().ok()
    };
    Some(match route {
        Route::AdminUserRoles(_) => Route::AdminUserRoles(id()?),
        Route::AdminUser(_) => Route::AdminUser(id()?),
        Route::AdminUserDisabled(_) => Route::AdminUserDisabled(id()?),
        other => other,
    })
}

impl Route {
    /// The route of `path`, if any.
    pub fn from_path(path: &str) -> Option<Route> {
        if let Some(route) = lookup(path) {
            return Some(route);
        }
        let trimmed = match path.strip_suffix('/') {
            Some(rest) if !rest.is_empty() => rest,
            _ => path,
        };
        lookup(&trimmed.to_ascii_lowercase())
    }

    /// The path template, used as the route label in logs and metrics.
    pub fn path(self) -> &'static str {
        match self {
            Route::Welcome => "/",
            Route::Signup => "/api/auth/signup",
            Route::Signin => "/api/auth/signin",
            Route::PublicContent => "/api/test/all",
            Route::UserContent => "/api/test/user",
            Route::ModeratorContent => "/api/test/mod",
            Route::AdminContent => "/api/test/admin",
            Route::Health => "/healthz",
            Route::Ready => "/readyz",
            Route::Jwks => "/.well-known/jwks.json",
            Route::Metrics => "/metrics",
            Route::OpenApi => "/openapi.json",
            Route::RefreshToken => "/api/auth/refreshtoken",
            Route::Signout => "/api/auth/signout",
            Route::AdminUsers => "/api/admin/users",
            Route::AdminUserRoles(_) => "/api/admin/users/{id}/roles",
            Route::AdminUser(_) => "/api/admin/users/{id}",
            Route::AdminUserDisabled(_) => "/api/admin/users/{id}/disabled",
            Route::Me => "/api/auth/me",
            Route::ChangePassword => "/api/auth/password",
            Route::ForgotPassword => "/api/auth/password/forgot",
            Route::ResetPassword => "/api/auth/password/reset",
            Route::VerifyEmail => "/api/auth/verify-email",
        }
    }

    /// The route's position in the table (its metrics series).
    fn index(self) -> usize {
        match self {
            Route::Welcome => 0,
            Route::Signup => 1,
            Route::Signin => 2,
            Route::PublicContent => 3,
            Route::UserContent => 4,
            Route::ModeratorContent => 5,
            Route::AdminContent => 6,
            Route::Health => 7,
            Route::Ready => 8,
            Route::Jwks => 9,
            Route::Metrics => 10,
            Route::OpenApi => 11,
            Route::RefreshToken => 12,
            Route::Signout => 13,
            Route::AdminUsers => 14,
            Route::AdminUserRoles(_) => 15,
            Route::AdminUser(_) => 16,
            Route::AdminUserDisabled(_) => 17,
            Route::Me => 18,
            Route::ChangePassword => 19,
            Route::ForgotPassword => 20,
            Route::ResetPassword => 21,
            Route::VerifyEmail => 22,
        }
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

    /// The per-IP limit this route counts against, if any.
    fn limited_action(self) -> Option<Action> {
        match self {
            Route::Signin
            | Route::ChangePassword
            | Route::ForgotPassword
            | Route::ResetPassword
            | Route::VerifyEmail => Some(Action::Signin),
            Route::Signup => Some(Action::Signup),
            Route::RefreshToken => Some(Action::Refresh),
            _ => None,
        }
    }
}

/// The labels requests are counted under in the metrics.
pub fn metric_labels() -> Vec<&'static str> {
    TABLE.iter().map(|(_, route)| route.path()).collect()
}

/// A request's reply: at once, or after I/O.
pub enum Reply {
    /// The routes that need no I/O (and unknown ones).
    Now(Response<Body>),
    /// The others, boxed: their state is large, and the requests answered at once should not
    /// carry (and move) it.
    Later(Pin<Box<dyn Future<Output = Response<Body>> + Send>>),
}

/// Answers one request. Routes that need no I/O answer at once; the routes that read a body
/// (store, bcrypt) run under the whole-request timeout (503 when it passes); the protected
/// routes and `/readyz` make at most one store call, which the store timeout bounds.
///
/// `peer` is the TCP peer (`None` for requests that did not come through the accept loop, which
/// no per-IP limit applies to). Every answer is counted in the metrics and logged at `debug`.
pub fn handle<B>(state: &Arc<AppState>, peer: Option<SocketAddr>, req: Request<B>) -> Reply
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let started = Instant::now();
    let path_route = Route::from_path(req.uri().path());
    let Some(route) = path_route.filter(|r| r.accepts(req.method())) else {
        let response = responses::not_found(req.method(), req.uri().path());
        return Reply::Now(answered(path_route, req.method(), started, response));
    };
    if let Some(response) = fixed(state, route) {
        return Reply::Now(answered(Some(route), req.method(), started, response));
    }
    let state = Arc::clone(state);
    Reply::Later(Box::pin(async move {
        let method = req.method().clone();
        let response = answer(&state, route, peer, req).await;
        answered(Some(route), &method, started, response)
    }))
}

/// Counts `response` in the metrics and logs it at `debug`.
fn answered(
    route: Option<Route>,
    method: &Method,
    started: Instant,
    response: Response<Body>,
) -> Response<Body> {
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    metrics::observe_request(route.map_or(TABLE.len(), Route::index), status, elapsed);
    tracing::debug!(
        %method,
        route = route.map_or(metrics::UNMATCHED, Route::path),
        status,
        latency_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        "request answered"
    );
    response
}

/// The answer of a route that needs no I/O; `None` for the others.
fn fixed(state: &AppState, route: Route) -> Option<Response<Body>> {
    Some(match route {
        Route::Welcome => responses::json_static(StatusCode::OK, bodies::WELCOME),
        Route::PublicContent => responses::html_static(StatusCode::OK, "Public Content."),
        Route::Health => responses::json_static(StatusCode::OK, bodies::STATUS_OK),
        Route::Metrics => metrics_response(),
        Route::OpenApi => openapi::response(),
        Route::Jwks => handlers::jwks::jwks(state),
        _ => return None,
    })
}

async fn answer<B>(
    state: &Arc<AppState>,
    route: Route,
    peer: Option<SocketAddr>,
    req: Request<B>,
) -> Response<Body>
where
    B: hyper::body::Body + Send,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    match route {
        Route::Welcome
        | Route::PublicContent
        | Route::Health
        | Route::Metrics
        | Route::OpenApi
        // Answered by `fixed` before `answer` is called.
        | Route::Jwks => fixed(state, route).unwrap_or_else(responses::internal_error),
        Route::Ready => {
            let response = handlers::content::ready(state).await;
            log_failure(route, &response, None);
            response
        }
        // Token check plus at most one store call, itself bounded by the store timeout: no
        // whole-request timer on this hot path.
        Route::UserContent | Route::ModeratorContent | Route::AdminContent => {
            let headers = req.headers();
            let handled = match route {
                Route::ModeratorContent => handlers::content::moderator(state, headers).await,
                Route::AdminContent => handlers::content::admin(state, headers).await,
                _ => handlers::content::user(state, headers).await,
            };
            let response = handled
                .unwrap_or_else(|rejection| responses::rejection(&rejection, state.profile.kind()));
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
            // Boxed: the body routes' state is large, and the hot content routes above should
            // not carry (and move) it in every request's future.
            let work = Box::pin(tokio::time::timeout(
                limit,
                dispatch(state, route, peer, req),
            ));
            let response = match work.await {
                Ok(response) => response,
                Err(_) => responses::unavailable(),
            };
            log_failure(route, &response, Some(started));
            response
        }
    }
}

/// `GET /metrics` in the OpenMetrics text format.
fn metrics_response() -> Response<Body> {
    let Ok(text) = metrics::render() else {
        return responses::internal_error();
    };
    let mut response = Response::new(http_body_util::Full::new(bytes::Bytes::from(text)));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(metrics::CONTENT_TYPE),
    );
    response
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

/// Applies the route's per-IP limit, runs its handler and answers a rejection as the profile
/// says.
async fn dispatch<B>(
    state: &AppState,
    route: Route,
    peer: Option<SocketAddr>,
    req: Request<B>,
) -> Response<Body>
where
    B: hyper::body::Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let (parts, body) = req.into_parts();
    if let Some(action) = route.limited_action()
        && let Some(peer) = peer
    {
        let ip = client_ip::client_ip(peer.ip(), &parts.headers, &state.trusted_proxies);
        if let Err(limited) = state.limits.check_ip(action, ip) {
            return responses::rejection(&limited.into(), state.profile.kind());
        }
    }
    let headers = &parts.headers;
    let handled: Handled = match route {
        Route::Signup => handlers::signup::signup(state, headers, body).await,
        Route::Signin => handlers::signin::signin(state, headers, body).await,
        Route::RefreshToken => handlers::refresh::refresh_token(state, headers, body).await,
        Route::Signout => handlers::refresh::signout(state, headers, parts.uri.query(), body).await,
        Route::AdminUsers => handlers::admin::list_users(state, headers, parts.uri.query()).await,
        Route::AdminUserRoles(id) => handlers::admin::set_roles(state, headers, id, body).await,
        Route::AdminUser(id) => handlers::admin::delete_user(state, headers, id).await,
        Route::AdminUserDisabled(id) => {
            handlers::admin::set_disabled(state, headers, id, body).await
        }
        Route::Me => handlers::account::me(state, headers).await,
        Route::ForgotPassword => handlers::reset::forgot(state, headers, body).await,
        Route::ResetPassword => handlers::reset::reset(state, headers, body).await,
        Route::VerifyEmail => handlers::verify::verify_email(state, headers, body).await,
        Route::ChangePassword => handlers::account::change_password(state, headers, body).await,
        Route::Welcome
        | Route::PublicContent
        | Route::UserContent
        | Route::ModeratorContent
        | Route::AdminContent
        | Route::Health
        | Route::Ready
        | Route::Metrics
        | Route::OpenApi
        | Route::Jwks => Ok(responses::not_found(&parts.method, parts.uri.path())),
    };
    handled.unwrap_or_else(|rejection| responses::rejection(&rejection, state.profile.kind()))
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
    fn user_ids_are_all_digits() {
        assert_eq!(
            Route::from_path("/api/admin/users/42"),
            Some(Route::AdminUser(42))
        );
        assert_eq!(
            Route::from_path("/API/admin/users/7/Roles/"),
            Some(Route::AdminUserRoles(7))
        );
        assert_eq!(
            Route::from_path("/api/admin/users/7/disabled"),
            Some(Route::AdminUserDisabled(7))
        );
        for bad in [
            "/api/admin/users/+7",
            "/api/admin/users/-7",
            "/api/admin/users/7x",
            "/api/admin/users//roles",
            "/api/admin/users/99999999999999999999",
            "/api/admin/users/7/other",
        ] {
            assert_eq!(Route::from_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_template_is_routed_to_its_route() {
        for (template, route) in TABLE {
            let path = template.replace("{id}", "0");
            assert_eq!(Route::from_path(&path), Some(route), "{template}");
            assert_eq!(route.path(), template);
            assert_eq!(TABLE[route.index()].1, route, "{template}");
        }
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
        let label = |path| Route::from_path(path).map_or(metrics::UNMATCHED, Route::path);
        assert_eq!(label("/API/TEST/USER"), "/api/test/user");
        assert_eq!(label("/secret/token/abc"), "unmatched");
    }
}
