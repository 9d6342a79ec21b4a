//! The member list: search by NIK, No KK or name, filters on the latest
//! finding, keyset pagination, and the export of the same list.

use askama::Template;
use axum::extract::Query;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use padu_core::{Action, Flag, NikStatus, Permission, RegionCode};
use padu_store::{MemberCursor, MemberFilter, MemberSummary};
use serde::Deserialize;

use super::{filter_options, render};
use crate::auth::Ctx;
use crate::error::{AppError, url_encode};
use crate::i18n::Tr;
use crate::view::{FindingView, Layout, date, id_number, region_name, region_path};

/// Members per page.
pub const PAGE: u32 = 50;
/// Most results a name search shows (ranked by likeness): one page; a name
/// shared by more people is narrowed by region or filters.
pub const SEARCH_RESULTS: usize = PAGE as usize;
/// Members read per query while exporting.
const EXPORT_PAGE: u32 = 2_000;
/// Candidates a name search ranks.
const SEARCH_CANDIDATES: u32 = 200;
/// How alike a name must be to a misspelled query to be shown.
const FUZZY_FLOOR: f64 = 0.8;

/// The query string of the member list (and of its export and API).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MemberQuery {
    /// Free text: a NIK or No KK (16 digits) or a name.
    #[serde(default)]
    pub q: String,
    /// A NIK status code.
    #[serde(default)]
    pub status: String,
    /// A flag code.
    #[serde(default)]
    pub flag: String,
    /// An action code.
    #[serde(default)]
    pub tindakan: String,
    /// A region inside the user's scope.
    #[serde(default)]
    pub wilayah: String,
    /// Cursor: the village of the last member of the previous page.
    #[serde(default)]
    pub w: String,
    /// Cursor: the name of the last member of the previous page.
    #[serde(default)]
    pub n: String,
    /// Cursor: the `id_art` of the last member of the previous page.
    #[serde(default)]
    pub i: String,
}

fn parse_opt<T: std::str::FromStr>(
    s: &str,
    what: &str,
    lang: padu_core::Lang,
) -> Result<Option<T>, AppError> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    s.trim().parse().map(Some).map_err(|_| {
        AppError::BadRequest(match lang {
            padu_core::Lang::Id => format!("{what} {s:?} tidak dikenal"),
            padu_core::Lang::En => format!("unknown {what} {s:?}"),
        })
    })
}

/// The query turned into typed filters, or an error naming the bad part.
pub struct ParsedQuery {
    /// Filters for the store.
    pub filter: MemberFilter,
    /// The page start.
    pub after: Option<MemberCursor>,
    /// The free text, when it is a name.
    pub name: Option<String>,
}

impl MemberQuery {
    /// Parses the filters; a region outside the user's scope is "not found".
    pub fn parse(&self, ctx: &Ctx) -> Result<ParsedQuery, AppError> {
        let lang = ctx.lang();
        let region = match self.wilayah.trim() {
            "" => None,
            w => {
                let code = RegionCode::parse(w).map_err(|e| {
                    AppError::BadRequest(padu_core::lang::Localized::message(&e, lang))
                })?;
                if !ctx.store().covers(code) {
                    return Err(AppError::NotFound);
                }
                Some(code)
            }
        };
        let mut filter = MemberFilter {
            region,
            status: parse_opt::<NikStatus>(&self.status, "status", lang)?,
            flag: parse_opt::<Flag>(&self.flag, "flag", lang)?,
            tindakan: parse_opt::<Action>(&self.tindakan, "tindakan", lang)?,
            ..MemberFilter::default()
        };
        let q = self.q.trim();
        let digits: String = q
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        let mut name = None;
        if !q.is_empty() {
            if digits.len() == 16 && digits.chars().all(|c| c.is_ascii_digit()) {
                filter.nik = Some(digits);
            } else {
                name = Some(q.to_string());
            }
        }
        let after = (!self.i.is_empty()).then(|| MemberCursor {
            kode_wilayah: self.w.clone(),
            nama: self.n.clone(),
            id_art: self.i.clone(),
        });
        Ok(ParsedQuery {
            filter,
            after,
            name,
        })
    }

    /// The query string without the cursor, for links.
    pub fn without_cursor(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("status", &self.status),
            ("flag", &self.flag),
            ("tindakan", &self.tindakan),
            ("wilayah", &self.wilayah),
        ] {
            if !v.trim().is_empty() {
                parts.push(format!("{k}={}", url_encode(v.trim())));
            }
        }
        parts.join("&")
    }
}

