//! Synthetic, deterministic Indonesian registry and civil-registry data with ground truth.
//!
//! [`generate`] writes three files in the interchange formats of
//! `docs/interchange.md`:
//!
//! - `civil.csv`: a Dukcapil extract of exactly [`GenConfig::people`] residents,
//! - `registry.csv`: a DTKS extract drawn from it, whole households, with the errors operators make,
//! - `truth.csv`: for every registry row, in the same order, the verification result a perfect engine would give.
//!
//! The same configuration always produces byte-identical files, whatever the
//! number of threads: work is split into chunks of households with their own
//! seeded ChaCha8 streams, and everything order-dependent is done in one
//! sequential pass.
//!
//! # Honesty
//!
//! This crate is the yardstick of the matching engine (`padu-match`), so it
//! shares no code or tables with it: the name lists, nicknames, spelling
//! variants and abbreviations here are the generator's own. The truth is
//! computed from what was generated, never by matching.
//!
//! # The population
//!
//! - Households are placed in real regencies by their 2025 population
//!   (`penduduk_2025.csv`), villages uniformly within the regency among the
//!   current villages of the bundled Kemendagri list. `--wilayah` restricts
//!   homes to villages contained in the given code.
//! - A household is one family card (KK): district + issue date (after the
//!   youngest member's birth) + serial. Members share the address (`JL. MELATI
//!   NO. 12`, `DUSUN KRAJAN`, `KP. SUKAMAJU`, `BANJAR ...`), RT and RW 001–015.
//!   Heads are mostly men (87%); a wife for most married heads; 0–6 children
//!   spaced 1–5 years from a mother aged 18–28 at the first birth (poorer
//!   households have more); sometimes a married child with spouse and
//!   grandchildren, an elderly parent or parent-in-law, or another relative.
//!   Children's `nama_ibu_kandung` is their mother's name; an `ORANG TUA` is
//!   the head's mother and carries the head's `nama_ibu_kandung` as her name.
//! - Names follow the region's mix of naming traditions (Javanese mononyms,
//!   Sundanese, Batak marga, Minang, Bugis ANDI/DAENG, Minahasa fam, Balinese
//!   birth-order names, Chinese-Indonesian, Hadrami, eastern Christian names),
//!   drawn with Zipf-like weights so common names collide; older people get
//!   older names. Some adults carry titles (H., HJ., DRS., IR., `, S.PD.`).
//! - NIKs are valid (`Nik::parse`): issue district, birth date (+40 for women),
//!   serial numbered from 0001 per district and date. About 15% of adults got
//!   their NIK in another district than where they live now (other district of
//!   the regency, or another regency); in the Papua provinces half of the
//!   people born before 2021 keep the retired pre-2022 district code, and a few
//!   movers elsewhere carry a retired code too.
//! - Deaths: 0.25% under 40, 1.4% at 40–59, 4.5% at 60–69, 10% at 70–79, 20% above,
//!   with a death date in the last four years (`status_hidup` `MENINGGAL`).
//! - Hard negatives: twins (1.2% of births; same KK, address, birth date and
//!   mother, consecutive NIK serials, names like HASAN/HUSEIN or sharing a
//!   second name), namesakes (1.2% of heads take the name of an earlier
//!   head, with the same birth date or the same birth year, in another
//!   village), sons named after their father (1% of the sons of a male head:
//!   same card, address and name, another birth date and mother) and
//!   Dukcapil's placeholder birth dates (6% of people born before 1975 are
//!   recorded on 31 December or 1 July of their year, so those dates crowd).
//!   The truth's `keterangan` names these traits (`kembar`, `senama dengan
//!   kepala keluarga lain`, `senama dengan ayahnya`, `tanggal lahir pengganti
//!   Dukcapil`) so that `padu bench` can score each case.
//!
//! # The registry
//!
//! Households enter the registry with a probability that falls with their
//! welfare decile (decile 1 is ten times as likely as decile 10), averaging
//! [`GenConfig::registry_fraction`] of people. Then, per registry row unless
//! said otherwise:
//!
//! | what | rate |
//! |---|---|
//! | title dropped, when the civil name has one | 35% |
//! | title added (adults 30+) | 1.5% |
//! | MUHAMMAD -> M./MUH./MOCH./MOH./MHD./respelled, ABDUL -> ABD., SITI -> ST., when present | 30% |
//! | nickname (HERMAWAN -> WAWAN, SLAMET -> MAMET; own table), when one exists | 4% |
//! | old/new spelling (U/OE, J/DJ, C/TJ, SY/SJ, KH/CH, D/DH, NY/NJ, Y/J, F/P, I/Y) | 3% |
//! | typing error in the name (substitution, deletion, insertion, transposition) | 4% |
//! | a name part dropped (names of 2+ parts) / added (BIN/BINTI + father, SITI, MUHAMMAD) | 2% / 1.5% |
//! | parts joined or split (NURHAYATI / NUR HAYATI) | 1% |
//! | lower case or doubled spaces (not a difference after normalising) | 4% |
//! | birth date: day/month swapped, one day off, one year off, 1 January | 1.5%, 1%, 1%, 0.5% |
//! | sex wrong | 0.3% |
//! | NIK empty / placeholder `9999999999999995` (under 17) or `...96` | 2.5% / 1.5% |
//! | NIK one digit wrong / two adjacent digits swapped | 1.5% / 1% |
//! | NIK as Excel left it: `3.27601E+15` / `...0001.0` / last digit zeroed | 0.8% / 0.5% / 0.3% |
//! | NIK with a digit dropped or doubled | 0.4% |
//! | NIK of another household member | 0.7% |
//! | No KK wrong (typo or an older card) / empty, per household | 2.5% / 1% |
//! | `nama_ibu_kandung` empty / mistyped | 8% / 3% |
//! | whole household moved to another regency (civil record elsewhere, new KK), per household | 2.8% |
//! | an adult member moved alone | 0.8% |
//! | member missing from the civil extract (valid NIK that Dukcapil does not have) | 1% |
//! | a one-word name written in the old spelling (YUNI as JUNI, SUKARNO as SOEKARNO), with the NIK left empty | 1.5% of one-word names |
//! | person listed again (duplicate row; 10% of them twice again) | 3% |
//!
//! Duplicates are: an exact copy under another household (35%), the same NIK
//! with a mistyped name (25%), a wrong NIK (15%), no NIK (5%), a
//! registration in another village of the same district (10%), or a
//! registration after a move to another district of the same regency (10%):
//! no NIK, a new No KK and address, the person's own name, mother's name and
//! birthplace as Dukcapil has them, and the day and month of birth swapped
//! when they can be, while Dukcapil still has the first village (for people
//! Dukcapil already has elsewhere, a second row without NIK instead). 30% of
//! those not in another village stay in the original household
//! (`id_keluarga`).
//! About 1.5% of registry people are deceased in the civil registry.
//!
//! When the wilayah holds a single regency, people who "moved" move to another
//! village of it instead, so every row stays inside the wilayah; such rows are
//! not `PINDAH`.
//!
//! # Ground-truth rules (`truth.csv`)
//!
//! One row per registry row, same order, columns `VerificationRow::COLUMNS`, `skor` empty.
//!
//! - `status`: NIK cell empty or a survey placeholder -> `TANPA_NIK`;
//!   `Nik::parse` fails otherwise (Excel forms, wrong length, impossible date) -> `NIK_TIDAK_VALID`;
//!   a valid NIK not in `civil.csv` -> `NIK_TIDAK_DITEMUKAN`;
//!   a valid NIK in `civil.csv` belonging to the row's true person -> `PADAN`;
//!   belonging to another person -> `TIDAK_PADAN`.
//!   `PADAN` is about the NIK only: the name may still be misspelt.
//! - `flags`: `MENINGGAL` if the true person is deceased in `civil.csv`;
//!   `PINDAH` if the true person's civil `kode_wilayah` is in another regency
//!   than the row's; `GANDA` if the true person has more than one registry row;
//!   `NIK_BEDA_IDENTITAS` if the row's NIK is valid and `nik.cross_check(row
//!   tgl_lahir, row jenis_kelamin)` is non-empty (whoever owns the NIK).
//! - `nik_usulan`: the true person's civil NIK when the person is in
//!   `civil.csv` and the row's NIK is not that NIK (wrong, malformed or
//!   missing); else empty.
//! - `id_kelompok_ganda`: `G000001`, ... numbered by first appearance, shared
//!   by all rows of a person with more than one row. `id_art_utama`: the kept
//!   row: among the group's rows those whose NIK equals the true NIK first,
//!   then the smallest `id_art` (ids are fixed-width, `ART000000001`, so string
//!   order is file order).
//! - `tindakan`: `HAPUS` if `MENINGGAL`, or `GANDA` and not the kept row, or
//!   `PINDAH`; else `PERBAIKI` if the status is not `PADAN`, or `nik_usulan`
//!   is set, or `NIK_BEDA_IDENTITAS`, or the row's `nama` (upper case,
//!   whitespace collapsed), `tgl_lahir` or `jenis_kelamin` differs from the
//!   civil record; else `TETAP`.
//! - `keterangan`: what was injected and the traits of the person (twin,
//!   namesake, ...), e.g. `typo nama; NIK tertukar dua digit`.
//!
//! People missing from the civil extract have no civil record: no
//! `MENINGGAL`/`PINDAH`, no `nik_usulan`.

