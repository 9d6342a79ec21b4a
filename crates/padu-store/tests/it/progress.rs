//! The dashboard's kept counts on both backends: after a verification run,
//! proposals in every state, corrections, moves between villages, bulk
//! drafts and a re-import, every region's kept counts equal a direct count
//! over the records, and each change moves the numbers it should.

use padu_core::proposal::Action;
use padu_core::{
    Change, CutOff, DeactivationReason, Flag, NikStatus, ProposalState, Reason, RegionCode,
    RegistryPerson, VerificationRow, Zone, ZoneMap,
};
use padu_store::{Actor, NewProposal, ProgressCounts, Proposal, Scope, Store};
use padu_testkit::db::TestDb;
use padu_testkit::generated::Generated;
use padu_testkit::{code, contract};
use serde_json::json;

use crate::proposals::{Office, ctx, later, office, step, walk_to_sent};

/// Every region with kept counts (national, provinces, regencies, districts,
/// villages) has the counts a direct count gives; returns the number checked.
pub(crate) async fn kept_equals_counted(store: &Store, when: &str) -> usize {
    let mut regions = vec![Scope::National];
    let mut i = 0;
    while i < regions.len() {
        for c in store
            .progress_children(Scope::National, regions[i])
            .await
            .unwrap()
        {
            let r = c.region.expect("a child region has a code");
            regions.push(Scope::Region(r));
            if let Some(d) = r.district()
                && !regions.contains(&Scope::Region(d))
            {
                regions.push(Scope::Region(d));
            }
        }
        i += 1;
    }
    for r in &regions {
        assert_eq!(
            store.progress(Scope::National, *r).await.unwrap(),
            store.progress_counted(*r).await.unwrap(),
            "{when}: kept and counted differ for {r}"
        );
    }
    regions.len()
}

async fn counts(store: &Store, village: RegionCode) -> ProgressCounts {
    store
        .progress(Scope::National, Scope::Region(village))
        .await
        .unwrap()
}

/// Generates a regency's registry and imports it; returns it with its ground truth.
async fn setup(db: &TestDb) -> (Vec<RegistryPerson>, Vec<VerificationRow>) {
    generated(db, 3000, 5).await
}

/// Generates `people` of Kota Depok with `seed`, imports them and returns
/// them with their ground truth (not yet saved as a run).
pub(crate) async fn generated(
    db: &TestDb,
    people: usize,
    seed: u64,
) -> (Vec<RegistryPerson>, Vec<VerificationRow>) {
    let data = Generated::within("32.76", people, seed);
    let (truth, registry) = (data.truth(), data.registry);
    let mut imp = db.store.begin_registry_import("dtks.csv").await.unwrap();
    imp.push(&registry).await.unwrap();
    imp.finish().await.unwrap();
    (registry, truth)
}

fn proposal(
    change: Change,
    id_art: &str,
    village: RegionCode,
    after: serde_json::Value,
) -> NewProposal {
    NewProposal {
        change,
        kode_wilayah: village,
        id_art: Some(id_art.into()),
        id_keluarga: None,
        before: None,
        after,
        note: Some("temuan verifikasi".into()),
    }
}

/// Drafts `new` and walks it up to DIKIRIM_PUSDATIN, every step at `when`.
async fn sent(db: &TestDb, o: &Office, new: &NewProposal, when: &str) -> Proposal {
    walk_to_sent(db, o, new, when, when).await
}

