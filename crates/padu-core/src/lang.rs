//! User-facing language selection: Bahasa Indonesia first, English available.

use std::fmt;
use std::str::FromStr;

use crate::code::{CodeError, CodeKind};

/// The language of messages shown to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Bahasa Indonesia, the default.
    #[default]
    Id,
    /// English.
    En,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Lang; 2] = [Lang::Id, Lang::En];

    /// The code: `id` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
}

impl FromStr for Lang {
    type Err = CodeError;
    /// Accepts `id`/`en` in any case, and a few longer names of them.
    fn from_str(s: &str) -> Result<Self, CodeError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "id" | "in" | "ind" | "indonesia" => Ok(Lang::Id),
            "en" | "eng" | "english" => Ok(Lang::En),
            _ => Err(CodeError::new(CodeKind::Lang, s)),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that can describe itself to a person in either language.
pub trait Localized {
    /// The message in the given language.
    fn message(&self, lang: Lang) -> String;
}
