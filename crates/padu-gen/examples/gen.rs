//! Generates a data set from the command line: `gen PEOPLE SEED OUT_DIR [WILAYAH]`.

use std::path::PathBuf;
use std::time::Instant;

use padu_core::regions;
use padu_gen::{GenConfig, generate};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let people: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let out = PathBuf::from(args.get(3).cloned().unwrap_or_else(|| "gen-out".into()));
    let wilayah = args
        .get(4)
        .map(|w| regions().parse_known(w).expect("known wilayah"));
    std::fs::create_dir_all(&out).expect("create output folder");
    let cfg = GenConfig {
        people,
        seed,
        wilayah,
        ..GenConfig::default()
    };
    let t = Instant::now();
    let report = generate(&cfg, &out, &|_| {}).expect("generate");
    eprintln!("{:.2} s", t.elapsed().as_secs_f64());
    println!("{report:#?}");
}
