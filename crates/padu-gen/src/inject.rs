//! The registry extract: whole households copied from the civil population, with the errors operators make.
//!
//! Every transformation is recorded as an [`ErrorKind`] on the row, so the
//! ground truth and the report can say exactly what was injected. Rates are
//! documented on the constants below and in the crate documentation.

use chrono::{Datelike, Days, NaiveDate};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use padu_core::{RegionCode, Relation, Sex};

use crate::geo::Geo;
use crate::names::{self, Group};
use crate::population::{Household, Person, age, mark};

/// One kind of injected error or recorded event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum ErrorKind {
    /// A typing error in the name (substitution, deletion, insertion or transposition).
    NamaTypo,
    /// An old or new spelling (U/OE, J/DJ, C/TJ, SY/SJ, KH/CH, D/DH, ...).
    NamaEjaan,
    /// MUHAMMAD, ABDUL or SITI abbreviated or spelled another way.
    NamaSingkatan,
    /// A nickname instead of the name (HERMAWAN -> WAWAN).
    NamaPanggilan,
    /// A part of the name dropped.
    NamaBagianHilang,
    /// A part added (BIN/BINTI and the father's name, SITI, MUHAMMAD).
    NamaBagianTambah,
    /// Two parts joined or one split (NUR HAYATI / NURHAYATI).
    NamaSpasi,
    /// A title (H., HJ., DRS., S.PD., ...) added.
    GelarTambah,
    /// The civil name's title left out.
    GelarHapus,
    /// Lower case or doubled spaces only: not a difference once normalised.
    NamaFormat,
    /// Day and month swapped.
    TglTertukar,
    /// Birth date one day off.
    TglSelisihHari,
    /// Birth year one off.
    TglSelisihTahun,
    /// Unknown birth date recorded as 1 January.
    TglSatuJanuari,
    /// Sex recorded wrongly.
    JenisKelaminSalah,
    /// One NIK digit substituted.
    NikTypo,
    /// Two adjacent NIK digits swapped.
    NikTertukar,
    /// NIK cell empty.
    NikKosong,
    /// Survey placeholder 9999999999999995/96 instead of a NIK.
    NikPengganti,
    /// NIK turned into scientific notation by Excel.
    NikExcelIlmiah,
    /// NIK written as a decimal by a spreadsheet (`...0001.0`).
    NikExcelDesimal,
    /// Last digit zeroed by Excel's 15-digit precision.
    NikExcelDigitAkhir,
    /// A digit dropped or doubled.
    NikPanjangSalah,
    /// The NIK of another member of the household.
    NikAnggotaLain,
    /// A wrong No KK (typo or an old card).
    KkSalah,
    /// No KK left empty.
    KkKosong,
    /// Mother's name mistyped.
    IbuTypo,
    /// Mother's name left empty.
    IbuKosong,
    /// Event: the person moved to another regency (civil domicile elsewhere).
    Pindah,
    /// Event: the person moved to another village of the same regency.
    PindahDesa,
    /// Event: the person is deceased in the civil registry.
    Meninggal,
    /// Event: the person is not in the civil extract.
    TidakAdaDiDukcapil,
    /// Event: this row is an extra registry row of a person already listed.
    Duplikat,
    /// Event: a duplicate row written after a move to another district of the
    /// same regency: no NIK, a new No KK and address, the person's own name,
    /// mother's name and birthplace (day and month swapped when they can be).
    DaftarUlangPindah,
    /// A one-word name in the pre-1972 spelling (YUNI as JUNI, SUKARNO as
    /// SOEKARNO), on a row without NIK.
    EjaanLamaSatuKata,
    /// Trait, not an error: a twin (hard negative).
    Kembar,
    /// Trait: given the name of another household head (hard negative).
    Senama,
    /// Trait: Dukcapil's placeholder birth date, 31 December or 1 July (hard negative).
    TglPlaceholder,
    /// Trait: a father and his son with the same name on one card (hard negative).
    SenamaAyah,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 39] = [
        ErrorKind::NamaTypo,
        ErrorKind::NamaEjaan,
        ErrorKind::NamaSingkatan,
        ErrorKind::NamaPanggilan,
        ErrorKind::NamaBagianHilang,
        ErrorKind::NamaBagianTambah,
        ErrorKind::NamaSpasi,
        ErrorKind::GelarTambah,
        ErrorKind::GelarHapus,
        ErrorKind::NamaFormat,
        ErrorKind::TglTertukar,
        ErrorKind::TglSelisihHari,
        ErrorKind::TglSelisihTahun,
        ErrorKind::TglSatuJanuari,
        ErrorKind::JenisKelaminSalah,
        ErrorKind::NikTypo,
        ErrorKind::NikTertukar,
        ErrorKind::NikKosong,
        ErrorKind::NikPengganti,
        ErrorKind::NikExcelIlmiah,
        ErrorKind::NikExcelDesimal,
        ErrorKind::NikExcelDigitAkhir,
        ErrorKind::NikPanjangSalah,
        ErrorKind::NikAnggotaLain,
        ErrorKind::KkSalah,
        ErrorKind::KkKosong,
        ErrorKind::IbuTypo,
        ErrorKind::IbuKosong,
        ErrorKind::Pindah,
        ErrorKind::PindahDesa,
        ErrorKind::Meninggal,
        ErrorKind::TidakAdaDiDukcapil,
        ErrorKind::Duplikat,
        ErrorKind::DaftarUlangPindah,
        ErrorKind::EjaanLamaSatuKata,
        ErrorKind::Kembar,
        ErrorKind::Senama,
        ErrorKind::TglPlaceholder,
        ErrorKind::SenamaAyah,
    ];

    /// A stable snake_case code for reports.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::NamaTypo => "nama_typo",
            ErrorKind::NamaEjaan => "nama_ejaan",
            ErrorKind::NamaSingkatan => "nama_singkatan",
            ErrorKind::NamaPanggilan => "nama_panggilan",
            ErrorKind::NamaBagianHilang => "nama_bagian_hilang",
            ErrorKind::NamaBagianTambah => "nama_bagian_tambah",
            ErrorKind::NamaSpasi => "nama_spasi",
            ErrorKind::GelarTambah => "gelar_tambah",
            ErrorKind::GelarHapus => "gelar_hapus",
            ErrorKind::NamaFormat => "nama_format",
            ErrorKind::TglTertukar => "tgl_tertukar",
            ErrorKind::TglSelisihHari => "tgl_selisih_hari",
            ErrorKind::TglSelisihTahun => "tgl_selisih_tahun",
            ErrorKind::TglSatuJanuari => "tgl_satu_januari",
            ErrorKind::JenisKelaminSalah => "jenis_kelamin_salah",
            ErrorKind::NikTypo => "nik_typo",
            ErrorKind::NikTertukar => "nik_tertukar",
            ErrorKind::NikKosong => "nik_kosong",
            ErrorKind::NikPengganti => "nik_pengganti",
            ErrorKind::NikExcelIlmiah => "nik_excel_ilmiah",
            ErrorKind::NikExcelDesimal => "nik_excel_desimal",
            ErrorKind::NikExcelDigitAkhir => "nik_excel_digit_akhir",
            ErrorKind::NikPanjangSalah => "nik_panjang_salah",
            ErrorKind::NikAnggotaLain => "nik_anggota_lain",
            ErrorKind::KkSalah => "kk_salah",
            ErrorKind::KkKosong => "kk_kosong",
            ErrorKind::IbuTypo => "ibu_typo",
            ErrorKind::IbuKosong => "ibu_kosong",
            ErrorKind::Pindah => "pindah",
            ErrorKind::PindahDesa => "pindah_desa",
            ErrorKind::Meninggal => "meninggal",
            ErrorKind::TidakAdaDiDukcapil => "tidak_ada_di_dukcapil",
            ErrorKind::Duplikat => "duplikat",
            ErrorKind::DaftarUlangPindah => "daftar_ulang_pindah",
            ErrorKind::EjaanLamaSatuKata => "ejaan_lama_satu_kata",
            ErrorKind::Kembar => "kembar",
            ErrorKind::Senama => "senama",
            ErrorKind::TglPlaceholder => "tgl_placeholder",
            ErrorKind::SenamaAyah => "senama_ayah",
        }
    }

    /// A short Indonesian description for `keterangan`.
    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::NamaTypo => "typo nama",
            ErrorKind::NamaEjaan => "ejaan lama/baru pada nama",
            ErrorKind::NamaSingkatan => "nama disingkat",
            ErrorKind::NamaPanggilan => "nama panggilan",
            ErrorKind::NamaBagianHilang => "bagian nama hilang",
            ErrorKind::NamaBagianTambah => "bagian nama ditambah",
            ErrorKind::NamaSpasi => "spasi nama berbeda",
            ErrorKind::GelarTambah => "gelar ditambahkan",
            ErrorKind::GelarHapus => "gelar dihapus",
            ErrorKind::NamaFormat => "huruf kecil/spasi ganda pada nama",
            ErrorKind::TglTertukar => "hari dan bulan lahir tertukar",
            ErrorKind::TglSelisihHari => "tanggal lahir selisih satu hari",
            ErrorKind::TglSelisihTahun => "tahun lahir selisih satu tahun",
            ErrorKind::TglSatuJanuari => "tanggal lahir diisi 1 Januari",
            ErrorKind::JenisKelaminSalah => "jenis kelamin salah",
            ErrorKind::NikTypo => "satu digit NIK salah",
            ErrorKind::NikTertukar => "NIK tertukar dua digit",
            ErrorKind::NikKosong => "NIK kosong",
            ErrorKind::NikPengganti => "NIK diisi kode pengganti survei",
            ErrorKind::NikExcelIlmiah => "NIK rusak oleh Excel (notasi ilmiah)",
            ErrorKind::NikExcelDesimal => "NIK rusak oleh Excel (desimal)",
            ErrorKind::NikExcelDigitAkhir => "digit terakhir NIK menjadi 0 (Excel)",
            ErrorKind::NikPanjangSalah => "panjang NIK salah",
            ErrorKind::NikAnggotaLain => "NIK milik anggota keluarga lain",
            ErrorKind::KkSalah => "No KK salah",
            ErrorKind::KkKosong => "No KK kosong",
            ErrorKind::IbuTypo => "typo nama ibu kandung",
            ErrorKind::IbuKosong => "nama ibu kandung kosong",
            ErrorKind::Pindah => "pindah ke kabupaten/kota lain",
            ErrorKind::PindahDesa => "pindah ke desa lain",
            ErrorKind::Meninggal => "meninggal menurut Dukcapil",
            ErrorKind::TidakAdaDiDukcapil => "tidak ada di data Dukcapil",
            ErrorKind::Duplikat => "baris ganda",
            ErrorKind::DaftarUlangPindah => "terdaftar lagi tanpa NIK setelah pindah kecamatan",
            ErrorKind::EjaanLamaSatuKata => "nama satu kata dalam ejaan lama",
            ErrorKind::Kembar => "kembar",
            ErrorKind::Senama => "senama dengan kepala keluarga lain",
            ErrorKind::TglPlaceholder => "tanggal lahir pengganti Dukcapil (31-12 atau 01-07)",
            ErrorKind::SenamaAyah => "senama dengan ayahnya",
        }
    }

    fn bit(self) -> u64 {
        1u64 << (self as u8)
    }
}

