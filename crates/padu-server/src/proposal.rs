//! Proposals as the pages and the API both read them: what a form or a JSON
//! body says is turned into the workflow's types here, once.

use std::collections::BTreeMap;

use padu_core::proposal::{Action, Ratification};
use padu_core::{
    Change, DeactivationReason, Lang, Period, ProposalKind, RatificationKind, Reason,
    RegistryPerson, Step,
};
use serde_json::{Map, Value};

use padu_store::NewProposal;

use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;

pub use padu_core::change::{CORRECTABLE_FIELDS as FIELDS, field_value as current_value};

/// The change a form or body names, checked: a kind, and a reason for a deactivation.
pub fn parse_change(kind: &str, reason: Option<&str>, lang: Lang) -> Result<Change, AppError> {
    let msg = |e: &dyn padu_core::lang::Localized| AppError::BadRequest(e.message(lang));
    let kind: ProposalKind = kind.parse().map_err(|e: padu_core::ChangeCodeError| {
        AppError::BadRequest(match lang {
            Lang::Id => e.to_string(),
            Lang::En => format!(
                "unknown proposal kind \"{}\"; choose one of {}",
                e.value, e.accepted
            ),
        })
    })?;
    let reason = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.parse::<DeactivationReason>()
                .map_err(|e: padu_core::ChangeCodeError| AppError::BadRequest(e.to_string()))
        })
        .transpose()?;
    Change::from_parts(kind, reason).map_err(|e| msg(&e))
}

/// The before and after values of a proposal about `person`: the fields that change.
///
/// `given` holds what the operator typed per field (blank means "leave as is").
/// A correction or a move must change something; a deactivation records the
/// status and, for a death, the date of death if given.
pub fn before_after(
    change: Change,
    person: &RegistryPerson,
    given: &BTreeMap<String, String>,
    lang: Lang,
) -> Result<(Value, Value), AppError> {
    let t = Tr::new(lang);
    let mut before = Map::new();
    let mut after = Map::new();
    match change {
        Change::CorrectFields | Change::Move => {
            for field in FIELDS {
                let Some(v) = given.get(field).map(|v| v.trim()).filter(|v| !v.is_empty()) else {
                    continue;
                };
                let now = current_value(person, field);
                if v != now {
                    before.insert(field.into(), Value::String(now));
                    after.insert(field.into(), Value::String(v.to_string()));
                }
            }
            if let Some(k) = given
                .get("id_keluarga")
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                && Some(k) != person.id_keluarga.as_deref()
            {
                before.insert(
                    "id_keluarga".into(),
                    Value::String(
                        person
                            .id_keluarga
                            .as_deref()
                            .unwrap_or_default()
                            .to_string(),
                    ),
                );
                after.insert("id_keluarga".into(), Value::String(k.to_string()));
            }
            if after.is_empty() {
                return Err(AppError::BadRequest(
                    t.get("proposal.nothing_changes").into(),
                ));
            }
        }
        Change::Deactivate(reason) => {
            before.insert("status".into(), Value::String("AKTIF".into()));
            after.insert("status".into(), Value::String("NONAKTIF".into()));
            after.insert("alasan".into(), Value::String(reason.as_str().into()));
            if let Some(d) = given
                .get("tgl_meninggal")
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
            {
                let day = padu_core::parse_date(d).map_err(|_| {
                    AppError::BadRequest(t.get("proposal.bad_date").replace("{value}", d))
                })?;
                after.insert("tgl_meninggal".into(), Value::String(day.to_string()));
            }
        }
        Change::Reactivate => {
            before.insert("status".into(), Value::String("NONAKTIF".into()));
            after.insert("status".into(), Value::String("AKTIF".into()));
        }
        Change::AddMember | Change::AddHousehold => {
            return Err(AppError::BadRequest(t.get("proposal.add_elsewhere").into()));
        }
    }
    Ok((Value::Object(before), Value::Object(after)))
}

/// The fields a new member is proposed with, in form order.
pub const ADDITION_FIELDS: [&str; 8] = [
    "nama",
    "nik",
    "jenis_kelamin",
    "tempat_lahir",
    "tgl_lahir",
    "hubungan_keluarga",
    "nama_ibu_kandung",
    "no_kk",
];

