//! Blocking: which pairs are worth comparing at all.
//!
//! Each [`Blocker`] turns a record into zero or more keys; two records are a
//! candidate pair when they share a key of the same rule. The union over
//! several rules keeps recall high when any one field is wrong (a mistyped NIK
//! is found by name and birth date, a misspelt name by NIK, a swapped birth
//! date by name and district...). Keys of all rules live in one sorted array
//! of packed `u64`s, so building the index is one parallel sort and a lookup
//! is a binary search, with no per-key allocation. How far each name and
//! birth-date key reaches is decided per record by [`crate::scope`], so
//! blocks stay small as the data grows or gets denser; blocks larger than a
//! cap are still skipped (and counted) as a safety net.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Datelike;
use rayon::prelude::*;
use serde::Serialize;

use crate::hash::mix;
use crate::prepare::{NONE, Prepared, Rec, niks_one_digit_off};
use crate::scope::{self, Level, slot};

/// A blocking rule.
pub(crate) trait Blocker: Send + Sync {
    /// Short name for statistics.
    fn name(&self) -> &'static str;
    /// Pushes this record's keys for the rule (any number, possibly none).
    fn keys(&self, ctx: &Prepared<'_>, r: &Rec, out: &mut Vec<u64>);
}

fn dob_word(r: &Rec) -> u64 {
    // Sign-extended, as every date word was keyed before.
    i64::from(r.dob.num_days_from_ce()).cast_unsigned()
}

/// The birth year as a key word (sign-extended, like [`dob_word`]).
fn year_word(r: &Rec) -> u64 {
    i64::from(r.dob.year()).cast_unsigned()
}

/// The day and month of birth as a key word (`MMDD`), the same in every year.
fn day_month_word(r: &Rec) -> u64 {
    u64::from(r.dob.month() * 100 + r.dob.day())
}

/// A rule on a date part and the tokens of a name: each blocking token and
/// the pair of the first two, as far as the record's [`Plan`](crate::scope::Plan)
/// lets each reach. Rare tokens and pairs stay nationwide, so a mover is
/// found; the pair stands in for tokens too common to block on (see [`crate::scope`]).
struct NameGroup {
    name: &'static str,
    /// The mother's name instead of the person's own.
    mother: bool,
    /// The group's first slot in the plan.
    base: usize,
    /// Tokens blocked on, from the first.
    take: usize,
    /// The date part of the key.
    date: fn(&Rec) -> u64,
}

impl Blocker for NameGroup {
    fn name(&self) -> &'static str {
        self.name
    }
    fn keys(&self, ctx: &Prepared<'_>, r: &Rec, out: &mut Vec<u64>) {
        let name = if self.mother { r.mother } else { r.name };
        let date = (self.date)(r);
        for (i, t) in scope::tokens(&ctx.names, name).take(self.take).enumerate() {
            if let Some(l) = r.plan.get(self.base + i) {
                out.push(mix(&[date, t, l.region_of(r)]));
            }
        }
        if let (Some(l), Some(p)) = (
            r.plan.get(self.base + slot::PAIR),
            scope::token_pair(&ctx.names, name),
        ) {
            out.push(mix(&[date, p, l.region_of(r)]));
        }
    }
}

/// Birth date and a name token, nationwide for rare tokens (so a mover
/// without NIK is found) and confined to the region where the block stays
/// small for common ones.
const DOB_NAME: NameGroup = NameGroup {
    name: "tgl_lahir+nama",
    mother: false,
    base: slot::DOB_NAME,
    take: 4,
    date: dob_word,
};

/// Birth year and a name token, in the district or, where that is dense,
/// the village (survives a wrong day or month).
const YEAR_NAME: NameGroup = NameGroup {
    name: "nama+tahun+kecamatan",
    mother: false,
    base: slot::YEAR_NAME,
    take: 4,
    date: year_word,
};

/// Day and month of birth and a name token, in the district or, where that
/// is dense, the village (a wrong birth year on a row without NIK).
const DAY_MONTH_NAME: NameGroup = NameGroup {
    name: "nama+tgl-bln+kecamatan",
    mother: false,
    base: slot::DAY_MONTH_NAME,
    take: 4,
    date: day_month_word,
};

/// The mother's first token and birth date (survives a different own name,
/// e.g. a nickname, even after a move), confined like [`DOB_NAME`].
const DOB_MOTHER: NameGroup = NameGroup {
    name: "ibu+tgl_lahir",
    mother: true,
    base: slot::DOB_MOTHER,
    take: 1,
    date: dob_word,
};

/// The birth date with day and month in either order: `1997-06-02` and
/// `1997-02-06` give the same word (a dated day/month swap).
fn unordered_date_word(r: &Rec) -> u64 {
    let (d, m) = (r.dob.day(), r.dob.month());
    let year = year_word(r);
    year.wrapping_mul(10_000) + u64::from(d.min(m) * 100 + d.max(m))
}

