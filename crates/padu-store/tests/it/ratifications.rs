//! Minutes of a village deliberation on both backends: they gather the
//! village's submitted proposals, refuse others, and once their signed scan
//! is uploaded the proposals they list are ratified together; minutes
//! scanned before a proposal was returned do not count for it. Also the
//! additions (a new member, a new household), which finalise into new records.

use padu_core::proposal::Action;
use padu_core::{
    MediaType, ProposalState, Ratification, RatificationKind, Reason, TransitionError, ZoneMap,
};
use padu_store::{Actor, NewRatification, Proposal, ScanFile, Scope, StoreError, User};
use padu_testkit::db::TestDb;
use padu_testkit::{code, contract, ymd};

use crate::proposals::{SCAN, at, ctx, deceased, office, setup, step};

contract!(
    minutes_gather_submitted_proposals_and_ratify_them_with_their_scan,
    additions_become_records_when_finalised,
);

fn actor(u: &User) -> Actor {
    Actor {
        app_user_id: u.app_user_id,
        username: u.username.clone(),
        ip: "10.0.0.1".into(),
    }
}

fn minutes(number: &str, ids: Vec<i64>) -> NewRatification {
    NewRatification {
        village: code("32.76.01.1006"),
        kind: RatificationKind::Musdes,
        number: number.into(),
        held_on: ymd(2026, 10, 1),
        place: "Balai Desa".into(),
        attendees: vec!["Kepala Desa".into(), "Ketua BPD".into()],
        signatories: vec!["H. UJANG — Kepala Desa".into()],
        note: None,
        proposal_ids: ids,
    }
}

fn ratify() -> Action {
    Action::Ratify(Ratification {
        kind: RatificationKind::Musdes,
        signed_scan_attached: false,
    })
}

