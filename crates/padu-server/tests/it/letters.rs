//! Letters to villages over HTTP: the Dinsos operator writes a numbered
//! letter to two villages on the page; each village's records are attached
//! from its findings (a direct count), the PDF carries the number, the
//! records and the office's contacts (read back with pdftotext, rendered with
//! pdftoppm), the village sees the letter on its home page with its own line
//! only, and its progress moves when it proposes.

use std::process::Command;

use chrono::{Duration, Utc};
use padu_core::Action;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Backend, TestServer};

both_backends!(a_letter_goes_to_villages_and_tracks_their_records);

/// The text of a PDF, as pdftotext reads it (poppler-utils; installed by scripts/ensure-chromium.sh).
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("surat.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) runs; tests never skip");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Render the first page too: a PDF that poppler cannot draw fails here.
    let png = dir.path().join("halaman");
    let drawn = Command::new("pdftoppm")
        .args([
            "-r",
            "40",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            path.to_str().unwrap(),
            png.to_str().unwrap(),
        ])
        .status()
        .expect("pdftoppm runs");
    assert!(drawn.success(), "pdftoppm draws the first page");
    String::from_utf8(out.stdout).unwrap()
}

async fn a_letter_goes_to_villages_and_tracks_their_records(backend: Backend) {
    let server = TestServer::start(backend).await;
    let village = server.sample.focus_village();
    let compact = village.replace('.', "");
    let other = server
        .sample
        .villages()
        .into_iter()
        .find(|v| {
            *v != village
                && server
                    .sample
                    .in_village(v)
                    .any(|(_, r)| r.tindakan != Action::Tetap)
        })
        .unwrap();
    let other_compact = other.replace('.', "");
    let asked = |v: &str| {
        server
            .sample
            .in_village(v)
            .filter(|(_, r)| r.tindakan != Action::Tetap)
            .count() as i64
    };
    let dinsos = server.sign_in("dinsos").await;
    let (s, form) = dinsos.get("/surat/baru").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        form.contains(&format!("value=\"{compact}\"")),
        "the village is offered"
    );
    let deadline = (Utc::now() + Duration::days(7))
        .format("%d-%m-%Y")
        .to_string();
    let (s, to) = dinsos
        .post_form(
            "/surat",
            &[
                ("classification", "400.9"),
                ("letter_date", ""),
                ("subject", "Percepatan perbaikan data DTKS"),
                (
                    "body",
                    "Mohon perbaiki data terlampir paling lambat {batas_waktu}.",
                ),
                ("deadline", &deadline),
                ("signatory_name", "Dra. SITI AMINAH"),
                ("signatory_title", "Kepala Dinas Sosial"),
                ("signatory_id", "19700101 199003 2 001"),
                ("villages", &compact),
                ("villages", &other_compact),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    let id: i64 = to
        .trim_start_matches("/surat/")
        .trim_end_matches("?dibuat=1")
        .parse()
        .unwrap();
    let (_, l) = dinsos.get_json(&format!("/api/v1/letters/{id}")).await;
    let number = l["number"].as_str().unwrap().to_string();
    assert!(number.starts_with("400.9/001/Dinsos/"), "{number}");
    assert!(
        l["body"].as_str().unwrap().contains("pukul 23.59 WIB"),
        "{l}"
    );
    let line = |l: &serde_json::Value, v: &str| {
        l["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kode_wilayah"] == v)
            .cloned()
    };
    assert_eq!(line(&l, &compact).unwrap()["items"], asked(&village));
    assert_eq!(line(&l, &other_compact).unwrap()["items"], asked(&other));
    assert_eq!(line(&l, &compact).unwrap()["resolved"], 0);

    // The PDF: number, both villages' attachments, a member's name, the contacts.
    let (s, kind, pdf) = dinsos.get_bytes(&format!("/surat/{id}/pdf")).await;
    assert_eq!((s, kind.as_str()), (StatusCode::OK, "application/pdf"));
    let text = pdf_text(&pdf);
    assert!(text.contains(&number), "{text}");
    assert_eq!(text.matches("Lampiran Surat Nomor").count(), 2, "{text}");
    let someone = server
        .sample
        .in_village(&village)
        .find(|(_, r)| r.tindakan != Action::Tetap)
        .map(|(p, _)| p)
        .unwrap();
    assert!(text.contains(someone.id_art.as_str()), "{text}");
    assert!(
        text.contains("Narahubung Dinas Sosial") && text.contains("0812-0000-0000"),
        "{text}"
    );

    // The village: the letter on its home page, its own line and attachment only.
    let desa = server.sign_in("desa").await;
    let (_, home) = desa.get("/").await;
    assert!(
        home.contains("home-letters") && home.contains(&number),
        "{home}"
    );
    let (_, own) = desa.get_json(&format!("/api/v1/letters/{id}")).await;
    assert_eq!(own["recipients"].as_array().unwrap().len(), 1, "{own}");
    let (_, _, own_pdf) = desa.get_bytes(&format!("/api/v1/letters/{id}/pdf")).await;
    let own_text = pdf_text(&own_pdf);
    assert_eq!(own_text.matches("Lampiran Surat Nomor").count(), 1);
    let (_, items) = desa
        .get_json(&format!(
            "/api/v1/letters/{id}/items?wilayah={other_compact}"
        ))
        .await;
    assert_eq!(
        items,
        json!([]),
        "another village's records are not the village's to read"
    );

    // The village proposes for one record: under way on the letter.
    let (_, items) = desa
        .get_json(&format!("/api/v1/letters/{id}/items?wilayah={compact}"))
        .await;
    let first = items[0]["id_art"].as_str().unwrap().to_string();
    let (s, p) = desa
        .post_json(
            &format!("/api/v1/members/{first}/proposals"),
            &json!({"kind": "NONAKTIF", "deactivation_reason": "TIDAK_DITEMUKAN", "note": "tidak ditemukan"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (_, l) = dinsos.get_json(&format!("/api/v1/letters/{id}")).await;
    assert_eq!(line(&l, &compact).unwrap()["in_progress"], 1);
    let (_, page) = dinsos.get(&format!("/surat/{id}")).await;
    assert!(
        page.contains(&number) && page.contains("Kemajuan per desa"),
        "{page}"
    );

    // Another regency's office finds nothing, by page, API or PDF.
    let bogor = server
        .sign_in_new("dinsos.bogor", "operator_dinsos", "32.01")
        .await;
    for path in [
        format!("/surat/{id}"),
        format!("/surat/{id}/pdf"),
        format!("/api/v1/letters/{id}"),
        format!("/api/v1/letters/{id}/pdf"),
    ] {
        assert_eq!(bogor.get(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, theirs) = bogor.get_json("/api/v1/letters").await;
    assert_eq!(theirs, json!([]));

    // Only the office writes letters, only to its own villages, and says what is wrong.
    let (s, _) = desa
        .post_json(
            "/api/v1/letters",
            &json!({"subject": "x", "body": "x", "deadline": deadline,
            "signatory_name": "x", "signatory_title": "x", "villages": [compact]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let body = |deadline: &str, villages: Vec<&str>| {
        json!({"subject": "Perihal", "body": "Isi", "deadline": deadline,
            "signatory_name": "A", "signatory_title": "B", "villages": villages})
    };
    let (s, e) = dinsos
        .post_json("/api/v1/letters", &body("01-01-2020", vec![&compact]))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sebelum tanggal surat"),
        "{e}"
    );
    let (s, _) = dinsos
        .post_json("/api/v1/letters", &body(&deadline, vec![]))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = dinsos
        .post_json("/api/v1/letters", &body(&deadline, vec!["3201011001"]))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a village of another regency");
    let (s, second) = dinsos
        .post_json("/api/v1/letters", &body(&deadline, vec![&compact]))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    assert!(
        second["number"].as_str().unwrap().starts_with("400.9/002/"),
        "{second}"
    );
    server.stop().await;
}
