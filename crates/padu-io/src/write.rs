//! Writing registry, civil-registry and verification-result files as CSV, XLSX or Parquet.
//!
//! Each writer turns its records into cells in its schema's column order
//! and hands them to [`TableWriter`], which picks the format from the file
//! name; how a column is stored (a text cell for an identity number, a
//! `DATE` column in Parquet) follows from its [`Kind`] in [`crate::schema`].

use std::path::Path;

use padu_core::{
    Action, CivilPerson, Flag, NikStatus, RegionCode, RegistryPerson, Summary, VerificationRow,
    regions,
};

use crate::error::WriteError;
use crate::format::{TableWriter, XlsxSink};
use crate::schema::{Civil, Registry, Results, Schema};
use crate::table::{Kind, Out};

/// Creates a file in schema `S` with `extra` more identity-like columns after the schema's own.
fn create<S: Schema>(path: &Path, extra: &[String]) -> Result<TableWriter, WriteError> {
    let mut header: Vec<String> = S::COLUMNS.iter().map(|c| c.name.to_string()).collect();
    header.extend(extra.iter().cloned());
    let mut kinds: Vec<Kind> = S::COLUMNS.iter().map(|c| c.kind).collect();
    // Extra columns may hold codes with leading zeros too; text keeps them as they were.
    kinds.extend(std::iter::repeat_n(Kind::Id, extra.len()));
    TableWriter::create(path, S::SHEET, &header, &kinds)
}

/// The registry person's value in column `c`.
fn registry_cell(p: &RegistryPerson, c: Registry) -> Out<'_> {
    match c {
        Registry::IdArt => p.id_art.as_str().into(),
        Registry::IdKeluarga => (&p.id_keluarga).into(),
        Registry::NoKk => p.no_kk.to_cell().into(),
        Registry::Nik => p.nik.to_cell().into(),
        Registry::Nama => p.nama.as_str().into(),
        Registry::JenisKelamin => p.jenis_kelamin.to_string().into(),
        Registry::TempatLahir => (&p.tempat_lahir).into(),
        Registry::TglLahir => Out::Date(Some(p.tgl_lahir)),
        Registry::HubunganKeluarga => p
            .hubungan_keluarga
            .map_or(Out::EMPTY, |r| r.to_string().into()),
        Registry::NamaIbuKandung => (&p.nama_ibu_kandung).into(),
        Registry::Alamat => (&p.alamat).into(),
        Registry::Rt => (&p.rt).into(),
        Registry::Rw => (&p.rw).into(),
        Registry::KodeWilayah => p.kode_wilayah.to_string().into(),
    }
}

/// The civil-registry resident's value in column `c`.
fn civil_cell(p: &CivilPerson, c: Civil) -> Out<'_> {
    match c {
        Civil::Nik => p.nik.to_string().into(),
        Civil::NoKk => p.no_kk.to_cell().into(),
        Civil::Nama => p.nama.as_str().into(),
        Civil::JenisKelamin => p.jenis_kelamin.to_string().into(),
        Civil::TglLahir => Out::Date(Some(p.tgl_lahir)),
        Civil::TempatLahir => (&p.tempat_lahir).into(),
        Civil::NamaIbuKandung => (&p.nama_ibu_kandung).into(),
        Civil::Alamat => (&p.alamat).into(),
        Civil::Rt => (&p.rt).into(),
        Civil::Rw => (&p.rw).into(),
        Civil::KodeWilayah => p.kode_wilayah.to_string().into(),
        Civil::StatusHidup => p.status_hidup.as_str().into(),
        Civil::TglMeninggal => Out::Date(p.tgl_meninggal),
    }
}

/// What a column of a report (a dashboard table) holds, which decides how a
/// workbook stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// Text.
    Text,
    /// A code that must stay text (a region code with its leading zeros).
    Code,
    /// A whole number.
    Count,
    /// A share between 0 and 1, shown as a percentage in a workbook.
    Percent,
}

