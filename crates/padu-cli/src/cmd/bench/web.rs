//! `padu bench web`: the web application under load, as operators would load it.
//!
//! Starts `padu serve` as its own process on the given database (so its
//! memory is the server's alone), signs in many sessions, and runs one
//! scenario at a time with every session requesting as fast as answers come:
//! the first page of the national member list, a deep page (keyset), a name
//! search, a household page and the instant re-check. Prints requests per
//! second, latency percentiles, errors, and the server's memory at rest and
//! at its peak.

use std::io::BufRead;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use padu_core::{RegionLevel, RegistryPerson};
use padu_store::{Scope, Store};
use serde::Serialize;

use crate::cli::{BenchWebArgs, WebScenario};

/// The bench accounts' password (they live in a benchmark database only).
const PASSWORD: &str = "bench-web-sandi-1";

/// One scenario's measurements.
#[derive(Debug, Serialize)]
struct Scenario {
    name: String,
    requests: u64,
    errors: u64,
    rps: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// Mean response body size in bytes (as sent, after compression when asked).
    mean_bytes: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    people: u64,
    civil: u64,
    sessions: usize,
    seconds: u64,
    server_ready_s: f64,
    /// Seconds from start until the name-search index covered everyone.
    name_index_s: f64,
    server_rss_rest_mib: f64,
    server_rss_after_mib: f64,
    server_peak_mib: f64,
    /// The process's own memory after the load, without mapped database file
    /// pages (SQLite reads through a memory map; those pages are the OS's file cache).
    server_anon_after_mib: f64,
    scenarios: Vec<Scenario>,
}

/// The server process, stopped with the bench.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Server {
    /// A memory figure of the server process (`VmRSS:`, `VmHWM:`), in MiB.
    fn mib(&self, field: &str) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with(field))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
            .map_or(0.0, |kb| kb / 1024.0)
    }
}