/// A set of [`ErrorKind`]s as a bit mask.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Kinds(pub u64);

impl Kinds {
    pub(crate) fn add(&mut self, k: ErrorKind) {
        self.0 |= k.bit();
    }
    pub(crate) fn remove(&mut self, k: ErrorKind) {
        self.0 &= !k.bit();
    }
    pub(crate) fn has(self, k: ErrorKind) -> bool {
        self.0 & k.bit() != 0
    }
    /// Replaces the kinds of `group` by those `from` has.
    pub(crate) fn take(&mut self, group: &[ErrorKind], from: Kinds) {
        for &k in group {
            if from.has(k) {
                self.add(k);
            } else {
                self.remove(k);
            }
        }
    }
    pub(crate) fn iter(self) -> impl Iterator<Item = ErrorKind> {
        ErrorKind::ALL.into_iter().filter(move |k| self.has(*k))
    }
}

/// One registry row before ids are assigned.
pub(crate) struct RegRow {
    /// The true person (global index).
    pub person: u32,
    /// Household key: the origin household index, or a fresh key for a duplicate's own household.
    pub hh_key: u64,
    /// Village code.
    pub village: RegionCode,
    /// Write the village code with dots.
    pub village_dotted: bool,
    /// No KK cell.
    pub no_kk: String,
    /// NIK cell.
    pub nik: String,
    /// Name cell.
    pub nama: String,
    /// Sex.
    pub sex: Sex,
    /// Birth place cell.
    pub tempat_lahir: String,
    /// Birth date.
    pub tgl_lahir: NaiveDate,
    /// Write the date as DD/MM/YYYY instead of YYYY-MM-DD.
    pub tgl_slash: bool,
    /// Relation to the head.
    pub relation: Relation,
    /// Mother's name cell.
    pub mother: String,
    /// Address cell.
    pub alamat: String,
    /// RT cell.
    pub rt: String,
    /// RW cell.
    pub rw: String,
    /// What was injected.
    pub kinds: Kinds,
}

