//! The offline round trip: a village's workbook to download, fill in away
//! from a connection and upload, each filled-in row becoming a draft
//! proposal. The page and the API both call `download` and `upload`.
//!
//! What the file alone can tell is read by `padu_io::read_offline_book`;
//! here each row meets the member's current record: the member must be in
//! the user's region, new values must go into the record (the same
//! `padu_core::apply_fields` the store checks with), and a row that asks for
//! what is already so, or already proposed in the same words, is skipped.
//! That makes uploading the same workbook twice create nothing new.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use padu_core::lang::Localized;
use padu_core::{
    Change, Lang, Nik, NoKk, Permission, ProposalKind, RegionCode, RegistryPerson, field_value,
};
use padu_io::{BookInfo, BookMember, BookRow, Issue, Severity};
use padu_store::{MemberCursor, MemberFilter, MemberSummary, NewProposal, Scope, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Ctx, ScopedStore};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::proposal::before_after;
use crate::view::region_name;

/// Members read per query while the workbook is written.
const PAGE: u32 = 2000;

/// The village a workbook is for: the one asked for, or the user's own.
pub(crate) fn village_of(ctx: &Ctx, asked: Option<&str>) -> Result<RegionCode, AppError> {
    let t = Tr::new(ctx.lang());
    let code = match (asked.map(str::trim).filter(|s| !s.is_empty()), ctx.scope()) {
        (Some(s), _) => padu_core::regions()
            .parse_village(s)
            .map_err(|e| AppError::BadRequest(e.message(ctx.lang())))?,
        (None, Scope::Region(r)) if r.level() == padu_core::RegionLevel::Village => r,
        (None, _) => return Err(AppError::BadRequest(t.get("workbook.pick_village").into())),
    };
    if !ctx.store().covers(code) {
        return Err(AppError::NotFound);
    }
    Ok(code)
}

/// The workbook of `village` as `.xlsx` bytes, and a file name; audited as an export.
pub(crate) async fn download(
    ctx: &Ctx,
    village: RegionCode,
) -> Result<(Vec<u8>, String), AppError> {
    ctx.require(Permission::Export)?;
    let store = ctx.store().narrowed(village)?;
    let open = store.open_proposals().await?;
    let inactive = store.inactive_members().await?;
    let members = all_members(&store).await?;
    let lang = ctx.lang();
    let suggestions: Vec<String> = members
        .iter()
        .map(|m| {
            m.finding
                .as_ref()
                .and_then(|f| padu_core::suggest(&f.row))
                .map(|s| suggestion_text(&s, lang))
                .unwrap_or_default()
        })
        .collect();
    let actor = ctx.actor();
    let sc = ctx.step_ctx(&actor);
    let zone = sc.zones.zone(village).unwrap_or(padu_core::Zone::Wib);
    let created = format!(
        "{} {}",
        sc.at.with_timezone(&zone.offset()).format("%Y-%m-%d %H:%M"),
        zone.as_str()
    );
    let name = region_name(village);
    let info = BookInfo {
        kode_wilayah: village,
        village_name: &name,
        created: &created,
    };
    let rows = members.iter().zip(&suggestions).map(|(m, s)| BookMember {
        person: &m.person,
        inactive_reason: inactive.get(m.person.id_art.as_str()).map(String::as_str),
        finding: m.finding.as_ref().map(|f| &f.row),
        suggestion: s.clone(),
        open_proposal: open.get(m.person.id_art.as_str()).copied(),
    });
    let bytes =
        padu_io::write_offline_book(&info, rows).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut entry = ctx.audit_entry("export.workbook");
    entry.kode_wilayah = Some(village.compact());
    entry.detail = Some(serde_json::json!({ "rows": members.len() }).to_string());
    ctx.store().audit(&entry).await?;
    Ok((
        bytes,
        format!("padu-lembar-kerja-{}.xlsx", village.compact()),
    ))
}

/// Every member a handle sees, page by page.
async fn all_members(store: &ScopedStore) -> Result<Vec<MemberSummary>, AppError> {
    let filter = MemberFilter::default();
    let mut members = Vec::new();
    let mut after: Option<MemberCursor> = None;
    loop {
        let page = store.members(&filter, after.as_ref(), PAGE).await?;
        let full = page.len() == PAGE as usize;
        after = page.last().map(|m| MemberCursor {
            kode_wilayah: m.person.kode_wilayah.compact(),
            nama: m.person.nama.to_string(),
            id_art: m.person.id_art.to_string(),
        });
        members.extend(page);
        if !full {
            break;
        }
    }
    Ok(members)
}