/// A name token, the mother's first token and the birth date with day and
/// month in either order, in the regency of domicile. Finds a person who
/// moved to another district of the regency and was registered again there
/// without NIK, on a new card, with the date written the other way round:
/// every other rule keys on the exact date, the card or the NIK, or confines
/// the name to the district. The mother's name keeps the block to a family:
/// a common name with a common mother's name on one date of one regency is
/// still a handful of people at Depok's density.
struct NameMotherRegency;
impl Blocker for NameMotherRegency {
    fn name(&self) -> &'static str {
        "nama+ibu+tgl+kabupaten"
    }
    fn keys(&self, ctx: &Prepared<'_>, r: &Rec, out: &mut Vec<u64>) {
        let Some(mother) = scope::tokens(&ctx.names, r.mother).next() else {
            return;
        };
        let date = unordered_date_word(r);
        let regency = Level::Regency.region_of(r);
        for t in scope::tokens(&ctx.names, r.name).take(2) {
            out.push(mix(&[date, t, mother, regency]));
        }
    }
}

/// The whole name, the mother's whole name and the birth year and month,
/// nationwide; for a registry row born on 1 January, the date written when
/// the real one is unknown, the year alone. Finds a person registered
/// without a valid NIK after a move to another regency with a birth date a
/// day off or unknown: every other rule that reaches past the regency needs
/// the exact birth date or the NIK. Civil residents are keyed both ways;
/// registry rows whose NIK repeats their date only on 1 January (see below). Keyed on
/// the year alone for every row, it also proposed namesakes with namesake
/// mothers born the same year in a dense city (IMAS, daughter of EUIS, in
/// Depok), and took people missing from Dukcapil for them.
struct NameMotherYear;
impl Blocker for NameMotherYear {
    fn name(&self) -> &'static str {
        "nama+ibu+tahun"
    }
    fn keys(&self, ctx: &Prepared<'_>, r: &Rec, out: &mut Vec<u64>) {
        if r.name == NONE || r.mother == NONE {
            return;
        }
        // A `Rec` does not carry its side; the civil records are the ones in `ctx.civil`.
        let civil = ctx.civil.as_ptr_range().contains(&std::ptr::from_ref(r));
        let year = year_word(r);
        let (name, mother) = (ctx.name(r.name).squash, ctx.name(r.mother).squash);
        if civil || (r.dob.month(), r.dob.day()) == (1, 1) {
            out.push(mix(&[year, name, mother]));
        }
        // A valid NIK repeats the birth date, so a row whose NIK agrees with
        // its date column wrote the date twice and is unlikely to be a day
        // off; keyed anyway, such rows of people missing from Dukcapil met
        // namesakes born a day apart (at Depok 1M, three false proposals
        // more). A NIK that disagrees with the column (a relative's NIK, a
        // mistyped one, or the column a day off) vouches for nothing.
        if civil || !r.nik_repeats_dob {
            out.push(mix(&[year, u64::from(r.dob.month()), name, mother]));
        }
    }
}

/// The same NIK digits; for a cell one digit short or long, the NIKs it
/// stands for (the registry side only: every civil NIK has 16 digits).
struct NikExact;
impl Blocker for NikExact {
    fn name(&self) -> &'static str {
        "nik_sama"
    }
    fn keys(&self, _: &Prepared<'_>, r: &Rec, out: &mut Vec<u64>) {
        if let Some(odd) = r.nik_one_off() {
            // A digit dropped or doubled: every NIK one digit away (about 150).
            out.extend(niks_one_digit_off(odd));
        } else if r.nik_digits != 0 {
            out.push(r.nik_digits);
        }
    }
}

/// The NIK with one window of digits masked, plus the name's initial: any
/// single substitution or adjacent transposition leaves at least one window's
/// complement intact. Serials are mostly 0001 (they count people per district
/// and birth date), so the masked NIK alone makes large blocks in a dense
/// city; the initial keeps them small. Windows that mask region digits add
/// the region of domicile instead: without it, "district 01 of any regency,
/// born on this day, serial 0001" is a nationwide block that grows with the
/// country, and "any district of the city, same day, serial 0001" one that
/// grows with the number of districts (most of this rule's false pairs in
/// a Depok at its real density).
struct NikMasked;
/// Masked digit windows (start, length) counted from the left of the 16 digits.
/// Windows overlap by one digit, so every adjacent pair lies inside one of them,
/// and mask only four digits each, so the unmasked rest stays selective.
const NIK_WINDOWS: [(u32, u32); 5] = [(0, 4), (3, 4), (6, 4), (9, 4), (12, 4)];

/// The NIK with each window of [`NIK_WINDOWS`] zeroed, in order. Each
/// window's powers of ten are constants, so the divisions become
/// multiplications: computed from the table at run time they were a few
/// percent of the engine (five windows, three divisions each, for every
/// record and every pass over the registry).
fn masked_windows(nik: u64) -> [u64; 5] {
    /// Digits `[START, START + 4)` from the left are digits
    /// `[12 - START, 16 - START)` from the right.
    fn masked<const START: u32>(nik: u64) -> u64 {
        let lo = const { 10u64.pow(16 - START - 4) };
        let hi = const { 10u64.pow(16 - START) };
        nik / hi * hi + nik % lo
    }
    const _: () = {
        let w = NIK_WINDOWS;
        assert!(w[0].0 == 0 && w[1].0 == 3 && w[2].0 == 6 && w[3].0 == 9 && w[4].0 == 12);
        assert!(w[0].1 == 4 && w[1].1 == 4 && w[2].1 == 4 && w[3].1 == 4 && w[4].1 == 4);
    };
    [
        masked::<0>(nik),
        masked::<3>(nik),
        masked::<6>(nik),
        masked::<9>(nik),
        masked::<12>(nik),
    ]
}

