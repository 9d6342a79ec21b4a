//! Proposals over HTTP: a village operator drafts one from a member's page,
//! attaches the signed minutes and ratifies it; Dinsos verifies, approves and
//! sends it; Pusdatin fixes it into the period of the region's local clock.
//! A second one is returned, corrected and resubmitted through the API, and
//! bulk steps are all or nothing.

use padu_core::{CutOff, ZoneMap};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Backend, Browser, TestServer};

both_backends!(a_proposal_goes_from_the_village_to_pusdatin);

const SCAN: &[u8] = b"%PDF-1.4\n% berita acara musyawarah desa, bertanda tangan\n%%EOF\n";

/// The proposal's number from a redirect to `/usulan/{id}?...`.
fn id_from(location: &str) -> i64 {
    location
        .trim_start_matches("/usulan/")
        .split('?')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a proposal redirect: {location}"))
}

async fn version(b: &Browser, id: i64) -> i64 {
    let (s, d) = b.get_json(&format!("/api/v1/proposals/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["proposal"]["version"].as_i64().expect("version")
}

async fn state(b: &Browser, id: i64) -> String {
    let (_, d) = b.get_json(&format!("/api/v1/proposals/{id}")).await;
    d["proposal"]["state"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Takes `step` through the page's form at the current version.
async fn page_step(
    b: &Browser,
    id: i64,
    step: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, String) {
    let v = version(b, id).await.to_string();
    let mut fields = vec![("step", step), ("version", v.as_str())];
    fields.extend_from_slice(extra);
    b.post_form(&format!("/usulan/{id}/langkah"), &fields).await
}

/// Takes `step` through the API at the current version.
/// Takes a drafted proposal through the API up to DIKIRIM_PUSDATIN: the
/// village submits, attaches the signed scan and ratifies; the verifier,
/// the head of office and the operator take their steps.
pub(crate) async fn walk_to_sent(server: &TestServer, desa: &Browser, id: i64) {
    assert_eq!(
        api_step(desa, id, json!({"step": "submit"})).await.0,
        StatusCode::OK
    );
    let (s, _) = desa
        .post_bytes(
            &format!("/api/v1/proposals/{id}/attachments"),
            SCAN.to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        api_step(desa, id, json!({"step": "ratify"})).await.0,
        StatusCode::OK
    );
    for (who, step) in [
        ("verifikator", "verify"),
        ("kepala", "approve"),
        ("dinsos", "send"),
    ] {
        let b = server.sign_in(who).await;
        let (s, e) = api_step(&b, id, json!({"step": step})).await;
        assert_eq!(s, StatusCode::OK, "{who} {step}: {e}");
    }
}

pub(crate) async fn api_step(b: &Browser, id: i64, body: Value) -> (StatusCode, Value) {
    let mut body = body;
    body["version"] = json!(version(b, id).await);
    b.post_json(&format!("/api/v1/proposals/{id}/steps"), &body)
        .await
}

async fn a_proposal_goes_from_the_village_to_pusdatin(backend: Backend) {
    let server = TestServer::start(backend).await;
    let village = server.sample.focus_village();
    let members: Vec<String> = server
        .sample
        .in_village(&village)
        .map(|(p, _)| p.id_art.to_string())
        .take(3)
        .collect();
    assert_eq!(members.len(), 3, "three members in the focus village");
    let desa = server.sign_in("desa").await;

    // Drafted from the member's page.
    let (s, html) = desa.get(&format!("/anggota/{}", members[0])).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("/anggota/{}/usulan", members[0])),
        "a link to propose"
    );
    let (s, to) = desa
        .post_form(
            &format!("/anggota/{}/usulan", members[0]),
            &[
                ("kind", "NONAKTIF"),
                ("reason", "MENINGGAL"),
                ("tgl_meninggal", "30-09-2026"),
                ("note", "meninggal menurut surat keterangan kelurahan"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    let id = id_from(&to);
    let (_, html) = desa.get(&to).await;
    assert!(html.contains("Usulan tersimpan sebagai draf"), "{html}");
    assert!(html.contains("2026-09-30"), "the date of death, as a date");

    // Submitted to the deliberation; ratifying needs the signed scan first.
    let (s, _) = page_step(&desa, id, "submit", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = page_step(&desa, id, "ratify", &[("document", "MUSDES")]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("lampirkan pindaian"), "says what is missing");
    // A file is judged by its content, not its name.
    let (s, html) = desa
        .post_file(
            &format!("/usulan/{id}/lampiran"),
            &[("purpose", "PINDAIAN_PENGESAHAN")],
            "berita-acara.pdf",
            b"MZ\x90\x00 not a pdf".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("bukan PDF, JPEG atau PNG"), "{html}");
    let (s, to) = desa
        .post_file(
            &format!("/usulan/{id}/lampiran"),
            &[("purpose", "PINDAIAN_PENGESAHAN")],
            "berita-acara.pdf",
            SCAN.to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    let (s, _) = page_step(&desa, id, "ratify", &[("document", "MUSDES")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(state(&desa, id).await, "DISAHKAN_DESA");

    // Dinsos: the verifier through the API; the head's stale page is refused.
    let verifier = server.sign_in("verifikator").await;
    let head = server.sign_in("kepala").await;
    let stale = version(&head, id).await;
    let (s, p) = api_step(&verifier, id, json!({"step": "verify"})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let (s, html) = head
        .post_form(
            &format!("/usulan/{id}/langkah"),
            &[("step", "approve"), ("version", &stale.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("sudah diubah orang lain"), "{html}");
    let (s, _) = page_step(&head, id, "approve", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // A province admin reads but takes no step.
    let provinsi = server.sign_in("provinsi").await;
    let (s, _) = api_step(&provinsi, id, json!({"step": "send"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Sent: its period is the one of the region's local clock now.
    let dinsos = server.sign_in("dinsos").await;
    let region = padu_core::RegionCode::parse(&village).unwrap();
    let zone = ZoneMap::default().zone(region).unwrap();
    let before = CutOff::default().period_of(chrono::Utc::now(), zone);
    let (s, p) = api_step(&dinsos, id, json!({"step": "send"})).await;
    let after = CutOff::default().period_of(chrono::Utc::now(), zone);
    assert_eq!(s, StatusCode::OK, "{p}");
    let period = p["period"].as_str().unwrap().to_string();
    assert!(
        period == before.to_string() || period == after.to_string(),
        "{period}"
    );

    // Pusdatin fixes it into that period.
    let pusdatin = server.sign_in("pusdatin").await;
    let (s, p) = api_step(&pusdatin, id, json!({"step": "finalise", "period": period})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["state"], "DITETAPKAN");
    let (_, d) = desa.get_json(&format!("/api/v1/proposals/{id}")).await;
    let steps: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "create", "submit", "attach", "ratify", "verify", "approve", "send", "finalise"
        ]
    );
    assert_eq!(d["available_steps"], json!([]));
    let file = d["attachments"][0]["id"].as_i64().unwrap();
    let (s, body) = verifier.get(&format!("/usulan/{id}/lampiran/{file}")).await;
    assert_eq!((s, body.as_bytes()), (StatusCode::OK, SCAN));
    let (_, html) = desa.get(&format!("/usulan/{id}")).await;
    assert!(
        html.contains("Riwayat") && html.contains("Ditetapkan"),
        "the timeline"
    );
    // The registry now says so: the member is inactive, and still there.
    let (s, html) = desa.get(&format!("/anggota/{}", members[0])).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("id=\"inactive\"") && html.contains("Meninggal dunia"),
        "the member page shows the deactivation"
    );

    // An operator of another village does not see the proposal, its timeline
    // or its evidence, by URL or by API, and cannot act on it.
    let other_village = server.sample.outside(&village).kode_wilayah.dotted();
    let admin = server.sign_in("admin").await;
    let (s, created) = admin
        .post_json(
            "/api/v1/users",
            &json!({"username": "desa.lain", "display_name": "Desa Lain", "role": "operator_desa",
                    "scope": other_village, "password": "sementara-123"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{created}");
    let mut lain = server.client();
    lain.sign_in("desa.lain", "sementara-123").await;
    lain.refresh_csrf().await;
    let (s, _) = lain
        .post_form(
            "/sandi",
            &[
                ("current", "sementara-123"),
                ("new", "kata-sandi-kuat-789"),
                ("confirm", "kata-sandi-kuat-789"),
            ],
        )
        .await;
    assert!(s == StatusCode::SEE_OTHER || s == StatusCode::OK, "{s}");
    lain.refresh_csrf().await;
    for path in [
        format!("/usulan/{id}"),
        format!("/api/v1/proposals/{id}"),
        format!("/usulan/{id}/lampiran/{file}"),
        format!("/api/v1/proposals/{id}/attachments/{file}"),
    ] {
        let (s, _) = lain.get(&path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) = lain
        .post_json(
            &format!("/api/v1/proposals/{id}/steps"),
            &json!({"step": "submit", "version": 8}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = lain.get_json("/api/v1/proposals").await;
    assert_eq!(
        list,
        json!([]),
        "no proposals of another village in the list"
    );

    // Nobody reaches a member outside their village.
    let outside = server.sample.outside(&village).id_art.clone();
    let (s, _) = desa.get(&format!("/anggota/{outside}/usulan")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Two corrections through the API, moved together; one is returned, corrected, resubmitted.
    let mut ids = Vec::new();
    for m in &members[1..] {
        let (s, p) = desa
            .post_json(
                &format!("/api/v1/members/{m}/proposals"),
                &json!({"kind": "UBAH_DATA", "fields": {"tempat_lahir": "KAMPUNG UJI"}, "note": "sesuai KTP"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        ids.push(p["id"].as_i64().unwrap());
    }
    let items = |b: Vec<(i64, i64)>| -> Value {
        json!(
            b.iter()
                .map(|(id, v)| json!({"id": id, "version": v}))
                .collect::<Vec<_>>()
        )
    };
    // All or nothing: one stale version and neither moves.
    let (s, e) = desa
        .post_json(
            "/api/v1/proposals/steps",
            &json!({"step": "submit", "items": items(vec![(ids[0], 1), (ids[1], 7)])}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("#{}", ids[1]))
    );
    assert_eq!(state(&desa, ids[0]).await, "DRAFT");
    let (s, e) = desa
        .post_json(
            "/api/v1/proposals/steps",
            &json!({"step": "submit", "items": items(vec![(ids[0], 1), (ids[1], 1)])}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    for id in &ids {
        let (s, a) = desa
            .post_bytes(
                &format!(
                    "/api/v1/proposals/{id}/attachments?purpose=PINDAIAN_PENGESAHAN&name=ba.pdf"
                ),
                SCAN.to_vec(),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
    }
    // A scan larger than the ordinary body limit (2 MB) is still accepted as evidence.
    let mut big = SCAN.to_vec();
    big.resize(3 * 1024 * 1024, b' ');
    let (s, a) = desa
        .post_bytes(
            &format!(
                "/api/v1/proposals/{}/attachments?purpose=BUKTI&name=akta.pdf",
                ids[0]
            ),
            big,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["size_bytes"], 3 * 1024 * 1024);
    // The page's bulk form ratifies both.
    let (_, list) = desa.get("/usulan").await;
    assert!(list.contains("name=\"pilih\""), "checkboxes for bulk steps");
    let checks: Vec<String> = ids.iter().map(|id| format!("{id}:2")).collect();
    let (s, to) = desa
        .post_form(
            "/usulan/massal",
            &[
                ("pilih", checks[0].as_str()),
                ("pilih", checks[1].as_str()),
                ("step", "ratify"),
                ("document", "MUSDES"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    assert_eq!(to, "/usulan?selesai=2");
    let (s, html) = page_step(
        &verifier,
        ids[0],
        "return",
        &[("reason", "lampirkan fotokopi KTP")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    assert_eq!(state(&desa, ids[0]).await, "DIKEMBALIKAN");
    let v = version(&desa, ids[0]).await;
    // A value that could never go into the registry is refused when written.
    let (s, e) = desa
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/proposals/{}", ids[0]),
            &json!({"version": v, "after": {"tgl_lahir": "31/02/1990"}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tgl_lahir"),
        "{e}"
    );
    let (s, p) = desa
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/proposals/{}", ids[0]),
            &json!({"version": v, "after": {"tempat_lahir": "KOTA DEPOK"}, "note": "KTP dilampirkan"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["after"]["tempat_lahir"], "KOTA DEPOK");
    let (s, p) = api_step(&desa, ids[0], json!({"step": "resubmit"})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["state"], "DIAJUKAN");
    let (_, d) = verifier
        .get_json(&format!("/api/v1/proposals/{}", ids[0]))
        .await;
    let returned = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["step"] == "return")
        .unwrap();
    assert_eq!(returned["reason"], "lampirkan fotokopi KTP");

    // The OpenAPI document describes the proposal API.
    let (_, doc) = desa.get_json("/api/openapi.json").await;
    for path in [
        "/api/v1/proposals",
        "/api/v1/proposals/{id}/steps",
        "/api/v1/proposals/steps",
        "/api/v1/members/{id_art}/proposals",
        "/api/v1/proposals/{id}/attachments",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} in openapi.json");
    }
    server.stop().await;
}

both_backends!(findings_become_proposals_once);

/// The village operator sees the findings that ask for action with Padu's
/// suggestions, drafts them together, and cannot propose the same member twice.
async fn findings_become_proposals_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let desa = server.sign_in("desa").await;
    let (s, list) = desa.get_json("/api/v1/proposals/suggestions").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let suggested: Vec<String> = list
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| !f["suggestion"].is_null())
        .map(|f| f["id_art"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !suggested.is_empty(),
        "the focus village has a finding with a suggestion: {list}"
    );
    let (invalid, row) = server
        .sample
        .invalid_with_proposal()
        .map(|(p, r)| (p.clone(), r.clone()))
        .expect("an invalid NIK with a proposal");
    assert!(suggested.contains(&invalid.id_art.to_string()));
    let (s, html) = desa.get("/usulan/temuan").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("value=\"{}\"", invalid.id_art)),
        "a checkbox for it"
    );

    // Drafted from the page, all together.
    let fields: Vec<(&str, &str)> = suggested.iter().map(|id| ("pilih", id.as_str())).collect();
    let (s, to) = desa.post_form("/usulan/temuan", &fields).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    assert_eq!(to, format!("/usulan?dibuat={}", suggested.len()));
    let (_, ps) = desa
        .get_json(&format!("/api/v1/proposals?id_art={}", invalid.id_art))
        .await;
    let p = &ps[0];
    assert_eq!(p["kind"], "UBAH_DATA");
    assert_eq!(p["after"]["nik"], row.nik_usulan.clone().unwrap());
    assert_eq!(p["state"], "DRAFT");

    // Covered now: marked on the page, and refused a second time, naming the open proposal.
    let (_, html) = desa.get("/usulan/temuan").await;
    assert!(
        !html.contains(&format!("value=\"{}\"", invalid.id_art)),
        "no checkbox any more"
    );
    assert!(
        html.contains(&format!("/usulan/{}", p["id"])),
        "a link to the open proposal"
    );
    let (s, e) = desa
        .post_json(
            "/api/v1/proposals/from-findings",
            &json!({"id_arts": [invalid.id_art]}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let message = e["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(invalid.id_art.as_str()) && message.contains(&format!("#{}", p["id"])),
        "{message}"
    );
    // The one-by-one form comes filled with the suggestion, to accept or change.
    let (_, html) = desa
        .get(&format!("/anggota/{}/usulan?saran=1", invalid.id_art))
        .await;
    assert!(
        html.contains(&format!(
            "name=\"nik\" value=\"{}\"",
            row.nik_usulan.clone().unwrap()
        )),
        "the suggested NIK in the form"
    );
    // A finding without a definite suggestion is not drafted in bulk.
    let other = server
        .sample
        .in_village(&server.sample.focus_village())
        .find(|(p, _)| !suggested.contains(&p.id_art.to_string()))
        .map(|(p, _)| p.id_art.to_string());
    if let Some(other) = other {
        let (s, e) = desa
            .post_json(
                "/api/v1/proposals/from-findings",
                &json!({"id_arts": [other]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "no suggestion: {e}");
    }
    server.stop().await;
}

both_backends!(periods_are_finalised_and_read_as_of);

/// Pusdatin finalises a month; a death fixed into the next month changes the
/// registry as of that month only; the village downloads both and sees the change.
async fn periods_are_finalised_and_read_as_of(backend: Backend) {
    let server = TestServer::start(backend).await;
    let village = server.sample.focus_village();
    let member = server
        .sample
        .in_village(&village)
        .map(|(p, _)| p.id_art.to_string())
        .next()
        .expect("a member");
    let in_village = server.sample.in_village(&village).count();
    let pusdatin = server.sign_in("pusdatin").await;
    let desa = server.sign_in("desa").await;

    // The page suggests the month; Pusdatin finalises it.
    let (_, html) = pusdatin.get("/periode").await;
    let first = crate::support::hidden_value(&html, "period").expect("a suggested period");
    let (s, to) = pusdatin
        .post_form("/periode", &[("period", first.as_str())])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    let (s, _) = pusdatin
        .post_form("/periode", &[("period", first.as_str())])
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a month is finalised once");
    let (s, _) = desa
        .post_json("/api/v1/periods", &json!({"period": "2099-01"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only Pusdatin finalises");

    // A death, walked through and fixed into the next month.
    let (s, p) = desa
        .post_json(
            &format!("/api/v1/members/{member}/proposals"),
            &json!({"kind": "NONAKTIF", "deactivation_reason": "MENINGGAL"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    walk_to_sent(&server, &desa, id).await;
    let (s, e) = api_step(&pusdatin, id, json!({"step": "finalise", "period": first})).await;
    assert_eq!(s, StatusCode::CONFLICT, "the month is closed: {e}");
    let next: padu_core::Period = first.parse::<padu_core::Period>().unwrap().next();
    let (s, e) = api_step(
        &pusdatin,
        id,
        json!({"step": "finalise", "period": next.to_string()}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let (s, p) = pusdatin
        .post_json("/api/v1/periods", &json!({"period": next.to_string()}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");

    // The village's registry as of each month.
    for (period, rows) in [
        (first.clone(), in_village),
        (next.to_string(), in_village - 1),
    ] {
        let r = desa
            .http
            .get(format!(
                "{}/api/v1/periods/{period}/export?format=csv",
                desa.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let csv = r.text().await.unwrap();
        assert!(
            csv.lines()
                .next()
                .unwrap()
                .ends_with("versi,berlaku_sejak_periode")
        );
        assert_eq!(csv.lines().count(), rows + 1, "{period}");
        assert_eq!(
            csv.contains(&format!("{member},")),
            period == first,
            "{period}"
        );
    }
    let (s, d) = desa
        .get_json(&format!("/api/v1/periods/{next}/changes?from={first}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(
        d,
        json!([{"change": "NONAKTIF", "reason": "MENINGGAL", "kabupaten": village.replace('.', "")[..4], "count": 1}])
    );
    let (_, html) = desa.get(&format!("/periode?dari={first}&ke={next}")).await;
    assert!(
        html.contains("Dinonaktifkan") && html.contains("Meninggal dunia"),
        "the diff on the page"
    );
    server.stop().await;
}

both_backends!(the_directory_shows_whom_to_call);

/// The regency's admin records a Dinsos operator's phone and hours; the
/// village operator finds them, and everyone above and beside, but no admin.
async fn the_directory_shows_whom_to_call(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.sign_in("admin.depok").await;
    let id = admin.user_id("dinsos").await;
    let (s, to) = admin
        .post_form(
            &format!("/pengguna/{id}/kontak"),
            &[
                ("phone", "0812-3456-7890"),
                ("working_hours", "Senin–Jumat 08.00–16.00 WIB"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    let desa = server.sign_in("desa").await;
    let (s, html) = desa.get("/kontak").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("0812-3456-7890") && html.contains("Senin–Jumat 08.00–16.00 WIB"),
        "the Dinsos operator's contact"
    );
    let (_, list) = desa.get_json("/api/v1/directory").await;
    let roles: Vec<&str> = list
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["role"].as_str().unwrap())
        .collect();
    for role in [
        "operator_desa",
        "operator_kecamatan",
        "operator_dinsos",
        "verifikator_dinsos",
        "kepala_dinsos",
        "admin_provinsi",
        "pusdatin",
    ] {
        assert!(roles.contains(&role), "{role} in {roles:?}");
    }
    assert!(!roles.contains(&"admin"), "admins are not operators");
    // A village operator cannot set contacts.
    let (s, _) = desa
        .post_form(&format!("/pengguna/{id}/kontak"), &[("phone", "1")])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    server.stop().await;
}
