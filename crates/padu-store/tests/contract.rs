//! The store contract: one set of stories, run against a real SQLite file and a real PostgreSQL database.

mod common;

use common::{TestDb, civil, code, person, today};
use padu_core::{
    Action, Flag, IdField, NikError, NikStatus, RegionLevel, RegistryPerson, Relation,
    VerificationRow,
};
use padu_store::{Scope, Store, StoreError};

async fn import(store: &Store, people: &[RegistryPerson]) -> padu_store::ImportReport {
    let mut imp = store.begin_registry_import("dtks.csv").await.unwrap();
    imp.push(people).await.unwrap();
    imp.finish().await.unwrap()
}

fn three_people() -> Vec<RegistryPerson> {
    vec![
        person("A1", Some("K1"), "32.76.01.1001", "BUDI SANTOSO"),
        person("A2", Some("K1"), "32.76.01.1001", "SRI WAHYUNI"),
        person("A3", Some("K2"), "33.01.02.2003", "AHMAD FAUZI"),
    ]
}

async fn migrate_is_idempotent(db: &TestDb) {
    // The store was migrated on connect, so nothing is left to apply.
    assert_eq!(db.store.migrate().await.unwrap(), Vec::<String>::new());
    assert_eq!(db.store.migrate().await.unwrap(), Vec::<String>::new());
    let names = db.store.known_migrations();
    assert!(names.iter().any(|n| n.starts_with("1_")), "{names:?}");
    // A second connection to the same database applies nothing either.
    let again = Store::connect_without_migrating(&db.url).await.unwrap();
    assert_eq!(again.migrate().await.unwrap(), Vec::<String>::new());
}

async fn import_of_new_people_counts_them_as_new(db: &TestDb) {
    let report = import(&db.store, &three_people()).await;
    assert_eq!((report.new, report.changed, report.unchanged), (3, 0, 0));
    let loaded = db.store.load_registry(Scope::National).await.unwrap();
    assert_eq!(loaded, three_people());
    let runs = db.store.import_runs().await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].import_run_id, report.import_id);
    assert_eq!(
        (runs[0].kind.as_str(), runs[0].source.as_str()),
        ("registry", "dtks.csv")
    );
    assert_eq!(runs[0].new_count, 3);
    assert!(runs[0].finished_at.is_some());
}

async fn reimporting_the_same_file_changes_nothing(db: &TestDb) {
    import(&db.store, &three_people()).await;
    let report = import(&db.store, &three_people()).await;
    assert_eq!((report.new, report.changed, report.unchanged), (0, 0, 3));
    let history = db
        .store
        .person_history(Scope::National, "A1")
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].version, 1);
    assert_eq!(db.store.import_runs().await.unwrap().len(), 2);
}

async fn a_changed_name_is_updated_and_the_old_name_kept_in_history(db: &TestDb) {
    let first = import(&db.store, &three_people()).await;
    let mut people = three_people();
    people[1].nama = "SRI WAHYUNINGSIH".into();
    let second = import(&db.store, &people).await;
    assert_eq!((second.new, second.changed, second.unchanged), (0, 1, 2));

    let now = db
        .store
        .registry_person(Scope::National, "A2")
        .await
        .unwrap();
    assert_eq!(now.nama, "SRI WAHYUNINGSIH");
    let history = db
        .store
        .person_history(Scope::National, "A2")
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].version, 1);
    assert_eq!(history[0].person.nama, "SRI WAHYUNI");
    assert_eq!(history[0].import_id, Some(first.import_id));
    assert_eq!(history[0].valid_to, Some(history[1].valid_from));
    assert_eq!(history[1].version, 2);
    assert_eq!(history[1].person.nama, "SRI WAHYUNINGSIH");
    assert_eq!(history[1].import_id, Some(second.import_id));
    assert_eq!(history[1].valid_to, None);
}

async fn a_change_in_an_extra_column_counts_as_a_change(db: &TestDb) {
    import(&db.store, &three_people()).await;
    let mut people = three_people();
    people[2].extra = vec![
        ("desil".into(), "5".into()),
        ("catatan".into(), "baru".into()),
    ];
    let report = import(&db.store, &people).await;
    assert_eq!((report.new, report.changed, report.unchanged), (0, 1, 2));
    let p = db
        .store
        .registry_person(Scope::National, "A3")
        .await
        .unwrap();
    assert_eq!(p.extra, people[2].extra);
}

