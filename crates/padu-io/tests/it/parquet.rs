//! Parquet files: typed columns (strings, INT64 NIKs, DATE, timestamps, nulls) read through the
//! same checks as CSV, structural errors, round trips, and files that are not Parquet at all.

use crate::common::{fixture, opts, people, round_trip_registry};
use padu_testkit::{nik, temp, ymd};

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use padu_core::{
    CivilPerson, IdField, LifeStatus, NikError, NoKk, RegionCode, RegistryPerson, Relation, Sex,
};
use padu_io::{
    CivilReader, Issue, ReadError, RegistryReader, Row, Severity, parquet_row_groups, write_civil,
    write_registry,
};
use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use parquet::schema::types::Type;

/// Text cells for a test column: `""` stands for null.
fn strs(values: &[&str]) -> Vec<Option<String>> {
    values
        .iter()
        .map(|v| (!v.is_empty()).then(|| v.to_string()))
        .collect()
}

/// One column of a test file, as other tools write them; `None` is null.
enum Col {
    /// Optional UTF-8 strings (pandas, DuckDB, Spark).
    Str(&'static str, Vec<Option<String>>),
    /// A UTF-8 column declared `REQUIRED`, so the file has no definition levels for it.
    ReqStr(&'static str, Vec<String>),
    /// Plain optional `INT64`, as a NIK column exported from a database.
    I64(&'static str, Vec<Option<i64>>),
    /// Optional `DATE`.
    Date(&'static str, Vec<Option<NaiveDate>>),
    /// Optional `TIMESTAMP(MICROS, isAdjustedToUTC = true)`.
    TsUtc(&'static str, Vec<Option<NaiveDateTime>>),
    /// Optional `BYTE_ARRAY` without annotation, as old Hive writers hold strings.
    Bytes(&'static str, Vec<Option<Vec<u8>>>),
    /// Optional `DOUBLE`, as pandas types a column of numbers that has a null.
    F64(&'static str, Vec<Option<f64>>),
}

impl Col {
    fn len(&self) -> usize {
        match self {
            Col::Str(_, v) => v.len(),
            Col::ReqStr(_, v) => v.len(),
            Col::I64(_, v) => v.len(),
            Col::Date(_, v) => v.len(),
            Col::TsUtc(_, v) => v.len(),
            Col::Bytes(_, v) => v.len(),
            Col::F64(_, v) => v.len(),
        }
    }

    fn field(&self) -> Type {
        let (name, physical, logical, repetition) = match self {
            Col::Str(n, _) => (
                n,
                PhysicalType::BYTE_ARRAY,
                Some(LogicalType::String),
                Repetition::OPTIONAL,
            ),
            Col::ReqStr(n, _) => (
                n,
                PhysicalType::BYTE_ARRAY,
                Some(LogicalType::String),
                Repetition::REQUIRED,
            ),
            Col::I64(n, _) => (n, PhysicalType::INT64, None, Repetition::OPTIONAL),
            Col::Date(n, _) => (
                n,
                PhysicalType::INT32,
                Some(LogicalType::Date),
                Repetition::OPTIONAL,
            ),
            Col::TsUtc(n, _) => (
                n,
                PhysicalType::INT64,
                Some(LogicalType::timestamp(true, TimeUnit::MICROS)),
                Repetition::OPTIONAL,
            ),
            Col::Bytes(n, _) => (n, PhysicalType::BYTE_ARRAY, None, Repetition::OPTIONAL),
            Col::F64(n, _) => (n, PhysicalType::DOUBLE, None, Repetition::OPTIONAL),
        };
        Type::primitive_type_builder(name, physical)
            .with_repetition(repetition)
            .with_logical_type(logical)
            .build()
            .unwrap()
    }

    fn write(&self, w: &mut SerializedColumnWriter<'_>, rows: std::ops::Range<usize>) {
        fn dense<T: Clone, U>(v: &[Option<T>], f: impl Fn(&T) -> U) -> (Vec<U>, Vec<i16>) {
            let defs = v.iter().map(|x| i16::from(x.is_some())).collect();
            (v.iter().flatten().map(f).collect(), defs)
        }
        let epoch = ymd(1970, 1, 1);
        match self {
            Col::Str(_, v) => {
                let (vals, defs) = dense(&v[rows], |s| ByteArray::from(s.as_str()));
                w.typed::<ByteArrayType>()
                    .write_batch(&vals, Some(&defs), None)
                    .unwrap();
            }
            Col::ReqStr(_, v) => {
                let vals: Vec<ByteArray> = v[rows]
                    .iter()
                    .map(|s| ByteArray::from(s.as_str()))
                    .collect();
                w.typed::<ByteArrayType>()
                    .write_batch(&vals, None, None)
                    .unwrap();
            }
            Col::I64(_, v) => {
                let (vals, defs) = dense(&v[rows], |i| *i);
                w.typed::<Int64Type>()
                    .write_batch(&vals, Some(&defs), None)
                    .unwrap();
            }
            Col::Date(_, v) => {
                let (vals, defs) = dense(&v[rows], |d| {
                    i32::try_from((*d - epoch).num_days()).unwrap()
                });
                w.typed::<Int32Type>()
                    .write_batch(&vals, Some(&defs), None)
                    .unwrap();
            }
            Col::TsUtc(_, v) => {
                let (vals, defs) = dense(&v[rows], |t| t.and_utc().timestamp_micros());
                w.typed::<Int64Type>()
                    .write_batch(&vals, Some(&defs), None)
                    .unwrap();
            }
            Col::Bytes(_, v) => {
                let (vals, defs) = dense(&v[rows], |b| ByteArray::from(b.clone()));
                w.typed::<ByteArrayType>()
                    .write_batch(&vals, Some(&defs), None)
                    .unwrap();
            }
            Col::F64(_, v) => {
                let (vals, defs) = dense(&v[rows], |f| *f);
                w.typed::<DoubleType>()
                    .write_batch(&vals, Some(&defs), None)
                    .unwrap();
            }
        }
    }
}

/// Writes `cols` as a Parquet file with row groups of at most `group_rows` rows.
fn write_parquet(path: &Path, cols: &[Col], compression: Compression, group_rows: usize) {
    let fields = cols.iter().map(|c| Arc::new(c.field())).collect();
    let schema = Type::group_type_builder("schema")
        .with_fields(fields)
        .build()
        .unwrap();
    let props = WriterProperties::builder()
        .set_compression(compression)
        .build();
    let mut w = SerializedFileWriter::new(
        File::create(path).unwrap(),
        Arc::new(schema),
        Arc::new(props),
    )
    .unwrap();
    let n = cols[0].len();
    let mut start = 0;
    while start < n {
        let end = (start + group_rows).min(n);
        let mut group = w.next_row_group().unwrap();
        for c in cols {
            let mut cw = group.next_column().unwrap().unwrap();
            c.write(&mut cw, start..end);
            cw.close().unwrap();
        }
        group.close().unwrap();
        start = end;
    }
    w.close().unwrap();
}

/// An issue without its file name, to compare the same problem found in two files.
fn located(i: &Issue) -> (u64, Option<String>, Severity, &'static str, String, String) {
    (
        i.row,
        i.column.clone(),
        i.severity,
        i.code,
        i.text_id.clone(),
        i.text_en.clone(),
    )
}

/// The registry file most tests use: typed columns, nulls and one problem per row after the first.
fn typed_registry(path: &Path) {
    write_parquet(
        path,
        &[
            Col::Str("id_art", strs(&["A1", "A2", "A3", "A4", "A5"])),
            Col::Str(
                "no_kk",
                strs(&["3276011203150007", "", "3276011203150007", "", ""]),
            ),
            // A NIK column that a database export typed as a number.
            Col::I64(
                " NIK ",
                vec![
                    Some(3_276_014_501_900_001),
                    Some(1234),
                    None,
                    Some(3_276_014_501_900_001),
                    Some(3_276_014_501_900_001),
                ],
            ),
            Col::ReqStr(
                "Nama",
                ["Siti Aminah", "Budi", "Ani", "Joko", "Eko"]
                    .map(String::from)
                    .to_vec(),
            ),
            Col::Str("jenis_kelamin", strs(&["P", "L", "P", "L", "L"])),
            Col::Date(
                "tgl_lahir",
                vec![
                    Some(ymd(1990, 1, 5)),
                    Some(ymd(1988, 2, 3)),
                    Some(ymd(2010, 7, 1)),
                    None,
                    Some(ymd(1990, 1, 5)),
                ],
            ),
            Col::Str(
                "hubungan_keluarga",
                strs(&["KEPALA KELUARGA", "", "ANAK", "", ""]),
            ),
            Col::Str(
                "kode_wilayah",
                strs(&[
                    "32.76.01.1006",
                    "3276011006",
                    "32.76.01.1006",
                    "32.76.01.1006",
                    "99.99.99.9999",
                ]),
            ),
            Col::Str("program_bansos", strs(&["PKH", "", "BPNT", "", ""])),
        ],
        Compression::SNAPPY,
        3,
    );
}

fn read_registry(path: &Path) -> Vec<Row<RegistryPerson>> {
    RegistryReader::open(path, &opts()).unwrap().collect()
}

#[test]
fn typed_registry_columns_read_into_records_with_nulls_as_empty_cells() {
    let (_d, path) = temp("dtks.parquet");
    typed_registry(&path);
    let reader = RegistryReader::open(&path, &opts()).unwrap();
    assert_eq!(reader.extra_columns(), ["program_bansos"]);
    let rows: Vec<_> = reader.collect();
    assert_eq!(
        rows.iter().map(|r| r.row).collect::<Vec<_>>(),
        [2, 3, 4, 5, 6]
    );

    let siti = rows[0].record.as_ref().unwrap();
    assert!(rows[0].issues.is_empty(), "{:?}", rows[0].issues);
    assert_eq!(siti.id_art, "A1");
    assert_eq!(siti.nik.to_cell(), "3276014501900001");
    assert!(matches!(siti.nik, IdField::Valid(_)));
    assert!(matches!(siti.no_kk, IdField::Valid(_)));
    assert_eq!(siti.nama, "Siti Aminah");
    assert_eq!(siti.jenis_kelamin, Sex::P);
    assert_eq!(siti.tgl_lahir, ymd(1990, 1, 5));
    assert_eq!(siti.hubungan_keluarga, Some(Relation::Kepala));
    assert_eq!(siti.kode_wilayah.to_string(), "32.76.01.1006");
    assert_eq!(siti.id_keluarga, None);
    assert_eq!(siti.extra, [("program_bansos".into(), "PKH".into())]);

    // A null NIK is a person without NIK, as an empty CSV cell is.
    let ani = rows[2].record.as_ref().unwrap();
    assert_eq!(ani.nik, IdField::Missing);
    assert!(rows[2].issues.is_empty(), "{:?}", rows[2].issues);
    let budi = rows[1].record.as_ref().unwrap();
    assert_eq!(budi.no_kk, IdField::Missing);
    assert_eq!(budi.extra, [("program_bansos".into(), String::new())]);
}

#[test]
fn a_bad_integer_nik_is_kept_raw_with_a_warning_on_its_row_and_column() {
    let (_d, path) = temp("dtks.parquet");
    typed_registry(&path);
    let rows = read_registry(&path);
    let budi = &rows[1];
    assert_eq!(
        budi.record
            .as_ref()
            .expect("an invalid NIK keeps the row")
            .nik,
        IdField::invalid(
            "1234",
            NikError::WrongLength {
                raw: "1234".into(),
                len: 4
            }
        )
    );
    assert_eq!(budi.issues.len(), 1);
    let i = &budi.issues[0];
    assert_eq!(i.severity, Severity::Warning);
    assert_eq!(i.code, "PANJANG_SALAH");
    assert_eq!(i.row, 3);
    // The column is named as the file's header writes it, so the operator finds it.
    assert_eq!(i.column.as_deref(), Some("NIK"));
    assert!(
        i.to_string()
            .starts_with(&format!("{}:3:NIK: NIK tidak valid", path.display())),
        "{i}"
    );
}

#[test]
fn null_required_values_and_unknown_villages_are_row_errors() {
    let (_d, path) = temp("dtks.parquet");
    typed_registry(&path);
    let rows = read_registry(&path);
    let joko = &rows[3];
    assert!(joko.record.is_none());
    assert_eq!(
        joko.issues
            .iter()
            .map(|i| (i.row, i.column.as_deref(), i.code))
            .collect::<Vec<_>>(),
        [(5, Some("tgl_lahir"), "NILAI_KOSONG")]
    );
    let eko = &rows[4];
    assert!(eko.record.is_none());
    assert_eq!(eko.issues[0].code, "WILAYAH_TIDAK_VALID");
    assert_eq!(eko.issues[0].row, 6);
}

#[test]
fn a_file_written_by_pyarrow_reads_typed_ids_dictionary_text_dates_and_instants() {
    // See fixtures/make_parquet_fixtures.py: INT64 NIK, DECIMAL(16,0) No KK in a
    // fixed-length array, dictionary-encoded names, date32, int32 RT, and a
    // timestamp with a time zone as pandas writes them.
    let reader = RegistryReader::open(&fixture("registry_pyarrow.parquet"), &opts()).unwrap();
    assert_eq!(reader.extra_columns(), ["diperbarui"]);
    assert!(reader.file_issues().is_empty());
    let rows: Vec<_> = reader.collect();
    assert_eq!(rows.len(), 3);

    let siti = rows[0].record.as_ref().unwrap();
    assert!(rows[0].issues.is_empty(), "{:?}", rows[0].issues);
    assert_eq!(siti.nik.to_cell(), "3276014501900001");
    assert!(matches!(siti.nik, IdField::Valid(_)));
    assert_eq!(siti.no_kk.to_cell(), "3276011203150007");
    assert!(matches!(siti.no_kk, IdField::Valid(_)));
    assert_eq!(siti.nama, "Siti Aminah");
    assert_eq!(siti.tgl_lahir, ymd(1990, 1, 5));
    assert_eq!(siti.rt.as_deref(), Some("1"));
    // An instant in an unknown column is kept exactly, in UTC.
    assert_eq!(
        siti.extra,
        [("diperbarui".into(), "2026-01-02T01:30:00Z".into())]
    );

    let budi = rows[1].record.as_ref().unwrap();
    assert_eq!(budi.nik, IdField::Missing);
    assert_eq!(budi.no_kk, IdField::Missing);
    assert_eq!(budi.rt, None);
    assert_eq!(budi.kode_wilayah.to_string(), "32.76.01.1006");

    let third = &rows[2];
    assert_eq!(third.record.as_ref().unwrap().nama, "José");
    assert_eq!(
        third
            .issues
            .iter()
            .map(|i| (i.row, i.column.as_deref(), i.code))
            .collect::<Vec<_>>(),
        [(4, Some("nik"), "PANJANG_SALAH")]
    );
}

#[test]
fn a_codec_this_build_does_not_read_is_refused_up_front_with_advice() {
    let path = fixture("registry_gzip.parquet");
    let err = RegistryReader::open(&path, &opts()).err().unwrap();
    let ReadError::UnsupportedCompression { codec, column, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(codec, "GZIP");
    assert_eq!(column, "id_art");
    let msg = err.to_string();
    assert!(msg.contains("GZIP") && msg.contains("SNAPPY"), "{msg}");
}

/// Rows like the CSV fixture of problems: one problem per row, every value a string.
const PROBLEM_ROWS: [[&str; 8]; 8] = [
    // id_art, nik, no_kk, nama, jenis_kelamin, tgl_lahir, kode_wilayah, hubungan_keluarga
    [
        "P1",
        "3.27601E+15",
        "3276011203150007",
        "Ahmad",
        "L",
        "1990-01-05",
        "32.76.01.1006",
        "ANAK",
    ],
    [
        "P2",
        "3276014501900001.0",
        "",
        "Rina",
        "P",
        "05-01-1990",
        "32.76.01.1006",
        "SEPUPU",
    ],
    [
        "P3",
        "9999999999999996",
        "",
        "Tono",
        "L",
        "05/01/1990",
        "32.76.01.1006",
        "",
    ],
    [
        "P4",
        "3276014501900001",
        "",
        "Sari",
        "X",
        "1990-01-05",
        "32.76.01.1006",
        "",
    ],
    [
        "P5",
        "3276014501900001",
        "",
        "Joko",
        "L",
        "31/02/1990",
        "32.76.01.1006",
        "",
    ],
    [
        "P1",
        "3276014501900001",
        "",
        "Ahmad Lagi",
        "L",
        "1990-01-05",
        "32.76.01.1006",
        "",
    ],
    [
        "P8",
        "3276014501900001",
        "",
        "Eko",
        "L",
        "2030-01-01",
        "99.99.99.9999",
        "",
    ],
    [
        "P9",
        "3276014501900001",
        "",
        "Wati",
        "P",
        "1990-01-05",
        "11.72.01.2001",
        "",
    ],
];

const PROBLEM_HEADER: [&str; 8] = [
    "id_art",
    "nik",
    "no_kk",
    "nama",
    "jenis_kelamin",
    "tgl_lahir",
    "kode_wilayah",
    "hubungan_keluarga",
];

#[test]
fn string_columns_give_the_same_records_and_issues_as_the_same_csv() {
    let (dir, csv) = temp("problems.csv");
    let mut text = PROBLEM_HEADER.join(",") + "\n";
    for row in PROBLEM_ROWS {
        text += &(row.join(",") + "\n");
    }
    std::fs::write(&csv, text).unwrap();
    let parquet = dir.path().join("problems.parquet");
    let cols: Vec<Col> = PROBLEM_HEADER
        .iter()
        .enumerate()
        .map(|(c, name)| Col::Str(name, strs(&PROBLEM_ROWS.map(|r| r[c]))))
        .collect();
    write_parquet(&parquet, &cols, Compression::SNAPPY, 4);

    let from_csv = read_registry(&csv);
    let from_parquet = read_registry(&parquet);

    assert_eq!(from_parquet.len(), from_csv.len());
    for (p, c) in from_parquet.iter().zip(&from_csv) {
        assert_eq!(p.row, c.row);
        assert_eq!(p.record, c.record, "row {}", p.row);
        assert_eq!(
            p.issues.iter().map(located).collect::<Vec<_>>(),
            c.issues.iter().map(located).collect::<Vec<_>>(),
            "row {}",
            p.row
        );
    }
    // The checks really ran: spot the ones the spec names.
    let codes: Vec<(u64, &str)> = from_parquet
        .iter()
        .flat_map(|r| r.issues.iter().map(|i| (i.row, i.code)))
        .collect();
    for expected in [
        (2, "EXCEL_NOTASI_ILMIAH"),
        (3, "EXCEL_DESIMAL"),
        (5, "JENIS_KELAMIN_TIDAK_DIKENAL"),
        (6, "TANGGAL_TIDAK_VALID"),
        (7, "ID_GANDA"),
        (8, "TANGGAL_MASA_DEPAN"),
        (8, "WILAYAH_TIDAK_VALID"),
        (9, "WILAYAH_KODE_LAMA"),
    ] {
        assert!(codes.contains(&expected), "{expected:?} in {codes:?}");
    }
}

#[test]
fn an_impossible_date_is_a_row_error_in_the_spec_format() {
    let (_d, path) = temp("dtks.parquet");
    let cols: Vec<Col> = PROBLEM_HEADER
        .iter()
        .enumerate()
        .map(|(c, name)| Col::Str(name, strs(&PROBLEM_ROWS.map(|r| r[c]))))
        .collect();
    write_parquet(&path, &cols, Compression::UNCOMPRESSED, 100);
    let rows = read_registry(&path);
    let joko = &rows[4];
    assert_eq!(joko.row, 6);
    assert!(joko.record.is_none());
    assert_eq!(
        joko.issues[0].to_string(),
        format!(
            "{}:6:tgl_lahir: tanggal \"31/02/1990\" tidak ada di kalender",
            path.display()
        )
    );
    let dup = &rows[5];
    assert_eq!(dup.issues[0].code, "ID_GANDA");
    assert!(dup.issues[0].text_id.contains("sudah dipakai di baris 2"));
}

#[test]
fn missing_required_columns_are_the_same_structural_error_as_in_csv() {
    let (dir, path) = temp("dtks.parquet");
    write_parquet(
        &path,
        &[
            Col::Str("id_art", strs(&["A"])),
            Col::Str("nama", strs(&["B"])),
            Col::Str("alamat", strs(&["C"])),
        ],
        Compression::SNAPPY,
        10,
    );
    let csv = dir.path().join("dtks.csv");
    std::fs::write(&csv, "id_art,nama,alamat\nA,B,C\n").unwrap();

    let err = RegistryReader::open(&path, &opts()).err().unwrap();
    let ReadError::MissingColumns(issues) = &err else {
        panic!("{err:?}")
    };
    let csv_err = RegistryReader::open(&csv, &opts()).err().unwrap();
    assert_eq!(
        issues.iter().map(located).collect::<Vec<_>>(),
        csv_err.issues().iter().map(located).collect::<Vec<_>>()
    );
    assert_eq!(
        issues
            .iter()
            .filter_map(|i| i.column.as_deref())
            .collect::<Vec<_>>(),
        ["no_kk", "nik", "jenis_kelamin", "tgl_lahir", "kode_wilayah"]
    );
    assert!(
        err.to_string().contains(&format!(
            "{}:1:no_kk: kolom wajib \"no_kk\" tidak ada",
            path.display()
        )),
        "{err}"
    );
}

#[test]
fn a_column_named_twice_in_different_case_is_a_read_error() {
    let (_d, path) = temp("dtks.parquet");
    write_parquet(
        &path,
        &[
            Col::Str("nama", strs(&["A"])),
            Col::Str("NAMA", strs(&["B"])),
        ],
        Compression::SNAPPY,
        10,
    );
    assert!(matches!(
        RegistryReader::open(&path, &opts()),
        Err(ReadError::DuplicateColumns(_))
    ));
}

#[test]
fn a_nik_in_a_floating_point_column_is_flagged_for_that_not_for_excel() {
    let (_d, path) = temp("dtks.parquet");
    let mut cols = registry_columns(2, Col::Date("tgl_lahir", vec![Some(ymd(1990, 1, 5)); 2]));
    // Valid digits either way: the column type alone makes the number untrustworthy.
    cols[2] = Col::F64("nik", vec![Some(3_276_014_501_900_012.0), None]);
    write_parquet(&path, &cols, Compression::SNAPPY, 10);
    let rows = read_registry(&path);
    let raw = "3276014501900010".to_string();
    assert_eq!(
        rows[0].record.as_ref().expect("the row is kept").nik,
        IdField::invalid(raw.clone(), NikError::ParquetFloat(raw))
    );
    assert_eq!(rows[0].issues.len(), 1);
    let i = &rows[0].issues[0];
    assert_eq!(
        (i.row, i.column.as_deref(), i.severity, i.code),
        (2, Some("nik"), Severity::Warning, "PARQUET_PECAHAN")
    );
    assert!(
        i.text_id.contains("Parquet") && !i.text_id.contains("Excel"),
        "{i}"
    );
    assert!(
        i.text_en.contains("floating-point") && !i.text_en.contains("Excel"),
        "{i}"
    );
    assert_eq!(rows[1].record.as_ref().unwrap().nik, IdField::Missing);
    assert!(rows[1].issues.is_empty());
}

fn registry_columns(n: usize, tgl_lahir: Col) -> Vec<Col> {
    let each = |v: &str| vec![Some(v.to_string()); n];
    vec![
        Col::Str("id_art", (0..n).map(|i| Some(format!("ID{i}"))).collect()),
        Col::Str("no_kk", vec![None; n]),
        Col::Str("nik", each("3276014501900001")),
        Col::Str(
            "nama",
            (0..n)
                .map(|i| Some(["ANI SETIAWATI", "BUDI SANTOSO", "CITRA DEWI"][i % 3].to_string()))
                .collect(),
        ),
        Col::Str("jenis_kelamin", each("P")),
        tgl_lahir,
        Col::Str("kode_wilayah", each("3276011006")),
    ]
}

#[test]
fn utc_timestamps_of_local_midnight_give_the_local_birth_date() {
    let (_d, path) = temp("dtks.parquet");
    // Midnight of 5 January 1990 in WIB (UTC+7) and WIT (UTC+9), and in UTC itself.
    let wib = ymd(1990, 1, 4).and_hms_opt(17, 0, 0).unwrap();
    let wit = ymd(1990, 1, 4).and_hms_opt(15, 0, 0).unwrap();
    let utc = ymd(1990, 1, 5).and_hms_opt(0, 0, 0).unwrap();
    write_parquet(
        &path,
        &registry_columns(
            3,
            Col::TsUtc("tgl_lahir", vec![Some(wib), Some(wit), Some(utc)]),
        ),
        Compression::SNAPPY,
        10,
    );
    let rows = read_registry(&path);
    for r in &rows {
        assert!(r.issues.is_empty(), "{:?}", r.issues);
        assert_eq!(r.record.as_ref().unwrap().tgl_lahir, ymd(1990, 1, 5));
    }
}

#[test]
fn all_null_records_are_skipped_but_counted() {
    let (_d, path) = temp("dtks.parquet");
    let mut cols = registry_columns(3, Col::Date("tgl_lahir", vec![Some(ymd(1990, 1, 5)); 3]));
    for c in &mut cols {
        match c {
            Col::Str(_, v) => v[1] = None,
            Col::Date(_, v) => v[1] = None,
            _ => unreachable!(),
        }
    }
    write_parquet(&path, &cols, Compression::SNAPPY, 10);
    let rows = read_registry(&path);
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 4]);
    assert!(rows.iter().all(|r| r.record.is_some()));
}

#[test]
fn text_that_is_not_utf8_is_read_as_windows_1252_with_one_warning() {
    let (_d, path) = temp("dtks.parquet");
    let mut cols = registry_columns(3, Col::Date("tgl_lahir", vec![Some(ymd(1990, 1, 5)); 3]));
    cols[3] = Col::Bytes(
        "nama",
        vec![
            Some(b"Siti".to_vec()),
            Some(b"Ren\xe9".to_vec()),
            Some(b"Jos\xe9".to_vec()),
        ],
    );
    write_parquet(&path, &cols, Compression::SNAPPY, 10);
    let rows = read_registry(&path);
    assert_eq!(rows[1].record.as_ref().unwrap().nama, "René");
    assert_eq!(rows[2].record.as_ref().unwrap().nama, "José");
    let issues: Vec<_> = rows.iter().flat_map(|r| &r.issues).collect();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].code, "BUKAN_UTF8");
    assert_eq!(issues[0].row, 3);
    assert_eq!(issues[0].column.as_deref(), Some("nama"));
}

#[test]
fn a_large_file_streams_across_row_groups_with_continuous_row_numbers() {
    let (_d, path) = temp("big.parquet");
    const N: usize = 200_000;
    write_parquet(
        &path,
        &registry_columns(N, Col::Date("tgl_lahir", vec![Some(ymd(1990, 1, 5)); N])),
        Compression::SNAPPY,
        70_000,
    );
    let mut count = 0u64;
    let mut last_row = 1;
    for row in RegistryReader::open(&path, &opts()).unwrap() {
        assert!(row.record.is_some(), "{:?}", row.issues);
        assert_eq!(row.row, last_row + 1);
        last_row = row.row;
        count += 1;
    }
    assert_eq!(count, N as u64);
    assert_eq!(last_row, N as u64 + 1);
}

#[test]
fn zstd_files_as_polars_writes_them_are_read() {
    let (_d, path) = temp("dtks.parquet");
    write_parquet(
        &path,
        &registry_columns(2, Col::Date("tgl_lahir", vec![Some(ymd(1990, 1, 5)); 2])),
        Compression::ZSTD(Default::default()),
        10,
    );
    let rows = read_registry(&path);
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.record.is_some()));
}

#[test]
fn a_nested_spec_column_is_refused_and_a_nested_extra_column_is_ignored_with_a_warning() {
    let (_d, path) = temp("dtks.parquet");
    let list = |name: &str| {
        let element = Type::primitive_type_builder("element", PhysicalType::BYTE_ARRAY)
            .with_repetition(Repetition::OPTIONAL)
            .with_logical_type(Some(LogicalType::String))
            .build()
            .unwrap();
        let repeated = Type::group_type_builder("list")
            .with_repetition(Repetition::REPEATED)
            .with_fields(vec![Arc::new(element)])
            .build()
            .unwrap();
        Type::group_type_builder(name)
            .with_repetition(Repetition::OPTIONAL)
            .with_logical_type(Some(LogicalType::List))
            .with_fields(vec![Arc::new(repeated)])
            .build()
            .unwrap()
    };
    let write = |list_name: &str| {
        let cols = registry_columns(1, Col::Date("tgl_lahir", vec![Some(ymd(1990, 1, 5))]));
        let cols: Vec<Col> = cols
            .into_iter()
            .filter(|c| !matches!(c, Col::Str(n, _) if *n == list_name))
            .collect();
        let mut fields: Vec<_> = cols.iter().map(|c| Arc::new(c.field())).collect();
        fields.push(Arc::new(list(list_name)));
        let schema = Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .unwrap();
        let mut w = SerializedFileWriter::new(
            File::create(&path).unwrap(),
            Arc::new(schema),
            Default::default(),
        )
        .unwrap();
        let mut group = w.next_row_group().unwrap();
        for c in &cols {
            let mut cw = group.next_column().unwrap().unwrap();
            c.write(&mut cw, 0..1);
            cw.close().unwrap();
        }
        let mut cw = group.next_column().unwrap().unwrap();
        cw.typed::<ByteArrayType>()
            .write_batch(&[ByteArray::from("PKH")], Some(&[3]), Some(&[0]))
            .unwrap();
        cw.close().unwrap();
        group.close().unwrap();
        w.close().unwrap();
    };

    write("nik");
    let err = RegistryReader::open(&path, &opts()).err().unwrap();
    let ReadError::UnreadableColumns(issues) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].column.as_deref(), Some("nik"));
    assert!(err.to_string().contains("Parquet LIST"), "{err}");

