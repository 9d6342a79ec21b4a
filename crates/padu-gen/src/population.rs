//! The synthetic civil population: households on family cards, people with NIKs.
//!
//! A chunk of households is generated from its own seeded RNG, so chunks run in
//! parallel and the result does not depend on the number of threads. NIK and
//! No KK serials are left at zero here and numbered afterwards in one ordered
//! pass ([`assign_serials`]), which keeps them unique per district and date.

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use padu_core::{RegionCode, Relation, Sex};

use crate::geo::Geo;
use crate::names::{self, Group, NameCtx};

/// Marks kept on a person for the report and the tests.
pub(crate) mod mark {
    /// Born together with a sibling in the same household.
    pub(crate) const TWIN: u8 = 1;
    /// Given the name (and birth date or year) of another household head.
    pub(crate) const NAMESAKE: u8 = 2;
    /// NIK issued in a district other than the current domicile.
    pub(crate) const NIK_ELSEWHERE: u8 = 4;
    /// NIK issued under a retired district code.
    pub(crate) const NIK_RETIRED: u8 = 8;
    /// The civil record lives in another household than the registry one (moved).
    pub(crate) const MOVED: u8 = 16;
    /// Birth date unknown to Dukcapil, recorded as 31 December or 1 July of the year.
    pub(crate) const PLACEHOLDER_DATE: u8 = 32;
    /// A father and his son who carry the same name, on the same card.
    pub(crate) const FATHER_NAME: u8 = 64;
}

/// Probability that a son of a male head is given his father's name.
pub(crate) const P_FATHER_NAME: f64 = 0.01;
/// Probability that someone born before [`PLACEHOLDER_BEFORE`] has a placeholder birth date.
pub(crate) const P_PLACEHOLDER_DATE: f64 = 0.06;
/// People born before this year may have a placeholder birth date.
pub(crate) const PLACEHOLDER_BEFORE: i32 = 1975;

/// One resident.
pub(crate) struct Person {
    /// Civil name, upper case, titles included.
    pub nama: String,
    /// Sex.
    pub sex: Sex,
    /// Birth date.
    pub birth: NaiveDate,
    /// Mother's maiden name.
    pub mother: String,
    /// Birth place: index into `Geo::regencies`.
    pub birthplace: u16,
    /// District of first issue of the NIK (six-digit number).
    pub nik_district: u32,
    /// The NIK, once serials are assigned.
    pub nik: u64,
    /// The household the person belongs to in the registry's view (and the civil one unless moved).
    pub hh: u32,
    /// The household of the civil record.
    pub civil_hh: u32,
    /// Relation to the head.
    pub relation: Relation,
    /// Date of death, if deceased.
    pub death: Option<NaiveDate>,
    /// Whether the civil extract holds the person.
    pub in_civil: bool,
    /// Naming tradition (for patronymics added by operators).
    pub group: Group,
    /// [`mark`] bits.
    pub marks: u8,
}

/// One family card (KK) with its address.
pub(crate) struct Household {
    /// Village code.
    pub village: RegionCode,
    /// Street address.
    pub alamat: String,
    /// RT number.
    pub rt: u8,
    /// RW number.
    pub rw: u8,
    /// District of issue of the KK.
    pub kk_district: u32,
    /// Issue date of the KK.
    pub kk_issue: NaiveDate,
    /// The No KK, once serials are assigned.
    pub kk: u64,
    /// Whether the household is in the registry (DTKS) sample.
    pub in_registry: bool,
    /// First member in the person list (registry households only).
    pub start: u32,
    /// Number of members (registry households only; 0 for civil-only cards after a move).
    pub len: u32,
}

/// What one chunk produced, with chunk-local indices.
#[derive(Default)]
pub(crate) struct Chunk {
    /// People.
    pub persons: Vec<Person>,
    /// Households, including civil-only cards of people who moved.
    pub households: Vec<Household>,
}

/// Settings shared by every chunk.
pub(crate) struct PopParams<'a> {
    /// The map.
    pub geo: &'a Geo,
    /// Reference date.
    pub today: NaiveDate,
    /// Target share of people in the registry.
    pub registry_fraction: f64,
}

