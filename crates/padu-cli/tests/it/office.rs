//! `padu import` with files shaped the way offices keep them: the example
//! workbook of the README tour, `--dry-run` on both databases, and
//! `--suggest-map` then `--map`.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use padu_store::{Scope, Store};

use crate::common::{Run, padu, run, run_words};

/// The example workbook the README tour imports.
fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/dtks-desa-depok-jaya.xlsx")
}

/// One synthetic person of the example: (household, NIK, name, sex, birth date, relation, mother).
type Member = (
    u8,
    &'static str,
    &'static str,
    &'static str,
    (u16, u8, u8),
    &'static str,
    &'static str,
);

/// Made-up people (no real person's data), three households in Depok Jaya, Pancoran Mas, Kota Depok.
const MEMBERS: &[Member] = &[
    (
        1,
        "3276010507850001",
        "AGUS SETIAWAN",
        "L",
        (1985, 7, 5),
        "KEPALA KELUARGA",
        "SUMIATI",
    ),
    (
        1,
        "3276014808870002",
        "DEWI LESTARI",
        "P",
        (1987, 8, 8),
        "ISTRI",
        "PARTINAH",
    ),
    (
        1,
        "3276012003100003",
        "RIZKY PRATAMA",
        "L",
        (2010, 3, 20),
        "ANAK",
        "DEWI LESTARI",
    ),
    (
        1,
        "3276015511150004",
        "NUR AINI",
        "P",
        (2015, 11, 15),
        "ANAK",
        "DEWI LESTARI",
    ),
    (
        2,
        "3276011201700005",
        "BAMBANG SUTRISNO",
        "L",
        (1970, 1, 12),
        "KEPALA KELUARGA",
        "-",
    ),
    (
        2,
        "3276016304720006",
        "SRI WAHYUNI",
        "P",
        (1972, 4, 23),
        "ISTRI",
        "SITI AMINAH",
    ),
    (
        2,
        "",
        "EKO PRASETYO",
        "L",
        (1995, 9, 9),
        "ANAK",
        "SRI WAHYUNI",
    ),
    (
        3,
        "3276014102600008",
        "SITI MARYAM",
        "P",
        (1960, 2, 1),
        "KEPALA KELUARGA",
        "FATIMAH",
    ),
    (
        3,
        "3276012506880009",
        "ANDI WIJAYA",
        "L",
        (1988, 6, 25),
        "ANAK",
        "SITI MARYAM",
    ),
];

const KK: [&str; 3] = ["3276010101120001", "3276011506090002", "3276010303180003"];

