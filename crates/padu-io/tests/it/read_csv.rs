//! Reading registry and civil-registry CSV files: delimiters, encodings, headers and row problems.

use crate::common::{fixture, opts};

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use padu_core::{IdField, Lang, LifeStatus, NikError, Relation, Sex};
use padu_io::{CivilReader, ReadError, RegistryReader, Row, Severity};

/// Writes `bytes` to a file called `name` in a fresh temporary directory.
fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn read_registry(path: &Path) -> Vec<Row<padu_core::RegistryPerson>> {
    RegistryReader::open(path, &opts()).unwrap().collect()
}

const HEADER: &str = "id_art,id_keluarga,no_kk,nik,nama,jenis_kelamin,tempat_lahir,tgl_lahir,hubungan_keluarga,nama_ibu_kandung,alamat,rt,rw,kode_wilayah";

#[test]
fn semicolon_file_with_bom_and_odd_header_case_reads_every_column() {
    let rows = read_registry(&fixture("registry_semicolon_bom.csv"));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].row, 2);
    assert!(rows[0].issues.is_empty(), "{:?}", rows[0].issues);
    let p = rows[0].record.as_ref().unwrap();
    assert_eq!(p.id_art, "A1");
    assert_eq!(p.nama, "Siti Aminah");
    assert_eq!(p.nik.to_cell(), "3276014501900001");
    assert!(matches!(p.nik, IdField::Valid(_)));
    assert!(matches!(p.no_kk, IdField::Valid(_)));
    assert_eq!(p.jenis_kelamin, Sex::P);
    assert_eq!(p.tgl_lahir, NaiveDate::from_ymd_opt(1990, 1, 5).unwrap());
    assert_eq!(p.kode_wilayah.to_string(), "32.76.01.1006");
    assert_eq!(p.hubungan_keluarga, Some(Relation::Kepala));
    assert_eq!(
        p.extra,
        vec![("program_bansos".to_string(), "PKH".to_string())]
    );
    let q = rows[1].record.as_ref().unwrap();
    assert_eq!(q.nik, IdField::Missing);
    assert_eq!(q.no_kk, IdField::Missing);
    assert_eq!(q.kode_wilayah.to_string(), "32.76.01.1007");
    assert_eq!(q.extra, vec![("program_bansos".to_string(), String::new())]);
}

#[test]
fn tab_separated_file_with_dd_mm_yyyy_dates_reads() {
    let rows = read_registry(&fixture("registry_tab.csv"));
    assert_eq!(rows.len(), 1);
    let p = rows[0].record.as_ref().expect("row is valid");
    assert_eq!(p.nama, "Dewi Lestari");
    assert_eq!(p.jenis_kelamin, Sex::P);
    assert_eq!(p.tgl_lahir, NaiveDate::from_ymd_opt(1990, 1, 5).unwrap());
}

#[test]
fn windows_1252_text_is_decoded_correctly_with_one_warning() {
    let r = RegistryReader::open(&fixture("registry_windows1252.csv"), &opts()).unwrap();
    let warnings: Vec<String> = r.file_issues().iter().map(|i| i.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("bukan UTF-8"), "{}", warnings[0]);
    assert!(warnings[0].contains("Windows-1252"), "{}", warnings[0]);
    assert_eq!(r.file_issues()[0].severity, Severity::Warning);
    let rows: Vec<_> = r.collect();
    let p = rows[0].record.as_ref().unwrap();
    assert_eq!(p.nama, "José Ramírez");
    assert_eq!(p.alamat.as_deref(), Some("Jl. Café No. 1"));
    assert!(rows[0].issues.is_empty());
}

#[test]
fn windows_1252_bytes_beyond_the_sniffed_start_are_decoded_and_reported_on_their_row() {
    let mut bytes = format!("{HEADER}\n").into_bytes();
    for i in 0..3000 {
        bytes.extend_from_slice(
            format!("R{i},,,,Nama Biasa Yang Cukup Panjang,L,,1990-01-01,,,,,,3276011006\n")
                .as_bytes(),
        );
    }
    bytes.extend_from_slice(b"Z1,,,,Ren\xe9,L,,1990-01-01,,,,,,3276011006\n");
    let (_d, path) = temp_file("late.csv", &bytes);
    let r = RegistryReader::open(&path, &opts()).unwrap();
    assert!(r.file_issues().is_empty());
    let rows: Vec<_> = r.collect();
    let last = rows.last().unwrap();
    assert_eq!(last.record.as_ref().unwrap().nama, "René");
    assert_eq!(last.issues.len(), 1);
    assert_eq!(last.issues[0].code, "BUKAN_UTF8");
    assert_eq!(last.issues[0].row, 3002);
    assert_eq!(last.issues[0].column.as_deref(), Some("nama"));
}

