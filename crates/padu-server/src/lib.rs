//! Padu's web application: the pages village and Dinsos operators work in, and
//! the JSON API (`/api/v1`, described at `/api/openapi.json`) behind them.
//!
//! # Layout
//!
//! * [`auth`]: sessions, API tokens, CSRF, sign-in throttling, and the only
//!   door to the data ([`auth::Ctx`] → [`auth::ScopedStore`]).
//! * [`error`]: every failure becomes a status here, as JSON under `/api/`
//!   or as a page elsewhere.
//! * `pages`: server-rendered HTML (askama templates in `templates/`), plain
//!   forms that work without JavaScript; `static/padu.js` only adds the
//!   instant re-check while typing.
//! * `api`: the same data and actions as JSON, with the OpenAPI document.
//! * [`recheck`]: the single-record checker, built in the background from the
//!   civil extract and the last run's model.
//! * [`periods`]: monthly periods: finalise, the registry as of one, changes between two.
//! * [`proposal`]: proposals (usulan) as forms and JSON bodies say them,
//!   turned into the workflow's change and step once for pages and API.
//! * [`i18n`]: Bahasa Indonesia and English.
//!
//! Everything is served by Padu itself (no CDN, no external fonts), because
//! operators' connections are poor and some networks are closed.

pub mod api;
pub mod auth;
pub mod comment;
pub mod console;
pub mod dashboard;
pub mod edit;
pub mod error;
pub mod i18n;
pub mod letters;
pub mod minutes;
pub mod pages;
pub mod periods;
pub mod proposal;
pub mod recheck;
pub mod view;
pub mod workbook;

use std::net::SocketAddr;
use std::time::Duration as StdDuration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware;
use chrono::Duration;
use padu_store::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use auth::{AppState, Clock};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Mark cookies `Secure` (set when Padu is served over TLS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// Failed sign-ins for one account within the window before it is locked for the window.
    pub throttle_per_account: u64,
    /// Failed sign-ins from one address within the window before it is locked for the window.
    pub throttle_per_address: u64,
    /// The throttling window.
    pub throttle_window: Duration,
    /// The largest request body accepted, in bytes (uploads of evidence excepted).
    pub body_limit: usize,
    /// The largest upload of evidence accepted, in bytes (the file and the form around it).
    pub upload_limit: usize,
    /// When each month's period closes, in each region's local time.
    pub cut_off: padu_core::CutOff,
    /// Which time zone each region keeps (the province's, unless an exception says otherwise).
    pub zones: padu_core::ZoneMap,
    /// Threads that build the re-check index at start-up.
    pub recheck_threads: Option<usize>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            secure_cookies: false,
            session_idle: Duration::hours(8),
            throttle_per_account: 5,
            throttle_per_address: 30,
            throttle_window: Duration::minutes(15),
            body_limit: 2 * 1024 * 1024,
            upload_limit: padu_core::MAX_EVIDENCE_BYTES + 256 * 1024,
            cut_off: padu_core::CutOff::default(),
            zones: padu_core::ZoneMap::default(),
            recheck_threads: None,
        }
    }
}

/// Request ids: a per-process random prefix and a counter, short enough for logs.
#[derive(Clone)]
struct RequestIds {
    prefix: String,
    next: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// The whole application: pages, API, static files, with every layer.
pub fn router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let ids = RequestIds {
        prefix: auth::secrets::new_token()[..6].to_string(),
        next: Default::default(),
    };
    let body_limit = state.config().body_limit;
    let upload_limit = state.config().upload_limit.max(body_limit);
    let authenticate = middleware::from_fn_with_state(state.clone(), auth::authenticate);
    let (api, api_uploads) = api::routes();
    // The body limit is checked before authentication, so an oversized request
    // is refused from its declared length whoever sends it; only the evidence
    // uploads get the larger limit.
    let authenticated = pages::routes()
        .merge(api)
        .layer(authenticate.clone())
        .layer(RequestBodyLimitLayer::new(body_limit))
        .merge(
            pages::upload_routes()
                .merge(api_uploads)
                // axum's own 2 MB default for body extractors would cut uploads short.
                .layer(axum::extract::DefaultBodyLimit::disable())
                .layer(authenticate)
                .layer(RequestBodyLimitLayer::new(upload_limit)),
        );
    Router::new()
        .merge(authenticated)
        .merge(pages::public_routes())
        .layer(middleware::from_fn(error::render_errors))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(CatchPanicLayer::new())
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Millis),
                )
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    // The path only, never the query: it may carry a searched name or NIK.
                    tracing::info_span!(
                        "request",
                        id = %id,
                        method = %req.method(),
                        path = %req.uri().path(),
                        user = tracing::field::Empty,
                    )
                }),
        )
        .layer(SetRequestIdLayer::new(x_request_id, ids))
        .with_state(state)
}

/// Serves Padu on `config.addr` until `shutdown` completes, then finishes the
/// requests in flight and closes the database.
pub async fn serve(
    store: Store,
    config: ServerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    serve_on(listener, store, config, Clock::system(), shutdown).await
}

/// [`serve`] on a listener the caller bound (tests bind port 0), with a given clock.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    store: Store,
    config: ServerConfig,
    clock: Clock,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = AppState::new(store, config, clock);
    state.start_name_index();
    let app = router(state.clone());
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    // In-flight requests are done; give background work a moment, then close the pool.
    tokio::time::sleep(StdDuration::from_millis(50)).await;
    state.close().await;
    Ok(())
}