async fn minutes_gather_submitted_proposals_and_ratify_them_with_their_scan(db: &TestDb) {
    setup(db).await;
    let o = office(&db.store, "32.76.01.1006", "").await;
    let other = office(&db.store, "51.71.01.1001", "b").await;
    let zones = ZoneMap::default();
    let when = "2026-10-01T02:00:00Z";
    let draft = |id: &'static str| {
        let o = &o;
        let zones = &zones;
        async move {
            db.store
                .create_proposal(
                    o.desa.scope,
                    &ctx(&o.desa, when, zones),
                    &deceased(id, "32.76.01.1006"),
                )
                .await
                .unwrap()
        }
    };
    let a1 = step(db, &o.desa, when, &draft("A1").await, Action::Submit).await;
    let a2 = step(db, &o.desa, when, &draft("A2").await, Action::Submit).await;
    let a3 = draft("A3").await;

    // Only submitted proposals of the village.
    let e = db
        .store
        .create_ratification(
            o.desa.scope,
            &actor(&o.desa),
            at(when),
            &minutes("1/BA/X/2026", vec![a1.proposal_id, a3.proposal_id]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::InBulk { proposal_id, source } if *proposal_id == a3.proposal_id
            && matches!(**source, StoreError::Transition(TransitionError::NotFromState { .. }))),
        "{e}"
    );
    let e = db
        .store
        .create_ratification(
            other.desa.scope,
            &actor(&other.desa),
            at(when),
            &minutes("1/BA/X/2026", vec![a1.proposal_id]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::NotFound),
        "another village's minutes: {e}"
    );
    let m = db
        .store
        .create_ratification(
            o.desa.scope,
            &actor(&o.desa),
            at(when),
            &minutes("1/BA/X/2026", vec![a1.proposal_id, a2.proposal_id]),
        )
        .await
        .unwrap();
    assert_eq!(m.proposal_ids, vec![a1.proposal_id, a2.proposal_id]);
    assert_eq!(m.attendees.len(), 2);
    let e = db
        .store
        .create_ratification(
            o.desa.scope,
            &actor(&o.desa),
            at(when),
            &minutes("1/BA/X/2026", vec![]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Conflict { .. }),
        "the same number twice: {e}"
    );

    // Without the scan the ratification is refused; with it, both go through together.
    let items = [(a1.proposal_id, a1.version), (a2.proposal_id, a2.version)];
    let e = db
        .store
        .take_proposal_steps(o.desa.scope, &ctx(&o.desa, when, &zones), &items, &ratify())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("pindaian"), "{e}");
    let scan = ScanFile {
        file_name: "berita-acara.pdf",
        media: MediaType::Pdf,
        bytes: SCAN,
    };
    let e = db
        .store
        .attach_ratification_scan(
            other.desa.scope,
            &actor(&other.desa),
            at(when),
            m.ratification_id,
            &scan,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound));
    let m = db
        .store
        .attach_ratification_scan(
            o.desa.scope,
            &actor(&o.desa),
            at("2026-10-01T03:00:00Z"),
            m.ratification_id,
            &scan,
        )
        .await
        .unwrap();
    assert_eq!(m.scan_file_name.as_deref(), Some("berita-acara.pdf"));
    let (name, media, bytes) = db
        .store
        .ratification_scan(o.desa.scope, m.ratification_id)
        .await
        .unwrap();
    assert_eq!(
        (name.as_str(), media.as_str(), bytes.as_slice()),
        ("berita-acara.pdf", "application/pdf", SCAN)
    );
    let done = db
        .store
        .take_proposal_steps(
            o.desa.scope,
            &ctx(&o.desa, "2026-10-01T04:00:00Z", &zones),
            &items,
            &ratify(),
        )
        .await
        .unwrap();
    assert!(done.iter().all(|p| p.state == ProposalState::DisahkanDesa));

    // Returned after the scan: the old minutes no longer count for it.
    let returned: Proposal = step(
        db,
        &o.verifier,
        "2026-10-02T02:00:00Z",
        &done[0],
        Action::Return(Reason::parse("lampirkan akta kematian").unwrap()),
    )
    .await;
    let again = step(
        db,
        &o.desa,
        "2026-10-03T02:00:00Z",
        &returned,
        Action::Resubmit,
    )
    .await;
    let e = db
        .store
        .take_proposal_step(
            o.desa.scope,
            &ctx(&o.desa, "2026-10-03T03:00:00Z", &zones),
            again.proposal_id,
            again.version,
            &ratify(),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("pindaian"), "{e}");
    assert_eq!(
        db.store
            .ratifications(o.desa.scope, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        db.store
            .ratifications(other.desa.scope, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

fn addition(
    change: padu_core::Change,
    id_keluarga: Option<&str>,
    after: serde_json::Value,
) -> padu_store::NewProposal {
    padu_store::NewProposal {
        change,
        kode_wilayah: code("32.76.01.1006"),
        id_art: None,
        id_keluarga: id_keluarga.map(str::to_string),
        before: None,
        after,
        note: Some("lahir / pindah datang".into()),
    }
}

/// A new member of an existing household and a new household with its head:
/// drafted with their values checked, walked to Pusdatin and finalised into
/// new records (version 1, the household's No KK and address for a member),
/// counted in the village's progress.
async fn additions_become_records_when_finalised(db: &TestDb) {
    use padu_core::{Change, CutOff, Zone};
    use serde_json::json;

    setup(db).await;
    let o = office(&db.store, "32.76.01.1006", "").await;
    let zones = ZoneMap::default();
    let when = "2026-10-01T02:00:00Z";
    // Refused: a required value missing, a household of another village.
    let e = db
        .store
        .create_proposal(
            o.desa.scope,
            &ctx(&o.desa, when, &zones),
            &addition(
                Change::AddMember,
                Some("K1"),
                json!({"jenis_kelamin": "P", "tgl_lahir": "2026-08-01"}),
            ),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("nama"), "{e}");
    let e = db
        .store
        .create_proposal(
            o.desa.scope,
            &ctx(&o.desa, when, &zones),
            &addition(
                Change::AddMember,
                Some("K3"),
                json!({"nama": "X", "jenis_kelamin": "P", "tgl_lahir": "2026-08-01"}),
            ),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::NotFound),
        "a household of Denpasar: {e}"
    );

    let baby = addition(
        Change::AddMember,
        Some("K1"),
        json!({"nama": "PUTRI SANTOSO", "jenis_kelamin": "P", "tgl_lahir": "2026-08-01",
               "tempat_lahir": "DEPOK", "hubungan_keluarga": "ANAK", "nama_ibu_kandung": "SRI WAHYUNI"}),
    );
    let family = addition(
        Change::AddHousehold,
        None,
        json!({"nama": "JOKO PRANOTO", "jenis_kelamin": "L", "tgl_lahir": "1985-05-05",
               "no_kk": "3276010505200009", "alamat": "JL. KENANGA 7", "rt": "003", "rw": "004"}),
    );
    let before = db
        .store
        .progress(Scope::National, Scope::Region(code("32.76.01.1006")))
        .await
        .unwrap();
    let mut made = Vec::new();
    for new in [&baby, &family] {
        let p = crate::proposals::walk_to_sent(db, &o, new, when, when).await;
        let done = step(
            db,
            &o.pusdatin,
            "2026-10-02T02:00:00Z",
            &p,
            Action::Finalise(CutOff::default().period_of(at(when), Zone::Wib)),
        )
        .await;
        assert_eq!(done.state, ProposalState::Ditetapkan);
        made.push(done.proposal_id);
    }
    let child = db
        .store
        .member(o.desa.scope, &format!("ARTU{:09}", made[0]))
        .await
        .unwrap();
    assert_eq!(child.person.nama, "PUTRI SANTOSO");
    assert_eq!(child.person.id_keluarga.as_deref(), Some("K1"));
    assert_eq!(child.version, 1);
    let k1 = db.store.household(o.desa.scope, "K1").await.unwrap();
    assert!(
        k1.members.iter().any(|m| m.person.nama == "PUTRI SANTOSO"),
        "the household lists the newborn"
    );
    assert_eq!(
        child.person.no_kk.to_cell(),
        k1.no_kk,
        "the household's No KK"
    );
    let new_home = format!("KELU{:09}", made[1]);
    let head = db
        .store
        .member(o.desa.scope, &format!("ARTU{:09}", made[1]))
        .await
        .unwrap();
    assert_eq!(head.person.id_keluarga.as_deref(), Some(new_home.as_str()));
    assert_eq!(
        head.person.hubungan_keluarga,
        Some(padu_core::Relation::Kepala)
    );
    let h = db.store.household(o.desa.scope, &new_home).await.unwrap();
    assert_eq!(h.alamat.as_deref(), Some("JL. KENANGA 7"));
    let after = db
        .store
        .progress(Scope::National, Scope::Region(code("32.76.01.1006")))
        .await
        .unwrap();
    assert_eq!(after.people, before.people + 2);
    crate::progress::kept_equals_counted(&db.store, "after two additions").await;
}