#[test]
fn utf16_file_with_bom_is_decoded() {
    let text = "id_art;nik;no_kk;nama;jenis_kelamin;tgl_lahir;kode_wilayah\r\nU1;;;Zoë;P;1990-01-05;32.76.01.1006\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let (_d, path) = temp_file("utf16.csv", &bytes);
    let rows = read_registry(&path);
    assert_eq!(rows[0].record.as_ref().unwrap().nama, "Zoë");
}

#[test]
fn binary_content_is_refused_as_not_text() {
    let (_d, path) = temp_file("registry.csv", b"PK\x03\x04\x00\x00binary");
    let err = RegistryReader::open(&path, &opts()).err().unwrap();
    assert!(matches!(err, ReadError::Undecodable { .. }), "{err:?}");
    assert!(err.to_string().contains("NUL"), "{err}");
}

#[test]
fn empty_and_missing_files_and_unknown_extensions_are_read_errors() {
    let (_d, path) = temp_file("registry.csv", b"");
    assert!(matches!(
        RegistryReader::open(&path, &opts()),
        Err(ReadError::Empty { .. })
    ));
    assert!(matches!(
        RegistryReader::open(Path::new("/nonexistent/registry.csv"), &opts()),
        Err(ReadError::NotFound { .. })
    ));
    let (_d2, path) = temp_file("registry.json", b"{}");
    assert!(matches!(
        RegistryReader::open(&path, &opts()),
        Err(ReadError::UnsupportedExtension { .. })
    ));
}

#[test]
fn every_missing_required_column_is_listed_at_once() {
    let (_d, path) = temp_file("registry.csv", b"id_art,nama,alamat\nA,B,C\n");
    let err = RegistryReader::open(&path, &opts()).err().unwrap();
    let ReadError::MissingColumns(issues) = &err else {
        panic!("{err:?}")
    };
    let cols: Vec<&str> = issues.iter().filter_map(|i| i.column.as_deref()).collect();
    assert_eq!(
        cols,
        ["no_kk", "nik", "jenis_kelamin", "tgl_lahir", "kode_wilayah"]
    );
    assert!(issues.iter().all(|i| i.row == 1));
    assert!(
        err.to_string()
            .contains("registry.csv:1:no_kk: kolom wajib \"no_kk\" tidak ada"),
        "{err}"
    );
    assert_eq!(err.issues().len(), 5);
}

#[test]
fn a_column_named_twice_is_a_read_error() {
    let (_d, path) = temp_file("registry.csv", format!("{HEADER},NAMA\n").as_bytes());
    assert!(matches!(
        RegistryReader::open(&path, &opts()),
        Err(ReadError::DuplicateColumns(_))
    ));
}

/// The issues of the fixture with one problem per row, keyed by row.
fn problem_rows() -> Vec<Row<padu_core::RegistryPerson>> {
    read_registry(&fixture("registry_problems.csv"))
}

#[test]
fn excel_scientific_nik_is_kept_raw_with_a_warning_naming_excel() {
    let rows = problem_rows();
    let r = &rows[0];
    assert_eq!(r.row, 2);
    let p = r
        .record
        .as_ref()
        .expect("a mangled NIK does not refuse the row");
    assert_eq!(
        p.nik,
        IdField::invalid(
            "3.27601E+15",
            NikError::ExcelScientific("3.27601E+15".into())
        )
    );
    assert_eq!(r.issues.len(), 1);
    let i = &r.issues[0];
    assert_eq!(i.severity, Severity::Warning);
    assert_eq!(i.column.as_deref(), Some("nik"));
    assert!(
        i.to_string()
            .starts_with("registry_problems.csv:2:nik: NIK tidak valid")
            || i.to_string()
                .contains("registry_problems.csv:2:nik: NIK tidak valid"),
        "{i}"
    );
    assert!(i.text_id.contains("Excel"), "{i}");
    assert!(i.message(Lang::En).contains("Excel"));
}

