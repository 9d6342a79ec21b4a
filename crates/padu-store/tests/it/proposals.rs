//! Proposals on both backends: the whole workflow, returns, optimistic
//! locking, refusals, bulk steps all or nothing, and periods by local cut-off.

use chrono::{DateTime, Utc};
use padu_core::proposal::{Action, Actor as WorkflowActor};
use padu_core::{
    Change, CutOff, DeactivationReason, MediaType, Period, ProposalState, Ratification,
    RatificationKind, Reason, RegistryPerson, Role, TransitionError, ZoneMap,
};
use padu_store::{
    Actor, AttachmentPurpose, AuditFilter, NewAttachment, NewProposal, NewUser, Proposal,
    ProposalFilter, Scope, StepContext, Store, StoreError, User,
};
use padu_testkit::db::TestDb;
use padu_testkit::{code, contract, person};
use serde_json::json;

/// The people of these stories: two in a Depok village, one in Denpasar (WITA), one in Jayapura (WIT).
fn people() -> Vec<RegistryPerson> {
    vec![
        person("A1", Some("K1"), "32.76.01.1006", "BUDI SANTOSO"),
        person("A2", Some("K1"), "32.76.01.1006", "SRI WAHYUNI"),
        person("A3", Some("K2"), "32.76.01.1006", "AHMAD FAUZI"),
        person("B1", Some("K3"), "51.71.01.1001", "I MADE SUARDANA"),
        person("B2", Some("K3"), "51.71.01.1001", "NI KETUT SARI"),
        person("C1", Some("K4"), "91.71.01.1001", "YOHANES WENDA"),
        person("C2", Some("K4"), "91.71.01.1001", "MARIA WENDA"),
    ]
}

/// The offices of a village: its operator, the regency's Dinsos, and Pusdatin.
pub(crate) struct Office {
    pub(crate) desa: User,
    pub(crate) operator: User,
    pub(crate) verifier: User,
    pub(crate) head: User,
    pub(crate) pusdatin: User,
}

pub(crate) async fn user(store: &Store, name: &str, role: Role, scope: Scope) -> User {
    store
        .create_user(
            Scope::National,
            &NewUser {
                username: name.into(),
                display_name: format!("Pengguna {name}"),
                role,
                scope,
                password_hash: "$argon2id$bukan-hash-asli".into(),
                must_change_password: false,
                lang: padu_core::Lang::Id,
                phone: None,
            },
        )
        .await
        .unwrap()
}

/// Imports the people and creates the accounts of the office of `village`.
pub(crate) async fn office(store: &Store, village: &str, tag: &str) -> Office {
    let v = code(village);
    let regency = Scope::Region(v.regency().unwrap());
    Office {
        desa: user(
            store,
            &format!("desa{tag}"),
            Role::OperatorDesa,
            Scope::Region(v),
        )
        .await,
        operator: user(
            store,
            &format!("opdinsos{tag}"),
            Role::OperatorDinsos,
            regency,
        )
        .await,
        verifier: user(
            store,
            &format!("verif{tag}"),
            Role::VerifikatorDinsos,
            regency,
        )
        .await,
        head: user(store, &format!("kepala{tag}"), Role::KepalaDinsos, regency).await,
        pusdatin: user(
            store,
            &format!("pusdatin{tag}"),
            Role::Pusdatin,
            Scope::National,
        )
        .await,
    }
}

pub(crate) async fn setup(db: &TestDb) {
    let mut imp = db.store.begin_registry_import("dtks.csv").await.unwrap();
    imp.push(&people()).await.unwrap();
    imp.finish().await.unwrap();
}

pub(crate) fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Everything a step needs for `u` at instant `when`; the account part is leaked for the test's life.
pub(crate) fn ctx<'a>(u: &User, when: &str, zones: &'a ZoneMap) -> StepContext<'a> {
    let actor: &'static Actor = Box::leak(Box::new(Actor {
        app_user_id: u.app_user_id,
        username: u.username.clone(),
        ip: "10.0.0.1".into(),
    }));
    StepContext {
        actor,
        workflow: WorkflowActor {
            role: u.role,
            region: match u.scope {
                Scope::National => None,
                Scope::Region(r) => Some(r),
            },
        },
        at: at(when),
        cut_off: CutOff::default(),
        zones,
    }
}

