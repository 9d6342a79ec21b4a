//! Files built the way village and Dinsos offices build them: title rows,
//! merged title cells, spaced and dotted headers, aliases, villages given by
//! name or as separate code columns, extra columns, NIKs typed as numbers.

use std::path::Path;

use crate::common::opts;
use padu_core::{IdField, NikError, RegionCode};
use padu_io::{
    CivilReader, EXTRA, FileType, Mapping, ReadError, ReadOptions, RegistryReader, Severity,
    suggest_mapping,
};
use padu_testkit::{temp, ymd};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap()
}

fn row(r: usize) -> u32 {
    u32::try_from(r).unwrap()
}

/// A village office's workbook: a merged title on row 1, a blank row 2, the header on row 3.
///
/// `villages` gives each data row's (district, regency, village) names.
fn office_workbook(path: &Path, villages: &[(&str, &str, &str)]) {
    let header = [
        "No",
        "ID ART",
        "No. KK",
        "NIK",
        "Nama Lengkap",
        "L/P",
        "Tempat Lahir",
        "Tgl. Lahir",
        "Hub. Keluarga",
        "Nama Ibu",
        "Alamat Lengkap",
        "RT",
        "RW",
        "Kecamatan",
        "Kabupaten/Kota",
        "Desa/Kelurahan",
        "Status PKH",
        "No HP",
    ];
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("DTKS").unwrap();
    let title = Format::new().set_bold();
    ws.merge_range(
        0,
        0,
        0,
        col(header.len() - 1),
        "DATA DTKS DESA DEPOK BULAN OKTOBER 2026",
        &title,
    )
    .unwrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(2, col(c), *h).unwrap();
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (i, (kec, kab, desa)) in villages.iter().enumerate() {
        let r = row(3 + i);
        ws.write_number(r, 0, f64::from(r - 2)).unwrap();
        ws.write_string(r, 1, format!("ART{:03}", i + 1)).unwrap();
        ws.write_string(r, 2, "3276011203150007").unwrap();
        if i == 1 {
            // Typed into Excel as a number: Excel has already lost the 16th digit.
            ws.write_number(r, 3, 3_276_014_501_900_001_f64).unwrap();
        } else {
            ws.write_string(r, 3, "3276014501900001").unwrap();
        }
        ws.write_string(r, 4, "SITI AMINAH").unwrap();
        ws.write_string(r, 5, "P").unwrap();
        ws.write_string(r, 6, "DEPOK").unwrap();
        ws.write_datetime_with_format(r, 7, ExcelDateTime::from_ymd(1990, 1, 5).unwrap(), &date)
            .unwrap();
        ws.write_string(r, 8, "ISTRI").unwrap();
        ws.write_string(r, 9, "FATIMAH").unwrap();
        ws.write_string(r, 10, "JL. MAWAR NO. 1").unwrap();
        ws.write_string(r, 11, "001").unwrap();
        ws.write_string(r, 12, "002").unwrap();
        ws.write_string(r, 13, *kec).unwrap();
        ws.write_string(r, 14, *kab).unwrap();
        ws.write_string(r, 15, *desa).unwrap();
        ws.write_string(r, 16, "PKH").unwrap();
        ws.write_string(r, 17, "081234567890").unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn an_office_workbook_with_a_title_aliases_and_village_names_imports() {
    let (_d, path) = temp("dtks-oktober.xlsx");
    office_workbook(
        &path,
        &[
            ("Pancoran Mas", "Kota Depok", "Depok"),
            ("KEC. PANCORAN MAS", "KOTA DEPOK", "KELURAHAN DEPOK JAYA"),
        ],
    );
    let mut reader = RegistryReader::open(&path, &opts()).unwrap();
    assert_eq!(reader.header().row, 3, "header found below the title");
    assert_eq!(reader.header().skipped, vec![1]);
    // Region names are read for the code and kept, like unknown columns, as extra data.
    assert_eq!(
        reader.extra_columns(),
        vec![
            "No".to_string(),
            "Kecamatan".into(),
            "Kabupaten/Kota".into(),
            "Desa/Kelurahan".into(),
            "Status PKH".into(),
            "No HP".into()
        ]
    );
    let rows: Vec<_> = reader.by_ref().collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].row, 4, "rows keep the numbers Excel shows");
    let first = rows[0].record.as_ref().expect("first row imports");
    assert_eq!(first.kode_wilayah, RegionCode::parse("3276011006").unwrap());
    assert!(matches!(&first.no_kk, IdField::Valid(kk) if kk.to_string() == "3276011203150007"));
    assert_eq!(first.nama, "SITI AMINAH");
    assert_eq!(first.nama_ibu_kandung.as_deref(), Some("FATIMAH"));
    assert_eq!(first.tgl_lahir, ymd(1990, 1, 5));
    assert_eq!(
        first.extra,
        vec![
            ("No".to_string(), "1".to_string()),
            ("Kecamatan".into(), "Pancoran Mas".into()),
            ("Kabupaten/Kota".into(), "Kota Depok".into()),
            ("Desa/Kelurahan".into(), "Depok".into()),
            ("Status PKH".into(), "PKH".into()),
            ("No HP".into(), "081234567890".into()),
        ]
    );
    let second = rows[1].record.as_ref().expect("a numeric NIK is a warning");
    assert_eq!(
        second.kode_wilayah,
        RegionCode::parse("3276011007").unwrap()
    );
    assert!(matches!(second.nik.error(), Some(NikError::ExcelNumber(_))));
    let warning = &rows[1].issues[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert!(
        warning
            .to_string()
            .starts_with(&format!("{}:5:NIK: ", path.display())),
        "row and column as Excel shows them: {warning}"
    );
    assert_eq!(
        reader.header().columns[2],
        ("No. KK".into(), "no_kk".into())
    );
    assert_eq!(
        reader.header().columns[15],
        ("Desa/Kelurahan".into(), "nama_desa".into())
    );
}

#[test]
fn a_village_name_that_is_ambiguous_or_unknown_is_a_row_error_naming_its_column() {
    let (_d, path) = temp("desa.xlsx");
    office_workbook(
        &path,
        &[
            ("", "", "Sukamaju"),
            ("Pancoran Mas", "Kota Depok", "Sukamaju"),
            ("Pancoran Mas", "Kabupaten Depok", "Depok"),
        ],
    );
    let rows: Vec<_> = RegistryReader::open(&path, &opts()).unwrap().collect();
    let ambiguous = rows[0]
        .issues
        .iter()
        .find(|i| i.severity == Severity::Error)
        .unwrap();
    assert!(rows[0].record.is_none());
    let text = ambiguous.to_string();
    assert!(
        text.contains(":4:Desa/Kelurahan: ") && text.contains("ambigu"),
        "{text}"
    );
    assert!(
        text.contains("kecamatan"),
        "the message says how to resolve it: {text}"
    );
    let unknown = rows[1].issues.iter().find(|i| i.is_error()).unwrap();
    assert!(unknown.to_string().contains("tidak ditemukan"), "{unknown}");
    // "Kabupaten Depok" does not exist: Depok is a city (kota).
    assert!(rows[2].record.is_none());
}

/// A CSV saved from Excel by a Dinsos office: a title line, an empty row
/// (Excel writes its delimiters), a `;`-separated header with the region as
/// four code columns; then the same with truly empty lines and a quoted line
/// break, which Excel also shows as one row each.
#[test]
fn a_csv_with_a_title_and_separate_region_code_columns_imports() {
    let (_d, path) = temp("dtks.csv");
    std::fs::write(
        &path,
        "DATA DTKS KOTA DEPOK, OKTOBER 2026;;;;;;;;;;\n\
         ;;;;;;;;;;\n\
         ID_ART;NO KK;NIK;NAMA;JENIS KELAMIN;TGL LAHIR;KODE PROV;KODE KAB;KODE KEC;KODE DESA;KKS\n\
         A1;3276011203150007;3276014501900001;SITI;P;05-01-1990;32;76;1;1006;ya\n\
         A2;3276011203150007;3276010101900001;BUDI;L;31/02/1990;32;76;01;1006;\n\
         A3;;;ANI;P;01-01-2000;32;3276;327601;1007;\n",
    )
    .unwrap();
    let reader = RegistryReader::open(&path, &opts()).unwrap();
    assert_eq!(reader.header().row, 3);
    assert_eq!(
        reader.extra_columns(),
        ["KODE PROV", "KODE KAB", "KODE KEC", "KKS"]
    );
    let rows: Vec<_> = reader.collect();
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [4, 5, 6]);
    let siti = rows[0].record.as_ref().unwrap();
    assert_eq!(siti.kode_wilayah, RegionCode::parse("3276011006").unwrap());
    assert_eq!(siti.extra[3], ("KKS".to_string(), "ya".to_string()));
    assert!(rows[1].record.is_none());
    let e = &rows[1].issues[0];
    assert!(
        e.to_string()
            .starts_with(&format!("{}:5:TGL LAHIR: ", path.display())),
        "{e}"
    );
    let ani = rows[2].record.as_ref().unwrap();
    assert_eq!(ani.kode_wilayah, RegionCode::parse("3276011007").unwrap());

    std::fs::write(
        &path,
        "DATA DTKS KOTA DEPOK\r\n\
         \r\n\
         ID_ART;NO KK;NIK;NAMA;JENIS KELAMIN;TGL LAHIR;ALAMAT;KODE WILAYAH\r\n\
         A1;;;SITI;P;05-01-1990;\"JL. MAWAR\r\nGANG 2\";3276011006\r\n\
         \r\n\
         \r\n\
         A2;;;BUDI;X;05-01-1990;;3276011006\r\n",
    )
    .unwrap();
    let reader = RegistryReader::open(&path, &opts()).unwrap();
    assert_eq!(reader.header().row, 3, "the empty line 2 is a row");
    let rows: Vec<_> = reader.collect();
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [4, 7]);
    assert!(
        rows[1].issues[0].to_string().contains(":7:JENIS KELAMIN: "),
        "{}",
        rows[1].issues[0]
    );
}