/// Runs a parsed query: a name search (ranked, one page), a NIK that falls
/// back to the No KK when nobody has it as NIK, or a page of the list.
pub async fn find_members(
    ctx: &Ctx,
    p: &ParsedQuery,
) -> Result<(Vec<MemberSummary>, bool), AppError> {
    if let Some(name) = &p.name {
        return search_by_name(ctx, &p.filter, name).await;
    }
    let rows = ctx
        .store()
        .members(&p.filter, p.after.as_ref(), PAGE)
        .await?;
    if rows.is_empty() && p.after.is_none() && p.filter.nik.is_some() {
        let by_kk = MemberFilter {
            no_kk: p.filter.nik.clone(),
            nik: None,
            ..p.filter.clone()
        };
        let rows = ctx.store().members(&by_kk, None, PAGE).await?;
        let more = rows.len() == PAGE as usize;
        return Ok((rows, more));
    }
    let more = rows.len() == PAGE as usize;
    Ok((rows, more))
}

/// Name search with the engine's normalisation (`MOCH. SOEHARTO` finds
/// `MUHAMMAD SUHARTO`); when no name has every token, a name with most of
/// them that is still very alike is shown (one misspelled word).
async fn search_by_name(
    ctx: &Ctx,
    filter: &MemberFilter,
    q: &str,
) -> Result<(Vec<MemberSummary>, bool), AppError> {
    let key = padu_match::name_key(q);
    if key.tokens.is_empty() {
        return Ok((Vec::new(), false));
    }
    let results = u32::try_from(SEARCH_RESULTS).unwrap_or(u32::MAX);
    // The whole name first: an operator mostly types the name as registered, and
    // those people must lead the page however many others share its tokens.
    let mut hits = ctx
        .store()
        .search_exact_name(filter.region, &key.norm, results + 1)
        .await?;
    let mut floor = 0.0;
    if hits.len() <= SEARCH_RESULTS {
        let mut more = ctx
            .store()
            .search_names(filter.region, &key.tokens, SEARCH_CANDIDATES)
            .await?;
        if hits.is_empty() && more.is_empty() && key.tokens.len() > 1 {
            // No one has every token: one was mistyped beyond what the phonetic
            // key forgives. Any token may find them; similarity decides.
            floor = FUZZY_FLOOR;
            for t in &key.tokens {
                more.extend(
                    ctx.store()
                        .search_names(filter.region, std::slice::from_ref(t), SEARCH_CANDIDATES)
                        .await?,
                );
            }
        }
        hits.extend(more);
        hits.sort_by_key(|h| h.person_id);
        hits.dedup_by_key(|h| h.person_id);
    }
    let mut ranked: Vec<(f64, i64)> = hits
        .iter()
        .map(|h| {
            (
                padu_match::name_similarity(&key.norm, &h.name_key),
                h.person_id,
            )
        })
        .filter(|(s, _)| *s >= floor)
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let more = ranked.len() > SEARCH_RESULTS;
    ranked.truncate(SEARCH_RESULTS);
    let ids: Vec<i64> = ranked.iter().map(|(_, id)| *id).collect();
    if ids.is_empty() {
        return Ok((Vec::new(), false));
    }
    let by_ids = MemberFilter {
        person_ids: Some(ids.clone()),
        ..filter.clone()
    };
    let mut rows = ctx.store().members(&by_ids, None, results).await?;
    rows.sort_by_key(|m| {
        ids.iter()
            .position(|id| *id == m.person_id)
            .unwrap_or(usize::MAX)
    });
    Ok((rows, more))
}

/// One line of the list as shown.
pub struct Row {
    id_art: String,
    id_keluarga: Option<String>,
    nama: String,
    nik: String,
    tgl_lahir: String,
    desa: String,
    finding: Option<FindingView>,
}

