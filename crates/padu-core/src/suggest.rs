//! From a verification finding to the proposal Padu suggests for it.
//!
//! The village operator accepts the suggestion or writes their own proposal;
//! Padu never changes the registry from a finding by itself. Only findings
//! that say exactly what to do get a suggestion: a death in the civil
//! registry, a duplicate with the record to keep, a NIK the civil registry
//! proposes. A move (`PINDAH`) or a NIK not found needs the operator to find
//! out where the person went, so it is listed without one.

use std::collections::BTreeMap;

use crate::change::{Change, DeactivationReason};
use crate::lang::Lang;
use crate::verify::{Flag, VerificationRow};

/// What Padu proposes for one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The change.
    pub change: Change,
    /// The fields a correction sets (field → new value); empty for a deactivation.
    pub fields: BTreeMap<String, String>,
    /// Why, in Indonesian.
    pub why_id: String,
    /// Why, in English.
    pub why_en: String,
}

impl Suggestion {
    /// Why, in `lang`.
    pub fn why(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.why_id,
            Lang::En => &self.why_en,
        }
    }
}

/// The proposal a finding suggests, if it says exactly what to do.
///
/// A death comes first (a deceased duplicate is deactivated as deceased),
/// then a duplicate that is not the record to keep, then a proposed NIK.
pub fn suggest(row: &VerificationRow) -> Option<Suggestion> {
    if row.flags.contains(&Flag::Meninggal) {
        return Some(Suggestion {
            change: Change::Deactivate(DeactivationReason::Meninggal),
            fields: BTreeMap::new(),
            why_id: "Dukcapil mencatat orang ini sudah meninggal".into(),
            why_en: "the civil registry records this person as deceased".into(),
        });
    }
    if row.flags.contains(&Flag::Ganda)
        && let Some(keep) = &row.id_art_utama
        && keep != &row.id_art
    {
        return Some(Suggestion {
            change: Change::Deactivate(DeactivationReason::Ganda),
            fields: BTreeMap::new(),
            why_id: format!("terdaftar ganda; data yang dipertahankan: {keep}"),
            why_en: format!("registered twice; the record kept: {keep}"),
        });
    }
    if let Some(nik) = &row.nik_usulan {
        return Some(Suggestion {
            change: Change::CorrectFields,
            fields: BTreeMap::from([("nik".to_string(), nik.clone())]),
            why_id: "NIK diganti dengan NIK yang ditemukan di Dukcapil".into(),
            why_en: "the NIK is replaced by the one found in the civil registry".into(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::{Action, NikStatus};

    fn row(flags: Vec<Flag>, nik_usulan: Option<&str>, utama: Option<&str>) -> VerificationRow {
        VerificationRow {
            id_art: "A1".into(),
            status: NikStatus::NikTidakValid,
            flags,
            tindakan: Action::Perbaiki,
            nik_usulan: nik_usulan.map(str::to_string),
            skor: Some(0.99),
            id_kelompok_ganda: None,
            id_art_utama: utama.map(str::to_string),
            keterangan: String::new(),
        }
    }

    #[test]
    fn each_finding_that_says_what_to_do_gets_its_proposal() {
        let dead = suggest(&row(
            vec![Flag::Meninggal, Flag::Ganda],
            Some("3276014501900001"),
            Some("A2"),
        ))
        .unwrap();
        assert_eq!(
            dead.change,
            Change::Deactivate(DeactivationReason::Meninggal)
        );
        let twin = suggest(&row(vec![Flag::Ganda], None, Some("A2"))).unwrap();
        assert_eq!(twin.change, Change::Deactivate(DeactivationReason::Ganda));
        assert!(twin.why(Lang::Id).contains("A2"));
        // The record to keep is not deactivated.
        assert_eq!(suggest(&row(vec![Flag::Ganda], None, Some("A1"))), None);
        let nik = suggest(&row(vec![], Some("3276014501900001"), None)).unwrap();
        assert_eq!(nik.change, Change::CorrectFields);
        assert_eq!(nik.fields["nik"], "3276014501900001");
        // A move needs the operator to find out where: no suggestion.
        assert_eq!(suggest(&row(vec![Flag::Pindah], None, None)), None);
    }
}
