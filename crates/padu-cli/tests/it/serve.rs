//! `padu user` and `padu serve` as an administrator uses them: the first admin
//! from the console, a token for a script, the server answering it, an account
//! disabled from the console while the server runs, and a clean stop on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{padu, run};

/// A plain HTTP/1.1 GET; returns the status code and body.
fn get(addr: &str, path: &str, bearer: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .expect("write");
    let mut response = String::new();
    s.read_to_string(&mut response).expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

#[test]
fn console_accounts_and_a_server_that_stops_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let r = run(
        d,
        &[
            "gen",
            "--people",
            "1500",
            "--seed",
            "5",
            "--wilayah",
            "32.76",
            "--out",
            "data",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(run(d, &["import", "civil", "data/civil.csv"]).code, 0);
    let r = run(d, &["import", "registry", "data/registry.csv"]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let r = run(d, &["verify", "--out", "hasil.csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // The first admin: a generated password that must be changed at first sign-in.
    let r = run(
        d,
        &[
            "user",
            "add",
            "admin",
            "--role",
            "admin",
            "--wilayah",
            "nasional",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("kata sandi awal: "), "{}", r.stdout);
    assert!(r.stdout.contains("harus diganti"), "{}", r.stdout);
    // A role and region that do not fit are refused with the reason.
    let r = run(
        d,
        &[
            "user",
            "add",
            "budi",
            "--role",
            "operator_desa",
            "--wilayah",
            "32.76",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("scope") && r.stderr.contains("Wilayah tidak sesuai peran"),
        "{}",
        r.stderr
    );
    let r = padu(d)
        .args([
            "user",
            "add",
            "pusat",
            "--role",
            "pusdatin",
            "--wilayah",
            "nasional",
            "--name",
            "Data Pusat",
        ])
        .env("PADU_PASSWORD", "rahasia-data-123")
        .output()
        .expect("run");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let r = run(d, &["user", "list"]);
    assert!(
        r.stdout.contains("admin")
            && r.stdout.contains("pusdatin")
            && r.stdout.contains("Data Pusat")
    );
    let r = run(d, &["user", "token", "pusat", "--name", "skrip"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let token = r.stdout.trim().to_string();
    assert!(token.len() > 20, "{token}");

    // The server on a free port; it says where.
    let mut child = padu(d)
        .args(["serve", "--addr", "127.0.0.1:0", "--threads", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("the address")
        .to_string();
    assert_eq!(get(&addr, "/healthz", None).0, 200);
    let (status, body) = get(&addr, "/api/v1/me", Some(&token));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"role\":\"pusdatin\""), "{body}");
    let (status, _) = get(&addr, "/api/v1/members", Some("padu_salah"));
    assert_eq!(status, 401);
    let (status, page) = get(&addr, "/", None);
    assert_eq!(status, 303, "{page}");

    // Disabled from the console while the server runs: the token stops at once.
    assert_eq!(run(d, &["user", "disable", "pusat"]).code, 0);
    assert_eq!(get(&addr, "/api/v1/me", Some(&token)).0, 401);
    let r = run(d, &["user", "reset-password", "admin"]);
    assert!(r.stdout.contains("kata sandi baru: "), "{}", r.stdout);

    // SIGTERM: the server finishes and exits 0.
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("server berhenti"), "{stderr}");
    // Logs carry no NIK: the request log names paths and user ids only.
    assert!(
        !stderr
            .chars()
            .collect::<Vec<_>>()
            .windows(16)
            .any(|w| w.iter().all(char::is_ascii_digit)),
        "{stderr}"
    );
}
