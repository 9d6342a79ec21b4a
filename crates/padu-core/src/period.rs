//! Monthly periods and their cut-off in the region's local time.
//!
//! Corrections are fixed into the registry once a month. Each period has a
//! cut-off instant (by default the 17th at 23:59) in the local time of the
//! region the correction is about: WIB (UTC+7), WITA (UTC+8) or WIT (UTC+9),
//! known from the province code. A correction that reaches Pusdatin up to and
//! including the cut-off minute belongs to that month's period; from the next
//! minute on, to the next month's. The same UTC instant can therefore fall in
//! different periods in Aceh and in Papua, and that is intended.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::lang::{Lang, Localized};
use crate::region::RegionCode;

/// A monthly period, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    year: i32,
    month: u32,
}

/// A text that is not a period.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("periode {0:?} tidak sah; tulis tahun dan bulan seperti 2026-10")]
pub struct PeriodError(pub String);

impl Localized for PeriodError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => format!(
                "period {:?} is not valid; write the year and month like 2026-10",
                self.0
            ),
        }
    }
}

impl Period {
    /// The period of `year` and `month` (1–12); `None` for a month that does not exist
    /// or a year outside 2000–2999.
    pub fn new(year: i32, month: u32) -> Option<Period> {
        ((2000..=2999).contains(&year) && (1..=12).contains(&month))
            .then_some(Period { year, month })
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The month after.
    pub fn next(self) -> Period {
        if self.month == 12 {
            Period {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Period {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before.
    pub fn previous(self) -> Period {
        if self.month == 1 {
            Period {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Period {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month's name and year for people, e.g. `Oktober 2026`.
    pub fn label(self, lang: Lang) -> String {
        const ID: [&str; 12] = [
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let names = match lang {
            Lang::Id => ID,
            Lang::En => EN,
        };
        let i = usize::try_from(self.month - 1).expect("a month is 1-12");
        format!("{} {}", names[i], self.year)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    /// Accepts `YYYY-MM` (also `YYYY-M`), surrounding spaces ignored.
    fn from_str(s: &str) -> Result<Period, PeriodError> {
        let t = s.trim();
        let err = || PeriodError(t.to_string());
        let (y, m) = t.split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u32 = m.parse().map_err(|_| err())?;
        Period::new(year, month).ok_or_else(err)
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Period, PeriodError> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

/// Indonesia's three time zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Zone {
    /// Waktu Indonesia Barat, UTC+7 (Sumatra, Java, West and Central Kalimantan).
    Wib,
    /// Waktu Indonesia Tengah, UTC+8 (Bali, Nusa Tenggara, South, East and North Kalimantan, Sulawesi).
    Wita,
    /// Waktu Indonesia Timur, UTC+9 (Maluku, Papua).
    Wit,
}

impl Zone {
    /// Its abbreviation as printed after a time, e.g. `23.59 WIB`.
    pub fn as_str(self) -> &'static str {
        match self {
            Zone::Wib => "WIB",
            Zone::Wita => "WITA",
            Zone::Wit => "WIT",
        }
    }

    /// Hours ahead of UTC.
    pub fn utc_offset_hours(self) -> i32 {
        match self {
            Zone::Wib => 7,
            Zone::Wita => 8,
            Zone::Wit => 9,
        }
    }

    /// The zone as a chrono offset.
    pub fn offset(self) -> FixedOffset {
        FixedOffset::east_opt(self.utc_offset_hours() * 3600).expect("7 to 9 hours is an offset")
    }

    /// The calendar day the instant `at` falls on in this zone.
    pub fn date_of(self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.offset()).date_naive()
    }

    /// The zone of a province, by its two-digit code; `None` for a code that is no province.
    pub fn of_province(code: u8) -> Option<Zone> {
        match code {
            // Sumatra and its islands, Java, West and Central Kalimantan.
            11..=19 | 21 | 31..=36 | 61 | 62 => Some(Zone::Wib),
            // Bali, Nusa Tenggara, South/East/North Kalimantan, Sulawesi.
            51..=53 | 63..=65 | 71..=76 => Some(Zone::Wita),
            // Maluku, North Maluku and the Papua provinces.
            81 | 82 | 91..=96 => Some(Zone::Wit),
            _ => None,
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which zone each region keeps: the province's, unless a regency (or a
/// smaller region) is listed as an exception.
///
/// Every province lies in one zone today; the exceptions exist because zones
/// have been redrawn before (in 1988 Bali moved to WITA, West and Central
/// Kalimantan to WIB), and a deadline must follow the clock people in the
/// region actually use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneMap {
    exceptions: Vec<(RegionCode, Zone)>,
}

impl ZoneMap {
    /// The province zones with these exceptions (the most specific region wins).
    pub fn with_exceptions(mut exceptions: Vec<(RegionCode, Zone)>) -> ZoneMap {
        // Deeper codes first, so the first containing exception is the most specific.
        exceptions.sort_by_key(|(r, _)| std::cmp::Reverse(r.level()));
        ZoneMap { exceptions }
    }

    /// The zone of `region`; `None` when its province code is no province
    /// (a code that parses but is not in the region list), rather than a guess
    /// that would move a deadline by hours.
    pub fn zone(&self, region: RegionCode) -> Option<Zone> {
        if let Some((_, z)) = self.exceptions.iter().find(|(r, _)| r.contains(region)) {
            return Some(*z);
        }
        Zone::of_province(u8::try_from(region.province().digits()).ok()?)
    }
}

/// When a period closes: a day of the month (1–28, so every month has it)
/// and a minute, in the region's local time. The whole minute is included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutOff {
    day: u32,
    time: NaiveTime,
}

/// A cut-off that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CutOffError {
    /// The day is not 1–28.
    #[error("hari batas akhir {0} tidak sah; pilih tanggal 1 sampai 28 (ada di setiap bulan)")]
    Day(u32),
    /// The time is not `HH:MM`.
    #[error("jam batas akhir {0:?} tidak sah; tulis seperti 23:59")]
    Time(String),
}

impl Localized for CutOffError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::Id) => self.to_string(),
            (CutOffError::Day(d), Lang::En) => {
                format!("cut-off day {d} is not valid; choose 1 to 28 (every month has it)")
            }
            (CutOffError::Time(t), Lang::En) => {
                format!("cut-off time {t:?} is not valid; write it like 23:59")
            }
        }
    }
}

impl Default for CutOff {
    /// The 17th at 23:59.
    fn default() -> CutOff {
        CutOff {
            day: 17,
            time: NaiveTime::from_hms_opt(23, 59, 0).expect("23:59 is a time"),
        }
    }
}

impl CutOff {
    /// A cut-off on `day` at `time` (`HH:MM`).
    pub fn new(day: u32, time: &str) -> Result<CutOff, CutOffError> {
        if !(1..=28).contains(&day) {
            return Err(CutOffError::Day(day));
        }
        let t = NaiveTime::parse_from_str(time.trim(), "%H:%M")
            .map_err(|_| CutOffError::Time(time.trim().to_string()))?;
        Ok(CutOff { day, time: t })
    }

    /// The day of the month.
    pub fn day(self) -> u32 {
        self.day
    }

    /// The last minute, e.g. `23:59`.
    pub fn time_text(self) -> String {
        self.time.format("%H:%M").to_string()
    }

    /// The first instant after `period` closes in `zone`: the cut-off minute's end.
    pub fn closes_at(self, period: Period, zone: Zone) -> DateTime<Utc> {
        let date = NaiveDate::from_ymd_opt(period.year, period.month, self.day)
            .expect("days 1-28 exist in every month");
        let local = date.and_time(self.time) + Duration::minutes(1);
        zone.offset()
            .from_local_datetime(&local)
            .single()
            .expect("a fixed offset has no gaps")
            .with_timezone(&Utc)
    }

    /// The period a correction sent to Pusdatin at `at` belongs to, in `zone`.
    pub fn period_of(self, at: DateTime<Utc>, zone: Zone) -> Period {
        let local = at.with_timezone(&zone.offset());
        let this = Period {
            year: local.year(),
            month: local.month(),
        };
        if at < self.closes_at(this, zone) {
            this
        } else {
            this.next()
        }
    }

    /// Whether `at` is past the cut-off of its own local month, so what is
    /// sent then falls into the next period (and is marked as such).
    pub fn missed(self, at: DateTime<Utc>, zone: Zone) -> bool {
        let local = at.with_timezone(&zone.offset());
        let month = Period {
            year: local.year(),
            month: local.month(),
        };
        self.period_of(at, zone) != month
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test instant")
            .with_timezone(&Utc)
    }

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("test region")
    }

    #[test]
    fn periods_parse_print_and_step_across_years() {
        let p: Period = "2026-10".parse().unwrap();
        assert_eq!(p.to_string(), "2026-10");
        assert_eq!(" 2026-1 ".parse::<Period>().unwrap().to_string(), "2026-01");
        assert_eq!(Period::new(2026, 12).unwrap().next().to_string(), "2027-01");
        assert_eq!(
            Period::new(2027, 1).unwrap().previous().to_string(),
            "2026-12"
        );
        for bad in [
            "2026-13", "2026-00", "26-10", "2026/10", "2026-", "oktober", "",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
        assert_eq!(p.label(Lang::Id), "Oktober 2026");
        assert_eq!(p.label(Lang::En), "October 2026");
        let e = "2026-13".parse::<Period>().unwrap_err();
        assert!(e.message(Lang::En).contains("2026-10"));
    }

    #[test]
    fn a_proposal_sent_after_the_cut_off_is_marked_as_missing_it() {
        let c = CutOff::default();
        // 17 October 23:59:59 WIB is still October; a second later it is November.
        assert!(!c.missed(utc("2026-10-17T16:59:59Z"), Zone::Wib));
        assert!(c.missed(utc("2026-10-17T17:00:00Z"), Zone::Wib));
        // Late in the month but before the next cut-off: the next period, and late.
        assert!(c.missed(utc("2026-10-30T03:00:00Z"), Zone::Wit));
        assert!(!c.missed(utc("2026-11-01T03:00:00Z"), Zone::Wit));
    }

    #[test]
    fn every_province_has_its_zone() {
        let zone = |s| ZoneMap::default().zone(code(s)).expect("a province");
        assert_eq!(zone("11.01"), Zone::Wib); // Aceh
        assert_eq!(zone("32.76.01.1001"), Zone::Wib); // Depok
        assert_eq!(zone("62.01"), Zone::Wib); // Central Kalimantan
        assert_eq!(zone("51.71"), Zone::Wita); // Denpasar
        assert_eq!(zone("64.72"), Zone::Wita); // Samarinda
        assert_eq!(zone("73.71"), Zone::Wita); // Makassar
        assert_eq!(zone("81.71"), Zone::Wit); // Ambon
        assert_eq!(zone("91.71"), Zone::Wit); // Jayapura
        assert_eq!(
            ZoneMap::default().zone(code("99.01")),
            None,
            "no province 99"
        );
        for info in crate::regions().iter() {
            let p = u8::try_from(info.code.province().digits()).unwrap();
            assert!(Zone::of_province(p).is_some(), "province {p} has a zone");
        }
    }

    #[test]
    fn a_listed_regency_keeps_its_own_zone() {
        let map =
            ZoneMap::with_exceptions(vec![(code("62"), Zone::Wita), (code("62.01"), Zone::Wib)]);
        assert_eq!(
            map.zone(code("62.01.01")),
            Some(Zone::Wib),
            "the regency wins"
        );
        assert_eq!(
            map.zone(code("62.02")),
            Some(Zone::Wita),
            "then the province"
        );
        assert_eq!(
            map.zone(code("32.01")),
            Some(Zone::Wib),
            "elsewhere unchanged"
        );
    }

    #[test]
    fn the_cut_off_minute_is_in_the_period_and_the_next_second_is_not() {
        let cut = CutOff::default();
        let oct = Period::new(2026, 10).unwrap();
        // 17 October 23:59:59 local is in October; 18 October 00:00:00 local is November.
        for (zone, last_utc, first_utc) in [
            (Zone::Wib, "2026-10-17T16:59:59Z", "2026-10-17T17:00:00Z"),
            (Zone::Wita, "2026-10-17T15:59:59Z", "2026-10-17T16:00:00Z"),
            (Zone::Wit, "2026-10-17T14:59:59Z", "2026-10-17T15:00:00Z"),
        ] {
            assert_eq!(
                cut.period_of(utc(last_utc), zone),
                oct,
                "{zone} last second"
            );
            assert_eq!(
                cut.period_of(utc(first_utc), zone),
                oct.next(),
                "{zone} first second after"
            );
            assert_eq!(cut.closes_at(oct, zone), utc(first_utc));
            assert_eq!(zone.date_of(utc(last_utc)).to_string(), "2026-10-17");
            assert_eq!(zone.date_of(utc(first_utc)).to_string(), "2026-10-18");
        }
        // One UTC instant, three periods' worth of difference: at 15:30 UTC it is
        // 22:30 WIB (October), 23:30 WITA (October) and 00:30 WIT (November).
        let at = utc("2026-10-17T15:30:00Z");
        assert_eq!(cut.period_of(at, Zone::Wib), oct);
        assert_eq!(cut.period_of(at, Zone::Wita), oct);
        assert_eq!(cut.period_of(at, Zone::Wit), oct.next());
        // Late December rolls into January of the next year.
        assert_eq!(
            cut.period_of(utc("2026-12-20T00:00:00Z"), Zone::Wib)
                .to_string(),
            "2027-01"
        );
        // Early in the month is that month.
        assert_eq!(cut.period_of(utc("2026-10-01T00:00:00Z"), Zone::Wib), oct);
    }

    #[test]
    fn cut_offs_are_checked() {
        assert_eq!(CutOff::new(29, "23:59"), Err(CutOffError::Day(29)));
        assert_eq!(CutOff::new(0, "23:59"), Err(CutOffError::Day(0)));
        assert!(matches!(
            CutOff::new(17, "24:00"),
            Err(CutOffError::Time(_))
        ));
        let c = CutOff::new(5, "12:00").unwrap();
        assert_eq!((c.day(), c.time_text().as_str()), (5, "12:00"));
        assert_eq!(
            c.period_of(utc("2026-03-05T05:00:59Z"), Zone::Wib)
                .to_string(),
            "2026-03"
        );
        assert_eq!(
            c.period_of(utc("2026-03-05T05:01:00Z"), Zone::Wib)
                .to_string(),
            "2026-04"
        );
    }
}