// Rates, per registry row unless stated. Documented in the crate docs as well.
/// Probability that a titled civil name loses its title in the registry.
pub(crate) const P_TITLE_DROP: f64 = 0.35;
/// Probability that an adult (30+) gets a title the civil record lacks.
pub(crate) const P_TITLE_ADD: f64 = 0.015;
/// Probability that MUHAMMAD / ABDUL / SITI is abbreviated or respelled, when present.
pub(crate) const P_ABBREV: f64 = 0.3;
/// Probability of a nickname, when the name has one in the generator's table.
pub(crate) const P_NICKNAME: f64 = 0.04;
/// Probability of an old/new spelling change.
pub(crate) const P_SPELLING: f64 = 0.03;
/// Probability of a typing error in the name.
pub(crate) const P_TYPO: f64 = 0.04;
/// Probability of a dropped name part (names of two or more parts).
pub(crate) const P_DROP_PART: f64 = 0.02;
/// Probability of an added name part.
pub(crate) const P_ADD_PART: f64 = 0.015;
/// Probability of joining or splitting name parts.
pub(crate) const P_SPACING: f64 = 0.01;
/// Probability of lower case or doubled spaces (not a difference after normalising).
pub(crate) const P_FORMAT: f64 = 0.04;
/// Birth date: day/month swap 1.5%, one day off 1%, one year off 1%, 1 January 0.5%.
pub(crate) const P_DATE: [f64; 4] = [0.015, 0.01, 0.01, 0.005];
/// Probability of a wrong sex.
pub(crate) const P_SEX: f64 = 0.003;
/// NIK: empty 2.5%, placeholder 1.5%, one digit 1.5%, transposition 1%, Excel scientific 0.8%,
/// Excel decimal 0.5%, Excel last digit 0.3%, wrong length 0.4%, another member's NIK 0.7%.
pub(crate) const P_NIK: [f64; 9] = [0.025, 0.015, 0.015, 0.01, 0.008, 0.005, 0.003, 0.004, 0.007];
/// Per household: No KK with a typo or an old card 2.5%, empty 1%.
pub(crate) const P_KK: [f64; 2] = [0.025, 0.01];
/// Mother's name: empty 8%, typo 3%.
pub(crate) const P_MOTHER: [f64; 2] = [0.08, 0.03];
/// Probability that a row of a one-word name is written in the old spelling without NIK.
pub(crate) const P_OLD_ONE_WORD: f64 = 0.015;
/// Probability that a registry person has a second registry row (10% of those get a third).
pub(crate) const P_DUPLICATE: f64 = 0.03;

const MUHAMMAD_FORMS: &[&str] = &[
    "MUHAMMAD",
    "MUHAMAD",
    "MOHAMMAD",
    "MOCHAMAD",
    "MOHAMAD",
    "MOCHAMMAD",
    "MUHAMMED",
];
const MUHAMMAD_SHORT: &[&str] = &[
    "M.",
    "MUH.",
    "MOCH.",
    "MOH.",
    "MHD.",
    "MUHAMAD",
    "MUHAMMAD",
    "MOHAMMAD",
    "MUCHAMMAD",
];

const NICKNAMES: &[(&str, &str)] = &[
    ("HERMAWAN", "WAWAN"),
    ("KURNIAWAN", "IWAN"),
    ("SETIAWAN", "IWAN"),
    ("GUNAWAN", "WAWAN"),
    ("SLAMET", "MAMET"),
    ("HIDAYAT", "DAYAT"),
    ("RAHMAT", "AMAT"),
    ("SUPRIYADI", "PRI"),
    ("SUGIYANTO", "GIYANTO"),
    ("SUMARNI", "MARNI"),
    ("SUWARNI", "WARNI"),
    ("WAHYUNI", "YUNI"),
    ("ABDULLAH", "DULLAH"),
    ("FATIMAH", "IMAH"),
    ("NURHAYATI", "YATI"),
    ("AISYAH", "ICAH"),
    ("WAHYUDI", "YUDI"),
    ("SUPRIATNA", "NANA"),
    ("SUHARTINI", "TINI"),
    ("SUTRISNO", "TRISNO"),
    ("SUPARMAN", "PARMAN"),
    ("BAMBANG", "BAMS"),
    ("SUKARNO", "KARNO"),
    ("SUPARNO", "PARNO"),
    ("WIDODO", "DODO"),
    ("SUYATNO", "YATNO"),
    ("SUHARTO", "HARTO"),
    ("MARYATI", "YATI"),
    ("HALIMAH", "IMAH"),
    ("KHADIJAH", "IJAH"),
    ("JUBAEDAH", "EDAH"),
    ("RIZKY", "KIKI"),
    ("ADITYA", "ADIT"),
    ("ANDIKA", "DIKA"),
    ("NABILA", "BILA"),
    ("SALSABILA", "SALSA"),
    ("AHMAD", "AMAT"),
    ("HASANUDDIN", "UDIN"),
    ("ZAINUDDIN", "UDIN"),
    ("JOHANNES", "JOHAN"),
    ("MARULI", "ULI"),
    ("FRANSISKUS", "FRANS"),
    ("AGUSTINUS", "AGUS"),
    ("MAGDALENA", "LENA"),
    ("ELISABET", "ELIS"),
    ("KATARINA", "RINA"),
    ("DOMINGGUS", "MINGGUS"),
    ("SUGENG", "GENG"),
    ("MULYADI", "MUL"),
    ("PARLINDUNGAN", "LINDUNG"),
];

const SPELLINGS: &[(&str, &str)] = &[
    ("U", "OE"),
    ("OE", "U"),
    ("J", "DJ"),
    ("DJ", "J"),
    ("C", "TJ"),
    ("TJ", "C"),
    ("SY", "SJ"),
    ("SJ", "SY"),
    ("KH", "CH"),
    ("CH", "KH"),
    ("DH", "D"),
    ("D", "DH"),
    ("NY", "NJ"),
    ("Y", "J"),
    ("F", "P"),
    ("I", "Y"),
    ("Y", "I"),
    ("TH", "T"),
];