async fn a_dropped_import_leaves_nothing_behind(db: &TestDb) {
    {
        let mut imp = db
            .store
            .begin_registry_import("setengah.csv")
            .await
            .unwrap();
        imp.push(&three_people()).await.unwrap();
        // Dropped without finish.
    }
    let mut imp = db.store.begin_civil_import("dukcapil.csv").await.unwrap();
    imp.push(&[civil("3276014106750001", "32.76.01.1001", "RINA")])
        .await
        .unwrap();
    imp.abort().await.unwrap();

    assert!(
        db.store
            .load_registry(Scope::National)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(db.store.load_civil().await.unwrap().is_empty());
    assert!(db.store.import_runs().await.unwrap().is_empty());
    let stats = db.store.stats(Scope::National).await.unwrap();
    assert_eq!((stats.people, stats.households), (0, 0));
    // The rolled-back staging tables do not get in the way of the next imports.
    for _ in 0..5 {
        let report = import(&db.store, &three_people()).await;
        assert_eq!(report.total(), 3);
    }
    assert_eq!(db.store.import_runs().await.unwrap().len(), 5);
}

async fn a_dropped_reimport_keeps_the_previous_values(db: &TestDb) {
    import(&db.store, &three_people()).await;
    let mut people = three_people();
    people[0].nama = "NAMA LAIN".into();
    let mut imp = db.store.begin_registry_import("salah.csv").await.unwrap();
    imp.push(&people).await.unwrap();
    drop(imp);
    assert_eq!(
        db.store.load_registry(Scope::National).await.unwrap(),
        three_people()
    );
    assert_eq!(
        db.store
            .person_history(Scope::National, "A1")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(db.store.import_runs().await.unwrap().len(), 1);
}

async fn an_id_art_given_twice_in_one_import_is_a_conflict_and_writes_nothing(db: &TestDb) {
    let mut imp = db.store.begin_registry_import("ganda.csv").await.unwrap();
    imp.push(&three_people()).await.unwrap();
    imp.push(&three_people()[..1]).await.unwrap();
    let err = imp.finish().await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { constraint } if constraint == "stage_person_id_art_key"),
        "{err:?}"
    );
    assert!(
        db.store
            .load_registry(Scope::National)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(db.store.import_runs().await.unwrap().is_empty());
}

async fn scopes_hide_people_outside_the_region(db: &TestDb) {
    import(&db.store, &three_people()).await;
    let ids = |v: Vec<RegistryPerson>| v.into_iter().map(|p| p.id_art).collect::<Vec<_>>();
    let s = |c: &str| Scope::Region(code(c));
    assert_eq!(ids(db.store.load_registry(s("33")).await.unwrap()), ["A3"]);
    assert_eq!(
        ids(db.store.load_registry(s("32")).await.unwrap()),
        ["A1", "A2"]
    );
    assert_eq!(
        ids(db.store.load_registry(s("32.76")).await.unwrap()),
        ["A1", "A2"]
    );
    assert_eq!(
        ids(db.store.load_registry(s("32.76.01.1001")).await.unwrap()),
        ["A1", "A2"]
    );
    assert!(db.store.load_registry(s("32.77")).await.unwrap().is_empty());
    assert!(
        db.store
            .load_registry(s("32.76.01.1002"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        db.store.registry_person(s("33"), "A1").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        db.store
            .registry_person(s("32.76"), "A1")
            .await
            .unwrap()
            .id_art,
        "A1"
    );
    assert!(matches!(
        db.store.person_history(s("33"), "A1").await,
        Err(StoreError::NotFound)
    ));
}

async fn history_is_scoped_by_the_persons_current_village(db: &TestDb) {
    import(&db.store, &three_people()).await;
    let mut people = three_people();
    people[2].kode_wilayah = code("32.76.01.1001");
    import(&db.store, &people).await;
    let s = |c: &str| Scope::Region(code(c));
    // A3 moved from 33 into Depok: Depok sees both versions, 33 no longer sees A3.
    let history = db.store.person_history(s("32.76"), "A3").await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].person.kode_wilayah, code("33.01.02.2003"));
    assert!(matches!(
        db.store.person_history(s("33"), "A3").await,
        Err(StoreError::NotFound)
    ));
}

async fn export_streams_in_region_then_id_order_and_stops_on_sink_error(db: &TestDb) {
    let people = vec![
        person("Z9", None, "33.01.02.2003", "X"),
        person("B2", None, "32.76.01.1001", "X"),
        person("B1", None, "32.76.01.1001", "X"),
        person("C1", None, "32.01.01.2001", "X"),
    ];
    import(&db.store, &people).await;
    let mut seen = Vec::new();
    let n = db
        .store
        .export_registry(Scope::National, |p| {
            seen.push(p.id_art);
            Ok::<(), StoreError>(())
        })
        .await
        .unwrap();
    assert_eq!(n, 4);
    assert_eq!(seen, ["C1", "B1", "B2", "Z9"]);

    #[derive(Debug)]
    enum SinkError {
        Full,
        Store,
    }
    impl From<StoreError> for SinkError {
        fn from(_: StoreError) -> Self {
            SinkError::Store
        }
    }
    let mut taken = 0;
    let r = db
        .store
        .export_registry(Scope::National, |_| {
            taken += 1;
            if taken == 2 {
                Err(SinkError::Full)
            } else {
                Ok(())
            }
        })
        .await;
    assert!(matches!(r, Err(SinkError::Full)));
    assert_eq!(taken, 2);
}

async fn stats_count_people_and_households_at_every_level_below_the_scope(db: &TestDb) {
    let people = vec![
        person("A1", Some("K1"), "32.76.01.1001", "X"),
        person("A2", Some("K1"), "32.76.01.1001", "X"),
        person("A3", Some("K2"), "32.76.01.1002", "X"),
        person("A4", Some("K3"), "32.76.02.1001", "X"),
        person("A5", None, "32.01.01.2001", "X"),
        person("A6", Some("K4"), "33.01.02.2003", "X"),
    ];
    import(&db.store, &people).await;

    let national = db.store.stats(Scope::National).await.unwrap();
    assert_eq!((national.people, national.households), (6, 4));
    let levels: Vec<RegionLevel> = national.levels.iter().map(|l| l.level).collect();
    assert_eq!(
        levels,
        [
            RegionLevel::Province,
            RegionLevel::Regency,
            RegionLevel::District,
            RegionLevel::Village
        ]
    );
    let provinces: Vec<(String, u64, u64)> = national
        .level(RegionLevel::Province)
        .unwrap()
        .regions
        .iter()
        .map(|r| (r.code.to_string(), r.people, r.households))
        .collect();
    assert_eq!(provinces, [("32".into(), 5, 3), ("33".into(), 1, 1)]);

    let depok = db.store.stats(Scope::Region(code("32.76"))).await.unwrap();
    assert_eq!((depok.people, depok.households), (4, 3));
    assert_eq!(depok.levels.len(), 2);
    let districts: Vec<(String, u64, u64)> = depok
        .level(RegionLevel::District)
        .unwrap()
        .regions
        .iter()
        .map(|r| (r.code.to_string(), r.people, r.households))
        .collect();
    assert_eq!(
        districts,
        [("32.76.01".into(), 3, 2), ("32.76.02".into(), 1, 1)]
    );
    let villages = &depok.level(RegionLevel::Village).unwrap().regions;
    assert_eq!(villages.len(), 3);
    assert_eq!(
        (villages[0].code, villages[0].people),
        (code("32.76.01.1001"), 2)
    );

    let village = db
        .store
        .stats(Scope::Region(code("32.76.01.1001")))
        .await
        .unwrap();
    assert_eq!((village.people, village.households), (2, 1));
    assert!(village.levels.is_empty());
}

async fn a_household_takes_its_heads_address(db: &TestDb) {
    let mut child = person("H1", Some("KX"), "32.76.01.1001", "ANAK");
    child.alamat = Some("ALAMAT ANAK".into());
    let mut head = person("H2", Some("KX"), "32.76.01.1002", "KEPALA");
    head.hubungan_keluarga = Some(Relation::Kepala);
    head.alamat = Some("ALAMAT KEPALA".into());
    import(&db.store, &[child.clone(), head.clone()]).await;
    // The household lives in the head's village, although the child came first.
    let stats = db
        .store
        .stats(Scope::Region(code("32.76.01.1002")))
        .await
        .unwrap();
    assert_eq!((stats.people, stats.households), (1, 1));
    let stats = db
        .store
        .stats(Scope::Region(code("32.76.01.1001")))
        .await
        .unwrap();
    assert_eq!((stats.people, stats.households), (1, 0));

    // The family moves: the household follows its head on the next import.
    head.kode_wilayah = code("32.76.01.1001");
    import(&db.store, &[child, head]).await;
    let stats = db
        .store
        .stats(Scope::Region(code("32.76.01.1001")))
        .await
        .unwrap();
    assert_eq!((stats.people, stats.households), (2, 1));
}

async fn invalid_and_missing_identity_numbers_round_trip_as_given(db: &TestDb) {
    let raws = [
        "3.27601E+15",
        "12345",
        "9999999999999995",
        "3276010101900001.0",
        "32760A0101900001",
    ];
    let mut people: Vec<RegistryPerson> = raws
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let mut p = person(&format!("N{i}"), None, "32.76.01.1001", "X");
            p.nik = IdField::parse_nik(raw, today());
            p.no_kk = IdField::parse_kk(raw);
            p
        })
        .collect();
    let mut missing = person("N8", None, "32.76.01.1001", "X");
    missing.nik = IdField::Missing;
    missing.no_kk = IdField::Missing;
    people.push(missing);
    let mut numeric = person("N9", None, "32.76.01.1001", "X");
    let cell = numeric.nik.to_cell();
    numeric.nik = IdField::Invalid {
        raw: cell.clone(),
        error: NikError::ExcelNumber(cell),
    };
    people.push(numeric);

    import(&db.store, &people).await;
    let loaded = db.store.load_registry(Scope::National).await.unwrap();
    assert_eq!(loaded, people);
    assert_eq!(loaded[0].nik.to_cell(), "3.27601E+15");
    assert!(matches!(
        loaded[6].nik,
        IdField::Invalid {
            error: NikError::ExcelNumber(_),
            ..
        }
    ));
}

