//! What a proposal (usulan) changes: its kind, and why a member is deactivated.
//!
//! Records are never deleted: a person who died, moved away, was registered
//! twice or no longer qualifies is *deactivated* with one of the
//! [`DeactivationReason`]s, and keeps their record and its history.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::lang::Lang;

/// Declares a code enum: variants with their stored code and Indonesian and English labels.
macro_rules! coded {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal, $id:literal, $en:literal;)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant,)+
        }

        impl $name {
            /// Every value, in the order forms list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The name for people.
            pub fn label(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, Lang::Id) => $id,
                      ($name::$variant, Lang::En) => $en,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ChangeCodeError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(t))
                    .ok_or_else(|| ChangeCodeError {
                        what: $what,
                        value: s.to_string(),
                        accepted: $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    })
            }
        }
    };
}

/// A code that names no kind or reason.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{what} \"{value}\" tidak dikenal; pilihan: {accepted}")]
pub struct ChangeCodeError {
    /// Which code was read (`jenis usulan`, `alasan nonaktif`).
    pub what: &'static str,
    /// What was given.
    pub value: String,
    /// The accepted codes.
    pub accepted: String,
}

coded! {
    /// What a proposal does to the registry.
    pub enum ProposalKind ("jenis usulan") {
        /// Correct fields of a member (and of their household's shared fields).
        CorrectFields = "UBAH_DATA", "Perbaikan data", "Correct data";
        /// Add a member to an existing household.
        AddMember = "TAMBAH_ART", "Tambah anggota keluarga", "Add a household member";
        /// Add a new household with its members.
        AddHousehold = "TAMBAH_KELUARGA", "Tambah keluarga", "Add a household";
        /// Move a member to another household or region.
        Move = "PINDAH", "Pindah keluarga/wilayah", "Move to another household or region";
        /// Deactivate a member, with a [`DeactivationReason`]; the record stays.
        Deactivate = "NONAKTIF", "Nonaktifkan", "Deactivate";
        /// Make a deactivated member active again.
        Reactivate = "AKTIFKAN", "Aktifkan kembali", "Reactivate";
    }
}

coded! {
    /// Why a member is deactivated.
    pub enum DeactivationReason ("alasan nonaktif") {
        /// Died.
        Meninggal = "MENINGGAL", "Meninggal dunia", "Died";
        /// Moved away.
        Pindah = "PINDAH", "Pindah domisili", "Moved away";
        /// Registered twice; the other record is kept.
        Ganda = "GANDA", "Data ganda", "Registered twice";
        /// Cannot be found at the address.
        TidakDitemukan = "TIDAK_DITEMUKAN", "Tidak ditemukan", "Not found";
        /// The NIK or No KK is not valid and cannot be corrected.
        NikKkTidakValid = "NIK_KK_TIDAK_VALID", "NIK/KK tidak valid", "NIK/KK not valid";
        /// No longer eligible.
        TidakLayak = "TIDAK_LAYAK", "Tidak layak lagi", "No longer eligible";
        /// Joined another household.
        BergabungKeluargaLain = "BERGABUNG_KELUARGA_LAIN", "Bergabung dengan keluarga lain", "Joined another household";
    }
}

impl ProposalKind {
    /// Whether the proposal concerns an existing member (every kind but the additions).
    pub fn needs_member(self) -> bool {
        !matches!(self, ProposalKind::AddHousehold | ProposalKind::AddMember)
    }
}

/// What a proposal does, with the reason a deactivation must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// See [`ProposalKind::CorrectFields`].
    CorrectFields,
    /// See [`ProposalKind::AddMember`].
    AddMember,
    /// See [`ProposalKind::AddHousehold`].
    AddHousehold,
    /// See [`ProposalKind::Move`].
    Move,
    /// See [`ProposalKind::Deactivate`].
    Deactivate(DeactivationReason),
    /// See [`ProposalKind::Reactivate`].
    Reactivate,
}