mod geo;
mod inject;
mod names;
mod population;
mod truth;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use thiserror::Error;

use padu_core::lang::{Lang, Localized};
use padu_core::{Action, Flag, NikStatus, RegionCode, VerificationRow};

pub use inject::ErrorKind;

use geo::{Geo, GeoError};
use inject::{RegParams, RegRow};
use population::{Chunk, Household, Person, PopParams, mark};

/// The spec's column lists, kept in padu-core so every crate writes the same contract.
pub use padu_core::{CIVIL_COLUMNS, REGISTRY_COLUMNS};

/// Civil-registry people generated per chunk: the unit of parallel work and of seeding.
const CHUNK_PEOPLE: usize = 4096;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct GenConfig {
    /// Size of the civil-registry extract (rows of `civil.csv`).
    pub people: usize,
    /// Seed: the same seed and configuration give byte-identical files.
    pub seed: u64,
    /// Restrict homes to this province, regency, district or village.
    pub wilayah: Option<RegionCode>,
    /// The reference date: ages, NIK centuries and deaths are relative to it.
    pub today: NaiveDate,
    /// Target share of people in the registry (default 0.3).
    pub registry_fraction: f64,
}

impl Default for GenConfig {
    /// 10,000 people, seed 1, all Indonesia, 30% in the registry, and a fixed
    /// `today` (2026-01-01) so that defaults are reproducible too.
    fn default() -> Self {
        GenConfig {
            people: 10_000,
            seed: 1,
            wilayah: None,
            today: NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date"),
            registry_fraction: 0.3,
        }
    }
}