/// What a new household adds: its address.
pub const HOUSEHOLD_FIELDS: [&str; 3] = ["alamat", "rt", "rw"];

/// A new member of household `household` (or, without one, a new household
/// with its head in the user's village) as a draft proposal: the values
/// given (blank ones left out), checked by the store when drafted.
pub async fn addition_proposal(
    ctx: &Ctx,
    change: Change,
    household: Option<&str>,
    given: &BTreeMap<String, String>,
    note: &str,
) -> Result<NewProposal, AppError> {
    let t = Tr::new(ctx.lang());
    let village = match household {
        Some(k) => ctx.store().household(k).await?.kode_wilayah,
        None => match ctx.scope() {
            padu_store::Scope::Region(r) if r.level() == padu_core::RegionLevel::Village => r,
            _ => return Err(AppError::Forbidden),
        },
    };
    let names: Vec<&str> = match change {
        Change::AddHousehold => ADDITION_FIELDS
            .iter()
            .chain(HOUSEHOLD_FIELDS.iter())
            .copied()
            .filter(|f| *f != "hubungan_keluarga")
            .collect(),
        _ => ADDITION_FIELDS.to_vec(),
    };
    let mut after = Map::new();
    for name in names {
        let v = given
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
            .trim();
        if !v.is_empty() {
            after.insert(name.to_string(), Value::String(v.to_string()));
        }
    }
    let note = note.trim();
    if note.is_empty() {
        return Err(AppError::BadRequest(t.get("addition.no_note").into()));
    }
    Ok(NewProposal {
        change,
        kode_wilayah: village,
        id_art: None,
        id_keluarga: household.map(str::to_string),
        before: None,
        after: Value::Object(after),
        note: Some(note.to_string()),
    })
}

/// What a step form or body carries, before it is checked.
#[derive(Debug, Default, Clone)]
pub struct StepInput {
    /// The step code (`submit`, `ratify`, ...).
    pub step: String,
    /// For `return` and `reject`.
    pub reason: Option<String>,
    /// For `ratify`: `MUSDES`, `MUSKEL` or `SPTJM`.
    pub document: Option<String>,
    /// For `finalise`: `YYYY-MM`.
    pub period: Option<String>,
}

/// Turns a step form or body into the workflow's action; the evidence of a
/// ratification (the signed scan) is looked up by the store, not taken from here.
pub fn parse_action(input: &StepInput, lang: Lang) -> Result<Action, AppError> {
    let t = Tr::new(lang);
    let step: Step = input.step.parse().map_err(|_| {
        AppError::BadRequest(t.get("proposal.bad_step").replace("{value}", &input.step))
    })?;
    let reason = || {
        Reason::parse(input.reason.as_deref().unwrap_or_default())
            .map_err(|e| AppError::BadRequest(padu_core::lang::Localized::message(&e, lang)))
    };
    Ok(match step {
        Step::Submit => Action::Submit,
        Step::Ratify => {
            let kind = match input.document.as_deref().map(str::trim) {
                Some("MUSKEL") => RatificationKind::Muskel,
                Some("SPTJM") => RatificationKind::Sptjm,
                Some("MUSDES") | None | Some("") => RatificationKind::Musdes,
                Some(other) => {
                    return Err(AppError::BadRequest(
                        t.get("proposal.bad_document").replace("{value}", other),
                    ));
                }
            };
            Action::Ratify(Ratification {
                kind,
                signed_scan_attached: false,
            })
        }
        Step::Verify => Action::Verify,
        Step::Return => Action::Return(reason()?),
        Step::Resubmit => Action::Resubmit,
        Step::Approve => Action::Approve,
        Step::Send => Action::Send,
        Step::Finalise => {
            let p = input.period.as_deref().unwrap_or_default();
            let period: Period = p.parse().map_err(|_| {
                AppError::BadRequest(t.get("proposal.bad_period").replace("{value}", p))
            })?;
            Action::Finalise(period)
        }
        Step::Reject => Action::Reject(reason()?),
    })
}

/// How many findings of each action are listed.
const FINDINGS_LIMIT: u32 = 500;