#[test]
fn excel_decimal_nik_is_kept_and_unknown_relation_is_a_warning() {
    let rows = problem_rows();
    let r = &rows[1];
    let p = r.record.as_ref().unwrap();
    assert!(matches!(p.nik.error(), Some(NikError::ExcelDecimal(_))));
    assert_eq!(p.hubungan_keluarga, None);
    let codes: Vec<&str> = r.issues.iter().map(|i| i.code).collect();
    assert_eq!(codes, ["EXCEL_DESIMAL", "HUBUNGAN_TIDAK_DIKENAL"]);
    assert!(r.issues.iter().all(|i| i.severity == Severity::Warning));
}

#[test]
fn placeholder_nik_is_kept_with_a_warning_that_it_means_no_nik() {
    let rows = problem_rows();
    let r = &rows[2];
    assert!(matches!(
        r.record.as_ref().unwrap().nik.error(),
        Some(NikError::Placeholder(_))
    ));
    assert!(r.issues[0].text_id.contains("tanpa NIK"), "{}", r.issues[0]);
}

#[test]
fn unknown_sex_is_a_row_error() {
    let rows = problem_rows();
    let r = &rows[3];
    assert!(r.record.is_none());
    assert_eq!(r.issues.len(), 1);
    assert_eq!(
        r.issues[0].to_string(),
        "registry_problems.csv:5:jenis_kelamin: jenis kelamin \"X\" tidak dikenal; gunakan L atau P"
            .replace("registry_problems.csv", &fixture("registry_problems.csv").display().to_string())
    );
}

#[test]
fn impossible_date_is_a_row_error_in_the_spec_format() {
    let rows = problem_rows();
    let r = &rows[4];
    assert!(r.record.is_none());
    let msg = r.issues[0].to_string();
    assert!(
        msg.ends_with(
            "registry_problems.csv:6:tgl_lahir: tanggal \"31/02/1990\" tidak ada di kalender"
        ),
        "{msg}"
    );
}

#[test]
fn duplicate_id_art_is_an_error_naming_the_first_row() {
    let rows = problem_rows();
    let r = &rows[5];
    assert_eq!(r.row, 7);
    assert!(r.record.is_none());
    assert_eq!(r.issues[0].code, "ID_GANDA");
    assert!(
        r.issues[0].text_id.contains("sudah dipakai di baris 2"),
        "{}",
        r.issues[0]
    );
    assert!(r.issues[0].text_en.contains("row 2"));
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_an_error() {
    let rows = problem_rows();
    let r = &rows[6];
    assert_eq!(r.row, 8);
    assert!(r.record.is_none());
    assert_eq!(r.issues.len(), 1);
    assert_eq!(r.issues[0].code, "JUMLAH_KOLOM_SALAH");
    assert!(r.issues[0].text_id.contains("6 kolom"), "{}", r.issues[0]);
}

#[test]
fn unknown_village_is_an_error_and_retired_village_a_warning() {
    let rows = problem_rows();
    assert!(rows[7].record.is_none());
    assert_eq!(rows[7].issues[0].code, "WILAYAH_TIDAK_VALID");
    let retired = &rows[8];
    assert_eq!(
        retired.record.as_ref().unwrap().kode_wilayah.to_string(),
        "11.72.01.2001"
    );
    assert_eq!(retired.issues[0].code, "WILAYAH_KODE_LAMA");
    assert_eq!(retired.issues[0].severity, Severity::Warning);
}

#[test]
fn all_problems_of_a_row_are_reported_together() {
    let (_d, path) = temp_file(
        "registry.csv",
        format!("{HEADER}\nA,,,,,Q,,1990-13-01,,,,,,1234\n").as_bytes(),
    );
    let rows = read_registry(&path);
    let cols: Vec<&str> = rows[0]
        .issues
        .iter()
        .filter_map(|i| i.column.as_deref())
        .collect();
    assert_eq!(cols, ["nama", "jenis_kelamin", "tgl_lahir", "kode_wilayah"]);
}

#[test]
fn missing_values_in_required_columns_are_errors_but_empty_nik_and_kk_are_not() {
    let (_d, path) = temp_file(
        "registry.csv",
        format!("{HEADER}\n,,,,,,,,,,,,,\n,,,,Ani,P,,1990-01-01,,,,,,3276011006\n").as_bytes(),
    );
    let rows = read_registry(&path);
    // The fully blank line is skipped, as Excel pads files with them.
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row, 3);
    let codes: Vec<(&str, Option<&str>)> = rows[0]
        .issues
        .iter()
        .map(|i| (i.code, i.column.as_deref()))
        .collect();
    assert_eq!(codes, [("NILAI_KOSONG", Some("id_art"))]);
}