/// Grey cells typed over: a correction written in the wrong column.
///
/// Checked on every row that kept its fingerprint, filled in or not (a
/// correction typed only into a grey cell would otherwise be lost without a
/// word), and only while the member's record is still as it was downloaded,
/// so a record changed in Padu since is not mistaken for the operator's edit.
async fn grey_edits(ctx: &Ctx, book: &padu_io::OfflineBook) -> Result<Vec<Issue>, AppError> {
    let village = book
        .kode_wilayah
        .as_deref()
        .and_then(|k| RegionCode::parse(k).ok())
        .filter(|k| ctx.store().covers(*k));
    let Some(village) = village else {
        return Ok(Vec::new());
    };
    let people: HashMap<String, RegistryPerson> = all_members(&ctx.store().narrowed(village)?)
        .await?
        .into_iter()
        .map(|m| (m.person.id_art.to_string(), m.person))
        .collect();
    let mut issues = Vec::new();
    for row in &book.shown {
        let Some(person) = people.get(&row.id_art) else {
            continue;
        };
        if row.fingerprint != padu_io::fingerprint(person) {
            continue;
        }
        for (field, shown) in &row.shown {
            let now = field_value(person, field);
            if shown.trim() != now.trim() {
                let (id, en) = both(
                    "workbook.grey_edited",
                    &[("column", field), ("value", shown), ("now", &now)],
                );
                issues.push(row_issue(row.row, field, "KOLOM_ABU_DIUBAH", id, en));
            }
        }
    }
    Ok(issues)
}

/// A message in Indonesian and English with its `{placeholders}` filled in.
fn both(key: &str, pairs: &[(&str, &str)]) -> (String, String) {
    let fill = |mut s: String| {
        for (k, v) in pairs {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    };
    (
        fill(Tr::new(Lang::Id).get(key).to_string()),
        fill(Tr::new(Lang::En).get(key).to_string()),
    )
}

/// A suggestion in the words of the workbook's `saran_padu` column.
fn suggestion_text(s: &padu_core::Suggestion, lang: Lang) -> String {
    let what = match s.change.deactivation_reason() {
        Some(r) => format!("{} {}", s.change.kind().as_str(), r.as_str()),
        None => s.change.kind().as_str().to_string(),
    };
    let fields: Vec<String> = s.fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if fields.is_empty() {
        format!("{what}: {}", s.why(lang))
    } else {
        format!("{what} {}: {}", fields.join(", "), s.why(lang))
    }
}

/// A row that became a draft proposal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedRow {
    /// The row in the sheet.
    pub row: u64,
    /// The member.
    pub id_art: String,
    /// The new proposal's number.
    pub proposal_id: i64,
}

/// A row that asked for nothing new.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkippedRow {
    /// The row in the sheet.
    pub row: u64,
    /// The member.
    pub id_art: String,
    /// Why nothing was made, in the user's language.
    pub why: String,
    /// The proposal that already says the same, if one does.
    pub proposal_id: Option<i64>,
}

/// A row-level error, located as Excel shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowError {
    /// The sheet (or the uploaded file, for a whole-file problem).
    pub sheet: String,
    /// The row (0: the whole file).
    pub row: u64,
    /// The column's header, if the problem is in one column.
    pub column: Option<String>,
    /// A stable code (`TANGGAL_TIDAK_VALID`, `ANGGOTA_TIDAK_ADA`, ...).
    pub code: String,
    /// `sheet:row:column: message` in the user's language.
    pub message: String,
}

/// What an upload did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UploadOutcome {
    /// Whether the good rows were written (false when an error stopped an all-or-nothing upload).
    pub saved: bool,
    /// Rows with something filled in.
    pub filled_rows: u64,
    /// Rows that became draft proposals.
    pub created: Vec<CreatedRow>,
    /// Rows that asked for nothing new.
    pub skipped: Vec<SkippedRow>,
    /// Rows that could not become proposals.
    pub errors: Vec<RowError>,
}

/// A row-level issue on the sheet.
fn row_issue(row: u64, column: &str, code: &'static str, id: String, en: String) -> Issue {
    Issue::new(
        padu_io::BOOK_SHEET,
        row,
        Some(column),
        Severity::Error,
        code,
        id,
        en,
    )
}