pub(crate) fn deceased(id_art: &str, village: &str) -> NewProposal {
    NewProposal {
        change: Change::Deactivate(DeactivationReason::Meninggal),
        kode_wilayah: code(village),
        id_art: Some(id_art.into()),
        id_keluarga: None,
        before: Some(json!({ "status": "AKTIF" })),
        after: json!({ "status": "NONAKTIF", "tgl_meninggal": "2026-09-30" }),
        note: Some("meninggal menurut surat keterangan kelurahan".into()),
    }
}

pub(crate) fn signed() -> Action {
    Action::Ratify(Ratification {
        kind: RatificationKind::Musdes,
        signed_scan_attached: true,
    })
}

/// A one-page "scan" of signed minutes.
pub(crate) const SCAN: &[u8] = b"%PDF-1.4\n% berita acara musdes bertanda tangan\n";

/// Attaches the signed scan to `p` as the village operator.
pub(crate) async fn attach_scan(db: &TestDb, desa: &User, p: &Proposal) {
    let zones = ZoneMap::default();
    db.store
        .add_proposal_attachment(
            desa.scope,
            &ctx(desa, "2026-10-01T02:30:00Z", &zones),
            p.proposal_id,
            &NewAttachment {
                purpose: AttachmentPurpose::RatificationScan,
                file_name: "berita-acara.pdf",
                media: MediaType::Pdf,
                bytes: SCAN,
            },
        )
        .await
        .unwrap();
}

/// Takes `action` as `u` at `when` on `p` at its current version.
pub(crate) async fn step(
    db: &TestDb,
    u: &User,
    when: &str,
    p: &Proposal,
    action: Action,
) -> Proposal {
    let zones = ZoneMap::default();
    db.store
        .take_proposal_step(
            u.scope,
            &ctx(u, when, &zones),
            p.proposal_id,
            p.version,
            &action,
        )
        .await
        .unwrap_or_else(|e| panic!("{action:?} by {}: {e}", u.username))
}

/// Walks a new proposal up to DIKIRIM_PUSDATIN, sent at `sent`.
async fn up_to_sent(db: &TestDb, o: &Office, id_art: &str, village: &str, sent: &str) -> Proposal {
    walk_to_sent(
        db,
        o,
        &deceased(id_art, village),
        "2026-10-01T02:00:00Z",
        sent,
    )
    .await
}

/// Drafts `new` at `when` and walks it up to DIKIRIM_PUSDATIN, sent at `sent`.
pub(crate) async fn walk_to_sent(
    db: &TestDb,
    o: &Office,
    new: &NewProposal,
    when: &str,
    sent: &str,
) -> Proposal {
    let zones = ZoneMap::default();
    let p = db
        .store
        .create_proposal(o.desa.scope, &ctx(&o.desa, when, &zones), new)
        .await
        .unwrap();
    let p = step(db, &o.desa, when, &p, Action::Submit).await;
    attach_scan(db, &o.desa, &p).await;
    let p = step(db, &o.desa, when, &p, signed()).await;
    let p = step(db, &o.verifier, when, &p, Action::Verify).await;
    let p = step(db, &o.head, when, &p, Action::Approve).await;
    step(db, &o.operator, sent, &p, Action::Send).await
}

