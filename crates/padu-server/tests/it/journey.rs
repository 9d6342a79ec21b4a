//! A village operator's day: sign in, browse, search, open a household,
//! correct an invalid NIK with the instant re-check, save with a reason, see
//! it in the history and the audit log; export the list.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Backend, TestServer, fields_json, hidden_value};

both_backends!(operator_corrects_an_invalid_nik);
both_backends!(lists_search_and_export);

async fn operator_corrects_an_invalid_nik(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (person, row) = server
        .sample
        .invalid_with_proposal()
        .map(|(p, r)| (p.clone(), r.clone()))
        .expect("the sample has an invalid NIK with a proposed correction");
    let proposed = row.nik_usulan.clone().expect("proposal");
    let desa = server.sign_in("desa").await;

    // Home: the village and its findings.
    let (s, home) = desa.get("/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(home.contains("NIK_TIDAK_VALID"), "home lists statuses");

    // The member page explains the finding and shows the proposal.
    let (s, page) = desa.get(&format!("/anggota/{}", person.id_art)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(person.nama.as_str()),
        "member page names the person"
    );
    assert!(
        page.contains(&proposed),
        "member page shows the proposed NIK"
    );

    // Household page lists every member of the household.
    let hh = person.id_keluarga.clone().expect("household id");
    let (s, body) = desa.get_json(&format!("/api/v1/households/{hh}")).await;
    assert_eq!(s, StatusCode::OK);
    let expected = server
        .sample
        .registry
        .iter()
        .filter(|p| p.id_keluarga.as_deref() == Some(hh.as_str()))
        .count();
    assert_eq!(body["members"].as_array().map(Vec::len), Some(expected));
    let (s, _) = desa.get(&format!("/keluarga/{hh}")).await;
    assert_eq!(s, StatusCode::OK);

    // The instant re-check of the corrected NIK, before saving.
    let mut corrected = fields_json(&person);
    corrected["nik"] = json!(proposed);
    let (s, checked) = desa
        .post_json(
            &format!("/api/v1/members/{}/recheck", person.id_art),
            &corrected,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{checked}");
    assert_eq!(checked["finding"]["status"], "PADAN", "{checked}");
    assert_eq!(checked["candidate"]["nik"], proposed.as_str());
    assert!(checked["explanation"]["candidates"].is_array(), "{checked}");
    // The unchanged record still re-checks as the run decided.
    let (_, unchanged) = desa
        .post_json(
            &format!("/api/v1/members/{}/recheck", person.id_art),
            &fields_json(&person),
        )
        .await;
    assert_eq!(unchanged["finding"]["status"], "NIK_TIDAK_VALID");

    // The edit form: an error next to the field, then a save with a reason.
    let edit_path = format!("/anggota/{}/ubah", person.id_art);
    let (s, form) = desa.get(&edit_path).await;
    assert_eq!(s, StatusCode::OK);
    let version = hidden_value(&form, "version").expect("version field");
    let fields = |nik: &str, reason: &str| -> Vec<(String, String)> {
        vec![
            ("version".to_string(), version.clone()),
            ("nik".into(), nik.into()),
            ("no_kk".into(), person.no_kk.to_cell()),
            ("nama".into(), person.nama.to_string()),
            ("jenis_kelamin".into(), person.jenis_kelamin.as_str().into()),
            (
                "tempat_lahir".into(),
                person
                    .tempat_lahir
                    .as_deref()
                    .unwrap_or_default()
                    .to_string(),
            ),
            ("tgl_lahir".into(), person.tgl_lahir.to_string()),
            (
                "hubungan_keluarga".into(),
                person
                    .hubungan_keluarga
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_default(),
            ),
            (
                "nama_ibu_kandung".into(),
                person
                    .nama_ibu_kandung
                    .as_deref()
                    .unwrap_or_default()
                    .to_string(),
            ),
            (
                "alamat".into(),
                person.alamat.as_deref().unwrap_or_default().to_string(),
            ),
            (
                "rt".into(),
                person.rt.as_deref().unwrap_or_default().to_string(),
            ),
            (
                "rw".into(),
                person.rw.as_deref().unwrap_or_default().to_string(),
            ),
            ("reason".into(), reason.into()),
            ("action".into(), "simpan".into()),
        ]
    };
    let bad = fields("12345", "Perbaikan NIK sesuai KK");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, page) = desa.post_form(&edit_path, &bad).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a 5-digit NIK is refused"
    );
    assert!(
        page.contains("16"),
        "the error says a NIK has 16 digits: {page}"
    );

    let good = fields(&proposed, "Perbaikan NIK sesuai KK asli");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, location) = desa.post_form(&edit_path, &good).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "saved: {location}");
    assert!(location.starts_with(&format!("/anggota/{}", person.id_art)));

    // The saved record carries the re-check's finding.
    let (_, m) = desa
        .get_json(&format!("/api/v1/members/{}", person.id_art))
        .await;
    assert_eq!(m["nik"], proposed.as_str());
    assert_eq!(m["finding"]["status"], "PADAN");
    assert_eq!(m["finding"]["source"], "recheck");

    // Saving again from the old version is a conflict, not a silent overwrite.
    let (s, body) = desa
        .send_json(
            Method::PATCH,
            &format!("/api/v1/members/{}", person.id_art),
            &json!({"version": version.parse::<i64>().expect("number"), "reason": "koreksi ganda",
                    "fields": {"nik": proposed, "no_kk": person.no_kk.to_cell(), "nama": "NAMA LAIN",
                               "jenis_kelamin": person.jenis_kelamin.as_str(), "tgl_lahir": person.tgl_lahir.to_string()}}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");

    // The history and the audit log show who changed what, and why.
    let (_, h) = desa
        .get_json(&format!("/api/v1/members/{}/history", person.id_art))
        .await;
    let change = &h["changes"][0];
    assert_eq!(change["username"], "desa");
    assert_eq!(change["reason"], "Perbaikan NIK sesuai KK asli");
    assert_eq!(change["after"]["nik"], proposed.as_str());
    let (_, page) = desa.get(&format!("/anggota/{}", person.id_art)).await;
    assert!(
        page.contains("Perbaikan NIK sesuai KK asli"),
        "member page shows history"
    );

    let kepala = server.sign_in("kepala").await;
    let (s, audit) = kepala
        .get_json(&format!("/api/v1/audit?id_art={}", person.id_art))
        .await;
    assert_eq!(s, StatusCode::OK);
    let entries = audit.as_array().expect("entries");
    assert!(
        entries.iter().any(|e| e["action"] == "member.update"
            && e["username"] == "desa"
            && e["ip"] == "127.0.0.1"),
        "{audit}"
    );
    server.stop().await;
}

async fn lists_search_and_export(backend: Backend) {
    let server = TestServer::start(backend).await;
    let village = server.sample.focus_village();
    let in_village: Vec<_> = server
        .sample
        .in_village(&village)
        .map(|(p, _)| p.clone())
        .collect();
    let desa = server.sign_in("desa").await;

    // Keyset pages cover the village exactly once.
    let mut seen = Vec::new();
    let mut path = "/api/v1/members".to_string();
    loop {
        let (s, page) = desa.get_json(&path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        for m in page["members"].as_array().expect("members") {
            assert_eq!(m["kode_wilayah"], village.as_str());
            seen.push(m["id_art"].as_str().expect("id").to_string());
        }
        match page["next"].as_object() {
            Some(n) => {
                path = format!(
                    "/api/v1/members?w={}&n={}&i={}",
                    n["w"].as_str().unwrap_or(""),
                    urlencode(n["n"].as_str().unwrap_or("")),
                    n["i"].as_str().unwrap_or("")
                )
            }
            None => break,
        }
    }
    let mut expected: Vec<_> = in_village.iter().map(|p| p.id_art.clone()).collect();
    expected.sort();
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "no member twice across pages");
    assert_eq!(sorted, expected);

    // Search by NIK, and by a name spelled the old way.
    let target = in_village
        .iter()
        .find(|p| p.nik.valid().is_some())
        .expect("someone with a NIK");
    let (_, hits) = desa
        .get_json(&format!("/api/v1/members?q={}", target.nik.to_cell()))
        .await;
    assert!(
        hits["members"]
            .as_array()
            .expect("members")
            .iter()
            .any(|m| m["id_art"] == target.id_art.as_str()),
        "{hits}"
    );
    let with_u = in_village
        .iter()
        .find(|p| p.nama.contains('U'))
        .expect("a name with U");
    let old_spelling = with_u.nama.replacen('U', "OE", 1).to_lowercase();
    let (s, body) = desa
        .get(&format!("/anggota?q={}", urlencode(&old_spelling)))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        body.contains(with_u.id_art.as_str()),
        "searching {old_spelling:?} finds {}",
        with_u.nama
    );

    // Filters: every listed member has the status asked for.
    let (_, invalid) = desa
        .get_json("/api/v1/members?status=NIK_TIDAK_VALID")
        .await;
    for m in invalid["members"].as_array().expect("members") {
        assert_eq!(m["finding"]["status"], "NIK_TIDAK_VALID");
    }

    // Export: the interchange registry columns, one row per member, audited.
    let r = desa
        .http
        .get(format!("{}/api/v1/export?format=csv", desa.base))
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.expect("csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next().map(|h| h.trim_start_matches('\u{feff}')),
        Some(padu_io::REGISTRY_COLUMNS.join(",").as_str())
    );
    assert_eq!(lines.count(), in_village.len());
    let r = desa
        .http
        .get(format!("{}/anggota/ekspor?format=xlsx", desa.base))
        .send()
        .await
        .expect("export xlsx");
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("xlsx");
    assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip");

    let admin = server.sign_in("admin").await;
    let (_, audit) = admin.get_json("/api/v1/audit").await;
    assert!(
        audit
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["action"]
                .as_str()
                .is_some_and(|a| a.starts_with("export"))
                && e["username"] == "desa"),
        "{audit}"
    );

    // OpenAPI 3.1 describes the API.
    let (s, doc) = desa.get_json("/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    assert!(doc["paths"]["/api/v1/members"].is_object());
    server.stop().await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

both_backends!(admin_manages_accounts_and_reads_the_audit_trail);

async fn admin_manages_accounts_and_reads_the_audit_trail(backend: Backend) {
    let server = TestServer::start(backend).await;
    let village = server.sample.focus_village();
    let admin = server.sign_in("admin.depok").await;

    // A form with a region that does not fit the role: the error is next to the field.
    let (s, page) = admin
        .post_form(
            "/pengguna",
            &[
                ("username", "sari"),
                ("display_name", "Sari <Operator>"),
                ("role", "operator_desa"),
                ("scope", &village[..8]),
                ("phone", "0812-1111-2222"),
                ("password", "kata-awal-rahasia-1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"scope-error\""), "{page}");
    assert!(
        page.contains("Sari &#60;Operator&#62;"),
        "the typed name is kept, escaped"
    );
    // Then right: the new account's page.
    let (s, location) = admin
        .post_form(
            "/pengguna",
            &[
                ("username", "sari"),
                ("display_name", "Sari"),
                ("role", "operator_desa"),
                ("scope", &village),
                ("phone", "0812-1111-2222"),
                ("password", "kata-awal-rahasia-1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{location}");
    let (s, page) = admin.get(&location).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Sari") && page.contains(&village));
    // The same username again is a conflict, said next to the field.
    let (s, _) = admin
        .post_form(
            "/pengguna",
            &[
                ("username", "sari"),
                ("display_name", "Sari 2"),
                ("role", "operator_desa"),
                ("scope", &village),
                ("password", "kata-awal-rahasia-1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // A token is shown once, on the page that issued it, and works.
    let (s, page) = admin
        .post_form(&format!("{location}/token"), &[("name", "skrip desa")])
        .await;
    assert_eq!(s, StatusCode::OK);
    let token = page
        .split("id=\"new-token\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the new token on the page")
        .to_string();
    let (_, again) = admin.get(&location).await;
    assert!(!again.contains(&token), "never shown twice");
    // (Sari has yet to change her first password; /me still answers, to say so.)
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/me", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);

    // Disable through the form; the list says so.
    let (s, _) = admin
        .post_form(&format!("{location}/status"), &[("disabled", "1")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, list) = admin.get("/pengguna").await;
    assert!(list.contains("nonaktif"));
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/me", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get");
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "a disabled account's token is dead"
    );

    // Accounts outside the admin's regency are not found; non-admins are refused.
    let pusdatin_id = server.sign_in("admin").await.user_id("pusdatin").await;
    let (s, _) = admin.get(&format!("/pengguna/{pusdatin_id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = admin
        .post_form(
            &format!("/pengguna/{pusdatin_id}/status"),
            &[("disabled", "1")],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let desa = server.sign_in("desa").await;
    let (s, _) = desa.get("/pengguna").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = desa.get("/audit").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The audit page, filtered by user: the admin's own actions, and nobody else's.
    let admin_id = admin.user_id("admin.depok").await;
    let (s, page) = admin.get(&format!("/audit?user={admin_id}")).await;
    assert_eq!(s, StatusCode::OK);
    for action in ["user.create", "token.create", "user.disable"] {
        assert!(page.contains(action), "{action} in the audit page");
    }
    assert!(!page.contains(">sign_in.failed<"));
    let (s, _) = admin.get("/audit?wilayah=11.01").await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a region outside the admin's is not found"
    );
    let kepala = server.sign_in("kepala").await;
    let (s, page) = kepala.get(&format!("/audit?wilayah={village}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("user.create"),
        "the village's account changes are in its trail"
    );
    server.stop().await;
}
