//! Test-only helpers over the engine's own types: a deterministic
//! background population (so that u-probabilities and EM see realistic
//! data), and the data-driven `check` used by the hard-case tests. The
//! `|`-separated tables they read come from padu-testkit.

use chrono::{Datelike, NaiveDate};
use padu_core::{
    CivilPerson, IdField, LifeStatus, Nik, RegionCode, RegistryPerson, Sex, VerificationRow,
};
pub(crate) use padu_testkit::table::{civil, registry};
use padu_testkit::{nik_text, today};

use crate::compare::{F_DOB, F_NAME, F_NIK, F_SEX, Level, NF, Vector};
use crate::prepare::{CivilSide, Exec, NONE, Prepared, Rec};
use crate::score::SplitMix;
use crate::{MatchConfig, NoProgress, verify};

const FIRST: &[&str] = &[
    "AGUS", "BUDI", "DEDI", "EKO", "HENDRA", "IRFAN", "JOKO", "KUSNADI", "LUKMAN", "RUDI",
    "SLAMET", "TOTO", "YUDI", "ADE", "ASEP", "DIAN", "SRI", "SITI", "NUR", "DEWI", "RINA", "YULI",
    "ENI", "TUTI", "WATI", "LINA", "MAYA", "NENG", "IIS", "ELI",
];
const LAST: &[&str] = &[
    "SETIAWAN",
    "HIDAYAT",
    "SAPUTRA",
    "SUSANTO",
    "PRASETYO",
    "WIBOWO",
    "SANTOSO",
    "KURNIAWAN",
    "RAHAYU",
    "LESTARI",
    "HANDAYANI",
    "WULANDARI",
    "PURNAMA",
    "NURHAYATI",
    "SUMARNI",
    "MULYANI",
    "SUHENDAR",
    "RAMDANI",
    "FIRMANSYAH",
    "HERMAWAN",
    "GUNAWAN",
    "SUTRISNO",
    "RAHMAN",
    "FAUZI",
];
const VILLAGES: &[&str] = &[
    "32.73.01.1001",
    "32.73.01.1002",
    "32.73.02.1001",
    "32.73.02.1002",
    "32.76.01.1006",
    "32.76.01.1007",
    "32.01.01.1001",
    "32.01.01.1002",
];

/// A deterministic background: `n` civil residents and, for the first `k`
/// of them, a clean registry row. Test records use names outside these lists.
#[expect(
    clippy::cast_possible_truncation,
    reason = "small bounded random draws and a background of a few thousand rows"
)]
pub(crate) fn background(n: usize, k: usize) -> (Vec<RegistryPerson>, Vec<CivilPerson>) {
    let mut rng = SplitMix::new(42);
    let mut civ = Vec::with_capacity(n);
    for i in 0..n {
        let sex = if rng.below(2) == 0 { Sex::L } else { Sex::P };
        let nama = format!(
            "{} {}",
            FIRST[rng.below(FIRST.len())],
            LAST[rng.below(LAST.len())]
        );
        let mother = format!("{} {}", FIRST[16 + rng.below(14)], LAST[8 + rng.below(8)]);
        let dob = NaiveDate::from_ymd_opt(
            1950 + rng.below(70) as i32,
            1 + rng.below(12) as u32,
            1 + rng.below(28) as u32,
        )
        .expect("valid date");
        let village = VILLAGES[rng.below(VILLAGES.len())];
        let region = RegionCode::parse(village).expect("region");
        let district6: String = village
            .chars()
            .filter(char::is_ascii_digit)
            .take(6)
            .collect();
        let nik = nik_text(&district6, dob, sex, 5000 + i as u32);
        civ.push(CivilPerson {
            nik: Nik::parse(&nik, today()).expect("background NIK"),
            no_kk: IdField::parse_kk(&format!(
                "{district6}0101{:02}{:04}",
                10 + rng.below(15),
                1 + i / 3
            )),
            nama: nama.into(),
            jenis_kelamin: sex,
            tempat_lahir: Some(["BANDUNG", "DEPOK", "BOGOR", "GARUT"][rng.below(4)].into()),
            tgl_lahir: dob,
            nama_ibu_kandung: Some(mother.into()),
            alamat: Some(
                format!(
                    "JL {} NO {}",
                    LAST[rng.below(LAST.len())],
                    1 + rng.below(90)
                )
                .into(),
            ),
            rt: Some(format!("{:03}", 1 + rng.below(9)).into()),
            rw: Some(format!("{:03}", 1 + rng.below(9)).into()),
            kode_wilayah: region,
            status_hidup: LifeStatus::Hidup,
            tgl_meninggal: None,
        });
    }
    let reg = civ
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, c)| {
            let mut r = RegistryPerson {
                id_art: format!("BG{i:05}").into(),
                id_keluarga: Some(format!("BGK{:05}", i / 3).into()),
                no_kk: c.no_kk.clone(),
                nik: IdField::Valid(c.nik),
                nama: c.nama.clone(),
                jenis_kelamin: c.jenis_kelamin,
                tempat_lahir: c.tempat_lahir.clone(),
                tgl_lahir: c.tgl_lahir,
                hubungan_keluarga: None,
                nama_ibu_kandung: c.nama_ibu_kandung.clone(),
                alamat: c.alamat.clone(),
                rt: c.rt.clone(),
                rw: c.rw.clone(),
                kode_wilayah: c.kode_wilayah,
                extra: Vec::new(),
            };
            // As in real extracts, one row in ten lives elsewhere in the
            // regency than Dukcapil says (a move the civil record has not
            // followed yet, or the other way round): without them the model
            // would learn that a true match never changes address.
            if i % 10 == 3 {
                let regency = c.kode_wilayah.regency();
                if let Some(v) = VILLAGES
                    .iter()
                    .map(|v| RegionCode::parse(v).expect("region"))
                    .find(|v| v.regency() == regency && *v != c.kode_wilayah)
                {
                    r.kode_wilayah = v;
                    r.alamat = Some(format!("GG {} {}", LAST[i % LAST.len()], 1 + i % 7).into());
                    r.no_kk = IdField::Missing;
                }
            }
            // And, as in real extracts, some rows carry a small slip the NIK
            // still vouches for: a letter too many in the name, the day and
            // month of birth swapped. Without them EM sees no true match at
            // those levels and learns them as near vetoes, which no real
            // extract would teach it.
            if i % 10 == 5 {
                r.nama = format!("{}{}", c.nama, &c.nama[c.nama.len() - 1..]).into();
            }
            if i % 10 == 7 {
                let (d, m) = (c.tgl_lahir.day(), c.tgl_lahir.month());
                if let Some(swapped) = NaiveDate::from_ymd_opt(c.tgl_lahir.year(), d, m)
                    && d != m
                {
                    r.tgl_lahir = swapped;
                }
            }
            r
        })
        .collect();
    (reg, civ)
}