async fn a_proposal_walks_from_the_village_to_a_period(db: &TestDb) {
    setup(db).await;
    let o = office(&db.store, "32.76.01.1006", "").await;
    let sent = up_to_sent(db, &o, "A1", "32.76.01.1006", "2026-10-10T03:00:00Z").await;
    assert_eq!(sent.state, ProposalState::DikirimPusdatin);
    assert_eq!(sent.period, Period::new(2026, 10));
    assert!(!sent.late);
    let oct = Period::new(2026, 10).unwrap();
    let done = step(
        db,
        &o.pusdatin,
        "2026-10-20T03:00:00Z",
        &sent,
        Action::Finalise(oct),
    )
    .await;
    assert_eq!(done.state, ProposalState::Ditetapkan);
    assert_eq!(done.version, 7);
    assert_eq!(
        done.change,
        Change::Deactivate(DeactivationReason::Meninggal)
    );
    assert_eq!(done.after["tgl_meninggal"], "2026-09-30");

    let events = db
        .store
        .proposal_events(o.desa.scope, done.proposal_id)
        .await
        .unwrap();
    let steps: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| (e.step.as_str(), e.to_state.as_str(), e.username.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("create", "DRAFT", "desa"),
            ("submit", "DIAJUKAN", "desa"),
            ("attach", "DIAJUKAN", "desa"),
            ("ratify", "DISAHKAN_DESA", "desa"),
            ("verify", "DIVERIFIKASI_DINSOS", "verif"),
            ("approve", "DISETUJUI_DINSOS", "kepala"),
            ("send", "DIKIRIM_PUSDATIN", "opdinsos"),
            ("finalise", "DITETAPKAN", "pusdatin"),
        ]
    );
    assert_eq!(events[3].detail.as_deref(), Some("document=MUSDES"));
    assert_eq!(
        events[6].detail.as_deref(),
        Some("period=2026-10; zone=WIB; late=false")
    );
    assert_eq!(
        events.iter().map(|e| e.version).collect::<Vec<_>>(),
        [1, 2, 2, 3, 4, 5, 6, 7]
    );
    let files = db
        .store
        .proposal_attachments(o.desa.scope, done.proposal_id)
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        (files[0].media_type.as_str(), files[0].size_bytes),
        ("application/pdf", SCAN.len() as i64)
    );
    let (_, data) = db
        .store
        .proposal_attachment(
            o.verifier.scope,
            done.proposal_id,
            files[0].proposal_attachment_id,
        )
        .await
        .unwrap();
    assert_eq!(data, SCAN);
    // Every event is audited, in the same transactions.
    let audit = db
        .store
        .audit_entries(
            Scope::National,
            &AuditFilter {
                entity: Some(("proposal".into(), done.proposal_id.to_string())),
                ..AuditFilter::default()
            },
            100,
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 8);
    assert!(audit.iter().any(|a| a.entry.action == "proposal.finalise"));
    // The village sees its proposal; another village does not.
    let listed = db
        .store
        .proposals(o.desa.scope, &ProposalFilter::default(), 50)
        .await
        .unwrap();
    assert_eq!(listed, vec![done.clone()]);
    let other = Scope::Region(code("32.76.01.1007"));
    assert!(matches!(
        db.store.proposal(other, done.proposal_id).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        db.store
            .proposal_events(other, done.proposal_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        db.store
            .proposal_attachment(other, done.proposal_id, files[0].proposal_attachment_id)
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn a_returned_proposal_is_corrected_and_goes_through_the_village_again(db: &TestDb) {
    setup(db).await;
    let o = office(&db.store, "32.76.01.1006", "").await;
    let zones = ZoneMap::default();
    let when = "2026-10-02T02:00:00Z";
    let p = db
        .store
        .create_proposal(
            o.desa.scope,
            &ctx(&o.desa, when, &zones),
            &deceased("A2", "32.76.01.1006"),
        )
        .await
        .unwrap();
    let p = step(db, &o.desa, when, &p, Action::Submit).await;
    // No signed scan yet: the village cannot record the ratification.
    let e = db
        .store
        .take_proposal_step(
            o.desa.scope,
            &ctx(&o.desa, when, &zones),
            p.proposal_id,
            p.version,
            &signed(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Transition(TransitionError::UnsignedRatification)
        ),
        "{e}"
    );
    attach_scan(db, &o.desa, &p).await;
    let p = step(db, &o.desa, when, &p, signed()).await;
    let reason = Reason::parse("lampirkan akta kematian").unwrap();
    let p = step(db, &o.verifier, when, &p, Action::Return(reason)).await;
    assert_eq!(p.state, ProposalState::Dikembalikan);
    let corrected =
        json!({ "status": "NONAKTIF", "tgl_meninggal": "2026-09-29", "akta": "AK-123" });
    let p = db
        .store
        .edit_proposal(
            o.desa.scope,
            &ctx(&o.desa, when, &zones),
            p.proposal_id,
            p.version,
            &corrected,
            Some("akta kematian dilampirkan"),
        )
        .await
        .unwrap();
    assert_eq!(p.after, corrected);
    let p = step(db, &o.desa, when, &p, Action::Resubmit).await;
    assert_eq!(p.state, ProposalState::Diajukan);
    // Once submitted, what it proposes is fixed.
    let e = db
        .store
        .edit_proposal(
            o.desa.scope,
            &ctx(&o.desa, when, &zones),
            p.proposal_id,
            p.version,
            &json!({}),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Transition(TransitionError::NotEditable { .. })
        ),
        "{e}"
    );
    let events = db
        .store
        .proposal_events(o.desa.scope, p.proposal_id)
        .await
        .unwrap();
    let returned = events.iter().find(|e| e.step == "return").unwrap();
    assert_eq!(returned.reason.as_deref(), Some("lampirkan akta kematian"));
    assert_eq!(
        events.iter().map(|e| e.step.as_str()).collect::<Vec<_>>(),
        [
            "create", "submit", "attach", "ratify", "return", "edit", "resubmit"
        ]
    );
    // The deliberation ratifies again, with new minutes: the earlier scan does not count.
    let e = db
        .store
        .take_proposal_step(
            o.desa.scope,
            &ctx(&o.desa, "2026-10-02T03:00:00Z", &zones),
            p.proposal_id,
            p.version,
            &signed(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Transition(TransitionError::UnsignedRatification)
        ),
        "{e}"
    );
    db.store
        .add_proposal_attachment(
            o.desa.scope,
            &ctx(&o.desa, "2026-10-02T03:30:00Z", &zones),
            p.proposal_id,
            &NewAttachment {
                purpose: AttachmentPurpose::RatificationScan,
                file_name: "berita-acara-2.pdf",
                media: MediaType::Pdf,
                bytes: SCAN,
            },
        )
        .await
        .unwrap();
    let p = step(db, &o.desa, "2026-10-02T04:00:00Z", &p, signed()).await;
    assert_eq!(p.state, ProposalState::DisahkanDesa);
}

async fn two_people_acting_on_one_version_conflict_and_the_second_changes_nothing(db: &TestDb) {
    setup(db).await;
    let o = office(&db.store, "32.76.01.1006", "").await;
    let zones = ZoneMap::default();
    let when = "2026-10-02T02:00:00Z";
    let p = db
        .store
        .create_proposal(
            o.desa.scope,
            &ctx(&o.desa, when, &zones),
            &deceased("A3", "32.76.01.1006"),
        )
        .await
        .unwrap();
    let p = step(db, &o.desa, when, &p, Action::Submit).await;
    attach_scan(db, &o.desa, &p).await;
    let p = step(db, &o.desa, when, &p, signed()).await;
    // The verifier verifies while the head's page still shows version 3.
    let stale = p.clone();
    step(db, &o.verifier, when, &p, Action::Verify).await;
    let e = db
        .store
        .take_proposal_step(
            o.verifier.scope,
            &ctx(&o.verifier, when, &zones),
            stale.proposal_id,
            stale.version,
            &Action::Return(Reason::parse("data belum lengkap").unwrap()),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Stale { current_version: 4 }),
        "{e:?}"
    );
    let now = db
        .store
        .proposal(o.desa.scope, p.proposal_id)
        .await
        .unwrap();
    assert_eq!(now.state, ProposalState::DiverifikasiDinsos);
}

async fn the_workflow_refuses_wrong_roles_states_regions_and_periods(db: &TestDb) {
    setup(db).await;
    let o = office(&db.store, "32.76.01.1006", "").await;
    let zones = ZoneMap::default();
    let when = "2026-10-02T02:00:00Z";
    // Only the village operator drafts.
    let e = db
        .store
        .create_proposal(
            o.head.scope,
            &ctx(&o.head, when, &zones),
            &deceased("A1", "32.76.01.1006"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Transition(TransitionError::MayNotPropose { .. })
        ),
        "{e}"
    );
    // Not about someone outside the village, nor about someone who is not there.
    for (id_art, village) in [
        ("B1", "51.71.01.1001"),
        ("ZZ", "32.76.01.1006"),
        ("A1", "32.76.01.1007"),
    ] {
        let e = db
            .store
            .create_proposal(
                o.desa.scope,
                &ctx(&o.desa, when, &zones),
                &deceased(id_art, village),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound), "{id_art}: {e}");
    }
    let p = db
        .store
        .create_proposal(
            o.desa.scope,
            &ctx(&o.desa, when, &zones),
            &deceased("A1", "32.76.01.1006"),
        )
        .await
        .unwrap();
    // The head of office cannot submit for the village; nobody skips the deliberation.
    let e = db
        .store
        .take_proposal_step(
            o.head.scope,
            &ctx(&o.head, when, &zones),
            p.proposal_id,
            1,
            &Action::Submit,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Transition(TransitionError::Role { .. })),
        "{e}"
    );
    let e = db
        .store
        .take_proposal_step(
            o.verifier.scope,
            &ctx(&o.verifier, when, &zones),
            p.proposal_id,
            1,
            &Action::Verify,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Transition(TransitionError::NotFromState { .. })
        ),
        "{e}"
    );
    // A Dinsos of another regency does not even see it.
    let bali = user(
        &db.store,
        "verifbali",
        Role::VerifikatorDinsos,
        Scope::Region(code("51.71")),
    )
    .await;
    let e = db
        .store
        .take_proposal_step(
            bali.scope,
            &ctx(&bali, when, &zones),
            p.proposal_id,
            1,
            &Action::Verify,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound), "{e}");
    // Pusdatin cannot fix a November proposal into October.
    let sent = up_to_sent(db, &o, "A2", "32.76.01.1006", "2026-10-20T03:00:00Z").await;
    assert_eq!(sent.period, Period::new(2026, 11));
    let e = db
        .store
        .take_proposal_step(
            Scope::National,
            &ctx(&o.pusdatin, when, &zones),
            sent.proposal_id,
            sent.version,
            &Action::Finalise(Period::new(2026, 10).unwrap()),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Transition(TransitionError::PeriodBeforeSending { .. })
        ),
        "{e}"
    );
    let untouched = db
        .store
        .proposal(Scope::National, p.proposal_id)
        .await
        .unwrap();
    assert_eq!(
        (untouched.state, untouched.version),
        (ProposalState::Draft, 1)
    );
}

