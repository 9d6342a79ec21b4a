//! What a proposal (usulan) changes: its kind, and why a member is deactivated.
//!
//! Records are never deleted: a person who died, moved away, was registered
//! twice or no longer qualifies is *deactivated* with one of the
//! [`DeactivationReason`]s, and keeps their record and its history.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::lang::{Lang, Localized};
use crate::person::{IdField, RegistryPerson, Relation, Sex};

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

/// A proposed value that cannot go into the registry.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct FieldValueError {
    /// The field, as named in proposals (`tgl_lahir`, ...).
    pub field: String,
    /// What is wrong, in Indonesian.
    pub message: String,
    /// What is wrong, in English.
    pub message_en: String,
}

impl Localized for FieldValueError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => format!("{}: {}", self.field, self.message_en),
        }
    }
}

/// The fields a correction or a move may change, in the order forms show them
/// (each has a locale key `field.<name>` in the server).
pub const CORRECTABLE_FIELDS: [&str; 10] = [
    "nama",
    "nik",
    "no_kk",
    "jenis_kelamin",
    "tempat_lahir",
    "tgl_lahir",
    "hubungan_keluarga",
    "nama_ibu_kandung",
    "alamat",
    "kode_wilayah",
];

/// A member's value of a field as [`apply_fields`] reads it back: text, a
/// date as `YYYY-MM-DD`, a code as its code, an empty field as "".
pub fn field_value(p: &RegistryPerson, field: &str) -> String {
    match field {
        "nama" => p.nama.to_string(),
        "nik" => p.nik.to_cell(),
        "no_kk" => p.no_kk.to_cell(),
        "jenis_kelamin" => p.jenis_kelamin.as_str().to_string(),
        "tempat_lahir" => p.tempat_lahir.as_deref().unwrap_or_default().to_string(),
        "tgl_lahir" => p.tgl_lahir.to_string(),
        "hubungan_keluarga" => p
            .hubungan_keluarga
            .map(|r| r.as_str().to_string())
            .unwrap_or_default(),
        "nama_ibu_kandung" => p
            .nama_ibu_kandung
            .as_deref()
            .unwrap_or_default()
            .to_string(),
        "alamat" => p.alamat.as_deref().unwrap_or_default().to_string(),
        "rt" => p.rt.as_deref().unwrap_or_default().to_string(),
        "rw" => p.rw.as_deref().unwrap_or_default().to_string(),
        "kode_wilayah" => p.kode_wilayah.compact(),
        "id_keluarga" => p.id_keluarga.as_deref().unwrap_or_default().to_string(),
        _ => String::new(),
    }
}