#[test]
fn birth_date_in_the_future_is_an_error() {
    let (_d, path) = temp_file(
        "registry.csv",
        format!("{HEADER}\nA,,,,Ani,P,,2027-01-01,,,,,,3276011006\n").as_bytes(),
    );
    let rows = read_registry(&path);
    assert!(rows[0].record.is_none());
    assert_eq!(rows[0].issues[0].code, "TANGGAL_MASA_DEPAN");
}

#[test]
fn issues_beyond_the_limit_are_summarised_once_at_the_end() {
    let mut text = format!("{HEADER}\n");
    for i in 0..10 {
        text.push_str(&format!("A{i},,,,Ani,X,,1990-01-01,,,,,,3276011006\n"));
    }
    let (_d, path) = temp_file("registry.csv", text.as_bytes());
    let mut o = opts();
    o.max_issues = 4;
    let mut r = RegistryReader::open(&path, &o).unwrap();
    let rows: Vec<_> = r.by_ref().collect();
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|r| r.record.is_none()));
    assert_eq!(rows.iter().map(|r| r.issues.len()).sum::<usize>(), 4);
    assert_eq!(r.suppressed_issues(), 6);
    let last = r.file_issues().last().unwrap();
    assert_eq!(last.code, "MASALAH_DISEMBUNYIKAN");
    assert!(last.text_id.starts_with("6 masalah lain"), "{last}");
}

#[test]
fn quoted_fields_with_delimiters_and_newlines_stay_one_field() {
    let (_d, path) = temp_file(
        "registry.csv",
        format!("{HEADER}\nA,,,,\"Ani, S.Pd\",P,,1990-01-01,,,\"Jl. Mawar\nNo. 2\",,,3276011006\nB,,,,Budi,L,,1990-01-01,,,,,,3276011006\n").as_bytes(),
    );
    let rows = read_registry(&path);
    let p = rows[0].record.as_ref().unwrap();
    assert_eq!(p.nama, "Ani, S.Pd");
    assert_eq!(p.alamat.as_deref(), Some("Jl. Mawar\nNo. 2"));
    assert!(rows[1].record.is_some());
    assert_eq!(rows[1].row, 3);
}

#[test]
fn trailing_unnamed_columns_that_excel_pads_are_ignored() {
    let (_d, path) = temp_file(
        "registry.csv",
        format!("{HEADER};;\nA;;;;Ani;P;;1990-01-01;;;;;;3276011006;;\nB;;;;Budi;L;;1990-01-01;;;;;;3276011006\n")
            .replace(',', ";")
            .as_bytes(),
    );
    let rows = read_registry(&path);
    assert!(
        rows.iter()
            .all(|r| r.record.is_some() && r.issues.is_empty()),
        "{rows:?}"
    );
}

#[test]
fn a_large_generated_file_streams_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "{HEADER}").unwrap();
    const N: u64 = 200_000;
    for i in 0..N {
        writeln!(
            f,
            "ID{i},KEL{},3276011203150007,3276014501900001,Nama Orang {i},P,Depok,05-01-1990,ANAK,Ibu {i},Jl. Melati {i},001,002,32.76.01.1006",
            i / 4
        )
        .unwrap();
    }
    f.flush().unwrap();
    drop(f);
    let reader = RegistryReader::open(&path, &opts()).unwrap();
    let mut count = 0u64;
    let mut last_row = 0;
    for row in reader {
        assert!(row.record.is_some(), "{:?}", row.issues);
        assert_eq!(row.row, last_row.max(1) + 1);
        last_row = row.row;
        count += 1;
    }
    assert_eq!(count, N);
}

