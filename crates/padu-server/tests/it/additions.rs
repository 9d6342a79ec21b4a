//! Additions over HTTP: the village proposes a newborn in a household (the
//! page form) and a new household (the API); a missing required value is
//! named; the regency cannot propose; the newborn, walked through the
//! workflow and finalised, is a new member of the household.

use reqwest::StatusCode;
use serde_json::json;

use crate::proposals::{api_step, walk_to_sent};
use crate::support::{Backend, TestServer};

both_backends!(a_newborn_and_a_new_household_are_proposed_and_added);

async fn a_newborn_and_a_new_household_are_proposed_and_added(backend: Backend) {
    let server = TestServer::start(backend).await;
    let village = server.sample.focus_village();
    let home = server
        .sample
        .in_village(&village)
        .find_map(|(p, _)| p.id_keluarga.clone())
        .expect("a household in the village");
    let desa = server.sign_in("desa").await;
    let (s, form) = desa.get(&format!("/keluarga/{home}/usulan-anggota")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("addition-form"), "{form}");
    let (_, page) = desa.get(&format!("/keluarga/{home}")).await;
    assert!(
        page.contains("propose-member"),
        "the household links the form"
    );

    let mut fields = vec![
        ("jenis_kelamin", "P"),
        ("tgl_lahir", "01-08-2026"),
        ("tempat_lahir", "DEPOK"),
        ("hubungan_keluarga", "ANAK"),
        ("note", "Lahir 1 Agustus 2026, akta kelahiran terlampir."),
    ];
    let (s, page) = desa
        .post_form(&format!("/keluarga/{home}/usulan-anggota"), &fields)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("nama"), "names the missing value: {page}");
    fields.push(("nama", "PUTRI AYU"));
    let (s, to) = desa
        .post_form(&format!("/keluarga/{home}/usulan-anggota"), &fields)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    let id: i64 = to
        .trim_start_matches("/usulan/")
        .trim_end_matches("?ok=create")
        .parse()
        .unwrap();
    let (_, p) = desa.get_json(&format!("/api/v1/proposals/{id}")).await;
    assert_eq!(p["proposal"]["kind"], "TAMBAH_ART");
    assert_eq!(p["proposal"]["id_keluarga"], home.as_str());
    assert_eq!(p["proposal"]["after"]["nama"], "PUTRI AYU");

    let (s, h) = desa
        .post_json(
            "/api/v1/additions",
            &json!({"kind": "TAMBAH_KELUARGA", "fields": {"nama": "JOKO PRANOTO", "jenis_kelamin": "L",
                "tgl_lahir": "1985-05-05", "no_kk": "3276010505200009", "alamat": "JL. KENANGA 7",
                "rt": "003", "rw": "004"}, "note": "pindah datang dari Bogor"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    assert_eq!(h["kind"], "TAMBAH_KELUARGA");
    // Another village's household is not the village's to add to.
    let theirs = server
        .sample
        .outside(&village)
        .id_keluarga
        .clone()
        .expect("a household elsewhere");
    assert_eq!(
        desa.get(&format!("/keluarga/{theirs}/usulan-anggota"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (s, _) = desa
        .post_json(
            "/api/v1/additions",
            &json!({"kind": "TAMBAH_ART", "id_keluarga": theirs, "fields": {"nama": "X",
                "jenis_kelamin": "L", "tgl_lahir": "2026-01-01"}, "note": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let dinsos = server.sign_in("dinsos").await;
    let (s, _) = dinsos
        .post_json(
            "/api/v1/additions",
            &json!({"kind": "TAMBAH_ART", "id_keluarga": home, "fields": {"nama": "X"}, "note": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The newborn through the workflow into the registry.
    walk_to_sent(&server, &desa, id).await;
    let (_, sent) = desa.get_json(&format!("/api/v1/proposals/{id}")).await;
    let period = sent["proposal"]["period"].as_str().unwrap().to_string();
    let pusdatin = server.sign_in("pusdatin").await;
    let (s, e) = api_step(&pusdatin, id, json!({"step": "finalise", "period": period})).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let new_id = format!("ARTU{id:09}");
    let (s, m) = desa.get_json(&format!("/api/v1/members/{new_id}")).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let (_, page) = desa.get(&format!("/keluarga/{home}")).await;
    assert!(
        page.contains("PUTRI AYU"),
        "the household lists the newborn"
    );
    server.stop().await;
}
