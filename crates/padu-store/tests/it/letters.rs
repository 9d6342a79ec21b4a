//! Letters to villages on both backends: numbered in the office's count of
//! the year, each village's records attached from its findings, progress
//! counted as of the deadline (a record fixed after it does not count), and
//! every read scoped (a village sees its own line, another regency nothing).

use chrono::{DateTime, Datelike, Duration, Utc};
use padu_core::proposal::Action;
use padu_core::{Change, CutOff, DeactivationReason, RegionCode, Zone};
use padu_store::{Actor, NewLetter, NewProposal, Scope, StoreError, User, roman_month};
use padu_testkit::db::TestDb;
use padu_testkit::{code, contract};
use serde_json::json;

use crate::proposals::{office, step, walk_to_sent};

contract!(letters_are_numbered_attach_findings_and_count_to_the_deadline);

fn actor(u: &User) -> Actor {
    Actor {
        app_user_id: u.app_user_id,
        username: u.username.clone(),
        ip: "10.0.0.1".into(),
    }
}

fn letter(villages: Vec<RegionCode>, now: DateTime<Utc>, deadline: DateTime<Utc>) -> NewLetter {
    NewLetter {
        issuer: code("32.76"),
        classification: "400.9".into(),
        letter_date: now.date_naive(),
        subject: "Percepatan perbaikan data DTKS".into(),
        body: "Mohon segera memperbaiki data terlampir.".into(),
        deadline,
        signatory_name: "Dra. SITI AMINAH".into(),
        signatory_title: "Kepala Dinas Sosial".into(),
        signatory_id: Some("19700101 199003 2 001".into()),
        villages,
    }
}

