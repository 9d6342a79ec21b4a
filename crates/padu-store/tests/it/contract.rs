//! The store contract: one set of stories, run against a real SQLite file and a real PostgreSQL database.

use padu_core::{
    Action, Flag, IdField, NikError, NikStatus, RegionLevel, RegistryPerson, Relation, Role,
    VerificationRow,
};
use padu_store::{
    Actor, AuditFilter, FindingSource, MemberCursor, MemberFilter, NameTokens, NewAuditEntry,
    NewUser, Scope, Store, StoreError,
};
use padu_testkit::db::TestDb;
use padu_testkit::{civil, code, contract, person, today};

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

async fn a_preview_counts_like_finish_and_writes_nothing(db: &TestDb) {
    import(&db.store, &three_people()).await;
    let mut people = three_people();
    people[0].nama = "NAMA LAIN".into();
    people.push(person("A4", Some("K3"), "32.76.01.1001", "DEWI LESTARI"));
    let mut imp = db.store.begin_registry_import("uji.csv").await.unwrap();
    imp.push(&people).await.unwrap();
    let preview = imp.preview().await.unwrap();
    assert_eq!((preview.new, preview.changed, preview.unchanged), (1, 1, 2));
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
    // The same import, run for real afterwards, reports the same counts.
    let mut imp = db.store.begin_registry_import("uji.csv").await.unwrap();
    imp.push(&people).await.unwrap();
    let done = imp.finish().await.unwrap();
    assert_eq!(
        (done.new, done.changed, done.unchanged),
        (preview.new, preview.changed, preview.unchanged)
    );
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
    numeric.nik = IdField::invalid(cell.clone(), NikError::ExcelNumber(cell));
    people.push(numeric);

    import(&db.store, &people).await;
    let loaded = db.store.load_registry(Scope::National).await.unwrap();
    assert_eq!(loaded, people);
    assert_eq!(loaded[0].nik.to_cell(), "3.27601E+15");
    assert!(matches!(
        loaded[6].nik.error(),
        Some(NikError::ExcelNumber(_))
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
        .save_verification_run(Scope::National, &rows, r#"{"padan":1}"#, None)
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

fn account(username: &str, role: Role, scope: Scope) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: format!("Pengguna {username}"),
        role,
        scope,
        password_hash: "$argon2id$bukan-hash-asli".into(),
        must_change_password: true,
        lang: padu_core::Lang::Id,
        phone: Some("0812-0000-0000".into()),
    }
}

async fn accounts_are_created_within_the_creators_region(db: &TestDb) {
    let depok = Scope::Region(code("32.76"));
    let desa = Scope::Region(code("32.76.01.1001"));
    let u = db
        .store
        .create_user(depok, &account("op1", Role::OperatorDesa, desa))
        .await
        .unwrap();
    assert_eq!(
        (u.role, u.scope, u.must_change_password),
        (Role::OperatorDesa, desa, true)
    );
    assert!(matches!(
        db.store
            .create_user(depok, &account("op1", Role::OperatorDesa, desa))
            .await,
        Err(StoreError::Conflict { constraint }) if constraint == "app_user_username_key"
    ));
    assert!(matches!(
        db.store
            .create_user(
                depok,
                &account(
                    "op2",
                    Role::OperatorDesa,
                    Scope::Region(code("33.01.02.2003"))
                )
            )
            .await,
        Err(StoreError::OutOfScope)
    ));
    assert!(matches!(
        db.store
            .create_user(depok, &account("pus", Role::Pusdatin, Scope::National))
            .await,
        Err(StoreError::OutOfScope)
    ));
    let national = db
        .store
        .create_user(
            Scope::National,
            &account("pus", Role::Pusdatin, Scope::National),
        )
        .await
        .unwrap();
    assert_eq!(national.scope, Scope::National);
    let names = |v: Vec<padu_store::User>| v.into_iter().map(|u| u.username).collect::<Vec<_>>();
    assert_eq!(names(db.store.users(depok).await.unwrap()), ["op1"]);
    assert_eq!(
        names(db.store.users(Scope::National).await.unwrap()),
        ["op1", "pus"]
    );
    assert!(matches!(
        db.store.user(depok, national.app_user_id).await,
        Err(StoreError::NotFound)
    ));
    let (found, hash) = db.store.user_for_sign_in("op1").await.unwrap();
    assert_eq!((found, hash.as_str()), (u, "$argon2id$bukan-hash-asli"));
}

async fn sessions_end_when_they_expire_or_the_account_is_disabled(db: &TestDb) {
    let desa = Scope::Region(code("32.76.01.1001"));
    let u = db
        .store
        .create_user(Scope::National, &account("op1", Role::OperatorDesa, desa))
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let hour = chrono::Duration::hours(1);
    let s1 = db
        .store
        .create_session(
            u.app_user_id,
            "hash-1",
            "csrf-1",
            "10.0.0.1",
            "uji",
            now + hour,
        )
        .await
        .unwrap();
    db.store
        .create_session(
            u.app_user_id,
            "hash-2",
            "csrf-2",
            "10.0.0.2",
            "uji",
            now + hour,
        )
        .await
        .unwrap();
    let s = db.store.session("hash-1", now).await.unwrap();
    assert_eq!(
        (s.user_session_id, s.csrf_token.as_str(), s.user.app_user_id),
        (s1, "csrf-1", u.app_user_id)
    );
    // Expired: not found, even though the row is still there.
    assert!(matches!(
        db.store.session("hash-1", now + hour * 2).await,
        Err(StoreError::NotFound)
    ));
    // A password change ends every other session.
    db.store
        .set_password(desa, u.app_user_id, "$argon2id$baru", false, Some(s1))
        .await
        .unwrap();
    assert!(db.store.session("hash-1", now).await.is_ok());
    assert!(matches!(
        db.store.session("hash-2", now).await,
        Err(StoreError::NotFound)
    ));
    let (after, hash) = db.store.user_for_sign_in("op1").await.unwrap();
    assert_eq!(
        (after.must_change_password, hash.as_str()),
        (false, "$argon2id$baru")
    );
    // Tokens act as the account until revoked.
    let t = db
        .store
        .create_api_token(Scope::National, u.app_user_id, "skrip", "tok-hash", None)
        .await
        .unwrap();
    assert_eq!(
        db.store
            .user_for_api_token("tok-hash", now)
            .await
            .unwrap()
            .username,
        "op1"
    );
    let used = |store: Store| async move {
        store.api_tokens(desa, u.app_user_id).await.unwrap()[0]
            .last_used_at
            .expect("the use is recorded")
    };
    let first = used(db.store.clone()).await;
    // Within a minute the use is not written again; after it, it is.
    db.store
        .user_for_api_token("tok-hash", now + chrono::Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(used(db.store.clone()).await, first);
    let later = now + chrono::Duration::seconds(90);
    db.store
        .user_for_api_token("tok-hash", later)
        .await
        .unwrap();
    assert_eq!(used(db.store.clone()).await.timestamp(), later.timestamp());
    // Disabling ends the session and the token at once; enabling the account
    // again does not bring them back.
    for disabled in [true, false] {
        db.store
            .set_user_disabled(Scope::National, u.app_user_id, disabled)
            .await
            .unwrap();
        assert!(matches!(
            db.store.session("hash-1", now).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            db.store.user_for_api_token("tok-hash", now).await,
            Err(StoreError::NotFound)
        ));
    }
    let t2 = db
        .store
        .create_api_token(
            Scope::National,
            u.app_user_id,
            "skrip 2",
            "tok-hash-2",
            None,
        )
        .await
        .unwrap();
    db.store
        .revoke_api_token(desa, u.app_user_id, t2.api_token_id)
        .await
        .unwrap();
    assert!(matches!(
        db.store.user_for_api_token("tok-hash-2", now).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        db.store
            .revoke_api_token(desa, u.app_user_id, t.api_token_id)
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn failed_sign_ins_count_until_a_success(db: &TestDb) {
    let t0 = chrono::Utc::now() - chrono::Duration::minutes(10);
    let min = chrono::Duration::minutes(1);
    let sign_in = async |user: &str, ok: bool, at| {
        db.store
            .record_sign_in(user, "10.0.0.1", ok, at)
            .await
            .unwrap();
    };
    // Failures for op1 (by account, by address), counted from `since`.
    let failed = async |address: &str, since| {
        let f = db
            .store
            .failed_sign_ins("op1", address, since)
            .await
            .unwrap();
        (
            f.for_account,
            f.from_address,
            f.oldest.map(|t| t.timestamp()),
        )
    };
    for i in 0..3 {
        sign_in("op1", false, t0 + min * i).await;
    }
    sign_in("lain", false, t0 + min * 3).await;
    assert_eq!(
        failed("10.0.0.1", t0 - min).await,
        (3, 4, Some(t0.timestamp()))
    );
    // Outside the window they no longer count.
    let (for_account, from_address, _) = failed("10.0.0.9", t0 + min + min / 2).await;
    assert_eq!((for_account, from_address), (1, 0));
    sign_in("op1", true, t0 + min * 4).await;
    let (for_account, from_address, _) = failed("10.0.0.1", t0 - min).await;
    assert_eq!((for_account, from_address), (0, 4));
}

fn result(id: &str, status: NikStatus, flags: Vec<Flag>, tindakan: Action) -> VerificationRow {
    VerificationRow {
        id_art: id.into(),
        status,
        flags,
        tindakan,
        nik_usulan: None,
        skor: Some(0.5),
        id_kelompok_ganda: None,
        id_art_utama: None,
        keterangan: format!("keterangan {id}"),
    }
}

/// 25 people in two Depok villages and 5 in Grobogan, with a run that gives
/// every third person in Depok `TIDAK_PADAN` + `GANDA`.
async fn registry_with_findings(db: &TestDb) -> Vec<RegistryPerson> {
    let mut people = Vec::new();
    for i in 0..30 {
        let village = match i {
            0..15 => "32.76.01.1001",
            15..25 => "32.76.01.1002",
            _ => "33.01.02.2003",
        };
        // Names repeat so the order must fall back to id_art.
        let name = ["SITI", "BUDI", "ANI", "BUDI", "DEWI"][i % 5];
        people.push(person(
            &format!("A{i:02}"),
            Some(&format!("K{}", i / 3)),
            village,
            name,
        ));
    }
    import(&db.store, &people).await;
    let rows: Vec<VerificationRow> = people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i < 25 && i % 3 == 0 {
                result(
                    &p.id_art,
                    NikStatus::TidakPadan,
                    vec![Flag::Ganda],
                    Action::Hapus,
                )
            } else {
                result(&p.id_art, NikStatus::Padan, vec![], Action::Tetap)
            }
        })
        .collect();
    db.store
        .save_verification_run(Scope::National, &rows, "{}", Some(r#"{"model":1}"#))
        .await
        .unwrap();
    people
}

async fn member_pages_follow_keyset_order_and_filters(db: &TestDb) {
    let people = registry_with_findings(db).await;
    let depok = Scope::Region(code("32.76"));
    let all_filter = MemberFilter::default();
    // Pages of 7 put together are the whole list, in village, name, id order.
    let mut seen = Vec::new();
    let mut cursor: Option<MemberCursor> = None;
    loop {
        let page = db
            .store
            .members(depok, &all_filter, cursor.as_ref(), 7)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        let last = &page.last().unwrap().person;
        cursor = Some(MemberCursor {
            kode_wilayah: last.kode_wilayah.compact(),
            nama: last.nama.to_string(),
            id_art: last.id_art.to_string(),
        });
        seen.extend(page.into_iter().map(|m| m.person));
    }
    let mut expected: Vec<RegistryPerson> = people[..25].to_vec();
    expected.sort_by(|a, b| {
        (a.kode_wilayah.compact(), &a.nama, &a.id_art).cmp(&(
            b.kode_wilayah.compact(),
            &b.nama,
            &b.id_art,
        ))
    });
    assert_eq!(seen, expected);

    let ids = |f: &MemberFilter| {
        let store = db.store.clone();
        let f = f.clone();
        async move {
            let mut v: Vec<String> = store
                .members(depok, &f, None, 100)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.person.id_art.to_string())
                .collect();
            v.sort();
            v
        }
    };
    let third: Vec<String> = (0..25)
        .filter(|i| i % 3 == 0)
        .map(|i| format!("A{i:02}"))
        .collect();
    let by_status = MemberFilter {
        status: Some(NikStatus::TidakPadan),
        ..MemberFilter::default()
    };
    assert_eq!(ids(&by_status).await, third);
    let by_flag = MemberFilter {
        flag: Some(Flag::Ganda),
        ..MemberFilter::default()
    };
    assert_eq!(ids(&by_flag).await, third);
    let by_action = MemberFilter {
        tindakan: Some(Action::Hapus),
        ..MemberFilter::default()
    };
    assert_eq!(ids(&by_action).await, third);
    let village = MemberFilter {
        region: Some(code("32.76.01.1002")),
        ..MemberFilter::default()
    };
    assert_eq!(
        ids(&village).await,
        (15..25).map(|i| format!("A{i:02}")).collect::<Vec<_>>()
    );
    let nik = people[4].nik.to_cell();
    let mut same_nik: Vec<String> = people[..25]
        .iter()
        .filter(|p| p.nik.to_cell() == nik)
        .map(|p| p.id_art.to_string())
        .collect();
    same_nik.sort();
    assert!(same_nik.contains(&"A04".to_string()));
    let by_nik = MemberFilter {
        nik: Some(nik),
        ..MemberFilter::default()
    };
    assert_eq!(ids(&by_nik).await, same_nik);
    let chosen = db.store.members(depok, &all_filter, None, 3).await.unwrap();
    let by_ids = MemberFilter {
        person_ids: Some(chosen.iter().map(|m| m.person_id).collect()),
        ..MemberFilter::default()
    };
    let mut want: Vec<String> = chosen.iter().map(|m| m.person.id_art.to_string()).collect();
    want.sort();
    assert_eq!(ids(&by_ids).await, want);
    // A page by ids is read folded into one value: the same records, findings
    // and all, in list order, from the start and after a cursor.
    let chosen = db.store.members(depok, &all_filter, None, 6).await.unwrap();
    let by_ids = MemberFilter {
        person_ids: Some(chosen.iter().rev().map(|m| m.person_id).collect()),
        ..MemberFilter::default()
    };
    assert!(chosen.iter().all(|m| m.finding.is_some()));
    assert_eq!(
        db.store.members(depok, &by_ids, None, 6).await.unwrap(),
        chosen
    );
    let second = &chosen[1].person;
    let after = MemberCursor {
        kode_wilayah: second.kode_wilayah.compact(),
        nama: second.nama.to_string(),
        id_art: second.id_art.to_string(),
    };
    assert_eq!(
        db.store
            .members(depok, &by_ids, Some(&after), 3)
            .await
            .unwrap(),
        chosen[2..5]
    );
    // A region outside the scope shows nothing rather than widening it.
    let outside = MemberFilter {
        region: Some(code("33.01")),
        ..MemberFilter::default()
    };
    assert!(ids(&outside).await.is_empty());
    // SQL metacharacters are values, never SQL.
    let evil = MemberFilter {
        nik: Some("' or 1=1 --".into()),
        ..MemberFilter::default()
    };
    assert!(ids(&evil).await.is_empty());

    let counts = db.store.finding_counts(depok).await.unwrap();
    assert_eq!((counts.people, counts.unverified), (25, 0));
    let get = |v: &Vec<(NikStatus, u64)>, s| v.iter().find(|(x, _)| *x == s).unwrap().1;
    assert_eq!(get(&counts.status, NikStatus::TidakPadan), 9);
    assert_eq!(get(&counts.status, NikStatus::Padan), 16);
    assert_eq!(
        counts
            .flags
            .iter()
            .find(|(f, _)| *f == Flag::Ganda)
            .unwrap()
            .1,
        9
    );
    assert_eq!(
        db.store.latest_model().await.unwrap().map(|m| m.1),
        Some(r#"{"model":1}"#.into())
    );
}

async fn a_household_lists_its_members_head_first_within_scope(db: &TestDb) {
    let mut people = three_people();
    people[1].hubungan_keluarga = Some(Relation::Kepala);
    people[0].hubungan_keluarga = Some(Relation::Anak);
    import(&db.store, &people).await;
    let h = db
        .store
        .household(Scope::Region(code("32.76")), "K1")
        .await
        .unwrap();
    let ids: Vec<&str> = h.members.iter().map(|m| m.person.id_art.as_str()).collect();
    assert_eq!(ids, ["A2", "A1"]);
    assert!(h.members.iter().all(|m| m.finding.is_none()));
    assert!(matches!(
        db.store.household(Scope::Region(code("33")), "K1").await,
        Err(StoreError::NotFound)
    ));
}

async fn an_edit_keeps_history_audits_and_refuses_a_stale_version(db: &TestDb) {
    registry_with_findings(db).await;
    let depok = Scope::Region(code("32.76"));
    let actor = Actor {
        app_user_id: 7,
        username: "op1".into(),
        ip: "10.0.0.1".into(),
    };
    let before = db.store.member(depok, "A03").await.unwrap();
    assert_eq!(before.version, 1);
    assert_eq!(
        before.finding.as_ref().unwrap().row.status,
        NikStatus::TidakPadan
    );
    let mut fixed = before.person.clone();
    fixed.nama = "BUDI SANTOSO".into();
    let recheck = result("A03", NikStatus::Padan, vec![], Action::Tetap);
    let after = db
        .store
        .update_member(depok, 1, &fixed, &actor, "nama sesuai KTP", Some(&recheck))
        .await
        .unwrap();
    assert_eq!(
        (after.version, after.person.nama.as_str()),
        (2, "BUDI SANTOSO")
    );
    assert_eq!(after.change_reason.as_deref(), Some("nama sesuai KTP"));
    let f = after.finding.unwrap();
    assert_eq!(
        (f.row.status, f.source),
        (NikStatus::Padan, FindingSource::Recheck)
    );
    let history = db.store.person_history(depok, "A03").await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].person, before.person);
    // Someone still holding version 1 is told, not overwritten.
    let mut other = before.person.clone();
    other.nama = "BUDI S".into();
    assert!(matches!(
        db.store
            .update_member(depok, 1, &other, &actor, "lain", None)
            .await,
        Err(StoreError::Stale { current_version: 2 })
    ));
    // Outside the scope the record does not exist.
    assert!(matches!(
        db.store
            .update_member(Scope::Region(code("33")), 2, &fixed, &actor, "x", None)
            .await,
        Err(StoreError::NotFound)
    ));
    let entries = db
        .store
        .audit_entries(
            depok,
            &AuditFilter {
                entity: Some(("person".into(), "A03".into())),
                ..AuditFilter::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0].entry;
    assert_eq!(
        (
            e.action.as_str(),
            e.username.as_deref(),
            e.reason.as_deref()
        ),
        ("member.update", Some("op1"), Some("nama sesuai KTP"))
    );
    assert!(
        e.before_value
            .as_deref()
            .unwrap()
            .contains(before.person.nama.as_str())
    );
    assert!(e.after_value.as_deref().unwrap().contains("BUDI SANTOSO"));
    // The entry is about Depok: Central Java does not see it.
    assert!(
        db.store
            .audit_entries(Scope::Region(code("33")), &AuditFilter::default(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // A re-import that changes the record clears who edited it, and keeps the edit in the history.
    let mut reimported = fixed.clone();
    reimported.alamat = Some("JL. BARU".into());
    import(&db.store, &[reimported]).await;
    let now = db.store.member(depok, "A03").await.unwrap();
    assert_eq!(
        (now.version, now.changed_by, now.change_reason),
        (3, None, None)
    );
}

async fn the_audit_log_refuses_updates_and_deletes(db: &TestDb) {
    db.store
        .append_audit(&NewAuditEntry {
            occurred_at: chrono::Utc::now(),
            app_user_id: None,
            username: Some("siapa".into()),
            ip: Some("10.0.0.1".into()),
            action: "sign_in.failed".into(),
            kode_wilayah: None,
            entity: None,
            entity_id: None,
            before_value: None,
            after_value: None,
            reason: None,
            detail: None,
        })
        .await
        .unwrap();
    for sql in [
        "update audit_log set username = 'lain'",
        "delete from audit_log",
    ] {
        let err = if db.url.starts_with("postgres") {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap_err()
        } else {
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&db.url)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap_err()
        };
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let all = db
        .store
        .audit_entries(Scope::National, &AuditFilter::default(), 10)
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].entry.username.as_deref(), Some("siapa"));
}

async fn household_comments_are_scoped_and_audited(db: &TestDb) {
    import(&db.store, &three_people()).await;
    let desa = Scope::Region(code("32.76.01.1001"));
    let u = db
        .store
        .create_user(Scope::National, &account("op1", Role::OperatorDesa, desa))
        .await
        .unwrap();
    let actor = Actor {
        app_user_id: u.app_user_id,
        username: u.username.clone(),
        ip: "127.0.0.1".into(),
    };
    let c = db
        .store
        .add_household_comment(desa, "K1", &actor, "Rumah kosong?")
        .await
        .unwrap();
    assert_eq!(
        (c.username.as_str(), c.role.as_str(), c.body.as_str()),
        ("op1", "operator_desa", "Rumah kosong?")
    );
    assert_eq!(db.store.household_comments(desa, "K1").await.unwrap(), [c]);
    // Outside the scope: nothing to read, and writing is "not found".
    let elsewhere = Scope::Region(code("33"));
    assert!(
        db.store
            .household_comments(elsewhere, "K1")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        db.store
            .add_household_comment(desa, "K2", &actor, "coba")
            .await,
        Err(StoreError::NotFound)
    ));
    let audit = db
        .store
        .audit_entries(desa, &AuditFilter::default(), 10)
        .await
        .unwrap();
    let comments: Vec<_> = audit
        .iter()
        .filter(|e| e.entry.action == "household.comment")
        .collect();
    assert_eq!(
        comments.len(),
        1,
        "only the comment that was stored is audited"
    );
    assert_eq!(comments[0].entry.entity_id.as_deref(), Some("K1"));
}

async fn name_search_finds_people_with_every_token_within_scope(db: &TestDb) {
    import(&db.store, &three_people()).await;
    let stale = db.store.name_index_stale(100).await.unwrap();
    assert_eq!(stale.len(), 3);
    let entries: Vec<NameTokens> = stale
        .iter()
        .map(|s| NameTokens {
            person_id: s.person_id,
            name_key: s.nama.clone(),
            tokens: s.nama.split(' ').map(str::to_string).collect(),
            kode_wilayah: s.kode_wilayah.clone(),
            content_hash: s.content_hash,
        })
        .collect();
    db.store.set_name_tokens(&entries).await.unwrap();
    assert!(db.store.name_index_stale(100).await.unwrap().is_empty());
    let find = |scope, tokens: &[&str]| {
        let store = db.store.clone();
        let tokens: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
        async move {
            store
                .search_names(scope, None, &tokens, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|h| h.name_key)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(find(Scope::National, &["BUDI"]).await, ["BUDI SANTOSO"]);
    assert_eq!(
        find(Scope::National, &["SANTOSO", "BUDI"]).await,
        ["BUDI SANTOSO"]
    );
    assert!(find(Scope::National, &["BUDI", "FAUZI"]).await.is_empty());
    assert!(find(Scope::Region(code("33")), &["BUDI"]).await.is_empty());
    assert_eq!(
        find(Scope::Region(code("33")), &["AHMAD"]).await,
        ["AHMAD FAUZI"]
    );
    // Setting tokens again replaces them.
    let mut again = entries[0].clone();
    again.tokens = vec!["X".into()];
    db.store.set_name_tokens(&[again]).await.unwrap();
    assert!(find(Scope::National, &["BUDI"]).await.is_empty());
    // The whole normalised name, within the scope.
    let exact = |scope, name: &'static str| {
        let store = db.store.clone();
        async move {
            store
                .search_exact_name(scope, None, name, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|h| h.name_key)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(exact(Scope::National, "AHMAD FAUZI").await, ["AHMAD FAUZI"]);
    assert!(exact(Scope::National, "AHMAD").await.is_empty());
    assert!(
        exact(Scope::Region(code("32")), "AHMAD FAUZI")
            .await
            .is_empty()
    );
    // Longer names: any two or three of their tokens, in any order, find them
    // (through the pair of tokens with the fewest people), and a missing one does not.
    let long = |id: &str, kode: &str, name: &str| NameTokens {
        person_id: entries.iter().map(|e| e.person_id).max().unwrap() + id.parse::<i64>().unwrap(),
        name_key: name.into(),
        tokens: name.split(' ').map(str::to_string).collect(),
        kode_wilayah: kode.into(),
        content_hash: 0,
    };
    db.store
        .set_name_tokens(&[
            long("1", "3276011001", "SITI AMINAH BINTI AHMAD"),
            long("2", "3276011001", "SITI AMINAH"),
            long("3", "3301022003", "SITI RAHMA AMINAH"),
        ])
        .await
        .unwrap();
    let mut both = find(Scope::National, &["AMINAH", "SITI"]).await;
    both.sort();
    assert_eq!(
        both,
        [
            "SITI AMINAH",
            "SITI AMINAH BINTI AHMAD",
            "SITI RAHMA AMINAH"
        ]
    );
    assert_eq!(
        find(Scope::National, &["AHMAD", "SITI", "AMINAH"]).await,
        ["SITI AMINAH BINTI AHMAD"]
    );
    assert_eq!(
        find(Scope::National, &["BINTI", "AHMAD", "SITI", "AMINAH"]).await,
        ["SITI AMINAH BINTI AHMAD"]
    );
    assert!(
        find(Scope::National, &["RAHMA", "SITI", "BUDI"])
            .await
            .is_empty()
    );
    assert_eq!(
        find(Scope::Region(code("33")), &["SITI", "AMINAH"]).await,
        ["SITI RAHMA AMINAH"]
    );
    assert_eq!(exact(Scope::National, "SITI AMINAH").await, ["SITI AMINAH"]);
    // A changed record is stale again.
    let mut p = three_people()[0].clone();
    p.nama = "BUDI SANTOSA".into();
    import(&db.store, &[p]).await;
    assert_eq!(db.store.name_index_stale(100).await.unwrap().len(), 1);
}

contract!(
    migrate_is_idempotent,
    import_of_new_people_counts_them_as_new,
    reimporting_the_same_file_changes_nothing,
    a_changed_name_is_updated_and_the_old_name_kept_in_history,
    a_change_in_an_extra_column_counts_as_a_change,
    a_dropped_import_leaves_nothing_behind,
    a_dropped_reimport_keeps_the_previous_values,
    a_preview_counts_like_finish_and_writes_nothing,
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
    accounts_are_created_within_the_creators_region,
    sessions_end_when_they_expire_or_the_account_is_disabled,
    failed_sign_ins_count_until_a_success,
    member_pages_follow_keyset_order_and_filters,
    household_comments_are_scoped_and_audited,
    a_household_lists_its_members_head_first_within_scope,
    an_edit_keeps_history_audits_and_refuses_a_stale_version,
    the_audit_log_refuses_updates_and_deletes,
    name_search_finds_people_with_every_token_within_scope,
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
    let (_dir, url) = padu_testkit::db::sqlite_unmigrated().await;
    first_migration_reports_its_names(&url).await;
}

#[tokio::test]
async fn postgres_first_migration_reports_its_names() {
    let (_guard, url) = padu_testkit::db::postgres_unmigrated().await;
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