const STREETS: &[&str] = &[
    "MELATI",
    "MAWAR",
    "KENANGA",
    "ANGGREK",
    "DAHLIA",
    "CEMPAKA",
    "FLAMBOYAN",
    "MERDEKA",
    "PEMUDA",
    "SUDIRMAN",
    "DIPONEGORO",
    "PAHLAWAN",
    "KARTINI",
    "MANGGA",
    "RAMBUTAN",
    "DURIAN",
    "NANGKA",
    "BELIMBING",
    "RAYA",
    "PERINTIS KEMERDEKAAN",
    "AHMAD YANI",
    "VETERAN",
    "MASJID",
    "BARU",
    "SEROJA",
    "TERATAI",
    "KAMBOJA",
    "SILIWANGI",
    "GAJAH MADA",
    "HASANUDDIN",
];

const KAMPUNG: &[&str] = &[
    "KRAJAN",
    "SUKAMAJU",
    "SUKAMULYA",
    "TEGALSARI",
    "SIDOMULYO",
    "SUMBERSARI",
    "KEDUNGREJO",
    "WONOREJO",
    "MEKARSARI",
    "CIBODAS",
    "CIMANGGU",
    "BOJONG",
    "TANJUNGSARI",
    "PASIRJAYA",
    "KARANGANYAR",
    "SUKADAMAI",
    "MARGAMULYA",
    "SIDOREJO",
    "PUNDUNG",
    "GIRIMULYO",
    "BABAKAN",
    "CIKARET",
    "LEBAK",
    "TALANG",
    "LORONG",
    "MUARA",
];

const BANJAR: &[&str] = &[
    "KAJA",
    "KELOD",
    "TENGAH",
    "KANGIN",
    "KAUH",
    "ANYAR",
    "DAUH PURI",
    "DANGIN PURI",
    "PASEKAN",
    "TEGAL",
    "SEMA",
];

const PERUM: &[&str] = &[
    "GRIYA ASRI",
    "BUMI INDAH",
    "PERMATA HIJAU",
    "TAMAN SARI",
    "GRAHA PERMAI",
    "PONDOK HIJAU",
];

fn address(rng: &mut ChaCha8Rng, village: RegionCode, group: Group, decile: u8) -> String {
    let urban = village.is_kelurahan() == Some(true);
    let street = STREETS[names::zipf_index(rng, STREETS.len())];
    let kampung = KAMPUNG[names::zipf_index(rng, KAMPUNG.len())];
    let no = rng.random_range(1..=120);
    let roll: f64 = rng.random();
    match (urban, group) {
        (_, Group::Bali) if roll < 0.5 => {
            format!("BANJAR {}", BANJAR[names::zipf_index(rng, BANJAR.len())])
        }
        (_, Group::Minang) if !urban && roll < 0.5 => format!("JORONG {kampung}"),
        (_, Group::Sunda) if roll < 0.4 => format!("KP. {kampung}"),
        (true, _) if decile >= 6 && roll < 0.25 => format!(
            "PERUM {} BLOK {}{} NO. {no}",
            PERUM[rng.random_range(0..PERUM.len())],
            (b'A' + rng.random_range(0..8u8)) as char,
            rng.random_range(1..=20)
        ),
        (true, _) if roll < 0.7 => format!("JL. {street} NO. {no}"),
        (true, _) => format!(
            "GG. {street} {}",
            ["I", "II", "III", "IV"][rng.random_range(0..4)]
        ),
        (false, _) if roll < 0.55 => format!("DUSUN {kampung}"),
        (false, _) if roll < 0.8 => format!("JL. {street}"),
        (false, _) => format!("KP. {kampung}"),
    }
}

/// Probability that a household of this decile is in the registry, so that
/// the mean over deciles is `fraction` and the poor are far more likely in.
fn inclusion(decile: u8, fraction: f64) -> f64 {
    // Weights 10..1 have mean 5.5; above 0.55 the cap flattens the slope.
    let w = f64::from(11 - decile) / 5.5;
    (fraction * w)
        .min(1.0)
        .max(fraction * 1.6 - 0.6)
        .clamp(0.0, 1.0)
}

