//! The columns of each interchange file, declared once: name, kind and whether the header must have it.
//!
//! Each file type is an enum with one variant per column, in the spec's
//! order, made by [`schema!`]. Readers and writers name a column by its
//! variant (`Registry::Nik`), never by a hand-kept index or a string, and the
//! header check, the XLSX formats and the Parquet types all come from the
//! same [`Column`] list. The names must equal padu-core's public column
//! lists ([`padu_core::REGISTRY_COLUMNS`], [`padu_core::CIVIL_COLUMNS`],
//! [`padu_core::VerificationRow::COLUMNS`]), which other crates write from;
//! a compile-time check below keeps them equal.

use padu_core::{CIVIL_COLUMNS, REGISTRY_COLUMNS, VerificationRow};

use crate::table::Kind;

/// One column of an interchange file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Column {
    /// The header name, as the spec spells it (lower case).
    pub(crate) name: &'static str,
    /// What the column holds.
    pub(crate) kind: Kind,
    /// Whether a file without this column is refused.
    ///
    /// A required column may still have empty cells where the spec allows
    /// them (an unknown NIK, for one); that is checked per row.
    pub(crate) required: bool,
}

/// The columns of one interchange file type, one variant each, in the spec's order.
pub(crate) trait Schema: Copy + 'static {
    /// The worksheet name of a workbook written in this schema.
    const SHEET: &'static str;
    /// Every column, in order; a variant's position is its index here.
    const COLUMNS: &'static [Column];
    /// Every variant, in column order.
    const ALL: &'static [Self];

    /// The column's position in [`Schema::COLUMNS`].
    fn index(self) -> usize;

    /// The column's header name.
    fn name(self) -> &'static str {
        Self::COLUMNS[self.index()].name
    }
}

/// Declares a file type's columns: an enum whose variants are the columns and its [`Schema`].
///
/// Each line is `Variant = "name", Kind;`, with `, required` before the
/// semicolon for a column the header must have.
macro_rules! schema {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident (sheet $sheet:literal) {
            $($variant:ident = $column:literal, $kind:ident $(, $need:ident)?;)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $(
                #[doc = concat!("`", $column, "`")]
                $variant,
            )+
        }

        impl $crate::schema::Schema for $name {
            const SHEET: &'static str = $sheet;
            const COLUMNS: &'static [$crate::schema::Column] = &[$(
                $crate::schema::Column {
                    name: $column,
                    kind: $crate::table::Kind::$kind,
                    required: $crate::schema::schema!(@required $($need)?),
                },
            )+];
            const ALL: &'static [Self] = &[$($name::$variant),+];

            fn index(self) -> usize {
                self as usize
            }
        }
    };
    (@required required) => { true };
    (@required) => { false };
}
pub(crate) use schema;

schema! {
    /// The registry (DTKS) file.
    pub(crate) enum Registry (sheet "registry") {
        IdArt = "id_art", Id, required;
        IdKeluarga = "id_keluarga", Id;
        NoKk = "no_kk", Id, required;
        Nik = "nik", Id, required;
        Nama = "nama", Text, required;
        JenisKelamin = "jenis_kelamin", Text, required;
        TempatLahir = "tempat_lahir", Text;
        TglLahir = "tgl_lahir", Date, required;
        HubunganKeluarga = "hubungan_keluarga", Text;
        NamaIbuKandung = "nama_ibu_kandung", Text;
        Alamat = "alamat", Text;
        Rt = "rt", Id;
        Rw = "rw", Id;
        KodeWilayah = "kode_wilayah", Id, required;
    }
}

schema! {
    /// The civil-registry (Dukcapil) extract.
    pub(crate) enum Civil (sheet "dukcapil") {
        Nik = "nik", Id, required;
        NoKk = "no_kk", Id;
        Nama = "nama", Text, required;
        JenisKelamin = "jenis_kelamin", Text, required;
        TglLahir = "tgl_lahir", Date, required;
        TempatLahir = "tempat_lahir", Text;
        NamaIbuKandung = "nama_ibu_kandung", Text;
        Alamat = "alamat", Text;
        Rt = "rt", Id;
        Rw = "rw", Id;
        KodeWilayah = "kode_wilayah", Id, required;
        StatusHidup = "status_hidup", Text;
        TglMeninggal = "tgl_meninggal", Date;
    }
}

schema! {
    /// The verification result (and a generator's ground truth, which has no `tindakan`).
    pub(crate) enum Results (sheet "hasil") {
        IdArt = "id_art", Id, required;
        Status = "status", Text, required;
        Flags = "flags", Text;
        Tindakan = "tindakan", Text;
        NikUsulan = "nik_usulan", Id;
        Skor = "skor", Number;
        IdKelompokGanda = "id_kelompok_ganda", Id;
        IdArtUtama = "id_art_utama", Id;
        Keterangan = "keterangan", Text;
    }
}

/// Whether `columns` are named `names`, in the same order (usable in constants).
const fn named(columns: &[Column], names: &[&str]) -> bool {
    if columns.len() != names.len() {
        return false;
    }
    let mut i = 0;
    while i < columns.len() {
        let (a, b) = (columns[i].name.as_bytes(), names[i].as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut j = 0;
        while j < a.len() {
            if a[j] != b[j] {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

const _: () = assert!(
    named(Registry::COLUMNS, &REGISTRY_COLUMNS),
    "the registry schema differs from padu_core::REGISTRY_COLUMNS"
);
const _: () = assert!(
    named(Civil::COLUMNS, &CIVIL_COLUMNS),
    "the civil schema differs from padu_core::CIVIL_COLUMNS"
);
const _: () = assert!(
    named(Results::COLUMNS, &VerificationRow::COLUMNS),
    "the result schema differs from padu_core::VerificationRow::COLUMNS"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_name_their_own_column() {
        assert_eq!(Registry::Nik.name(), "nik");
        assert_eq!(Civil::TglMeninggal.name(), "tgl_meninggal");
        assert_eq!(Results::Skor.name(), "skor");
        assert_eq!(Registry::ALL.len(), Registry::COLUMNS.len());
    }

    #[test]
    fn names_are_compared_letter_by_letter() {
        assert!(named(Results::COLUMNS, &VerificationRow::COLUMNS));
        assert!(!named(Civil::COLUMNS, &REGISTRY_COLUMNS));
        let mut renamed = CIVIL_COLUMNS;
        renamed[0] = "nix";
        assert!(!named(Civil::COLUMNS, &renamed));
    }
}