/// Writes a small table (`.csv` or `.xlsx`, by extension) with the given
/// header and rows of text cells; returns the number of rows written.
pub fn write_report(
    path: &Path,
    sheet: &str,
    header: &[(String, ReportKind)],
    rows: &[Vec<String>],
) -> Result<u64, WriteError> {
    let names: Vec<String> = header.iter().map(|(n, _)| n.clone()).collect();
    let kinds: Vec<Kind> = header
        .iter()
        .map(|(_, k)| match k {
            ReportKind::Text => Kind::Text,
            ReportKind::Code => Kind::Id,
            ReportKind::Count => Kind::Count,
            ReportKind::Percent => Kind::Percent,
        })
        .collect();
    let mut w = TableWriter::create(path, sheet, &names, &kinds)?;
    for r in rows {
        w.write(r.iter().map(|c| Out::from(c.as_str())))?;
    }
    w.finish()
}

/// Writes a registry file (`.csv`, `.xlsx` or `.parquet`): the spec's columns in order, then the extra columns.
///
/// The extra columns are those of the first person; later people's extra
/// values are written under the column of the same name (empty when absent).
/// Returns the number of rows written.
pub fn write_registry(
    path: &Path,
    people: impl IntoIterator<Item = RegistryPerson>,
) -> Result<u64, WriteError> {
    let mut people = people.into_iter().peekable();
    let extra_names: Vec<String> = people
        .peek()
        .map(|p| p.extra.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let mut w = RegistryWriter::create(path, extra_names)?;
    for p in people {
        w.write(&p)?;
    }
    w.finish()
}

/// Writes a registry file one person at a time, for callers that produce
/// people as they go (an export streamed from the database).
pub struct RegistryWriter {
    table: TableWriter,
    extra_names: Vec<String>,
}

impl RegistryWriter {
    /// Creates the file with the spec's columns followed by `extra_names`.
    pub fn create(path: &Path, extra_names: Vec<String>) -> Result<RegistryWriter, WriteError> {
        Ok(RegistryWriter {
            table: create::<Registry>(path, &extra_names)?,
            extra_names,
        })
    }

    /// Writes one person; extra values go under the column of the same name.
    pub fn write(&mut self, p: &RegistryPerson) -> Result<(), WriteError> {
        let extra = self.extra_names.iter().map(|name| {
            p.extra
                .iter()
                .find(|(k, _)| k == name)
                .map_or(Out::EMPTY, |(_, v)| v.as_str().into())
        });
        self.table.write(
            Registry::ALL
                .iter()
                .map(|c| registry_cell(p, *c))
                .chain(extra),
        )
    }

    /// Flushes, saves or closes the file; returns the number of rows written.
    pub fn finish(self) -> Result<u64, WriteError> {
        self.table.finish()
    }
}

/// Writes a civil-registry extract (`.csv`, `.xlsx` or `.parquet`) in the spec's column order.
///
/// Returns the number of rows written.
pub fn write_civil(
    path: &Path,
    people: impl IntoIterator<Item = CivilPerson>,
) -> Result<u64, WriteError> {
    let mut w = create::<Civil>(path, &[])?;
    for p in people {
        w.write(Civil::ALL.iter().map(|c| civil_cell(&p, *c)))?;
    }
    w.finish()
}

/// Writes verification results row by row, in the spec's columns ([`VerificationRow::COLUMNS`]).
///
/// `.csv`, `.xlsx` or `.parquet`; in XLSX the score is a number cell and ids are text
/// cells, in Parquet every column is a string, as in CSV.
pub struct ResultWriter {
    table: TableWriter,
}

impl ResultWriter {
    /// Creates the file and writes the header.
    pub fn create(path: &Path) -> Result<ResultWriter, WriteError> {
        Ok(ResultWriter {
            table: create::<Results>(path, &[])?,
        })
    }

    /// Writes one row.
    pub fn write(&mut self, row: &VerificationRow) -> Result<(), WriteError> {
        // `cells` follows `VerificationRow::COLUMNS`, which the result schema is checked against.
        let mut skor = String::new();
        self.table
            .write(row.cells(&mut skor).into_iter().map(Out::from))
    }

    /// Writes every row, in order: for a CSV file, blocks of rows are
    /// encoded on `threads` threads; the file is the one [`write`](Self::write)
    /// row by row gives.
    pub fn write_all(
        &mut self,
        rows: &[VerificationRow],
        threads: usize,
    ) -> Result<(), WriteError> {
        self.table.write_all(rows, threads, |row, out| {
            let mut skor = String::new();
            out.write(row.cells(&mut skor).into_iter().map(Out::from))
        })
    }

    /// Flushes (CSV), saves (XLSX) or closes (Parquet) the file; returns the number of rows written.
    pub fn finish(self) -> Result<u64, WriteError> {
        self.table.finish()
    }
}

/// Who a verification result is about: what the people-readable workbook shows beside it.
#[derive(Debug, Clone, Copy)]
pub struct ResultSubject<'a> {
    /// The registry person.
    pub person: &'a RegistryPerson,
}

