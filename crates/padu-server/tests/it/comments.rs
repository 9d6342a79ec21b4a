//! Comments on a household: a district officer leaves a remark, the village
//! operator reads it and answers, the audit trail keeps both; nobody outside
//! the region can read or write them, and roles without the right cannot write.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Backend, TestServer};

both_backends!(officers_comment_on_a_household_within_their_region);

async fn officers_comment_on_a_household_within_their_region(backend: Backend) {
    let server = TestServer::start(backend).await;
    let village = server.sample.focus_village();
    let household = server
        .sample
        .in_village(&village)
        .find_map(|(p, _)| p.id_keluarga.clone())
        .expect("a household in the village");
    let outside = server
        .sample
        .outside(&village)
        .id_keluarga
        .clone()
        .expect("a household outside");
    let page = format!("/keluarga/{household}");
    let form = format!("{page}/catatan");

    // The district operator writes a remark through the page's form.
    let kec = server.sign_in("kecamatan").await;
    let (s, html) = kec.get(&page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"comment-form\""), "a form to comment");
    let remark = "Mohon cek alamat RT 03: <b>rumah kosong</b>?";
    let (s, to) = kec.post_form(&form, &[("body", remark)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    assert!(to.starts_with(&page) && to.ends_with("#catatan"), "{to}");

    // The village operator sees it (escaped) and answers through the API.
    let desa = server.sign_in("desa").await;
    let (_, html) = desa.get(&page).await;
    assert!(
        html.contains("Mohon cek alamat RT 03: &#60;b&#62;rumah kosong&#60;/b&#62;?"),
        "the remark, escaped"
    );
    assert!(!html.contains("<b>rumah kosong</b>"));
    let (s, created) = desa
        .post_json(
            &format!("/api/v1/households/{household}/comments"),
            &json!({"body": "  Sudah dicek, keluarga pindah ke RT 04.  "}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["body"], "Sudah dicek, keluarga pindah ke RT 04.");
    assert_eq!(created["username"], "desa");
    assert_eq!(created["role"], "operator_desa");
    let (_, h) = kec
        .get_json(&format!("/api/v1/households/{household}"))
        .await;
    let bodies: Vec<&str> = h["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .map(|c| c["body"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(bodies, [remark, "Sudah dicek, keluarga pindah ke RT 04."]);

    // A blank comment is refused next to the field, in the user's language, and saves nothing.
    let (s, html) = desa.post_form(&form, &[("body", "   ")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"comment-error\"") && html.contains("tidak boleh kosong"),
        "error under the field"
    );
    let (s, err) = desa
        .post_json(
            &format!("/api/v1/households/{household}/comments"),
            &json!({"body": "x".repeat(2_001)}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err.to_string().contains("2000"), "{err}");
    let (_, h) = desa
        .get_json(&format!("/api/v1/households/{household}"))
        .await;
    assert_eq!(h["comments"].as_array().map(Vec::len), Some(2));

    // Outside the region: 404 for reading and writing, by page and by API.
    for who in ["desa", "kecamatan"] {
        let b = server.sign_in(who).await;
        let (s, _) = b
            .post_form(&format!("/keluarga/{outside}/catatan"), &[("body", "coba")])
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{who} form outside");
        let (s, _) = b
            .post_json(
                &format!("/api/v1/households/{outside}/comments"),
                &json!({"body": "coba"}),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{who} API outside");
    }
    // A role that may read but not comment: no form, and 403.
    let prov = server.sign_in("provinsi").await;
    let (s, html) = prov.get(&page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("id=\"comment-form\""));
    let (s, _) = prov.post_form(&form, &[("body", "coba")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Without the CSRF token: refused.
    let (s, _) = kec
        .post_form(&form, &[("body", "tanpa token"), ("_csrf", "salah")])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Both comments are in the audit trail, with the household and the region.
    let admin = server.sign_in("admin").await;
    let (s, audit) = admin.get_json("/api/v1/audit").await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    let comments: Vec<_> = audit
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "household.comment")
        .collect();
    assert_eq!(comments.len(), 2, "{comments:?}");
    for e in comments {
        assert_eq!(e["entity_id"], household.as_str());
        assert_eq!(e["kode_wilayah"], village.replace('.', "").as_str());
        assert!(e["after"]["body"].is_string(), "{e}");
    }
    server.stop().await;
}
