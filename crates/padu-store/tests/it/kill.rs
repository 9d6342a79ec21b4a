//! A process killed with SIGKILL in the middle of an import leaves nothing behind, on both backends.
//!
//! The test re-runs its own test binary as a child that imports batch after
//! batch inside one transaction; once the child reports that rows are staged,
//! the parent kills it and checks that the store holds only what was committed
//! before.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use padu_core::RegistryPerson;
use padu_store::{Scope, Store};

const URL_ENV: &str = "PADU_STORE_KILL_CHILD_URL";
const MARKER_ENV: &str = "PADU_STORE_KILL_CHILD_MARKER";

fn seed() -> Vec<RegistryPerson> {
    vec![
        padu_testkit::person("S1", Some("K1"), "32.76.01.1001", "SEBELUM"),
        padu_testkit::person("S2", Some("K1"), "32.76.01.1001", "SEBELUM"),
    ]
}

/// The child's side: imports until it is killed. Started only by the tests below.
#[test]
#[ignore = "child process of the kill tests; does nothing unless they start it"]
fn child_imports_until_killed() {
    let (Ok(url), Ok(marker)) = (std::env::var(URL_ENV), std::env::var(MARKER_ENV)) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let store = Store::connect(&url).await.unwrap();
        let mut imp = store.begin_registry_import("dibunuh.csv").await.unwrap();
        let mut changed = seed();
        changed[0].nama = "SESUDAH".into();
        imp.push(&changed).await.unwrap();
        for b in 0..200 {
            let batch: Vec<RegistryPerson> = (0..1_000)
                .map(|i| {
                    padu_testkit::person(&format!("X{b:03}{i:04}"), None, "33.01.02.2003", "X")
                })
                .collect();
            imp.push(&batch).await.unwrap();
            if b == 2 {
                std::fs::write(&marker, b"staged").unwrap();
            }
        }
        // Never finishes: wait to be killed with the transaction open.
        std::future::pending::<()>().await;
    });
}

async fn killed_import_leaves_only_what_was_committed(url: &str, dir: &Path) {
    let store = Store::connect(url)
        .await
        .unwrap()
        .with_today(padu_testkit::today());
    let mut imp = store.begin_registry_import("awal.csv").await.unwrap();
    imp.push(&seed()).await.unwrap();
    imp.finish().await.unwrap();

    let marker = dir.join("staged");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "kill::child_imports_until_killed",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(URL_ENV, url)
        .env(MARKER_ENV, &marker)
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !marker.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child import exited before it was killed: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the child import never staged its rows"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructor, no rollback from the client.
    child.wait().unwrap();

    let after = Store::connect(url)
        .await
        .unwrap()
        .with_today(padu_testkit::today());
    assert_eq!(after.load_registry(Scope::National).await.unwrap(), seed());
    let runs = after.import_runs().await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].source, "awal.csv");
    assert_eq!(
        after
            .person_history(Scope::National, "S1")
            .await
            .unwrap()
            .len(),
        1
    );
    // The store still accepts a new import after the crash.
    let mut imp = after.begin_registry_import("lagi.csv").await.unwrap();
    imp.push(&seed()).await.unwrap();
    assert_eq!(imp.finish().await.unwrap().unchanged, 2);
}

#[tokio::test]
async fn sqlite_import_killed_with_sigkill_leaves_only_what_was_committed() {
    let (dir, url) = padu_testkit::db::sqlite_unmigrated().await;
    killed_import_leaves_only_what_was_committed(&url, dir.path()).await;
}

#[tokio::test]
async fn postgres_import_killed_with_sigkill_leaves_only_what_was_committed() {
    let dir = tempfile::tempdir().unwrap();
    let (_guard, url) = padu_testkit::db::postgres_unmigrated().await;
    killed_import_leaves_only_what_was_committed(&url, dir.path()).await;
}
