//! Test databases and synthetic records shared by the integration tests.
//!
//! Every test gets a fresh database: a SQLite file in a temporary directory, or
//! a uniquely named PostgreSQL database created through the `test` database
//! (`PADU_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`) and
//! dropped when the test ends. An unreachable PostgreSQL fails the test loudly.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use padu_core::{CivilPerson, IdField, LifeStatus, RegionCode, RegistryPerson, Relation, Sex};
use padu_store::Store;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The date every test pins the store to.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// A fresh database and the store connected to it; dropping it removes the database.
pub struct TestDb {
    /// The migrated store.
    pub store: Store,
    /// The URL it was opened with.
    pub url: String,
    _guard: Guard,
}

pub enum Guard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime, which cannot be blocked on; a
            // separate thread with its own runtime removes the database.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    if let Ok(mut c) = PgConnection::connect(&admin_url).await {
                        let _ = sqlx::query(AssertSqlSafe(format!(
                            "drop database if exists {name} with (force)"
                        )))
                        .execute(&mut c)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The PostgreSQL URL of the `test` database.
pub fn pg_admin_url() -> String {
    std::env::var("PADU_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// `url` with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// A fresh, migrated SQLite file.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("padu.db").display());
    let store = Store::connect(&url).await.unwrap().with_today(today());
    TestDb {
        store,
        url,
        _guard: Guard::Sqlite(dir),
    }
}

/// A fresh, empty SQLite file that has not been migrated.
pub async fn sqlite_unmigrated() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("padu.db").display());
    (dir, url)
}

/// A fresh PostgreSQL database; panics with instructions when the server is unreachable.
pub async fn postgres() -> TestDb {
    let (guard, url) = postgres_unmigrated().await;
    let store = Store::connect(&url).await.unwrap().with_today(today());
    TestDb {
        store,
        url,
        _guard: guard,
    }
}

/// A fresh PostgreSQL database that has not been migrated, and its URL.
pub async fn postgres_unmigrated() -> (Guard, String) {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let admin_url = pg_admin_url();
    let mut admin = PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL tidak dapat dihubungi di {admin_url} ({e}); jalankan server atau set \
             PADU_TEST_PG_URL (PostgreSQL unreachable: the PostgreSQL contract tests must run, they are never skipped)"
        )
    });
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    // Only digits go into the name, so building the statement is safe.
    let name = format!(
        "padu_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    );
    sqlx::query(AssertSqlSafe(format!("create database {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let url = with_database(&admin_url, &name);
    (Guard::Postgres { admin_url, name }, url)
}

/// A region code from its dotted text.
pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// A valid-looking NIK issued in `district` (6 digits) for someone born on `born`.
pub fn nik_text(district: &str, born: NaiveDate, sex: Sex, serial: u32) -> String {
    use chrono::Datelike;
    let day = born.day() + if sex == Sex::P { 40 } else { 0 };
    format!(
        "{district}{day:02}{:02}{:02}{serial:04}",
        born.month(),
        born.year() % 100
    )
}

/// A synthetic registry member living in `village`.
pub fn person(
    id_art: &str,
    id_keluarga: Option<&str>,
    village: &str,
    nama: &str,
) -> RegistryPerson {
    let kode = code(village);
    let born = NaiveDate::from_ymd_opt(1980, 3, 14).unwrap();
    let district = kode.district().unwrap().compact();
    let serial = id_art.bytes().map(u32::from).sum::<u32>() % 9000 + 1;
    RegistryPerson {
        id_art: id_art.into(),
        id_keluarga: id_keluarga.map(str::to_string),
        no_kk: IdField::parse_kk(&format!("{district}0101200001")),
        nik: IdField::parse_nik(&nik_text(&district, born, Sex::L, serial), today()),
        nama: nama.into(),
        jenis_kelamin: Sex::L,
        tempat_lahir: Some("BOGOR".into()),
        tgl_lahir: born,
        hubungan_keluarga: Some(Relation::Anak),
        nama_ibu_kandung: Some("SITI".into()),
        alamat: Some(format!("JL. MELATI {id_art}")),
        rt: Some("001".into()),
        rw: Some("002".into()),
        kode_wilayah: kode,
        extra: vec![("desil".into(), "2".into())],
    }
}

/// A synthetic civil-registry resident.
pub fn civil(nik: &str, village: &str, nama: &str) -> CivilPerson {
    CivilPerson {
        nik: padu_core::Nik::parse(nik, today()).unwrap(),
        no_kk: IdField::Missing,
        nama: nama.into(),
        jenis_kelamin: Sex::P,
        tempat_lahir: None,
        tgl_lahir: NaiveDate::from_ymd_opt(1975, 6, 1).unwrap(),
        nama_ibu_kandung: None,
        alamat: Some("JL. KENANGA".into()),
        rt: None,
        rw: None,
        kode_wilayah: code(village),
        status_hidup: LifeStatus::Hidup,
        tgl_meninggal: None,
    }
}
