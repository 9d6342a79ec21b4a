//! Calendar dates as operators write them: `YYYY-MM-DD`, `DD-MM-YYYY`, `DD/MM/YYYY`.

use chrono::NaiveDate;
use thiserror::Error;

use crate::lang::{Lang, Localized};

/// Why a text is not a date Padu accepts.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateError {
    /// The text is empty.
    #[error("tanggal kosong")]
    Empty,
    /// The text is in none of the accepted forms.
    #[error("tanggal {0:?} tidak dikenali; gunakan YYYY-MM-DD, DD-MM-YYYY atau DD/MM/YYYY")]
    Format(String),
    /// The year has two digits, so the century is a guess.
    #[error("tanggal {0:?} ambigu: tahun harus empat digit")]
    Ambiguous(String),
    /// The parts are numbers but no such day exists (e.g. 31/02/1990).
    #[error("tanggal {0:?} tidak ada di kalender")]
    Impossible(String),
}

impl Localized for DateError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => match self {
                DateError::Empty => "date is empty".into(),
                DateError::Format(s) => {
                    format!("date {s:?} not recognised; use YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY")
                }
                DateError::Ambiguous(s) => {
                    format!("date {s:?} is ambiguous: the year must have four digits")
                }
                DateError::Impossible(s) => format!("date {s:?} does not exist in the calendar"),
            },
        }
    }
}

/// Parses a date in one of the forms the interchange spec allows.
///
/// A trailing time of day of midnight (`1990-01-31 00:00:00`), as spreadsheet
/// exports add, is accepted and dropped.
pub fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(DateError::Empty);
    }
    let t = t
        .strip_suffix(" 00:00:00")
        .or_else(|| t.strip_suffix("T00:00:00"))
        .unwrap_or(t);
    let parts: Vec<&str> = t.split(['-', '/']).collect();
    let seps: Vec<char> = t.chars().filter(|c| *c == '-' || *c == '/').collect();
    if parts.len() != 3
        || seps[0] != seps[1]
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(DateError::Format(t.to_string()));
    }
    let num = |p: &str| p.parse::<u32>().expect("digits checked above");
    let (y, m, d) = match (parts[0].len(), parts[1].len(), parts[2].len()) {
        (4, 1..=2, 1..=2) if seps[0] == '-' => (num(parts[0]) as i32, num(parts[1]), num(parts[2])),
        (1..=2, 1..=2, 4) => (num(parts[2]) as i32, num(parts[1]), num(parts[0])),
        (1..=2, 1..=2, 1..=2) => return Err(DateError::Ambiguous(t.to_string())),
        _ => return Err(DateError::Format(t.to_string())),
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DateError::Impossible(t.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn accepts_the_three_spec_forms() {
        assert_eq!(parse_date("1990-01-31"), Ok(ymd(1990, 1, 31)));
        assert_eq!(parse_date("31-01-1990"), Ok(ymd(1990, 1, 31)));
        assert_eq!(parse_date("31/01/1990"), Ok(ymd(1990, 1, 31)));
        assert_eq!(parse_date(" 1/2/1990 "), Ok(ymd(1990, 2, 1)));
        assert_eq!(parse_date("1990-01-31 00:00:00"), Ok(ymd(1990, 1, 31)));
    }

    #[test]
    fn impossible_and_ambiguous_dates_are_errors() {
        assert!(matches!(
            parse_date("31/02/1990"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(
            parse_date("1990-13-01"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(
            parse_date("01/02/90"),
            Err(DateError::Ambiguous(_))
        ));
        assert!(matches!(
            parse_date("1990/01/31"),
            Err(DateError::Format(_))
        ));
        assert!(matches!(
            parse_date("31-01/1990"),
            Err(DateError::Format(_))
        ));
        assert!(matches!(parse_date("kemarin"), Err(DateError::Format(_))));
        assert_eq!(parse_date(""), Err(DateError::Empty));
    }

    proptest! {
        #[test]
        fn every_real_date_round_trips_in_every_form(days in 0i64..60_000) {
            let d = ymd(1900, 1, 1) + chrono::Duration::days(days);
            prop_assert_eq!(parse_date(&d.format("%Y-%m-%d").to_string()), Ok(d));
            prop_assert_eq!(parse_date(&d.format("%d-%m-%Y").to_string()), Ok(d));
            prop_assert_eq!(parse_date(&d.format("%d/%m/%Y").to_string()), Ok(d));
        }

        #[test]
        fn never_panics(s in "\\PC{0,16}") {
            let _ = parse_date(&s);
        }
    }
}