impl Row {
    fn new(m: &MemberSummary, full_nik: bool) -> Row {
        Row {
            id_art: m.person.id_art.to_string(),
            id_keluarga: m.person.id_keluarga.as_deref().map(str::to_string),
            nama: m.person.nama.to_string(),
            nik: id_number(&m.person.nik, full_nik),
            tgl_lahir: date(m.person.tgl_lahir),
            desa: region_name(m.person.kode_wilayah),
            finding: m.finding.as_ref().map(|f| FindingView::new(f, full_nik)),
        }
    }
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    l: Layout,
    q: String,
    wilayah: String,
    region_label: String,
    status_options: Vec<(&'static str, bool)>,
    flag_options: Vec<(&'static str, bool)>,
    action_options: Vec<(&'static str, bool)>,
    rows: Vec<Row>,
    notice: Option<String>,
    first_page: bool,
    first_href: String,
    next_href: Option<String>,
    can_export: bool,
    export_xlsx: String,
    export_csv: String,
}

pub(super) async fn list(
    ctx: Ctx,
    Query(query): Query<MemberQuery>,
) -> Result<Html<String>, AppError> {
    let t = Tr::new(ctx.lang());
    let parsed = query.parse(&ctx)?;
    let (rows, more) = find_members(&ctx, &parsed).await?;
    let full = ctx.can(Permission::ViewFullNik);
    let base = query.without_cursor();
    let sep = if base.is_empty() { "" } else { "&" };
    let next_href = (more && parsed.name.is_none()).then(|| {
        let last = &rows[rows.len() - 1].person;
        format!(
            "/anggota?{base}{sep}w={}&n={}&i={}",
            last.kode_wilayah.compact(),
            url_encode(&last.nama),
            url_encode(&last.id_art)
        )
    });
    let notice = (more && parsed.name.is_some()).then(|| t.get("members.refine").to_string());
    let (status_options, flag_options, action_options) = filter_options(
        parsed.filter.status,
        parsed.filter.flag,
        parsed.filter.tindakan,
    );
    render(&MembersPage {
        l: Layout::new(&ctx, t.get("members.title"), "members"),
        q: query.q.clone(),
        wilayah: query.wilayah.clone(),
        region_label: parsed.filter.region.map(region_path).unwrap_or_default(),
        status_options,
        flag_options,
        action_options,
        rows: rows.iter().map(|m| Row::new(m, full)).collect(),
        notice,
        first_page: parsed.after.is_none(),
        first_href: format!("/anggota?{base}"),
        next_href,
        can_export: ctx.can(Permission::Export),
        export_xlsx: format!("/anggota/ekspor?format=xlsx{sep}{base}"),
        export_csv: format!("/anggota/ekspor?format=csv{sep}{base}"),
    })
}

#[derive(Deserialize)]
pub(super) struct ExportQuery {
    #[serde(default)]
    format: String,
    #[serde(flatten)]
    query: MemberQuery,
}

/// Exports the list (scoped, filtered, never paginated) in the interchange
/// registry format; every export is audited, since it carries full NIKs.
pub(super) async fn export(ctx: Ctx, Query(e): Query<ExportQuery>) -> Result<Response, AppError> {
    export_download(&ctx, &e.format, &e.query).await
}

/// The export as a file download (the page and the API answer the same).
pub(crate) async fn export_download(
    ctx: &Ctx,
    format: &str,
    query: &MemberQuery,
) -> Result<Response, AppError> {
    let (body, ext, mime, rows) = export_members(ctx, format, query).await?;
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"padu-anggota.{ext}\""),
            ),
            (
                header::HeaderName::from_static("x-padu-rows"),
                rows.to_string(),
            ),
        ],
        body,
    )
        .into_response())
}

/// The export's bytes, file extension, media type and row count; audited.
async fn export_members(
    ctx: &Ctx,
    format: &str,
    query: &MemberQuery,
) -> Result<(Vec<u8>, &'static str, &'static str, u64), AppError> {
    ctx.require(Permission::Export)?;
    let (ext, mime) = crate::view::table_format(format)?;
    let parsed = query.parse(ctx)?;
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.path().join(format!("ekspor.{ext}"));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<padu_core::RegistryPerson>(1024);
    let writer_path = path.clone();
    let writer = tokio::task::spawn_blocking(move || -> Result<u64, String> {
        let mut w: Option<padu_io::RegistryWriter> = None;
        while let Some(p) = rx.blocking_recv() {
            if w.is_none() {
                let extra = p.extra.iter().map(|(k, _)| k.clone()).collect();
                w = Some(
                    padu_io::RegistryWriter::create(&writer_path, extra)
                        .map_err(|e| e.to_string())?,
                );
            }
            w.as_mut()
                .expect("created above")
                .write(&p)
                .map_err(|e| e.to_string())?;
        }
        match w {
            Some(w) => w.finish().map_err(|e| e.to_string()),
            None => padu_io::write_registry(&writer_path, Vec::new()).map_err(|e| e.to_string()),
        }
    });
    if let Some(name) = &parsed.name {
        let (rows, _) = search_by_name(ctx, &parsed.filter, name).await?;
        for m in rows {
            if tx.send(m.person).await.is_err() {
                break;
            }
        }
    } else {
        // Page by page, so a national export never holds the registry in memory.
        let mut after: Option<MemberCursor> = None;
        loop {
            let page = ctx
                .store()
                .members(&parsed.filter, after.as_ref(), EXPORT_PAGE)
                .await?;
            let full = page.len() == EXPORT_PAGE as usize;
            after = page.last().map(|m| MemberCursor {
                kode_wilayah: m.person.kode_wilayah.compact(),
                nama: m.person.nama.to_string(),
                id_art: m.person.id_art.to_string(),
            });
            for m in page {
                if tx.send(m.person).await.is_err() {
                    break;
                }
            }
            if !full {
                break;
            }
        }
    }
    drop(tx);
    let n = writer
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut entry = ctx.audit_entry("export.members");
    entry.detail = Some(
        serde_json::json!({ "format": ext, "rows": n, "filter": query.without_cursor() })
            .to_string(),
    );
    ctx.store().audit(&entry).await?;
    Ok((bytes, ext, mime, n))
}