async fn a_bulk_step_changes_all_proposals_or_none(db: &TestDb) {
    setup(db).await;
    let o = office(&db.store, "32.76.01.1006", "").await;
    let zones = ZoneMap::default();
    let when = "2026-10-03T02:00:00Z";
    let mut ps = Vec::new();
    for id in ["A1", "A2", "A3"] {
        let p = db
            .store
            .create_proposal(
                o.desa.scope,
                &ctx(&o.desa, when, &zones),
                &deceased(id, "32.76.01.1006"),
            )
            .await
            .unwrap();
        ps.push(p);
    }
    let c = ctx(&o.desa, when, &zones);
    // One proposal at a version the page no longer shows: nothing changes.
    let items = [
        (ps[0].proposal_id, 1),
        (ps[1].proposal_id, 1),
        (ps[2].proposal_id, 2),
    ];
    let e = db
        .store
        .take_proposal_steps(o.desa.scope, &c, &items, &Action::Submit)
        .await
        .unwrap_err();
    match &e {
        StoreError::InBulk {
            proposal_id,
            source,
        } => {
            assert_eq!(*proposal_id, ps[2].proposal_id);
            assert!(
                matches!(**source, StoreError::Stale { current_version: 1 }),
                "{source}"
            );
        }
        other => panic!("{other}"),
    }
    assert!(
        e.to_string().contains("tidak ada usulan yang diubah"),
        "{e}"
    );
    for p in &ps {
        let now = db
            .store
            .proposal(o.desa.scope, p.proposal_id)
            .await
            .unwrap();
        assert_eq!((now.state, now.version), (ProposalState::Draft, 1));
    }
    let items: Vec<(i64, i64)> = ps.iter().map(|p| (p.proposal_id, 1)).collect();
    let done = db
        .store
        .take_proposal_steps(o.desa.scope, &c, &items, &Action::Submit)
        .await
        .unwrap();
    assert!(
        done.iter()
            .all(|p| p.state == ProposalState::Diajukan && p.version == 2)
    );
}