#[test]
fn when_no_row_names_the_required_columns_the_closest_row_is_reported() {
    let (_d, path) = temp("judul.csv");
    std::fs::write(
        &path,
        "REKAP DTKS\nid_art,nama,jenis_kelamin,tgl_lahir,kode_wilayah\nA1,SITI,P,1990-01-05,3276011006\n",
    )
    .unwrap();
    let Err(ReadError::MissingColumns(issues)) = RegistryReader::open(&path, &opts()) else {
        panic!("missing columns")
    };
    let named: Vec<_> = issues.iter().map(|i| (i.row, i.column.clone())).collect();
    assert_eq!(
        named,
        vec![(2, Some("no_kk".to_string())), (2, Some("nik".to_string()))]
    );
}

#[test]
fn two_columns_meaning_the_same_field_are_refused_unless_one_is_exact() {
    let (_d, path) = temp("ganda.csv");
    std::fs::write(
        &path,
        "id_art,no_kk,nik,Nama Lengkap,Nama ART,jk,tgl_lahir,kode_wilayah\n",
    )
    .unwrap();
    let Err(ReadError::DuplicateColumns(issues)) = RegistryReader::open(&path, &opts()) else {
        panic!("duplicate columns")
    };
    let text = issues[0].to_string();
    assert!(
        text.contains("\"Nama Lengkap\" dan \"Nama ART\"") && text.contains("--map"),
        "{text}"
    );
    // An exact spec name wins over an alias, which stays as extra data.
    std::fs::write(
        &path,
        "id_art,no_kk,nik,nama,Nama Lengkap,jk,tgl_lahir,kode_wilayah\nA1,,,SITI,Siti Aminah,P,1990-01-05,3276011006\n",
    )
    .unwrap();
    let reader = RegistryReader::open(&path, &opts()).unwrap();
    assert_eq!(reader.extra_columns(), vec!["Nama Lengkap".to_string()]);
}