/// Writes the example workbook: a merged two-line title, a blank row, the
/// header on row 4 as an office writes it, the village by name, three
/// columns Padu does not know, and one NIK typed into Excel as a number.
fn write_example(path: &Path) {
    let header = [
        "NO",
        "ID ART",
        "NO. KK",
        "NIK",
        "NAMA LENGKAP",
        "L/P",
        "TEMPAT LAHIR",
        "TGL. LAHIR",
        "HUB. KELUARGA",
        "NAMA IBU KANDUNG",
        "ALAMAT",
        "RT",
        "RW",
        "DESA/KELURAHAN",
        "KECAMATAN",
        "KABUPATEN/KOTA",
        "STATUS PKH",
        "NO. KKS",
        "NO. HP",
    ];
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("DTKS OKTOBER").unwrap();
    let title = Format::new().set_bold().set_font_size(14);
    let last = u16::try_from(header.len() - 1).unwrap();
    ws.merge_range(0, 0, 0, last, "DATA DTKS KELURAHAN DEPOK JAYA", &title)
        .unwrap();
    ws.merge_range(
        1,
        0,
        1,
        last,
        "KECAMATAN PANCORAN MAS, KOTA DEPOK - KEADAAN BULAN OKTOBER 2026",
        &Format::new().set_italic(),
    )
    .unwrap();
    let bold = Format::new()
        .set_bold()
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    for (c, h) in (0u16..).zip(header) {
        ws.write_string_with_format(3, c, h, &bold).unwrap();
        ws.set_column_width(c, 16).unwrap();
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (i, (hh, nik, name, sex, (y, m, d), rel, mother)) in MEMBERS.iter().enumerate() {
        let r = u32::try_from(4 + i).unwrap();
        let kk = KK[usize::from(*hh) - 1];
        ws.write_number(r, 0, f64::from(r - 3)).unwrap();
        ws.write_string(r, 1, format!("DJ-{hh:02}-{:02}", i + 1))
            .unwrap();
        ws.write_string(r, 2, kk).unwrap();
        if i == 8 {
            // Typed as a number: Excel has already dropped the 16th digit.
            ws.write_number(r, 3, nik.parse::<f64>().unwrap()).unwrap();
        } else {
            ws.write_string(r, 3, *nik).unwrap();
        }
        ws.write_string(r, 4, *name).unwrap();
        ws.write_string(r, 5, *sex).unwrap();
        ws.write_string(r, 6, "DEPOK").unwrap();
        ws.write_datetime_with_format(r, 7, ExcelDateTime::from_ymd(*y, *m, *d).unwrap(), &date)
            .unwrap();
        ws.write_string(r, 8, *rel).unwrap();
        ws.write_string(r, 9, *mother).unwrap();
        ws.write_string(r, 10, format!("JL. MELATI NO. {}", 10 + hh))
            .unwrap();
        ws.write_string(r, 11, "003").unwrap();
        ws.write_string(r, 12, "007").unwrap();
        ws.write_string(r, 13, "DEPOK JAYA").unwrap();
        ws.write_string(r, 14, "PANCORAN MAS").unwrap();
        ws.write_string(r, 15, "KOTA DEPOK").unwrap();
        ws.write_string(r, 16, if *hh == 3 { "" } else { "PKH" })
            .unwrap();
        ws.write_string(r, 17, format!("60130000{hh:04}")).unwrap();
        ws.write_string(r, 18, format!("08121000{hh:04}")).unwrap();
    }
    wb.save(path).unwrap();
}

/// Regenerates `docs/examples/dtks-desa-depok-jaya.xlsx` when `PADU_WRITE_EXAMPLES` is set.
#[test]
fn the_example_workbook_is_the_one_this_code_writes() {
    if std::env::var_os("PADU_WRITE_EXAMPLES").is_some() {
        std::fs::create_dir_all(example_path().parent().unwrap()).unwrap();
        write_example(&example_path());
    }
    assert!(
        example_path().exists(),
        "run with PADU_WRITE_EXAMPLES=1 to write {}",
        example_path().display()
    );
}

/// The README tour's import of the example workbook: header found on row 4,
/// the village looked up by name, three extra columns, and warnings for the
/// number-typed NIK, the missing NIK and the placeholder mother's name.
#[test]
fn the_office_workbook_of_the_tour_imports_as_the_readme_says() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dtks.xlsx");
    write_example(&file);
    let file = file.to_str().unwrap();
    let dry = run(dir.path(), &["import", "registry", file, "--dry-run"]);
    assert_eq!(dry.code, 0, "{}{}", dry.stdout, dry.stderr);
    assert!(
        dry.stderr
            .contains("baris judul ditemukan di baris 4; baris di atasnya dilewati: 1, 2"),
        "{}",
        dry.stderr
    );
    assert!(
        dry.stderr.contains("DESA/KELURAHAN") && dry.stderr.contains("→ nama_desa"),
        "{}",
        dry.stderr
    );
    assert!(
        dry.stdout
            .contains("UJI COBA, tidak ada yang disimpan. 9 baris dibaca; akan menjadi 9 baru, 0 berubah, 0 tidak berubah"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stderr.contains(&format!("{file}:13:NIK: ")),
        "the number-typed NIK is named by Excel row and header: {}",
        dry.stderr
    );
    assert!(
        dry.stderr.contains(&format!("{file}:9:NAMA IBU KANDUNG: ")),
        "{}",
        dry.stderr
    );
    let stats = run_words(dir.path(), "stats");
    assert!(
        !stats.stdout.contains("9 "),
        "a dry run leaves the database empty: {}",
        stats.stdout
    );
    let real = run(dir.path(), &["import", "registry", file]);
    assert_eq!(real.code, 0, "{}{}", real.stdout, real.stderr);
    assert!(real.stdout.contains("9 baru"), "{}", real.stdout);
    assert!(
        real.stderr.contains(
            "kolom yang tidak dikenal disimpan sebagai data tambahan: NO, STATUS PKH, NO. KKS, NO. HP"
        ),
        "{}",
        real.stderr
    );
    let out = run(dir.path(), &["export", "registry", "--out", "o.csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let csv = std::fs::read_to_string(dir.path().join("o.csv")).unwrap();
    assert_eq!(csv.matches("32.76.01.1007").count(), 9, "{csv}");
}

/// Everything in a database that an import could change, as text: import
/// runs, every registry person, and the number of history rows.
fn db_state(url: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = Store::connect(url).await.unwrap();
        let runs = store.import_runs().await.unwrap();
        let people = store.load_registry(Scope::National).await.unwrap();
        let mut history = 0;
        for p in &people {
            history += store
                .person_history(Scope::National, &p.id_art)
                .await
                .unwrap()
                .len();
        }
        format!("{runs:?}\n{people:?}\n{history}")
    })
}

/// Imports two people, then dry-runs a file that would add, change and
/// reject: the counts are reported and the database is as it was.
fn assert_dry_run_writes_nothing(dir: &Path, url: &str) {
    let csv = "id_art,no_kk,nik,nama,jenis_kelamin,tgl_lahir,kode_wilayah\n\
               A1,,3276014501900001,SITI,P,1990-01-05,3276011006\n\
               A2,,,BUDI,L,1991-02-03,3276011006\n";
    std::fs::write(dir.join("a.csv"), csv).unwrap();
    let with = |args: &[&str]| -> Run {
        padu(dir)
            .args(["--db", url])
            .args(args)
            .output()
            .unwrap()
            .into()
    };
    let first = with(&["import", "registry", "a.csv"]);
    assert!(
        first.stdout.contains("2 baru"),
        "{}{}",
        first.stdout,
        first.stderr
    );
    let before = db_state(url);
    std::fs::write(
        dir.join("b.csv"),
        "id_art,no_kk,nik,nama,jenis_kelamin,tgl_lahir,kode_wilayah\n\
         A1,,3276014501900001,SITI AMINAH,P,1990-01-05,3276011006\n\
         A2,,,BUDI,L,1991-02-03,3276011006\n\
         A3,,,ANI,P,31/02/1990,3276011006\n\
         A4,,,DEDI,L,2001-02-03,3276011006\n",
    )
    .unwrap();
    let dry = with(&["import", "registry", "b.csv", "--dry-run"]);
    assert_eq!(
        dry.code, 1,
        "an error makes the exit code 1: {}",
        dry.stdout
    );
    assert!(
        dry.stdout
            .contains("akan menjadi 1 baru, 1 berubah, 1 tidak berubah; 1 baris bergalat"),
        "{}",
        dry.stdout
    );
    assert!(dry.stderr.contains("b.csv:4:tgl_lahir:"), "{}", dry.stderr);
    let after = db_state(url);
    assert!(
        before == after,
        "the dry run wrote to the database:\n{before}\n---\n{after}"
    );
    // The same file imported for real (good rows only) does what the dry run said.
    let real = with(&["import", "registry", "b.csv", "--partial"]);
    assert!(
        real.stdout
            .contains("1 baru, 1 berubah, 1 tidak berubah, 1 ditolak"),
        "{}",
        real.stdout
    );
}

#[test]
fn a_dry_run_writes_nothing_to_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("padu.db").display());
    assert_dry_run_writes_nothing(dir.path(), &url);
}

