//! The error of every coded field: a text that is none of the codes a field accepts.

use std::fmt;

use thiserror::Error;

use crate::lang::{Lang, Localized};
use crate::person::{LifeStatus, Relation, Sex};
use crate::verify::{Action, Flag, NikStatus};

/// Which coded field a [`CodeError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeKind {
    /// `jenis_kelamin` ([`crate::Sex`]).
    Sex,
    /// `hubungan_keluarga` ([`crate::Relation`]).
    Relation,
    /// `status_hidup` ([`crate::LifeStatus`]).
    LifeStatus,
    /// A message language ([`crate::Lang`]).
    Lang,
    /// A result's `status` ([`crate::NikStatus`]).
    NikStatus,
    /// One of a result's `flags` ([`crate::Flag`]).
    Flag,
    /// A result's `tindakan` ([`crate::Action`]).
    Action,
}

impl CodeKind {
    /// What the field is called, in `lang`.
    pub fn name(self, lang: Lang) -> &'static str {
        let (id, en) = match self {
            CodeKind::Sex => ("jenis kelamin", "sex"),
            CodeKind::Relation => ("hubungan keluarga", "family relation"),
            CodeKind::LifeStatus => ("status hidup", "life status"),
            CodeKind::Lang => ("bahasa", "language"),
            CodeKind::NikStatus => ("status", "status"),
            CodeKind::Flag => ("flag", "flag"),
            CodeKind::Action => ("tindakan", "action"),
        };
        match lang {
            Lang::Id => id,
            Lang::En => en,
        }
    }

    /// The codes the field accepts, in their canonical spelling (the parsers
    /// also take a few other spellings of them).
    pub fn accepted(self) -> Vec<&'static str> {
        match self {
            CodeKind::Sex => Sex::ALL.map(Sex::as_str).to_vec(),
            CodeKind::Relation => Relation::ALL.map(Relation::as_str).to_vec(),
            CodeKind::LifeStatus => LifeStatus::ALL.map(LifeStatus::as_str).to_vec(),
            CodeKind::Lang => Lang::ALL.map(Lang::as_str).to_vec(),
            CodeKind::NikStatus => NikStatus::ALL.map(NikStatus::as_str).to_vec(),
            CodeKind::Flag => Flag::ALL.map(Flag::as_str).to_vec(),
            CodeKind::Action => Action::ALL.map(Action::as_str).to_vec(),
        }
    }

    /// The accepted codes as a sentence ends: `L atau P`, `salah satu: A, B, C`.
    pub fn accepted_text(self, lang: Lang) -> String {
        match (self.accepted().as_slice(), lang) {
            ([a, b], Lang::Id) => format!("{a} atau {b}"),
            ([a, b], Lang::En) => format!("{a} or {b}"),
            (all, Lang::Id) => format!("salah satu: {}", all.join(", ")),
            (all, Lang::En) => format!("one of: {}", all.join(", ")),
        }
    }
}

/// A text that is none of the codes a field accepts, e.g. `jenis kelamin "X"`.
///
/// `Display` is Indonesian; [`Localized::message`] gives English too.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct CodeError {
    /// The field.
    pub kind: CodeKind,
    /// The offending text, trimmed.
    pub value: String,
}

impl CodeError {
    /// The error for `value` (trimmed) in a field of `kind`.
    pub fn new(kind: CodeKind, value: &str) -> CodeError {
        CodeError {
            kind,
            value: value.trim().to_string(),
        }
    }
}

impl fmt::Display for CodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Id))
    }
}

impl Localized for CodeError {
    fn message(&self, lang: Lang) -> String {
        let (name, value, accepted) = (
            self.kind.name(lang),
            &self.value,
            self.kind.accepted_text(lang),
        );
        match lang {
            Lang::Id => format!("{name} \"{value}\" tidak dikenal; gunakan {accepted}"),
            Lang::En => format!("{name} \"{value}\" is not recognised; use {accepted}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_field_the_value_and_the_accepted_codes() {
        let e = CodeError::new(CodeKind::Sex, " X ");
        assert_eq!(
            e.to_string(),
            "jenis kelamin \"X\" tidak dikenal; gunakan L atau P"
        );
        assert_eq!(
            e.message(Lang::En),
            "sex \"X\" is not recognised; use L or P"
        );
        let e = CodeError::new(CodeKind::Action, "HILANGKAN");
        assert_eq!(
            e.message(Lang::En),
            "action \"HILANGKAN\" is not recognised; use one of: TETAP, PERBAIKI, HAPUS"
        );
        let e = "xx".parse::<Lang>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "bahasa \"xx\" tidak dikenal; gunakan id atau en"
        );
    }
}
