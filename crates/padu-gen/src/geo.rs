//! Where people live and where their NIKs were issued: real region codes, real population weights.
//!
//! Regencies are drawn by their 2025 population (`penduduk_2025.csv`, embedded),
//! villages uniformly within a regency. All lists are sorted by code so a seed
//! always means the same places, whatever the hash map order.

use std::collections::HashMap;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use padu_core::region::population_2025;
use padu_core::{RegionCode, RegionLevel, regions};

/// One current regency or city.
pub(crate) struct Regency {
    /// The regency code.
    pub code: RegionCode,
    /// Province number (first two digits).
    pub province: u32,
    /// Population 2025 (weight for placement).
    pub weight: f64,
    /// Current districts, as six-digit numbers.
    pub districts: Vec<u32>,
    /// Current villages inside the requested wilayah (empty if none).
    pub villages: Vec<RegionCode>,
    /// Its name as people write a birth place (`DEPOK`, `GROBOGAN`).
    pub place: String,
}

/// The generator's map of Indonesia.
pub(crate) struct Geo {
    /// Every current regency, sorted by code.
    pub regencies: Vec<Regency>,
    /// Indices of regencies with villages inside the wilayah.
    pub home: Vec<usize>,
    /// Cumulative weights over `home`.
    home_cum: Vec<f64>,
    /// Cumulative weights over all regencies.
    all_cum: Vec<f64>,
    /// Retired district codes of the former Papua provinces, by name, for NIKs issued before the 2022 split.
    retired_by_name: HashMap<String, Vec<u32>>,
    /// All retired district codes, sorted.
    retired: Vec<u32>,
    /// District number -> its name, for current districts in Papua provinces.
    district_names: HashMap<u32, String>,
    /// Regency indices by province number.
    by_province: HashMap<u32, Vec<usize>>,
}

/// Why the geography cannot serve a configuration.
#[derive(Debug)]
pub(crate) enum GeoError {
    /// The wilayah code is in no edition of the list.
    Unknown,
    /// The wilayah has no current village.
    NoVillages,
}