fn deactivate(id_art: &str, village: RegionCode) -> NewProposal {
    NewProposal {
        change: Change::Deactivate(DeactivationReason::TidakDitemukan),
        kode_wilayah: village,
        id_art: Some(id_art.into()),
        id_keluarga: None,
        before: Some(json!({ "status": "AKTIF" })),
        after: json!({ "status": "NONAKTIF", "alasan": "TIDAK_DITEMUKAN" }),
        note: Some("tidak ditemukan di alamat".into()),
    }
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

async fn letters_are_numbered_attach_findings_and_count_to_the_deadline(db: &TestDb) {
    // A regency's registry with its ground truth saved as the verification run.
    let (registry, truth) = crate::progress::generated(db, 2000, 9).await;
    db.store
        .save_verification_run(Scope::National, &truth, "{}", None)
        .await
        .unwrap();
    let mut asked: std::collections::BTreeMap<RegionCode, Vec<String>> = Default::default();
    for (p, r) in registry.iter().zip(&truth) {
        if r.tindakan != padu_core::Action::Tetap {
            asked
                .entry(p.kode_wilayah)
                .or_default()
                .push(p.id_art.to_string());
        }
    }
    let mut by_size: Vec<(&RegionCode, &Vec<String>)> = asked.iter().collect();
    by_size.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    let (v1, found1) = (*by_size[0].0, by_size[0].1.clone());
    let v2 = *by_size[1].0;
    assert!(found1.len() >= 4, "{v1}: {}", found1.len());
    let o = office(&db.store, &v1.to_string(), "").await;
    let o2 = office(&db.store, &v2.to_string(), "b").await;

    let now = Utc::now();
    let deadline = now + Duration::hours(5);
    let made = db
        .store
        .create_letter(
            o.operator.scope,
            &actor(&o.operator),
            now,
            &letter(vec![v1, v2], now, deadline),
        )
        .await
        .unwrap();
    let year = now.date_naive().year();
    let month = roman_month(now.date_naive().month());
    assert_eq!(made.number, format!("400.9/001/Dinsos/{month}/{year}"));
    let second = db
        .store
        .create_letter(
            o.operator.scope,
            &actor(&o.operator),
            now,
            &letter(vec![v2], now, deadline),
        )
        .await
        .unwrap();
    assert_eq!(second.number, format!("400.9/002/Dinsos/{month}/{year}"));

    // Each village's records are its members whose finding asks for action.
    let progress = db
        .store
        .letter_progress(o.operator.scope, &made, now)
        .await
        .unwrap();
    assert_eq!(progress.len(), 2);
    let line = |v: RegionCode, all: &[padu_store::RecipientProgress]| {
        all.iter()
            .find(|r| r.kode_wilayah == v.compact())
            .cloned()
            .unwrap()
    };
    assert_eq!(line(v1, &progress).items, found1.len() as i64);
    assert_eq!(line(v2, &progress).items, asked[&v2].len() as i64);
    assert_eq!(
        (
            line(v1, &progress).resolved,
            line(v1, &progress).in_progress
        ),
        (0, 0)
    );
    let items = db
        .store
        .letter_items(o.operator.scope, &made, v1, now)
        .await
        .unwrap();
    let mut ids: Vec<String> = items.iter().map(|i| i.id_art.clone()).collect();
    ids.sort();
    let mut expected = found1.clone();
    expected.sort();
    assert_eq!(ids, expected);

    // One record drafted (under way), one finalised before the deadline, one after.
    let t1 = now + Duration::hours(1);
    let t2 = now + Duration::hours(2);
    let t6 = now + Duration::hours(6);
    let zones = padu_core::ZoneMap::default();
    db.store
        .create_proposal(
            o.desa.scope,
            &crate::proposals::ctx(&o.desa, &iso(t1), &zones),
            &deactivate(&found1[0], v1),
        )
        .await
        .unwrap();
    let early = walk_to_sent(db, &o, &deactivate(&found1[1], v1), &iso(t1), &iso(t1)).await;
    step(
        db,
        &o.pusdatin,
        &iso(t2),
        &early,
        Action::Finalise(CutOff::default().period_of(t1, Zone::Wib)),
    )
    .await;
    let late = walk_to_sent(db, &o, &deactivate(&found1[2], v1), &iso(t2), &iso(t2)).await;
    step(
        db,
        &o.pusdatin,
        &iso(t6),
        &late,
        Action::Finalise(CutOff::default().period_of(t2, Zone::Wib)),
    )
    .await;

    let at_deadline = |p: &[padu_store::RecipientProgress]| {
        let l = line(v1, p);
        (l.resolved, l.in_progress)
    };
    let before = db
        .store
        .letter_progress(o.operator.scope, &made, now + Duration::hours(3))
        .await
        .unwrap();
    assert_eq!(
        at_deadline(&before),
        (1, 2),
        "one fixed, two under way by hour three"
    );
    let after = db
        .store
        .letter_progress(o.operator.scope, &made, now + Duration::hours(9))
        .await
        .unwrap();
    assert_eq!(
        at_deadline(&after),
        (1, 2),
        "counted to the deadline: the record finalised after it is still under way then"
    );
    let items = db
        .store
        .letter_items(o.operator.scope, &made, v1, now + Duration::hours(9))
        .await
        .unwrap();
    let resolved: Vec<&str> = items
        .iter()
        .filter(|i| i.resolved)
        .map(|i| i.id_art.as_str())
        .collect();
    assert_eq!(resolved, vec![found1[1].as_str()]);

    // Scope: the village sees the letter and only its own line and records.
    let v2_scope = o2.desa.scope;
    assert_eq!(
        db.store
            .letters(v2_scope, 50)
            .await
            .unwrap()
            .iter()
            .map(|l| l.letter_id)
            .collect::<Vec<_>>(),
        vec![second.letter_id, made.letter_id]
    );
    let own = db
        .store
        .letter_progress(v2_scope, &made, now)
        .await
        .unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].kode_wilayah, v2.compact());
    assert!(
        db.store
            .letter_items(v2_scope, &made, v1, now)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db.store.letters(o.desa.scope, 50).await.unwrap().len(),
        1,
        "v1 has one letter"
    );
    // Another regency sees nothing, and cannot write to these villages.
    let elsewhere = Scope::Region(code("32.01"));
    assert!(matches!(
        db.store.letter(elsewhere, made.letter_id).await,
        Err(StoreError::NotFound)
    ));
    assert!(db.store.letters(elsewhere, 50).await.unwrap().is_empty());
    assert!(matches!(
        db.store
            .create_letter(
                elsewhere,
                &actor(&o.operator),
                now,
                &letter(vec![v1], now, deadline)
            )
            .await,
        Err(StoreError::NotFound)
    ));
    // A village outside the issuer is refused, and so is a letter to nobody.
    let mut stray = letter(vec![code("32.01.01.2001")], now, deadline);
    stray.issuer = code("32.76");
    assert!(matches!(
        db.store
            .create_letter(Scope::National, &actor(&o.operator), now, &stray)
            .await,
        Err(StoreError::NotFound)
    ));
}
