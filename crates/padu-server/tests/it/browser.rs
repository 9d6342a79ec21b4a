//! The village operator's day in a real headless Chromium, driven over
//! WebDriver: sign in, browse, search by a misspelled name, open a household
//! and its evidence, correct an invalid NIK and watch the instant re-check turn
//! it PADAN, save with a reason, see it in the history; another village's
//! household by URL is not found. Also checks a 360-pixel phone screen and
//! page weight, and saves screenshots when `PADU_SCREENSHOTS` names a folder.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::support::{Backend, PASSWORD, TestServer};

/// ChromeDriver on a free port, killed with the test.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "chromedriver not found: run scripts/ensure-chromium.sh (Debian packages chromium, chromium-driver); \
             browser tests never skip",
        );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Driver { child, url }
}

/// A desktop browser window, or with `phone` a 360×780 phone screen (device
/// emulation: a desktop window cannot be made that narrow).
async fn browser(driver: &Driver, phone: bool) -> Client {
    browser_with(driver, phone, None).await
}

/// [`browser`], saving downloads into `downloads` without asking.
async fn browser_with(driver: &Driver, phone: bool, downloads: Option<&std::path::Path>) -> Client {
    let mut options = json!({
        "binary": std::env::var("PADU_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900"]
    });
    if let Some(dir) = downloads {
        options["prefs"] = json!({
            "download.default_directory": dir.to_str().expect("a UTF-8 path"),
            "download.prompt_for_download": false,
            "download.directory_upgrade": true,
        });
    }
    if phone {
        options["mobileEmulation"] = json!({
            "deviceMetrics": {"width": 360, "height": 780, "pixelRatio": 1.0, "touch": true}
        });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session with headless Chromium")
}

/// Saves a screenshot when `PADU_SCREENSHOTS` names a folder; always checks one can be taken.
async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    if let Ok(dir) = std::env::var("PADU_SCREENSHOTS") {
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(format!("{dir}/{name}.png"), png).expect("write screenshot");
    }
}

/// The text of an element, waiting for it to appear (a click does not wait
/// for the next page). The element found may belong to the page being
/// replaced and go stale before its text is read: it is then found again.
async fn text_of(c: &Client, css: &str) -> String {
    for _ in 0..50 {
        let element = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        match element.text().await {
            Ok(text) => return text,
            Err(e) if e.is_stale_element_reference() => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("text of {css}: {e}"),
        }
    }
    panic!("{css}: still replaced after 50 tries")
}

async fn body(c: &Client) -> String {
    text_of(c, "body").await
}