impl Blocker for NikMasked {
    fn name(&self) -> &'static str {
        "nik_mirip"
    }
    fn keys(&self, ctx: &Prepared<'_>, r: &Rec, out: &mut Vec<u64>) {
        if r.nik16() == 0 {
            return;
        }
        let init = scope::initial(&ctx.names, r.name);
        let masks = masked_windows(r.nik_digits);
        for (w, (&(start, _), masked)) in NIK_WINDOWS.iter().zip(masks).enumerate() {
            // A typo in the NIK leaves the birth-date column alone, so the
            // column narrows every window that masks date digits: without
            // it, "same district of issue, same birth year, serial 0001" is a
            // block as large as a district's yearly cohort. Windows that mask
            // region digits take the domicile's region instead, down to the
            // district for the window that masks the district digits.
            let (date, region) = match start {
                // The NIK's own date digits stay unmasked here, so the column
                // would add nothing but a second chance to be wrong.
                0..3 => (0, Level::Regency.region_of(r)),
                3..6 => (dob_word(r), Level::District.region_of(r)),
                6..12 => (dob_word(r), 0),
                _ => (0, 0),
            };
            out.push(mix(&[w as u64, masked, init, date, region]));
        }
    }
}

/// Birth date and sex in the district or, where that is dense, the village
/// (catches nicknames the tables do not know). No key where even the village
/// is too crowded: the mother, the No KK and the NIK still reach such a person.
struct DobDistrict;
impl Blocker for DobDistrict {
    fn name(&self) -> &'static str {
        "tgl_lahir+kecamatan"
    }
    fn keys(&self, _: &Prepared<'_>, r: &Rec, out: &mut Vec<u64>) {
        if let Some(l) = r.plan.get(slot::DOB) {
            out.push(mix(&[dob_word(r), r.sex as u64, l.region_of(r)]));
        }
    }
}

/// Birth date and the first letter of the name, in the regency of domicile
/// or a smaller region where that is dense (a typo in every name part).
struct DobInitial;
impl Blocker for DobInitial {
    fn name(&self) -> &'static str {
        "tgl_lahir+inisial"
    }
    fn keys(&self, ctx: &Prepared<'_>, r: &Rec, out: &mut Vec<u64>) {
        if let Some(l) = r.plan.get(slot::DOB_INITIAL) {
            let init = scope::initial(&ctx.names, r.name);
            out.push(mix(&[dob_word(r), init, l.region_of(r)]));
        }
    }
}

/// The No KK and part of the birth date. A card holds a handful of people,
/// so these blocks stay at one or two records anywhere and need no plan.
struct KkGroup {
    name: &'static str,
    date: fn(&Rec) -> u64,
}

impl Blocker for KkGroup {
    fn name(&self) -> &'static str {
        self.name
    }
    fn keys(&self, _: &Prepared<'_>, r: &Rec, out: &mut Vec<u64>) {
        if r.kk != 0 {
            out.push(mix(&[r.kk, (self.date)(r)]));
        }
    }
}

/// No KK and birth year (a family member whose name was written very differently).
const KK_YEAR: KkGroup = KkGroup {
    name: "no_kk+tahun",
    date: year_word,
};

/// No KK and the day and month of birth (a family member with a wrong birth
/// year and a misspelt name: [`KK_YEAR`] needs the year, every name rule the
/// name); two people of one card born on the same day of the year are rare.
const KK_DAY_MONTH: KkGroup = KkGroup {
    name: "no_kk+tgl-bln",
    date: day_month_word,
};

/// The engine's blocking rules.
pub(crate) fn blockers() -> Vec<Box<dyn Blocker>> {
    vec![
        Box::new(NikExact),
        Box::new(NikMasked),
        Box::new(DOB_NAME),
        Box::new(YEAR_NAME),
        Box::new(DOB_MOTHER),
        Box::new(DobDistrict),
        Box::new(KK_YEAR),
        Box::new(DobInitial),
        Box::new(DAY_MONTH_NAME),
        Box::new(NameMotherRegency),
        Box::new(NameMotherYear),
        Box::new(KK_DAY_MONTH),
    ]
}

/// Statistics of one rule.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleStats {
    /// Rule name.
    pub rule: String,
    /// Pairs the rule produced (before the union removes repeats).
    pub pairs: u64,
    /// Blocks skipped for exceeding the cap.
    pub skipped_blocks: u64,
}