async fn civil_records_upsert_by_nik(db: &TestDb) {
    let mut imp = db.store.begin_civil_import("dukcapil-1.csv").await.unwrap();
    imp.push(&[
        civil("3276014106750001", "32.76.01.1001", "RINA"),
        civil("3276014106750002", "32.76.01.1001", "RINI"),
    ])
    .await
    .unwrap();
    let first = imp.finish().await.unwrap();
    assert_eq!((first.new, first.changed, first.unchanged), (2, 0, 0));

    let mut moved = civil("3276014106750002", "33.01.02.2003", "RINI");
    moved.status_hidup = padu_core::LifeStatus::Meninggal;
    moved.tgl_meninggal = chrono::NaiveDate::from_ymd_opt(2025, 12, 1);
    let mut imp = db.store.begin_civil_import("dukcapil-2.csv").await.unwrap();
    imp.push(&[
        civil("3276014106750001", "32.76.01.1001", "RINA"),
        moved.clone(),
        civil("3276014106750003", "32.76.01.1001", "RANI"),
    ])
    .await
    .unwrap();
    let second = imp.finish().await.unwrap();
    assert_eq!((second.new, second.changed, second.unchanged), (1, 1, 1));

    let all = db.store.load_civil().await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[1], moved);
    let runs = db.store.import_runs().await.unwrap();
    assert_eq!(runs[0].kind, "civil");
    assert_eq!(
        (
            runs[0].new_count,
            runs[0].changed_count,
            runs[0].unchanged_count
        ),
        (1, 1, 1)
    );
}