/// What one row asks for, once it met the member's record.
enum Judged {
    Propose(Box<NewProposal>),
    Skip(String, Option<i64>),
    Errors(Vec<Issue>),
}

/// Reads an uploaded workbook and drafts its rows, all or nothing unless `keep_good_rows`.
pub(crate) async fn upload(
    ctx: &Ctx,
    file_name: &str,
    bytes: &[u8],
    keep_good_rows: bool,
) -> Result<UploadOutcome, AppError> {
    ctx.require(Permission::Propose)?;
    let lang = ctx.lang();
    let book = {
        let name = file_name.to_string();
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || padu_io::read_offline_book(&name, &bytes))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
    };
    let grey = grey_edits(ctx, &book).await?;
    let grey_rows: BTreeSet<u64> = grey.iter().map(|i| i.row).collect();
    let io_rows: BTreeSet<u64> = book
        .issues
        .iter()
        .map(|i| i.row)
        .chain(book.rows.iter().map(|r| r.row))
        .collect();
    let filled_rows = book.filled_rows + grey_rows.difference(&io_rows).count() as u64;
    let mut issues = book.issues;
    issues.extend(grey);
    let mut skipped = Vec::new();
    let mut news: Vec<(u64, NewProposal)> = Vec::new();
    let open = ctx.store().open_proposals().await?;
    let today = ctx.state().now().date_naive();
    for row in book.rows.iter().filter(|r| !grey_rows.contains(&r.row)) {
        match judge(ctx, row, &open, today, lang).await? {
            Judged::Propose(p) => news.push((row.row, *p)),
            Judged::Skip(why, proposal_id) => skipped.push(SkippedRow {
                row: row.row,
                id_art: row.id_art.clone(),
                why,
                proposal_id,
            }),
            Judged::Errors(e) => issues.extend(e),
        }
    }
    issues.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
    let write = issues.is_empty() || keep_good_rows;
    let mut created = Vec::new();
    if write && !news.is_empty() {
        let actor = ctx.actor();
        let only: Vec<NewProposal> = news.iter().map(|(_, p)| p.clone()).collect();
        let made = ctx
            .store()
            .create_proposals(&ctx.step_ctx(&actor), &only)
            .await?;
        created = news
            .iter()
            .zip(made)
            .map(|((row, n), p)| CreatedRow {
                row: *row,
                id_art: n.id_art.clone().unwrap_or_default(),
                proposal_id: p.proposal_id,
            })
            .collect();
    }
    let outcome = UploadOutcome {
        saved: write,
        filled_rows,
        created,
        skipped,
        errors: issues
            .iter()
            .map(|i| RowError {
                sheet: i.file.clone(),
                row: i.row,
                column: i.column.clone(),
                code: i.code.to_string(),
                message: i.message(lang),
            })
            .collect(),
    };
    let mut entry = ctx.audit_entry("workbook.upload");
    if let Some(k) = &book.kode_wilayah {
        entry.kode_wilayah = Some(k.clone());
    }
    entry.detail = Some(
        serde_json::json!({
            "file": file_name,
            "filled_rows": outcome.filled_rows,
            "created": outcome.created.len(),
            "skipped": outcome.skipped.len(),
            "errors": outcome.errors.len(),
            "keep_good_rows": keep_good_rows,
        })
        .to_string(),
    );
    ctx.store().audit(&entry).await?;
    Ok(outcome)
}

