//! The HTML pages: plain forms that work without JavaScript, rendered on the server.

mod account;
mod additions;
mod admin;
mod dashboard;
mod letters;
mod member;
pub mod members;
mod minutes;
mod periods;
mod proposals;
mod regions;
mod workbook;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use padu_core::{Action, Flag, Lang, NikStatus};

use crate::auth::{AppState, Ctx};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::recheck::RecheckStatus;
use crate::view::{Layout, count, scope_name, status_class};

pub(crate) use letters::pdf_response;
pub use members::MemberQuery;
pub(crate) use workbook::workbook_file;

/// The pages that need a signed-in user (or, for the sign-in page, may have one).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/masuk", get(account::sign_in_page).post(account::sign_in))
        .route("/keluar", post(account::sign_out))
        .route(
            "/sandi",
            get(account::password_page).post(account::change_password),
        )
        .route("/bahasa", post(account::set_lang))
        .route("/dasbor", get(dashboard::show))
        .route("/dasbor/ekspor", get(dashboard::download))
        .route("/wilayah", get(regions::browse_root))
        .route("/wilayah/{code}", get(regions::browse))
        .route("/anggota", get(members::list))
        .route("/anggota/ekspor", get(members::export))
        .route("/anggota/{id_art}", get(member::show))
        .route(
            "/anggota/{id_art}/ubah",
            get(member::edit_form).post(member::save),
        )
        .route("/keluarga/{id_keluarga}", get(member::household))
        .route("/keluarga/{id_keluarga}/catatan", post(member::comment))
        .route(
            "/keluarga/{id_keluarga}/usulan-anggota",
            get(additions::member_form).post(additions::create_member),
        )
        .route(
            "/usulan/keluarga-baru",
            get(additions::household_form).post(additions::create_household),
        )
        .route("/pengguna", get(admin::list).post(admin::create))
        .route("/pengguna/{id}", get(admin::show))
        .route("/pengguna/{id}/status", post(admin::set_status))
        .route("/pengguna/{id}/sandi", post(admin::reset_password))
        .route("/pengguna/{id}/kontak", post(admin::set_contact))
        .route("/kontak", get(directory))
        .route("/berita-acara", get(minutes::list).post(minutes::create))
        .route("/berita-acara/baru", get(minutes::new_form))
        .route("/berita-acara/{id}", get(minutes::show))
        .route("/berita-acara/{id}/sahkan", post(minutes::ratify))
        .route("/berita-acara/{id}/pindaian", get(minutes::scan))
        .route("/berita-acara/{id}/dokumen/{name}", get(minutes::document))
        .route("/surat", get(letters::list).post(letters::create))
        .route("/surat/baru", get(letters::new_form))
        .route("/surat/{id}", get(letters::show))
        .route("/surat/{id}/pdf", get(letters::pdf))
        .route("/pengguna/{id}/token", post(admin::issue_token))
        .route(
            "/pengguna/{id}/token/{token_id}/cabut",
            post(admin::revoke_token),
        )
        .route("/audit", get(admin::audit))
        .route("/periode", get(periods::list).post(periods::finalise_form))
        .route("/periode/{period}/ekspor", get(periods::download))
        .route("/usulan", get(proposals::list))
        .route("/usulan/massal", post(proposals::bulk))
        .route("/usulan/lembar-kerja", get(workbook::show))
        .route("/usulan/lembar-kerja/unduh", get(workbook::download))
        .route(
            "/usulan/temuan",
            get(proposals::findings).post(proposals::propose_findings),
        )
        .route("/usulan/{id}", get(proposals::show))
        .route("/usulan/{id}/langkah", post(proposals::step))
        .route("/usulan/{id}/ubah", post(proposals::edit))
        .route("/usulan/{id}/lampiran/{file}", get(proposals::download))
        .route(
            "/anggota/{id_art}/usulan",
            get(proposals::new_form).post(proposals::create),
        )
}

/// Pages that take uploads of evidence, which get the larger body limit.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route("/usulan/{id}/lampiran", post(proposals::attach))
        .route("/usulan/lembar-kerja/unggah", post(workbook::submit))
        .route("/berita-acara/{id}/pindaian", post(minutes::attach))
}

/// One operator in the directory, in words.
struct ContactRow {
    region: String,
    role: String,
    name: String,
    phone: String,
    hours: String,
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    l: Layout,
    rows: Vec<ContactRow>,
}

/// The operators the user may call: their region and those above and below it.
async fn directory(ctx: Ctx) -> Result<Html<String>, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let rows = ctx
        .store()
        .directory()
        .await?
        .into_iter()
        .map(|e| ContactRow {
            region: scope_name(e.scope, lang),
            role: e.role.label(lang).to_string(),
            name: e.display_name,
            phone: e.phone.unwrap_or_default(),
            hours: e.working_hours.unwrap_or_default(),
        })
        .collect();
    render(&DirectoryPage {
        l: Layout::new(&ctx, t.get("directory.title"), "directory"),
        rows,
    })
}

/// Pages anyone may fetch: health, static files.
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/padu.css", get(css))
        .route("/static/padu.js", get(js))
}

/// A posted form whose fields may repeat (checkbox lists), read by name.
pub(crate) struct FormFields(Vec<(String, String)>);

impl FormFields {
    /// Parses an `application/x-www-form-urlencoded` body.
    pub(crate) fn parse(body: &[u8]) -> Result<FormFields, AppError> {
        serde_urlencoded::from_bytes(body)
            .map(FormFields)
            .map_err(|e| AppError::BadRequest(e.to_string()))
    }

