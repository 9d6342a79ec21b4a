//! User-facing language selection: Bahasa Indonesia first, English available.

use std::fmt;
use std::str::FromStr;

/// The language of messages shown to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Bahasa Indonesia, the default.
    #[default]
    Id,
    /// English.
    En,
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "id" | "in" | "ind" | "indonesia" => Ok(Lang::Id),
            "en" | "eng" | "english" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?}, expected id or en")),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Id => "id",
            Lang::En => "en",
        })
    }
}

/// Something that can describe itself to a person in either language.
pub trait Localized {
    /// The message in the given language.
    fn message(&self, lang: Lang) -> String;
}