fn years_before(d: NaiveDate, years: i32, extra_days: u64) -> NaiveDate {
    let y = d.year() - years;
    let base = NaiveDate::from_ymd_opt(y, d.month(), d.day().min(28)).unwrap_or(d);
    base.checked_sub_days(Days::new(extra_days)).unwrap_or(base)
}

fn add_days(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

fn age_at(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut a = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        a -= 1;
    }
    a
}

fn pick_group(rng: &mut ChaCha8Rng, province: u32) -> Group {
    let mix = names::province_mix(province);
    let total: u32 = mix.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for (g, w) in mix {
        if x < *w {
            return *g;
        }
        x -= w;
    }
    mix[0].0
}

fn head_age(rng: &mut ChaCha8Rng) -> i32 {
    let bands: [(i32, i32, u32); 6] = [
        (20, 29, 12),
        (30, 39, 24),
        (40, 49, 24),
        (50, 59, 20),
        (60, 69, 12),
        (70, 90, 8),
    ];
    let mut x = rng.random_range(0..100u32);
    for (lo, hi, w) in bands {
        if x < w {
            return rng.random_range(lo..=hi);
        }
        x -= w;
    }
    40
}

fn death_probability(age: i32) -> f64 {
    match age {
        ..40 => 0.0025,
        40..60 => 0.014,
        60..70 => 0.045,
        70..80 => 0.10,
        _ => 0.20,
    }
}

/// A member before it becomes a [`Person`].
struct Proto {
    nama: String,
    base: String,
    sex: Sex,
    birth: NaiveDate,
    mother: String,
    relation: Relation,
    group: Group,
    marks: u8,
}

/// Pools of earlier heads, for deliberate namesakes.
#[derive(Default)]
struct NamesakePool {
    men: Vec<(String, NaiveDate)>,
    women: Vec<(String, NaiveDate)>,
}

/// Generates households until `target` civil-registry people exist in the chunk.
pub(crate) fn generate_chunk(p: &PopParams<'_>, rng: &mut ChaCha8Rng, target: usize) -> Chunk {
    let mut chunk = Chunk {
        persons: Vec::with_capacity(target + target / 50 + 16),
        households: Vec::with_capacity(target / 3),
    };
    let mut civil = 0usize;
    let mut pool = NamesakePool::default();
    while civil < target {
        civil += household(p, rng, &mut chunk, &mut pool, target - civil);
    }
    chunk
}

fn draw_name(rng: &mut ChaCha8Rng, ctx: &NameCtx) -> (String, Option<&'static str>) {
    let d = names::draw(rng, ctx);
    (d.name, d.family)
}

/// What every member of one household shares: where it lives, its naming tradition and its welfare.
struct Setting {
    regency: usize,
    village: RegionCode,
    province: u32,
    group: Group,
    decile: u8,
    in_registry: bool,
    family: Option<&'static str>,
}

impl Setting {
    /// Draws the household's place, tradition, decile and registry inclusion.
    fn draw(p: &PopParams<'_>, rng: &mut ChaCha8Rng) -> Setting {
        let regency = p.geo.home_regency(rng);
        let village = p.geo.village_in(rng, regency);
        let province = p.geo.regencies[regency].province;
        let group = pick_group(rng, province);
        let decile: u8 = rng.random_range(1..=10);
        let in_registry = rng.random_bool(inclusion(decile, p.registry_fraction));
        let family = names::family_name(rng, group, province);
        Setting {
            regency,
            village,
            province,
            group,
            decile,
            in_registry,
            family,
        }
    }

    /// The naming context of a member of this household.
    fn ctx(
        &self,
        sex: Sex,
        birth: NaiveDate,
        family: Option<&'static str>,
        order: usize,
    ) -> NameCtx {
        NameCtx {
            group: self.group,
            sex,
            birth_year: birth.year(),
            province: self.province,
            family,
            order,
        }
    }

    /// A woman's name for someone's mother, a generation before `child_birth`.
    fn mother_of(&self, rng: &mut ChaCha8Rng, child_birth: NaiveDate) -> String {
        let ctx = self.ctx(Sex::P, years_before(child_birth, 25, 0), None, 0);
        names::draw(rng, &ctx).name
    }
}