/// The members in the scope whose latest finding asks for action (PERBAIKI, HAPUS).
pub(crate) async fn findings_rows(
    ctx: &Ctx,
) -> Result<Vec<(padu_store::MemberSummary, padu_core::VerificationRow)>, AppError> {
    let mut out = Vec::new();
    for tindakan in [padu_core::Action::Perbaiki, padu_core::Action::Hapus] {
        let filter = padu_store::MemberFilter {
            tindakan: Some(tindakan),
            ..padu_store::MemberFilter::default()
        };
        for m in ctx.store().members(&filter, None, FINDINGS_LIMIT).await? {
            if let Some(f) = &m.finding {
                let row = f.row.clone();
                out.push((m, row));
            }
        }
    }
    out.sort_by(|(a, _), (b, _)| {
        (a.person.kode_wilayah, &a.person.nama).cmp(&(b.person.kode_wilayah, &b.person.nama))
    });
    Ok(out)
}

/// The proposals Padu suggests for these members, ready to be created together.
pub(crate) async fn suggested_proposals(
    ctx: &Ctx,
    id_arts: &[String],
) -> Result<Vec<NewProposal>, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let mut news = Vec::with_capacity(id_arts.len());
    for id_art in id_arts {
        let m = ctx.store().member(id_art).await?;
        let suggestion = m
            .finding
            .as_ref()
            .and_then(|f| padu_core::suggest(&f.row))
            .ok_or_else(|| {
                AppError::BadRequest(
                    t.get("proposal.no_suggestion_for")
                        .replace("{id_art}", id_art),
                )
            })?;
        let (before, after) = before_after(suggestion.change, &m.person, &suggestion.fields, lang)?;
        news.push(NewProposal {
            change: suggestion.change,
            kode_wilayah: m.person.kode_wilayah,
            id_art: Some(m.person.id_art.to_string()),
            id_keluarga: m.person.id_keluarga.as_deref().map(str::to_string),
            before: Some(before),
            after,
            note: Some(suggestion.why_id.clone()),
        });
    }
    Ok(news)
}

#[cfg(test)]
mod tests {
    use super::*;
    use padu_testkit::person;

    #[test]
    fn a_correction_keeps_only_the_fields_that_change() {
        let p = person("A1", Some("K1"), "32.76.01.1006", "BUDI SANTOSO");
        let mut given = BTreeMap::new();
        given.insert("nama".to_string(), "BUDI SANTOSA".to_string());
        given.insert("alamat".to_string(), "   ".to_string());
        given.insert("kode_wilayah".to_string(), "3276011006".to_string());
        let (before, after) = before_after(Change::CorrectFields, &p, &given, Lang::Id).unwrap();
        assert_eq!(after, serde_json::json!({ "nama": "BUDI SANTOSA" }));
        assert_eq!(before, serde_json::json!({ "nama": "BUDI SANTOSO" }));
        let same = BTreeMap::from([("nama".to_string(), "BUDI SANTOSO".to_string())]);
        assert!(before_after(Change::CorrectFields, &p, &same, Lang::Id).is_err());
    }

    #[test]
    fn steps_are_read_with_their_evidence() {
        let input = |step: &str| StepInput {
            step: step.into(),
            ..StepInput::default()
        };
        assert_eq!(
            parse_action(&input("submit"), Lang::Id).unwrap(),
            Action::Submit
        );
        assert!(
            parse_action(&input("return"), Lang::Id).is_err(),
            "a return needs a reason"
        );
        let r = StepInput {
            reason: Some("lampirkan akta".into()),
            ..input("return")
        };
        assert!(matches!(
            parse_action(&r, Lang::Id).unwrap(),
            Action::Return(_)
        ));
        let f = StepInput {
            period: Some("2026-10".into()),
            ..input("finalise")
        };
        assert!(matches!(
            parse_action(&f, Lang::Id).unwrap(),
            Action::Finalise(_)
        ));
        assert!(parse_action(&input("hapus"), Lang::En).is_err());
        assert!(matches!(
            parse_change("NONAKTIF", Some("MENINGGAL"), Lang::Id).unwrap(),
            Change::Deactivate(DeactivationReason::Meninggal)
        ));
        assert!(parse_change("NONAKTIF", None, Lang::Id).is_err());
    }
}
