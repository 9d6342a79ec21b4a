//! Workbooks (Excel number and date cells, sheets) and write-then-read round trips.

use crate::common::{opts, people, round_trip_registry};
use padu_testkit::{nik, temp, today, ymd};

use std::path::Path;

use padu_core::{
    Action, CivilPerson, Flag, IdField, LifeStatus, NikError, NikStatus, NoKk, RegionCode, Sex,
    VerificationRow,
};
use padu_io::{
    CivilReader, ReadError, ReadOptions, RegistryReader, ResultWriter, Severity, read_results,
    write_civil, write_registry,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// Builds a registry workbook the way an operator's Excel would hold it.
fn operator_workbook(path: &Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Data ART").unwrap();
    let header = [
        "id_art",
        "nik",
        "no_kk",
        "nama",
        "jenis_kelamin",
        "tgl_lahir",
        "kode_wilayah",
        "rt",
        "catatan",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    // Row 2: everything as text except a real date cell.
    ws.write_string(1, 0, "X1").unwrap();
    ws.write_string(1, 1, "3276014501900001").unwrap();
    ws.write_string(1, 2, "3276011203150007").unwrap();
    ws.write_string(1, 3, "Siti").unwrap();
    ws.write_string(1, 4, "P").unwrap();
    ws.write_datetime_with_format(1, 5, ExcelDateTime::from_ymd(1990, 1, 5).unwrap(), &date)
        .unwrap();
    ws.write_string(1, 6, "32.76.01.1006").unwrap();
    ws.write_number(1, 7, 3).unwrap();
    ws.write_string(1, 8, "catatan bebas").unwrap();
    // Row 3: NIK and No KK typed as numbers, id and region code as numbers, date as text.
    ws.write_number(2, 0, 1002).unwrap();
    ws.write_number(2, 1, 3_276_010_101_900_001_f64).unwrap();
    ws.write_number(2, 2, 3_276_011_203_150_007_f64).unwrap();
    ws.write_string(2, 3, "Budi").unwrap();
    ws.write_string(2, 4, "L").unwrap();
    ws.write_string(2, 5, "01/01/1990").unwrap();
    ws.write_number(2, 6, 3_276_011_006_f64).unwrap();
    // Row 4: an impossible text date.
    ws.write_string(3, 0, "X3").unwrap();
    ws.write_string(3, 3, "Ani").unwrap();
    ws.write_string(3, 4, "P").unwrap();
    ws.write_string(3, 5, "31/02/1990").unwrap();
    ws.write_string(3, 6, "3276011006").unwrap();
    let other = wb.add_worksheet();
    other.set_name("Ringkasan").unwrap();
    other.write_string(0, 0, "tidak ada data").unwrap();
    wb.save(path).unwrap();
}

#[test]
fn xlsx_reads_text_number_and_date_cells_and_flags_numeric_niks() {
    let (_d, path) = temp("registry.xlsx");
    operator_workbook(&path);
    let rows: Vec<_> = RegistryReader::open(&path, &opts()).unwrap().collect();
    assert_eq!(rows.len(), 3);

    let first = rows[0].record.as_ref().unwrap();
    assert_eq!(rows[0].row, 2);
    assert!(rows[0].issues.is_empty(), "{:?}", rows[0].issues);
    assert_eq!(first.tgl_lahir, ymd(1990, 1, 5));
    assert!(matches!(first.nik, IdField::Valid(_)));
    assert_eq!(first.rt.as_deref(), Some("3"));
    assert_eq!(
        first.extra,
        vec![("catatan".to_string(), "catatan bebas".to_string())]
    );

    let second = rows[1].record.as_ref().expect("numeric NIKs keep the row");
    assert_eq!(second.id_art, "1002");
    assert_eq!(second.kode_wilayah.to_string(), "32.76.01.1006");
    assert_eq!(second.tgl_lahir, ymd(1990, 1, 1));
    // Excel shows 15 significant digits, so the last digit of the NIK is already gone.
    assert_eq!(
        second.nik,
        IdField::invalid(
            "3276010101900000",
            NikError::ExcelNumber("3276010101900000".into())
        )
    );
    assert!(matches!(
        second.no_kk.error(),
        Some(NikError::ExcelNumber(_))
    ));
    let codes: Vec<(&str, Severity)> = rows[1]
        .issues
        .iter()
        .map(|i| (i.code, i.severity))
        .collect();
    assert_eq!(
        codes,
        [
            ("EXCEL_ANGKA", Severity::Warning),
            ("EXCEL_ANGKA", Severity::Warning)
        ]
    );
    assert!(
        rows[1].issues[1]
            .to_string()
            .contains(":3:nik: NIK tidak valid")
    );

    assert!(rows[2].record.is_none());
    assert_eq!(rows[2].row, 4);
    assert_eq!(rows[2].issues[0].column.as_deref(), Some("tgl_lahir"));
}

#[test]
fn xlsx_sheet_can_be_chosen_and_a_wrong_name_lists_the_sheets() {
    let (_d, path) = temp("registry.xlsx");
    operator_workbook(&path);
    let mut o = ReadOptions::new(today());
    o.sheet = Some("Ringkasan".into());
    assert!(matches!(
        RegistryReader::open(&path, &o),
        Err(ReadError::MissingColumns(_))
    ));
    o.sheet = Some("Tidak Ada".into());
    let err = RegistryReader::open(&path, &o).err().unwrap();
    let ReadError::BadSheet { available, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(available, &["Data ART", "Ringkasan"]);
    assert!(err.to_string().contains("Data ART, Ringkasan"), "{err}");
}

#[test]
fn xlsx_header_may_start_below_blank_rows_and_rows_keep_excel_numbers() {
    let (_d, path) = temp("civil.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "NIK",
        " Nama ",
        "jenis_kelamin",
        "tgl_lahir",
        "kode_wilayah",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(2, u16::try_from(c).unwrap(), *h).unwrap();
    }
    for (c, v) in ["3276014501900001", "Siti", "P", "1990-01-05", "3276011006"]
        .iter()
        .enumerate()
    {
        ws.write_string(4, u16::try_from(c).unwrap(), *v).unwrap();
    }
    wb.save(&path).unwrap();
    let rows: Vec<_> = CivilReader::open(&path, &opts()).unwrap().collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row, 5);
    assert_eq!(rows[0].record.as_ref().unwrap().nama, "Siti");
}

#[test]
fn registry_round_trips_through_csv() {
    round_trip_registry("registry.csv");
}

#[test]
fn registry_round_trips_through_xlsx() {
    round_trip_registry("registry.xlsx");
}

#[test]
fn written_csv_is_utf8_with_comma_spec_header_and_iso_dates() {
    let (_d, path) = temp("registry.csv");
    write_registry(&path, people()).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        "id_art,id_keluarga,no_kk,nik,nama,jenis_kelamin,tempat_lahir,tgl_lahir,hubungan_keluarga,nama_ibu_kandung,alamat,rt,rw,kode_wilayah,program,desil"
    );
    let second = text.lines().nth(1).unwrap();
    assert!(
        second.starts_with("0001,K01,3276011203150007,3276014501900001,"),
        "{second}"
    );
    assert!(second.contains(",1990-01-05,"), "{second}");
}

#[test]
fn written_xlsx_holds_identity_numbers_as_text_and_dates_as_dates() {
    let (_d, path) = temp("registry.xlsx");
    write_registry(&path, people()).unwrap();
    use calamine::{Data, Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(&path).unwrap();
    let range = wb.worksheet_range("registry").unwrap();
    let nik_cell = range.get_value((1, 3)).unwrap();
    assert_eq!(nik_cell, &Data::String("3276014501900001".into()));
    let date_cell = range.get_value((1, 7)).unwrap();
    assert!(matches!(date_cell, Data::DateTime(_)), "{date_cell:?}");
    let id_cell = range.get_value((1, 0)).unwrap();
    assert_eq!(id_cell, &Data::String("0001".into()));
}

fn civil_people() -> Vec<CivilPerson> {
    vec![
        CivilPerson {
            nik: nik("3276014501900001"),
            no_kk: IdField::Valid(NoKk::parse("3276011203150007").unwrap()),
            nama: "SITI AMINAH".into(),
            jenis_kelamin: Sex::P,
            tempat_lahir: Some("DEPOK".into()),
            tgl_lahir: ymd(1990, 1, 5),
            nama_ibu_kandung: Some("FATIMAH".into()),
            alamat: Some("JL. MAWAR".into()),
            rt: Some("001".into()),
            rw: Some("002".into()),
            kode_wilayah: RegionCode::parse("32.76.01.1006").unwrap(),
            status_hidup: LifeStatus::Hidup,
            tgl_meninggal: None,
        },
        CivilPerson {
            nik: nik("3276010101900001"),
            no_kk: IdField::Missing,
            nama: "BUDI".into(),
            jenis_kelamin: Sex::L,
            tempat_lahir: None,
            tgl_lahir: ymd(1990, 1, 1),
            nama_ibu_kandung: None,
            alamat: None,
            rt: None,
            rw: None,
            kode_wilayah: RegionCode::parse("32.76.01.1007").unwrap(),
            status_hidup: LifeStatus::Meninggal,
            tgl_meninggal: Some(ymd(2020, 3, 4)),
        },
    ]
}

#[test]
fn civil_extract_round_trips_through_csv_and_xlsx() {
    for name in ["civil.csv", "civil.xlsx"] {
        let (_d, path) = temp(name);
        assert_eq!(write_civil(&path, civil_people()).unwrap(), 2);
        let rows: Vec<_> = CivilReader::open(&path, &opts()).unwrap().collect();
        assert!(rows.iter().all(|r| r.issues.is_empty()), "{name}: {rows:?}");
        let back: Vec<CivilPerson> = rows.into_iter().map(|r| r.record.unwrap()).collect();
        assert_eq!(back, civil_people(), "{name}");
    }
}

fn results() -> Vec<VerificationRow> {
    vec![
        VerificationRow {
            id_art: "0001".into(),
            status: NikStatus::Padan,
            flags: vec![],
            tindakan: Action::Tetap,
            nik_usulan: None,
            skor: Some(0.9876),
            id_kelompok_ganda: None,
            id_art_utama: None,
            keterangan: "NIK padan dengan Dukcapil.".into(),
        },
        VerificationRow {
            id_art: "0002".into(),
            status: NikStatus::NikTidakValid,
            flags: vec![Flag::Ganda, Flag::Meninggal],
            tindakan: Action::Hapus,
            nik_usulan: Some("3276014501900001".into()),
            skor: None,
            id_kelompok_ganda: Some("G1".into()),
            id_art_utama: Some("0001".into()),
            keterangan: "Ganda, dengan koma, dan \"kutip\".".into(),
        },
    ]
}

#[test]
fn results_round_trip_through_csv_and_xlsx() {
    for name in ["hasil.csv", "hasil.xlsx"] {
        let (_d, path) = temp(name);
        let mut w = ResultWriter::create(&path).unwrap();
        for r in results() {
            w.write(&r).unwrap();
        }
        assert_eq!(w.finish().unwrap(), 2);
        assert_eq!(read_results(&path).unwrap(), results(), "{name}");
    }
}

#[test]
fn result_csv_has_the_spec_columns_in_order() {
    let (_d, path) = temp("hasil.csv");
    let mut w = ResultWriter::create(&path).unwrap();
    w.write(&results()[1]).unwrap();
    w.finish().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), VerificationRow::COLUMNS.join(","));
    assert_eq!(
        lines.next().unwrap(),
        "0002,NIK_TIDAK_VALID,GANDA;MENINGGAL,HAPUS,3276014501900001,,G1,0001,\"Ganda, dengan koma, dan \"\"kutip\"\".\""
    );
}