/// The same instant lands in different periods in WIB, WITA and WIT; 23:59:59
/// local time on the cut-off day is in the period, 00:00:00 is in the next.
async fn the_cut_off_is_kept_in_each_regions_local_time(db: &TestDb) {
    setup(db).await;
    let jabar = office(&db.store, "32.76.01.1006", "").await;
    let bali = office(&db.store, "51.71.01.1001", "bali").await;
    let papua = office(&db.store, "91.71.01.1001", "papua").await;
    let oct = Period::new(2026, 10);
    let nov = Period::new(2026, 11);
    // 23:59:59 local on 17 October is WIB 16:59:59Z, WITA 15:59:59Z, WIT 14:59:59Z;
    // 16:00:00Z is still 23:00 in Depok but already 00:00 on the 18th in Denpasar.
    let cases = [
        (
            &jabar,
            "A1",
            "32.76.01.1006",
            "2026-10-17T16:59:59Z",
            oct,
            false,
        ),
        (
            &jabar,
            "A2",
            "32.76.01.1006",
            "2026-10-17T17:00:00Z",
            nov,
            true,
        ),
        (
            &jabar,
            "A3",
            "32.76.01.1006",
            "2026-10-17T16:00:00Z",
            oct,
            false,
        ),
        (
            &bali,
            "B1",
            "51.71.01.1001",
            "2026-10-17T15:59:59Z",
            oct,
            false,
        ),
        (
            &bali,
            "B2",
            "51.71.01.1001",
            "2026-10-17T16:00:00Z",
            nov,
            true,
        ),
        (
            &papua,
            "C1",
            "91.71.01.1001",
            "2026-10-17T14:59:59Z",
            oct,
            false,
        ),
        (
            &papua,
            "C2",
            "91.71.01.1001",
            "2026-10-17T15:00:00Z",
            nov,
            true,
        ),
    ];
    for (o, id_art, village, sent_at, period, late) in cases {
        let p = up_to_sent(db, o, id_art, village, sent_at).await;
        assert_eq!(
            (p.period, p.late),
            (period, late),
            "{id_art} sent {sent_at}"
        );
    }
}