/// `person` with the fields of a correction or a move set to the proposed values.
///
/// Field names are those of the registry file (`nama`, `nik`, `no_kk`,
/// `jenis_kelamin`, `tempat_lahir`, `tgl_lahir`, `hubungan_keluarga`,
/// `nama_ibu_kandung`, `alamat`, `rt`, `rw`, `kode_wilayah`, `id_keluarga`);
/// an empty value empties an optional field. A NIK or No KK that is not valid
/// is kept as data (as an import keeps it); anything else that does not parse
/// is an error naming the field. `today` fixes the century of a NIK's year.
pub fn apply_fields(
    person: &RegistryPerson,
    fields: &BTreeMap<String, String>,
    today: NaiveDate,
) -> Result<RegistryPerson, FieldValueError> {
    let bad = |field: &str, id: String, en: String| FieldValueError {
        field: field.to_string(),
        message: id,
        message_en: en,
    };
    let opt = |v: &str| {
        let t = v.trim();
        (!t.is_empty()).then(|| crate::Text::from(t))
    };
    let mut p = person.clone();
    for (field, value) in fields {
        let v = value.trim();
        match field.as_str() {
            "nama" => {
                if v.is_empty() {
                    return Err(bad(
                        field,
                        "nama wajib diisi".into(),
                        "the name must not be empty".into(),
                    ));
                }
                p.nama = v.into();
            }
            "nik" => {
                p.nik = if v.is_empty() {
                    IdField::Missing
                } else {
                    IdField::parse_nik(v, today)
                }
            }
            "no_kk" => {
                p.no_kk = if v.is_empty() {
                    IdField::Missing
                } else {
                    IdField::parse_kk(v)
                }
            }
            "jenis_kelamin" => {
                p.jenis_kelamin = Sex::parse(v)
                    .map_err(|e| bad(field, e.message(Lang::Id), e.message(Lang::En)))?;
            }
            "tempat_lahir" => p.tempat_lahir = opt(v),
            "tgl_lahir" => {
                let d = crate::date::parse_date(v)
                    .map_err(|e| bad(field, e.message(Lang::Id), e.message(Lang::En)))?;
                if d > today {
                    return Err(bad(
                        field,
                        format!("tanggal {v} ada di masa depan"),
                        format!("date {v} is in the future"),
                    ));
                }
                p.tgl_lahir = d;
            }
            "hubungan_keluarga" => {
                p.hubungan_keluarga = match opt(v) {
                    None => None,
                    Some(t) => Some(
                        t.parse::<Relation>()
                            .map_err(|e| bad(field, e.message(Lang::Id), e.message(Lang::En)))?,
                    ),
                }
            }
            "nama_ibu_kandung" => p.nama_ibu_kandung = opt(v),
            "alamat" => p.alamat = opt(v),
            "rt" => p.rt = opt(v),
            "rw" => p.rw = opt(v),
            "kode_wilayah" => {
                p.kode_wilayah = crate::region::regions()
                    .parse_village(v)
                    .map_err(|e| bad(field, e.message(Lang::Id), e.message(Lang::En)))?;
            }
            "id_keluarga" => p.id_keluarga = opt(v),
            other => {
                return Err(bad(
                    other,
                    "bukan kolom yang dapat diperbaiki".into(),
                    "is not a field that can be corrected".into(),
                ));
            }
        }
    }
    Ok(p)
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
    fn proposed_values_go_into_a_person_or_name_the_field_that_cannot() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let p = RegistryPerson {
            id_art: "A1".into(),
            id_keluarga: Some("K1".into()),
            no_kk: IdField::Missing,
            nik: IdField::Missing,
            nama: "BUDI".into(),
            jenis_kelamin: Sex::L,
            tempat_lahir: None,
            tgl_lahir: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            hubungan_keluarga: None,
            nama_ibu_kandung: None,
            alamat: None,
            rt: None,
            rw: None,
            kode_wilayah: crate::region::RegionCode::parse("3276011006").unwrap(),
            extra: Vec::new(),
        };
        let f = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        let q = apply_fields(
            &p,
            &f(&[
                ("nama", "BUDI SANTOSO"),
                ("tgl_lahir", "05-01-1990"),
                ("kode_wilayah", "3276011007"),
                ("nik", "123"),
            ]),
            today,
        )
        .unwrap();
        assert_eq!(q.nama, "BUDI SANTOSO");
        assert_eq!(q.tgl_lahir, NaiveDate::from_ymd_opt(1990, 1, 5).unwrap());
        assert_eq!(q.kode_wilayah.compact(), "3276011007");
        assert!(
            matches!(q.nik, IdField::Invalid(_)),
            "an invalid NIK is kept as data"
        );
        for bad in [
            ("tgl_lahir", "31/02/1990"),
            ("jenis_kelamin", "X"),
            ("kode_wilayah", "9999999999"),
            ("warna", "biru"),
            ("nama", " "),
        ] {
            let e = apply_fields(&p, &f(&[bad]), today).unwrap_err();
            assert_eq!(e.field, bad.0, "{e}");
        }
    }

    #[test]
    fn a_field_read_with_field_value_goes_back_unchanged() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let p = RegistryPerson {
            id_art: "A1".into(),
            id_keluarga: Some("K1".into()),
            no_kk: IdField::parse_kk("3276010101200001"),
            nik: IdField::parse_nik("3276014501900001", today),
            nama: "SITI".into(),
            jenis_kelamin: Sex::P,
            tempat_lahir: Some("DEPOK".into()),
            tgl_lahir: NaiveDate::from_ymd_opt(1990, 1, 5).unwrap(),
            hubungan_keluarga: Some(Relation::Anak),
            nama_ibu_kandung: Some("AMINAH".into()),
            alamat: Some("JL. MAWAR".into()),
            rt: Some("001".into()),
            rw: Some("002".into()),
            kode_wilayah: crate::region::RegionCode::parse("3276011006").unwrap(),
            extra: Vec::new(),
        };
        for field in CORRECTABLE_FIELDS
            .iter()
            .chain(&["rt", "rw", "id_keluarga"])
        {
            let one = BTreeMap::from([(field.to_string(), field_value(&p, field))]);
            assert_eq!(apply_fields(&p, &one, today).as_ref(), Ok(&p), "{field}");
        }
    }

    #[test]
    fn only_additions_need_no_existing_member() {
        assert!(!ProposalKind::AddHousehold.needs_member());
        assert!(!ProposalKind::AddMember.needs_member());
        assert!(ProposalKind::Deactivate.needs_member());
    }
}
