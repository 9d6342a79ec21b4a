//! Accuracy and speed on synthetic data: generates a population with
//! `padu-gen` (or reuses one), runs `verify` and prints `eval::score`.
//!
//! `cargo run --release -p padu-match --example accuracy -- [PEOPLE] [SEED] [THREADS] [REGISTRY_FRACTION] [WILAYAH]`
//!
//! Data is cached in `$TMPDIR/padu-match-accuracy-PEOPLE-SEED-FRACTION/` so repeated runs only re-match.

use std::time::Instant;

use padu_core::{Flag, NikStatus, RegionCode, VerificationRow};
use padu_match::{MatchConfig, NoProgress, eval, verify};

use padu_testkit::generated;

/// A `/proc/self/status` memory figure in kB (0 where unavailable).
fn vm(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// CPU seconds (user + system) this process has used, from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let people: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let threads: Option<usize> = args.get(3).and_then(|s| s.parse().ok());
    let fraction: f64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(0.3);
    let wilayah: Option<RegionCode> = args
        .get(5)
        .map(|s| RegionCode::parse(s).expect("wilayah code"));
    let today = padu_testkit::today();
    let dir = std::env::temp_dir().join(format!(
        "padu-match-accuracy-{people}-{seed}-{fraction}-{}",
        wilayah.map_or("all".to_string(), |w| w.compact())
    ));
    if !dir.join("truth.csv").exists() {
        std::fs::create_dir_all(&dir).expect("mkdir");
        let t = Instant::now();
        let cfg = padu_gen::GenConfig {
            people,
            seed,
            wilayah,
            today,
            registry_fraction: fraction,
        };
        padu_gen::generate(&cfg, &dir, &|_| {}).expect("generate");
        eprintln!(
            "generated in {:.1}s into {}",
            t.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    let t = Instant::now();
    let civil = generated::civil(&dir);
    let registry = generated::registry(&dir);
    let truth = generated::truth(&dir);
    eprintln!(
        "read {} civil, {} registry in {:.1}s",
        civil.len(),
        registry.len(),
        t.elapsed().as_secs_f64()
    );
    let recall = std::env::var_os("PADU_RECALL").is_some();
    let cfg = MatchConfig {
        threads,
        explain: recall,
        ..MatchConfig::default()
    };
    let before = vm("VmRSS");
    // Resets the peak-RSS counter so that VmHWM below covers verify only.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let t = Instant::now();
    let cpu0 = cpu_seconds();
    let out = verify(&registry, &civil, &cfg, &NoProgress).expect("the engine runs");
    let wall = t.elapsed().as_secs_f64();
    println!(
        "verify: {wall:.2}s wall, {:.2}s CPU; RSS before {} MB, peak during verify {} MB",
        cpu_seconds() - cpu0,
        before / 1024,
        vm("VmHWM") / 1024
    );
    for s in &out.stats.stages {
        println!("  {:<14} {:>7.2}s", s.stage, s.seconds);
    }
    println!(
        "candidate pairs {} ({:.1}/row), dedup pairs {}, groups {}, lambda {:.4}, dedup lambda {:.5}, em iterations {}",
        out.stats.candidate_pairs,
        out.stats.candidate_pairs as f64 / registry.len().max(1) as f64,
        out.stats.dedup_pairs,
        out.stats.duplicate_groups,
        out.stats.model.lambda,
        out.stats.dedup_lambda,
        out.stats.model.iterations
    );
    for r in &out.stats.rules {
        println!(
            "  rule {:<24} pairs {:>10} skipped blocks {:>6}",
            r.rule, r.pairs, r.skipped_blocks
        );
    }
    if std::env::var_os("PADU_MODEL").is_some() {
        println!(
            "{}",
            serde_json::to_string_pretty(&out.stats.model).expect("json")
        );
    }
    if recall {
        // Blocking recall, measured as: the true civil person is among the
        // top-k candidates kept (a lower bound of recall over all candidates).
        let (mut found, mut total) = (0u64, 0u64);
        for ((t, e), p) in truth.iter().zip(&out.explanations).zip(&registry) {
            let want = match (&t.nik_usulan, t.status) {
                (Some(n), _) => Some(n.clone()),
                (None, NikStatus::Padan) => p.nik.valid().map(|n| n.to_string()),
                _ => None,
            };
            if let Some(w) = want {
                total += 1;
                found += u64::from(e.candidates.iter().any(|c| c.nik == w));
            }
        }
        println!(
            "blocking recall (true civil person among top {} candidates): {found}/{total} = {:.5}",
            cfg.top_k,
            found as f64 / total.max(1) as f64
        );
    }
    if std::env::var_os("PADU_RULES").is_some() {
        print!("{}", eval::blocking_recall(&registry, &civil, &truth, &cfg));
    }
    let report = eval::score(&out.rows, &truth);
    println!("{report}");
    if let Ok(path) = std::env::var("PADU_DIFF") {
        // Mismatching rows with their truth, for error analysis.
        let mut w = String::new();
        let by_id: std::collections::HashMap<&str, &VerificationRow> =
            truth.iter().map(|t| (t.id_art.as_str(), t)).collect();
        for r in &out.rows {
            let t = by_id[r.id_art.as_str()];
            if r.status != t.status
                || r.flags != t.flags
                || r.nik_usulan != t.nik_usulan
                || r.tindakan != t.tindakan
                || r.id_art_utama != t.id_art_utama
            {
                w.push_str(&format!(
                    "{}\n  got  {} [{}] {} {:?} {:?} {:?}\n  want {} [{}] {} {:?} {:?} ({})\n  {}\n",
                    r.id_art,
                    r.status,
                    Flag::join(&r.flags),
                    r.tindakan,
                    r.nik_usulan,
                    r.id_art_utama,
                    r.skor,
                    t.status,
                    Flag::join(&t.flags),
                    t.tindakan,
                    t.nik_usulan,
                    t.id_art_utama,
                    t.keterangan,
                    r.keterangan
                ));
            }
        }
        std::fs::write(path, w).expect("write diff");
    }
}