async fn a_member_has_one_open_proposal_and_bulk_drafts_are_all_or_nothing(db: &TestDb) {
    setup(db).await;
    let o = office(&db.store, "32.76.01.1006", "").await;
    let zones = ZoneMap::default();
    let c = ctx(&o.desa, "2026-10-04T02:00:00Z", &zones);
    let first = db
        .store
        .create_proposal(o.desa.scope, &c, &deceased("A1", "32.76.01.1006"))
        .await
        .unwrap();
    let e = db
        .store
        .create_proposal(o.desa.scope, &c, &deceased("A1", "32.76.01.1006"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Transition(TransitionError::AlreadyProposed { proposal_id }) if proposal_id == first.proposal_id),
        "{e}"
    );
    // A2 and A3 would be fine, A1 is covered: none is created.
    let news = [
        deceased("A2", "32.76.01.1006"),
        deceased("A1", "32.76.01.1006"),
        deceased("A3", "32.76.01.1006"),
    ];
    let e = db
        .store
        .create_proposals(o.desa.scope, &c, &news)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::InBulkMember { id_art, .. } if id_art == "A1"),
        "{e}"
    );
    let all = db
        .store
        .proposals(o.desa.scope, &ProposalFilter::default(), 50)
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "nothing of the failed bulk remains");
    let open = db.store.open_proposals(o.desa.scope).await.unwrap();
    assert_eq!(open.get("A1"), Some(&first.proposal_id));
    let made = db
        .store
        .create_proposals(o.desa.scope, &c, &news[..1])
        .await
        .unwrap();
    assert_eq!(made.len(), 1);
    // Once finished, the member may get a new proposal.
    let reject = Reason::parse("tidak terbukti meninggal").unwrap();
    let sent = up_to_sent(db, &o, "A3", "32.76.01.1006", "2026-10-05T02:00:00Z").await;
    step(
        db,
        &o.pusdatin,
        "2026-10-06T02:00:00Z",
        &sent,
        Action::Reject(reject),
    )
    .await;
    db.store
        .create_proposal(o.desa.scope, &c, &deceased("A3", "32.76.01.1006"))
        .await
        .unwrap();
}

