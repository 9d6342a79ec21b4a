//! The region a read is limited to, and the indexed key range that implements it.

use std::fmt;

use padu_core::{RegionCode, RegionError};

/// The part of the country a query may see.
///
/// Every read of people goes through a scope: `National` sees everything,
/// `Region(code)` sees the records whose village code lies inside `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The whole country (Pusdatin).
    National,
    /// One province, regency/city, district or village and everything inside it.
    Region(RegionCode),
}

impl Scope {
    /// Parses `nasional` (or `national`) or any region code such as `32.76`.
    ///
    /// Fails closed: an empty or blank text is [`RegionError::Empty`], never the
    /// whole country, so a missing value cannot widen what a caller sees.
    pub fn parse(s: &str) -> Result<Scope, RegionError> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("nasional") || t.eq_ignore_ascii_case("national") {
            Ok(Scope::National)
        } else {
            RegionCode::parse(t).map(Scope::Region)
        }
    }

    /// Whether a village code lies inside this scope.
    pub fn contains(self, code: RegionCode) -> bool {
        match self {
            Scope::National => true,
            Scope::Region(r) => r.contains(code),
        }
    }

    /// The half-open text range `[lo, hi)` of compact village codes inside this scope.
    ///
    /// Compact codes are digits only, so `prefix` followed by `:` (the byte after `9`)
    /// bounds every code that starts with `prefix`; comparing text bytewise (SQLite's
    /// default and the `"C"` collation on PostgreSQL) makes this an index range scan.
    pub(crate) fn range(self) -> (String, String) {
        match self {
            Scope::National => (String::new(), ":".to_string()),
            Scope::Region(r) => {
                let p = r.compact();
                let hi = format!("{p}:");
                (p, hi)
            }
        }
    }

    /// The stored form: the compact code, or empty for national.
    pub(crate) fn to_stored(self) -> String {
        match self {
            Scope::National => String::new(),
            Scope::Region(r) => r.compact(),
        }
    }

    /// The form kept in an account (`app_user.scope`): `nasional` or the compact code.
    ///
    /// Unlike a verification run's stored scope, an account's is never empty, and
    /// the table refuses an empty value, so a lost value cannot turn into the whole country.
    pub(crate) fn to_account(self) -> String {
        match self {
            Scope::National => "nasional".to_string(),
            Scope::Region(r) => r.compact(),
        }
    }

    /// Decodes [`to_account`](Self::to_account)'s form; empty text is an error, as in [`Scope::parse`].
    pub(crate) fn from_account(s: &str) -> Result<Scope, RegionError> {
        Scope::parse(s)
    }

    /// Whether every record visible in `other` is visible in this scope.
    pub fn covers(self, other: Scope) -> bool {
        match (self, other) {
            (Scope::National, _) => true,
            (Scope::Region(_), Scope::National) => false,
            (Scope::Region(a), Scope::Region(b)) => a.contains(b),
        }
    }

    /// The region level of this scope (`None` for the whole country).
    pub fn level(self) -> Option<padu_core::RegionLevel> {
        match self {
            Scope::National => None,
            Scope::Region(r) => Some(r.level()),
        }
    }

    /// Decodes [`to_stored`](Self::to_stored)'s form, the one place where empty means national.
    pub(crate) fn from_stored(s: &str) -> Result<Scope, RegionError> {
        if s.is_empty() {
            Ok(Scope::National)
        } else {
            RegionCode::parse(s).map(Scope::Region)
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::National => f.write_str("nasional"),
            Scope::Region(r) => write!(f, "{r}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn a_region_range_holds_its_villages_and_nothing_else() {
        let (lo, hi) = Scope::Region(code("32.76")).range();
        let inside = code("32.76.01.1001").compact();
        let neighbour = code("32.77.01.1001").compact();
        let before = code("32.75.99.2999").compact();
        assert!(lo.as_str() <= inside.as_str() && inside.as_str() < hi.as_str());
        assert!(!(lo.as_str() <= neighbour.as_str() && neighbour.as_str() < hi.as_str()));
        assert!(!(lo.as_str() <= before.as_str() && before.as_str() < hi.as_str()));
    }

    #[test]
    fn province_99_does_not_overflow_its_range() {
        let (lo, hi) = Scope::Region(code("99")).range();
        let last = code("99.99.99.9999").compact();
        assert!(lo.as_str() <= last.as_str() && last.as_str() < hi.as_str());
    }

    #[test]
    fn the_national_range_holds_every_code() {
        let (lo, hi) = Scope::National.range();
        for c in ["11.01.01.2001", "99.99.99.9999"] {
            let c = code(c).compact();
            assert!(lo.as_str() <= c.as_str() && c.as_str() < hi.as_str());
        }
    }

    #[test]
    fn scopes_parse_from_cli_text() {
        assert_eq!(Scope::parse("nasional").unwrap(), Scope::National);
        assert_eq!(Scope::parse("32.76").unwrap(), Scope::Region(code("3276")));
        assert!(Scope::parse("3x").is_err());
    }

    #[test]
    fn an_empty_scope_is_an_error_not_the_whole_country() {
        assert_eq!(Scope::parse(""), Err(RegionError::Empty));
        assert_eq!(Scope::parse("  "), Err(RegionError::Empty));
    }

    #[test]
    fn the_stored_form_round_trips() {
        for s in [Scope::National, Scope::Region(code("32.76.01"))] {
            assert_eq!(Scope::from_stored(&s.to_stored()).unwrap(), s);
        }
        assert!(Scope::from_stored("3x").is_err());
    }
}