/// Waits until the browser has arrived at `path` (after a click that submits a form).
async fn wait_for_path(c: &Client, path: &str) {
    let mut now = String::new();
    for _ in 0..100 {
        now = c.current_url().await.expect("url").path().to_string();
        if now == path {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("still at {now}, expected {path}");
}

/// Replaces a field's value as a user would: select all, type.
/// Signs in through the sign-in form and waits for the home page.
async fn sign_in(c: &Client, base: &str, username: &str) {
    c.goto(&format!("{base}/masuk")).await.expect("goto");
    type_into(c, "#username", username).await;
    type_into(c, "#password", PASSWORD).await;
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("click");
    wait_for_path(c, "/").await;
}

async fn type_into(c: &Client, css: &str, value: &str) {
    let el = c.find(Locator::Css(css)).await.expect(css);
    el.clear().await.expect("clear");
    el.send_keys(value).await.expect("type");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn village_operator_in_chromium() {
    let server = TestServer::start(Backend::Sqlite).await;
    let (person, row) = server
        .sample
        .invalid_with_proposal()
        .map(|(p, r)| (p.clone(), r.clone()))
        .expect("an invalid NIK with a proposal");
    let proposed = row.nik_usulan.clone().expect("proposal");
    let village = server.sample.focus_village();
    let outsider = server.sample.outside(&village).clone();
    let misspelled = server
        .sample
        .in_village(&village)
        .map(|(p, _)| p)
        .find(|p| p.nama.contains('U'))
        .map(|p| {
            (
                p.id_art.clone(),
                p.nama.replacen('U', "OE", 1).to_lowercase(),
            )
        })
        .expect("a name with U");

    let driver = start_driver().await;
    let c = browser(&driver, false).await;
    let base = &server.base;

    // Sign in.
    c.goto(&format!("{base}/masuk")).await.expect("goto");
    shot(&c, "masuk").await;
    sign_in(&c, base, "desa").await;
    let home = body(&c).await;
    assert!(
        home.contains("NIK_TIDAK_VALID"),
        "home counts findings: {home}"
    );
    shot(&c, "beranda").await;

    // Search by a misspelled name.
    c.goto(&format!("{base}/anggota")).await.expect("goto");
    type_into(&c, "input[name=q]", &misspelled.1).await;
    c.find(Locator::Css("input[name=q]"))
        .await
        .expect("q")
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    let list = c.source().await.expect("source");
    assert!(
        list.contains(misspelled.0.as_str()),
        "{:?} finds {}",
        misspelled.1,
        misspelled.0
    );
    shot(&c, "daftar-cari").await;

    // The household page, then the member's evidence.
    let hh = person.id_keluarga.clone().expect("household");
    c.goto(&format!("{base}/keluarga/{hh}"))
        .await
        .expect("goto");
    let page = body(&c).await;
    assert!(
        page.contains(person.nama.as_str()) && page.contains(&row.keterangan),
        "{page}"
    );
    shot(&c, "keluarga").await;
    c.goto(&format!("{base}/anggota/{}", person.id_art))
        .await
        .expect("goto");
    c.find(Locator::Css("table.evidence"))
        .await
        .expect("per-field evidence");
    assert!(
        body(&c).await.contains(&proposed),
        "the proposed NIK is shown"
    );
    shot(&c, "anggota").await;

    // Edit: a wrong NIK gets an error next to the field.
    let edit = format!("{base}/anggota/{}/ubah", person.id_art);
    c.goto(&edit).await.expect("goto");
    type_into(&c, "#nik", "12345").await;
    type_into(&c, "#reason", "Perbaikan NIK sesuai KK asli").await;
    c.find(Locator::Css("button[value=simpan]"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    let err = text_of(&c, "#nik-error").await;
    assert!(err.contains("16"), "{err}");
    shot(&c, "ubah-galat").await;

    // Typing the right NIK: the instant re-check says PADAN before saving.
    type_into(&c, "#nik", &proposed).await;
    let mut status = String::new();
    for _ in 0..100 {
        if let Ok(el) = c.find(Locator::Css("#recheck-status")).await {
            status = el.text().await.unwrap_or_default();
            if status == "PADAN" {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "PADAN", "instant re-check");
    shot(&c, "periksa-ulang").await;
    type_into(&c, "#reason", "Perbaikan NIK sesuai KK asli").await;
    c.find(Locator::Css("button[value=simpan]"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    wait_for_path(&c, &format!("/anggota/{}", person.id_art)).await;
    let page = body(&c).await;
    assert!(
        page.contains("Perbaikan NIK sesuai KK asli"),
        "history shows the reason"
    );
    shot(&c, "riwayat").await;

    // A comment on the household, for the district office to read.
    c.goto(&format!("{base}/keluarga/{hh}"))
        .await
        .expect("goto");
    type_into(
        &c,
        "#comment-body",
        "NIK sudah dibetulkan sesuai KK; mohon dicek ulang.",
    )
    .await;
    c.find(Locator::Css("#comment-form button[type=submit]"))
        .await
        .expect("send")
        .click()
        .await
        .expect("click");
    wait_for_path(&c, &format!("/keluarga/{hh}")).await;
    let comments = text_of(&c, ".comment").await;
    assert!(
        comments.contains("mohon dicek ulang") && comments.contains("Operator"),
        "{comments}"
    );
    shot(&c, "keluarga-catatan").await;

    // Another village's household by URL: not found.
    let other = outsider.id_keluarga.clone().expect("household");
    c.goto(&format!("{base}/keluarga/{other}"))
        .await
        .expect("goto");
    let title = c.title().await.expect("title");
    assert!(title.starts_with("404"), "{title}");
    assert!(!body(&c).await.contains(outsider.nama.as_str()));

    // Page weight: the list with its stylesheet and script, as transferred.
    c.goto(&format!("{base}/anggota")).await.expect("goto");
    let bytes = c
        .execute(
            "const n = performance.getEntriesByType('navigation')[0];
             const r = performance.getEntriesByType('resource');
             return n.transferSize + r.reduce((s, e) => s + e.transferSize, 0);",
            vec![],
        )
        .await
        .expect("performance");
    let bytes = bytes.as_f64().expect("number");
    assert!(
        bytes > 0.0 && bytes < 100.0 * 1024.0,
        "member list page weighs {bytes} bytes"
    );
    c.close().await.expect("close");

    // The administrator: accounts, and the audit trail with the operator's correction.
    let a = browser(&driver, false).await;
    sign_in(&a, base, "admin").await;
    a.goto(&format!("{base}/pengguna")).await.expect("goto");
    assert!(body(&a).await.contains("kecamatan"), "the account list");
    shot(&a, "pengguna").await;
    a.goto(&format!("{base}/audit")).await.expect("goto");
    let audit = body(&a).await;
    assert!(
        audit.contains("Perbaikan NIK sesuai KK asli") && audit.contains("mohon dicek ulang"),
        "the audit trail shows the correction and the comment"
    );
    shot(&a, "audit").await;
    a.close().await.expect("close");

    // A 360-pixel phone: nothing wider than the screen.
    fits_a_phone(
        &driver,
        base,
        "desa",
        &[
            ("/".to_string(), "ponsel-beranda"),
            ("/anggota".to_string(), "ponsel-daftar"),
            (format!("/anggota/{}", person.id_art), "ponsel-anggota"),
            (format!("/anggota/{}/ubah", person.id_art), "ponsel-ubah"),
            (format!("/keluarga/{hh}"), "ponsel-keluarga"),
        ],
    )
    .await;
    server.stop().await;
}

/// Clicks the button of the step form `step` on a proposal page and waits for the page again.
async fn take_step(c: &Client, id: i64, step: &str) {
    c.find(Locator::Css(&format!("#step-{step} button[type=submit]")))
        .await
        .unwrap_or_else(|e| panic!("no {step} button: {e}"))
        .click()
        .await
        .expect("click");
    // The step's own form is gone once the proposal has moved on.
    let form = format!("id=\"step-{step}\"");
    let mut page = String::new();
    for _ in 0..100 {
        page = c.source().await.unwrap_or_default();
        if page.contains("Langkah tercatat") && !page.contains(&form) {
            assert!(
                c.current_url().await.expect("url").path() == format!("/usulan/{id}"),
                "back on the proposal"
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{step} was not recorded: {page}");
}

/// Chooses `path` in the form's file input and submits the form.
async fn upload_file(c: &Client, form: &str, path: &std::path::Path) {
    c.find(Locator::Css(&format!("{form} input[type=file]")))
        .await
        .expect("file input")
        .send_keys(path.to_str().expect("path"))
        .await
        .expect("choose file");
    c.find(Locator::Css(&format!("{form} button[type=submit]")))
        .await
        .expect("upload button")
        .click()
        .await
        .expect("click");
}

/// The number of the proposal the browser has arrived at.
async fn proposal_in_url(c: &Client) -> i64 {
    for _ in 0..100 {
        let url = c.current_url().await.expect("url");
        if let Some(n) = url
            .path()
            .strip_prefix("/usulan/")
            .and_then(|s| s.parse().ok())
        {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not on a proposal page");
}

/// The village's part after drafting: submit to the deliberation, upload
/// the signed scan `name` into `dir`, record the ratification by `document`.
async fn submit_and_ratify(c: &Client, id: i64, dir: &std::path::Path, name: &str, document: &str) {
    take_step(c, id, "submit").await;
    let scan = dir.join(name);
    std::fs::write(
        &scan,
        format!("%PDF-1.4\n% {name} bertanda tangan\n%%EOF\n"),
    )
    .expect("scan");
    upload_file(c, "#attach-form", &scan).await;
    wait_for_query(c, "ok=attach").await;
    assert!(body(c).await.contains(name), "the scan is listed");
    c.find(Locator::Css(&format!(
        "#document-ratify option[value={document}]"
    )))
    .await
    .expect("document")
    .click()
    .await
    .expect("select");
    take_step(c, id, "ratify").await;
}

/// The Dinsos verifier, head of office and operator each take their step in
/// their own session; `from_list` opens the proposal from the list (with a
/// screenshot of the verifier's list) instead of by its address.
async fn through_dinsos(driver: &Driver, base: &str, id: i64, from_list: bool) {
    for (who, step) in [
        ("verifikator", "verify"),
        ("kepala", "approve"),
        ("dinsos", "send"),
    ] {
        let c = browser(driver, false).await;
        sign_in(&c, base, who).await;
        if from_list {
            c.goto(&format!("{base}/usulan")).await.expect("goto");
            assert!(
                body(&c).await.contains(&format!("#{id}")),
                "{who} sees the proposal in the list"
            );
            if who == "verifikator" {
                shot(&c, "usulan-daftar").await;
            }
        }
        c.goto(&format!("{base}/usulan/{id}")).await.expect("goto");
        take_step(&c, id, step).await;
        c.close().await.expect("close");
    }
}

/// Pusdatin fixes the proposal into the period now open for the village; returns that period.
async fn finalise_now(c: &Client, base: &str, id: i64, village: &str) -> padu_core::Period {
    c.goto(&format!("{base}/usulan/{id}")).await.expect("goto");
    let region = padu_core::RegionCode::parse(village).expect("village");
    let zone = padu_core::ZoneMap::default().zone(region).expect("zone");
    let period = padu_core::CutOff::default().period_of(chrono::Utc::now(), zone);
    type_into(c, "#period-finalise", &period.to_string()).await;
    take_step(c, id, "finalise").await;
    period
}

/// Signs `who` in on a 360-pixel phone and checks that no page of `pages`
/// scrolls sideways; each gets a screenshot under its name.
async fn fits_a_phone(driver: &Driver, base: &str, who: &str, pages: &[(String, &str)]) {
    let phone = browser(driver, true).await;
    sign_in(&phone, base, who).await;
    for (path, name) in pages {
        phone.goto(&format!("{base}{path}")).await.expect("goto");
        let width = phone
            .execute("return document.documentElement.scrollWidth;", vec![])
            .await
            .expect("width");
        let inner = phone
            .execute("return window.innerWidth;", vec![])
            .await
            .expect("inner");
        assert_eq!(
            inner.as_f64(),
            Some(360.0),
            "{path}: wider than a phone screen"
        );
        assert!(
            width.as_f64() <= inner.as_f64(),
            "{path} scrolls sideways on a phone: {width} > {inner}"
        );
        shot(&phone, name).await;
    }
    phone.close().await.expect("close");
}

/// Waits until the browser's URL carries `query` (a form posted to the page it was on).
async fn wait_for_query(c: &Client, query: &str) {
    let mut now = String::new();
    for _ in 0..100 {
        now = c.current_url().await.expect("url").to_string();
        if now.contains(query) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = c.source().await.unwrap_or_default();
    panic!("still at {now}, expected {query}: {page}");
}

/// One proposal in Chromium from the village to Pusdatin: drafted from the
/// member's page, submitted, the signed minutes uploaded as a file and
/// ratified, verified, approved, sent and finalised, each by its own account
/// in its own browser session; the timeline shows every step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposal_through_musdes_dinsos_and_pusdatin_in_chromium() {
    let server = TestServer::start(Backend::Sqlite).await;
    let village = server.sample.focus_village();
    let member = server
        .sample
        .in_village(&village)
        .map(|(p, _)| p.id_art.to_string())
        .next()
        .expect("a member");
    let driver = start_driver().await;
    let base = &server.base;

    // The village operator drafts, submits, attaches the signed minutes and ratifies.
    let c = browser(&driver, false).await;
    sign_in(&c, base, "desa").await;
    c.goto(&format!("{base}/usulan/temuan"))
        .await
        .expect("goto");
    assert!(
        body(&c).await.contains("Usulan Padu"),
        "the findings with Padu's suggestions"
    );
    shot(&c, "usulan-temuan").await;
    c.goto(&format!("{base}/anggota/{member}"))
        .await
        .expect("goto");
    c.find(Locator::Css(&format!("a[href='/anggota/{member}/usulan']")))
        .await
        .expect("the propose link")
        .click()
        .await
        .expect("click");
    wait_for_path(&c, &format!("/anggota/{member}/usulan")).await;
    c.find(Locator::Css("#kind option[value=NONAKTIF]"))
        .await
        .expect("kind")
        .click()
        .await
        .expect("select");
    c.find(Locator::Css("#reason option[value=MENINGGAL]"))
        .await
        .expect("reason")
        .click()
        .await
        .expect("select");
    type_into(&c, "#tgl_meninggal", "30-09-2026").await;
    type_into(
        &c,
        "#note",
        "Meninggal dunia, surat keterangan kelurahan terlampir.",
    )
    .await;
    shot(&c, "usulan-baru").await;
    c.find(Locator::Css("#proposal-form button[type=submit]"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    let id = proposal_in_url(&c).await;
    let dir = tempfile::tempdir().expect("tempdir");
    submit_and_ratify(&c, id, dir.path(), "berita-acara-musdes.pdf", "MUSDES").await;
    c.close().await.expect("close");

    // Dinsos: verifier, head of office, operator; then Pusdatin.
    through_dinsos(&driver, base, id, true).await;
    let c = browser(&driver, false).await;
    sign_in(&c, base, "pusdatin").await;
    let period = finalise_now(&c, base, id, &village).await;
    let page = body(&c).await;
    for state in [
        "Diajukan ke Musdes/Muskel",
        "Disahkan desa/kelurahan",
        "Diverifikasi Dinsos",
        "Disetujui Kepala Dinsos",
        "Dikirim ke Pusdatin",
        "Ditetapkan",
    ] {
        assert!(page.contains(state), "the timeline shows {state}: {page}");
    }
    assert!(
        page.contains(&period.label(padu_core::Lang::Id)),
        "the period"
    );
    shot(&c, "usulan-riwayat").await;
    // Pusdatin then finalises the month on the periods page.
    c.goto(&format!("{base}/periode")).await.expect("goto");
    c.find(Locator::Css("#finalise-form button[type=submit]"))
        .await
        .expect("finalise button")
        .click()
        .await
        .expect("click");
    wait_for_query(&c, "ditetapkan=").await;
    let page = body(&c).await;
    assert!(page.contains(&period.label(padu_core::Lang::Id)), "{page}");
    shot(&c, "periode").await;
    // The regency's dashboard: its villages ranked, the chart, the time left.
    c.goto(&format!("{base}/dasbor?wilayah={}", &village[..5]))
        .await
        .expect("goto");
    let share = text_of(&c, "#share").await;
    assert!(
        share.ends_with('%'),
        "a share of findings resolved: {share}"
    );
    let page = body(&c).await;
    assert!(page.contains("Peringkat desa/kelurahan"), "{page}");
    assert!(
        page.contains("Sisa waktu") || page.contains("sudah lewat"),
        "{page}"
    );
    c.find(Locator::Css("svg.chart"))
        .await
        .expect("the progress chart");
    shot(&c, "dasbor").await;
    c.close().await.expect("close");

    // The list, the proposal and the village's other workflow pages fit a 360-pixel phone.
    fits_a_phone(
        &driver,
        base,
        "desa",
        &[
            ("/usulan".to_string(), "ponsel-usulan-daftar"),
            (format!("/usulan/{id}"), "ponsel-usulan"),
            ("/dasbor".to_string(), "ponsel-dasbor"),
            ("/usulan/lembar-kerja".to_string(), "ponsel-lembar-kerja"),
            ("/usulan/keluarga-baru".to_string(), "ponsel-keluarga-baru"),
            ("/berita-acara/baru".to_string(), "ponsel-berita-acara-baru"),
        ],
    )
    .await;
    server.stop().await;
}

/// A proposal returned by the Dinsos verifier with a reason, corrected by the
/// village on the proposal page and submitted again, in Chromium.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_proposal_is_corrected_and_resubmitted_in_chromium() {
    let server = TestServer::start(Backend::Sqlite).await;
    let village = server.sample.focus_village();
    let member = server
        .sample
        .in_village(&village)
        .map(|(p, _)| p.id_art.to_string())
        .nth(1)
        .expect("a member");
    let driver = start_driver().await;
    let base = &server.base;

    let c = browser(&driver, false).await;
    sign_in(&c, base, "desa").await;
    c.goto(&format!("{base}/anggota/{member}/usulan"))
        .await
        .expect("goto");
    c.find(Locator::Css("#kind option[value=UBAH_DATA]"))
        .await
        .expect("kind")
        .click()
        .await
        .expect("select");
    type_into(&c, "#f-tempat_lahir", "BOGOR").await;
    type_into(&c, "#note", "Tempat lahir sesuai akta kelahiran.").await;
    c.find(Locator::Css("#proposal-form button[type=submit]"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    wait_for_query(&c, "ok=create").await;
    let id = proposal_in_url(&c).await;
    let dir = tempfile::tempdir().expect("tempdir");
    submit_and_ratify(&c, id, dir.path(), "sptjm.pdf", "SPTJM").await;
    c.close().await.expect("close");

    // The verifier returns it with a reason the village can act on.
    let v = browser(&driver, false).await;
    sign_in(&v, base, "verifikator").await;
    v.goto(&format!("{base}/usulan/{id}")).await.expect("goto");
    type_into(&v, "#reason-return", "Lampirkan fotokopi akta kelahiran.").await;
    take_step(&v, id, "return").await;
    v.close().await.expect("close");

    // The village reads the reason, corrects the proposal and submits it again.
    let c = browser(&driver, false).await;
    sign_in(&c, base, "desa").await;
    c.goto(&format!("{base}/usulan/{id}")).await.expect("goto");
    let page = body(&c).await;
    assert!(
        page.contains("Dikembalikan ke desa")
            && page.contains("Lampirkan fotokopi akta kelahiran."),
        "the village sees why: {page}"
    );
    type_into(&c, "#after-tempat_lahir", "KABUPATEN BOGOR").await;
    type_into(&c, "#edit-note", "Akta kelahiran dilampirkan.").await;
    c.find(Locator::Css("#edit-form button[type=submit]"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    wait_for_query(&c, "ok=edit").await;
    take_step(&c, id, "resubmit").await;
    let page = body(&c).await;
    assert!(
        page.contains("KABUPATEN BOGOR") && page.contains("Diajukan ke Musdes/Muskel"),
        "corrected and submitted again: {page}"
    );
    shot(&c, "usulan-dikembalikan").await;
    // Whom to call: the operator directory.
    c.goto(&format!("{base}/kontak")).await.expect("goto");
    assert!(
        body(&c).await.contains("Kepala Dinsos"),
        "the directory lists the office"
    );
    shot(&c, "kontak").await;
    c.close().await.expect("close");
    server.stop().await;
}

/// Waits for a finished download in `dir` and returns its path.
async fn downloaded(dir: &std::path::Path, ext: &str) -> std::path::PathBuf {
    for _ in 0..200 {
        if let Some(p) = std::fs::read_dir(dir)
            .expect("download folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == ext))
        {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no .{ext} was downloaded into {}", dir.display());
}

/// The third proposal of the walk comes in through the offline workbook: the
/// village operator downloads the village's workbook in Chromium, fills in a
/// correction as Excel would save it, uploads it on the page, opens the draft
/// it became and takes it through Musdes, the Dinsos office and Pusdatin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposal_comes_in_through_the_offline_workbook_in_chromium() {
    use padu_testkit::sheet::{Edit, fill_in, text};

    let server = TestServer::start(Backend::Sqlite).await;
    let village = server.sample.focus_village();
    let member = server
        .sample
        .in_village(&village)
        .map(|(p, _)| p.clone())
        .nth(2)
        .expect("a member");
    let driver = start_driver().await;
    let base = &server.base;
    let downloads = tempfile::tempdir().expect("tempdir");

    let c = browser_with(&driver, false, Some(downloads.path())).await;
    sign_in(&c, base, "desa").await;
    c.goto(&format!("{base}/usulan")).await.expect("goto");
    c.find(Locator::Css("#workbook-link"))
        .await
        .expect("the workbook link on the proposals page")
        .click()
        .await
        .expect("click");
    wait_for_path(&c, "/usulan/lembar-kerja").await;
    shot(&c, "lembar-kerja").await;
    c.find(Locator::Css("#download-form button[type=submit]"))
        .await
        .expect("download button")
        .click()
        .await
        .expect("click");
    let book = std::fs::read(downloaded(downloads.path(), "xlsx").await).expect("the workbook");
    assert_eq!(
        padu_testkit::sheet::column(&book, "Anggota", "id_art").len(),
        server.sample.in_village(&village).count(),
        "every member of the village"
    );

    // Offline: the operator types a new address and a note, and saves.
    let new_address = format!("{} GG. MAWAR", member.alamat.clone().unwrap_or_default())
        .trim()
        .to_string();
    let filled = fill_in(
        &book,
        &[
            Edit {
                sheet: "Anggota",
                row_key: &member.id_art,
                column: "baru_alamat",
                value: text(&new_address),
            },
            Edit {
                sheet: "Anggota",
                row_key: &member.id_art,
                column: "catatan",
                value: text("Alamat sesuai surat domisili."),
            },
        ],
    );
    // First with a slip in another row: nothing is saved, the row is named.
    let other = server
        .sample
        .in_village(&village)
        .map(|(p, _)| p.id_art.to_string())
        .nth(3)
        .expect("another member");
    let slipped = fill_in(
        &filled,
        &[Edit {
            sheet: "Anggota",
            row_key: &other,
            column: "baru_tgl_lahir",
            value: text("31-02-1990"),
        }],
    );
    let path = downloads.path().join("lembar-kerja-salah.xlsx");
    std::fs::write(&path, &slipped).expect("save");
    upload_file(&c, "#upload-form", &path).await;
    let errors = text_of(&c, "#upload-errors").await;
    assert!(
        errors.contains(":baru_tgl_lahir: tanggal \"31-02-1990\" tidak ada di kalender"),
        "{errors}"
    );
    assert!(body(&c).await.contains("Tidak ada yang disimpan: 1 galat"));
    shot(&c, "lembar-kerja-galat").await;

    let path = downloads.path().join("lembar-kerja-terisi.xlsx");
    std::fs::write(&path, &filled).expect("save");
    upload_file(&c, "#upload-form", &path).await;
    let result = text_of(&c, "#upload-result").await;
    assert!(
        result.contains("1 usulan DRAFT dibuat, 0 baris dilewati, dari 1 baris yang terisi"),
        "{result}"
    );
    shot(&c, "lembar-kerja-hasil").await;
    c.find(Locator::Css("#upload-created a[href^='/usulan/']"))
        .await
        .expect("the new proposal's link")
        .click()
        .await
        .expect("click");
    let id = proposal_in_url(&c).await;
    let page = body(&c).await;
    assert!(
        page.contains(&new_address) && page.contains("dari lembar kerja offline"),
        "{page}"
    );

    // From here on the same road as every proposal.
    submit_and_ratify(&c, id, downloads.path(), "sptjm.pdf", "SPTJM").await;
    c.close().await.expect("close");
    through_dinsos(&driver, base, id, false).await;
    let c = browser(&driver, false).await;
    sign_in(&c, base, "pusdatin").await;
    finalise_now(&c, base, id, &village).await;
    c.goto(&format!("{base}/anggota/{}", member.id_art))
        .await
        .expect("goto");
    assert!(
        body(&c).await.contains(&new_address),
        "the registry has the new address"
    );
    c.close().await.expect("close");
    server.stop().await;
}

/// The Dinsos operator writes a letter to a village in Chromium (the form
/// comes filled with the office's text; the village is ticked), reads the
/// numbered letter with the village's progress, and the village operator
/// finds it on the home page. The PDF's first two pages become screenshots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_letter_to_a_village_in_chromium() {
    let server = TestServer::start(Backend::Sqlite).await;
    let village = server.sample.focus_village();
    let compact = village.replace('.', "");
    let driver = start_driver().await;
    let base = &server.base;

    let c = browser(&driver, false).await;
    sign_in(&c, base, "dinsos").await;
    c.goto(&format!("{base}/surat")).await.expect("goto");
    c.find(Locator::Css("#new-letter"))
        .await
        .expect("the new-letter link")
        .click()
        .await
        .expect("click");
    wait_for_path(&c, "/surat/baru").await;
    let deadline = (chrono::Utc::now() + chrono::Duration::days(10))
        .format("%d-%m-%Y")
        .to_string();
    type_into(&c, "#deadline", &deadline).await;
    type_into(&c, "#signatory_name", "Dra. SITI AMINAH, M.Si.").await;
    type_into(&c, "#signatory_id", "19700101 199003 2 001").await;
    c.find(Locator::Css(&format!("#v-{compact}")))
        .await
        .expect("the village's box")
        .click()
        .await
        .expect("tick");
    shot(&c, "surat-baru").await;
    c.find(Locator::Css("#letter-form button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    wait_for_query(&c, "dibuat=1").await;
    let number = text_of(&c, "#letter-number").await;
    assert!(number.starts_with("400.9/001/Dinsos/"), "{number}");
    let page = body(&c).await;
    assert!(page.contains("Kemajuan per desa/kelurahan"), "{page}");
    shot(&c, "surat").await;
    let id = c
        .current_url()
        .await
        .expect("url")
        .path()
        .trim_start_matches("/surat/")
        .to_string();
    c.close().await.expect("close");

    // The PDF as the office prints it; its pages as pictures for the docs.
    let (_, kind, pdf) = server
        .sign_in("dinsos")
        .await
        .get_bytes(&format!("/surat/{id}/pdf"))
        .await;
    assert_eq!(kind, "application/pdf");
    assert!(crate::letters::pdf_text(&pdf).contains(&number));
    if let Ok(dir) = std::env::var("PADU_SCREENSHOTS") {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("surat.pdf");
        std::fs::write(&path, &pdf).expect("pdf");
        let ok = std::process::Command::new("pdftoppm")
            .args(["-r", "70", "-png", "-f", "1", "-l", "2"])
            .arg(&path)
            .arg(format!("{dir}/surat-halaman"))
            .status()
            .expect("pdftoppm");
        assert!(ok.success());
    }

    fits_a_phone(
        &driver,
        base,
        "dinsos",
        &[
            (format!("/surat/{id}"), "ponsel-surat"),
            ("/surat/baru".to_string(), "ponsel-surat-baru"),
        ],
    )
    .await;
    let v = browser(&driver, false).await;
    sign_in(&v, base, "desa").await;
    let letters = text_of(&v, "#home-letters").await;
    assert!(letters.contains(&number), "{letters}");
    shot(&v, "beranda-surat").await;
    v.close().await.expect("close");
    server.stop().await;
}

/// The village records the minutes of its deliberation in Chromium: two
/// submitted proposals are gathered, the signed scan is uploaded, and both
/// are ratified with one click. The draft minutes' first page becomes a screenshot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minutes_ratify_proposals_in_chromium() {
    let server = TestServer::start(Backend::Sqlite).await;
    let village = server.sample.focus_village();
    let people: Vec<String> = server
        .sample
        .in_village(&village)
        .map(|(p, _)| p.id_art.to_string())
        .take(2)
        .collect();
    let api = server.sign_in("desa").await;
    let a = crate::minutes::submitted(&api, &people[0], "KOTA BOGOR").await;
    let b = crate::minutes::submitted(&api, &people[1], "KABUPATEN BOGOR").await;
    let driver = start_driver().await;
    let base = &server.base;

    let c = browser(&driver, false).await;
    sign_in(&c, base, "desa").await;
    c.goto(&format!("{base}/usulan")).await.expect("goto");
    c.find(Locator::Css("#minutes-link"))
        .await
        .expect("the minutes link")
        .click()
        .await
        .expect("click");
    wait_for_path(&c, "/berita-acara").await;
    c.find(Locator::Css("#new-minutes"))
        .await
        .expect("new minutes")
        .click()
        .await
        .expect("click");
    wait_for_path(&c, "/berita-acara/baru").await;
    type_into(&c, "#number", "140/12/BA-MUSDES/XII/2026").await;
    type_into(&c, "#place", "Balai Desa").await;
    type_into(
        &c,
        "#attendees",
        "H. UJANG — Kepala Desa\nSITI — Ketua BPD\nAHMAD — Pendamping PKH",
    )
    .await;
    type_into(
        &c,
        "#signatories",
        "H. UJANG — Kepala Desa\nSITI — Ketua BPD",
    )
    .await;
    c.find(Locator::Css("#minutes-form button[type=submit]"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    wait_for_query(&c, "ok=create").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let scan = dir.path().join("berita-acara-ttd.pdf");
    std::fs::write(&scan, b"%PDF-1.4\n% berita acara bertanda tangan\n%%EOF\n").expect("scan");
    upload_file(&c, "#scan-form", &scan).await;
    wait_for_query(&c, "ok=scan").await;
    c.find(Locator::Css("#ratify-form button[type=submit]"))
        .await
        .expect("the ratify button, once the scan is there")
        .click()
        .await
        .expect("click");
    wait_for_query(&c, "ok=ratify").await;
    let page = body(&c).await;
    assert!(page.contains("DISAHKAN_DESA"), "{page}");
    shot(&c, "berita-acara").await;
    let id = c
        .current_url()
        .await
        .expect("url")
        .path()
        .trim_start_matches("/berita-acara/")
        .to_string();
    c.close().await.expect("close");
    fits_a_phone(
        &driver,
        base,
        "desa",
        &[
            (format!("/berita-acara/{id}"), "ponsel-berita-acara"),
            ("/berita-acara".to_string(), "ponsel-berita-acara-daftar"),
        ],
    )
    .await;
    for p in [a, b] {
        let (_, j) = api.get_json(&format!("/api/v1/proposals/{p}")).await;
        assert_eq!(j["proposal"]["state"], "DISAHKAN_DESA");
    }
    let (_, _, pdf) = api
        .get_bytes(&format!("/berita-acara/{id}/dokumen/draf.pdf"))
        .await;
    assert!(crate::letters::pdf_text(&pdf).contains("BERITA ACARA MUSYAWARAH DESA"));
    if let Ok(out) = std::env::var("PADU_SCREENSHOTS") {
        let path = dir.path().join("draf.pdf");
        std::fs::write(&path, &pdf).expect("pdf");
        let ok = std::process::Command::new("pdftoppm")
            .args(["-r", "70", "-png", "-f", "1", "-l", "2"])
            .arg(&path)
            .arg(format!("{out}/berita-acara-draf"))
            .status()
            .expect("pdftoppm");
        assert!(ok.success());
    }
    server.stop().await;
}