/// What was generated, with counts for the report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenReport {
    /// Rows of `civil.csv`.
    pub civil_rows: u64,
    /// Rows of `registry.csv`.
    pub registry_rows: u64,
    /// Rows of `truth.csv` (equal to `registry_rows`).
    pub truth_rows: u64,
    /// Family cards in the civil extract.
    pub civil_households: u64,
    /// Distinct `id_keluarga` in the registry.
    pub registry_households: u64,
    /// Deceased people in the civil extract.
    pub civil_deceased: u64,
    /// Civil people born as twins.
    pub twins: u64,
    /// Civil people given the name of an earlier household head.
    pub namesakes: u64,
    /// Civil people whose NIK was issued outside their current district.
    pub nik_elsewhere: u64,
    /// Civil people whose NIK carries a retired district code.
    pub nik_retired: u64,
    /// Registry rows carrying each injected error or event.
    pub injected: BTreeMap<ErrorKind, u64>,
    /// Truth rows per status.
    pub statuses: BTreeMap<NikStatus, u64>,
    /// Truth rows per flag.
    pub flags: BTreeMap<Flag, u64>,
    /// Truth rows per action.
    pub actions: BTreeMap<Action, u64>,
}

/// Why generation failed.
#[derive(Debug, Error)]
pub enum GenError {
    /// The wilayah code is not a current region of the bundled list.
    #[error("kode wilayah {0} tidak dikenal dalam daftar Kemendagri yang berlaku")]
    UnknownWilayah(RegionCode),
    /// The wilayah has no current village.
    #[error("wilayah {0} tidak memiliki desa/kelurahan yang berlaku")]
    NoVillages(RegionCode),
    /// `registry_fraction` is not a number in [0, 1].
    #[error("registry_fraction harus di antara 0 dan 1, bukan {0}")]
    BadFraction(f64),
    /// A file could not be created or written.
    #[error("gagal menulis {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The CSV writer failed.
    #[error("gagal menulis CSV {path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
}

impl Localized for GenError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => match self {
                GenError::UnknownWilayah(c) => {
                    format!("region code {c} is not a current code of the Kemendagri list")
                }
                GenError::NoVillages(c) => format!("region {c} has no current village"),
                GenError::BadFraction(f) => {
                    format!("registry_fraction must be between 0 and 1, not {f}")
                }
                GenError::Io { path, source } => {
                    format!("cannot write {}: {source}", path.display())
                }
                GenError::Csv { path, source } => {
                    format!("cannot write CSV {}: {source}", path.display())
                }
            },
        }
    }
}