#[test]
fn a_mapping_names_columns_fixes_values_and_reads_month_first_dates() {
    let (_d, path) = temp("kantor.csv");
    std::fs::write(
        &path,
        "NOMOR URUT,NOMOR KELUARGA,NIK,NAMA,JK,LAHIR (BLN/TGL/THN)\n\
         A1,3276011203150007,3276014501900001,SITI,P,01/05/1990\n\
         A2,3276011203150007,3276010101900001,BUDI,L,13/01/1990\n",
    )
    .unwrap();
    assert!(matches!(
        RegistryReader::open(&path, &opts()),
        Err(ReadError::MissingColumns(_))
    ));
    let mapping = Mapping::parse(
        "format_tanggal = \"MM/DD/YYYY\"\n\
         [kolom]\n\
         \"Nomor Urut\" = \"id_art\"\n\
         \"NOMOR KELUARGA\" = \"no_kk\"\n\
         \"LAHIR (BLN/TGL/THN)\" = \"tgl_lahir\"\n\
         [tetap]\n\
         kode_wilayah = \"32.76.01.1006\"\n",
        "peta.toml",
    )
    .unwrap();
    let opts = ReadOptions { mapping, ..opts() };
    let rows: Vec<_> = RegistryReader::open(&path, &opts).unwrap().collect();
    let siti = rows[0].record.as_ref().unwrap();
    assert_eq!(siti.tgl_lahir, ymd(1990, 1, 5));
    assert_eq!(siti.kode_wilayah, RegionCode::parse("3276011006").unwrap());
    assert!(rows[1].record.is_none(), "month 13 does not exist");
    assert!(
        rows[1].issues[0].to_string().contains(
            ":3:LAHIR (BLN/TGL/THN): tanggal \"13/01/1990\" tidak sesuai format_tanggal MM/DD/YYYY"
        ),
        "{}",
        rows[1].issues[0]
    );

    let bad = ReadOptions {
        mapping: Mapping::parse("[kolom]\n\"NIK\" = \"nomor_nik\"\n", "peta.toml").unwrap(),
        ..crate::common::opts()
    };
    let Err(e @ ReadError::BadMapping { .. }) = RegistryReader::open(&path, &bad) else {
        panic!("an unknown field is refused")
    };
    assert!(
        e.to_string().contains("nomor_nik") && e.to_string().contains("no_kk"),
        "{e}"
    );
}