/// A sorted index of every key of every rule over one side.
pub(crate) struct KeyIndex {
    entries: Vec<u64>,
    idx_bits: u32,
    /// `dir[b]..dir[b + 1]` are the entries whose top `dir_bits` bits are `b`,
    /// so a lookup is one or two cache misses instead of a 24-step binary search.
    dir: Vec<u32>,
    dir_bits: u32,
}

/// The bits of the directory over `n` sorted entries: four to eight entries
/// per slot, so the slice a lookup searches is one or two cache lines, for
/// a directory of a sixteenth of the entries' memory.
fn dir_bits(n: usize) -> u32 {
    (usize::BITS - (n / 8).leading_zeros()).clamp(10, 26)
}

/// The directory slot of an entry: its top `bits` bits.
#[expect(
    clippy::cast_possible_truncation,
    reason = "at most 26 bits (`dir_bits`), which every usize holds"
)]
fn dir_slot(e: u64, bits: u32) -> usize {
    (e >> (64 - bits)) as usize
}

/// Calls `f` with each rule's index and each key it gives `r`, rule by
/// rule; `buf` is scratch space kept across records.
fn for_each_key(
    ctx: &Prepared<'_>,
    r: &Rec,
    rules: &[Box<dyn Blocker>],
    buf: &mut Vec<u64>,
    mut f: impl FnMut(usize, u64),
) {
    for (ri, rule) in rules.iter().enumerate() {
        buf.clear();
        rule.keys(ctx, r, buf);
        for &k in buf.iter() {
            f(ri, k);
        }
    }
}

/// The keys one side will look up, as a Bloom filter of their hashes: a
/// record of the other side is indexed only under keys the filter may
/// contain. At 1M people three in four civil keys are shared with no
/// registry row (a civil resident's date, name and NIK are mostly nobody's
/// in the registry), and an index four times smaller is sorted faster,
/// clears less fresh memory and misses the cache less when looked up. A
/// false positive only keeps an entry that no lookup finds, so the filter
/// changes no candidate: it filters on the same hash bits the index keeps,
/// so even a hash collision between a probe and an entry survives it.
struct ProbeFilter {
    /// One 64-bit block per hash, three bits set in it.
    words: Vec<AtomicU64>,
    /// log2 of the number of blocks.
    bits: u32,
}

impl ProbeFilter {
    /// About ten bits per key: some 2-3% false positives with three bits
    /// in one word, one cache line per check.
    const BITS_PER_KEY: usize = 10;

    fn build(
        ctx: &Prepared<'_>,
        probes: &[Rec],
        rules: &[Box<dyn Blocker>],
        idx_bits: u32,
    ) -> Self {
        // Sized from the first records' keys, like the index itself.
        let sample = &probes[..probes.len().min(4096)];
        let mut keys = Vec::new();
        let mut n = 0usize;
        for r in sample {
            for_each_key(ctx, r, rules, &mut keys, |_, _| n += 1);
        }
        let est = n * probes.len() / sample.len().max(1) + 1;
        let bits = (usize::BITS - (est * Self::BITS_PER_KEY / 64).leading_zeros()).clamp(6, 30);
        let words: Vec<AtomicU64> = (0..1usize << bits).map(|_| AtomicU64::new(0)).collect();
        let filter = ProbeFilter { words, bits };
        probes.par_chunks(4096).for_each_init(
            || (Vec::new(), Vec::with_capacity(2 * Self::BATCH)),
            |(keys, slots), chunk| {
                for r in chunk {
                    for_each_key(ctx, r, rules, keys, |ri, k| {
                        slots.push(filter.slot(KeyIndex::hash(ri, k, idx_bits)));
                    });
                    if slots.len() >= Self::BATCH {
                        filter.set(slots);
                        slots.clear();
                    }
                }
                filter.set(slots);
                slots.clear();
            },
        );
        filter
    }

    /// Slots set per batch in [`ProbeFilter::set`].
    const BATCH: usize = 256;

    /// Sets the bits of a batch of slots. The words are read first, in a
    /// loop whose loads do not wait for each other, so their cache misses
    /// overlap; each locked OR then finds its line in cache. Setting them
    /// one by one, every OR waited for its own miss (a locked instruction
    /// lets nothing overtake it), which at 3M, with a filter of 32 MiB,
    /// was a twentieth of the run.
    fn set(&self, slots: &[(usize, u64)]) {
        read_ahead(
            slots
                .iter()
                .map(|&(w, _)| self.words[w].load(Ordering::Relaxed)),
        );
        for &(w, m) in slots {
            self.words[w].fetch_or(m, Ordering::Relaxed);
        }
    }