/// A kind and a deactivation reason that do not go together.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChangeError {
    /// A deactivation without its reason.
    #[error("usulan nonaktif harus menyebut alasannya (meninggal, pindah, ganda, ...)")]
    ReasonMissing,
    /// A reason on a proposal that deactivates nobody.
    #[error("alasan nonaktif hanya untuk usulan nonaktif, bukan {0}")]
    ReasonNotApplicable(ProposalKind),
}

impl crate::lang::Localized for ChangeError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::Id) => self.to_string(),
            (ChangeError::ReasonMissing, Lang::En) => {
                "a deactivation must give its reason (died, moved, registered twice, ...)".into()
            }
            (ChangeError::ReasonNotApplicable(k), Lang::En) => {
                format!("a deactivation reason belongs only to a deactivation, not to {k}")
            }
        }
    }
}

impl Change {
    /// Its kind.
    pub fn kind(self) -> ProposalKind {
        match self {
            Change::CorrectFields => ProposalKind::CorrectFields,
            Change::AddMember => ProposalKind::AddMember,
            Change::AddHousehold => ProposalKind::AddHousehold,
            Change::Move => ProposalKind::Move,
            Change::Deactivate(_) => ProposalKind::Deactivate,
            Change::Reactivate => ProposalKind::Reactivate,
        }
    }

    /// The reason of a deactivation.
    pub fn deactivation_reason(self) -> Option<DeactivationReason> {
        match self {
            Change::Deactivate(r) => Some(r),
            _ => None,
        }
    }

    /// Puts a kind and a reason, as stored or typed, back together.
    pub fn from_parts(
        kind: ProposalKind,
        reason: Option<DeactivationReason>,
    ) -> Result<Change, ChangeError> {
        Ok(match (kind, reason) {
            (ProposalKind::Deactivate, Some(r)) => Change::Deactivate(r),
            (ProposalKind::Deactivate, None) => return Err(ChangeError::ReasonMissing),
            (k, Some(_)) => return Err(ChangeError::ReasonNotApplicable(k)),
            (ProposalKind::CorrectFields, None) => Change::CorrectFields,
            (ProposalKind::AddMember, None) => Change::AddMember,
            (ProposalKind::AddHousehold, None) => Change::AddHousehold,
            (ProposalKind::Move, None) => Change::Move,
            (ProposalKind::Reactivate, None) => Change::Reactivate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_list_the_choices() {
        for k in ProposalKind::ALL {
            assert_eq!(k.as_str().parse::<ProposalKind>(), Ok(*k));
            assert_ne!(k.label(Lang::Id), k.label(Lang::En));
        }
        for r in DeactivationReason::ALL {
            assert_eq!(
                r.as_str().to_lowercase().parse::<DeactivationReason>(),
                Ok(*r)
            );
        }
        let e = "HAPUS".parse::<ProposalKind>().unwrap_err();
        assert!(e.to_string().contains("UBAH_DATA, TAMBAH_ART"), "{e}");
        assert_eq!(
            serde_json::to_string(&DeactivationReason::NikKkTidakValid).unwrap(),
            "\"NIK_KK_TIDAK_VALID\""
        );
    }

    #[test]
    fn a_deactivation_and_only_a_deactivation_carries_a_reason() {
        for k in ProposalKind::ALL {
            for r in DeactivationReason::ALL
                .iter()
                .copied()
                .map(Some)
                .chain([None])
            {
                match Change::from_parts(*k, r) {
                    Ok(c) => {
                        assert_eq!((c.kind(), c.deactivation_reason()), (*k, r));
                    }
                    Err(e) => assert!(
                        (*k == ProposalKind::Deactivate) == r.is_none(),
                        "{k} {r:?}: {e}"
                    ),
                }
            }
        }
    }

    #[test]
    fn only_additions_need_no_existing_member() {
        assert!(!ProposalKind::AddHousehold.needs_member());
        assert!(!ProposalKind::AddMember.needs_member());
        assert!(ProposalKind::Deactivate.needs_member());
    }
}