    write("program_bansos");
    let reader = RegistryReader::open(&path, &opts()).unwrap();
    assert_eq!(reader.file_issues().len(), 1);
    assert_eq!(reader.file_issues()[0].severity, Severity::Warning);
    assert_eq!(
        reader.file_issues()[0].column.as_deref(),
        Some("program_bansos")
    );
    let rows: Vec<_> = reader.collect();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].record.is_some(), "{:?}", rows[0].issues);
}

#[test]
fn civil_extract_with_an_integer_nik_reads_and_checks_duplicates() {
    let (_d, path) = temp("dukcapil.parquet");
    write_parquet(
        &path,
        &[
            Col::I64(
                "nik",
                vec![
                    Some(3_276_014_501_900_001),
                    Some(3_276_010_101_900_001),
                    Some(3_276_014_501_900_001),
                    Some(42),
                ],
            ),
            Col::Str("nama", strs(&["Siti", "Budi", "Siti Lagi", "X"])),
            Col::Str("jenis_kelamin", strs(&["P", "L", "P", "L"])),
            Col::Date(
                "tgl_lahir",
                vec![
                    Some(ymd(1990, 1, 5)),
                    Some(ymd(1990, 1, 1)),
                    Some(ymd(1990, 1, 5)),
                    Some(ymd(1990, 1, 1)),
                ],
            ),
            Col::Str("kode_wilayah", strs(&["3276011006"; 4])),
            Col::Str("status_hidup", strs(&["", "MENINGGAL", "", ""])),
            Col::Date(
                "tgl_meninggal",
                vec![None, Some(ymd(2020, 3, 1)), None, None],
            ),
        ],
        Compression::SNAPPY,
        10,
    );
    let rows: Vec<_> = CivilReader::open(&path, &opts()).unwrap().collect();
    let siti = rows[0].record.as_ref().unwrap();
    assert_eq!(siti.nik.to_string(), "3276014501900001");
    assert_eq!(siti.status_hidup, LifeStatus::Hidup);
    assert_eq!(siti.tgl_meninggal, None);
    let budi = rows[1].record.as_ref().unwrap();
    assert_eq!(budi.status_hidup, LifeStatus::Meninggal);
    assert_eq!(budi.tgl_meninggal, Some(ymd(2020, 3, 1)));
    assert!(rows[2].record.is_none());
    assert_eq!(rows[2].issues[0].code, "NIK_GANDA");
    assert!(rows[2].issues[0].text_id.contains("baris 2"));
    // In the civil file a NIK is the key, so a bad one is an error, as in CSV.
    assert!(rows[3].record.is_none());
    assert_eq!(rows[3].issues[0].row, 5);
    assert_eq!(rows[3].issues[0].column.as_deref(), Some("nik"));
    assert_eq!(rows[3].issues[0].severity, Severity::Error);
}