    /// The block and the three bits of a key hash.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the top `bits` (at most 30) bits of a word, which every usize holds"
    )]
    fn slot(&self, h: u64) -> (usize, u64) {
        let g = mix(&[h]);
        let w = (g >> (64 - self.bits)) as usize;
        let m = (1u64 << (g & 63)) | (1u64 << ((g >> 6) & 63)) | (1u64 << ((g >> 12) & 63));
        (w, m)
    }

    /// Keeps the entries (key hashes above `idx_bits` record bits) whose
    /// hash the filter may contain. One tight loop over a chunk's entries,
    /// without a branch on the answer, so the filter's cache misses overlap:
    /// checked key by key as each record's keys were made, they cost more
    /// than the smaller sort saved.
    fn retain(&self, entries: &mut Vec<u64>, idx_bits: u32) {
        let mut kept = 0;
        for j in 0..entries.len() {
            let e = entries[j];
            entries[kept] = e;
            kept += usize::from(self.may_contain(e >> idx_bits));
        }
        entries.truncate(kept);
    }

    /// Whether some probe may have this key hash (never false for one it has).
    fn may_contain(&self, h: u64) -> bool {
        let (w, m) = self.slot(h);
        self.words[w].load(Ordering::Relaxed) & m == m
    }
}

/// Where the entries of one key lie: the directory slot's slice and the
/// range of entries the key's hash spans.
#[derive(Clone, Copy)]
pub(crate) struct Span {
    start: u32,
    end: u32,
    lo: u64,
    hi: u64,
}

impl KeyIndex {
    /// Indexes `recs` under every rule. With `probes`, only the keys some
    /// probe also has (and a few more, see [`ProbeFilter`]): a key no probe
    /// has is never looked up, so leaving it out changes no lookup's answer.
    pub(crate) fn build(
        ctx: &Prepared<'_>,
        recs: &[Rec],
        rules: &[Box<dyn Blocker>],
        probes: Option<&[Rec]>,
    ) -> Self {
        let idx_bits = crate::partition::key_bits(recs.len());
        let filter = probes.map(|p| ProbeFilter::build(ctx, p, rules, idx_bits));
        // Every key is computed once, packed into a worker's buffer and
        // appended to one vector, reserved from the first chunk's count with
        // room to spare: order does not matter, as the entries are sorted
        // next. Gathered per chunk and concatenated, the keys took twice
        // their memory at the run's peak (the civil side's are a fifth of
        // it), and fresh memory is slow to touch; reserved but untouched
        // memory costs nothing. Counting every key first, to size the vector
        // exactly, computed each key twice.
        const CHUNK: usize = 16_384;
        let pack_chunk = |ci: usize, chunk: &[Rec], out: &mut Vec<u64>| {
            let mut keys = Vec::new();
            for (k, r) in chunk.iter().enumerate() {
                let i = (ci * CHUNK + k) as u64;
                for_each_key(ctx, r, rules, &mut keys, |ri, key| {
                    out.push((Self::hash(ri, key, idx_bits) << idx_bits) | i);
                });
            }
            if let Some(f) = &filter {
                f.retain(out, idx_bits);
            }
        };
        let mut first = Vec::new();
        pack_chunk(0, &recs[..recs.len().min(CHUNK)], &mut first);
        let per_rec = first.len() as f64 / recs.len().clamp(1, CHUNK) as f64;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a positive estimate far below usize::MAX"
        )]
        let reserve = (per_rec * 1.25 * recs.len() as f64) as usize + CHUNK;
        let mut entries = Vec::with_capacity(reserve.max(first.len()));
        entries.extend_from_slice(&first);
        drop(first);
        let entries = std::sync::Mutex::new(entries);
        recs.par_chunks(CHUNK)
            .enumerate()
            .skip(1)
            .for_each_init(Vec::new, |buf, (ci, chunk)| {
                buf.clear();
                pack_chunk(ci, chunk, buf);
                entries
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .extend_from_slice(buf);
            });
        let mut entries = entries
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.par_sort_unstable();
        entries.dedup();
        // The directory counts entries in u32, like every id of a run.
        assert!(
            u32::try_from(entries.len()).is_ok(),
            "fewer than 2^32 blocking keys on one side of one run (some 170 million people; \
             a national run is padu-dist's)"
        );
        let dir_bits = dir_bits(entries.len());
        let mut dir = vec![0u32; (1 << dir_bits) + 1];
        for &e in &entries {
            dir[dir_slot(e, dir_bits) + 1] += 1;
        }
        for b in 0..(1usize << dir_bits) {
            dir[b + 1] += dir[b];
        }
        KeyIndex {
            entries,
            idx_bits,
            dir,
            dir_bits,
        }
    }

    /// The sorted entries: each key's top bits above its record's index.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> &[u64] {
        &self.entries
    }

    fn hash(rule: usize, key: u64, idx_bits: u32) -> u64 {
        mix(&[rule as u64, key]) >> idx_bits
    }

    /// The directory slice that holds `key` of `rule`: two reads of the
    /// directory, independent of any other key's.
    fn span(&self, rule: usize, key: u64) -> Span {
        let lo = Self::hash(rule, key, self.idx_bits) << self.idx_bits;
        let bucket = dir_slot(lo, self.dir_bits);
        Span {
            start: self.dir[bucket],
            end: self.dir[bucket + 1],
            lo,
            hi: lo | ((1u64 << self.idx_bits) - 1),
        }
    }

    /// Reads one entry of each span's slice ([`read_ahead`]):
    /// [`KeyIndex::resolve`] then finds the lines in cache instead of
    /// waiting for each in turn.
    fn touch(&self, spans: &[Span]) {
        read_ahead(
            spans
                .iter()
                .filter_map(|s| self.entries.get((s.start + (s.end - s.start) / 2) as usize))
                .copied(),
        );
    }

    /// The record indices of a span's key.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the masked low bits hold a record index, below the record count like every u32 id"
    )]
    fn resolve(&self, s: Span) -> impl ExactSizeIterator<Item = u32> + '_ {
        let (start, end) = (s.start as usize, s.end as usize);
        let slice = &self.entries[start..end];
        let a = start + slice.partition_point(|&e| e < s.lo);
        let b = start + slice.partition_point(|&e| e <= s.hi);
        let mask = (1u64 << self.idx_bits) - 1;
        self.entries[a..b].iter().map(move |&e| (e & mask) as u32)
    }

    /// The record indices sharing a key of a rule (may include rare hash collisions,
    /// which only add a candidate that scoring then rejects).
    pub(crate) fn lookup(&self, rule: usize, key: u64) -> impl ExactSizeIterator<Item = u32> + '_ {
        self.resolve(self.span(rule, key))
    }
}