pub(super) fn run(args: &BenchWebArgs, db: &str) -> anyhow::Result<ExitCode> {
    let report = super::super::block_on(bench(args, db))?;
    if args.json {
        out!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    out!(
        "padu bench web: {} orang DTKS, {} penduduk Dukcapil, {} sesi, {} dtk per skenario",
        report.people,
        report.civil,
        report.sessions,
        report.seconds
    );
    out!(
        "server siap dalam {:.1} dtk (indeks nama lengkap setelah {:.1} dtk); memori saat diam {:.0} MiB, sesudah beban {:.0} MiB (tanpa halaman berkas basis data {:.0} MiB), puncak {:.0} MiB",
        report.server_ready_s,
        report.name_index_s,
        report.server_rss_rest_mib,
        report.server_rss_after_mib,
        report.server_anon_after_mib,
        report.server_peak_mib
    );
    out!(
        "{:<26} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>9}",
        "skenario",
        "permintaan",
        "per dtk",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "maks ms",
        "galat",
        "bita"
    );
    for s in &report.scenarios {
        out!(
            "{:<26} {:>9} {:>8.0} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>7} {:>9.0}",
            s.name,
            s.requests,
            s.rps,
            s.p50_ms,
            s.p90_ms,
            s.p99_ms,
            s.max_ms,
            s.errors,
            s.mean_bytes
        );
    }
    let errors: u64 = report.scenarios.iter().map(|s| s.errors).sum();
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Creates the account, or makes its password the bench's again.
async fn bench_account(
    store: &Store,
    username: &str,
    role: &str,
    scope: &str,
) -> anyhow::Result<()> {
    let existing = store
        .users(Scope::National)
        .await?
        .into_iter()
        .find(|u| u.username == username);
    match existing {
        Some(u) => {
            let hash = padu_server::auth::secrets::hash_password(PASSWORD)
                .map_err(|e| anyhow::anyhow!(e))?;
            store
                .set_password(Scope::National, u.app_user_id, &hash, false, None)
                .await?;
            store
                .set_user_disabled(Scope::National, u.app_user_id, false)
                .await?;
        }
        None => {
            padu_server::console::add_user(
                store,
                &padu_server::console::NewAccount {
                    username: username.into(),
                    display_name: format!("Bench {role}"),
                    role: role.into(),
                    scope: scope.into(),
                    phone: None,
                    password: Some(PASSWORD.into()),
                    must_change_password: false,
                    lang: padu_core::Lang::Id,
                },
            )
            .await?;
        }
    }
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A signed-in session: a client with its cookie and CSRF token.
#[derive(Clone)]
struct Session {
    http: reqwest::Client,
    csrf: String,
}

fn hidden(html: &str, field: &str) -> Option<String> {
    let needle = format!("name=\"{field}\" value=\"");
    let start = html.find(&needle)? + needle.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

async fn sign_in(base: &str, username: &str) -> anyhow::Result<Session> {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .build()?;
    let page = http
        .get(format!("{base}/masuk"))
        .send()
        .await?
        .text()
        .await?;
    let token = hidden(&page, "_csrf").context("sign-in form without CSRF token")?;
    let r = http
        .post(format!("{base}/masuk"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await?;
    if r.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("sign-in of {username} answered {}", r.status());
    }
    let page = http
        .get(format!("{base}/sandi"))
        .send()
        .await?
        .text()
        .await?;
    let csrf = hidden(&page, "_csrf").context("no CSRF token after sign-in")?;
    Ok(Session { http, csrf })
}

/// What one request of a scenario is.
#[derive(Clone)]
enum Req {
    Get(String),
    Post(String, serde_json::Value),
}

/// Runs `make(i)` requests from every session for `seconds`; the i-th request of each session is `make(i)`.
async fn scenario(
    name: &str,
    base: &str,
    sessions: &[Session],
    seconds: u64,
    make: impl Fn(usize) -> Req + Send + Sync + Clone + 'static,
) -> Scenario {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (k, s) in sessions.iter().enumerate() {
        let s = s.clone();
        let make = make.clone();
        let base = base.to_string();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let (mut errors, mut bytes) = (0u64, 0u64);
            let mut i = k * 1_000_003;
            while Instant::now() < deadline {
                let req = match make(i) {
                    Req::Get(path) => s.http.get(format!("{base}{path}")),
                    Req::Post(path, body) => s
                        .http
                        .post(format!("{base}{path}"))
                        .header("x-csrf-token", &s.csrf)
                        .json(&body),
                };
                i += 1;
                let t = Instant::now();
                match req.header("accept-encoding", "gzip").send().await {
                    Ok(r) => {
                        let ok = r.status().is_success();
                        match r.bytes().await {
                            Ok(b) if ok => bytes += b.len() as u64,
                            _ => errors += 1,
                        }
                    }
                    Err(_) => errors += 1,
                }
                lat.push(t.elapsed());
            }
            (lat, errors, bytes)
        }));
    }
    let mut all = Vec::new();
    let (mut errors, mut bytes) = (0u64, 0u64);
    for t in tasks {
        if let Ok((lat, e, b)) = t.await {
            all.extend(lat);
            errors += e;
            bytes += b;
        }
    }
    let wall = started.elapsed().as_secs_f64();
    all.sort();
    // The latency at `per_mille`/1000 of the sorted requests (nearest rank).
    let pct = |per_mille: usize| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let idx = ((all.len() - 1) * per_mille + 500) / 1000;
        all[idx].as_secs_f64() * 1000.0
    };
    let n = all.len() as u64;
    Scenario {
        name: name.to_string(),
        requests: n,
        errors,
        rps: n as f64 / wall,
        p50_ms: pct(500),
        p90_ms: pct(900),
        p99_ms: pct(990),
        max_ms: pct(1000),
        mean_bytes: if n > errors {
            bytes as f64 / (n - errors) as f64
        } else {
            0.0
        },
    }
}

/// The fields of a person as the edit form sends them to the re-check.
fn fields(p: &RegistryPerson) -> serde_json::Value {
    serde_json::to_value(padu_server::edit::EditFields::of(p)).unwrap_or_default()
}

fn encode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .unwrap_or_default()
        .trim_start_matches("x=")
        .to_string()
}

