//! The offline round trip over HTTP: a village operator downloads the
//! village's workbook, fills it in as Excel would save it, and uploads it;
//! good rows become draft proposals, bad rows are named `Anggota:row:column`,
//! nothing is written while an error stands unless the operator keeps the
//! good rows, and uploading the same workbook again creates nothing new.

use padu_core::RegistryPerson;
use padu_testkit::sheet::{Edit, Typed, column, fill_in, text};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{Backend, TestServer};

both_backends!(an_offline_workbook_goes_out_and_comes_back_as_proposals);

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn edit<'a>(row_key: &'a str, column: &'a str, value: Typed) -> Edit<'a> {
    Edit {
        sheet: "Anggota",
        row_key,
        column,
        value,
    }
}

/// The Excel row (header is row 1) of a member in the downloaded workbook.
fn row_of(book: &[u8], id_art: &str) -> usize {
    column(book, "Anggota", "id_art")
        .iter()
        .position(|c| c == id_art)
        .expect("the member is in the workbook")
        + 2
}

fn messages(outcome: &Value) -> Vec<String> {
    outcome["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect()
}

async fn an_offline_workbook_goes_out_and_comes_back_as_proposals(backend: Backend) {
    let server = TestServer::start(backend).await;
    let village = server.sample.focus_village();
    let compact = village.replace('.', "");
    let desa = server.sign_in("desa").await;

    // The download: every member of the village, nobody else.
    let (s, kind, book) = desa.get_bytes("/api/v1/workbook").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(kind, XLSX);
    let mut listed = column(&book, "Anggota", "id_art");
    listed.sort();
    let mut expected: Vec<String> = server
        .sample
        .in_village(&village)
        .map(|(p, _)| p.id_art.to_string())
        .collect();
    expected.sort();
    assert_eq!(listed, expected);
    let (_, _, page_book) = desa.get_bytes("/usulan/lembar-kerja/unduh").await;
    assert_eq!(
        column(&page_book, "Anggota", "id_art").len(),
        expected.len(),
        "the page serves the same workbook"
    );

    // Who gets which correction.
    let suggested: &RegistryPerson = server
        .sample
        .in_village(&village)
        .find(|(_, r)| padu_core::suggest(r).is_some())
        .map(|(p, _)| p)
        .expect("a finding with a suggestion in the village");
    let clean: Vec<&RegistryPerson> = server
        .sample
        .in_village(&village)
        .map(|(p, _)| p)
        .filter(|p| p.id_art != suggested.id_art)
        .take(4)
        .collect();
    let [renamed, leaving, bad_date, typed_over] = clean[..] else {
        panic!("five members in {village}")
    };
    let new_name = format!("{} SAPUTRA", renamed.nama);
    let filled = fill_in(
        &book,
        &[
            edit(&suggested.id_art, "ikuti_saran", text("YA")),
            edit(&renamed.id_art, "baru_nama", text(&new_name)),
            edit(&renamed.id_art, "catatan", text("Sesuai KTP-el")),
            edit(&leaving.id_art, "alasan_nonaktif", text("TIDAK_LAYAK")),
            edit(&bad_date.id_art, "baru_tgl_lahir", text("31-02-1990")),
            // A correction typed over the grey column instead of baru_nama.
            edit(&typed_over.id_art, "nama", text("NAMA BARU")),
            edit(&typed_over.id_art, "catatan", text("nama salah")),
        ],
    );
    let (_, before) = desa.get_json("/api/v1/proposals").await;
    let drafts_before = before.as_array().unwrap().len();

    // All or nothing: two bad rows, nothing written.
    let (s, out) = desa
        .post_bytes("/api/v1/workbook?name=desa.xlsx", filled.clone())
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    assert_eq!(out["saved"], false);
    assert_eq!(out["filled_rows"], 5);
    let m = messages(&out);
    assert_eq!(m.len(), 3, "{m:#?}");
    let date_row = row_of(&book, &bad_date.id_art);
    let typed_row = row_of(&book, &typed_over.id_art);
    assert!(
        m.iter()
            .any(|x| x.starts_with(&format!("Anggota:{date_row}:baru_tgl_lahir: "))),
        "{m:#?}"
    );
    assert!(
        m.iter().any(|x| x.starts_with(&format!(
            "Anggota:{typed_row}:nama: kolom nama diubah langsung"
        ))),
        "{m:#?}"
    );
    assert!(
        m.iter()
            .any(|x| x.starts_with(&format!("Anggota:{typed_row}:jenis_usulan: "))),
        "a note alone proposes nothing: {m:#?}"
    );
    let (_, after) = desa.get_json("/api/v1/proposals").await;
    assert_eq!(after.as_array().unwrap().len(), drafts_before);

    // Keeping the good rows: three drafts.
    let (s, out) = desa
        .post_bytes("/api/v1/workbook?keep_good_rows=true", filled.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert_eq!(out["saved"], true);
    let created = out["created"].as_array().unwrap();
    assert_eq!(created.len(), 3, "{out}");
    assert_eq!(messages(&out).len(), 3);
    let id_of = |id_art: &str| {
        created
            .iter()
            .find(|c| c["id_art"] == id_art)
            .and_then(|c| c["proposal_id"].as_i64())
            .unwrap_or_else(|| panic!("no proposal for {id_art}: {out}"))
    };
    let (_, p) = desa
        .get_json(&format!("/api/v1/proposals/{}", id_of(&renamed.id_art)))
        .await;
    let p = &p["proposal"];
    assert_eq!(p["state"], "DRAFT");
    assert_eq!(p["kind"], "UBAH_DATA");
    assert_eq!(p["after"]["nama"], new_name.as_str());
    assert_eq!(p["before"]["nama"], renamed.nama.as_str());
    assert!(
        p["note"].as_str().unwrap().starts_with("Sesuai KTP-el"),
        "{p}"
    );
    let (_, p) = desa
        .get_json(&format!("/api/v1/proposals/{}", id_of(&leaving.id_art)))
        .await;
    assert_eq!(p["proposal"]["kind"], "NONAKTIF");
    assert_eq!(p["proposal"]["deactivation_reason"], "TIDAK_LAYAK");
    let suggestion = padu_core::suggest(
        server
            .sample
            .in_village(&village)
            .find(|(p, _)| p.id_art == suggested.id_art)
            .map(|(_, r)| r)
            .unwrap(),
    )
    .unwrap();
    let (_, p) = desa
        .get_json(&format!("/api/v1/proposals/{}", id_of(&suggested.id_art)))
        .await;
    assert_eq!(p["proposal"]["kind"], suggestion.change.kind().as_str());

    // The same workbook again: nothing new, each row says why.
    let (s, again) = desa
        .post_bytes("/api/v1/workbook?keep_good_rows=true", filled.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["created"].as_array().unwrap().len(), 0, "{again}");
    let skipped = again["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 3, "{again}");
    assert!(
        skipped
            .iter()
            .all(|s| s["why"].as_str().unwrap().starts_with("sudah diusulkan")),
        "{again}"
    );

    // The corrected rows through the page's upload form.
    let fixed = fill_in(
        &filled,
        &[
            edit(
                &bad_date.id_art,
                "baru_tgl_lahir",
                Typed::Date(padu_testkit::ymd(1990, 2, 28)),
            ),
            edit(&typed_over.id_art, "nama", text(&typed_over.nama)),
            edit(&typed_over.id_art, "baru_nama", text("NAMA BARU")),
        ],
    );
    let (s, page) = desa
        .post_file("/usulan/lembar-kerja/unggah", &[], "desa.xlsx", fixed)
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("2 usulan DRAFT dibuat, 3 baris dilewati"),
        "{page}"
    );
    let (_, after) = desa.get_json("/api/v1/proposals").await;
    assert_eq!(after.as_array().unwrap().len(), drafts_before + 5);

    // Errors on the page read as the operator finds them in Excel.
    let outsider = server.sample.outside(&village);
    let foreign = fill_in(
        &book,
        &[
            edit(&renamed.id_art, "id_art", text(&outsider.id_art)),
            edit(&renamed.id_art, "baru_alamat", text("JL. LAIN")),
        ],
    );
    let (s, page) = desa
        .post_file("/usulan/lembar-kerja/unggah", &[], "desa.xlsx", foreign)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let row = row_of(&book, &renamed.id_art);
    assert!(
        page.contains(&format!(
            "Anggota:{row}:id_art: anggota {} tidak ada di wilayah Anda",
            outsider.id_art
        )),
        "{page}"
    );
    let (s, page) = desa
        .post_file(
            "/usulan/lembar-kerja/unggah",
            &[],
            "foto.png",
            b"\x89PNG....".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("foto.png: bukan lembar kerja"), "{page}");

    // Scope: another village's workbook is not found; the regency office
    // names a village, and may not draft.
    let other = server
        .sample
        .villages()
        .into_iter()
        .find(|v| *v != village)
        .unwrap()
        .replace('.', "");
    let (s, _, _) = desa
        .get_bytes(&format!("/api/v1/workbook?wilayah={other}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let dinsos = server.sign_in("dinsos").await;
    let (s, _, body) = dinsos.get_bytes("/api/v1/workbook").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&body).contains("Pilih desa/kelurahan"));
    let (s, kind, other_book) = dinsos
        .get_bytes(&format!("/api/v1/workbook?wilayah={other}"))
        .await;
    assert_eq!((s, kind.as_str()), (StatusCode::OK, XLSX));
    assert!(!column(&other_book, "Anggota", "id_art").is_empty());
    let (s, _) = dinsos.post_bytes("/api/v1/workbook", book.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = desa
        .get_bytes(&format!("/api/v1/workbook?wilayah={compact}"))
        .await;
    assert_eq!(s, StatusCode::OK);

    // Both downloads and every upload are in the audit trail.
    let (_, audit) = server
        .sign_in("admin")
        .await
        .get_json("/api/v1/audit")
        .await;
    let n = audit
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["action"] == "workbook.upload")
                .count()
        })
        .unwrap_or_default();
    assert!(n >= 5, "{audit}");
    server.stop().await;
}