#[test]
fn a_suggested_mapping_lists_what_is_missing_and_once_completed_imports() {
    let (_d, path) = temp("kantor.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "DAFTAR PENERIMA").unwrap();
    for (c, h) in [
        "ID",
        "KK",
        "NIK",
        "NAMA",
        "L/P",
        "TGL LAHIR",
        "DESA",
        "KETERANGAN",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, col(c), *h).unwrap();
    }
    for (c, v) in [
        "A1",
        "3276011203150007",
        "3276014501900001",
        "SITI",
        "P",
        "05-01-1990",
        "3276011006",
        "",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(2, col(c), *v).unwrap();
    }
    wb.save(&path).unwrap();
    let s = suggest_mapping(&path, FileType::Registry, &opts()).unwrap();
    assert_eq!(s.header.row, 2);
    assert_eq!(s.missing, vec!["id_art".to_string()]);
    let mut mapping = s.header.mapping(&Mapping::default());
    assert_eq!(mapping.header_row, Some(2));
    assert_eq!(mapping.columns["ID"], EXTRA);
    assert_eq!(mapping.columns["DESA"], "nama_desa");
    let order: Vec<&str> = s.header.columns.iter().map(|(h, _)| h.as_str()).collect();
    let text = mapping.to_toml("kantor.xlsx", &order, &["id_art"]);
    assert!(text.contains("# id_art = \"\""), "{text}");
    // The operator corrects one line and reuses the file.
    let text = text.replace("\"ID\" = \"-\"", "\"ID\" = \"id_art\"");
    mapping = Mapping::parse(&text, "peta.toml").unwrap();
    let opts = ReadOptions {
        mapping,
        ..crate::common::opts()
    };
    let rows: Vec<_> = RegistryReader::open(&path, &opts).unwrap().collect();
    let siti = rows[0].record.as_ref().unwrap();
    assert_eq!(siti.id_art, "A1");
    assert_eq!(siti.kode_wilayah, RegionCode::parse("3276011006").unwrap());
    assert_eq!(
        siti.extra,
        vec![
            ("DESA".to_string(), "3276011006".to_string()),
            ("KETERANGAN".into(), String::new())
        ]
    );
}

#[test]
fn a_civil_extract_with_office_headers_reads() {
    let (_d, path) = temp("dukcapil.csv");
    std::fs::write(
        &path,
        "NIK;NAMA LENGKAP;JK;TANGGAL LAHIR;KODE WILAYAH;STATUS KEMATIAN;TGL KEMATIAN\n\
         3276014501900001;SITI;P;05-01-1990;3276011006;MENINGGAL;01-02-2024\n",
    )
    .unwrap();
    let rows: Vec<_> = CivilReader::open(&path, &opts()).unwrap().collect();
    let siti = rows[0].record.as_ref().unwrap();
    assert_eq!(siti.tgl_meninggal, Some(ymd(2024, 2, 1)));
}
