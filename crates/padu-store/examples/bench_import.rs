//! Measures a bulk registry import: `cargo run --release -p padu-store --example bench_import -- URL [ROWS] [BATCH]`.
//!
//! Rows are synthetic and generated batch by batch while importing, as the CLI
//! streams a file, so memory stays bounded by the batch. It imports the rows,
//! re-imports them unchanged, re-imports them with every tenth name changed,
//! exports them, and prints rows/s for each step and the peak RSS.

use std::time::Instant;

use chrono::NaiveDate;
use padu_core::{IdField, RegionCode, RegionLevel, RegistryPerson, Relation, Sex, regions};
use padu_store::{Scope, Store, StoreError};

const NAMES: [&str; 8] = [
    "BUDI", "SITI", "AHMAD", "DEWI", "EKO", "RINA", "JOKO", "SRI",
];
const FAMILY: [&str; 6] = [
    "SANTOSO",
    "WAHYUNI",
    "HIDAYAT",
    "LESTARI",
    "PRATAMA",
    "KURNIASIH",
];

fn villages() -> Vec<RegionCode> {
    regions()
        .iter()
        .filter(|r| r.code.level() == RegionLevel::Village && r.is_current())
        .map(|r| r.code)
        .step_by(37)
        .take(5_000)
        .collect()
}

fn person(i: u64, villages: &[RegionCode], today: NaiveDate, edit: bool) -> RegistryPerson {
    let household = i / 4;
    let village = villages[(household % villages.len() as u64) as usize];
    let district = village.district().unwrap().compact();
    let sex = if i.is_multiple_of(2) { Sex::L } else { Sex::P };
    let born = NaiveDate::from_ymd_opt(
        1950 + (i % 60) as i32,
        1 + (i % 12) as u32,
        1 + (i % 28) as u32,
    )
    .unwrap();
    let day =
        born.format("%d").to_string().parse::<u32>().unwrap() + if sex == Sex::P { 40 } else { 0 };
    let nik = format!(
        "{district}{day:02}{}{:04}",
        born.format("%m%y"),
        1 + i % 9_999
    );
    let mut nama = format!(
        "{} {}",
        NAMES[(i % 8) as usize],
        FAMILY[(household % 6) as usize]
    );
    if edit && i.is_multiple_of(10) {
        nama.push_str(" BARU");
    }
    RegistryPerson {
        id_art: format!("ART{i:09}").into(),
        id_keluarga: Some(format!("KEL{household:08}").into()),
        no_kk: IdField::parse_kk(&format!(
            "{district}0101{:02}{:04}",
            household % 24,
            1 + household % 9_999
        )),
        nik: IdField::parse_nik(&nik, today),
        nama: nama.into(),
        jenis_kelamin: sex,
        tempat_lahir: Some("BANDUNG".into()),
        tgl_lahir: born,
        hubungan_keluarga: Some(if i.is_multiple_of(4) {
            Relation::Kepala
        } else {
            Relation::Anak
        }),
        nama_ibu_kandung: Some("SUMIATI".into()),
        alamat: Some(format!("JL. MERDEKA NO. {}", household % 300).into()),
        rt: Some(format!("{:03}", household % 20).into()),
        rw: Some(format!("{:03}", household % 9).into()),
        kode_wilayah: village,
        extra: vec![("desil".into(), format!("{}", 1 + household % 10))],
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

async fn run_import(
    store: &Store,
    n: u64,
    batch: u64,
    villages: &[RegionCode],
    edit: bool,
) -> Result<(), StoreError> {
    let today = store.today();
    let t = Instant::now();
    let mut imp = store.begin_registry_import("bench.csv").await?;
    let mut i = 0;
    while i < n {
        let end = (i + batch).min(n);
        let rows: Vec<RegistryPerson> =
            (i..end).map(|k| person(k, villages, today, edit)).collect();
        imp.push(&rows).await?;
        i = end;
    }
    let staged = t.elapsed();
    let r = imp.finish().await?;
    let total = t.elapsed();
    println!(
        "  new={} changed={} unchanged={}  stage {:.1}s + merge {:.1}s = {:.1}s  {:.0} rows/s  peak RSS {:.0} MiB",
        r.new,
        r.changed,
        r.unchanged,
        staged.as_secs_f64(),
        (total - staged).as_secs_f64(),
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        peak_rss_mib()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), StoreError> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("usage: bench_import URL [ROWS] [BATCH]");
    let n: u64 = args.next().map(|s| s.parse().unwrap()).unwrap_or(1_000_000);
    let batch: u64 = args.next().map(|s| s.parse().unwrap()).unwrap_or(5_000);
    let store = Store::connect(&url).await?;
    let villages = villages();
    println!(
        "{} backend, {n} rows in batches of {batch}",
        store.backend()
    );
    // The generator's own cost, to subtract from the staging times below.
    let t = Instant::now();
    let mut sink = 0usize;
    for k in 0..n {
        sink += person(k, &villages, store.today(), false).nama.len();
    }
    println!(
        "generating the rows alone: {:.1}s ({sink} name bytes)",
        t.elapsed().as_secs_f64()
    );
    println!("first import:");
    run_import(&store, n, batch, &villages, false).await?;
    println!("same file again:");
    run_import(&store, n, batch, &villages, false).await?;
    println!("every tenth name changed:");
    run_import(&store, n, batch, &villages, true).await?;
    let t = Instant::now();
    let exported = store
        .export_registry(Scope::National, |_| Ok::<(), StoreError>(()))
        .await?;
    println!(
        "export: {exported} rows in {:.1}s, {:.0} rows/s, peak RSS {:.0} MiB",
        t.elapsed().as_secs_f64(),
        exported as f64 / t.elapsed().as_secs_f64(),
        peak_rss_mib()
    );
    let t = Instant::now();
    let stats = store.stats(Scope::National).await?;
    println!(
        "stats: {} people, {} households in {:.2}s",
        stats.people,
        stats.households,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