async fn a_finalised_proposal_changes_the_registry_and_keeps_the_history(db: &TestDb) {
    setup(db).await;
    let o = office(&db.store, "32.76.01.1006", "").await;
    let depok = Scope::Region(code("32.76"));
    // A death: the member stays, inactive from the moment Pusdatin fixed it.
    let sent = up_to_sent(db, &o, "A1", "32.76.01.1006", "2026-10-10T03:00:00Z").await;
    let oct = Period::new(2026, 10).unwrap();
    let done = step(
        db,
        &o.pusdatin,
        "2026-10-20T03:00:00Z",
        &sent,
        Action::Finalise(oct),
    )
    .await;
    let status = db
        .store
        .member_status(depok, "A1")
        .await
        .unwrap()
        .expect("a status");
    assert!(!status.active);
    assert_eq!(status.deactivation_reason.as_deref(), Some("MENINGGAL"));
    assert_eq!(status.proposal_id, Some(done.proposal_id));
    assert!(db.store.member(depok, "A1").await.is_ok(), "never deleted");
    assert_eq!(db.store.member_status(depok, "A2").await.unwrap(), None);

    // A correction: the member's next version, the previous one in the history.
    let zones = ZoneMap::default();
    let when = "2026-10-02T02:00:00Z";
    let mut fix = deceased("A2", "32.76.01.1006");
    fix.change = Change::CorrectFields;
    fix.before = Some(json!({ "nama": "SRI WAHYUNI" }));
    fix.after = json!({ "nama": "SRI WAHYUNINGSIH", "tgl_lahir": "1991-03-04" });
    let p = db
        .store
        .create_proposal(o.desa.scope, &ctx(&o.desa, when, &zones), &fix)
        .await
        .unwrap();
    let p = step(db, &o.desa, when, &p, Action::Submit).await;
    attach_scan(db, &o.desa, &p).await;
    let p = step(db, &o.desa, when, &p, signed()).await;
    let p = step(db, &o.verifier, when, &p, Action::Verify).await;
    let p = step(db, &o.head, when, &p, Action::Approve).await;
    let p = step(db, &o.operator, "2026-10-11T03:00:00Z", &p, Action::Send).await;
    let before = db.store.member(depok, "A2").await.unwrap();
    step(
        db,
        &o.pusdatin,
        "2026-10-20T04:00:00Z",
        &p,
        Action::Finalise(oct),
    )
    .await;
    let after = db.store.member(depok, "A2").await.unwrap();
    assert_eq!(after.person.nama, "SRI WAHYUNINGSIH");
    assert_eq!(after.person.tgl_lahir.to_string(), "1991-03-04");
    assert_eq!(after.version, before.version + 1);
    assert_eq!(
        after.change_reason.as_deref(),
        Some(format!("usulan #{}", p.proposal_id).as_str())
    );
    let history = db.store.person_history(depok, "A2").await.unwrap();
    assert!(
        history.iter().any(|h| h.person.nama == "SRI WAHYUNI"),
        "the previous version is kept"
    );

    // A value that cannot go into the registry is refused when written, drafted or edited.
    let mut bad = deceased("A3", "32.76.01.1006");
    bad.change = Change::CorrectFields;
    bad.after = json!({ "tgl_lahir": "31/02/1990" });
    let e = db
        .store
        .create_proposal(o.desa.scope, &ctx(&o.desa, when, &zones), &bad)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Transition(TransitionError::ValueRejected(v)) if v.field == "tgl_lahir"),
        "{e}"
    );
    bad.after = json!({ "tgl_lahir": "1990-02-28" });
    let p = db
        .store
        .create_proposal(o.desa.scope, &ctx(&o.desa, when, &zones), &bad)
        .await
        .unwrap();
    let e = db
        .store
        .edit_proposal(
            o.desa.scope,
            &ctx(&o.desa, when, &zones),
            p.proposal_id,
            p.version,
            &json!({ "jenis_kelamin": "X" }),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Transition(TransitionError::ValueRejected(_))),
        "{e}"
    );
    let still = db
        .store
        .proposal(Scope::National, p.proposal_id)
        .await
        .unwrap();
    assert_eq!(
        (still.version, still.after),
        (1, json!({ "tgl_lahir": "1990-02-28" }))
    );
}

/// An instant `hours` from now, as the step contexts take it (imports are stamped with the real clock).
pub(crate) fn later(hours: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(hours)).to_rfc3339()
}