async fn verification_runs_are_saved_in_order_and_read_back_by_scope(db: &TestDb) {
    import(&db.store, &three_people()).await;
    let row = |id: &str, status, flags: Vec<Flag>, tindakan, skor| VerificationRow {
        id_art: id.into(),
        status,
        flags,
        tindakan,
        nik_usulan: None,
        skor,
        id_kelompok_ganda: None,
        id_art_utama: None,
        keterangan: format!("keterangan {id}"),
    };
    let mut rows = vec![
        row("A3", NikStatus::Padan, vec![], Action::Tetap, Some(0.9731)),
        row(
            "A1",
            NikStatus::TidakPadan,
            vec![Flag::Ganda, Flag::Pindah],
            Action::Perbaiki,
            None,
        ),
        row("LUAR", NikStatus::TanpaNik, vec![], Action::Hapus, None),
        row(
            "A2",
            NikStatus::NikTidakValid,
            vec![Flag::Ganda],
            Action::Hapus,
            None,
        ),
    ];
    rows[1].nik_usulan = Some("3276011403800002".into());
    rows[1].id_kelompok_ganda = Some("G1".into());
    rows[1].id_art_utama = Some("A2".into());

    let run = db
        .store
        .save_verification_run(Scope::National, &rows, r#"{"padan":1}"#)
        .await
        .unwrap();
    assert_eq!(
        db.store
            .verification_results(run, Scope::National)
            .await
            .unwrap(),
        rows
    );
    let depok = db
        .store
        .verification_results(run, Scope::Region(code("32.76")))
        .await
        .unwrap();
    assert_eq!(depok, vec![rows[1].clone(), rows[3].clone()]);
    let jateng = db
        .store
        .verification_results(run, Scope::Region(code("33")))
        .await
        .unwrap();
    assert_eq!(jateng, vec![rows[0].clone()]);

    let header = db.store.verification_run(run).await.unwrap();
    assert_eq!(header.scope, Scope::National);
    assert_eq!(header.row_count, 4);
    assert_eq!(header.summary_json, r#"{"padan":1}"#);
    assert!(matches!(
        db.store
            .verification_results(run + 1, Scope::National)
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn batches_larger_than_one_statement_import_completely(db: &TestDb) {
    let people: Vec<RegistryPerson> = (0..2_345)
        .map(|i| {
            person(
                &format!("P{i:05}"),
                Some(&format!("K{}", i / 4)),
                "32.76.01.1001",
                "X",
            )
        })
        .collect();
    let mut imp = db.store.begin_registry_import("besar.csv").await.unwrap();
    for batch in people.chunks(1_200) {
        imp.push(batch).await.unwrap();
    }
    let report = imp.finish().await.unwrap();
    assert_eq!(report.new, 2_345);
    let stats = db.store.stats(Scope::National).await.unwrap();
    assert_eq!((stats.people, stats.households), (2_345, 587));
    assert_eq!(
        db.store.load_registry(Scope::National).await.unwrap(),
        people
    );
}

async fn a_missing_person_has_no_history(db: &TestDb) {
    assert!(matches!(
        db.store.person_history(Scope::National, "TIDAK-ADA").await,
        Err(StoreError::NotFound)
    ));
}

macro_rules! contract {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    let db = crate::common::sqlite().await;
                    super::$story(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $story() {
                    let db = crate::common::postgres().await;
                    super::$story(&db).await;
                }
            )*
        }
    };
}

contract!(
    migrate_is_idempotent,
    import_of_new_people_counts_them_as_new,
    reimporting_the_same_file_changes_nothing,
    a_changed_name_is_updated_and_the_old_name_kept_in_history,
    a_change_in_an_extra_column_counts_as_a_change,
    a_dropped_import_leaves_nothing_behind,
    a_dropped_reimport_keeps_the_previous_values,
    an_id_art_given_twice_in_one_import_is_a_conflict_and_writes_nothing,
    scopes_hide_people_outside_the_region,
    history_is_scoped_by_the_persons_current_village,
    export_streams_in_region_then_id_order_and_stops_on_sink_error,
    stats_count_people_and_households_at_every_level_below_the_scope,
    a_household_takes_its_heads_address,
    invalid_and_missing_identity_numbers_round_trip_as_given,
    civil_records_upsert_by_nik,
    verification_runs_are_saved_in_order_and_read_back_by_scope,
    batches_larger_than_one_statement_import_completely,
    a_missing_person_has_no_history,
);

/// A fresh database reports the migrations it applies, then none.
async fn first_migration_reports_its_names(url: &str) {
    let store = Store::connect_without_migrating(url).await.unwrap();
    let applied = store.migrate().await.unwrap();
    assert_eq!(applied, store.known_migrations());
    assert!(!applied.is_empty());
    assert_eq!(store.migrate().await.unwrap(), Vec::<String>::new());
    store.close().await;
}

#[tokio::test]
async fn sqlite_first_migration_reports_its_names() {
    let (_dir, url) = common::sqlite_unmigrated().await;
    first_migration_reports_its_names(&url).await;
}

#[tokio::test]
async fn postgres_first_migration_reports_its_names() {
    let (_guard, url) = common::postgres_unmigrated().await;
    first_migration_reports_its_names(&url).await;
}

#[tokio::test]
async fn a_plain_path_opens_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("padu.db");
    let store = Store::connect(path.to_str().unwrap()).await.unwrap();
    assert_eq!(store.backend(), padu_store::Backend::Sqlite);
    assert!(path.exists());
}