#[test]
fn invalid_result_rows_are_all_listed() {
    let (_d, path) = temp("hasil.csv");
    std::fs::write(
        &path,
        "id_art,status,flags,tindakan,skor\nA,PADAN,,TETAP,0.5\nB,HILANG,,TETAP,\nC,PADAN,TERBANG,TETAP,2\n",
    )
    .unwrap();
    let err = read_results(&path).unwrap_err();
    let cols: Vec<(u64, &str)> = err
        .issues()
        .iter()
        .map(|i| (i.row, i.column.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(cols, [(3, "status"), (4, "flags"), (4, "skor")]);
}

#[test]
fn writing_to_an_unknown_extension_is_refused() {
    let (_d, path) = temp("registry.json");
    assert!(matches!(
        write_registry(&path, people()),
        Err(padu_io::WriteError::UnsupportedExtension { .. })
    ));
}

#[test]
fn a_broken_workbook_is_unreadable_not_a_panic() {
    let (_d, path) = temp("registry.xlsx");
    std::fs::write(&path, "id_art,nama\n1,Ani\n").unwrap();
    let err = RegistryReader::open(&path, &opts()).err().unwrap();
    assert!(matches!(err, ReadError::Unreadable { .. }), "{err:?}");
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    /// Text as people type it: no control characters, no surrounding spaces, not empty.
    fn field() -> impl Strategy<Value = String> {
        "\\PC{1,20}"
            .prop_map(|s| s.trim().to_string())
            .prop_filter("non-empty", |s| !s.is_empty())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn any_text_round_trips_through_csv(
            nama in field(),
            alamat in proptest::option::of(field()),
            extra in "\\PC{0,12}",
            delimiterish in "[,;\"\t ]{0,4}",
        ) {
            let mut p = people().remove(0);
            p.nama = format!("{nama}{delimiterish}x").into();
            p.alamat = alamat.map(padu_core::Text::from);
            p.extra = vec![("catatan".into(), extra)];
            let (_d, path) = temp("registry.csv");
            write_registry(&path, vec![p.clone()]).unwrap();
            let rows: Vec<_> = RegistryReader::open(&path, &opts()).unwrap().collect();
            prop_assert_eq!(rows.len(), 1);
            prop_assert_eq!(rows[0].record.clone(), Some(p));
        }
    }
}
