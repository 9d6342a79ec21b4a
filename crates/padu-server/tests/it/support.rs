//! A real Padu server on a random port over a fresh database holding
//! generated sample data that has been verified once, and a signed-in client.

use std::time::Duration;

use padu_core::{RegistryPerson, VerificationRow};
use padu_match::{MatchConfig, NoProgress, SavedModel};
use padu_server::console::{self, NewAccount};
use padu_server::{Clock, ServerConfig};
use padu_testkit::db::TestDb;
use padu_testkit::generated::Generated;
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// The password of every test account.
pub(crate) const PASSWORD: &str = "sandi-uji-coba-1";

/// The regency the sample data lives in (Kota Depok).
pub(crate) const REGENCY: &str = "32.76";

/// Which database the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// What the sample holds, for tests to pick records from.
pub(crate) struct Sample {
    /// The registry as imported.
    pub(crate) registry: Vec<RegistryPerson>,
    /// The verification of the registry, one row per person, same order.
    pub(crate) rows: Vec<VerificationRow>,
}

impl Sample {
    /// The village the test accounts work in: that of the first person whose
    /// NIK is invalid and for whom the run proposed the right one, so that a
    /// correction can be tried there; else the village with the most people.
    pub(crate) fn focus_village(&self) -> String {
        self.invalid_with_proposal()
            .map(|(p, _)| p.kode_wilayah.dotted())
            .unwrap_or_else(|| self.villages()[0].clone())
    }

    /// The first person with an invalid NIK and a proposed correction.
    pub(crate) fn invalid_with_proposal(&self) -> Option<(&RegistryPerson, &VerificationRow)> {
        self.registry.iter().zip(&self.rows).find(|(_, r)| {
            r.status == padu_core::NikStatus::NikTidakValid && r.nik_usulan.is_some()
        })
    }

    /// A person outside `village` (another district when there is one).
    pub(crate) fn outside(&self, village: &str) -> &RegistryPerson {
        self.registry
            .iter()
            .find(|p| p.kode_wilayah.dotted()[..8] != village[..8])
            .or_else(|| {
                self.registry
                    .iter()
                    .find(|p| p.kode_wilayah.dotted() != village)
            })
            .expect("the sample spans several villages")
    }

    /// Villages by registry people, most first.
    pub(crate) fn villages(&self) -> Vec<String> {
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for p in &self.registry {
            *counts.entry(p.kode_wilayah.dotted()).or_default() += 1;
        }
        let mut v: Vec<_> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter().map(|(c, _)| c).collect()
    }

    /// The people of a village with their verification rows.
    pub(crate) fn in_village<'a>(
        &'a self,
        village: &'a str,
    ) -> impl Iterator<Item = (&'a RegistryPerson, &'a VerificationRow)> + 'a {
        self.registry
            .iter()
            .zip(&self.rows)
            .filter(move |(p, _)| p.kode_wilayah.dotted() == village)
    }
}

/// Every editable field of a person, as the edit form and the API carry them.
pub(crate) fn fields_json(p: &RegistryPerson) -> Value {
    serde_json::to_value(padu_server::edit::EditFields::of(p)).expect("fields serialise")
}

/// A running server and what it serves.
pub(crate) struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
    /// What the database holds.
    pub(crate) sample: Sample,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _db: TestDb,
}

/// One account per role, all with [`PASSWORD`], none forced to change it.
/// Their regions: the busiest village, its district, the regency, the province, national.
pub(crate) fn accounts(village: &str) -> Vec<(&'static str, &'static str, String)> {
    let district = village[..8].to_string();
    let regency = village[..5].to_string();
    let province = village[..2].to_string();
    vec![
        ("desa", "operator_desa", village.to_string()),
        ("kecamatan", "operator_kecamatan", district),
        ("dinsos", "operator_dinsos", regency.clone()),
        ("verifikator", "verifikator_dinsos", regency.clone()),
        ("kepala", "kepala_dinsos", regency.clone()),
        ("provinsi", "admin_provinsi", province),
        ("pusdatin", "pusdatin", "nasional".to_string()),
        ("admin", "admin", "nasional".to_string()),
        ("admin.depok", "admin", regency),
    ]
}

