//! What pages show, shaped for the templates: masked numbers, dates as
//! Indonesians write them, region names, badges, and the layout every page shares.

use chrono::{DateTime, NaiveDate, Utc};
use padu_core::{Flag, IdField, Lang, NikStatus, Permission, RegionCode, regions};
use padu_store::{Finding, Scope};

use crate::auth::Ctx;
use crate::i18n::Tr;

/// The frame of every signed-in page: who is signed in, where, and what the menu offers.
#[derive(Clone)]
pub struct Layout {
    /// The user's language.
    pub t: Tr,
    /// The page title.
    pub title: String,
    /// The menu entry to highlight.
    pub active: &'static str,
    /// The signed-in user's name.
    pub user_name: String,
    /// Role and region, for the header.
    pub user_line: String,
    /// The token forms echo.
    pub csrf: String,
    /// Whether the menu shows the audit trail.
    pub can_audit: bool,
    /// Whether the menu shows user management.
    pub can_users: bool,
}

impl Layout {
    /// The layout of a page titled `title` (a locale key or text) for the user of `ctx`.
    pub fn new(ctx: &Ctx, title: impl Into<String>, active: &'static str) -> Layout {
        let t = Tr::new(ctx.lang());
        let u = ctx.user();
        Layout {
            user_line: format!(
                "{} · {}",
                u.role.label(ctx.lang()),
                scope_name(u.scope, ctx.lang())
            ),
            user_name: u.display_name.clone(),
            csrf: ctx.csrf().to_string(),
            can_audit: ctx.can(Permission::ViewAudit),
            can_users: ctx.can(Permission::ManageUsers),
            title: title.into(),
            active,
            t,
        }
    }
}

/// A region's name with its level, e.g. `Kota Depok` or `Desa Sukamaju`.
pub fn region_name(code: RegionCode) -> String {
    regions()
        .get(code)
        .map_or_else(|| code.to_string(), |i| i.name.clone())
}

/// The full path of a region (`Depok, Pancoran Mas, Kota Depok, Jawa Barat`).
pub fn region_path(code: RegionCode) -> String {
    regions().path(code)
}

/// A scope for people: `Nasional` or the region's name.
pub fn scope_name(scope: Scope, lang: Lang) -> String {
    match scope {
        Scope::National => match lang {
            Lang::Id => "Nasional".into(),
            Lang::En => "National".into(),
        },
        Scope::Region(r) => region_name(r),
    }
}

/// A date as `dd-mm-yyyy`.
pub fn date(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// A timestamp in Western Indonesian Time (UTC+7), `dd-mm-yyyy HH:MM WIB`.
pub fn time(t: DateTime<Utc>) -> String {
    let wib = padu_core::Zone::Wib.offset();
    format!("{} WIB", t.with_timezone(&wib).format("%d-%m-%Y %H:%M"))
}

/// A NIK or No KK as a role may see it: in full, or masked after the district
/// and before the last two digits (`3276**********01`). Invalid text is
/// masked the same way, so a list never shows a full number to a role that
/// does not need it.
pub fn id_number<T: std::fmt::Display>(f: &IdField<T>, full: bool) -> String {
    nik_text(&f.to_cell(), full)
}

/// Masks a NIK given as text (a proposed NIK, a civil resident's NIK).
pub fn nik_text(cell: &str, full: bool) -> String {
    if full || cell.chars().count() < 8 {
        return cell.to_string();
    }
    let chars: Vec<char> = cell.chars().collect();
    let n = chars.len();
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[n - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(n - 6))
}

/// The CSS class of a status badge.
pub fn status_class(s: NikStatus) -> &'static str {
    match s {
        NikStatus::Padan => "good",
        NikStatus::TidakPadan | NikStatus::NikTidakValid => "bad",
        NikStatus::NikTidakDitemukan | NikStatus::TanpaNik => "warn",
    }
}

/// A finding's parts as the lists show them.
#[derive(Clone)]
pub struct FindingView {
    /// Status code.
    pub status: String,
    /// Badge class.
    pub status_class: &'static str,
    /// Flags, comma-separated.
    pub flags: Vec<String>,
    /// Proposed action.
    pub tindakan: String,
    /// The sentence.
    pub keterangan: String,
    /// Proposed NIK, masked as the role requires.
    pub nik_usulan: Option<String>,
    /// The score, as a percentage.
    pub skor: Option<String>,
    /// The duplicate group.
    pub group: Option<String>,
    /// The kept row of that group.
    pub kept: Option<String>,
    /// Whether it came from a re-check rather than a run.
    pub rechecked: bool,
    /// When.
    pub found_at: String,
}

impl FindingView {
    /// The view of a finding.
    pub fn new(f: &Finding, full_nik: bool) -> FindingView {
        let r = &f.row;
        FindingView {
            status: r.status.as_str().to_string(),
            status_class: status_class(r.status),
            flags: r
                .flags
                .iter()
                .map(|f: &Flag| f.as_str().to_string())
                .collect(),
            tindakan: r.tindakan.as_str().to_string(),
            keterangan: r.keterangan.clone(),
            nik_usulan: r.nik_usulan.as_deref().map(|n| nik_text(n, full_nik)),
            skor: r.skor.map(|s| format!("{:.1}%", s * 100.0)),
            group: r.id_kelompok_ganda.clone(),
            kept: r.id_art_utama.clone(),
            rechecked: f.source == padu_store::FindingSource::Recheck,
            found_at: time(f.found_at),
        }
    }
}

/// Thousands separated the Indonesian way (`152.775`) or the English way (`152,775`).
pub fn count(n: u64, lang: Lang) -> String {
    let sep = match lang {
        Lang::Id => '.',
        Lang::En => ',',
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The extension and media type of a table download (`format=xlsx|csv`, XLSX when empty).
pub fn table_format(format: &str) -> Result<(&'static str, &'static str), crate::error::AppError> {
    match format {
        "" | "xlsx" => Ok((
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )),
        "csv" => Ok(("csv", "text/csv; charset=utf-8")),
        other => Err(crate::error::AppError::BadRequest(format!(
            "format {other:?}: xlsx, csv"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use padu_core::Nik;

    #[test]
    fn numbers_are_masked_unless_the_role_may_see_them() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let nik = IdField::Valid(Nik::parse("3276014501900001", today).unwrap());
        assert_eq!(id_number(&nik, false), "3276**********01");
        assert_eq!(id_number(&nik, true), "3276014501900001");
        assert_eq!(nik_text("3.27601E+15", false), "3.27*****15");
        assert_eq!(id_number(&IdField::<Nik>::Missing, false), "");
    }

    #[test]
    fn counts_use_the_languages_separator() {
        assert_eq!(count(152_775, Lang::Id), "152.775");
        assert_eq!(count(152_775, Lang::En), "152,775");
        assert_eq!(count(7, Lang::Id), "7");
        assert_eq!(count(1_000_000, Lang::Id), "1.000.000");
    }
}