/// Loads every value of `values` in one loop whose loads do not wait for
/// each other, so that their cache misses overlap; the code that then uses
/// the same lines finds them in cache instead of waiting for each miss in
/// turn. Safe Rust has no prefetch instruction; this is its stand-in, for
/// data far larger than the cache read at scattered places.
pub(crate) fn read_ahead(values: impl Iterator<Item = u64>) {
    std::hint::black_box(values.fold(0u64, |x, v| x ^ v));
}

/// Scratch space for [`candidates_of`], reused across records of one thread.
#[derive(Default)]
pub(crate) struct Scratch {
    keys: Vec<u64>,
    /// Per key of the last record, its rule.
    rules: Vec<u8>,
    spans: Vec<Span>,
    /// Candidate indices found for the last record.
    pub cands: Vec<u32>,
    /// Per-rule pairs and skipped blocks accumulated by this thread.
    pub counts: Vec<(u64, u64)>,
}

/// Collects the distinct candidates of `r` in `index`, skipping blocks above `cap`.
///
/// A lookup is two cache misses (the directory, then the entries) in an
/// index far larger than the cache, and a record has some 25 keys; looked up
/// one after another they made this the engine's costliest function. So
/// every key's directory slots are read first, then one entry of each
/// slice, and only then are the slices searched: the misses of all keys
/// are in flight together.
pub(crate) fn candidates_of(
    ctx: &Prepared<'_>,
    r: &Rec,
    rules: &[Box<dyn Blocker>],
    index: &KeyIndex,
    cap: usize,
    s: &mut Scratch,
) {
    s.cands.clear();
    if s.counts.len() < rules.len() {
        s.counts.resize(rules.len(), (0, 0));
    }
    s.keys.clear();
    s.rules.clear();
    for (ri, rule) in rules.iter().enumerate() {
        rule.keys(ctx, r, &mut s.keys);
        let rule_id = u8::try_from(ri).expect("fewer than 256 blocking rules");
        s.rules.resize(s.keys.len(), rule_id);
    }
    s.spans.clear();
    s.spans.extend(
        s.keys
            .iter()
            .zip(&s.rules)
            .map(|(&k, &ri)| index.span(usize::from(ri), k)),
    );
    index.touch(&s.spans);
    for (&span, &ri) in s.spans.iter().zip(&s.rules) {
        let it = index.resolve(span);
        let counts = &mut s.counts[usize::from(ri)];
        if it.len() > cap {
            counts.1 += 1;
            continue;
        }
        counts.0 += it.len() as u64;
        s.cands.extend(it);
    }
    s.cands.sort_unstable();
    s.cands.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::{CivilSide, Exec};
    use padu_testkit::generated::Generated;

    /// `nama+ibu+tahun` meets a civil resident from a registry row written
    /// as born on 1 January, or a day off without a valid NIK or with one
    /// that does not repeat the date column (a relative's); a row whose NIK
    /// repeats a date a day off, or a namesake born in another month, it does not.
    #[test]
    fn name_mother_year_keys_survive_1_january_and_a_day_off_without_nik() {
        const REG: &str = "id_art|id_keluarga|nik|nama|jenis_kelamin|tgl_lahir|tempat_lahir|nama_ibu_kandung|alamat|kode_wilayah";
        const CIV: &str = "nik|nama|jenis_kelamin|tgl_lahir|tempat_lahir|nama_ibu_kandung|alamat|kode_wilayah|status_hidup|tgl_meninggal";
        let civil = crate::testkit::civil(&format!(
            "{CIV}\n3273014512830001|SRI KUSUMAWATI|P|1983-12-05|KLATEN|WARSINI|JL MAWAR 5|32.73.01.1002||"
        ));
        let registry = crate::testkit::registry(&format!(
            "{REG}
T1|K1||SRI KUSUMAWATI|P|1983-01-01|KLATEN|WARSINI|JL RAYA 12|32.01.01.1001
T2|K2||SRI KUSUMAWATI|P|1983-12-06|KLATEN|WARSINI|JL RAYA 12|32.01.01.1001
T3|K3|3201014612830001|SRI KUSUMAWATI|P|1983-12-06|KLATEN|WARSINI|JL RAYA 12|32.01.01.1001
T4|K4||SRI KUSUMAWATI|P|1983-07-05|KLATEN|WARSINI|JL RAYA 12|32.01.01.1001
T5|K5|3201015708600001|SRI KUSUMAWATI|P|1983-12-06|KLATEN|WARSINI|JL RAYA 12|32.01.01.1001"
        ));
        let side = CivilSide::prepare(&civil);
        let ctx = side.registry(&registry, Exec::Parallel);
        let keys = |r: &Rec| {
            let mut out = Vec::new();
            NameMotherYear.keys(&ctx, r, &mut out);
            out
        };
        let civ = keys(&ctx.civil[0]);
        let meets = |i: usize| keys(&ctx.reg[i]).iter().any(|k| civ.contains(k));
        assert!(meets(0), "1 January");
        assert!(meets(1), "a day off without NIK");
        assert!(!meets(2), "a day off with a valid NIK");
        assert!(!meets(3), "another month");
        assert!(meets(4), "a day off with a relative's NIK");
    }

    /// The constant-divisor masks zero exactly the digits each window names.
    #[test]
    fn masked_windows_zero_each_window_s_digits() {
        let nik = 3273_0152_0580_0017u64;
        for (&(start, len), m) in NIK_WINDOWS.iter().zip(masked_windows(nik)) {
            let digits = format!("{nik:016}");
            let want: String = digits
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if (start..start + len).contains(&u32::try_from(i).expect("16 digits")) {
                        '0'
                    } else {
                        c
                    }
                })
                .collect();
            assert_eq!(format!("{m:016}"), want, "window at {start}");
        }
    }

    /// The overlapped lookups of [`candidates_of`] find exactly the records
    /// that share a key of some rule with the row, as a plain map of every
    /// key of every civil record says, with the per-rule pair counts.
    #[test]
    fn candidates_are_the_records_sharing_a_key() {
        let Generated {
            civil, registry, ..
        } = Generated::new(5_000, 3);
        let side = CivilSide::prepare(&civil);
        let ctx = side.registry(&registry, Exec::Parallel);
        let rules = blockers();
        let index = KeyIndex::build(&ctx, ctx.civil, &rules, None);
        let bits = index.idx_bits;

        let mut by_key: std::collections::HashMap<u64, Vec<u32>> = Default::default();
        let mut keys = Vec::new();
        for (i, c) in ctx.civil.iter().enumerate() {
            let i = crate::prepare::id32(i);
            for (ri, rule) in rules.iter().enumerate() {
                keys.clear();
                rule.keys(&ctx, c, &mut keys);
                for &k in &keys {
                    let ids = by_key.entry(KeyIndex::hash(ri, k, bits)).or_default();
                    if ids.last() != Some(&i) {
                        ids.push(i);
                    }
                }
            }
        }
        let mut s = Scratch::default();
        let mut expected_pairs = vec![0u64; rules.len()];
        let mut found = 0;
        for r in &ctx.reg {
            let mut expected = Vec::new();
            for (ri, rule) in rules.iter().enumerate() {
                keys.clear();
                rule.keys(&ctx, r, &mut keys);
                for &k in &keys {
                    let ids = by_key.get(&KeyIndex::hash(ri, k, bits));
                    let ids = ids.map_or(&[][..], Vec::as_slice);
                    expected_pairs[ri] += ids.len() as u64;
                    expected.extend_from_slice(ids);
                }
            }
            expected.sort_unstable();
            expected.dedup();
            candidates_of(&ctx, r, &rules, &index, usize::MAX, &mut s);
            assert_eq!(s.cands, expected);
            found += expected.len();
        }
        assert!(found > ctx.reg.len(), "{found} candidates");
        let pairs: Vec<u64> = s.counts.iter().map(|c| c.0).collect();
        assert_eq!(pairs, expected_pairs);
    }

    /// Indexed only under the registry's keys, the civil side gives every
    /// registry row the same candidates and per-rule counts as indexed
    /// whole, with far fewer entries.
    #[test]
    fn an_index_filtered_by_the_probes_keys_answers_every_probe_alike() {
        let Generated {
            civil, registry, ..
        } = Generated::new(20_000, 11);
        let side = CivilSide::prepare(&civil);
        let ctx = side.registry(&registry, Exec::Parallel);
        let rules = blockers();
        let whole = KeyIndex::build(&ctx, ctx.civil, &rules, None);
        let filtered = KeyIndex::build(&ctx, ctx.civil, &rules, Some(&ctx.reg));
        assert!(
            filtered.entries().len() * 2 < whole.entries().len(),
            "{} of {} entries kept",
            filtered.entries().len(),
            whole.entries().len()
        );
        let (mut a, mut b) = (Scratch::default(), Scratch::default());
        for r in &ctx.reg {
            candidates_of(&ctx, r, &rules, &whole, 50, &mut a);
            candidates_of(&ctx, r, &rules, &filtered, 50, &mut b);
            assert_eq!(a.cands, b.cands);
        }
        assert_eq!(a.counts, b.counts);
    }

    /// The filter never says no to a hash it was given.
    #[test]
    fn the_probe_filter_has_no_false_negatives() {
        let Generated {
            civil, registry, ..
        } = Generated::new(5_000, 2);
        let side = CivilSide::prepare(&civil);
        let ctx = side.registry(&registry, Exec::Parallel);
        let rules = blockers();
        let filter = ProbeFilter::build(&ctx, &ctx.reg, &rules, 12);
        let mut keys = Vec::new();
        let mut n = 0;
        for r in &ctx.reg {
            for_each_key(&ctx, r, &rules, &mut keys, |ri, k| {
                assert!(filter.may_contain(KeyIndex::hash(ri, k, 12)));
                n += 1;
            });
        }
        assert!(n > ctx.reg.len());
        // And it is a filter: most hashes it was not given are refused.
        let refused = (0..10_000u64)
            .filter(|&h| !filter.may_contain(mix(&[h, 0xfeed])))
            .count();
        assert!(refused > 9_000, "{refused} of 10000 refused");
    }

    #[test]
    fn common_name_tokens_block_within_the_province_but_their_pair_nationwide() {
        let reg = crate::testkit::registry(
            "id_art|nama|jenis_kelamin|tgl_lahir|kode_wilayah
             A1|SITI AMINAH|P|1980-05-12|32.73.01.1001
             A2|SITI RAHAYU|P|1980-05-12|33.74.01.1001",
        );
        let civ = crate::testkit::civil(
            "nik|nama|jenis_kelamin|tgl_lahir|kode_wilayah
             3578015205800001|SITI AMINAH|P|1980-05-12|35.78.01.1001",
        );
        let mut side = CivilSide::prepare(&civ);
        let keys = |ctx: &Prepared<'_>, r: &Rec| {
            let mut v = Vec::new();
            DOB_NAME.keys(ctx, r, &mut v);
            v
        };
        let shared = |ctx: &Prepared<'_>, a: &Rec, b: &Rec| {
            let kb = keys(ctx, b);
            keys(ctx, a).iter().filter(|k| kb.contains(k)).count()
        };
        // Three people are no crowd: every token is blocked on nationwide,
        // so the mover from Jawa Barat meets the Surabaya resident on both
        // tokens, and A2 from Semarang meets her on SITI.
        let ctx = side.registry(&reg, Exec::Parallel);
        assert_eq!(shared(&ctx, &ctx.reg[0], &ctx.civil[0]), 2);
        assert_eq!(shared(&ctx, &ctx.reg[1], &ctx.civil[0]), 1);
        // Where the tokens are common, the plan confines them to the
        // province and keeps their pair nationwide.
        let common = |r: &mut Rec| {
            r.plan.set(slot::DOB_NAME, Some(Level::Province));
            r.plan.set(slot::DOB_NAME + 1, Some(Level::Province));
            r.plan
                .set(slot::DOB_NAME + slot::PAIR, Some(Level::National));
        };
        side.recs.iter_mut().for_each(common);
        let mut ctx = side.registry(&reg, Exec::Parallel);
        ctx.reg.iter_mut().for_each(common);
        assert_eq!(shared(&ctx, &ctx.reg[0], &ctx.civil[0]), 1);
        assert_eq!(shared(&ctx, &ctx.reg[1], &ctx.civil[0]), 0);
    }

    #[test]
    fn masked_nik_keys_share_one_window_after_a_substitution_or_transposition() {
        let key_set = |nik: u64| {
            let r = crate::testkit::rec_with_nik(nik);
            let mut v = Vec::new();
            NikMasked.keys(&crate::testkit::empty_ctx(), &r, &mut v);
            v
        };
        let base = key_set(3276_0101_9000_0001);
        for other in [
            3276_0101_9000_0002u64, // serial typo
            3276_0101_9100_0001,    // year typo
            3276_1001_9000_0001,    // day/month digits transposed
            3726_0101_9000_0001,    // region digits transposed
            3276_0110_9000_0001,    // transposition across windows
            3270_6101_9000_0001,    // transposition at the district/date boundary
        ] {
            let ks = key_set(other);
            assert!(ks.iter().any(|k| base.contains(k)), "{other}");
        }
        let unrelated = key_set(3501_0202_8500_0003);
        assert!(!unrelated.iter().any(|k| base.contains(k)));
        // A typo in the region digits and a date column a day off: the
        // window over the region digits keeps the NIK's own date.
        let mut r = crate::testkit::rec_with_nik(3726_0101_9000_0001);
        r.dob = r.dob.pred_opt().expect("a day earlier");
        let mut ks = Vec::new();
        NikMasked.keys(&crate::testkit::empty_ctx(), &r, &mut ks);
        assert!(ks.iter().any(|k| base.contains(k)));
    }
}
