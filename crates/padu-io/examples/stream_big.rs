//! Generates a large registry CSV (or reuses one) and streams it, to measure speed and memory.
//!
//! `cargo run --release -p padu-io --example stream_big -- /tmp/big.csv 1000000` (or `big.xlsx`, `big.parquet`)

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use padu_io::{ReadOptions, RegistryReader};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/padu-big.csv".into()));
    let n: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    if !path.exists() {
        let started = Instant::now();
        if path.extension().is_some_and(|e| e == "xlsx") {
            let people: Vec<_> = {
                let csv = path.with_extension("csv");
                write_csv(&csv, n);
                RegistryReader::open(&csv, &ReadOptions::default())
                    .unwrap()
                    .filter_map(|r| r.record)
                    .collect()
            };
            padu_io::write_registry(&path, people).unwrap();
        } else if path.extension().is_some_and(|e| e == "parquet") {
            // Streamed straight from the CSV reader: the Parquet writer holds one row group at a time.
            let csv = path.with_extension("csv");
            write_csv(&csv, n);
            let people = RegistryReader::open(&csv, &ReadOptions::default())
                .unwrap()
                .filter_map(|r| r.record);
            padu_io::write_registry(&path, people).unwrap();
        } else {
            write_csv(&path, n);
        }
        eprintln!("wrote {} in {:.1?}", path.display(), started.elapsed());
    }
    let started = Instant::now();
    let reader = RegistryReader::open(&path, &ReadOptions::default()).unwrap();
    let (mut rows, mut ok, mut issues) = (0u64, 0u64, 0usize);
    for row in reader {
        rows += 1;
        ok += u64::from(row.record.is_some());
        issues += row.issues.len();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{rows} rows ({ok} ok, {issues} issues) in {secs:.2} s = {:.0} rows/s",
        rows as f64 / secs
    );
}

fn write_csv(path: &std::path::Path, n: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "id_art;id_keluarga;no_kk;nik;nama;jenis_kelamin;tempat_lahir;tgl_lahir;hubungan_keluarga;nama_ibu_kandung;alamat;rt;rw;kode_wilayah").unwrap();
    for i in 0..n {
        let nik = if i % 10 == 0 {
            "3.27601E+15".to_string()
        } else {
            "3276014501900001".to_string()
        };
        writeln!(
            f,
            "ID{i:08};KEL{};3276011203150007;{nik};Nama Orang {i};P;Depok;05/01/1990;ANAK;Ibu {i};Jl. Melati {i};001;002;32.76.01.1006",
            i / 4
        )
        .unwrap();
    }
}