impl TestServer {
    /// Generates, imports and verifies sample data in a fresh database, creates
    /// one account per role, and starts the server with `config` on a random port.
    pub(crate) async fn start_with(backend: Backend, config: ServerConfig) -> TestServer {
        let db = match backend {
            Backend::Sqlite => padu_testkit::db::sqlite().await,
            Backend::Postgres => padu_testkit::db::postgres().await,
        };
        let store = db.store.clone();
        let Generated {
            civil, registry, ..
        } = Generated::within(REGENCY, 4000, 11);
        let mut imp = store
            .begin_civil_import("civil.csv")
            .await
            .expect("begin civil");
        imp.push(&civil).await.expect("push civil");
        imp.finish().await.expect("finish civil");
        let mut imp = store
            .begin_registry_import("registry.csv")
            .await
            .expect("begin registry");
        imp.push(&registry).await.expect("push registry");
        imp.finish().await.expect("finish registry");

        let match_cfg = MatchConfig {
            threads: Some(2),
            ..MatchConfig::default()
        };
        let out = padu_match::verify(&registry, &civil, &match_cfg, &NoProgress).expect("verify");
        let saved = SavedModel {
            model: out.stats.model.clone(),
            config: match_cfg,
        };
        store
            .save_verification_run(
                padu_store::Scope::National,
                &out.rows,
                "{}",
                Some(&serde_json::to_string(&saved).expect("model json")),
            )
            .await
            .expect("save run");
        let sample = Sample {
            registry,
            rows: out.rows,
        };

        for (username, role, scope) in accounts(&sample.focus_village()) {
            console::add_user(
                &store,
                &NewAccount {
                    username: username.into(),
                    display_name: format!("Uji {username}"),
                    role: role.into(),
                    scope,
                    phone: Some("0812-0000-0000".into()),
                    password: Some(PASSWORD.into()),
                    must_change_password: false,
                    lang: padu_core::Lang::Id,
                },
            )
            .await
            .expect("add user");
        }

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            padu_server::serve_on(listener, store, config, Clock::system(), async {
                let _ = rx.await;
            })
            .await
        });
        let server = TestServer {
            base,
            sample,
            shutdown: Some(tx),
            task: Some(task),
            _db: db,
        };
        server.wait_until_ready().await;
        server
    }

    /// [`TestServer::start_with`] the default settings.
    pub(crate) async fn start(backend: Backend) -> TestServer {
        TestServer::start_with(
            backend,
            ServerConfig {
                recheck_threads: Some(2),
                ..ServerConfig::default()
            },
        )
        .await
    }

    /// Waits until the server answers and its re-check index is built.
    async fn wait_until_ready(&self) {
        let client = Client::new();
        for _ in 0..600 {
            if let Ok(r) = client.get(format!("{}/healthz", self.base)).send().await
                && r.status() == StatusCode::OK
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let admin = self.sign_in("desa").await;
        let village = self.sample.focus_village();
        let any = self
            .sample
            .in_village(&village)
            .map(|(p, _)| p)
            .find(|p| p.nik.valid().is_some())
            .expect("someone with a valid NIK");
        for _ in 0..1200 {
            let r = admin
                .post_json(
                    &format!("/api/v1/members/{}/recheck", any.id_art),
                    &fields_json(any),
                )
                .await;
            match r.0 {
                StatusCode::OK => return,
                StatusCode::SERVICE_UNAVAILABLE => {}
                other => panic!("re-check answered {other}: {}", r.1),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the re-check index was not ready within two minutes");
    }

    /// A client with a cookie jar, not signed in.
    pub(crate) fn client(&self) -> Browser {
        Browser {
            base: self.base.clone(),
            http: Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            csrf: None,
        }
    }

    /// A client signed in as `username` through the sign-in form.
    pub(crate) async fn sign_in(&self, username: &str) -> Browser {
        let mut b = self.client();
        let (status, _) = b.sign_in(username, PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "sign-in of {username}");
        b.refresh_csrf().await;
        b
    }

    /// Adds an account of `role` in `scope` (another region's officer, say) and signs it in.
    pub(crate) async fn sign_in_new(&self, username: &str, role: &str, scope: &str) -> Browser {
        console::add_user(
            self.store(),
            &NewAccount {
                username: username.into(),
                display_name: format!("Uji {username}"),
                role: role.into(),
                scope: scope.into(),
                phone: None,
                password: Some(PASSWORD.into()),
                must_change_password: false,
                lang: padu_core::Lang::Id,
            },
        )
        .await
        .expect("add user");
        self.sign_in(username).await
    }

    /// The database under the server, for direct counts to compare its pages with.
    pub(crate) fn store(&self) -> &padu_store::Store {
        &self._db.store
    }

    /// Stops the server gracefully and waits for it.
    pub(crate) async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server");
        }
    }
}