/// The result workbook's first sheet: who (id, name, numbers, village), then the spec's result columns.
const BOOK_COLUMNS: [(&str, Kind, f64); 15] = [
    ("id_art", Kind::Id, 16.0),
    ("nama", Kind::Text, 28.0),
    ("nik", Kind::Id, 19.0),
    ("no_kk", Kind::Id, 19.0),
    ("desa_kelurahan", Kind::Text, 20.0),
    ("kecamatan", Kind::Text, 18.0),
    ("kode_wilayah", Kind::Id, 15.0),
    ("status", Kind::Text, 22.0),
    ("flags", Kind::Text, 20.0),
    ("tindakan", Kind::Text, 10.0),
    ("nik_usulan", Kind::Id, 19.0),
    ("skor", Kind::Number, 8.0),
    ("id_kelompok_ganda", Kind::Id, 18.0),
    ("id_art_utama", Kind::Id, 16.0),
    ("keterangan", Kind::Text, 90.0),
];

/// The region's name, or its code when the bundled list does not have it.
fn region_label(code: Option<RegionCode>) -> String {
    code.map(|c| {
        regions()
            .get(c)
            .map_or_else(|| c.to_string(), |info| info.name.clone())
    })
    .unwrap_or_default()
}

/// Writes the verification result as a workbook for people (`.xlsx` only).
///
/// The first sheet, `hasil`, has one row per person: who it is (`id_art`,
/// name, NIK, No KK, village and district names, region code) and then the
/// spec's result columns, with an autofilter, readable widths and the header,
/// id and name kept in view. Then `ringkasan_kabupaten` and
/// `ringkasan_kecamatan` count statuses, flags and actions per regency and
/// district. [`crate::read_results`] reads it back by column name; CSV and
/// Parquet results ([`ResultWriter`]) stay the exact machine format.
/// Returns the number of result rows written.
pub fn write_result_workbook<'a>(
    path: &Path,
    rows: impl IntoIterator<Item = (&'a VerificationRow, ResultSubject<'a>)>,
    summary: &Summary,
) -> Result<u64, WriteError> {
    let is_xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if !is_xlsx {
        return Err(WriteError::UnsupportedExtension {
            path: path.display().to_string(),
            ext: path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_string(),
        });
    }
    let header: Vec<String> = BOOK_COLUMNS.iter().map(|c| c.0.to_string()).collect();
    let kinds: Vec<Kind> = BOOK_COLUMNS.iter().map(|c| c.1).collect();
    let widths: Vec<f64> = BOOK_COLUMNS.iter().map(|c| c.2).collect();
    let mut book = XlsxSink::without_sheets(path);
    book.start_sheet("hasil", &header, &kinds, &widths, true, 2)?;
    let mut n = 0u64;
    for (row, who) in rows {
        let p = who.person;
        let [
            id_art,
            status,
            flags,
            tindakan,
            nik_usulan,
            skor,
            group,
            keep,
            keterangan,
        ] = row.to_cells();
        let cells: [Out<'_>; 15] = [
            id_art.into(),
            p.nama.as_str().into(),
            p.nik.to_cell().into(),
            p.no_kk.to_cell().into(),
            region_label(Some(p.kode_wilayah)).into(),
            region_label(p.kode_wilayah.district()).into(),
            p.kode_wilayah.to_string().into(),
            status.into(),
            flags.into(),
            tindakan.into(),
            nik_usulan.into(),
            skor.into(),
            group.into(),
            keep.into(),
            keterangan.into(),
        ];
        book.write(cells)?;
        n += 1;
    }
    for (sheet, counts) in [
        ("ringkasan_kabupaten", &summary.regencies),
        ("ringkasan_kecamatan", &summary.districts),
    ] {
        let mut header: Vec<String> = ["kode_wilayah", "nama", "jumlah", "persen_padan"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        header.extend(NikStatus::ALL.iter().map(|s| s.as_str().to_string()));
        header.extend(Flag::ALL.iter().map(|f| f.as_str().to_string()));
        header.extend(Action::ALL.iter().map(|a| a.as_str().to_string()));
        let mut kinds = vec![Kind::Id, Kind::Text, Kind::Count, Kind::Percent];
        kinds.resize(header.len(), Kind::Count);
        let mut widths = vec![14.0, 30.0];
        widths.resize(header.len(), 0.0);
        for (w, h) in widths.iter_mut().zip(&header).skip(2) {
            *w = (h.chars().count() as f64 + 2.0).max(9.0);
        }
        book.start_sheet(sheet, &header, &kinds, &widths, true, 2)?;
        let total = [(None, &summary.all)];
        let rows = total
            .into_iter()
            .chain(counts.iter().map(|(code, c)| (Some(*code), c)));
        for (code, c) in rows {
            let mut cells: Vec<Out<'_>> = vec![
                code.map_or_else(|| "semua".to_string(), |c| c.to_string())
                    .into(),
                code.map_or_else(|| "Semua wilayah".to_string(), |c| region_label(Some(c)))
                    .into(),
                c.total.to_string().into(),
                format!("{:.4}", c.percent_padan() / 100.0).into(),
            ];
            cells.extend(
                NikStatus::ALL
                    .iter()
                    .map(|s| c.status(*s).to_string().into()),
            );
            cells.extend(Flag::ALL.iter().map(|f| c.flag(*f).to_string().into()));
            cells.extend(Action::ALL.iter().map(|a| c.action(*a).to_string().into()));
            book.write(cells)?;
        }
    }
    book.finish()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use calamine::{Reader, open_workbook_auto};
    use chrono::NaiveDate;
    use padu_core::{REGISTRY_COLUMNS, Summary};

    use super::*;
    use crate::{ReadOptions, RegistryReader, read_results};

    /// Rows encoded in blocks on several threads make the file that writing
    /// them one by one makes, byte for byte, across several blocks and with
    /// cells that need quoting.
    #[test]
    fn results_written_on_threads_are_the_file_written_row_by_row() {
        let dir = tempfile::tempdir().unwrap();
        let rows: Vec<VerificationRow> = (0..10_000)
            .map(|i| VerificationRow {
                id_art: format!("ART{i:09}"),
                status: NikStatus::ALL[i % NikStatus::ALL.len()],
                flags: if i % 3 == 0 {
                    vec![Flag::Ganda, Flag::Meninggal]
                } else {
                    Vec::new()
                },
                tindakan: Action::ALL[i % Action::ALL.len()],
                nik_usulan: (i % 4 == 0).then(|| format!("32730152058{i:05}")),
                skor: (i % 5 != 0).then(|| 1.0 / (1.0 + i as f64)),
                id_kelompok_ganda: (i % 3 == 0).then(|| format!("G{}", i / 3)),
                id_art_utama: None,
                keterangan: format!("NIK padan; nama \"SITI, {i}\" diperbaiki"),
            })
            .collect();
        let one_by_one = dir.path().join("one.csv");
        let mut w = ResultWriter::create(&one_by_one).unwrap();
        for r in &rows {
            w.write(r).unwrap();
        }
        assert_eq!(w.finish().unwrap(), 10_000);
        let expected = std::fs::read(&one_by_one).unwrap();
        for threads in [1, 2, 3] {
            let path = dir.path().join(format!("t{threads}.csv"));
            let mut w = ResultWriter::create(&path).unwrap();
            w.write_all(&rows, threads).unwrap();
            assert_eq!(w.finish().unwrap(), 10_000);
            assert!(
                std::fs::read(&path).unwrap() == expected,
                "{threads} threads"
            );
        }
        let back = read_results(&one_by_one).unwrap();
        assert_eq!(back.len(), rows.len());
        assert_eq!(back[9_999].keterangan, rows[9_999].keterangan);
        assert_eq!(back[9_999].flags, rows[9_999].flags);
    }

    #[test]
    fn the_result_workbook_names_people_and_reads_back_as_results() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("dtks.csv");
        std::fs::write(
            &csv,
            format!(
                "{}\nART1,KEL1,3276011502100001,3276012505900001,SITI AMINAH,P,DEPOK,1990-05-25,KEPALA KELUARGA,RAHMAH,JL. MAWAR,001,002,32.76.01.1006\n\
                 ART2,KEL1,3276011502100001,,BUDI,L,DEPOK,2012-01-02,ANAK,SITI AMINAH,JL. MAWAR,001,002,32.76.01.1006\n",
                REGISTRY_COLUMNS.join(",")
            ),
        )
        .unwrap();
        let opts = ReadOptions {
            today: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            sheet: None,
            max_issues: 10,
            mapping: Default::default(),
        };
        let people: Vec<RegistryPerson> = RegistryReader::open(&csv, &opts)
            .unwrap()
            .filter_map(|r| r.record)
            .collect();
        assert_eq!(people.len(), 2);
        let rows = vec![
            VerificationRow {
                id_art: "ART1".into(),
                status: NikStatus::Padan,
                flags: vec![],
                tindakan: Action::Tetap,
                nik_usulan: None,
                skor: Some(0.99),
                id_kelompok_ganda: None,
                id_art_utama: None,
                keterangan: "NIK padan; data sesuai.".into(),
            },
            VerificationRow {
                id_art: "ART2".into(),
                status: NikStatus::TanpaNik,
                flags: vec![Flag::Ganda],
                tindakan: Action::Perbaiki,
                nik_usulan: Some("3276010201120001".into()),
                skor: None,
                id_kelompok_ganda: Some("G1".into()),
                id_art_utama: Some("ART2".into()),
                keterangan: "Tanpa NIK.".into(),
            },
        ];
        let summary = Summary::of(rows.iter().zip(&people).map(|(r, p)| (r, p.kode_wilayah)));
        let path = dir.path().join("hasil.xlsx");
        let subjects = people.iter().map(|person| ResultSubject { person });
        assert_eq!(
            write_result_workbook(&path, rows.iter().zip(subjects), &summary).unwrap(),
            2
        );

        // Padu reads it back by column name, exactly.
        assert_eq!(read_results(&path).unwrap(), rows);

        // People see who each row is, and a summary per regency and district.
        let mut book = open_workbook_auto(&path).unwrap();
        assert_eq!(
            book.sheet_names(),
            vec!["hasil", "ringkasan_kabupaten", "ringkasan_kecamatan"]
        );
        let hasil = book.worksheet_range("hasil").unwrap();
        let row = |r: usize| -> Vec<String> {
            hasil
                .rows()
                .nth(r)
                .unwrap()
                .iter()
                .map(|c| c.to_string())
                .collect()
        };
        assert_eq!(
            &row(0)[..5],
            ["id_art", "nama", "nik", "no_kk", "desa_kelurahan"]
        );
        assert_eq!(
            &row(1)[..6],
            [
                "ART1",
                "SITI AMINAH",
                "3276012505900001",
                "3276011502100001",
                "Depok",
                "Pancoran Mas"
            ]
        );
        let kab = book.worksheet_range("ringkasan_kabupaten").unwrap();
        let kab: Vec<Vec<String>> = kab
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(kab[1][..3], ["semua", "Semua wilayah", "2"]);
        assert_eq!(kab[2][..3], ["32.76", "Kota Depok", "2"]);
        // Only .xlsx: CSV and Parquet stay the spec's machine format.
        assert!(
            write_result_workbook(&dir.path().join("x.csv"), std::iter::empty(), &summary).is_err()
        );
    }
}