#[test]
fn civil_rows_need_a_valid_unique_nik_and_a_known_life_status() {
    let r = CivilReader::open(&fixture("civil.csv"), &opts()).unwrap();
    let rows: Vec<_> = r.collect();
    assert_eq!(rows.len(), 5);
    let siti = rows[0].record.as_ref().unwrap();
    assert_eq!(siti.status_hidup, LifeStatus::Hidup);
    assert_eq!(siti.tgl_meninggal, None);
    let budi = rows[1].record.as_ref().unwrap();
    assert_eq!(budi.status_hidup, LifeStatus::Meninggal);
    assert_eq!(budi.tgl_meninggal, NaiveDate::from_ymd_opt(2020, 3, 4));
    assert!(rows[2].record.is_none());
    assert_eq!(rows[2].issues[0].code, "NIK_GANDA");
    assert!(rows[2].issues[0].text_id.contains("baris 2"));
    assert!(rows[3].record.is_none());
    assert_eq!(rows[3].issues[0].code, "EXCEL_NOTASI_ILMIAH");
    assert_eq!(rows[3].issues[0].severity, Severity::Error);
    assert!(rows[4].record.is_none());
    assert_eq!(rows[4].issues[0].code, "STATUS_HIDUP_TIDAK_DIKENAL");
}

#[test]
fn excel_sep_line_sets_the_delimiter_and_is_not_counted_as_a_row() {
    let (_d, path) = temp_file(
        "registry.csv",
        format!(
            "sep=;\r\n{}\r\nA;;;;Ani, S.Pd;P;;1990-01-01;;;;;;3276011006\r\n",
            HEADER.replace(',', ";")
        )
        .as_bytes(),
    );
    let rows = read_registry(&path);
    assert_eq!(rows[0].row, 2);
    assert_eq!(rows[0].record.as_ref().unwrap().nama, "Ani, S.Pd");
}

#[test]
fn names_a_bank_would_refuse_are_warned_about_on_their_row_and_column() {
    let body = format!(
        "{HEADER}\n\
         A1,K1,3276011203150007,3276014501900001,SITI AMINAH,P,Depok,05-01-1990,ISTRI,-,Jl. Melati,001,002,32.76.01.1006\n\
         A2,K1,3276011203150007,3276014501900002,B1ANG,L,Depok,05-01-1990,ANAK,SITI AMINAH,Jl. Melati,001,002,32.76.01.1006\n\
         A3,K1,3276011203150007,3276014501900003,TIDAK ADA,L,Depok,05-01-1990,ANAK,,Jl. Melati,001,002,32.76.01.1006\n\
         A4,K1,3276011203150007,3276014501900004,ST.,P,Depok,05-01-1990,ANAK,SITI AMINAH,Jl. Melati,001,002,32.76.01.1006\n\
         A5,K1,3276011203150007,3276014501900005,MOCH. SOEHARTO,L,Depok,05-01-1990,ANAK,H. SITI MA'RUFAH,Jl. Melati,001,002,32.76.01.1006\n"
    );
    let (_d, path) = temp_file("dtks.csv", body.as_bytes());
    let rows = read_registry(&path);
    let found: Vec<(u64, Option<&str>, Severity, &str)> = rows
        .iter()
        .flat_map(|r| {
            r.issues
                .iter()
                .map(|i| (i.row, i.column.as_deref(), i.severity, i.code))
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                2,
                Some("nama_ibu_kandung"),
                Severity::Warning,
                "NAMA_PENGISI"
            ),
            (3, Some("nama"), Severity::Warning, "NAMA_ANGKA_SIMBOL"),
            (4, Some("nama"), Severity::Warning, "NAMA_PENGISI"),
            (5, Some("nama"), Severity::Warning, "NAMA_TERLALU_PENDEK"),
        ]
    );
    // Warnings only: every row is imported as written.
    assert!(rows.iter().all(|r| r.record.is_some()));
    assert_eq!(rows[1].record.as_ref().unwrap().nama, "B1ANG");
    let msg = rows[1].issues[0].to_string();
    assert!(
        msg.contains("dtks.csv:3:nama") && msg.contains("memuat angka atau simbol"),
        "{msg}"
    );
    assert!(rows[1].issues[0].message(Lang::En).contains("banks refuse"));
}
