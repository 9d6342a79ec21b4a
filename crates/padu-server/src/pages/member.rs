//! A member's page, a household's page, and the correction form with its re-check.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use padu_core::{Lang, Permission, RegistryPerson};
use padu_match::Explanation;
use padu_store::MemberDetail;
use serde::Deserialize;

use super::{render, see_other};
use crate::auth::Ctx;
use crate::comment::CommentBody;
use crate::edit::{
    EditFields, FieldError, RecheckPanel, group_of, panel, shown_id, unavailable_note,
};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::recheck::Recheck;
use crate::view::{FindingView, Layout, date, nik_text, region_name, region_path, time};

/// One candidate of the evidence table.
pub(crate) struct CandidateView {
    nama: String,
    nik: String,
    probability: String,
    details: String,
    /// Field label, level, weight in bits, CSS class.
    fields: Vec<(String, String, String, &'static str)>,
}

/// The per-field evidence behind a decision (what `padu verify --explain` writes).
pub(crate) struct EvidenceView {
    intro: String,
    candidates: Vec<CandidateView>,
}

pub(crate) fn evidence_view(r: &Recheck, ex: &Explanation, ctx: &Ctx) -> EvidenceView {
    let t = Tr::new(ctx.lang());
    let full = ctx.can(Permission::ViewFullNik);
    let candidates = ex
        .candidates
        .iter()
        .zip(&r.checked.candidates)
        .map(|(c, &idx)| {
            let civil = r.civil(idx);
            CandidateView {
                nama: civil.map(|p| p.nama.to_string()).unwrap_or_default(),
                nik: nik_text(&c.nik, full),
                probability: format!("{:.1}%", c.probability * 100.0),
                details: civil
                    .map(|p| {
                        format!(
                            "{} · {} · {}{}",
                            p.jenis_kelamin,
                            date(p.tgl_lahir),
                            region_name(p.kode_wilayah),
                            if p.status_hidup == padu_core::LifeStatus::Meninggal {
                                format!(" · {}", t.get("evidence.deceased"))
                            } else {
                                String::new()
                            }
                        )
                    })
                    .unwrap_or_default(),
                fields: c
                    .fields
                    .iter()
                    .map(|w| {
                        let key = format!("field.{}", w.field);
                        let label = match t.get(&key) {
                            l if l == key => w.field.to_string(),
                            l => l.to_string(),
                        };
                        (
                            label,
                            w.level.to_string(),
                            format!("{:+.1}", w.weight),
                            if w.weight >= 0.0 { "w-pos" } else { "w-neg" },
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    EvidenceView {
        intro: t
            .get("evidence.intro")
            .replace("{run}", &r.run_id.to_string()),
        candidates,
    }
}

/// The evidence of a member's current record, if the checker is ready.
async fn evidence_of(ctx: &Ctx, m: &MemberDetail) -> Option<EvidenceView> {
    let r = ctx
        .state()
        .recheck()
        .check(m.person.clone(), group_of(m.finding.as_ref()))
        .await?;
    let ex = r.checked.explanation.clone();
    Some(evidence_view(&r, &ex, ctx))
}

/// One line of the history table.
struct HistoryLine {
    when: String,
    who: String,
    changes: Vec<String>,
    reason: String,
}

fn relation_label(p: &RegistryPerson) -> String {
    p.hubungan_keluarga
        .map(|r| r.as_str().to_string())
        .unwrap_or_else(|| "-".into())
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    l: Layout,
    notice: Option<String>,
    /// "Inactive since …" when a finalised proposal deactivated the member.
    inactive: Option<String>,
    id_art: String,
    id_keluarga: Option<String>,
    nama: String,
    nik: String,
    nik_error: Option<String>,
    no_kk: String,
    jenis_kelamin: String,
    ttl: String,
    hubungan: String,
    ibu: String,
    alamat: String,
    village: String,
    village_code: String,
    village_path: String,
    version: i64,
    valid_from: String,
    changed_by: Option<String>,
    can_edit: bool,
    can_propose: bool,
    finding: Option<FindingView>,
    evidence: Option<EvidenceView>,
    evidence_note: String,
    history: Vec<HistoryLine>,
}

#[derive(Deserialize)]
pub(super) struct SavedQuery {
    disimpan: Option<String>,
}

/// The fields that differ between two audit snapshots, as `field: before → after`.
pub(super) fn changed_fields(before: Option<&str>, after: Option<&str>, full: bool) -> Vec<String> {
    let parse = |s: Option<&str>| {
        s.and_then(|s| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s).ok())
            .unwrap_or_default()
    };
    let (b, a) = (parse(before), parse(after));
    let show = |k: &str, v: Option<&serde_json::Value>| {
        let s = match v {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => "-".to_string(),
            Some(other) => other.to_string(),
        };
        if matches!(k, "nik" | "no_kk") {
            nik_text(&s, full)
        } else {
            s
        }
    };
    let mut keys: Vec<&String> = a.keys().collect();
    keys.sort();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| format!("{k}: {} → {}", show(k, b.get(k)), show(k, a.get(k))))
        .collect()
}

pub(super) async fn show(
    ctx: Ctx,
    Path(id_art): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Html<String>, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let m = ctx.store().member(&id_art).await?;
    let full = ctx.can(Permission::ViewFullNik);
    let versions = ctx.store().history(&id_art).await?;
    let audit = ctx.store().changes_of(&id_art, 100).await?;
    let inactive = ctx
        .store()
        .member_status(&id_art)
        .await?
        .filter(|s| !s.active)
        .map(|s| {
            let reason = s
                .deactivation_reason
                .as_deref()
                .and_then(|r| r.parse::<padu_core::DeactivationReason>().ok())
                .map(|r| r.label(lang))
                .unwrap_or_default();
            t.get("member.inactive")
                .replace("{reason}", reason)
                .replace("{since}", &time(s.valid_from))
                .replace(
                    "{proposal}",
                    &s.proposal_id.map(|p| p.to_string()).unwrap_or_default(),
                )
        });
    // Edits made in Padu come from the audit trail (who, why, what); versions
    // written by imports come from the history.
    let mut history: Vec<HistoryLine> = audit
        .iter()
        .map(|e| HistoryLine {
            when: time(e.entry.occurred_at),
            who: e.entry.username.clone().unwrap_or_default(),
            changes: changed_fields(
                e.entry.before_value.as_deref(),
                e.entry.after_value.as_deref(),
                full,
            ),
            reason: e.entry.reason.clone().unwrap_or_default(),
        })
        .collect();
    for v in versions.iter().rev().filter(|v| v.import_id.is_some()) {
        history.push(HistoryLine {
            when: time(v.valid_from),
            who: format!(
                "{} #{}",
                t.get("member.import"),
                v.import_id.unwrap_or_default()
            ),
            changes: vec![format!("{} {}", t.get("member.version"), v.version)],
            reason: String::new(),
        });
    }
    let evidence = evidence_of(&ctx, &m).await;
    let p = &m.person;
    render(&MemberPage {
        l: Layout::new(&ctx, p.nama.clone(), "members"),
        notice: q.disimpan.map(|_| t.get("member.saved").to_string()),
        inactive,
        id_art: p.id_art.to_string(),
        id_keluarga: p.id_keluarga.as_deref().map(str::to_string),
        nama: p.nama.to_string(),
        nik: shown_id(&p.nik, &ctx),
        nik_error: match &p.nik {
            padu_core::IdField::Invalid(bad) => {
                Some(padu_core::lang::Localized::message(&bad.error, lang))
            }
            padu_core::IdField::Missing => Some(t.get("member.no_nik").to_string()),
            padu_core::IdField::Valid(_) => None,
        },
        no_kk: shown_id(&p.no_kk, &ctx),
        jenis_kelamin: p.jenis_kelamin.as_str().to_string(),
        ttl: format!(
            "{}, {}",
            p.tempat_lahir.clone().unwrap_or_else(|| "-".into()),
            date(p.tgl_lahir)
        ),
        hubungan: relation_label(p),
        ibu: p.nama_ibu_kandung.as_deref().unwrap_or("-").to_string(),
        alamat: format!(
            "{} RT {} RW {}",
            p.alamat.clone().unwrap_or_default(),
            p.rt.clone().unwrap_or_else(|| "-".into()),
            p.rw.clone().unwrap_or_else(|| "-".into())
        ),
        village: region_name(p.kode_wilayah),
        village_code: p.kode_wilayah.dotted(),
        village_path: region_path(p.kode_wilayah),
        version: m.version,
        valid_from: time(m.valid_from),
        changed_by: m.changed_by.clone(),
        can_edit: ctx.can(Permission::EditMember),
        can_propose: ctx.can(Permission::Propose),
        finding: m.finding.as_ref().map(|f| FindingView::new(f, full)),
        evidence_note: unavailable_note(&ctx),
        evidence,
        history,
    })
}

/// One member of a household page.
struct HouseholdMember {
    id_art: String,
    nama: String,
    hubungan: String,
    ttl: String,
    nik: String,
    finding: Option<FindingView>,
    evidence: Option<EvidenceView>,
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    l: Layout,
    id_keluarga: String,
    no_kk: String,
    alamat: String,
    village: String,
    village_code: String,
    village_path: String,
    can_edit: bool,
    members: Vec<HouseholdMember>,
    comments: Vec<CommentLine>,
    can_comment: bool,
    comment: String,
    comment_error: Option<String>,
    notice: Option<String>,
    can_propose: bool,
}

/// One comment on a household page.
struct CommentLine {
    when: String,
    who: String,
    role: String,
    body: String,
}

#[derive(Deserialize)]
pub(super) struct CommentedQuery {
    catatan: Option<String>,
}

pub(super) async fn household(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<CommentedQuery>,
) -> Result<Html<String>, AppError> {
    let notice = q.catatan.map(|_| {
        Tr::new(ctx.lang())
            .get("household.comment_saved")
            .to_string()
    });
    render(&household_page(&ctx, &id, String::new(), None, notice).await?)
}

/// The household page, with the comment form holding `comment` and its error.
async fn household_page(
    ctx: &Ctx,
    id: &str,
    comment: String,
    comment_error: Option<String>,
    notice: Option<String>,
) -> Result<HouseholdPage, AppError> {
    let h = ctx.store().household(id).await?;
    let comments = ctx.store().household_comments(id).await?;
    let full = ctx.can(Permission::ViewFullNik);
    let mut members = Vec::with_capacity(h.members.len());
    for m in &h.members {
        let evidence = match ctx
            .state()
            .recheck()
            .check(m.person.clone(), group_of(m.finding.as_ref()))
            .await
        {
            Some(r) => {
                let ex = r.checked.explanation.clone();
                Some(evidence_view(&r, &ex, ctx))
            }
            None => None,
        };
        members.push(HouseholdMember {
            id_art: m.person.id_art.to_string(),
            nama: m.person.nama.to_string(),
            hubungan: relation_label(&m.person),
            ttl: format!(
                "{}, {}",
                m.person.tempat_lahir.clone().unwrap_or_else(|| "-".into()),
                date(m.person.tgl_lahir)
            ),
            nik: shown_id(&m.person.nik, ctx),
            finding: m.finding.as_ref().map(|f| FindingView::new(f, full)),
            evidence,
        });
    }
    let t = Tr::new(ctx.lang());
    Ok(HouseholdPage {
        can_propose: ctx.can(Permission::Propose),
        l: Layout::new(
            ctx,
            format!("{} {}", t.get("member.household"), h.id_keluarga),
            "members",
        ),
        no_kk: if full {
            h.no_kk.clone()
        } else {
            nik_text(&h.no_kk, false)
        },
        alamat: format!(
            "{} RT {} RW {}",
            h.alamat.clone().unwrap_or_default(),
            h.rt.clone().unwrap_or_else(|| "-".into()),
            h.rw.clone().unwrap_or_else(|| "-".into())
        ),
        village: region_name(h.kode_wilayah),
        village_code: h.kode_wilayah.dotted(),
        village_path: region_path(h.kode_wilayah),
        id_keluarga: h.id_keluarga,
        can_edit: ctx.can(Permission::EditMember),
        members,
        comments: comments
            .into_iter()
            .map(|c| CommentLine {
                when: time(c.created_at),
                role: c
                    .role
                    .parse::<padu_core::Role>()
                    .map_or(c.role.clone(), |r| r.label(ctx.lang()).to_string()),
                who: c.display_name,
                body: c.body,
            })
            .collect(),
        can_comment: ctx.can(Permission::Comment),
        comment,
        comment_error,
        notice,
    })
}

#[derive(Deserialize)]
pub(super) struct CommentForm {
    #[serde(default)]
    body: String,
}

/// Adds a comment and goes back to the household; a blank or overlong one
/// shows the page again with the text kept and the error under the field.
pub(super) async fn comment(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CommentForm>,
) -> Result<Response, AppError> {
    ctx.require(Permission::Comment)?;
    match CommentBody::parse(&f.body, ctx.lang()) {
        Ok(body) => {
            ctx.store()
                .add_household_comment(&id, &ctx.actor(), &body)
                .await?;
            Ok(see_other(&format!(
                "/keluarga/{}?catatan=1#catatan",
                crate::error::url_encode(&id)
            )))
        }
        Err(msg) => {
            let page = household_page(&ctx, &id, f.body, Some(msg), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

/// One input of the edit form.
struct FormField {
    name: &'static str,
    label: String,
    hint: String,
    value: String,
    input_type: &'static str,
    inputmode: &'static str,
    required: bool,
    recheck: bool,
    options: Vec<(String, String)>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "member_edit.html")]
struct EditPage {
    l: Layout,
    id_art: String,
    nama_lama: String,
    version: i64,
    fields: Vec<FormField>,
    reason: String,
    reason_error: Option<String>,
    form_error: Option<String>,
    recheck: Option<RecheckPanel>,
    recheck_note: String,
}

fn form_fields(v: &EditFields, errors: &[FieldError], lang: Lang) -> Vec<FormField> {
    let t = Tr::new(lang);
    let err = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.clone())
    };
    let mut relations = vec![(String::new(), "-".to_string())];
    relations.extend(
        padu_core::Relation::ALL
            .iter()
            .map(|r| (r.as_str().to_string(), r.as_str().to_string())),
    );
    let field = |name: &'static str,
                 value: &str,
                 input_type: &'static str,
                 inputmode: &'static str,
                 required: bool,
                 recheck: bool| FormField {
        name,
        label: t.get(&format!("field.{name}")).to_string(),
        hint: match t.get(&format!("hint.{name}")) {
            h if h.starts_with("hint.") => String::new(),
            h => h.to_string(),
        },
        value: value.to_string(),
        input_type,
        inputmode,
        required,
        recheck,
        options: Vec::new(),
        error: err(name),
    };
    let mut sex = field("jenis_kelamin", &v.jenis_kelamin, "text", "", true, true);
    sex.options = vec![
        ("L".into(), t.get("sex.L").to_string()),
        ("P".into(), t.get("sex.P").to_string()),
    ];
    let mut rel = field(
        "hubungan_keluarga",
        &v.hubungan_keluarga,
        "text",
        "",
        false,
        true,
    );
    rel.options = relations;
    vec![
        field("nik", &v.nik, "text", "numeric", false, true),
        field("nama", &v.nama, "text", "", true, true),
        field("tgl_lahir", &v.tgl_lahir, "date", "", true, true),
        sex,
        field("tempat_lahir", &v.tempat_lahir, "text", "", false, true),
        field(
            "nama_ibu_kandung",
            &v.nama_ibu_kandung,
            "text",
            "",
            false,
            true,
        ),
        field("no_kk", &v.no_kk, "text", "numeric", false, true),
        rel,
        field("alamat", &v.alamat, "text", "", false, true),
        field("rt", &v.rt, "text", "numeric", false, false),
        field("rw", &v.rw, "text", "numeric", false, false),
    ]
}

pub(super) async fn edit_form(
    ctx: Ctx,
    Path(id_art): Path<String>,
) -> Result<Html<String>, AppError> {
    ctx.require(Permission::EditMember)?;
    let m = ctx.store().member(&id_art).await?;
    let t = Tr::new(ctx.lang());
    render(&EditPage {
        l: Layout::new(&ctx, t.get("edit.title"), "members"),
        id_art: m.person.id_art.to_string(),
        nama_lama: m.person.nama.to_string(),
        version: m.version,
        fields: form_fields(&EditFields::of(&m.person), &[], ctx.lang()),
        reason: String::new(),
        reason_error: None,
        form_error: None,
        recheck: None,
        recheck_note: unavailable_note(&ctx),
    })
}

#[derive(Deserialize)]
pub(super) struct EditForm {
    version: i64,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    action: String,
    #[serde(flatten)]
    fields: EditFields,
}

/// Shortest reason accepted for an edit.
const MIN_REASON: usize = 5;

/// `action=periksa` re-checks and shows the form again; `action=simpan` saves
/// (with the re-check's finding) and goes to the member page.
pub(super) async fn save(
    ctx: Ctx,
    Path(id_art): Path<String>,
    Form(f): Form<EditForm>,
) -> Result<Response, AppError> {
    ctx.require(Permission::EditMember)?;
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let m = ctx.store().member(&id_art).await?;
    let today = ctx.state().now().date_naive();
    let saving = f.action != "periksa";
    let parsed = f.fields.apply(&m.person, today, lang, saving);
    let mut reason_error = None;
    if saving && f.reason.trim().chars().count() < MIN_REASON {
        reason_error = Some(
            t.get("edit.reason_required")
                .replace("{min}", &MIN_REASON.to_string()),
        );
    }
    let group = group_of(m.finding.as_ref());
    let recheck = match &parsed {
        Ok(p) => ctx.state().recheck().check(p.clone(), group).await,
        Err(_) => None,
    };
    let errors: Vec<FieldError> = parsed.as_ref().err().cloned().unwrap_or_default();
    let page = |form_error: Option<String>, recheck: Option<&Recheck>| EditPage {
        l: Layout::new(&ctx, t.get("edit.title"), "members"),
        id_art: m.person.id_art.to_string(),
        nama_lama: m.person.nama.to_string(),
        version: f.version,
        fields: form_fields(&f.fields, &errors, lang),
        reason: f.reason.clone(),
        reason_error: reason_error.clone(),
        form_error,
        recheck: recheck.map(|r| panel(r, &ctx)),
        recheck_note: unavailable_note(&ctx),
    };
    if !saving || !errors.is_empty() || reason_error.is_some() {
        let status = if saving {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        let form_error = (saving && (!errors.is_empty() || reason_error.is_some()))
            .then(|| t.get("edit.fix_errors").to_string());
        return Ok((status, render(&page(form_error, recheck.as_ref()))?).into_response());
    }
    let person = parsed.expect("no errors above");
    let actor = ctx.actor();
    let row = recheck.as_ref().map(|r| r.checked.row.clone());
    match ctx
        .store()
        .update_member(f.version, &person, &actor, f.reason.trim(), row.as_ref())
        .await
    {
        Ok(_) => {
            ctx.state().names_changed();
            Ok(see_other(&format!(
                "/anggota/{}?disimpan=1",
                crate::error::url_encode(&id_art)
            )))
        }
        Err(padu_store::StoreError::Stale { current_version }) => {
            let msg = AppError::Stale { current_version }.user_message(lang);
            Ok((
                StatusCode::CONFLICT,
                render(&page(Some(msg), recheck.as_ref()))?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