const PREFIX_TITLES: &[&str] = &["H.", "HJ.", "DR.", "DRS.", "DRA.", "IR.", "PROF."];

const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPRSTUWY";

/// Settings for building registry rows.
pub(crate) struct RegParams<'a> {
    pub geo: &'a Geo,
    pub today: NaiveDate,
    pub persons: &'a [Person],
    pub households: &'a [Household],
}

/// Builds the registry rows of one registry household (and any duplicates of its members).
pub(crate) fn household_rows(
    p: &RegParams<'_>,
    rng: &mut ChaCha8Rng,
    hh_index: u32,
    dup_keys: &mut impl FnMut() -> u64,
    out: &mut Vec<RegRow>,
    dups: &mut Vec<RegRow>,
) {
    let h = &p.households[hh_index as usize];
    let kk_roll: f64 = rng.random();
    let mut kk_kind = None;
    let no_kk = if kk_roll < P_KK[0] {
        kk_kind = Some(ErrorKind::KkSalah);
        if rng.random_bool(0.5) {
            digit_typo(rng, &format!("{:016}", h.kk))
        } else {
            // An older card of the same district: valid shape, not the current number.
            let issued = h.kk_issue - Days::new(rng.random_range(400..4000));
            format!(
                "{:06}{:02}{:02}{:02}{:04}",
                h.kk_district,
                issued.day(),
                issued.month(),
                issued.year().rem_euclid(100),
                rng.random_range(1..=60)
            )
        }
    } else if kk_roll < P_KK[0] + P_KK[1] {
        kk_kind = Some(ErrorKind::KkKosong);
        String::new()
    } else {
        format!("{:016}", h.kk)
    };
    let village_dotted = rng.random_bool(0.15);
    let alamat = registry_address(rng, &h.alamat);
    let (rt, rw) = rt_rw(rng, h.rt, h.rw);
    let members = h.start..h.start + h.len;
    for i in members.clone() {
        let mut row = person_row(p, rng, i, members.clone());
        old_spelling_without_nik(p, rng, &mut row);
        row.hh_key = u64::from(hh_index);
        row.village = h.village;
        row.village_dotted = village_dotted;
        row.no_kk = no_kk.clone();
        if let Some(k) = kk_kind {
            row.kinds.add(k);
        }
        row.alamat = alamat.clone();
        row.rt = rt.clone();
        row.rw = rw.clone();
        if rng.random_bool(P_DUPLICATE) {
            let copies = if rng.random_bool(0.1) { 2 } else { 1 };
            for _ in 0..copies {
                dups.push(duplicate(p, rng, &row, i, members.clone(), dup_keys));
            }
        }
        out.push(row);
    }
}

/// Another registry row for the same person, as a second registration would look.
fn duplicate(
    p: &RegParams<'_>,
    rng: &mut ChaCha8Rng,
    original: &RegRow,
    person: u32,
    members: std::ops::Range<u32>,
    dup_keys: &mut impl FnMut() -> u64,
) -> RegRow {
    let mut row = person_row(p, rng, person, members);
    row.kinds.add(ErrorKind::Duplikat);
    row.village = original.village;
    row.village_dotted = original.village_dotted;
    row.no_kk = original.no_kk.clone();
    row.alamat = original.alamat.clone();
    row.rt = original.rt.clone();
    row.rw = original.rw.clone();
    let variant: f64 = rng.random();
    // Where a cell comes from the original row, so do the labels of what is wrong in it.
    if variant < 0.35 {
        // A copy of the same record under another household.
        row.nama = original.nama.clone();
        row.nik = original.nik.clone();
        row.tgl_lahir = original.tgl_lahir;
        row.sex = original.sex;
        for group in [&NAME_KINDS[..], &NIK_KINDS, &DATE_SEX_KINDS] {
            row.kinds.take(group, original.kinds);
        }
    } else if variant < 0.6 {
        row.nik = original.nik.clone();
        row.kinds.take(&NIK_KINDS, original.kinds);
        if !row.kinds.has(ErrorKind::NamaTypo) {
            row.nama = typo_name(rng, &row.nama);
            row.kinds.add(ErrorKind::NamaTypo);
        }
    } else if variant < 0.75 {
        let true_nik = format!("{:016}", p.persons[person as usize].nik);
        row.nik = digit_typo(rng, &true_nik);
        row.kinds.take(&NIK_KINDS, Kinds::default());
        row.kinds.add(ErrorKind::NikTypo);
    } else if variant < 0.8 {
        row.nik = String::new();
        row.kinds.take(&NIK_KINDS, Kinds::default());
        row.kinds.add(ErrorKind::NikKosong);
    } else if variant < 0.9 {
        // Registered again in a neighbouring village of the same district.
        let district = original.village.district().expect("village");
        let regency = p.geo.regency_of(original.village);
        for _ in 0..8 {
            let v = p.geo.village_in(rng, regency);
            if district.contains(v) && v != original.village {
                row.village = v;
                break;
            }
        }
        let h = &p.households[p.persons[person as usize].hh as usize];
        row.alamat = registry_address(rng, &h.alamat);
        row.no_kk = String::new();
        row.kinds.add(ErrorKind::KkKosong);
    } else if p.persons[person as usize].civil_hh == p.persons[person as usize].hh {
        // Dukcapil still has the person in the first village.
        return moved_and_registered_again(p, rng, original, row, dup_keys);
    } else {
        // Dukcapil already has them elsewhere: a plain second row without NIK.
        row.nik = String::new();
        row.kinds.take(&NIK_KINDS, Kinds::default());
        row.kinds.add(ErrorKind::NikKosong);
    }
    let same_household = variant < 0.8 && rng.random_bool(0.3);
    if same_household {
        row.hh_key = original_key(p, person);
    } else {
        row.hh_key = dup_keys();
        row.relation = Relation::Kepala;
        if !row.no_kk.is_empty() && rng.random_bool(0.5) {
            row.no_kk = String::new();
            row.kinds.add(ErrorKind::KkKosong);
        }
    }
    row
}