#[test]
fn registry_round_trips_through_parquet() {
    round_trip_registry("registry.parquet");
}

#[test]
fn a_written_registry_holds_identity_numbers_as_strings_and_dates_as_dates() {
    let (_d, path) = temp("registry.parquet");
    write_registry(&path, people()).unwrap();
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
    let schema = reader.metadata().file_metadata().schema_descr();
    let column = |name: &str| {
        schema
            .columns()
            .iter()
            .find(|c| c.name() == name)
            .unwrap()
            .clone()
    };
    for id in ["id_art", "nik", "no_kk", "kode_wilayah", "rt"] {
        assert_eq!(column(id).physical_type(), PhysicalType::BYTE_ARRAY, "{id}");
        assert_eq!(
            column(id).logical_type_ref(),
            Some(&LogicalType::String),
            "{id}"
        );
    }
    assert_eq!(column("tgl_lahir").physical_type(), PhysicalType::INT32);
    assert_eq!(
        column("tgl_lahir").logical_type_ref(),
        Some(&LogicalType::Date)
    );
    assert_eq!(
        schema
            .columns()
            .iter()
            .map(|c| c.name())
            .take(3)
            .collect::<Vec<_>>(),
        ["id_art", "id_keluarga", "no_kk"]
    );
    assert_eq!(
        reader.metadata().row_group(0).column(0).compression(),
        Compression::SNAPPY
    );
}

