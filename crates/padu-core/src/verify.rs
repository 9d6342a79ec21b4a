//! The verification result vocabulary of the interchange spec: NIK statuses, flags and actions.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde::Serialize;

use crate::code::{CodeError, CodeKind};
use crate::region::RegionCode;

/// Exactly one per registry person: how its NIK relates to the civil registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum NikStatus {
    /// The NIK exists in the civil registry and the identity agrees.
    Padan,
    /// The NIK exists but belongs to a different identity.
    TidakPadan,
    /// The NIK is well-formed but not in the civil registry.
    NikTidakDitemukan,
    /// The NIK is malformed.
    NikTidakValid,
    /// No NIK was given.
    TanpaNik,
}

impl NikStatus {
    /// Every status, in spec order.
    pub const ALL: [NikStatus; 5] = [
        NikStatus::Padan,
        NikStatus::TidakPadan,
        NikStatus::NikTidakDitemukan,
        NikStatus::NikTidakValid,
        NikStatus::TanpaNik,
    ];

    /// The spec code, e.g. `NIK_TIDAK_DITEMUKAN`.
    pub fn as_str(self) -> &'static str {
        match self {
            NikStatus::Padan => "PADAN",
            NikStatus::TidakPadan => "TIDAK_PADAN",
            NikStatus::NikTidakDitemukan => "NIK_TIDAK_DITEMUKAN",
            NikStatus::NikTidakValid => "NIK_TIDAK_VALID",
            NikStatus::TanpaNik => "TANPA_NIK",
        }
    }
}

/// Zero or more per registry person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Flag {
    /// The person appears more than once in the registry.
    Ganda,
    /// The civil registry records the person as deceased.
    Meninggal,
    /// The birth date or sex embedded in the NIK disagrees with the row.
    NikBedaIdentitas,
    /// The civil-registry domicile is in another regency/city.
    Pindah,
}

impl Flag {
    /// Every flag, in the spec's sort order (alphabetical by code).
    pub const ALL: [Flag; 4] = [
        Flag::Ganda,
        Flag::Meninggal,
        Flag::NikBedaIdentitas,
        Flag::Pindah,
    ];

    /// The spec code.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Ganda => "GANDA",
            Flag::Meninggal => "MENINGGAL",
            Flag::NikBedaIdentitas => "NIK_BEDA_IDENTITAS",
            Flag::Pindah => "PINDAH",
        }
    }

    /// Formats a set of flags as the spec wants: sorted, `;`-separated.
    pub fn join(flags: &[Flag]) -> String {
        let mut v: Vec<&str> = flags.iter().map(|f| f.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v.join(";")
    }

    /// Parses a `;`-separated list of flags; the error names the first unknown one.
    pub fn split(s: &str) -> Result<Vec<Flag>, CodeError> {
        s.split(';')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::parse)
            .collect()
    }
}

/// The action proposed for a registry person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Action {
    /// Keep as is.
    Tetap,
    /// Correct some fields.
    Perbaiki,
    /// Propose deletion (deactivation).
    Hapus,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 3] = [Action::Tetap, Action::Perbaiki, Action::Hapus];

    /// The spec code.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Tetap => "TETAP",
            Action::Perbaiki => "PERBAIKI",
            Action::Hapus => "HAPUS",
        }
    }
}

macro_rules! code_enum_impls {
    ($t:ty, $kind:expr) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = CodeError;
            /// Accepts the spec code in any case.
            fn from_str(s: &str) -> Result<Self, CodeError> {
                let t = s.trim();
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str().eq_ignore_ascii_case(t))
                    .ok_or_else(|| CodeError::new($kind, t))
            }
        }
    };
}
code_enum_impls!(NikStatus, CodeKind::NikStatus);
code_enum_impls!(Flag, CodeKind::Flag);
code_enum_impls!(Action, CodeKind::Action);

/// One row of the verification result file, in the spec's column order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerificationRow {
    /// From the registry file.
    pub id_art: String,
    /// Exactly one NIK status.
    pub status: NikStatus,
    /// Zero or more flags.
    pub flags: Vec<Flag>,
    /// Proposed action.
    pub tindakan: Action,
    /// Proposed NIK when the person was found under another NIK.
    pub nik_usulan: Option<String>,
    /// Match probability of the civil-registry person used for the decision.
    pub skor: Option<f64>,
    /// Duplicate group id shared by every row of the same person.
    pub id_kelompok_ganda: Option<String>,
    /// The `id_art` kept for that group.
    pub id_art_utama: Option<String>,
    /// One sentence in Bahasa Indonesia explaining the decision.
    pub keterangan: String,
}

impl VerificationRow {
    /// The spec's column names, in order.
    pub const COLUMNS: [&'static str; 9] = [
        "id_art",
        "status",
        "flags",
        "tindakan",
        "nik_usulan",
        "skor",
        "id_kelompok_ganda",
        "id_art_utama",
        "keterangan",
    ];

    /// The row as the spec's cells, in column order (score with four decimals).
    pub fn to_cells(&self) -> [String; 9] {
        let mut skor = String::new();
        self.cells(&mut skor).map(Cow::into_owned)
    }

