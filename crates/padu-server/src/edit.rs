//! A correction of a member: the fields as typed, checked field by field
//! against padu-core's rules, and its instant re-check. Shared by the edit
//! page and the API, so both accept and refuse exactly the same input.

use chrono::NaiveDate;
use padu_core::lang::Localized;
use padu_core::{IdField, Lang, RegistryPerson, Relation, Sex, Text, parse_date};
use padu_match::DuplicateGroup;
use padu_store::Finding;
use serde::{Deserialize, Serialize};

use crate::auth::Ctx;
use crate::i18n::Tr;
use crate::recheck::{Recheck, RecheckStatus};
use crate::view::{id_number, nik_text, status_class};

/// The editable fields of a member, as text (a form or a JSON body).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct EditFields {
    /// NIK (16 digits; empty for a person without NIK).
    #[serde(default)]
    pub nik: String,
    /// No KK (16 digits; may be empty).
    #[serde(default)]
    pub no_kk: String,
    /// Full name.
    #[serde(default)]
    pub nama: String,
    /// `L` or `P`.
    #[serde(default)]
    pub jenis_kelamin: String,
    /// Place of birth.
    #[serde(default)]
    pub tempat_lahir: String,
    /// Date of birth (`YYYY-MM-DD`, `DD-MM-YYYY` or `DD/MM/YYYY`).
    #[serde(default)]
    pub tgl_lahir: String,
    /// Relation to the head (the interchange codes), or empty.
    #[serde(default)]
    pub hubungan_keluarga: String,
    /// Mother's maiden name.
    #[serde(default)]
    pub nama_ibu_kandung: String,
    /// Street address.
    #[serde(default)]
    pub alamat: String,
    /// RT.
    #[serde(default)]
    pub rt: String,
    /// RW.
    #[serde(default)]
    pub rw: String,
}

/// One field's problem, for display next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's name (`nik`, `tgl_lahir`, …).
    pub field: String,
    /// What is wrong, in the user's language.
    pub message: String,
}

fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl EditFields {
    /// The fields of a current record, as the form shows them (full numbers: only editors see the form).
    pub fn of(p: &RegistryPerson) -> EditFields {
        EditFields {
            nik: p.nik.to_cell(),
            no_kk: p.no_kk.to_cell(),
            nama: p.nama.to_string(),
            jenis_kelamin: p.jenis_kelamin.as_str().to_string(),
            tempat_lahir: p.tempat_lahir.as_deref().unwrap_or_default().to_string(),
            tgl_lahir: p.tgl_lahir.format("%Y-%m-%d").to_string(),
            hubungan_keluarga: p
                .hubungan_keluarga
                .map(|r| r.as_str().to_string())
                .unwrap_or_default(),
            nama_ibu_kandung: p
                .nama_ibu_kandung
                .as_deref()
                .unwrap_or_default()
                .to_string(),
            alamat: p.alamat.as_deref().unwrap_or_default().to_string(),
            rt: p.rt.as_deref().unwrap_or_default().to_string(),
            rw: p.rw.as_deref().unwrap_or_default().to_string(),
        }
    }

    /// The corrected record: `before` with these fields, or every problem found.
    ///
    /// `strict` refuses an invalid NIK or No KK (saving); a re-check accepts
    /// one, since it will say what is wrong with it.
    pub fn apply(
        &self,
        before: &RegistryPerson,
        today: NaiveDate,
        lang: Lang,
        strict: bool,
    ) -> Result<RegistryPerson, Vec<FieldError>> {
        let t = Tr::new(lang);
        let mut errors = Vec::new();
        let mut err = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_string(),
                message,
            })
        };
        let nik = IdField::parse_nik(&self.nik, today);
        if strict && let Some(error) = nik.error() {
            err("nik", error.message(lang));
        }
        let no_kk = IdField::parse_kk(&self.no_kk);
        if strict && let Some(error) = no_kk.error() {
            err("no_kk", error.message(lang));
        }
        let nama = self.nama.split_whitespace().collect::<Vec<_>>().join(" ");
        if nama.is_empty() {
            err("nama", t.get("edit.name_required").to_string());
        } else if nama.chars().count() > 120 {
            err("nama", t.get("edit.name_too_long").to_string());
        }
        let sex = Sex::parse(&self.jenis_kelamin).ok();
        if sex.is_none() {
            err("jenis_kelamin", t.get("edit.sex_required").to_string());
        }
        let tgl = match parse_date(&self.tgl_lahir) {
            Ok(d) if d > today => {
                err("tgl_lahir", t.get("edit.date_future").to_string());
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                err("tgl_lahir", e.message(lang));
                None
            }
        };
        let hubungan = match self.hubungan_keluarga.trim() {
            "" => None,
            h => match h.parse::<Relation>() {
                Ok(r) => Some(r),
                Err(_) => {
                    err(
                        "hubungan_keluarga",
                        t.get("edit.relation_unknown").to_string(),
                    );
                    None
                }
            },
        };
        for (field, v, max) in [
            ("tempat_lahir", &self.tempat_lahir, 80),
            ("nama_ibu_kandung", &self.nama_ibu_kandung, 120),
            ("alamat", &self.alamat, 200),
            ("rt", &self.rt, 5),
            ("rw", &self.rw, 5),
        ] {
            if v.chars().count() > max {
                err(
                    field,
                    t.get("edit.too_long").replace("{max}", &max.to_string()),
                );
            }
        }
        match (sex, tgl) {
            (Some(sex), Some(tgl)) if errors.is_empty() => Ok(RegistryPerson {
                nik,
                no_kk,
                nama: nama.into(),
                jenis_kelamin: sex,
                tempat_lahir: text(&self.tempat_lahir).map(Text::from),
                tgl_lahir: tgl,
                hubungan_keluarga: hubungan,
                nama_ibu_kandung: text(&self.nama_ibu_kandung).map(Text::from),
                alamat: text(&self.alamat).map(Text::from),
                rt: text(&self.rt).map(Text::from),
                rw: text(&self.rw).map(Text::from),
                ..before.clone()
            }),
            _ => Err(errors),
        }
    }
}