#[test]
fn a_registry_larger_than_one_row_group_round_trips_in_order() {
    let (_d, path) = temp("registry.parquet");
    let n = 70_000;
    let template = people().remove(0);
    let many = (0..n).map(|i| RegistryPerson {
        id_art: format!("ID{i:06}").into(),
        ..template.clone()
    });
    assert_eq!(write_registry(&path, many).unwrap(), n);
    let mut count = 0;
    for (i, row) in RegistryReader::open(&path, &opts()).unwrap().enumerate() {
        assert_eq!(row.record.unwrap().id_art, format!("ID{i:06}"));
        count += 1;
    }
    assert_eq!(count, n);
}

#[test]
fn civil_extract_round_trips_through_parquet() {
    let (_d, path) = temp("dukcapil.parquet");
    let people = vec![
        CivilPerson {
            nik: nik("3276014501900001"),
            no_kk: IdField::Valid(NoKk::parse("3276011203150007").unwrap()),
            nama: "Siti Aminah".into(),
            jenis_kelamin: Sex::P,
            tempat_lahir: Some("Depok".into()),
            tgl_lahir: ymd(1990, 1, 5),
            nama_ibu_kandung: None,
            alamat: Some("Jl. Melati 1".into()),
            rt: Some("001".into()),
            rw: None,
            kode_wilayah: RegionCode::parse("32.76.01.1006").unwrap(),
            status_hidup: LifeStatus::Meninggal,
            tgl_meninggal: Some(ymd(2020, 3, 1)),
        },
        CivilPerson {
            nik: nik("3276010101900001"),
            no_kk: IdField::Missing,
            nama: "Budi".into(),
            jenis_kelamin: Sex::L,
            tempat_lahir: None,
            tgl_lahir: ymd(1990, 1, 1),
            nama_ibu_kandung: Some("Warsini".into()),
            alamat: None,
            rt: None,
            rw: None,
            kode_wilayah: RegionCode::parse("32.76.01.1006").unwrap(),
            status_hidup: LifeStatus::Hidup,
            tgl_meninggal: None,
        },
    ];
    assert_eq!(write_civil(&path, people.clone()).unwrap(), 2);
    let back: Vec<CivilPerson> = CivilReader::open(&path, &opts())
        .unwrap()
        .map(|r| r.record.expect("valid row"))
        .collect();
    assert_eq!(back, people);
}