    /// The cells of [`to_cells`](Self::to_cells), borrowed from the row where
    /// they can be; the score is formatted into `skor` (cleared first), so a
    /// writer copies no text but the score's few digits.
    pub fn cells<'a>(&'a self, skor: &'a mut String) -> [Cow<'a, str>; 9] {
        skor.clear();
        if let Some(s) = self.skor {
            // Writing into a String cannot fail.
            let _ = write!(skor, "{s:.4}");
        }
        let flags = if self.flags.is_empty() {
            Cow::Borrowed("")
        } else {
            Cow::Owned(Flag::join(&self.flags))
        };
        let opt = |o: &'a Option<String>| Cow::Borrowed(o.as_deref().unwrap_or(""));
        [
            Cow::Borrowed(self.id_art.as_str()),
            Cow::Borrowed(self.status.as_str()),
            flags,
            Cow::Borrowed(self.tindakan.as_str()),
            opt(&self.nik_usulan),
            Cow::Borrowed(skor.as_str()),
            opt(&self.id_kelompok_ganda),
            opt(&self.id_art_utama),
            Cow::Borrowed(self.keterangan.as_str()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in NikStatus::ALL {
            assert_eq!(s.as_str().parse::<NikStatus>(), Ok(s));
        }
        for f in Flag::ALL {
            assert_eq!(f.as_str().parse::<Flag>(), Ok(f));
        }
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>(), Ok(a));
        }
    }

    #[test]
    fn flags_join_sorted_and_split_back() {
        let s = Flag::join(&[Flag::Pindah, Flag::Ganda, Flag::Meninggal, Flag::Ganda]);
        assert_eq!(s, "GANDA;MENINGGAL;PINDAH");
        assert_eq!(
            Flag::split(&s).unwrap(),
            vec![Flag::Ganda, Flag::Meninggal, Flag::Pindah]
        );
        assert_eq!(Flag::split("").unwrap(), vec![]);
        assert_eq!(
            Flag::split("GANDA; HILANG"),
            Err(CodeError::new(CodeKind::Flag, "HILANG"))
        );
    }
}

/// Counts of one set of results: per status, flag and action.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Number of people.
    pub total: u64,
    /// People per NIK status, in [`NikStatus::ALL`] order.
    pub status: [u64; 5],
    /// People carrying each flag, in [`Flag::ALL`] order.
    pub flags: [u64; 4],
    /// People per proposed action, in [`Action::ALL`] order.
    pub actions: [u64; 3],
}

impl Counts {
    fn add(&mut self, row: &VerificationRow) {
        self.total += 1;
        self.status[NikStatus::ALL
            .iter()
            .position(|s| *s == row.status)
            .expect("known status")] += 1;
        for f in &row.flags {
            self.flags[Flag::ALL.iter().position(|x| x == f).expect("known flag")] += 1;
        }
        self.actions[Action::ALL
            .iter()
            .position(|a| *a == row.tindakan)
            .expect("known action")] += 1;
    }

    /// People with this status.
    pub fn status(&self, s: NikStatus) -> u64 {
        self.status[NikStatus::ALL
            .iter()
            .position(|x| *x == s)
            .expect("known status")]
    }

    /// People with this flag.
    pub fn flag(&self, f: Flag) -> u64 {
        self.flags[Flag::ALL.iter().position(|x| *x == f).expect("known flag")]
    }

    /// People with this action.
    pub fn action(&self, a: Action) -> u64 {
        self.actions[Action::ALL
            .iter()
            .position(|x| *x == a)
            .expect("known action")]
    }

    /// Share of people matched (`PADAN`), in percent.
    pub fn percent_padan(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * self.status(NikStatus::Padan) as f64 / self.total as f64
        }
    }
}

/// The totals operators report: overall, per regency/city and per district.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// All people.
    pub all: Counts,
    /// Per regency/city, ordered by code.
    pub regencies: Vec<(RegionCode, Counts)>,
    /// Per district, ordered by code.
    pub districts: Vec<(RegionCode, Counts)>,
}

impl Summary {
    /// Aggregates results, each paired with the village code of its registry row.
    pub fn of<'a>(rows: impl IntoIterator<Item = (&'a VerificationRow, RegionCode)>) -> Summary {
        use std::collections::BTreeMap;
        let mut all = Counts::default();
        let mut reg: BTreeMap<RegionCode, Counts> = BTreeMap::new();
        let mut dis: BTreeMap<RegionCode, Counts> = BTreeMap::new();
        for (row, code) in rows {
            all.add(row);
            if let Some(r) = code.regency() {
                reg.entry(r).or_default().add(row);
            }
            if let Some(d) = code.district() {
                dis.entry(d).or_default().add(row);
            }
        }
        Summary {
            all,
            regencies: reg.into_iter().collect(),
            districts: dis.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    fn row(id: &str, status: NikStatus, flags: Vec<Flag>, tindakan: Action) -> VerificationRow {
        VerificationRow {
            id_art: id.into(),
            status,
            flags,
            tindakan,
            nik_usulan: None,
            skor: None,
            id_kelompok_ganda: None,
            id_art_utama: None,
            keterangan: String::new(),
        }
    }

    #[test]
    fn summary_counts_per_regency_and_district() {
        let a = RegionCode::parse("32.76.01.1006").unwrap();
        let b = RegionCode::parse("32.76.02.1001").unwrap();
        let c = RegionCode::parse("32.01.01.2001").unwrap();
        let rows = [
            row("1", NikStatus::Padan, vec![], Action::Tetap),
            row("2", NikStatus::Padan, vec![Flag::Meninggal], Action::Hapus),
            row("3", NikStatus::TanpaNik, vec![], Action::Perbaiki),
        ];
        let s = Summary::of([(&rows[0], a), (&rows[1], b), (&rows[2], c)]);
        assert_eq!(s.all.total, 3);
        assert_eq!(s.all.status(NikStatus::Padan), 2);
        assert_eq!(s.all.flag(Flag::Meninggal), 1);
        assert_eq!(s.all.action(Action::Hapus), 1);
        assert_eq!(s.regencies.len(), 2);
        assert_eq!(s.regencies[1].0.to_string(), "32.76");
        assert_eq!(s.regencies[1].1.total, 2);
        assert_eq!(s.districts.len(), 3);
        assert!((s.all.percent_padan() - 66.666).abs() < 0.01);
    }
}
