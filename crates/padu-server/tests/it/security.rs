//! What a security reviewer tries: other regions' records by URL, API and
//! guessed ids; forged forms; session fixation; password guessing; disabled
//! accounts; markup and SQL in every input; oversized bodies.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Backend, PASSWORD, TestServer};

both_backends!(region_scope_holds_for_every_role);
both_backends!(forms_and_sessions_resist_forgery);
both_backends!(accounts_tokens_and_throttling);
both_backends!(hostile_input_changes_nothing);

async fn region_scope_holds_for_every_role(backend: Backend) {
    let server = TestServer::start(backend).await;
    let village = server.sample.focus_village();
    let outsider = server.sample.outside(&village).clone();
    let insider = server
        .sample
        .in_village(&village)
        .next()
        .map(|(p, _)| p.clone())
        .expect("someone in the village");
    let other_village = outsider.kode_wilayah.dotted();

    // Village and district operators see nothing outside their region: 404, never 403.
    for who in ["desa", "kecamatan"] {
        let b = server.sign_in(who).await;
        for path in [
            format!("/anggota/{}", outsider.id_art),
            format!("/anggota/{}/ubah", outsider.id_art),
            format!(
                "/keluarga/{}",
                outsider.id_keluarga.clone().unwrap_or_default()
            ),
            format!("/api/v1/members/{}", outsider.id_art),
            format!("/api/v1/members/{}/history", outsider.id_art),
            format!(
                "/api/v1/households/{}",
                outsider.id_keluarga.clone().unwrap_or_default()
            ),
            format!("/api/v1/members?wilayah={other_village}"),
            format!("/api/v1/summary?wilayah={other_village}"),
            format!("/api/v1/export?format=csv&wilayah={other_village}"),
            format!("/wilayah/{other_village}"),
        ] {
            let (s, _) = b.get(&path).await;
            // A role that may not edit or export at all is refused anywhere (403,
            // which says nothing about the record); otherwise outside is 404.
            let expected = if who == "kecamatan"
                && (path.ends_with("/ubah") || path.starts_with("/api/v1/export"))
            {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(s, expected, "{who} GET {path}");
        }
        let (s, _) = b
            .send_json(
                Method::PATCH,
                &format!("/api/v1/members/{}", outsider.id_art),
                &json!({"version": 1, "reason": "coba coba", "fields": {"nama": "X"}}),
            )
            .await;
        let expected = if who == "kecamatan" {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(s, expected, "{who} PATCH outside");
        let (s, _) = b
            .post_json(
                &format!("/api/v1/members/{}/recheck", outsider.id_art),
                &json!({}),
            )
            .await;
        assert!(
            s == StatusCode::NOT_FOUND || s == StatusCode::FORBIDDEN,
            "{who} recheck outside: {s}"
        );
    }

    // Guessed ids: every id in the sample, the village operator sees exactly its own.
    let desa = server.sign_in("desa").await;
    for p in server.sample.registry.iter().step_by(7) {
        let (s, _) = desa
            .get_json(&format!("/api/v1/members/{}", p.id_art))
            .await;
        let inside = p.kode_wilayah.dotted() == village;
        assert_eq!(
            s == StatusCode::OK,
            inside,
            "{} ({})",
            p.id_art,
            p.kode_wilayah
        );
    }

    // Roles without edit rights get 403 inside their region; with rights, 200.
    for who in [
        "kecamatan",
        "verifikator",
        "kepala",
        "provinsi",
        "pusdatin",
        "admin",
    ] {
        let b = server.sign_in(who).await;
        let (s, _) = b
            .get_json(&format!("/api/v1/members/{}", insider.id_art))
            .await;
        assert_eq!(s, StatusCode::OK, "{who} reads inside its region");
        let (s, _) = b
            .send_json(
                Method::PATCH,
                &format!("/api/v1/members/{}", insider.id_art),
                &json!({"version": 1, "reason": "coba coba", "fields": {"nama": "X"}}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who} may not edit");
    }
    // A district operator's list is its district only; NIKs masked for roles that may not edit.
    let kec = server.sign_in("kecamatan").await;
    let (_, page) = kec.get_json("/api/v1/members").await;
    for m in page["members"].as_array().expect("members") {
        assert!(
            m["kode_wilayah"]
                .as_str()
                .expect("code")
                .starts_with(&village[..8])
        );
        let nik = m["nik"].as_str().expect("nik");
        assert!(
            nik.is_empty() || nik.contains('*'),
            "masked for kecamatan: {nik}"
        );
    }
    // A regency admin manages only its regency's accounts, and cannot create one outside it.
    let admin_depok = server.sign_in("admin.depok").await;
    let (_, users) = admin_depok.get_json("/api/v1/users").await;
    let names: Vec<_> = users
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["username"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        names.contains(&"desa".to_string()) && !names.contains(&"pusdatin".to_string()),
        "{names:?}"
    );
    let (s, _) = admin_depok
        .post_json(
            "/api/v1/users",
            &json!({"username": "luar", "display_name": "Luar", "role": "operator_desa",
                    "scope": "11.01.01.2001", "password": PASSWORD}),
        )
        .await;
    assert!(
        s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
        "{s}"
    );
    // Non-admins cannot reach account management.
    let (s, _) = desa.get_json("/api/v1/users").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    server.stop().await;
}

async fn forms_and_sessions_resist_forgery(backend: Backend) {
    let server = TestServer::start(backend).await;
    let desa = server.sign_in("desa").await;

    // A state change without the token, or with a wrong one, is refused.
    let (s, _) = desa
        .post_form("/bahasa", &[("lang", "en"), ("_csrf", "salah")])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = desa
        .http
        .post(format!("{}/bahasa", desa.base))
        .form(&[("lang", "en")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = desa
        .http
        .post(format!("{}/api/v1/members/ART000000001/recheck", desa.base))
        .json(&json!({}))
        .send()
        .await
        .expect("post");
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "JSON with a cookie needs the header"
    );
    let (s, _) = desa.post_form("/bahasa", &[("lang", "en")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "with the right token it works");

    // A sign-in form posted from elsewhere (no pre-session cookie) is refused.
    let r = reqwest::Client::new()
        .post(format!("{}/masuk", server.base))
        .form(&[("username", "desa"), ("password", PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Session fixation: a session id planted before sign-in is not the one after.
    let planted = "penyerang-menanam-sesi-ini";
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let url: reqwest::Url = server.base.parse().expect("url");
    jar.add_cookie_str(&format!("padu_sesi={planted}; Path=/"), &url);
    let mut b = server.client();
    b.http = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let (s, _) = b.sign_in("desa", PASSWORD).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let cookies = reqwest::cookie::CookieStore::cookies(&*jar, &url)
        .map(|v| v.to_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let sesi = cookies
        .split("; ")
        .find_map(|kv| kv.strip_prefix("padu_sesi="))
        .expect("a session cookie");
    assert_ne!(sesi, planted);
    let (s, _) = b.get("/").await;
    assert_eq!(s, StatusCode::OK);
    // Two sign-ins get two different sessions; signing out ends one.
    let other = server.sign_in("desa").await;
    let (s, _) = other.post_form("/keluar", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = other.get("/").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "signed out: back to sign-in");
    let (s, _) = b.get("/").await;
    assert_eq!(s, StatusCode::OK, "the other session lives on");

    // Cookie flags.
    let mut fresh = server.client();
    let r = {
        let (_, p) = fresh.get("/masuk").await;
        let token = crate::support::hidden_value(&p, "_csrf").expect("token");
        fresh
            .http
            .post(format!("{}/masuk", fresh.base))
            .form(&[
                ("_csrf", token.as_str()),
                ("username", "desa"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .expect("sign in")
    };
    let set = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap_or("").to_string())
        .find(|c| c.starts_with("padu_sesi="))
        .expect("session cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    fresh.refresh_csrf().await;
    assert!(fresh.csrf.is_some());
    server.stop().await;
}

async fn accounts_tokens_and_throttling(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.sign_in("admin").await;

    // A new account must change its password at first sign-in.
    let (s, created) = admin
        .post_json(
            "/api/v1/users",
            &json!({"username": "baru", "display_name": "Operator Baru", "role": "operator_desa",
                    "scope": server.sample.focus_village(), "password": "sementara-123"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{created}");
    let id = created["id"].as_i64().expect("id");
    let mut baru = server.client();
    let (s, to) = baru.sign_in("baru", "sementara-123").await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/sandi"));
    baru.refresh_csrf().await;
    let (s, _) = baru.get("/anggota").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "nothing else before the change");
    let (s, _) = baru
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
    let (s, _) = baru.get("/anggota").await;
    assert_eq!(s, StatusCode::OK);

    // Disabling ends the open session at once.
    let (s, _) = admin
        .send_json(
            Method::PUT,
            &format!("/api/v1/users/{id}/disabled"),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = baru.get("/anggota").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "disabled: signed out");
    let (s, _) = baru.get_json("/api/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let mut again = server.client();
    let (s, _) = again.sign_in("baru", "kata-sandi-kuat-789").await;
    assert_ne!(
        s,
        StatusCode::SEE_OTHER,
        "a disabled account cannot sign in"
    );

    // API tokens: issued by an admin, same scope as the account, revocable.
    let pusdatin_id = admin.user_id("pusdatin").await;
    let (s, t) = admin
        .post_json(
            &format!("/api/v1/users/{pusdatin_id}/tokens"),
            &json!({"name": "skrip nasional"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let token = t["token"].as_str().expect("token shown once").to_string();
    let bearer = reqwest::Client::new();
    let r = bearer
        .get(format!("{}/api/v1/members", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let (s, _) = admin
        .send_json(
            Method::DELETE,
            &format!("/api/v1/users/{pusdatin_id}/tokens/{}", t["id"]),
            &json!({}),
        )
        .await;
    assert!(s.is_success(), "revoked: {s}");
    let r = bearer
        .get(format!("{}/api/v1/members", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Throttling: after 5 wrong passwords even the right one is refused for a while.
    let mut guesser = server.client();
    for _ in 0..5 {
        let (s, _) = guesser.sign_in("verifikator", "bukan-sandinya").await;
        assert_ne!(s, StatusCode::SEE_OTHER);
    }
    let (s, _) = guesser.sign_in("verifikator", PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // Failed and successful sign-ins are in the audit log.
    let (_, audit) = admin.get_json("/api/v1/audit").await;
    let actions: Vec<_> = audit
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        actions.iter().any(|a| a.contains("sign_in.failed")),
        "{actions:?}"
    );
    assert!(actions.iter().any(|a| a == "sign_in"), "{actions:?}");
    server.stop().await;
}

async fn hostile_input_changes_nothing(backend: Backend) {
    let server = TestServer::start(backend).await;
    let desa = server.sign_in("desa").await;
    let (_, before) = desa.get_json("/api/v1/summary").await;

    // SQL metacharacters in every search field: no error, no extra rows.
    for q in [
        "' OR '1'='1",
        "%",
        "_",
        "\"; drop table person; --",
        "\\",
        "ART%",
    ] {
        let (s, page) = desa
            .get_json(&format!("/api/v1/members?q={}", enc(q)))
            .await;
        assert!(
            s == StatusCode::OK || s == StatusCode::UNPROCESSABLE_ENTITY,
            "{q}: {s}"
        );
        if s == StatusCode::OK {
            assert!(
                page["members"].as_array().expect("members").is_empty(),
                "{q}: {page}"
            );
        }
        let (s, _) = desa.get(&format!("/anggota?q={}", enc(q))).await;
        assert_eq!(s, StatusCode::OK, "{q}");
        for filter in ["status", "flag", "tindakan", "wilayah"] {
            let (s, _) = desa
                .get_json(&format!("/api/v1/members?{filter}={}", enc(q)))
                .await;
            assert!(
                matches!(s.as_u16(), 200 | 400 | 404 | 422),
                "{filter}={q}: {s}"
            );
        }
    }
    let (_, after) = desa.get_json("/api/v1/summary").await;
    assert_eq!(before, after);

    // Markup in a search and in saved fields comes back escaped.
    let script = "<script>alert('x')</script>";
    let (_, page) = desa.get(&format!("/anggota?q={}", enc(script))).await;
    assert!(
        !page.contains(script) && page.contains("&#60;script&#62;"),
        "search echo escaped"
    );
    let village = server.sample.focus_village();
    let (person, _) = server.sample.in_village(&village).next().expect("someone");
    let (_, m) = desa
        .get_json(&format!("/api/v1/members/{}", person.id_art))
        .await;
    let mut fields = m.clone();
    fields["alamat"] = json!(format!("JL. {script}"));
    fields["nama_ibu_kandung"] = json!("<b>IBU</b>");
    let (s, saved) = desa
        .send_json(
            Method::PATCH,
            &format!("/api/v1/members/{}", person.id_art),
            &json!({"version": m["version"], "reason": format!("alasan {script}"), "fields": fields}),
        )
        .await;
    if s == StatusCode::OK {
        for path in [
            format!("/anggota/{}", person.id_art),
            format!("/anggota/{}/ubah", person.id_art),
        ] {
            let (_, page) = desa.get(&path).await;
            assert!(!page.contains(script), "{path} must escape");
            assert!(!page.contains("<b>IBU</b>"), "{path} must escape");
        }
    } else {
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{saved}");
    }

    // An oversized body is refused with 413, from its declared length, before
    // any of it is read. (Over a raw connection: a client still writing the
    // body when the answer comes would see a broken pipe instead of the status.)
    let addr = desa.base.trim_start_matches("http://").to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /api/v1/members/{}/recheck HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        person.id_art,
        3 * 1024 * 1024
    );
    tokio::io::AsyncWriteExt::write_all(&mut tcp, head.as_bytes())
        .await
        .expect("write");
    let mut answer = vec![0u8; 64];
    let n = tokio::io::AsyncReadExt::read(&mut tcp, &mut answer)
        .await
        .expect("read");
    let status_line = String::from_utf8_lossy(&answer[..n]).to_string();
    assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line:?}");
    server.stop().await;
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