#[test]
fn a_file_named_parquet_that_is_not_parquet_is_a_clear_error_not_a_panic() {
    let (dir, path) = temp("dtks.parquet");
    std::fs::write(
        &path,
        "id_art,nama\n1,Ani\n2,Budi\n3,Citra\n4,Dedi\n5,Eka\n6,Fajar\n",
    )
    .unwrap();
    let err = RegistryReader::open(&path, &opts()).err().unwrap();
    assert!(matches!(err, ReadError::NotParquet { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!(
            "berkas {} bukan berkas Parquet yang sah",
            path.display()
        )),
        "{err}"
    );
    assert!(
        padu_core::lang::Localized::message(&err, padu_core::Lang::En)
            .contains("is not a valid Parquet file"),
        "{err:?}"
    );

    let empty = dir.path().join("kosong.parquet");
    File::create(&empty).unwrap();
    assert!(matches!(
        CivilReader::open(&empty, &opts()),
        Err(ReadError::NotParquet { .. })
    ));

    // A real file cut short loses its footer.
    let cut = dir.path().join("terpotong.parquet");
    write_registry(&cut, people()).unwrap();
    let bytes = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        RegistryReader::open(&cut, &opts()),
        Err(ReadError::NotParquet { .. })
    ));

    assert!(matches!(
        RegistryReader::open(&dir.path().join("tidak-ada.parquet"), &opts()),
        Err(ReadError::NotFound { .. })
    ));
}