async fn bench(args: &BenchWebArgs, db: &str) -> anyhow::Result<Report> {
    let store = Store::connect(db)
        .await
        .with_context(|| format!("membuka basis data {}", super::super::redact(db)))?;
    let stats = store.stats(Scope::National).await?;
    if stats.people == 0 || store.latest_model().await?.is_none() {
        bail!(
            "basis data belum berisi DTKS yang diverifikasi; jalankan dulu `padu gen`, \
             `padu import civil`, `padu import registry` dan `padu verify --out hasil.csv`"
        );
    }
    // Civil residents: every one was new in exactly one finished import.
    let civil: u64 = store
        .import_runs()
        .await?
        .iter()
        .filter(|r| r.kind == "civil" && r.finished_at.is_some())
        .map(|r| u64::try_from(r.new_count).unwrap_or(0))
        .sum();
    // The regency with the most people: the Dinsos whose operators re-check there.
    let regency = stats
        .levels
        .iter()
        .find(|l| l.level == RegionLevel::Regency)
        .and_then(|l| l.regions.iter().max_by_key(|r| r.people))
        .map(|r| r.code)
        .context("no regency with people")?;
    bench_account(&store, "bench-pusdatin", "pusdatin", "nasional").await?;
    bench_account(&store, "bench-dinsos", "operator_dinsos", &regency.dotted()).await?;
    let sample: Vec<RegistryPerson> = store.load_registry(Scope::Region(regency)).await?;

    let port = free_port()?;
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.args(["--db", db, "serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("PADU_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(t) = args.threads {
        cmd.args(["--threads", &t.to_string()]);
    }
    let started = Instant::now();
    let mut child = cmd.spawn().context("starting padu serve")?;
    let stdout = child.stdout.take().context("server stdout")?;
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            eprintln!("server: {line}");
        }
    });
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let base = server.base.clone();
    let probe = reqwest::Client::new();
    for _ in 0..600 {
        if probe.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut pusdatin = Vec::new();
    let mut dinsos = Vec::new();
    for _ in 0..args.sessions {
        pusdatin.push(sign_in(&base, "bench-pusdatin").await?);
        dinsos.push(sign_in(&base, "bench-dinsos").await?);
    }
    // Ready when the re-check answers.
    let probe_person = sample.first().context("empty sample")?.clone();
    loop {
        let r = dinsos[0]
            .http
            .post(format!(
                "{base}/api/v1/members/{}/recheck",
                probe_person.id_art
            ))
            .header("x-csrf-token", &dinsos[0].csrf)
            .json(&fields(&probe_person))
            .send()
            .await?;
        match r.status().as_u16() {
            200 => break,
            503 if started.elapsed() < Duration::from_secs(1800) => {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            s => bail!(
                "re-check answered {s}: {}",
                r.text().await.unwrap_or_default()
            ),
        }
    }
    let server_ready_s = started.elapsed().as_secs_f64();
    // Name search needs the server's background name index of every person;
    // on a freshly imported database it is built after start-up.
    while !store.name_index_stale(1).await?.is_empty() {
        if started.elapsed() > Duration::from_secs(3600) {
            bail!("the name index was not complete within an hour");
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let name_index_s = started.elapsed().as_secs_f64();
    store.close().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rest = server.mib("VmRSS:");

    let wanted = |s: WebScenario| args.scenarios.is_empty() || args.scenarios.contains(&s);
    // The cursor of the deep page, by walking the keyset pages (only when it is measured).
    let walk = if wanted(WebScenario::Deep) {
        args.page
    } else {
        1
    };
    let mut cursor = String::new();
    for _ in 1..walk {
        let page: serde_json::Value = pusdatin[0]
            .http
            .get(format!("{base}/api/v1/members?{cursor}"))
            .send()
            .await?
            .json()
            .await?;
        let Some(n) = page["next"].as_object() else {
            break;
        };
        cursor = format!(
            "w={}&n={}&i={}",
            encode(n["w"].as_str().unwrap_or("")),
            encode(n["n"].as_str().unwrap_or("")),
            encode(n["i"].as_str().unwrap_or(""))
        );
    }

    let names: Vec<String> = sample
        .iter()
        .map(|p| encode(&p.nama.to_lowercase()))
        .collect();
    let households: Vec<String> = {
        let mut h: Vec<String> = sample
            .iter()
            .filter_map(|p| p.id_keluarga.as_deref().map(str::to_string))
            .collect();
        h.dedup();
        h
    };
    let recheck: Vec<(String, serde_json::Value)> = sample
        .iter()
        .map(|p| (p.id_art.to_string(), fields(p)))
        .collect();
    let secs = args.seconds;
    let mut scenarios = Vec::new();
    if wanted(WebScenario::List) {
        scenarios.push(
            scenario("daftar anggota hal. 1", &base, &pusdatin, secs, |_| {
                Req::Get("/anggota".into())
            })
            .await,
        );
    }
    let deep = format!("/anggota?{cursor}");
    if wanted(WebScenario::Deep) {
        scenarios.push(
            scenario(
                &format!("daftar anggota hal. {}", args.page),
                &base,
                &pusdatin,
                secs,
                move |_| Req::Get(deep.clone()),
            )
            .await,
        );
    }
    if wanted(WebScenario::Search) {
        scenarios.push(
            scenario("cari nama (nasional)", &base, &pusdatin, secs, move |i| {
                Req::Get(format!("/anggota?q={}", names[i % names.len()]))
            })
            .await,
        );
    }
    if wanted(WebScenario::Household) {
        scenarios.push(
            scenario("halaman keluarga", &base, &pusdatin, secs, move |i| {
                Req::Get(format!("/keluarga/{}", households[i % households.len()]))
            })
            .await,
        );
    }
    if wanted(WebScenario::Recheck) {
        scenarios.push(
            scenario("periksa ulang (API)", &base, &dinsos, secs, move |i| {
                let (id, body) = &recheck[i % recheck.len()];
                Req::Post(format!("/api/v1/members/{id}/recheck"), body.clone())
            })
            .await,
        );
    }
    let after = server.mib("VmRSS:");
    let peak = server.mib("VmHWM:");
    let anon = server.mib("RssAnon:");
    drop(server);
    Ok(Report {
        people: stats.people,
        civil,
        sessions: args.sessions,
        seconds: secs,
        server_ready_s,
        name_index_s,
        server_rss_rest_mib: rest,
        server_rss_after_mib: after,
        server_peak_mib: peak,
        server_anon_after_mib: anon,
        scenarios,
    })
}