/// A re-check's answer as the edit page (and its script) shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecheckPanel {
    /// "Re-check" in the user's language.
    pub title: String,
    /// The NIK status.
    pub status: String,
    /// Badge class.
    pub class: String,
    /// Flags.
    pub flags: Vec<String>,
    /// The match probability as a percentage.
    pub skor: Option<String>,
    /// The explanation sentence.
    pub keterangan: String,
    /// The best civil-registry candidate: name, NIK (masked unless the role may see it), birth date, village.
    pub candidate: Option<String>,
    /// "Best candidate" in the user's language.
    pub candidate_label: String,
}

/// The duplicate group a member's latest finding reports (a re-check keeps it).
pub fn group_of(finding: Option<&Finding>) -> Option<DuplicateGroup> {
    finding.and_then(|f| DuplicateGroup::of(&f.row))
}

/// Builds the panel of a re-check.
pub fn panel(r: &Recheck, ctx: &Ctx) -> RecheckPanel {
    let t = Tr::new(ctx.lang());
    let row = &r.checked.row;
    let full = ctx.can(padu_core::Permission::ViewFullNik);
    RecheckPanel {
        title: t.get("recheck.title").to_string(),
        status: row.status.as_str().to_string(),
        class: status_class(row.status).to_string(),
        flags: row.flags.iter().map(|f| f.as_str().to_string()).collect(),
        skor: row.skor.map(|s| format!("{:.1}%", s * 100.0)),
        keterangan: row.keterangan.clone(),
        candidate: r.best_candidate().map(|c| {
            format!(
                "{} · {} · {} · {}",
                c.nama,
                nik_text(&c.nik.to_string(), full),
                crate::view::date(c.tgl_lahir),
                crate::view::region_name(c.kode_wilayah),
            )
        }),
        candidate_label: t.get("recheck.candidate").to_string(),
    }
}

/// Why there is no re-check to show, in the user's language.
pub fn unavailable_note(ctx: &Ctx) -> String {
    let t = Tr::new(ctx.lang());
    match ctx.state().recheck().status() {
        RecheckStatus::Ready { .. } => t.get("recheck.hint").to_string(),
        RecheckStatus::Loading => t.get("recheck.loading").to_string(),
        RecheckStatus::NoModel => t.get("recheck.no_model").to_string(),
        RecheckStatus::Failed(_) => t.get("recheck.failed").to_string(),
    }
}

/// A NIK or No KK shown on a member page: in full to roles that may edit it.
pub fn shown_id<T: std::fmt::Display>(f: &IdField<T>, ctx: &Ctx) -> String {
    id_number(f, ctx.can(padu_core::Permission::ViewFullNik))
}