/// The head of a household, as the other members need it.
struct Head {
    sex: Sex,
    birth: NaiveDate,
    age: i32,
    mother: String,
}

/// The wife of a male head: her name without title, birth date and mother.
struct Wife {
    base: String,
    birth: NaiveDate,
    mother: String,
}

/// Adds one household (and any civil-only card of members who moved); returns the civil people added.
fn household(
    p: &PopParams<'_>,
    rng: &mut ChaCha8Rng,
    chunk: &mut Chunk,
    pool: &mut NamesakePool,
    room: usize,
) -> usize {
    let s = Setting::draw(p, rng);
    let mut members: Vec<Proto> = Vec::with_capacity(8);
    let head = add_head(p.today, rng, &s, pool, &mut members);
    let wife = add_spouse(p.today, rng, &s, &head, &mut members);
    let adult_child = add_children(p.today, rng, &s, &head, wife.as_ref(), &mut members);
    if let Some(ci) = adult_child
        && rng.random_bool(0.3)
    {
        add_child_family(p.today, rng, &s, ci, &mut members);
    }
    add_elder(p.today, rng, &s, &head, wife.as_ref(), &mut members);
    add_other_relative(p.today, rng, &s, &mut members);
    place_members(p, rng, chunk, &s, members, room)
}

/// The head: a fresh name, or (rarely) the name of an earlier head of the same sex, a deliberate namesake.
fn add_head(
    today: NaiveDate,
    rng: &mut ChaCha8Rng,
    s: &Setting,
    pool: &mut NamesakePool,
    members: &mut Vec<Proto>,
) -> Head {
    let sex = if rng.random_bool(0.87) {
        Sex::L
    } else {
        Sex::P
    };
    let age = head_age(rng);
    let mut birth = years_before(today, age, rng.random_range(0..365));
    let order = rng.random_range(0..4);
    let (mut name, _) = draw_name(rng, &s.ctx(sex, birth, s.family, order));
    let mut marks = 0u8;
    let same_sex_pool = if sex == Sex::L {
        &mut pool.men
    } else {
        &mut pool.women
    };
    if !same_sex_pool.is_empty() && rng.random_bool(0.012) {
        let (n, b) = same_sex_pool[rng.random_range(0..same_sex_pool.len())].clone();
        name = n;
        birth = if rng.random_bool(0.5) {
            b
        } else {
            NaiveDate::from_yo_opt(b.year(), rng.random_range(1..=365)).unwrap_or(b)
        };
        marks |= mark::NAMESAKE;
    } else if same_sex_pool.len() < 4096 {
        same_sex_pool.push((name.clone(), birth));
    }
    let mother_family = names::family_name(rng, s.group, s.province);
    let mother = names::draw(
        rng,
        &NameCtx {
            family: mother_family,
            ..s.ctx(Sex::P, years_before(birth, 25, 0), None, 0)
        },
    )
    .name;
    let age = age_at(birth, today);
    let titled = names::with_title(rng, name.clone(), s.group, sex, age, s.decile);
    members.push(Proto {
        nama: titled,
        base: name,
        sex,
        birth,
        mother: mother.clone(),
        relation: Relation::Kepala,
        group: s.group,
        marks,
    });
    Head {
        sex,
        birth,
        age,
        mother,
    }
}

/// The wife of a male head, most often of the same tradition and never of the same family name.
fn add_spouse(
    today: NaiveDate,
    rng: &mut ChaCha8Rng,
    s: &Setting,
    head: &Head,
    members: &mut Vec<Proto>,
) -> Option<Wife> {
    let married = head.sex == Sex::L && rng.random_bool(if head.age < 25 { 0.7 } else { 0.92 });
    if !married {
        return None;
    }
    let wife_age = (head.age - rng.random_range(-2..=8)).max(17);
    let birth = years_before(today, wife_age, rng.random_range(0..365));
    let wgroup = if rng.random_bool(0.9) {
        s.group
    } else {
        pick_group(rng, s.province)
    };
    let mut wfam = names::family_name(rng, wgroup, s.province);
    if wfam == s.family && wfam.is_some() {
        wfam = names::family_name(rng, wgroup, s.province);
    }
    let wctx = NameCtx {
        group: wgroup,
        ..s.ctx(Sex::P, birth, wfam, rng.random_range(0..4))
    };
    let base = names::draw(rng, &wctx).name;
    let mother = s.mother_of(rng, birth);
    let titled = names::with_title(rng, base.clone(), wgroup, Sex::P, wife_age, s.decile);
    members.push(Proto {
        nama: titled,
        base: base.clone(),
        sex: Sex::P,
        birth,
        mother: mother.clone(),
        relation: Relation::Pasangan,
        group: wgroup,
        marks: 0,
    });
    Some(Wife {
        base,
        birth,
        mother,
    })
}