/// The row of a person who moved to a village of another district of the
/// same regency and was registered there again by its operator, who did not
/// know of the first row: written from what the person said (own name,
/// mother's name and birthplace as in Dukcapil), with no NIK, the new card
/// and address, and the day and month of birth swapped when they can be.
/// Dukcapil still has the old village.
fn moved_and_registered_again(
    p: &RegParams<'_>,
    rng: &mut ChaCha8Rng,
    original: &RegRow,
    base: RegRow,
    dup_keys: &mut impl FnMut() -> u64,
) -> RegRow {
    let person = base.person;
    let who = &p.persons[person as usize];
    let district = original.village.district().expect("village");
    let regency = p.geo.regency_of(original.village);
    let mut village = original.village;
    // Another district where the regency has one; a regency of a single
    // district leaves a neighbouring village.
    for attempt in 0..24 {
        let v = p.geo.village_in(rng, regency);
        if v != original.village && (!district.contains(v) || attempt >= 16) {
            village = v;
            break;
        }
    }
    // What the person is (events and traits) stays; the row's own errors are these.
    let mut kinds = Kinds::default();
    for k in base.kinds.iter() {
        if IS_ABOUT_THE_PERSON.contains(&k) {
            kinds.add(k);
        }
    }
    kinds.add(ErrorKind::Duplikat);
    kinds.add(ErrorKind::DaftarUlangPindah);
    kinds.add(ErrorKind::NikKosong);
    kinds.add(ErrorKind::KkSalah);
    let b = who.birth;
    let tgl_lahir = match NaiveDate::from_ymd_opt(b.year(), b.day(), b.month()) {
        Some(d) if b.day() != b.month() && d <= p.today => {
            kinds.add(ErrorKind::TglTertukar);
            d
        }
        _ => b,
    };
    // The new card: the new district, issued after the move.
    let new_district = village.district().expect("village").digits();
    let issued = p.today - Days::new(rng.random_range(30..1400));
    let no_kk = format!(
        "{:06}{:02}{:02}{:02}{:04}",
        new_district,
        issued.day(),
        issued.month(),
        issued.year().rem_euclid(100),
        rng.random_range(1..=60)
    );
    let elsewhere = &p.households[rng.random_range(0..p.households.len())];
    let (rt, rw) = (rng.random_range(1..=15u8), rng.random_range(1..=15u8));
    let (rt, rw) = rt_rw(rng, rt, rw);
    RegRow {
        person,
        hh_key: dup_keys(),
        village,
        village_dotted: rng.random_bool(0.15),
        no_kk,
        nik: String::new(),
        nama: who.nama.clone(),
        sex: who.sex,
        tempat_lahir: p.geo.regencies[who.birthplace as usize].place.clone(),
        tgl_lahir,
        tgl_slash: rng.random_bool(0.25),
        relation: Relation::Kepala,
        mother: who.mother.clone(),
        alamat: elsewhere.alamat.clone(),
        rt,
        rw,
        kinds,
    }
}

/// What can be wrong with the name cell.
const NAME_KINDS: [ErrorKind; 11] = [
    ErrorKind::NamaTypo,
    ErrorKind::NamaEjaan,
    ErrorKind::NamaSingkatan,
    ErrorKind::NamaPanggilan,
    ErrorKind::NamaBagianHilang,
    ErrorKind::NamaBagianTambah,
    ErrorKind::NamaSpasi,
    ErrorKind::GelarTambah,
    ErrorKind::GelarHapus,
    ErrorKind::NamaFormat,
    ErrorKind::EjaanLamaSatuKata,
];

/// What can be wrong with the NIK cell.
const NIK_KINDS: [ErrorKind; 9] = [
    ErrorKind::NikTypo,
    ErrorKind::NikTertukar,
    ErrorKind::NikKosong,
    ErrorKind::NikPengganti,
    ErrorKind::NikExcelIlmiah,
    ErrorKind::NikExcelDesimal,
    ErrorKind::NikExcelDigitAkhir,
    ErrorKind::NikPanjangSalah,
    ErrorKind::NikAnggotaLain,
];

/// What can be wrong with the birth date and sex cells.
const DATE_SEX_KINDS: [ErrorKind; 5] = [
    ErrorKind::TglTertukar,
    ErrorKind::TglSelisihHari,
    ErrorKind::TglSelisihTahun,
    ErrorKind::TglSatuJanuari,
    ErrorKind::JenisKelaminSalah,
];

/// A one-word name written in the old spelling by an operator who left the
/// NIK empty (`P_OLD_ONE_WORD` of the rows of one-word names where a rule
/// applies): the name cell and the NIK cell replace whatever was injected
/// in them; the rest of the row keeps its own errors.
fn old_spelling_without_nik(p: &RegParams<'_>, rng: &mut ChaCha8Rng, row: &mut RegRow) {
    let name = &p.persons[row.person as usize].nama;
    if name.contains(' ') || !rng.random_bool(P_OLD_ONE_WORD) {
        return;
    }
    let Some(old) = old_spelling(rng, name) else {
        return;
    };
    row.nama = old;
    row.nik = String::new();
    row.kinds.take(&NAME_KINDS, Kinds::default());
    row.kinds.take(&NIK_KINDS, Kinds::default());
    row.kinds.add(ErrorKind::EjaanLamaSatuKata);
    row.kinds.add(ErrorKind::NikKosong);
}

/// Kinds that describe the person, not how a row was written.
const IS_ABOUT_THE_PERSON: [ErrorKind; 8] = [
    ErrorKind::Pindah,
    ErrorKind::PindahDesa,
    ErrorKind::Meninggal,
    ErrorKind::TidakAdaDiDukcapil,
    ErrorKind::Kembar,
    ErrorKind::Senama,
    ErrorKind::TglPlaceholder,
    ErrorKind::SenamaAyah,
];

fn original_key(p: &RegParams<'_>, person: u32) -> u64 {
    u64::from(p.persons[person as usize].hh)
}