#[test]
fn corrupt_pages_stop_the_read_with_a_row_error_not_a_panic() {
    let (_d, path) = temp("dtks.parquet");
    const N: usize = 5_000;
    write_parquet(
        &path,
        &registry_columns(N, Col::Date("tgl_lahir", vec![Some(ymd(1990, 1, 5)); N])),
        Compression::SNAPPY,
        N,
    );
    // Overwrite the data pages (not the footer at the end) with garbage.
    let mut bytes = std::fs::read(&path).unwrap();
    let footer = u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap());
    let data_end = bytes.len() - 8 - footer as usize;
    for b in &mut bytes[4..data_end] {
        *b = 0xA5;
    }
    let mut f = File::create(&path).unwrap();
    f.write_all(&bytes).unwrap();
    drop(f);

    let rows: Vec<_> = RegistryReader::open(&path, &opts()).unwrap().collect();
    let last = rows.last().expect("the failure is reported as a row");
    assert!(last.record.is_none());
    assert_eq!(last.issues.len(), 1, "{:?}", last.issues);
    assert_eq!(last.issues[0].code, "BERKAS_RUSAK");
    assert!(last.issues[0].text_id.starts_with("pembacaan berhenti"));
}

#[test]
fn writing_parquet_then_reading_it_through_the_result_reader_works() {
    use padu_core::{Action, NikStatus, VerificationRow};
    let (_d, path) = temp("hasil.parquet");
    let row = VerificationRow {
        id_art: "A1".into(),
        status: NikStatus::Padan,
        flags: Vec::new(),
        tindakan: Action::Tetap,
        nik_usulan: None,
        skor: Some(0.9731),
        id_kelompok_ganda: None,
        id_art_utama: None,
        keterangan: "NIK padan.".into(),
    };
    let mut w = padu_io::ResultWriter::create(&path).unwrap();
    w.write(&row).unwrap();
    assert_eq!(w.finish().unwrap(), 1);
    assert_eq!(padu_io::read_results(&path).unwrap(), vec![row]);
}