/// The children still living at home, twins included; returns the index of the first unmarried adult child.
fn add_children(
    today: NaiveDate,
    rng: &mut ChaCha8Rng,
    s: &Setting,
    head: &Head,
    wife: Option<&Wife>,
    members: &mut Vec<Proto>,
) -> Option<usize> {
    let (mother_name, mother_birth) = match (wife, head.sex) {
        (Some(w), _) => (w.base.clone(), w.birth),
        (None, Sex::P) => (members[0].base.clone(), head.birth),
        (None, Sex::L) => (
            names::draw(rng, &s.ctx(Sex::P, head.birth, None, 0)).name,
            add_days(head.birth, rng.random_range(0..2000)),
        ),
    };
    let has_children = wife.is_some() || rng.random_bool(0.5);
    let n_children = if has_children {
        number_of_children(rng, s.decile)
    } else {
        0
    };
    let child_family = if s.group.patrilineal() && head.sex == Sex::L {
        s.family
    } else {
        None
    };
    let mut born = add_days(mother_birth, rng.random_range(18 * 365..28 * 365));
    let mut order = 0usize;
    let mut adult_child: Option<usize> = None;
    while order < n_children && born <= today {
        let child_age = age_at(born, today);
        let leaves = child_age >= 23 && rng.random_bool(0.65);
        let twins = rng.random_bool(0.012);
        let sex = if rng.random_bool(0.51) {
            Sex::L
        } else {
            Sex::P
        };
        if !leaves {
            let c = s.ctx(sex, born, child_family, order);
            if twins {
                let sex2 = if rng.random_bool(0.5) {
                    sex
                } else {
                    other(sex)
                };
                let (a, b) = names::twin_names(rng, &c, sex2);
                for (name, sx) in [(a, sex), (b, sex2)] {
                    members.push(Proto {
                        nama: name.clone(),
                        base: name,
                        sex: sx,
                        birth: born,
                        mother: mother_name.clone(),
                        relation: Relation::Anak,
                        group: s.group,
                        marks: mark::TWIN,
                    });
                }
            } else {
                // Now and then a son carries his father's whole name (a hard
                // negative: same card, address and name, another birth date).
                let junior = sex == Sex::L && head.sex == Sex::L && rng.random_bool(P_FATHER_NAME);
                let name = if junior {
                    members[0].marks |= mark::FATHER_NAME;
                    members[0].base.clone()
                } else {
                    names::draw(rng, &c).name
                };
                let titled =
                    names::with_title(rng, name.clone(), s.group, sex, child_age, s.decile);
                members.push(Proto {
                    nama: titled,
                    base: name,
                    sex,
                    birth: born,
                    mother: mother_name.clone(),
                    relation: Relation::Anak,
                    group: s.group,
                    marks: if junior { mark::FATHER_NAME } else { 0 },
                });
                if child_age >= 20 && adult_child.is_none() {
                    adult_child = Some(members.len() - 1);
                }
            }
        }
        order += if twins { 2 } else { 1 };
        born = add_days(born, rng.random_range(420..1900));
    }
    adult_child
}

/// How many children a couple has: poorer households (deciles 1–4) have more.
fn number_of_children(rng: &mut ChaCha8Rng, decile: u8) -> usize {
    let weights: [u32; 7] = if decile <= 4 {
        [8, 14, 25, 23, 15, 9, 6]
    } else {
        [12, 22, 35, 20, 8, 2, 1]
    };
    let mut x = rng.random_range(0..weights.iter().sum::<u32>());
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    0
}