/// One row against the member's record and open proposal.
async fn judge(
    ctx: &Ctx,
    row: &BookRow,
    open: &std::collections::HashMap<String, i64>,
    today: chrono::NaiveDate,
    lang: Lang,
) -> Result<Judged, AppError> {
    let t = Tr::new(lang);
    let tr = |key: &str| t.get(key).to_string();
    let member = match ctx.store().member(&row.id_art).await {
        Ok(m) => m,
        Err(StoreError::NotFound) => {
            let (id, en) = both("workbook.no_member", &[("id_art", &row.id_art)]);
            return Ok(Judged::Errors(vec![row_issue(
                row.row,
                "id_art",
                "ANGGOTA_TIDAK_ADA",
                id,
                en,
            )]));
        }
        Err(e) => return Err(e.into()),
    };
    let person = &member.person;
    let mut errors = Vec::new();
    let (change, given, why) = if row.follow_suggestion {
        match member
            .finding
            .as_ref()
            .and_then(|f| padu_core::suggest(&f.row))
        {
            Some(s) => {
                let why = s.why(lang).to_string();
                (s.change, s.fields, Some(why))
            }
            None => {
                let (id, en) = both("workbook.no_suggestion", &[]);
                errors.push(row_issue(row.row, "ikuti_saran", "TIDAK_ADA_SARAN", id, en));
                return Ok(Judged::Errors(errors));
            }
        }
    } else {
        let kind = row.kind.unwrap_or(ProposalKind::CorrectFields);
        let change = Change::from_parts(kind, row.reason)
            .map_err(|e| AppError::BadRequest(e.message(lang)))?;
        let mut given: BTreeMap<String, String> = BTreeMap::new();
        for (field, (column, value)) in &row.new_values {
            if let Some((id, en)) = value_problem(person, field, value, today) {
                errors.push(row_issue(row.row, column, "NILAI_TIDAK_VALID", id, en));
            } else {
                given.insert((*field).to_string(), value.clone());
            }
        }
        if let Some(d) = row.death_date {
            if d > today {
                let (id, en) = both("workbook.future_death", &[("date", &d.to_string())]);
                errors.push(row_issue(
                    row.row,
                    "tgl_meninggal",
                    "TANGGAL_MASA_DEPAN",
                    id,
                    en,
                ));
            }
            given.insert("tgl_meninggal".into(), d.to_string());
        }
        (change, given, None)
    };
    if !errors.is_empty() {
        return Ok(Judged::Errors(errors));
    }
    let active = ctx
        .store()
        .member_status(&person.id_art)
        .await?
        .is_none_or(|s| s.active);
    let already = match change {
        Change::CorrectFields | Change::Move => given
            .iter()
            .all(|(f, v)| v.trim() == field_value(person, f).trim())
            .then(|| tr("workbook.same_as_now")),
        Change::Deactivate(_) if !active => Some(tr("workbook.already_inactive")),
        Change::Reactivate if active => Some(tr("workbook.already_active")),
        _ => None,
    };
    if let Some(why) = already {
        return Ok(Judged::Skip(why, None));
    }
    let (before, after) = match before_after(change, person, &given, lang) {
        Ok(x) => x,
        Err(e) => {
            let message = e.user_message(lang);
            return Ok(Judged::Errors(vec![row_issue(
                row.row,
                "jenis_usulan",
                "USULAN_TIDAK_VALID",
                message.clone(),
                e.user_message(Lang::En),
            )]));
        }
    };
    if let Some(&n) = open.get(person.id_art.as_str()) {
        let p = ctx.store().proposal(n).await?;
        if p.change == change && p.after == after {
            return Ok(Judged::Skip(
                t.get("workbook.already_proposed")
                    .replace("{id}", &n.to_string()),
                Some(n),
            ));
        }
        let (id, en) = both("workbook.open_proposal", &[("id", &n.to_string())]);
        return Ok(Judged::Errors(vec![row_issue(
            row.row,
            "id_art",
            "SUDAH_ADA_USULAN",
            id,
            en,
        )]));
    }
    let source = Tr::new(Lang::Id)
        .get("workbook.note")
        .replace("{row}", &row.row.to_string());
    let note = match (&row.note, why) {
        (Some(n), _) => format!("{n} ({source})"),
        (None, Some(w)) => format!("{w} ({source})"),
        (None, None) => source,
    };
    Ok(Judged::Propose(Box::new(NewProposal {
        change,
        kode_wilayah: person.kode_wilayah,
        id_art: Some(person.id_art.to_string()),
        id_keluarga: person.id_keluarga.as_deref().map(str::to_string),
        before: Some(before),
        after,
        note: Some(note),
    })))
}

/// Why a proposed value cannot go into the member's record, in Indonesian and English.
///
/// A NIK or No KK must be valid here (an import keeps an invalid one as
/// data, but proposing one helps nobody); every other field is checked by
/// the same `apply_fields` the store uses.
fn value_problem(
    person: &padu_core::RegistryPerson,
    field: &str,
    value: &str,
    today: chrono::NaiveDate,
) -> Option<(String, String)> {
    let id = |e: &padu_core::NikError| (e.to_string(), e.message(Lang::En));
    match field {
        "nik" => Nik::parse(value, today).err().map(|e| id(&e)),
        "no_kk" => NoKk::parse(value).err().map(|e| id(&e)),
        _ => {
            let one = BTreeMap::from([(field.to_string(), value.to_string())]);
            padu_core::apply_fields(person, &one, today)
                .err()
                .map(|e| (e.message.clone(), e.message_en.clone()))
        }
    }
}