#[test]
fn a_dry_run_writes_nothing_to_postgres() {
    let base = std::env::var("PADU_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let name = format!("padu_cli_dry_{}", std::process::id());
    let psql = |sql: &str| {
        let o = std::process::Command::new("psql")
            .args([base.as_str(), "-v", "ON_ERROR_STOP=1", "-Atc", sql])
            .output()
            .expect("psql runs (PostgreSQL client needed for this test)");
        assert!(
            o.status.success(),
            "PostgreSQL at {base}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    psql(&format!("drop database if exists {name}"));
    psql(&format!("create database {name}"));
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    let dir = tempfile::tempdir().unwrap();
    assert_dry_run_writes_nothing(dir.path(), &url);
    psql(&format!("drop database {name} with (force)"));
}

/// An operator's file that needs one correction: `--suggest-map` writes what
/// Padu inferred, the operator fixes one line, `--map` imports it.
#[test]
fn suggest_map_then_map_imports_a_file_the_aliases_cannot_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kantor.csv"),
        "REKAP PENERIMA BANSOS\n\
         NOMOR URUT;KK;NIK;NAMA;JK;TGL LAHIR;KODE WILAYAH;CATATAN\n\
         A1;3276011203150007;3276014501900001;SITI;P;05-01-1990;3276011006;\n",
    )
    .unwrap();
    let refused = run_words(dir.path(), "import registry kantor.csv");
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .contains("kantor.csv:2:id_art: kolom wajib \"id_art\" tidak ada"),
        "the missing column is reported on the real header row: {}",
        refused.stderr
    );
    let s = run_words(
        dir.path(),
        "import registry kantor.csv --suggest-map peta.toml",
    );
    assert_eq!(s.code, 0, "{}{}", s.stdout, s.stderr);
    assert!(
        s.stdout.contains("kolom wajib belum ditemukan: id_art"),
        "{}",
        s.stdout
    );
    let text = std::fs::read_to_string(dir.path().join("peta.toml")).unwrap();
    assert!(text.contains("baris_judul = 2"), "{text}");
    assert!(text.contains("\"NOMOR URUT\" = \"-\""), "{text}");
    std::fs::write(
        dir.path().join("peta.toml"),
        text.replace("\"NOMOR URUT\" = \"-\"", "\"NOMOR URUT\" = \"id_art\""),
    )
    .unwrap();
    let ok = run_words(dir.path(), "import registry kantor.csv --map peta.toml");
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.contains("1 baru"), "{}", ok.stdout);
    let bad = run_words(
        dir.path(),
        "import registry kantor.csv --map tidak-ada.toml",
    );
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("tidak-ada.toml"), "{}", bad.stderr);
}