/// A married child living in, with a spouse (menantu) and up to two grandchildren.
fn add_child_family(
    today: NaiveDate,
    rng: &mut ChaCha8Rng,
    s: &Setting,
    ci: usize,
    members: &mut Vec<Proto>,
) {
    let child_sex = members[ci].sex;
    let child_birth = members[ci].birth;
    let msex = other(child_sex);
    let mbirth = add_days(child_birth, rng.random_range(0..1500));
    let mbirth = if mbirth > today { child_birth } else { mbirth };
    let mfam = names::family_name(rng, s.group, s.province);
    let mname = names::draw(rng, &s.ctx(msex, mbirth, mfam, 1)).name;
    let mmother = s.mother_of(rng, mbirth);
    members.push(Proto {
        nama: mname.clone(),
        base: mname.clone(),
        sex: msex,
        birth: mbirth,
        mother: mmother,
        relation: Relation::Menantu,
        group: s.group,
        marks: 0,
    });
    let cucu_mother = if child_sex == Sex::P {
        members[ci].base.clone()
    } else {
        mname
    };
    let young_parent = child_birth.max(mbirth);
    let mut cb = add_days(young_parent, rng.random_range(19 * 365..26 * 365));
    for o in 0..rng.random_range(0..=2usize) {
        if cb > today {
            break;
        }
        let sx = if rng.random_bool(0.51) {
            Sex::L
        } else {
            Sex::P
        };
        let n = names::draw(rng, &s.ctx(sx, cb, None, o)).name;
        members.push(Proto {
            nama: n.clone(),
            base: n,
            sex: sx,
            birth: cb,
            mother: cucu_mother.clone(),
            relation: Relation::Cucu,
            group: s.group,
            marks: 0,
        });
        cb = add_days(cb, rng.random_range(500..1500));
    }
}

/// Sometimes an elderly mother or mother-in-law lives in.
fn add_elder(
    today: NaiveDate,
    rng: &mut ChaCha8Rng,
    s: &Setting,
    head: &Head,
    wife: Option<&Wife>,
    members: &mut Vec<Proto>,
) {
    if !(head.age <= 62 && rng.random_bool(0.08)) {
        return;
    }
    let (relation, name, child_birth) = match wife {
        Some(w) if rng.random_bool(0.4) => (Relation::Mertua, w.mother.clone(), w.birth),
        _ => (Relation::OrangTua, head.mother.clone(), head.birth),
    };
    let age_gap = rng.random_range(19..=36);
    let birth = years_before(child_birth, age_gap, rng.random_range(0..365));
    if age_at(birth, today) <= 95 {
        let mother = s.mother_of(rng, birth);
        members.push(Proto {
            nama: name.clone(),
            base: name,
            sex: Sex::P,
            birth,
            mother,
            relation,
            group: s.group,
            marks: 0,
        });
    }
}

/// Rarely, another relative (famili lain) lives in.
fn add_other_relative(
    today: NaiveDate,
    rng: &mut ChaCha8Rng,
    s: &Setting,
    members: &mut Vec<Proto>,
) {
    if !rng.random_bool(0.02) {
        return;
    }
    let sx = if rng.random_bool(0.5) { Sex::L } else { Sex::P };
    let birth = years_before(today, rng.random_range(8..40), rng.random_range(0..365));
    let o = rng.random_range(0..4);
    let n = names::draw(rng, &s.ctx(sx, birth, None, o)).name;
    let mother = s.mother_of(rng, birth);
    members.push(Proto {
        nama: n.clone(),
        base: n,
        sex: sx,
        birth,
        mother,
        relation: Relation::FamiliLain,
        group: s.group,
        marks: 0,
    });
}