/// One result row in the compact form the hard-case tests compare.
pub(crate) fn compact(r: &VerificationRow) -> String {
    let mut s = format!("{} {}", r.id_art, r.status);
    let flags = padu_core::Flag::join(&r.flags);
    if !flags.is_empty() {
        s.push_str(&format!(" [{flags}]"));
    }
    s.push_str(&format!(" {}", r.tindakan));
    if let Some(n) = &r.nik_usulan {
        s.push_str(&format!(" usulan={n}"));
    }
    if let Some(u) = &r.id_art_utama {
        s.push_str(&format!(" utama={u}"));
    }
    s
}

/// Runs the engine on the given rows over the background population and
/// returns the compact results of the given (non-background) rows.
pub(crate) fn run(registry_text: &str, civil_text: &str) -> Vec<VerificationRow> {
    let (mut reg, mut civ) = background(2000, 400);
    let test_reg = registry(registry_text);
    let n_test = test_reg.len();
    reg.extend(test_reg);
    civ.extend(civil(civil_text));
    let cfg = MatchConfig {
        u_samples: 40_000,
        ..MatchConfig::default()
    };
    let out = verify(&reg, &civ, &cfg, &NoProgress).expect("the engine runs");
    out.rows[out.rows.len() - n_test..].to_vec()
}

/// The data-driven check: the compact result lines of the test rows must equal `expected`.
#[track_caller]
pub(crate) fn check(registry_text: &str, civil_text: &str, expected: &str) {
    let rows = run(registry_text, civil_text);
    let got: Vec<String> = rows.iter().map(compact).collect();
    let want: Vec<String> = expected
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    assert_eq!(
        got,
        want,
        "\nkindly compare\n got: {got:#?}\nwant: {want:#?}\nketerangan: {:#?}",
        rows.iter().map(|r| &r.keterangan).collect::<Vec<_>>()
    );
}

/// A comparison vector with the given name, birth-date, sex and NIK levels
/// and full agreement elsewhere.
pub(crate) fn levels(name: Level, dob: Level, sex: Level, nik: Level) -> Vector {
    let mut v = [0u8; NF];
    (v[F_NAME], v[F_DOB], v[F_SEX], v[F_NIK]) = (name, dob, sex, nik);
    v
}

/// A record with only a NIK, for blocking-key tests.
pub(crate) fn rec_with_nik(nik: u64) -> Rec {
    Rec {
        nik,
        nik_digits: nik,
        kk: 0,
        name: NONE,
        mother: NONE,
        place: NONE,
        addr: "".into(),
        dob: today(),
        sex: Sex::L,
        nik_repeats_dob: false,
        region: RegionCode::parse("32.73.01.1001").expect("region"),
        household: NONE,
        plan: Default::default(),
    }
}

/// An empty prepared context.
pub(crate) fn empty_ctx() -> Prepared<'static> {
    static EMPTY: std::sync::LazyLock<CivilSide> =
        std::sync::LazyLock::new(|| CivilSide::prepare(&[]));
    EMPTY.registry(&[], Exec::Parallel)
}
