//! Minutes of the village deliberation over HTTP: the village gathers its
//! submitted proposals into minutes, downloads the draft and the BNBA (PDF
//! read back with pdftotext, XLSX with calamine), cannot ratify before the
//! signed scan is uploaded, then ratifies all of them at once; the regency
//! reads the minutes but cannot act on them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::letters::pdf_text;
use crate::support::{Backend, Browser, TestServer};

both_backends!(minutes_ratify_the_proposals_they_list);

/// Drafts a proposal for `id_art` and submits it to the deliberation; returns its number.
pub(crate) async fn submitted(desa: &Browser, id_art: &str, place: &str) -> i64 {
    let (s, p) = desa
        .post_json(
            &format!("/api/v1/members/{id_art}/proposals"),
            &json!({"kind": "UBAH_DATA", "fields": {"tempat_lahir": place}, "note": "sesuai akta"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let (s, p) = desa
        .post_json(
            &format!("/api/v1/proposals/{id}/steps"),
            &json!({"step": "submit", "version": p["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    id
}

async fn state(b: &Browser, id: i64) -> String {
    let (_, p) = b.get_json(&format!("/api/v1/proposals/{id}")).await;
    p["proposal"]["state"].as_str().unwrap().to_string()
}

async fn minutes_ratify_the_proposals_they_list(backend: Backend) {
    let server = TestServer::start(backend).await;
    let village = server.sample.focus_village();
    let people: Vec<_> = server
        .sample
        .in_village(&village)
        .map(|(p, _)| p.clone())
        .take(2)
        .collect();
    let desa = server.sign_in("desa").await;
    let a = submitted(&desa, &people[0].id_art, "KOTA BOGOR").await;
    let b = submitted(&desa, &people[1].id_art, "KABUPATEN BOGOR").await;

    let (s, form) = desa.get("/berita-acara/baru").await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains(&format!("value=\"{a}\"")) && form.contains(&format!("value=\"{b}\"")));
    let fields = |number: &str| -> Vec<(&str, String)> {
        vec![
            ("kind", "MUSDES".into()),
            ("number", number.into()),
            ("held_on", "01-12-2026".into()),
            ("place", "Balai Desa".into()),
            (
                "attendees",
                "H. UJANG — Kepala Desa\nSITI — Ketua BPD\nAHMAD — Pendamping PKH".into(),
            ),
            (
                "signatories",
                "H. UJANG — Kepala Desa\nSITI — Ketua BPD".into(),
            ),
            ("note", String::new()),
            ("proposals", a.to_string()),
            ("proposals", b.to_string()),
        ]
    };
    let f = fields("140/12/BA-MUSDES/XII/2026");
    let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, to) = desa.post_form("/berita-acara", &refs).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    let id: i64 = to
        .trim_start_matches("/berita-acara/")
        .trim_end_matches("?ok=create")
        .parse()
        .unwrap();
    // The same number again is refused with a message, not a crash.
    let (s, page) = desa.post_form("/berita-acara", &refs).await;
    assert_eq!(s, StatusCode::CONFLICT, "{page}");

    // The draft minutes and the BNBA.
    let (s, kind, pdf) = desa
        .get_bytes(&format!("/berita-acara/{id}/dokumen/draf.pdf"))
        .await;
    assert_eq!((s, kind.as_str()), (StatusCode::OK, "application/pdf"));
    let text = pdf_text(&pdf);
    for want in [
        "BERITA ACARA MUSYAWARAH DESA",
        "140/12/BA-MUSDES/XII/2026",
        "Daftar hadir",
        "Pendamping PKH",
        "H. UJANG",
        people[0].nama.as_str(),
        people[1].nama.as_str(),
        "KABUPATEN BOGOR",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    let (_, _, bnba) = desa
        .get_bytes(&format!("/berita-acara/{id}/dokumen/bnba.pdf"))
        .await;
    assert!(pdf_text(&bnba).contains(people[1].id_art.as_str()));
    let (_, kind, xlsx) = desa
        .get_bytes(&format!("/berita-acara/{id}/dokumen/bnba.xlsx"))
        .await;
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let ids = padu_testkit::sheet::column(&xlsx, "BNBA", "id_art");
    assert_eq!(ids.len(), 2);
    assert!(
        ids.contains(&people[0].id_art.to_string()) && ids.contains(&people[1].id_art.to_string())
    );

    // No ratification before the signed scan; then both at once.
    let (s, page) = desa
        .post_form(&format!("/berita-acara/{id}/sahkan"), &[])
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("pindaian"), "says what is missing: {page}");
    assert_eq!(state(&desa, a).await, "DIAJUKAN");
    let (s, to) = desa
        .post_file(
            &format!("/berita-acara/{id}/pindaian"),
            &[],
            "berita-acara-ttd.pdf",
            b"%PDF-1.4\n% berita acara bertanda tangan\n%%EOF\n".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    let (s, _, scan) = desa
        .get_bytes(&format!("/berita-acara/{id}/pindaian"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(scan.starts_with(b"%PDF"));
    let dinsos = server.sign_in("dinsos").await;
    let (s, page) = dinsos.get(&format!("/berita-acara/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("140/12/BA-MUSDES/XII/2026"));
    let (s, _) = dinsos
        .post_form(&format!("/berita-acara/{id}/sahkan"), &[])
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "the regency reads, the village ratifies"
    );
    // Another village's operator finds nothing, by page, API or document, and cannot act.
    let other = server
        .sample
        .villages()
        .into_iter()
        .find(|v| *v != village)
        .unwrap();
    let neighbour = server
        .sign_in_new("desa.lain", "operator_desa", &other)
        .await;
    for path in [
        format!("/berita-acara/{id}"),
        format!("/berita-acara/{id}/pindaian"),
        format!("/berita-acara/{id}/dokumen/draf.pdf"),
        format!("/api/v1/minutes/{id}"),
        format!("/api/v1/minutes/{id}/documents/bnba.xlsx"),
    ] {
        assert_eq!(
            neighbour.get(&path).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let (s, _) = neighbour
        .post_form(&format!("/berita-acara/{id}/sahkan"), &[])
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = neighbour
        .post_bytes(
            &format!("/api/v1/minutes/{id}/scan"),
            b"%PDF-1.4\n%%EOF\n".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, to) = desa
        .post_form(&format!("/berita-acara/{id}/sahkan"), &[])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    assert_eq!(state(&desa, a).await, "DISAHKAN_DESA");
    assert_eq!(state(&desa, b).await, "DISAHKAN_DESA");
    let (_, p): (StatusCode, Value) = desa.get_json(&format!("/api/v1/proposals/{a}")).await;
    assert!(
        p["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["step"] == "ratify"),
        "the timeline shows the ratification: {p}"
    );

    // The same through the API: the list, one, and nothing left to ratify.
    let (_, list) = desa.get_json("/api/v1/minutes").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let (_, m) = desa.get_json(&format!("/api/v1/minutes/{id}")).await;
    assert_eq!(m["proposals"], json!([a, b]));
    assert_eq!(m["scan_file_name"], "berita-acara-ttd.pdf");
    let (s, e) = desa
        .post_json(&format!("/api/v1/minutes/{id}/ratify"), &json!({}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = desa
        .post_json(
            "/api/v1/minutes",
            &json!({"kind": "SPTJM", "number": "2/SPTJM/2026", "held_on": "2026-12-01",
                "place": "Kantor Desa", "attendees": "", "signatories": "H. UJANG — Kepala Desa",
                "proposals": [a]}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "a ratified proposal cannot be gathered again: {e}"
    );
    let (s, _, d) = desa
        .get_bytes(&format!("/api/v1/minutes/{id}/documents/draft.pdf"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(d.starts_with(b"%PDF"));
    server.stop().await;
}