/// Turns the members into people on the household's card, within the chunk's remaining
/// room; draws NIK districts, birthplaces, deaths and moves. Returns the civil people added.
fn place_members(
    p: &PopParams<'_>,
    rng: &mut ChaCha8Rng,
    chunk: &mut Chunk,
    s: &Setting,
    mut members: Vec<Proto>,
    room: usize,
) -> usize {
    let today = p.today;
    let home_district = village_district(s.village);
    let hh_index = chunk_index(chunk.households.len());
    let start = chunk_index(chunk.persons.len());
    for m in &mut members {
        // Older people whose birth date nobody knew were recorded on 31
        // December or 1 July of the year: crowded dates, a hard negative.
        if m.birth.year() < PLACEHOLDER_BEFORE
            && m.marks & mark::TWIN == 0
            && rng.random_bool(P_PLACEHOLDER_DATE)
        {
            let (month, day) = if rng.random_bool(0.5) {
                (12, 31)
            } else {
                (7, 1)
            };
            if let Some(d) = NaiveDate::from_ymd_opt(m.birth.year(), month, day) {
                m.birth = d;
                m.marks |= mark::PLACEHOLDER_DATE;
            }
        }
    }
    let youngest = members.iter().map(|m| m.birth).max().unwrap_or(today);
    let alamat = address(rng, s.village, s.group, s.decile);
    chunk.households.push(Household {
        village: s.village,
        alamat,
        rt: rng.random_range(1..=15),
        rw: rng.random_range(1..=15),
        kk_district: home_district,
        kk_issue: add_days(youngest, rng.random_range(7..900)).min(today),
        kk: 0,
        in_registry: s.in_registry,
        start,
        len: 0,
    });
    let mut civil_added = 0usize;
    // Household-level move to another regency (registry households only: see the crate docs for rates).
    let household_move = s.in_registry && rng.random_bool(0.028);
    let mut moved_card: Option<u32> = None;
    for m in members {
        let in_civil = !s.in_registry || !rng.random_bool(0.01);
        if in_civil && civil_added >= room {
            break;
        }
        let age = age_at(m.birth, today);
        let (nik_district, nik_marks) =
            nik_district(p, rng, s.regency, home_district, m.birth, age);
        let birthplace = birthplace(p, rng, s.regency, nik_district, age);
        let death = rng.random_bool(death_probability(age)).then(|| {
            let d = today
                .checked_sub_days(Days::new(rng.random_range(0..1460)))
                .unwrap_or(today);
            d.max(add_days(m.birth, 1)).min(today)
        });
        let mut civil_hh = hh_index;
        let mut marks = m.marks | nik_marks;
        if s.in_registry && in_civil {
            let individual = m.relation != Relation::Kepala && age >= 18 && rng.random_bool(0.008);
            if household_move || individual {
                let card = match moved_card {
                    Some(c) if household_move => c,
                    _ => {
                        let c =
                            moved_household(p, rng, chunk, s.regency, s.group, s.decile, youngest);
                        if household_move {
                            moved_card = Some(c);
                        }
                        c
                    }
                };
                civil_hh = card;
                marks |= mark::MOVED;
            }
        }
        chunk.persons.push(Person {
            nama: m.nama,
            sex: m.sex,
            birth: m.birth,
            mother: m.mother,
            birthplace,
            nik_district,
            nik: 0,
            hh: hh_index,
            civil_hh,
            relation: m.relation,
            death,
            in_civil,
            group: m.group,
            marks,
        });
        if in_civil {
            civil_added += 1;
        }
    }
    chunk.households[hh_index as usize].len = chunk_index(chunk.persons.len()) - start;
    civil_added
}

/// The six-digit district number of a village.
fn village_district(village: RegionCode) -> u32 {
    let district = village.district().expect("a village has a district");
    u32::try_from(district.digits()).expect("a six-digit number fits in u32")
}

/// An index into a chunk's people or households.
fn chunk_index(len: usize) -> u32 {
    u32::try_from(len).expect("a chunk holds fewer than 2^32 entries")
}

/// A civil-only card for people who moved to another regency (or village, when the wilayah holds one regency).
fn moved_household(
    p: &PopParams<'_>,
    rng: &mut ChaCha8Rng,
    chunk: &mut Chunk,
    from: usize,
    group: Group,
    decile: u8,
    youngest: NaiveDate,
) -> u32 {
    let geo = p.geo;
    let target = geo.move_target(rng, from).unwrap_or(from);
    let village = geo.village_in(rng, target);
    let moved_on = p
        .today
        .checked_sub_days(Days::new(rng.random_range(30..1400)))
        .unwrap_or(p.today);
    chunk.households.push(Household {
        village,
        alamat: address(rng, village, group, decile),
        rt: rng.random_range(1..=15),
        rw: rng.random_range(1..=15),
        kk_district: village_district(village),
        kk_issue: moved_on.max(youngest).min(p.today),
        kk: 0,
        in_registry: false,
        start: 0,
        len: 0,
    });
    chunk_index(chunk.households.len()) - 1
}