/// Generates `civil.csv`, `registry.csv` and `truth.csv` in `out_dir` (which must exist).
///
/// `progress` is called with increments: the number of civil-registry people
/// generated since the previous call; the increments add up to `cfg.people`.
/// It may be called from several threads.
pub fn generate(
    cfg: &GenConfig,
    out_dir: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<GenReport, GenError> {
    if !(0.0..=1.0).contains(&cfg.registry_fraction) {
        return Err(GenError::BadFraction(cfg.registry_fraction));
    }
    let geo = Geo::new(cfg.wilayah).map_err(|e| {
        let w = cfg.wilayah.expect("errors only with a wilayah");
        match e {
            GeoError::Unknown => GenError::UnknownWilayah(w),
            GeoError::NoVillages => GenError::NoVillages(w),
        }
    })?;

    // Phase 1: households and people, chunk by chunk in parallel.
    let pop = PopParams {
        geo: &geo,
        today: cfg.today,
        registry_fraction: cfg.registry_fraction,
    };
    let n_chunks = cfg.people.div_ceil(CHUNK_PEOPLE);
    let chunks: Vec<Chunk> = (0..n_chunks)
        .into_par_iter()
        .map(|c| {
            let mut rng = chunk_rng(cfg.seed, c as u64);
            let target = CHUNK_PEOPLE.min(cfg.people - c * CHUNK_PEOPLE);
            let chunk = population::generate_chunk(&pop, &mut rng, target);
            progress(target as u64);
            chunk
        })
        .collect();

    // Phase 2: merge with global indices, then number NIKs and KKs in order.
    let mut persons: Vec<Person> = Vec::with_capacity(cfg.people + cfg.people / 50);
    let mut households: Vec<Household> = Vec::new();
    let mut chunk_households: Vec<std::ops::Range<u32>> = Vec::with_capacity(n_chunks);
    for chunk in chunks {
        let p_off = u32_index(persons.len());
        let h_off = u32_index(households.len());
        for mut p in chunk.persons {
            p.hh += h_off;
            p.civil_hh += h_off;
            persons.push(p);
        }
        for mut h in chunk.households {
            h.start += p_off;
            households.push(h);
        }
        chunk_households.push(h_off..u32_index(households.len()));
    }
    population::assign_serials(&mut persons, &mut households);

    // Phase 3: registry rows, chunk by chunk in parallel.
    let reg = RegParams {
        geo: &geo,
        today: cfg.today,
        persons: &persons,
        households: &households,
    };
    let per_chunk: Vec<Vec<RegRow>> = chunk_households
        .par_iter()
        .enumerate()
        .map(|(c, range)| {
            let mut rng = chunk_rng(cfg.seed, (1u64 << 32) | c as u64);
            let mut rows = Vec::new();
            let mut dups = Vec::new();
            let mut counter = 0u64;
            let mut dup_key = || {
                counter += 1;
                (1u64 << 62) | ((c as u64) << 24) | counter
            };
            for hi in range.clone() {
                if households[hi as usize].in_registry {
                    inject::household_rows(&reg, &mut rng, hi, &mut dup_key, &mut rows, &mut dups);
                }
            }
            rows.append(&mut dups);
            rows
        })
        .collect();
    let mut rows: Vec<RegRow> = per_chunk.into_iter().flatten().collect();
    // A DTKS extract is listed village by village, household by household.
    rows.sort_by_key(|r| (r.village, r.hh_key));

    // Phase 4: ground truth.
    let truth = truth::truth_rows(&rows, &persons, &households, cfg.today);

    // Phase 5: files.
    let mut report = GenReport::default();
    write_civil(
        &out_dir.join("civil.csv"),
        &persons,
        &households,
        &geo,
        &mut report,
    )?;
    write_registry(&out_dir.join("registry.csv"), &rows, &mut report)?;
    write_truth(&out_dir.join("truth.csv"), &truth, &mut report)?;
    for r in &rows {
        for k in r.kinds.iter() {
            *report.injected.entry(k).or_default() += 1;
        }
    }
    for t in &truth {
        *report.statuses.entry(t.status).or_default() += 1;
        *report.actions.entry(t.tindakan).or_default() += 1;
        for f in &t.flags {
            *report.flags.entry(*f).or_default() += 1;
        }
    }
    Ok(report)
}

/// The RNG of one unit of work: the run's seed, and a stream per chunk and phase.
/// `i` as the u32 index people and households are stored by (half the
/// memory of a usize); a population is far below 2^32 people.
pub(crate) fn u32_index(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 people and households")
}

fn chunk_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

fn csv_writer(path: &Path) -> Result<csv::Writer<BufWriter<File>>, GenError> {
    let file = File::create(path).map_err(|source| GenError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(1 << 22, file)))
}

