//! `padu period`: finalise two months around a re-import, export the registry
//! as of each, and compare them.

use crate::common::{run, run_words};

#[test]
fn periods_keep_each_months_registry_and_say_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = "id_art,no_kk,nik,nama,jenis_kelamin,tgl_lahir,kode_wilayah";
    std::fs::write(
        d.join("a.csv"),
        format!("{header}\nA1,,3276014501900001,SITI,P,1990-01-05,3276011006\nA2,,,BUDI,L,1991-02-03,3276011006\n"),
    )
    .unwrap();
    assert_eq!(run_words(d, "import registry a.csv").code, 0);
    let u = run_words(d, "user add pusat --role pusdatin --wilayah nasional");
    assert_eq!(u.code, 0, "{}", u.stderr);
    let refused = run_words(d, "period finalise 2026-11 --user tidakada");
    assert_ne!(refused.code, 0);
    let f = run_words(d, "period finalise 2026-11 --user pusat");
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert!(
        f.stdout.contains("periode 2026-11 ditetapkan") && f.stdout.contains("2 orang aktif"),
        "{}",
        f.stdout
    );
    let again = run_words(d, "period finalise 2026-11 --user pusat");
    assert_ne!(again.code, 0, "a period is finalised once");

    // A correction arrives by import; the next month is finalised.
    std::fs::write(
        d.join("b.csv"),
        format!("{header}\nA1,,3276014501900001,SITI AMINAH,P,1990-01-05,3276011006\nA2,,,BUDI,L,1991-02-03,3276011006\n"),
    )
    .unwrap();
    assert_eq!(run_words(d, "import registry b.csv").code, 0);
    assert_eq!(run_words(d, "period finalise 2026-12 --user pusat").code, 0);
    let list = run_words(d, "period list");
    assert_eq!(list.stdout.lines().count(), 2, "{}", list.stdout);

    for (period, nama) in [("2026-11", "SITI,"), ("2026-12", "SITI AMINAH,")] {
        let out = format!("dtks-{period}.csv");
        let r = run(d, &["period", "export", period, "--out", &out]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let csv = std::fs::read_to_string(d.join(&out)).unwrap();
        assert!(
            csv.lines()
                .next()
                .unwrap()
                .ends_with(",versi,berlaku_sejak_periode"),
            "{csv}"
        );
        assert!(csv.contains(nama), "{period}: {csv}");
        assert_eq!(csv.lines().count(), 3, "{csv}");
    }
    let csv = std::fs::read_to_string(d.join("dtks-2026-12.csv")).unwrap();
    let budi = csv.lines().find(|l| l.starts_with("A2,")).unwrap();
    assert!(
        budi.ends_with(",1,2026-11"),
        "BUDI unchanged since 2026-11: {budi}"
    );
    let siti = csv.lines().find(|l| l.starts_with("A1,")).unwrap();
    assert!(
        siti.ends_with(",2,2026-12"),
        "SITI changed in 2026-12: {siti}"
    );

    let diff = run_words(d, "period diff 2026-11 2026-12");
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert!(
        diff.stdout.contains("BERUBAH\t\t3276\t1"),
        "{}",
        diff.stdout
    );
}
