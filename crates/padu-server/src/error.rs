//! The one place where failures become HTTP statuses.
//!
//! Handlers return [`AppError`]; its [`IntoResponse`] picks the status, writes
//! a JSON envelope for API requests (`/api/…`) or a small HTML page for the
//! browser, and logs internal errors without ever sending their text to the
//! client. Store errors map here too, so no handler decides a status by hand.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use padu_core::Lang;
use padu_store::StoreError;
use serde::Serialize;

use crate::i18n::Tr;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not signed in, or the session or token is unknown, expired or revoked.
    #[error("belum masuk")]
    Unauthenticated,
    /// The account must set a new password before doing anything else.
    #[error("kata sandi harus diganti")]
    PasswordChangeRequired,
    /// Signed in, but the role may not do this.
    #[error("tidak diizinkan")]
    Forbidden,
    /// No such record, or a record outside the user's region (the two are never told apart).
    #[error("tidak ditemukan")]
    NotFound,
    /// The CSRF token is missing or does not belong to the session.
    #[error("token keamanan formulir tidak cocok")]
    Csrf,
    /// The input is malformed; the message says what is wrong, in the user's language.
    #[error("{0}")]
    BadRequest(String),
    /// The input has problems in these fields.
    #[error("isian belum benar")]
    Validation(Vec<crate::edit::FieldError>),
    /// Someone else changed the record first.
    #[error("{0}")]
    Conflict(String),
    /// The record changed since the form was opened (optimistic locking).
    #[error("data sudah diubah orang lain")]
    Stale {
        /// The record's version now.
        current_version: i64,
    },
    /// Too many failed sign-ins; try again after the given number of seconds.
    #[error("terlalu banyak percobaan masuk")]
    TooManyAttempts {
        /// Seconds until the next attempt is allowed.
        retry_after: u64,
    },
    /// The request body is larger than the server accepts.
    #[error("permintaan terlalu besar")]
    PayloadTooLarge,
    /// The proposal workflow refuses the step (state, role, evidence, period).
    #[error("{0}")]
    Workflow(padu_core::TransitionError),
    /// One proposal of a bulk action failed, so none changed.
    #[error("usulan #{proposal_id}: {source}")]
    InBulk {
        /// The proposal that failed.
        proposal_id: i64,
        /// Why.
        source: Box<AppError>,
    },
    /// The proposal of one member of a bulk creation failed, so none was created.
    #[error("anggota {id_art}: {source}")]
    InBulkMember {
        /// The member.
        id_art: String,
        /// Why.
        source: Box<AppError>,
    },
    /// Something broke inside; logged, never shown.
    #[error("kesalahan internal: {0}")]
    Internal(String),
}