fn place_name(name: &str) -> String {
    let up = name.to_uppercase();
    for prefix in [
        "KABUPATEN ",
        "KAB. ",
        "KOTA ADM. ",
        "KOTA ADMINISTRASI ",
        "KOTA ",
    ] {
        if let Some(rest) = up.strip_prefix(prefix) {
            return rest.trim().to_string();
        }
    }
    up.trim().to_string()
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

fn draw_cum(rng: &mut ChaCha8Rng, cum: &[f64]) -> usize {
    let total = *cum.last().expect("non-empty weights");
    let x = rng.random::<f64>() * total;
    cum.partition_point(|c| *c <= x).min(cum.len() - 1)
}

impl Geo {
    /// Builds the map, restricted for residence to `wilayah` if given.
    pub(crate) fn new(wilayah: Option<RegionCode>) -> Result<Geo, GeoError> {
        let idx = regions();
        if let Some(w) = wilayah
            && !idx.get(w).is_some_and(|i| i.is_current())
        {
            return Err(GeoError::Unknown);
        }
        let mut population: HashMap<u64, f64> = HashMap::new();
        for (c, total) in population_2025() {
            if c.level() == RegionLevel::Regency {
                population.insert(c.digits(), total as f64);
            }
        }
        let mut regency_codes: Vec<(RegionCode, String)> = Vec::new();
        let mut districts: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut villages: HashMap<u64, Vec<RegionCode>> = HashMap::new();
        let mut retired: Vec<(u32, String)> = Vec::new();
        let mut district_names = HashMap::new();
        for info in idx.iter() {
            let code = info.code;
            match (code.level(), info.is_current()) {
                (RegionLevel::Regency, true) => regency_codes.push((code, info.name.clone())),
                (RegionLevel::District, true) => {
                    let reg = code.regency().expect("district has regency").digits();
                    districts.entry(reg).or_default().push(digits32(code));
                    if code.province().digits() >= 91 {
                        district_names.insert(digits32(code), info.name.to_uppercase());
                    }
                }
                (RegionLevel::District, false) => {
                    let reg = code.regency().expect("district has regency");
                    if idx.is_known(reg) {
                        retired.push((digits32(code), info.name.to_uppercase()));
                    }
                }
                (RegionLevel::Village, true) if wilayah.is_none_or(|w| w.contains(code)) => {
                    let reg = code.regency().expect("village has regency").digits();
                    villages.entry(reg).or_default().push(code);
                }
                _ => {}
            }
        }
        regency_codes.sort_by_key(|(c, _)| *c);
        retired.sort();
        let mut retired_by_name: HashMap<String, Vec<u32>> = HashMap::new();
        for (code, name) in &retired {
            retired_by_name.entry(name.clone()).or_default().push(*code);
        }
        let median = {
            let mut v: Vec<f64> = population.values().copied().collect();
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(300_000.0)
        };
        let regencies: Vec<Regency> = regency_codes
            .into_iter()
            .map(|(code, name)| {
                let d = code.digits();
                let mut ds = districts.remove(&d).unwrap_or_default();
                ds.sort_unstable();
                let mut vs = villages.remove(&d).unwrap_or_default();
                vs.sort_unstable();
                Regency {
                    code,
                    province: digits32(code.province()),
                    weight: population.get(&d).copied().unwrap_or(median).max(1.0),
                    districts: ds,
                    villages: vs,
                    place: place_name(&name),
                }
            })
            .collect();
        let home: Vec<usize> = (0..regencies.len())
            .filter(|i| !regencies[*i].villages.is_empty())
            .collect();
        if home.is_empty() {
            return Err(GeoError::NoVillages);
        }
        let mut by_province: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, r) in regencies.iter().enumerate() {
            by_province.entry(r.province).or_default().push(i);
        }
        let home_cum = cumulative(home.iter().map(|i| regencies[*i].weight));
        let all_cum = cumulative(regencies.iter().map(|r| r.weight));
        Ok(Geo {
            regencies,
            home,
            home_cum,
            all_cum,
            retired_by_name,
            retired: retired.into_iter().map(|(c, _)| c).collect(),
            district_names,
            by_province,
        })
    }

    /// A home regency (index into `regencies`), by population.
    pub(crate) fn home_regency(&self, rng: &mut ChaCha8Rng) -> usize {
        self.home[draw_cum(rng, &self.home_cum)]
    }

    /// Any current regency, by population.
    pub(crate) fn any_regency(&self, rng: &mut ChaCha8Rng) -> usize {
        draw_cum(rng, &self.all_cum)
    }

    /// A regency of the same province as `regency`, uniformly.
    pub(crate) fn same_province(&self, rng: &mut ChaCha8Rng, regency: usize) -> usize {
        let list = &self.by_province[&self.regencies[regency].province];
        list[rng.random_range(0..list.len())]
    }

    /// A village of a home regency, uniformly.
    pub(crate) fn village_in(&self, rng: &mut ChaCha8Rng, regency: usize) -> RegionCode {
        let vs = &self.regencies[regency].villages;
        vs[rng.random_range(0..vs.len())]
    }

    /// Another home regency for a household that moved, preferring the same
    /// province; `None` when the wilayah holds a single regency.
    pub(crate) fn move_target(&self, rng: &mut ChaCha8Rng, from: usize) -> Option<usize> {
        if self.home.len() < 2 {
            return None;
        }
        let province = self.regencies[from].province;
        for attempt in 0..16 {
            let r = self.home_regency(rng);
            if r != from
                && (attempt >= 8 || self.regencies[r].province == province || rng.random_bool(0.4))
            {
                return Some(r);
            }
        }
        self.home.iter().copied().find(|r| *r != from)
    }

    /// A random current district of a regency.
    pub(crate) fn district_in(&self, rng: &mut ChaCha8Rng, regency: usize) -> Option<u32> {
        let ds = &self.regencies[regency].districts;
        (!ds.is_empty()).then(|| ds[rng.random_range(0..ds.len())])
    }

    /// A retired district code for a NIK issued before a split: the old code of
    /// the same-named district when there is one, else any retired code.
    pub(crate) fn retired_district(&self, rng: &mut ChaCha8Rng, current: u32) -> Option<u32> {
        if let Some(name) = self.district_names.get(&current)
            && let Some(codes) = self.retired_by_name.get(name)
        {
            return Some(codes[rng.random_range(0..codes.len())]);
        }
        (!self.retired.is_empty()).then(|| self.retired[rng.random_range(0..self.retired.len())])
    }

    /// The regency index of a village code.
    pub(crate) fn regency_of(&self, village: RegionCode) -> usize {
        let reg = village.regency().expect("village has regency");
        self.regencies
            .binary_search_by_key(&reg, |r| r.code)
            .expect("village regency is current")
    }
}

/// The digits of a province or district code (at most 6) as the u32 the
/// generator keeps them in.
fn digits32(code: RegionCode) -> u32 {
    u32::try_from(code.digits()).expect("a district code has 6 digits")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn wilayah_restricts_homes_to_its_villages() {
        let depok = RegionCode::parse("32.76").unwrap();
        let geo = Geo::new(Some(depok)).unwrap();
        assert_eq!(geo.home.len(), 1);
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let r = geo.home_regency(&mut rng);
        assert!(depok.contains(geo.village_in(&mut rng, r)));
        assert_eq!(geo.regencies[r].place, "DEPOK");
        assert!(geo.move_target(&mut rng, r).is_none());
    }

    #[test]
    fn populous_regencies_are_drawn_more_often() {
        let geo = Geo::new(None).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let bogor = geo
            .regencies
            .iter()
            .position(|r| r.code.to_string() == "32.01")
            .unwrap();
        let draws = (0..20_000)
            .filter(|_| geo.home_regency(&mut rng) == bogor)
            .count();
        // Kabupaten Bogor holds about 2% of Indonesians, against 0.2% for an average regency.
        assert!(draws > 250, "{draws}");
    }

    #[test]
    fn papua_districts_map_to_their_retired_codes() {
        let geo = Geo::new(None).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        // Merauke district now sits in Papua Selatan (93.01.01); its NIKs may start 91.01.01.
        let merauke = geo
            .district_names
            .iter()
            .find(|(c, n)| n.as_str() == "MERAUKE" && **c / 10_000 == 93)
            .map(|(c, _)| *c)
            .unwrap();
        assert_eq!(geo.retired_district(&mut rng, merauke), Some(910_101));
        assert!(
            !regions()
                .get(RegionCode::parse("91.01.01").unwrap())
                .unwrap()
                .is_current()
        );
    }
}