    /// The first value of `name`, or "".
    pub(crate) fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of `name`, in order.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Renders a template, or a 500 that says so.
pub fn render<T: Template>(t: &T) -> Result<Html<String>, AppError> {
    Ok(Html(t.render()?))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    status: u16,
    message: &'a str,
}

/// The page an error is shown on.
pub fn error_page(status: StatusCode, message: &str, lang: Lang) -> Response {
    let page = ErrorPage {
        t: Tr::new(lang),
        status: status.as_u16(),
        message,
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => message.to_string().into_response(),
    }
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.healthy().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

const CSS: &str = include_str!("../../static/padu.css");
const JS: &str = include_str!("../../static/padu.js");

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        JS,
    )
}

/// One number on the home page, linked to the list it counts.
struct Tile {
    code: &'static str,
    class: &'static str,
    count: String,
    share: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    scope_name: String,
    counts: padu_store::FindingCounts,
    people: String,
    unverified: String,
    unverified_n: u64,
    status: Vec<Tile>,
    flags: Vec<Tile>,
    actions: Vec<Tile>,
    recheck: String,
    /// The share of findings resolved and the time left to the cut-off (the dashboard's headline).
    progress: String,
    deadline: String,
    /// The latest letters addressed to (or written in) the user's region.
    letters: Vec<letters::LetterRow>,
}

async fn home(ctx: Ctx) -> Result<Html<String>, AppError> {
    let counts = ctx.store().finding_counts(None).await?;
    let lang = ctx.lang();
    let t = Tr::new(lang);
    // Only the headline: the home page needs neither the ranking nor the history.
    let progress_counts = ctx.store().progress(None).await?;
    let progress = t
        .get("home.progress")
        .replace(
            "{share}",
            &crate::dashboard::percent(progress_counts.resolved_permille(), lang),
        )
        .replace(
            "{resolved}",
            &count(u64::try_from(progress_counts.resolved).unwrap_or(0), lang),
        )
        .replace(
            "{findings}",
            &count(u64::try_from(progress_counts.findings).unwrap_or(0), lang),
        );
    let region = match ctx.scope() {
        padu_store::Scope::National => None,
        padu_store::Scope::Region(r) => Some(r),
    };
    let (_, _, closes_at, now) = crate::dashboard::cut_off(&ctx, region);
    let deadline = crate::dashboard::time_left(closes_at, now, lang);
    let pct = |n: u64| {
        if counts.people == 0 {
            String::new()
        } else {
            format!("{:.1}%", 100.0 * n as f64 / counts.people as f64)
        }
    };
    let status = counts
        .status
        .iter()
        .map(|(s, n)| Tile {
            code: s.as_str(),
            class: status_class(*s),
            count: count(*n, lang),
            share: pct(*n),
        })
        .collect();
    let flags = counts
        .flags
        .iter()
        .map(|(f, n)| Tile {
            code: f.as_str(),
            class: "muted",
            count: count(*n, lang),
            share: pct(*n),
        })
        .collect();
    let actions = counts
        .tindakan
        .iter()
        .map(|(a, n)| Tile {
            code: a.as_str(),
            class: "muted",
            count: count(*n, lang),
            share: pct(*n),
        })
        .collect();
    let recheck = match ctx.state().recheck().status() {
        RecheckStatus::Ready { run_id, .. } => {
            t.get("recheck.ready").replace("{run}", &run_id.to_string())
        }
        RecheckStatus::Loading => t.get("recheck.loading").to_string(),
        RecheckStatus::NoModel => t.get("recheck.no_model").to_string(),
        RecheckStatus::Failed(_) => t.get("recheck.failed").to_string(),
    };
    // Letters addressed to the user's region, newest first, with its own progress.
    let letters = letters::letter_rows(&ctx, 5).await?;
    render(&HomePage {
        l: Layout::new(&ctx, t.get("home.title"), "home"),
        letters,
        scope_name: scope_name(ctx.scope(), lang),
        people: count(counts.people, lang),
        unverified: count(counts.unverified, lang),
        unverified_n: counts.unverified,
        status,
        flags,
        actions,
        recheck,
        counts,
        progress,
        deadline,
    })
}

/// The filter choices of a select: each code and whether it is the selected one.
fn options<T: Copy + PartialEq>(
    all: &[T],
    selected: Option<T>,
    code: fn(T) -> &'static str,
) -> Options {
    all.iter()
        .map(|v| (code(*v), Some(*v) == selected))
        .collect()
}

/// A select's options: each code and whether it is the selected one.
pub(crate) type Options = Vec<(&'static str, bool)>;

/// The select options of the three finding filters.
pub(crate) fn filter_options(
    status: Option<NikStatus>,
    flag: Option<Flag>,
    tindakan: Option<Action>,
) -> (Options, Options, Options) {
    (
        options(&NikStatus::ALL, status, NikStatus::as_str),
        options(&Flag::ALL, flag, Flag::as_str),
        options(&Action::ALL, tindakan, Action::as_str),
    )
}

/// A redirect after a successful form post (303, so a reload does not post again).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A response that sets cookies and redirects.
pub fn redirect_with_cookies(to: &str, cookies: &[String]) -> Response {
    let mut headers = HeaderMap::new();
    for c in cookies {
        if let Ok(v) = header::HeaderValue::from_str(c) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    (headers, Redirect::to(to)).into_response()
}