/// A distributed job reads a file in parts of whole row groups: each part
/// gives exactly the rows the whole read gives there, numbered as in the
/// whole file, with the same records and messages.
#[test]
fn row_groups_read_as_parts_give_the_whole_file_s_rows() {
    let (_dir, path) = temp("parts.parquet");
    typed_registry(&path);
    assert_eq!(parquet_row_groups(&path).unwrap(), vec![3, 2]);
    let whole = read_registry(&path);
    let part = |groups: std::ops::Range<usize>| -> Vec<Row<RegistryPerson>> {
        RegistryReader::open_parquet_row_groups(&path, &opts(), groups)
            .unwrap()
            .collect()
    };
    assert_eq!(part(0..1), whole[..3]);
    assert_eq!(part(1..2), whole[3..]);
    assert_eq!(part(0..2), whole);
    assert_eq!(
        part(1..2)[0].row,
        5,
        "the fourth record is row 5 below the header"
    );
    assert!(part(2..2).is_empty());
    // A CSV has no row groups.
    let (_d, csv) = temp("parts.csv");
    std::fs::write(&csv, "id_art\nA1\n").unwrap();
    assert!(matches!(
        CivilReader::open_parquet_row_groups(&csv, &opts(), 0..1),
        Err(ReadError::NotParquet { .. })
    ));
}