async fn a_period_snapshot_is_the_registry_replayed_to_its_instant(db: &TestDb) {
    setup(db).await;
    let o = office(&db.store, "32.76.01.1006", "").await;
    let national = Scope::National;
    let pusdatin = Actor {
        app_user_id: o.pusdatin.app_user_id,
        username: o.pusdatin.username.clone(),
        ip: "10.0.0.1".into(),
    };
    let zone = ZoneMap::default().zone(code("32.76")).unwrap();
    let t1 = at(&later(1));
    let p1 = CutOff::default().period_of(t1, zone);
    let first = db.store.finalise_period(&pusdatin, p1, t1).await.unwrap();
    assert_eq!(first.people, people().len() as i64);
    let e = db
        .store
        .finalise_period(&pusdatin, p1, t1)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e}");
    let before = db.store.load_registry(national).await.unwrap();

    // Two changes fixed into the next period: a death and a correction.
    let p2 = p1.next();
    let zones = ZoneMap::default();
    let walk = |id_art: &'static str, fix: Option<serde_json::Value>| {
        let o = &o;
        let zones = &zones;
        async move {
            let mut new = deceased(id_art, "32.76.01.1006");
            if let Some(after) = fix {
                new.change = Change::CorrectFields;
                new.after = after;
            }
            let when = later(2);
            let p = db
                .store
                .create_proposal(o.desa.scope, &ctx(&o.desa, &when, zones), &new)
                .await
                .unwrap();
            let p = step(db, &o.desa, &when, &p, Action::Submit).await;
            attach_scan(db, &o.desa, &p).await;
            let p = step(db, &o.desa, &when, &p, signed()).await;
            let p = step(db, &o.verifier, &when, &p, Action::Verify).await;
            let p = step(db, &o.head, &when, &p, Action::Approve).await;
            let p = step(db, &o.operator, &when, &p, Action::Send).await;
            // Nothing is fixed into a period already finalised.
            let e = db
                .store
                .take_proposal_step(
                    Scope::National,
                    &ctx(&o.pusdatin, &later(3), zones),
                    p.proposal_id,
                    p.version,
                    &Action::Finalise(p1),
                )
                .await
                .unwrap_err();
            assert!(
                matches!(
                    e,
                    StoreError::Transition(
                        TransitionError::PeriodClosed { .. }
                            | TransitionError::PeriodBeforeSending { .. }
                    )
                ),
                "{e}"
            );
            step(db, &o.pusdatin, &later(3), &p, Action::Finalise(p1.next())).await
        }
    };
    walk("A1", None).await;
    let fix = json!({ "nama": "SRI WAHYUNINGSIH" });
    walk("A2", Some(fix.clone())).await;
    let t2 = at(&later(4));
    let second = db.store.finalise_period(&pusdatin, p2, t2).await.unwrap();
    assert_eq!(second.people, people().len() as i64 - 1);

    let snapshot = |period| async move {
        let mut rows = Vec::new();
        db.store
            .export_period(national, period, |r| {
                rows.push(r);
                Ok::<_, StoreError>(())
            })
            .await
            .unwrap();
        rows
    };
    // As of the first period: exactly the registry before the changes.
    let s1 = snapshot(p1).await;
    assert_eq!(
        s1.iter().map(|r| r.person.clone()).collect::<Vec<_>>(),
        before
    );
    // As of the second: the first, replayed with the changes fixed in between.
    let mut replayed: Vec<RegistryPerson> = before
        .iter()
        .filter(|p| p.id_art != "A1")
        .cloned()
        .collect();
    for p in &mut replayed {
        if p.id_art == "A2" {
            let fields = std::collections::BTreeMap::from([(
                "nama".to_string(),
                "SRI WAHYUNINGSIH".to_string(),
            )]);
            *p = padu_core::apply_fields(p, &fields, t2.date_naive()).unwrap();
        }
    }
    let s2 = snapshot(p2).await;
    assert_eq!(
        s2.iter().map(|r| r.person.clone()).collect::<Vec<_>>(),
        replayed
    );
    let a2 = s2.iter().find(|r| r.person.id_art == "A2").unwrap();
    assert_eq!(a2.version, 2);
    let a3 = s2.iter().find(|r| r.person.id_art == "A3").unwrap();
    assert!(
        a3.valid_from <= first.finalised_at,
        "unchanged since before the first period"
    );
    assert_eq!(
        (a3.since, a2.since),
        (Some(p1), Some(p2)),
        "unchanged since which period"
    );
    // Later changes do not move an earlier snapshot.
    assert_eq!(snapshot(p1).await, s1);

    let diff = db.store.period_diff(national, p1, p2).await.unwrap();
    let lines: Vec<(String, Option<String>, String, i64)> = diff
        .into_iter()
        .map(|d| (d.change, d.reason, d.kabupaten, d.count))
        .collect();
    assert_eq!(
        lines,
        [
            ("BERUBAH".to_string(), None, "3276".to_string(), 1),
            (
                "NONAKTIF".to_string(),
                Some("MENINGGAL".to_string()),
                "3276".to_string(),
                1
            ),
        ]
    );
    // Scoped: Bali sees nothing of Depok's changes.
    assert!(
        db.store
            .period_diff(Scope::Region(code("51")), p1, p2)
            .await
            .unwrap()
            .is_empty()
    );
}

contract!(
    a_period_snapshot_is_the_registry_replayed_to_its_instant,
    a_finalised_proposal_changes_the_registry_and_keeps_the_history,
    a_member_has_one_open_proposal_and_bulk_drafts_are_all_or_nothing,
    a_proposal_walks_from_the_village_to_a_period,
    a_returned_proposal_is_corrected_and_goes_through_the_village_again,
    two_people_acting_on_one_version_conflict_and_the_second_changes_nothing,
    the_workflow_refuses_wrong_roles_states_regions_and_periods,
    a_bulk_step_changes_all_proposals_or_none,
    the_cut_off_is_kept_in_each_regions_local_time,
);