async fn kept_counts_equal_direct_counts_through_the_workflow(db: &TestDb) {
    let (registry, truth) = setup(db).await;
    // Nothing verified yet: people are counted, findings are not.
    kept_equals_counted(&db.store, "after the import").await;
    let national = db
        .store
        .progress(Scope::National, Scope::National)
        .await
        .unwrap();
    assert_eq!(national.people, registry.len() as i64);
    assert_eq!(national.findings, 0);

    db.store
        .save_verification_run(Scope::National, &truth, "{}", None)
        .await
        .unwrap();
    let checked = kept_equals_counted(&db.store, "after the run").await;
    assert!(
        checked > 10,
        "national, province, regency, districts, villages: {checked}"
    );
    let asked = truth
        .iter()
        .filter(|r| r.tindakan != padu_core::Action::Tetap)
        .count() as i64;
    let national = db
        .store
        .progress(Scope::National, Scope::National)
        .await
        .unwrap();
    assert_eq!(national.findings, asked);
    assert_eq!((national.resolved, national.in_progress), (0, 0));

    // The village with the most findings, and its members that have one.
    let village_of = |id: &str| {
        registry
            .iter()
            .find(|p| p.id_art == id)
            .map(|p| p.kode_wilayah)
            .unwrap()
    };
    let mut per_village: std::collections::BTreeMap<RegionCode, Vec<&VerificationRow>> =
        std::collections::BTreeMap::new();
    for r in truth
        .iter()
        .filter(|r| r.tindakan != padu_core::Action::Tetap)
    {
        per_village
            .entry(village_of(&r.id_art))
            .or_default()
            .push(r);
    }
    let (&v, found) = per_village
        .iter()
        .max_by_key(|(_, rows)| rows.len())
        .unwrap();
    let found: Vec<&str> = found.iter().map(|r| r.id_art.as_str()).collect();
    assert!(found.len() >= 8, "enough findings in {v}: {}", found.len());
    let other = *per_village.keys().find(|k| **k != v).unwrap();
    let o = office(&db.store, &v.to_string(), "").await;
    let zones = ZoneMap::default();
    let soon = later(1);
    let period = CutOff::default().period_of(crate::proposals::at(&soon), Zone::Wib);

    // A draft: a finding under way, and one draft proposal.
    let before = counts(&db.store, v).await;
    db.store
        .create_proposal(
            o.desa.scope,
            &ctx(&o.desa, &soon, &zones),
            &proposal(
                Change::Deactivate(DeactivationReason::Ganda),
                found[0],
                v,
                json!({ "status": "NONAKTIF" }),
            ),
        )
        .await
        .unwrap();
    let after = counts(&db.store, v).await;
    assert_eq!(after.in_progress, before.in_progress + 1);
    assert_eq!(
        after.in_state(ProposalState::Draft),
        before.in_state(ProposalState::Draft) + 1
    );
    kept_equals_counted(&db.store, "after a draft").await;

    // A death, finalised: the member leaves the active count and the finding is resolved.
    let p = sent(
        db,
        &o,
        &proposal(
            Change::Deactivate(DeactivationReason::Meninggal),
            found[1],
            v,
            json!({ "status": "NONAKTIF" }),
        ),
        &soon,
    )
    .await;
    let mid = counts(&db.store, v).await;
    assert_eq!(mid.in_state(ProposalState::DikirimPusdatin), 1);
    step(db, &o.pusdatin, &later(2), &p, Action::Finalise(period)).await;
    let done = counts(&db.store, v).await;
    assert_eq!(done.people, mid.people - 1);
    assert_eq!(done.resolved, mid.resolved + 1);
    assert_eq!(done.in_progress, mid.in_progress - 1);
    kept_equals_counted(&db.store, "after a finalised deactivation").await;

    // A correction finalised after the run resolves its finding; the member stays active.
    let p = sent(
        db,
        &o,
        &proposal(
            Change::CorrectFields,
            found[2],
            v,
            json!({ "nama": "NAMA DIPERBAIKI" }),
        ),
        &soon,
    )
    .await;
    step(db, &o.pusdatin, &later(2), &p, Action::Finalise(period)).await;
    let fixed = counts(&db.store, v).await;
    assert_eq!(
        (fixed.people, fixed.resolved),
        (done.people, done.resolved + 1)
    );

    // A move to another village: the member's counts leave one village for the other.
    let (vb, ob) = (counts(&db.store, v).await, counts(&db.store, other).await);
    let p = sent(
        db,
        &o,
        &proposal(
            Change::Move,
            found[3],
            v,
            json!({ "kode_wilayah": other.compact() }),
        ),
        &soon,
    )
    .await;
    step(db, &o.pusdatin, &later(2), &p, Action::Finalise(period)).await;
    let (va, oa) = (counts(&db.store, v).await, counts(&db.store, other).await);
    assert_eq!(va.people, vb.people - 1);
    assert_eq!(oa.people, ob.people + 1);
    assert_eq!(
        oa.resolved,
        ob.resolved + 1,
        "the moved member's finding went with them"
    );
    kept_equals_counted(&db.store, "after a move").await;

    // Rejected by Pusdatin: the finding has no proposal under way any more.
    let p = sent(
        db,
        &o,
        &proposal(
            Change::Deactivate(DeactivationReason::TidakDitemukan),
            found[4],
            v,
            json!({ "status": "NONAKTIF" }),
        ),
        &soon,
    )
    .await;
    let untouched = counts(&db.store, v).await.untouched();
    step(
        db,
        &o.pusdatin,
        &later(2),
        &p,
        Action::Reject(Reason::parse("bukti tidak cukup").unwrap()),
    )
    .await;
    assert_eq!(counts(&db.store, v).await.untouched(), untouched + 1);

    // An operator's correction whose re-check finds nothing resolves the finding at once.
    let member = db.store.member(o.desa.scope, found[5]).await.unwrap();
    let clean = VerificationRow {
        id_art: found[5].into(),
        status: NikStatus::Padan,
        flags: Vec::<Flag>::new(),
        tindakan: padu_core::Action::Tetap,
        nik_usulan: None,
        skor: Some(1.0),
        id_kelompok_ganda: None,
        id_art_utama: None,
        keterangan: "padan".into(),
    };
    let r0 = counts(&db.store, v).await.resolved;
    db.store
        .update_member(
            o.desa.scope,
            member.version,
            &member.person,
            &Actor {
                app_user_id: o.desa.app_user_id,
                username: o.desa.username.clone(),
                ip: "10.0.0.1".into(),
            },
            "NIK diperbaiki",
            Some(&clean),
        )
        .await
        .unwrap();
    assert_eq!(counts(&db.store, v).await.resolved, r0 + 1);

    // Drafted in bulk: all of them under way at once.
    let bulk: Vec<NewProposal> = found[6..]
        .iter()
        .map(|id| {
            proposal(
                Change::Deactivate(DeactivationReason::TidakDitemukan),
                id,
                v,
                json!({ "status": "NONAKTIF" }),
            )
        })
        .collect();
    db.store
        .create_proposals(o.desa.scope, &ctx(&o.desa, &soon, &zones), &bulk)
        .await
        .unwrap();
    kept_equals_counted(&db.store, "after bulk drafts").await;

    // A re-import that moves a member and changes a name elsewhere is recounted too.
    let mut again = registry.clone();
    let moved = again.iter().position(|p| p.kode_wilayah == other).unwrap();
    again[moved].kode_wilayah = v;
    again[0].nama = format!("{} ALIAS", again[0].nama).into();
    again.retain(|p| p.id_art != found[3]);
    let mut imp = db.store.begin_registry_import("dtks-2.csv").await.unwrap();
    imp.push(&again).await.unwrap();
    imp.finish().await.unwrap();
    kept_equals_counted(&db.store, "after a re-import").await;

    // Today's history entry is the national count now.
    let today = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    let history = db
        .store
        .progress_history(Scope::National, Scope::National, today)
        .await
        .unwrap();
    // The entry of today's WIB day, which the re-import (made now) wrote:
    // the workflow steps above are dated up to hours ahead, so near WIB
    // midnight (17:00 UTC) some of them are filed under tomorrow.
    let wib_today = chrono::Utc::now()
        .with_timezone(&Zone::Wib.offset())
        .date_naive();
    let last = history
        .iter()
        .find(|d| d.day == wib_today)
        .expect("a history entry for today (WIB)");
    let now = db
        .store
        .progress(Scope::National, Scope::National)
        .await
        .unwrap();
    assert_eq!(
        (last.people, last.findings, last.resolved, last.in_progress),
        (now.people, now.findings, now.resolved, now.in_progress)
    );
}

async fn the_dashboard_reads_only_inside_the_scope(db: &TestDb) {
    setup(db).await;
    let depok = Scope::Region(code("32.76"));
    let bali = Scope::Region(code("51"));
    assert!(db.store.progress(depok, Scope::National).await.is_err());
    assert!(db.store.progress(bali, depok).await.is_err());
    assert!(db.store.progress_children(bali, depok).await.is_err());
    assert!(
        db.store
            .progress_history(bali, depok, padu_testkit::today())
            .await
            .is_err()
    );
    let children = db.store.progress_children(depok, depok).await.unwrap();
    assert!(!children.is_empty());
    assert!(children.iter().all(|c| depok.contains(c.region.unwrap())));
    assert!(
        children
            .iter()
            .all(|c| c.region.unwrap().level() == padu_core::RegionLevel::Village),
        "a regency ranks its villages"
    );
}

contract!(
    kept_counts_equal_direct_counts_through_the_workflow,
    the_dashboard_reads_only_inside_the_scope,
);