/// One person's row with person-level errors; household fields are filled by the caller.
fn person_row(
    p: &RegParams<'_>,
    rng: &mut ChaCha8Rng,
    i: u32,
    members: std::ops::Range<u32>,
) -> RegRow {
    let person = &p.persons[i as usize];
    let mut kinds = Kinds::default();
    let age = age(person.birth, p.today);

    // Events the row carries because of who the person is.
    if !person.in_civil {
        kinds.add(ErrorKind::TidakAdaDiDukcapil);
    } else {
        if person.death.is_some() {
            kinds.add(ErrorKind::Meninggal);
        }
        if person.civil_hh != person.hh {
            let from = p.households[person.hh as usize].village.regency();
            let to = p.households[person.civil_hh as usize].village.regency();
            kinds.add(if from == to {
                ErrorKind::PindahDesa
            } else {
                ErrorKind::Pindah
            });
        }
    }

    for (bit, kind) in [
        (mark::TWIN, ErrorKind::Kembar),
        (mark::NAMESAKE, ErrorKind::Senama),
        (mark::PLACEHOLDER_DATE, ErrorKind::TglPlaceholder),
        (mark::FATHER_NAME, ErrorKind::SenamaAyah),
    ] {
        if person.marks & bit != 0 {
            kinds.add(kind);
        }
    }

    let nama = registry_name(rng, person, age, &mut kinds);
    let (tgl_lahir, sex) = registry_date_sex(rng, person, p.today, &mut kinds);
    let nik = registry_nik(p, rng, person, age, i, members, &mut kinds);
    let mother = if rng.random_bool(P_MOTHER[0]) {
        kinds.add(ErrorKind::IbuKosong);
        String::new()
    } else if rng.random_bool(P_MOTHER[1]) {
        kinds.add(ErrorKind::IbuTypo);
        typo_name(rng, &person.mother)
    } else {
        person.mother.clone()
    };
    let place = &p.geo.regencies[person.birthplace as usize];
    let tempat_lahir = if rng.random_bool(0.03) {
        let kota = place.code.is_kota() == Some(true);
        format!("{} {}", if kota { "KOTA" } else { "KAB." }, place.place)
    } else {
        place.place.clone()
    };
    RegRow {
        person: i,
        hh_key: 0,
        village: p.households[person.hh as usize].village,
        village_dotted: false,
        no_kk: String::new(),
        nik,
        nama,
        sex,
        tempat_lahir,
        tgl_lahir,
        tgl_slash: rng.random_bool(0.25),
        relation: person.relation,
        mother,
        alamat: String::new(),
        rt: String::new(),
        rw: String::new(),
        kinds,
    }
}

fn registry_name(rng: &mut ChaCha8Rng, person: &Person, age: i32, kinds: &mut Kinds) -> String {
    let (mut prefix, mut core, mut degree) = split_titles(&person.nama);
    if (!prefix.is_empty() || degree.is_some()) && rng.random_bool(P_TITLE_DROP) {
        prefix.clear();
        degree = None;
        kinds.add(ErrorKind::GelarHapus);
    } else if prefix.is_empty() && degree.is_none() && age >= 30 && rng.random_bool(P_TITLE_ADD) {
        if person.group.muslim() && rng.random_bool(0.6) {
            prefix.push(if person.sex == Sex::L { "H." } else { "HJ." });
        } else if rng.random_bool(0.5) {
            let list = if person.sex == Sex::L {
                names::ADDABLE_TITLES_M
            } else {
                names::ADDABLE_TITLES_F
            };
            prefix.push(list[rng.random_range(0..list.len())]);
        } else {
            let d = names::addable_degrees();
            degree = Some(d[rng.random_range(0..d.len())].to_string());
        }
        kinds.add(ErrorKind::GelarTambah);
    }
    let mut tokens: Vec<String> = core.split_whitespace().map(str::to_string).collect();
    // Abbreviations of MUHAMMAD, ABDUL, SITI.
    if let Some(pos) = tokens.iter().position(|t| {
        MUHAMMAD_FORMS.contains(&t.as_str()) || t == "ABDUL" || t == "SITI" || t == "SITTI"
    }) && rng.random_bool(P_ABBREV)
    {
        let t = tokens[pos].clone();
        let new = if t == "ABDUL" {
            "ABD.".to_string()
        } else if t == "SITI" || t == "SITTI" {
            "ST.".to_string()
        } else {
            let mut s = t.clone();
            while s == t {
                s = MUHAMMAD_SHORT[rng.random_range(0..MUHAMMAD_SHORT.len())].to_string();
            }
            s
        };
        tokens[pos] = new;
        kinds.add(ErrorKind::NamaSingkatan);
    }
    if let Some((pos, nick)) = tokens
        .iter()
        .enumerate()
        .find_map(|(i, t)| NICKNAMES.iter().find(|(n, _)| n == t).map(|(_, k)| (i, *k)))
        && rng.random_bool(P_NICKNAME)
    {
        if rng.random_bool(0.5) {
            tokens = vec![nick.to_string()];
        } else {
            tokens[pos] = nick.to_string();
        }
        kinds.add(ErrorKind::NamaPanggilan);
    }
    if rng.random_bool(P_SPELLING) && respell(rng, &mut tokens) {
        kinds.add(ErrorKind::NamaEjaan);
    }
    if tokens.len() >= 2 && rng.random_bool(P_DROP_PART) {
        let pos = rng.random_range(0..tokens.len());
        tokens.remove(pos);
        kinds.add(ErrorKind::NamaBagianHilang);
    } else if rng.random_bool(P_ADD_PART) {
        if person.group.muslim() && age >= 17 {
            let bin = if person.sex == Sex::L { "BIN" } else { "BINTI" };
            tokens.push(bin.to_string());
            tokens.push(names::father_name(rng, person.group).to_string());
        } else if person.sex == Sex::P {
            tokens.insert(
                0,
                if person.group == Group::Bali {
                    "NI".into()
                } else {
                    "SITI".into()
                },
            );
        } else {
            tokens.insert(0, "MUHAMMAD".into());
        }
        kinds.add(ErrorKind::NamaBagianTambah);
    }
    if rng.random_bool(P_SPACING) && respace(rng, &mut tokens) {
        kinds.add(ErrorKind::NamaSpasi);
    }
    core = tokens.join(" ");
    if rng.random_bool(P_TYPO) {
        core = typo_name(rng, &core);
        kinds.add(ErrorKind::NamaTypo);
    }
    let mut name = core;
    if !prefix.is_empty() {
        name = format!("{} {name}", prefix.join(" "));
    }
    if let Some(d) = degree {
        name = format!("{name}, {d}");
    }
    if rng.random_bool(P_FORMAT) {
        name = if rng.random_bool(0.6) {
            title_case(&name)
        } else {
            name.replacen(' ', "  ", 1)
        };
        kinds.add(ErrorKind::NamaFormat);
    }
    if name.trim().is_empty() {
        person.nama.clone()
    } else {
        name
    }
}

/// Splits `H. SUPARMAN, S.PD.` into prefix titles, the core name and a degree.
fn split_titles(name: &str) -> (Vec<&'static str>, String, Option<String>) {
    let (main, degree) = match name.split_once(", ") {
        Some((m, d)) => (m, Some(d.to_string())),
        None => (name, None),
    };
    let mut prefix = Vec::new();
    let mut rest = main;
    while let Some((first, tail)) = rest.split_once(' ')
        && let Some(t) = PREFIX_TITLES.iter().find(|t| **t == first)
    {
        prefix.push(*t);
        rest = tail;
    }
    (prefix, rest.to_string(), degree)
}

fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_string() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Applies one old/new spelling rule somewhere in the name; false if none applies.
fn respell(rng: &mut ChaCha8Rng, tokens: &mut [String]) -> bool {
    let mut options: Vec<(usize, usize, &str, &str)> = Vec::new();
    for (ti, t) in tokens.iter().enumerate() {
        if t.ends_with('.') || t.len() < 3 {
            continue;
        }
        for (from, to) in SPELLINGS {
            for (pos, _) in t.match_indices(from) {
                let after = t[pos + from.len()..].chars().next();
                let ok = match *from {
                    "C" => after != Some('H'),
                    "D" | "Y" | "J" => {
                        after.is_some_and(|c| "AIUEO".contains(c))
                            && !(*from == "D" && after == Some('J'))
                    }
                    "I" => pos + 1 == t.len() && pos > 0,
                    "U" => !t[..pos].ends_with('O'),
                    _ => true,
                };
                if ok {
                    options.push((ti, pos, from, to));
                }
            }
        }
    }
    if options.is_empty() {
        return false;
    }
    let (ti, pos, from, to) = options[rng.random_range(0..options.len())];
    let t = &tokens[ti];
    tokens[ti] = format!("{}{}{}", &t[..pos], to, &t[pos + from.len()..]);
    true
}

/// One word rewritten in the pre-1972 spelling at one place where it applies
/// (Y before a vowel as J, U as OE, C as TJ, J as DJ, SY as SJ, KH as CH);
/// `None` where no rule applies.
fn old_spelling(rng: &mut ChaCha8Rng, word: &str) -> Option<String> {
    let b = word.as_bytes();
    let vowel = |i: usize| b.get(i).is_some_and(|c| b"AIUEO".contains(c));
    let mut options: Vec<(usize, usize, &str)> = Vec::new();
    for i in 0..b.len() {
        let prev = i.checked_sub(1).map(|k| b[k]);
        let next = b.get(i + 1).copied();
        match b[i] {
            b'Y' if vowel(i + 1) && prev != Some(b'S') => options.push((i, 1, "J")),
            b'U' if prev != Some(b'O') => options.push((i, 1, "OE")),
            b'C' if next != Some(b'H') => options.push((i, 1, "TJ")),
            b'J' if vowel(i + 1) && prev != Some(b'D') => options.push((i, 1, "DJ")),
            b'S' if next == Some(b'Y') => options.push((i, 2, "SJ")),
            b'K' if next == Some(b'H') => options.push((i, 2, "CH")),
            _ => {}
        }
    }
    if options.is_empty() {
        return None;
    }
    let (at, len, to) = options[rng.random_range(0..options.len())];
    Some(format!("{}{}{}", &word[..at], to, &word[at + len..]))
}

/// Joins two parts or splits one at a common first element; false if nothing applies.
fn respace(rng: &mut ChaCha8Rng, tokens: &mut Vec<String>) -> bool {
    const HEADS: &[&str] = &["NUR", "SRI", "SITI", "ABDUL", "MUHAMMAD"];
    if let Some(pos) = tokens.iter().position(|t| {
        HEADS
            .iter()
            .any(|h| t.len() > h.len() + 2 && t.starts_with(h))
    }) {
        let t = tokens[pos].clone();
        let head = HEADS.iter().find(|h| t.starts_with(**h)).expect("matched");
        tokens[pos] = head.to_string();
        tokens.insert(pos + 1, t[head.len()..].to_string());
        return true;
    }
    if tokens.len() >= 2 && !tokens[0].ends_with('.') && !tokens[1].ends_with('.') {
        let pos = rng.random_range(0..tokens.len() - 1);
        let joined = format!("{}{}", tokens[pos], tokens[pos + 1]);
        tokens[pos] = joined;
        tokens.remove(pos + 1);
        return true;
    }
    false
}

/// One typing error somewhere in a letter of the text.
pub(crate) fn typo_name(rng: &mut ChaCha8Rng, s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|i| chars[*i].is_ascii_alphabetic())
        .collect();
    if letters.len() < 3 {
        return s.to_string();
    }
    for _ in 0..8 {
        let mut c = chars.clone();
        let i = letters[rng.random_range(0..letters.len())];
        match rng.random_range(0..4) {
            0 => c[i] = LETTERS[rng.random_range(0..LETTERS.len())] as char,
            1 => {
                c.remove(i);
            }
            2 => c.insert(i, c[i]),
            _ => {
                if i + 1 < c.len() && c[i + 1].is_ascii_alphabetic() {
                    c.swap(i, i + 1);
                }
            }
        }
        let out: String = c.into_iter().collect();
        if out != s && !out.trim().is_empty() {
            return out;
        }
    }
    s.to_string()
}

fn registry_date_sex(
    rng: &mut ChaCha8Rng,
    person: &Person,
    today: NaiveDate,
    kinds: &mut Kinds,
) -> (NaiveDate, Sex) {
    let b = person.birth;
    let roll: f64 = rng.random();
    let mut d = b;
    let [swap, day, year, jan] = P_DATE;
    if roll < swap {
        if b.day() <= 12
            && b.day() != b.month()
            && let Some(s) = NaiveDate::from_ymd_opt(b.year(), b.day(), b.month())
        {
            d = s;
            kinds.add(ErrorKind::TglTertukar);
        }
    } else if roll < swap + day {
        let s = if rng.random_bool(0.5) {
            b.checked_add_days(Days::new(1))
        } else {
            b.checked_sub_days(Days::new(1))
        };
        if let Some(s) = s {
            d = s;
            kinds.add(ErrorKind::TglSelisihHari);
        }
    } else if roll < swap + day + year {
        let y = if rng.random_bool(0.5) {
            b.year() + 1
        } else {
            b.year() - 1
        };
        if let Some(s) = NaiveDate::from_ymd_opt(y, b.month(), b.day()) {
            d = s;
            kinds.add(ErrorKind::TglSelisihTahun);
        }
    } else if roll < swap + day + year + jan
        && (b.month(), b.day()) != (1, 1)
        && let Some(s) = NaiveDate::from_ymd_opt(b.year(), 1, 1)
    {
        d = s;
        kinds.add(ErrorKind::TglSatuJanuari);
    }
    if d > today {
        // A birth date in the future is a structural error, not a typo to verify: keep the true one.
        d = b;
        for k in [
            ErrorKind::TglTertukar,
            ErrorKind::TglSelisihHari,
            ErrorKind::TglSelisihTahun,
        ] {
            kinds.remove(k);
        }
    }
    let sex = if rng.random_bool(P_SEX) {
        kinds.add(ErrorKind::JenisKelaminSalah);
        match person.sex {
            Sex::L => Sex::P,
            Sex::P => Sex::L,
        }
    } else {
        person.sex
    };
    (d, sex)
}