/// A cookie-keeping HTTP client that behaves like a browser with forms.
pub(crate) struct Browser {
    pub(crate) base: String,
    pub(crate) http: Client,
    /// The session's CSRF token, as the pages carry it.
    pub(crate) csrf: Option<String>,
}

/// The value of the first `name="<field>" value="…"` in a page.
pub(crate) fn hidden_value(html: &str, field: &str) -> Option<String> {
    let needle = format!("name=\"{field}\" value=\"");
    let start = html.find(&needle)? + needle.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

impl Browser {
    /// GET a page or file: status and body.
    pub(crate) async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let s = r.status();
        (s, r.text().await.unwrap_or_default())
    }

    /// GET a file: status, content type and bytes.
    pub(crate) async fn get_bytes(&self, path: &str) -> (StatusCode, String, Vec<u8>) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let s = r.status();
        let kind = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (
            s,
            kind,
            r.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
        )
    }

    /// The id of an account, from the account list (the caller must be an admin who can see it).
    pub(crate) async fn user_id(&self, username: &str) -> i64 {
        let (_, users) = self.get_json("/api/v1/users").await;
        users
            .as_array()
            .expect("users")
            .iter()
            .find(|u| u["username"] == username)
            .and_then(|u| u["id"].as_i64())
            .unwrap_or_else(|| panic!("no account {username}"))
    }

    /// GET JSON.
    pub(crate) async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let (s, body) = self.get(path).await;
        (s, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// POST a form (with the session's CSRF token unless `fields` carries one).
    pub(crate) async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if !fields.iter().any(|(k, _)| *k == "_csrf")
            && let Some(t) = &self.csrf
        {
            all.push(("_csrf".into(), t.clone()));
        }
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(&all)
            .send()
            .await
            .expect("POST");
        let s = r.status();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = r.text().await.unwrap_or_default();
        (s, location.unwrap_or(body))
    }

    /// Sends JSON with the CSRF header, as the page's script does.
    pub(crate) async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .json(body);
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        let r = req.send().await.expect("request");
        let s = r.status();
        let text = r.text().await.unwrap_or_default();
        (s, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// POST raw bytes (a file upload through the API) with the CSRF header.
    pub(crate) async fn post_bytes(&self, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/octet-stream")
            .body(body);
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        let r = req.send().await.expect("request");
        let s = r.status();
        let text = r.text().await.unwrap_or_default();
        (s, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// POST a multipart form with one file, as a page's upload form does
    /// (the CSRF token in the query, as the form's action carries it).
    pub(crate) async fn post_file(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, String) {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()),
        );
        let csrf = self.csrf.clone().unwrap_or_default();
        let r = self
            .http
            .post(format!("{}{path}?_csrf={csrf}", self.base))
            .multipart(form)
            .send()
            .await
            .expect("POST multipart");
        let s = r.status();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = r.text().await.unwrap_or_default();
        (s, location.unwrap_or(body))
    }

    /// POST JSON with the CSRF header.
    pub(crate) async fn post_json(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    /// Fills in and sends the sign-in form; returns the status and where it redirects.
    pub(crate) async fn sign_in(&mut self, username: &str, password: &str) -> (StatusCode, String) {
        let (s, page) = self.get("/masuk").await;
        assert_eq!(s, StatusCode::OK, "sign-in page");
        let token = hidden_value(&page, "_csrf").expect("sign-in form carries a CSRF token");
        self.post_form(
            "/masuk",
            &[
                ("_csrf", &token),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Reads the session's CSRF token from a page, as a browser's form would carry it.
    pub(crate) async fn refresh_csrf(&mut self) {
        let (_, page) = self.get("/sandi").await;
        self.csrf = hidden_value(&page, "_csrf");
    }
}
