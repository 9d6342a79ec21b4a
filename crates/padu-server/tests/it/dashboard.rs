//! The progress dashboard over HTTP: every number on the page, in the API and
//! in the exported table equals a direct count over the records, moves when a
//! village drafts proposals, and stays inside the caller's region.

use padu_core::{Action, RegionCode};
use padu_store::Scope;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Backend, TestServer};

both_backends!(dashboard_numbers_are_direct_counts);

/// The counts of a dashboard JSON object as the store's counted tuple.
fn tuple(c: &Value) -> (i64, i64, i64, i64) {
    (
        c["people"].as_i64().unwrap(),
        c["findings"].as_i64().unwrap(),
        c["resolved"].as_i64().unwrap(),
        c["in_progress"].as_i64().unwrap(),
    )
}

async fn counted(server: &TestServer, code: &str) -> (i64, i64, i64, i64) {
    let c = server
        .store()
        .progress_counted(Scope::Region(RegionCode::parse(code).unwrap()))
        .await
        .unwrap();
    (c.people, c.findings, c.resolved, c.in_progress)
}

async fn dashboard_numbers_are_direct_counts(backend: Backend) {
    let server = TestServer::start(backend).await;
    let village = server.sample.focus_village();
    let regency = &village[..5];
    let dinsos = server.sign_in("dinsos").await;

    // The regency's numbers and every village's in its ranking.
    let (s, d) = dinsos.get_json("/api/v1/dashboard").await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(tuple(&d["counts"]), counted(&server, regency).await);
    assert_eq!(
        d["counts"]["people"].as_i64().unwrap(),
        server.sample.registry.len() as i64
    );
    let findings = server
        .sample
        .rows
        .iter()
        .filter(|r| r.tindakan != Action::Tetap)
        .count() as i64;
    assert_eq!(d["counts"]["findings"].as_i64().unwrap(), findings);
    let ranked = d["ranked"].as_array().unwrap();
    assert!(ranked.len() > 1, "a regency ranks its villages");
    for r in ranked {
        let code = r["kode_wilayah"].as_str().unwrap();
        assert_eq!(tuple(&r["counts"]), counted(&server, code).await, "{code}");
    }
    let shares: Vec<i64> = ranked
        .iter()
        .map(|r| r["counts"]["resolved_permille"].as_i64().unwrap())
        .collect();
    assert!(
        shares.windows(2).all(|w| w[0] >= w[1]),
        "best first: {shares:?}"
    );
    assert_eq!(d["zone"], "WIB");
    assert!(d["seconds_left"].as_i64().is_some());

    // The village drafts three proposals for its findings: three findings under way.
    let desa = server.sign_in("desa").await;
    let (_, before) = desa.get_json("/api/v1/dashboard").await;
    let with_findings: Vec<String> = server
        .sample
        .in_village(&village)
        .filter(|(_, r)| r.tindakan != Action::Tetap)
        .map(|(p, _)| p.id_art.to_string())
        .take(3)
        .collect();
    assert_eq!(
        with_findings.len(),
        3,
        "three findings in the focus village"
    );
    for id in &with_findings {
        let (s, p) = desa
            .post_json(
                &format!("/api/v1/members/{id}/proposals"),
                &json!({"kind": "NONAKTIF", "deactivation_reason": "TIDAK_DITEMUKAN"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
    }
    let (_, after) = desa.get_json("/api/v1/dashboard").await;
    assert_eq!(
        after["counts"]["in_progress"].as_i64().unwrap(),
        before["counts"]["in_progress"].as_i64().unwrap() + 3
    );
    assert_eq!(
        after["counts"]["proposals"]["DRAFT"].as_i64().unwrap(),
        before["counts"]["proposals"]["DRAFT"].as_i64().unwrap() + 3
    );
    assert_eq!(tuple(&after["counts"]), counted(&server, &village).await);
    let (_, regency_now) = dinsos.get_json("/api/v1/dashboard").await;
    assert_eq!(
        tuple(&regency_now["counts"]),
        counted(&server, regency).await
    );

    // The page shows the same share; the exported ranking holds the same numbers.
    let (s, html) = dinsos.get("/dasbor").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Dasbor kemajuan"));
    assert!(html.contains("<svg"), "the chart is drawn on the server");
    assert!(html.contains(&format!("/dasbor?wilayah={village}")));
    let (s, csv) = dinsos
        .get("/dasbor/ekspor?tabel=peringkat&format=csv")
        .await;
    assert_eq!(s, StatusCode::OK);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let line = csv
        .lines()
        .find(|l| l.contains(&village))
        .unwrap_or_else(|| panic!("{village} in the ranking file"));
    let cells: Vec<&str> = line.split(',').collect();
    let (people, findings, resolved, in_progress) = counted(&server, &village).await;
    assert_eq!(cells[col("jumlah_anggota")], people.to_string());
    assert_eq!(cells[col("temuan")], findings.to_string());
    assert_eq!(cells[col("selesai")], resolved.to_string());
    assert_eq!(cells[col("dalam_proses")], in_progress.to_string());
    let (s, xlsx) = dinsos.get("/dasbor/ekspor?tabel=riwayat&format=xlsx").await;
    assert_eq!(s, StatusCode::OK);
    assert!(xlsx.starts_with("PK"), "a workbook");

    // Nothing outside the caller's region: the village cannot read its regency,
    // the regency not another one.
    let (s, _) = desa.get(&format!("/dasbor?wilayah={regency}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = desa
        .get_json(&format!("/api/v1/dashboard?wilayah={regency}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = dinsos.get("/dasbor?wilayah=51.71").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = dinsos
        .get("/dasbor/ekspor?wilayah=51.71&tabel=peringkat&format=csv")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    server.stop().await;
}