fn registry_nik(
    p: &RegParams<'_>,
    rng: &mut ChaCha8Rng,
    person: &Person,
    age: i32,
    i: u32,
    members: std::ops::Range<u32>,
    kinds: &mut Kinds,
) -> String {
    let nik = format!("{:016}", person.nik);
    let mut roll: f64 = rng.random();
    let mut which = None;
    for (k, pr) in P_NIK.iter().enumerate() {
        if roll < *pr {
            which = Some(k);
            break;
        }
        roll -= pr;
    }
    match which {
        None => nik,
        Some(0) => {
            kinds.add(ErrorKind::NikKosong);
            String::new()
        }
        Some(1) => {
            kinds.add(ErrorKind::NikPengganti);
            if age < 17 {
                "9999999999999995"
            } else {
                "9999999999999996"
            }
            .to_string()
        }
        Some(2) => {
            kinds.add(ErrorKind::NikTypo);
            digit_typo(rng, &nik)
        }
        Some(3) => {
            let b: Vec<u8> = nik.bytes().collect();
            let candidates: Vec<usize> = (0..15).filter(|j| b[*j] != b[j + 1]).collect();
            let j = candidates[rng.random_range(0..candidates.len())];
            let mut b = b;
            b.swap(j, j + 1);
            kinds.add(ErrorKind::NikTertukar);
            String::from_utf8(b).expect("digits")
        }
        Some(4) => {
            kinds.add(ErrorKind::NikExcelIlmiah);
            excel_scientific(person.nik)
        }
        Some(5) => {
            kinds.add(ErrorKind::NikExcelDesimal);
            format!("{nik}.0")
        }
        Some(6) => {
            if person.nik.is_multiple_of(10) {
                // Already ends in 0: Excel leaves it intact, so the row is clean.
                return nik;
            }
            kinds.add(ErrorKind::NikExcelDigitAkhir);
            format!("{:016}", person.nik / 10 * 10)
        }
        Some(7) => {
            kinds.add(ErrorKind::NikPanjangSalah);
            let j = rng.random_range(0..16);
            if rng.random_bool(0.6) {
                format!("{}{}", &nik[..j], &nik[j + 1..])
            } else {
                format!("{}{}", &nik[..=j], &nik[j..])
            }
        }
        _ => {
            let others: Vec<u32> = members.filter(|m| *m != i).collect();
            if others.is_empty() {
                return nik;
            }
            kinds.add(ErrorKind::NikAnggotaLain);
            let o = others[rng.random_range(0..others.len())];
            format!("{:016}", p.persons[o as usize].nik)
        }
    }
}

/// Replaces one digit with another.
fn digit_typo(rng: &mut ChaCha8Rng, s: &str) -> String {
    let mut b: Vec<u8> = s.bytes().collect();
    let j = rng.random_range(0..b.len());
    let old = b[j];
    while b[j] == old {
        b[j] = b'0' + rng.random_range(0..10u8);
    }
    String::from_utf8(b).expect("digits")
}

/// How Excel's General format shows a 16-digit number: six significant digits.
pub(crate) fn excel_scientific(n: u64) -> String {
    let mantissa = (n + 5_000_000_000) / 10_000_000_000; // rounded to 6 digits
    let (digits, exp) = if mantissa >= 1_000_000 {
        (mantissa / 10, 16)
    } else {
        (mantissa, 15)
    };
    let s = digits.to_string();
    let frac = s[1..].trim_end_matches('0');
    if frac.is_empty() {
        format!("{}E+{exp}", &s[..1])
    } else {
        format!("{}.{}E+{exp}", &s[..1], frac)
    }
}

fn registry_address(rng: &mut ChaCha8Rng, alamat: &str) -> String {
    let roll: f64 = rng.random();
    if roll < 0.08 && alamat.starts_with("JL. ") {
        alamat.replacen("JL. ", "JALAN ", 1)
    } else if roll < 0.13 && alamat.contains(" NO. ") {
        alamat.split(" NO. ").next().unwrap_or(alamat).to_string()
    } else if roll < 0.16 && alamat.starts_with("DUSUN ") {
        alamat.replacen("DUSUN ", "DSN. ", 1)
    } else {
        alamat.to_string()
    }
}

fn rt_rw(rng: &mut ChaCha8Rng, rt: u8, rw: u8) -> (String, String) {
    if rng.random_bool(0.2) {
        (rt.to_string(), rw.to_string())
    } else {
        (format!("{rt:03}"), format!("{rw:03}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use padu_core::{Nik, NikError};
    use rand::SeedableRng;

    #[test]
    fn excel_scientific_matches_what_excel_shows() {
        assert_eq!(excel_scientific(3_276_014_501_900_001), "3.27601E+15");
        assert_eq!(excel_scientific(3_200_000_000_000_001), "3.2E+15");
        let today = padu_testkit::today();
        assert!(matches!(
            Nik::parse(&excel_scientific(3_276_014_501_900_001), today),
            Err(NikError::ExcelScientific(_))
        ));
    }

    #[test]
    fn titles_are_split_from_the_name() {
        let (p, core, d) = split_titles("H. SUPARMAN, S.PD.");
        assert_eq!(p, vec!["H."]);
        assert_eq!(core, "SUPARMAN");
        assert_eq!(d.as_deref(), Some("S.PD."));
        let (p, core, d) = split_titles("HASANAH");
        assert!(p.is_empty() && d.is_none());
        assert_eq!(core, "HASANAH");
    }

    #[test]
    fn respelling_changes_exactly_one_spot() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..50 {
            let mut t = vec!["SUPARMAN".to_string()];
            assert!(respell(&mut rng, &mut t));
            assert_ne!(t[0], "SUPARMAN");
            assert!(["SOEPARMAN", "SUPARMAN"].contains(&t[0].as_str()) || t[0].len() >= 7);
        }
    }

    #[test]
    fn typos_change_the_name_but_keep_it_close() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        for _ in 0..100 {
            let t = typo_name(&mut rng, "SITI AMINAH");
            assert_ne!(t, "SITI AMINAH");
            assert!((t.len() as i64 - 11).abs() <= 1, "{t}");
        }
    }

    #[test]
    fn every_kind_has_a_distinct_code() {
        let mut codes: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
        assert!(ErrorKind::ALL.len() <= 64);
    }
}