impl AppError {
    /// The HTTP status of each kind of failure.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf | AppError::PasswordChangeRequired => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) | AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) | AppError::Stale { .. } => StatusCode::CONFLICT,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Workflow(
                padu_core::TransitionError::Role { .. }
                | padu_core::TransitionError::MayNotPropose { .. },
            ) => StatusCode::FORBIDDEN,
            AppError::Workflow(padu_core::TransitionError::OutsideScope) => StatusCode::NOT_FOUND,
            AppError::Workflow(padu_core::TransitionError::ValueRejected(_)) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Workflow(_) => StatusCode::CONFLICT,
            AppError::InBulk { source, .. } | AppError::InBulkMember { source, .. } => {
                source.status()
            }
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable code for the JSON envelope.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::NotFound => "not_found",
            AppError::Csrf => "csrf",
            AppError::BadRequest(_) => "bad_request",
            AppError::Validation(_) => "validation",
            AppError::Conflict(_) | AppError::Stale { .. } => "conflict",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Workflow(_) => "workflow",
            AppError::InBulk { source, .. } | AppError::InBulkMember { source, .. } => {
                source.code()
            }
            AppError::Internal(_) => "internal",
        }
    }

    /// The message shown to the user, in their language; internal details never appear.
    pub fn user_message(&self, lang: Lang) -> String {
        let tr = Tr::new(lang);
        match self {
            AppError::BadRequest(m) | AppError::Conflict(m) => m.clone(),
            AppError::Validation(_) => tr.get("edit.fix_errors").to_string(),
            AppError::Stale { current_version } => tr
                .get("error.stale")
                .replace("{version}", &current_version.to_string()),
            AppError::Unauthenticated => tr.get("error.unauthenticated").to_string(),
            AppError::Forbidden => tr.get("error.forbidden").to_string(),
            AppError::PasswordChangeRequired => {
                tr.get("error.password_change_required").to_string()
            }
            AppError::NotFound => tr.get("error.not_found").to_string(),
            AppError::Csrf => tr.get("error.csrf").to_string(),
            AppError::TooManyAttempts { retry_after } => tr
                .get("error.too_many_attempts")
                .replace("{minutes}", &retry_after.div_ceil(60).to_string()),
            AppError::PayloadTooLarge => tr.get("error.payload_too_large").to_string(),
            AppError::Workflow(e) => padu_core::lang::Localized::message(e, lang),
            AppError::InBulk {
                proposal_id,
                source,
            } => tr
                .get("proposal.bulk_failed")
                .replace("{id}", &proposal_id.to_string())
                .replace("{why}", &source.user_message(lang)),
            AppError::InBulkMember { id_art, source } => tr
                .get("proposal.bulk_create_failed")
                .replace("{id_art}", id_art)
                .replace("{why}", &source.user_message(lang)),
            AppError::Internal(_) => tr.get("error.internal").to_string(),
        }
    }

    /// The response for this error, as JSON (`api`) or as a page.
    pub fn respond(&self, api: bool, lang: Lang) -> Response {
        if let AppError::Internal(detail) = self {
            tracing::error!(error = %detail, "internal error");
        }
        let status = self.status();
        let message = self.user_message(lang);
        let mut response = if api {
            (
                status,
                axum::Json(ErrorBody {
                    error: ErrorDetail {
                        code: self.code(),
                        message,
                        fields: match self {
                            AppError::Validation(f) => f.clone(),
                            _ => Vec::new(),
                        },
                    },
                }),
            )
                .into_response()
        } else {
            let page = crate::pages::error_page(status, &message, lang);
            (status, page).into_response()
        };
        if let AppError::TooManyAttempts { retry_after } = self
            && let Ok(v) = header::HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// The JSON body of every API error: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// A machine code and a message for people.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code: `unauthenticated`, `forbidden`, `not_found`, `csrf`, `bad_request`, `validation`, `conflict`, `workflow`, `too_many_attempts`, `payload_too_large`, `internal`.
    pub code: &'static str,
    /// Message in the user's language.
    pub message: String,
    /// For `validation`: each field's problem.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<crate::edit::FieldError>,
}

/// Percent-encodes a path for a query parameter.
pub fn url_encode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|e| e[2..].to_string())
        .unwrap_or_default()
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::OutOfScope => AppError::Forbidden,
            StoreError::Stale { current_version } => AppError::Stale { current_version },
            StoreError::Conflict { .. } => AppError::Conflict(e.to_string()),
            StoreError::Transition(t) => AppError::Workflow(t),
            StoreError::InBulkMember { id_art, source } => AppError::InBulkMember {
                id_art,
                source: Box::new(AppError::from(*source)),
            },
            StoreError::InBulk {
                proposal_id,
                source,
            } => AppError::InBulk {
                proposal_id,
                source: Box::new(AppError::from(*source)),
            },
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> AppError {
        AppError::Internal(format!("template: {e}"))
    }
}

/// A handler's error travels to [`render_errors`] inside the response, because
/// only there are the request's path (API or page) and language known.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut r = self.status().into_response();
        r.extensions_mut().insert(std::sync::Arc::new(self));
        r
    }
}

/// Middleware that turns an [`AppError`] left in a response into the JSON
/// envelope (paths under `/api/`) or an error page, in the request's language.
pub async fn render_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let lang = crate::i18n::request_lang(req.headers(), api);
    let here = req
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
    let response = next.run(req).await;
    match response
        .extensions()
        .get::<std::sync::Arc<AppError>>()
        .cloned()
    {
        // A browser that is not signed in goes to the sign-in page and comes back after.
        Some(err) if !api && matches!(*err, AppError::Unauthenticated) => {
            let next: String = url_encode(&here);
            axum::response::Redirect::to(&format!("/masuk?next={next}")).into_response()
        }
        Some(err) if !api && matches!(*err, AppError::PasswordChangeRequired) => {
            axum::response::Redirect::to("/sandi").into_response()
        }
        Some(err) => err.respond(api, lang),
        None if response.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::PayloadTooLarge.respond(api, lang)
        }
        None => response,
    }
}
