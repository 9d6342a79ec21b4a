//! Whole-pipeline tests: edge inputs, determinism, threads, progress and explanations.

use std::sync::Mutex;

use padu_core::NikStatus;

use crate::testkit::{background, civil, registry};
use crate::{MatchConfig, NoProgress, Progress, verify};

#[derive(Default)]
struct Recorder {
    stages: Mutex<Vec<(String, u64, u64)>>,
}

impl Progress for Recorder {
    fn stage(&self, name: &str, total: u64) {
        self.stages
            .lock()
            .unwrap()
            .push((name.to_string(), total, 0));
    }
    fn inc(&self, n: u64) {
        if let Some(last) = self.stages.lock().unwrap().last_mut() {
            last.2 += n;
        }
    }
}

fn small_cfg() -> MatchConfig {
    MatchConfig {
        u_samples: 20_000,
        ..MatchConfig::default()
    }
}

#[test]
fn empty_inputs_give_empty_results() {
    let out = verify(&[], &[], &small_cfg(), &NoProgress).expect("the engine runs");
    assert!(out.rows.is_empty());
    assert_eq!(out.stats.candidate_pairs, 0);
}

#[test]
fn a_registry_without_any_civil_extract_is_all_not_found_or_without_nik() {
    let reg = registry(
        "id_art|nik|nama|jenis_kelamin|tgl_lahir|kode_wilayah
         A1|3273015205800001|SITI AMINAH|P|1980-05-12|32.73.01.1001
         A2||BUDI|L|1990-01-01|32.73.01.1001",
    );
    let out = verify(&reg, &[], &small_cfg(), &NoProgress).expect("the engine runs");
    let st: Vec<NikStatus> = out.rows.iter().map(|r| r.status).collect();
    assert_eq!(st, vec![NikStatus::NikTidakDitemukan, NikStatus::TanpaNik]);
    assert!(
        out.rows
            .iter()
            .all(|r| r.skor.is_none() && r.nik_usulan.is_none())
    );
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let (reg, civ) = background(4900, 3000);
    let run = |threads| {
        verify(
            &reg,
            &civ,
            &MatchConfig {
                threads: Some(threads),
                explain: true,
                ..small_cfg()
            },
            &NoProgress,
        )
        .expect("the engine runs")
    };
    let (one, two) = (run(1), run(3));
    assert_eq!(one.rows, two.rows);
    // Down to the last bit of every weight and of the prior EM learnt.
    assert_eq!(one.explanations, two.explanations);
    assert_eq!(one.rows.len(), 3000);
    assert!(one.rows.iter().all(|r| r.status == NikStatus::Padan));
}

#[test]
fn progress_stages_are_reported_and_completed() {
    let (reg, civ) = background(800, 300);
    let rec = Recorder::default();
    verify(&reg, &civ, &small_cfg(), &rec).expect("the engine runs");
    let stages = rec.stages.into_inner().unwrap();
    assert!(stages.len() >= 4);
    for (name, total, done) in stages {
        assert_eq!(total, done, "stage {name}");
    }
}

#[test]
fn explanations_list_the_candidates_with_field_weights() {
    let (reg, civ) = background(800, 50);
    let out = verify(
        &reg,
        &civ,
        &MatchConfig {
            explain: true,
            ..small_cfg()
        },
        &NoProgress,
    )
    .expect("the engine runs");
    assert_eq!(out.explanations.len(), 50);
    let e = &out.explanations[0];
    let best = &e.candidates[0];
    assert_eq!(best.nik, civ[0].nik.to_string());
    assert_eq!(best.fields.len(), crate::compare::NF);
    let total: f64 = e.prior + best.fields.iter().map(|f| f.weight).sum::<f64>();
    assert!((crate::score::Model::probability(total) - best.probability).abs() < 1e-9);
    assert!(
        serde_json::to_string(&out.explanations)
            .unwrap()
            .contains("\"field\":\"nama\"")
    );
}

#[test]
fn civil_records_in_a_test_table_parse() {
    let c = civil(
        "nik|nama|jenis_kelamin|tgl_lahir|kode_wilayah|status_hidup|tgl_meninggal
         3273015205800001|SITI AMINAH|P|1980-05-12|32.73.01.1001|MENINGGAL|2024-01-02",
    );
    assert_eq!(c[0].status_hidup, padu_core::LifeStatus::Meninggal);
    assert!(c[0].tgl_meninggal.is_some());
}

#[test]
fn blocking_recall_counts_true_links_and_duplicates_that_reach_the_comparator() {
    use padu_core::{Action, Flag, VerificationRow};
    let reg = registry(
        "id_art|nik|nama|jenis_kelamin|tgl_lahir|kode_wilayah
         A1|3273015205800002|SITI AMINAH|P|1980-05-12|32.73.01.1001
         A2|3273015205800001|SITI AMINAH|P|1980-05-12|32.73.01.1001
         B1||QQQ ZZZ|L|1950-03-03|32.01.01.1001",
    );
    let civ = civil(
        "nik|nama|jenis_kelamin|tgl_lahir|kode_wilayah
         3273015205800001|SITI AMINAH|P|1980-05-12|32.73.01.1001
         3276010101700001|BUDI SANTOSO|L|1970-01-01|32.76.01.1006",
    );
    let row = |id: &str, status, usulan: Option<&str>, group: Option<&str>| VerificationRow {
        id_art: id.to_string(),
        status,
        flags: group.map(|_| vec![Flag::Ganda]).unwrap_or_default(),
        tindakan: Action::Perbaiki,
        nik_usulan: usulan.map(str::to_string),
        skor: None,
        id_kelompok_ganda: group.map(str::to_string),
        id_art_utama: None,
        keterangan: String::new(),
    };
    // B1 truly is BUDI SANTOSO but shares no blocking key with him: a miss.
    let truth = vec![
        row(
            "A1",
            NikStatus::TidakPadan,
            Some("3273015205800001"),
            Some("T1"),
        ),
        row("A2", NikStatus::Padan, None, Some("T1")),
        row("B1", NikStatus::TanpaNik, Some("3276010101700001"), None),
    ];
    let r = crate::eval::blocking_recall(&reg, &civ, &truth, &small_cfg());
    assert_eq!(
        (
            r.links,
            r.links_found,
            r.duplicate_pairs,
            r.duplicate_pairs_found
        ),
        (3, 2, 1, 1)
    );
    // Only A2's NIK is in the civil registry; both SITI AMINAH rows meet
    // her through several rules (NIK, masked NIK, name and date), so no
    // rule proposes anything alone.
    let nik = r.rules.iter().find(|c| c.rule == "nik_sama").expect("rule");
    assert_eq!(nik.pairs, 1);
    assert!(
        r.rules.iter().all(|c| c.only_true + c.only_false == 0),
        "{:?}",
        r.rules
    );
    assert!((r.link_recall() - 2.0 / 3.0).abs() < 1e-12);
    assert!(r.to_string().contains("blocking recall, dups   1.00000"));
}