fn finish(mut w: csv::Writer<BufWriter<File>>, path: &Path) -> Result<(), GenError> {
    w.flush().map_err(|source| GenError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let inner = w.into_inner().map_err(|e| GenError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    inner
        .into_inner()
        .map_err(|e| GenError::Io {
            path: path.to_path_buf(),
            source: e.into_error(),
        })?
        .flush()
        .map_err(|source| GenError::Io {
            path: path.to_path_buf(),
            source,
        })
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> GenError + '_ {
    move |source| GenError::Csv {
        path: path.to_path_buf(),
        source,
    }
}

fn write_civil(
    path: &Path,
    persons: &[Person],
    households: &[Household],
    geo: &Geo,
    report: &mut GenReport,
) -> Result<(), GenError> {
    let mut order: Vec<u32> = (0..u32_index(persons.len()))
        .filter(|i| persons[*i as usize].in_civil)
        .collect();
    // A Dukcapil extract is listed village by village, card by card.
    order.par_sort_by_key(|i| {
        let h = &households[persons[*i as usize].civil_hh as usize];
        (h.village, h.kk, *i)
    });
    let mut w = csv_writer(path)?;
    let err = csv_err(path);
    w.write_record(CIVIL_COLUMNS).map_err(&err)?;
    let mut cards = std::collections::HashSet::new();
    for i in order {
        let p = &persons[i as usize];
        let h = &households[p.civil_hh as usize];
        cards.insert(p.civil_hh);
        let nik = format!("{:016}", p.nik);
        let kk = format!("{:016}", h.kk);
        let birth = p.birth.format("%Y-%m-%d").to_string();
        let (status, death) = match p.death {
            Some(d) => ("MENINGGAL", d.format("%Y-%m-%d").to_string()),
            None => ("HIDUP", String::new()),
        };
        let rt = format!("{:03}", h.rt);
        let rw = format!("{:03}", h.rw);
        let village = h.village.compact();
        w.write_record([
            nik.as_str(),
            &kk,
            &p.nama,
            p.sex.as_str(),
            &birth,
            &geo.regencies[p.birthplace as usize].place,
            &p.mother,
            &h.alamat,
            &rt,
            &rw,
            &village,
            status,
            &death,
        ])
        .map_err(&err)?;
        report.civil_rows += 1;
        report.civil_deceased += u64::from(p.death.is_some());
        report.twins += u64::from(p.marks & mark::TWIN != 0);
        report.namesakes += u64::from(p.marks & mark::NAMESAKE != 0);
        report.nik_elsewhere += u64::from(p.marks & mark::NIK_ELSEWHERE != 0);
        report.nik_retired += u64::from(p.marks & mark::NIK_RETIRED != 0);
    }
    report.civil_households = cards.len() as u64;
    finish(w, path)
}

fn write_registry(path: &Path, rows: &[RegRow], report: &mut GenReport) -> Result<(), GenError> {
    let mut w = csv_writer(path)?;
    let err = csv_err(path);
    w.write_record(REGISTRY_COLUMNS).map_err(&err)?;
    let mut keluarga: std::collections::HashMap<u64, u64> = std::collections::HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let next = keluarga.len() as u64 + 1;
        let kel = *keluarga.entry(r.hh_key).or_insert(next);
        let id_keluarga = format!("KEL{kel:09}");
        let tgl = if r.tgl_slash {
            r.tgl_lahir.format("%d/%m/%Y").to_string()
        } else {
            r.tgl_lahir.format("%Y-%m-%d").to_string()
        };
        let village = if r.village_dotted {
            r.village.to_string()
        } else {
            r.village.compact()
        };
        w.write_record([
            truth::id_art(i).as_str(),
            &id_keluarga,
            &r.no_kk,
            &r.nik,
            &r.nama,
            r.sex.as_str(),
            &r.tempat_lahir,
            &tgl,
            r.relation.as_str(),
            &r.mother,
            &r.alamat,
            &r.rt,
            &r.rw,
            &village,
        ])
        .map_err(&err)?;
        report.registry_rows += 1;
    }
    report.registry_households = keluarga.len() as u64;
    finish(w, path)
}

fn write_truth(
    path: &Path,
    truth: &[VerificationRow],
    report: &mut GenReport,
) -> Result<(), GenError> {
    let mut w = csv_writer(path)?;
    let err = csv_err(path);
    w.write_record(VerificationRow::COLUMNS).map_err(&err)?;
    for t in truth {
        w.write_record(t.to_cells()).map_err(&err)?;
        report.truth_rows += 1;
    }
    finish(w, path)
}

#[cfg(test)]
mod tests {
    use chrono::Datelike;
    use std::collections::{HashMap, HashSet};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    use padu_core::{Nik, NikError, NoKk, Relation, Sex, parse_date, regions};

    use padu_testkit::today;

    use super::*;

    fn run(people: usize, seed: u64, wilayah: Option<&str>) -> (tempfile::TempDir, GenReport) {
        let dir = tempfile::tempdir().unwrap();
        let cfg = GenConfig {
            people,
            seed,
            wilayah: wilayah.map(|w| RegionCode::parse(w).unwrap()),
            today: today(),
            registry_fraction: 0.3,
        };
        let report = generate(&cfg, dir.path(), &|_| {}).unwrap();
        (dir, report)
    }

    /// One 20,000-person national run shared by the tests that only read it.
    fn big() -> &'static (tempfile::TempDir, GenReport) {
        static RUN: OnceLock<(tempfile::TempDir, GenReport)> = OnceLock::new();
        RUN.get_or_init(|| run(20_000, 42, None))
    }

    fn read(path: &Path) -> Vec<HashMap<String, String>> {
        let mut r = csv::Reader::from_path(path).unwrap();
        let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                headers
                    .iter()
                    .cloned()
                    .zip(rec.iter().map(str::to_string))
                    .collect()
            })
            .collect()
    }

    fn headers(path: &Path) -> Vec<String> {
        let mut r = csv::Reader::from_path(path).unwrap();
        r.headers().unwrap().iter().map(str::to_string).collect()
    }

    #[test]
    fn the_same_seed_gives_byte_identical_files_and_another_seed_does_not() {
        let (a, _) = run(9_000, 7, None);
        let (b, _) = run(9_000, 7, None);
        let (c, _) = run(9_000, 8, None);
        for f in ["civil.csv", "registry.csv", "truth.csv"] {
            let x = std::fs::read(a.path().join(f)).unwrap();
            let y = std::fs::read(b.path().join(f)).unwrap();
            let z = std::fs::read(c.path().join(f)).unwrap();
            assert!(x == y, "{f} differs between two runs with the same seed");
            assert!(x != z, "{f} is the same for another seed");
        }
    }

    #[test]
    fn files_have_exactly_the_spec_columns() {
        let (dir, report) = big();
        assert_eq!(headers(&dir.path().join("civil.csv")), CIVIL_COLUMNS);
        assert_eq!(headers(&dir.path().join("registry.csv")), REGISTRY_COLUMNS);
        assert_eq!(
            headers(&dir.path().join("truth.csv")),
            VerificationRow::COLUMNS
        );
        assert_eq!(report.civil_rows, 20_000);
        assert_eq!(report.truth_rows, report.registry_rows);
    }

    #[test]
    fn every_civil_nik_parses_is_unique_and_agrees_with_its_row() {
        let (dir, _) = big();
        let civil = read(&dir.path().join("civil.csv"));
        let mut seen = HashSet::new();
        for row in &civil {
            let nik = Nik::parse(&row["nik"], today()).unwrap();
            assert!(seen.insert(nik.as_u64()), "duplicate NIK in civil.csv");
            let birth = parse_date(&row["tgl_lahir"]).unwrap();
            let sex = Sex::parse(&row["jenis_kelamin"]).unwrap();
            assert!(nik.cross_check(birth, sex).is_empty());
            NoKk::parse(&row["no_kk"]).unwrap();
            let village = regions().parse_village(&row["kode_wilayah"]).unwrap();
            assert!(regions().get(village).unwrap().is_current());
            match row["status_hidup"].as_str() {
                "HIDUP" => assert!(row["tgl_meninggal"].is_empty()),
                "MENINGGAL" => assert!(parse_date(&row["tgl_meninggal"]).unwrap() >= birth),
                other => panic!("status_hidup {other}"),
            }
            assert!(birth <= today());
        }
        let retired = civil
            .iter()
            .filter(|r| {
                !Nik::parse(&r["nik"], today())
                    .unwrap()
                    .warnings()
                    .is_empty()
            })
            .count();
        assert!(retired > 0, "no NIK with a retired district code");
    }

    #[test]
    fn registry_rows_are_legal_per_the_reading_rules() {
        let (dir, _) = big();
        let registry = read(&dir.path().join("registry.csv"));
        let mut ids = HashSet::new();
        let mut slashed = 0;
        for row in &registry {
            assert!(ids.insert(row["id_art"].clone()), "duplicate id_art");
            let d = parse_date(&row["tgl_lahir"]).unwrap();
            assert!(d <= today());
            slashed += usize::from(row["tgl_lahir"].contains('/'));
            assert!(Sex::parse(&row["jenis_kelamin"]).is_ok());
            regions().parse_village(&row["kode_wilayah"]).unwrap();
            assert!(row["hubungan_keluarga"].parse::<Relation>().is_ok());
            assert!(!row["nama"].trim().is_empty());
            for col in ["rt", "rw"] {
                let n: u32 = row[col].parse().unwrap();
                assert!((1..=15).contains(&n));
            }
        }
        assert!(slashed > registry.len() / 10 && slashed < registry.len() / 2);
    }

    #[test]
    fn truth_follows_the_documented_rules() {
        let (dir, _) = big();
        let civil = read(&dir.path().join("civil.csv"));
        let registry = read(&dir.path().join("registry.csv"));
        let truth = read(&dir.path().join("truth.csv"));
        assert_eq!(registry.len(), truth.len());
        let by_nik: HashMap<&str, &HashMap<String, String>> =
            civil.iter().map(|r| (r["nik"].as_str(), r)).collect();
        let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, (r, t)) in registry.iter().zip(&truth).enumerate() {
            assert_eq!(r["id_art"], t["id_art"]);
            assert!(t["skor"].is_empty());
            let nik = r["nik"].as_str();
            let parsed = Nik::parse(nik, today());
            match t["status"].as_str() {
                "TANPA_NIK" => assert!(matches!(
                    parsed,
                    Err(NikError::Empty | NikError::Placeholder(_))
                )),
                "NIK_TIDAK_VALID" => assert!(
                    parsed.is_err()
                        && !matches!(parsed, Err(NikError::Empty | NikError::Placeholder(_)))
                ),
                "NIK_TIDAK_DITEMUKAN" => assert!(parsed.is_ok() && !by_nik.contains_key(nik)),
                "PADAN" | "TIDAK_PADAN" => assert!(by_nik.contains_key(nik)),
                other => panic!("status {other}"),
            }
            let flags: Vec<&str> = t["flags"].split(';').filter(|f| !f.is_empty()).collect();
            let mut sorted = flags.clone();
            sorted.sort_unstable();
            assert_eq!(flags, sorted, "flags must be sorted");
            let beda = parsed.as_ref().is_ok_and(|n| {
                !n.cross_check(
                    parse_date(&r["tgl_lahir"]).unwrap(),
                    Sex::parse(&r["jenis_kelamin"]).unwrap(),
                )
                .is_empty()
            });
            assert_eq!(flags.contains(&"NIK_BEDA_IDENTITAS"), beda);
            let usulan = t["nik_usulan"].as_str();
            if !usulan.is_empty() {
                assert!(by_nik.contains_key(usulan));
                assert_ne!(usulan, nik);
            }
            if t["status"] == "PADAN" {
                assert!(usulan.is_empty(), "a PADAN row has the true NIK");
            }
            // The civil record of the true person, when known.
            let person = if usulan.is_empty() {
                by_nik.get(nik)
            } else {
                by_nik.get(usulan)
            };
            if flags.contains(&"MENINGGAL") {
                assert_eq!(
                    person.expect("deceased person is in civil")["status_hidup"],
                    "MENINGGAL"
                );
            }
            if flags.contains(&"PINDAH") {
                let p = person.expect("moved person is in civil");
                assert_ne!(
                    &p["kode_wilayah"][..4],
                    &r["kode_wilayah"].replace('.', "")[..4],
                    "PINDAH means another regency"
                );
            }
            let hapus = flags.contains(&"MENINGGAL")
                || flags.contains(&"PINDAH")
                || (flags.contains(&"GANDA") && t["id_art_utama"] != t["id_art"]);
            assert_eq!(t["tindakan"] == "HAPUS", hapus, "row {}", t["id_art"]);
            if t["tindakan"] == "TETAP" {
                let p = person.expect("kept person is in civil");
                assert_eq!(t["status"], "PADAN");
                let norm = |s: &str| {
                    s.to_uppercase()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                assert_eq!(norm(&r["nama"]), norm(&p["nama"]));
                assert_eq!(
                    parse_date(&r["tgl_lahir"]).unwrap(),
                    parse_date(&p["tgl_lahir"]).unwrap()
                );
                assert_eq!(r["jenis_kelamin"], p["jenis_kelamin"]);
            }
            assert_eq!(flags.contains(&"GANDA"), !t["id_kelompok_ganda"].is_empty());
            if !t["id_kelompok_ganda"].is_empty() {
                groups
                    .entry(t["id_kelompok_ganda"].as_str())
                    .or_default()
                    .push(i);
            }
        }
        assert!(!groups.is_empty());
        for (g, rows) in &groups {
            assert!(rows.len() >= 2, "group {g} has one row");
            let kept = &truth[rows[0]]["id_art_utama"];
            assert!(rows.iter().all(|i| &truth[*i]["id_art_utama"] == kept));
            assert!(rows.iter().any(|i| &truth[*i]["id_art"] == kept));
            // The kept row is the first row carrying the true NIK, if any row does.
            let true_nik: HashSet<&str> = rows
                .iter()
                .map(|i| truth[*i]["nik_usulan"].as_str())
                .filter(|n| !n.is_empty())
                .chain(
                    rows.iter()
                        .filter(|i| {
                            truth[**i]["nik_usulan"].is_empty() && truth[**i]["status"] == "PADAN"
                        })
                        .map(|i| registry[*i]["nik"].as_str()),
                )
                .collect();
            assert!(true_nik.len() <= 1, "group {g} mixes people");
            if let Some(tn) = true_nik.iter().next() {
                let first_true = rows.iter().find(|i| registry[**i]["nik"] == *tn);
                let expected =
                    first_true.map_or(&truth[rows[0]]["id_art"], |i| &truth[*i]["id_art"]);
                assert_eq!(kept, expected, "group {g}");
            }
        }
    }

    #[test]
    fn twins_and_namesakes_are_present() {
        let (dir, report) = big();
        assert!(report.twins > 0 && report.namesakes > 0);
        let civil = read(&dir.path().join("civil.csv"));
        let mut twins = 0;
        let mut by_family: HashMap<(&str, &str, &str), usize> = HashMap::new();
        for r in &civil {
            *by_family
                .entry((
                    r["no_kk"].as_str(),
                    r["tgl_lahir"].as_str(),
                    r["nama_ibu_kandung"].as_str(),
                ))
                .or_default() += 1;
        }
        twins += by_family.values().filter(|n| **n >= 2).count();
        assert!(twins >= 20, "only {twins} twin pairs");
        let mut by_name_date: HashMap<(&str, &str), HashSet<&str>> = HashMap::new();
        for r in &civil {
            by_name_date
                .entry((r["nama"].as_str(), r["tgl_lahir"].as_str()))
                .or_default()
                .insert(r["kode_wilayah"].as_str());
        }
        let same_date_elsewhere = by_name_date.values().filter(|v| v.len() >= 2).count();
        assert!(
            same_date_elsewhere >= 10,
            "only {same_date_elsewhere} namesakes with the same birth date"
        );
    }

    #[test]
    fn the_hard_cases_look_as_documented() {
        let (dir, _) = big();
        let civil = read(&dir.path().join("civil.csv"));
        let registry = read(&dir.path().join("registry.csv"));
        let truth = read(&dir.path().join("truth.csv"));
        let by_nik: HashMap<&str, &HashMap<String, String>> =
            civil.iter().map(|c| (c["nik"].as_str(), c)).collect();
        let digits = |code: &str| code.replace('.', "");
        let has = |t: &HashMap<String, String>, label: &str| {
            t["keterangan"].split("; ").any(|l| l == label)
        };
        let (mut moved, mut other_district, mut swapped, mut old_spelling) = (0, 0, 0, 0);
        for (r, t) in registry.iter().zip(&truth) {
            if has(t, ErrorKind::DaftarUlangPindah.label()) {
                // Registered again, without NIK, in the regency Dukcapil
                // still has them in, from what the person said.
                moved += 1;
                let c = by_nik[t["nik_usulan"].as_str()];
                assert!(r["nik"].is_empty());
                assert_eq!(r["nama"], c["nama"]);
                assert_eq!(r["nama_ibu_kandung"], c["nama_ibu_kandung"]);
                assert_eq!(r["tempat_lahir"], c["tempat_lahir"]);
                let (row, home) = (digits(&r["kode_wilayah"]), digits(&c["kode_wilayah"]));
                assert_eq!(row[..4], home[..4], "same regency");
                other_district += usize::from(row[..6] != home[..6]);
                let (d, b) = (
                    parse_date(&r["tgl_lahir"]).unwrap(),
                    parse_date(&c["tgl_lahir"]).unwrap(),
                );
                // Swapped whenever the day can be read as a month.
                if b.day() <= 12 && b.day() != b.month() {
                    assert_eq!((d.day(), d.month()), (b.month(), b.day()));
                    swapped += 1;
                } else {
                    assert_eq!(d, b);
                }
            }
            if has(t, ErrorKind::EjaanLamaSatuKata.label()) && !has(t, ErrorKind::Duplikat.label())
            {
                old_spelling += 1;
                let c = by_nik[t["nik_usulan"].as_str()];
                assert!(r["nik"].is_empty());
                assert!(!c["nama"].contains(' ') && !r["nama"].contains(' '));
                assert_ne!(r["nama"], c["nama"]);
            }
            if has(t, ErrorKind::TglPlaceholder.label()) && t["nik_usulan"].is_empty() {
                let d = parse_date(&r["tgl_lahir"]).unwrap();
                assert!(d.year() < 1976, "{d}");
            }
        }
        assert!(
            moved >= 10 && old_spelling >= 5,
            "{moved} moved, {old_spelling} respelt"
        );
        assert!(
            other_district * 10 >= moved * 9,
            "{other_district} of {moved} in another district"
        );
        assert!(swapped > 0);
        let placeholders = civil
            .iter()
            .filter(|c| {
                let d = parse_date(&c["tgl_lahir"]).unwrap();
                d.year() < 1975 && matches!((d.month(), d.day()), (12, 31) | (7, 1))
            })
            .count();
        let older = civil
            .iter()
            .filter(|c| parse_date(&c["tgl_lahir"]).unwrap().year() < 1975)
            .count();
        // 6% placed there, plus the two days' natural share.
        assert!(placeholders * 100 >= older * 5, "{placeholders} of {older}");
    }

    #[test]
    fn every_error_kind_status_flag_and_action_appears_in_a_20k_run() {
        let (_, report) = big();
        for k in ErrorKind::ALL {
            if k == ErrorKind::PindahDesa {
                continue; // only when the wilayah holds a single regency
            }
            assert!(
                report.injected.get(&k).copied().unwrap_or(0) > 0,
                "{k:?} missing"
            );
        }
        for s in NikStatus::ALL {
            assert!(
                report.statuses.get(&s).copied().unwrap_or(0) > 0,
                "{s:?} missing"
            );
        }
        for f in Flag::ALL {
            assert!(
                report.flags.get(&f).copied().unwrap_or(0) > 0,
                "{f:?} missing"
            );
        }
        for a in Action::ALL {
            assert!(
                report.actions.get(&a).copied().unwrap_or(0) > 0,
                "{a:?} missing"
            );
        }
        let rows = report.registry_rows as f64;
        let share = |k| report.injected.get(&k).copied().unwrap_or(0) as f64 / rows;
        assert!(
            (0.005..0.03).contains(&share(ErrorKind::Meninggal)),
            "{}",
            share(ErrorKind::Meninggal)
        );
        assert!((0.015..0.05).contains(&share(ErrorKind::Pindah)));
        assert!((0.02..0.05).contains(&share(ErrorKind::Duplikat)));
        let fraction = rows / report.civil_rows as f64;
        assert!(
            (0.22..0.4).contains(&fraction),
            "registry fraction {fraction}"
        );
    }

    #[test]
    fn wilayah_depok_puts_every_row_in_depok() {
        let (dir, report) = run(6_000, 3, Some("32.76"));
        let depok = RegionCode::parse("32.76").unwrap();
        for f in ["civil.csv", "registry.csv"] {
            for r in read(&dir.path().join(f)) {
                let v = RegionCode::parse(&r["kode_wilayah"]).unwrap();
                assert!(depok.contains(v), "{f}: {v} outside Depok");
            }
        }
        assert_eq!(report.flags.get(&Flag::Pindah), None);
        assert!(
            report
                .injected
                .get(&ErrorKind::PindahDesa)
                .copied()
                .unwrap_or(0)
                > 0
        );
    }

    #[test]
    fn bad_configurations_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = GenConfig {
            registry_fraction: 1.5,
            ..GenConfig::default()
        };
        let e = generate(&cfg, dir.path(), &|_| {}).unwrap_err();
        assert!(matches!(e, GenError::BadFraction(_)));
        let cfg = GenConfig {
            wilayah: Some(RegionCode::parse("91.01").unwrap()),
            ..GenConfig::default()
        };
        let e = generate(&cfg, dir.path(), &|_| {}).unwrap_err();
        assert!(matches!(e, GenError::UnknownWilayah(_)));
        assert!(e.message(Lang::En).contains("not a current code"));
    }

    #[test]
    fn progress_increments_add_up_to_the_people() {
        let dir = tempfile::tempdir().unwrap();
        let total = AtomicU64::new(0);
        let cfg = GenConfig {
            people: 5_000,
            today: today(),
            ..GenConfig::default()
        };
        generate(&cfg, dir.path(), &|n| {
            total.fetch_add(n, Ordering::Relaxed);
        })
        .unwrap();
        assert_eq!(total.load(Ordering::Relaxed), 5_000);
    }
}