fn other(s: Sex) -> Sex {
    match s {
        Sex::L => Sex::P,
        Sex::P => Sex::L,
    }
}

/// Where the NIK was first issued: mostly the home district, sometimes
/// elsewhere (people who moved), sometimes a retired code.
fn nik_district(
    p: &PopParams<'_>,
    rng: &mut ChaCha8Rng,
    regency: usize,
    home: u32,
    birth: NaiveDate,
    age: i32,
) -> (u32, u8) {
    let geo = p.geo;
    let province = geo.regencies[regency].province;
    // Papua was split in 2022; NIKs issued before keep the old province's district codes.
    if province >= 91
        && birth.year() < 2021
        && rng.random_bool(0.5)
        && let Some(d) = geo.retired_district(rng, home)
    {
        return (d, mark::NIK_RETIRED | mark::NIK_ELSEWHERE);
    }
    let p_elsewhere = if age >= 17 { 0.19 } else { 0.05 };
    if !rng.random_bool(p_elsewhere) {
        return (home, 0);
    }
    let roll: f64 = rng.random();
    if roll < 0.55 {
        if let Some(d) = geo.district_in(rng, regency)
            && d != home
        {
            return (d, mark::NIK_ELSEWHERE);
        }
    } else if roll < 0.995 || birth.year() >= 2020 {
        let r = geo.any_regency(rng);
        if let Some(d) = geo.district_in(rng, r)
            && d != home
        {
            return (d, mark::NIK_ELSEWHERE);
        }
    } else if let Some(d) = geo.retired_district(rng, home) {
        return (d, mark::NIK_RETIRED | mark::NIK_ELSEWHERE);
    }
    (home, 0)
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "a regency index: there are about 500 regencies"
)]
fn birthplace(
    p: &PopParams<'_>,
    rng: &mut ChaCha8Rng,
    regency: usize,
    nik_district: u32,
    age: i32,
) -> u16 {
    let geo = p.geo;
    let roll: f64 = rng.random();
    let home_share = if age < 17 { 0.85 } else { 0.65 };
    if roll < home_share {
        return regency as u16;
    }
    if roll < home_share + 0.15 {
        let reg_code = nik_district / 100;
        if let Ok(i) = geo
            .regencies
            .binary_search_by_key(&u64::from(reg_code), |r| r.code.digits())
        {
            return i as u16;
        }
    }
    if rng.random_bool(0.6) {
        return geo.same_province(rng, regency) as u16;
    }
    geo.any_regency(rng) as u16
}

/// Numbers NIKs and KKs: serial 0001 upwards per district and date, in generation order.
pub(crate) fn assign_serials(persons: &mut [Person], households: &mut [Household]) {
    let mut counters: HashMap<u64, u16> = HashMap::with_capacity(persons.len());
    for p in persons.iter_mut() {
        let day = p.birth.day() + if p.sex == Sex::P { 40 } else { 0 };
        let key = u64::from(p.nik_district) * 1_000_000
            + u64::from(day) * 10_000
            + u64::from(p.birth.month()) * 100
            + (p.birth.year().rem_euclid(100)) as u64;
        let c = counters.entry(key).or_insert(0);
        *c = c.saturating_add(1).min(9999);
        p.nik = key * 10_000 + u64::from(*c);
    }
    counters.clear();
    for h in households.iter_mut() {
        let d = h.kk_issue;
        let key = u64::from(h.kk_district) * 1_000_000
            + u64::from(d.day()) * 10_000
            + u64::from(d.month()) * 100
            + (d.year().rem_euclid(100)) as u64;
        let c = counters.entry(key).or_insert(0);
        *c = c.saturating_add(1).min(9999);
        h.kk = key * 10_000 + u64::from(*c);
    }
}

/// The civil-registry age of a person on `today`.
pub(crate) fn age(birth: NaiveDate, today: NaiveDate) -> i32 {
    age_at(birth, today)
}
