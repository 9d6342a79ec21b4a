//! Whether a person's name will pass where it matters: the bank that pays the
//! aid into an account in that name.
//!
//! Banks refuse names with digits or symbols, one- or two-letter names and
//! placeholders such as `-` or `TIDAK ADA`, and the payment then fails months
//! after the record was entered. These checks find them at import, while the
//! village operator can still ask the family.

use std::fmt;

use crate::lang::{Lang, Localized};

/// What is wrong with a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameProblem {
    /// A stand-in for a missing name: `-`, `XXX`, `TIDAK ADA`, `NN`, …
    Placeholder,
    /// Digits or symbols other than the marks names carry (`.`, `,`, `'`, `-`).
    DigitsOrSymbols,
    /// One or two letters in all.
    TooShort,
}

/// Texts written where no name was known, compared after folding case and dropping dots.
const PLACEHOLDERS: &[&str] = &[
    "TIDAK ADA",
    "TDK ADA",
    "TIDAK TAHU",
    "TDK TAHU",
    "TIDAK DIKETAHUI",
    "BELUM ADA",
    "KOSONG",
    "NN",
    "N/A",
    "NA",
    "NONE",
    "NULL",
    "ANONIM",
];

impl NameProblem {
    /// The problem of `name`, if any (blank names are the caller's concern:
    /// required or optional depends on the column).
    pub fn of(name: &str) -> Option<NameProblem> {
        let t = name.trim();
        if t.is_empty() {
            return None;
        }
        let only_marks = t.chars().all(|c| !c.is_alphanumeric());
        let folded_placeholder = if t.is_ascii() {
            ascii_placeholder(t)
        } else {
            placeholder(&fold(t))
        };
        if only_marks || folded_placeholder {
            return Some(NameProblem::Placeholder);
        }
        if t.chars().any(|c| {
            !(c.is_alphabetic() || c.is_whitespace() || matches!(c, '.' | ',' | '\'' | '-'))
        }) {
            return Some(NameProblem::DigitsOrSymbols);
        }
        if t.chars().filter(|c| c.is_alphabetic()).count() <= 2 {
            return Some(NameProblem::TooShort);
        }
        None
    }

    /// A stable code for machine-readable output.
    pub fn code(self) -> &'static str {
        match self {
            NameProblem::Placeholder => "NAMA_PENGISI",
            NameProblem::DigitsOrSymbols => "NAMA_ANGKA_SIMBOL",
            NameProblem::TooShort => "NAMA_TERLALU_PENDEK",
        }
    }
}

/// A name folded as placeholders are compared: upper case, no dots, single spaces.
fn fold(t: &str) -> String {
    t.to_uppercase()
        .chars()
        .filter(|c| *c != '.')
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a folded name is a placeholder or a run of X.
fn placeholder(folded: &str) -> bool {
    let all_x = folded.len() >= 2 && folded.chars().all(|c| c == 'X');
    all_x || PLACEHOLDERS.contains(&folded)
}

/// [`placeholder`] of [`fold`] for an ASCII name, folded on the stack: every
/// name read is checked, and nearly all are ASCII.
fn ascii_placeholder(t: &str) -> bool {
    // Longer than any placeholder; a run of X of any length is still seen.
    const MAX: usize = 16;
    let mut buf = [0u8; MAX];
    let (mut n, mut gap, mut all_x) = (0usize, false, true);
    let mut push = |c: u8, n: &mut usize| {
        if *n < MAX {
            buf[*n] = c;
        }
        *n += 1;
    };
    for b in t.bytes() {
        if b == b'.' {
            continue;
        }
        if char::from(b).is_whitespace() {
            gap = n > 0;
            continue;
        }
        if gap {
            push(b' ', &mut n);
            all_x = false;
            gap = false;
        }
        let c = b.to_ascii_uppercase();
        all_x &= c == b'X';
        push(c, &mut n);
    }
    (n >= 2 && all_x) || (n <= MAX && PLACEHOLDERS.iter().any(|p| p.as_bytes() == &buf[..n]))
}

/// A name and its problem, for a message: `nama "B1ANG" memuat angka atau simbol…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameWarning {
    /// The column's name for people, e.g. `nama` or `nama ibu kandung`.
    pub what: String,
    /// The name as written.
    pub name: String,
    /// What is wrong.
    pub problem: NameProblem,
}

impl fmt::Display for NameWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Id))
    }
}

impl Localized for NameWarning {
    fn message(&self, lang: Lang) -> String {
        let (what, name) = (&self.what, &self.name);
        match (self.problem, lang) {
            (NameProblem::Placeholder, Lang::Id) => format!(
                "{what} \"{name}\" bukan nama (pengisi tempat kosong); tanyakan nama sebenarnya, bank menolak penyaluran atas nama seperti ini"
            ),
            (NameProblem::Placeholder, Lang::En) => format!(
                "{what} \"{name}\" is not a name (a placeholder); ask for the real name, banks refuse payments to such names"
            ),
            (NameProblem::DigitsOrSymbols, Lang::Id) => format!(
                "{what} \"{name}\" memuat angka atau simbol; bank menolak penyaluran atas nama seperti ini"
            ),
            (NameProblem::DigitsOrSymbols, Lang::En) => format!(
                "{what} \"{name}\" contains digits or symbols; banks refuse payments to such names"
            ),
            (NameProblem::TooShort, Lang::Id) => format!(
                "{what} \"{name}\" hanya satu atau dua huruf; periksa apakah ini nama lengkap sesuai KTP/KK"
            ),
            (NameProblem::TooShort, Lang::En) => format!(
                "{what} \"{name}\" has only one or two letters; check it is the full name on the ID card or family card"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_banks_refuse_are_found() {
        for (name, problem) in [
            ("-", Some(NameProblem::Placeholder)),
            ("--", Some(NameProblem::Placeholder)),
            ("XXX", Some(NameProblem::Placeholder)),
            ("xx", Some(NameProblem::Placeholder)),
            ("Tidak Ada", Some(NameProblem::Placeholder)),
            (" TDK. ADA ", Some(NameProblem::Placeholder)),
            ("N.N.", Some(NameProblem::Placeholder)),
            ("?", Some(NameProblem::Placeholder)),
            ("B1ANG", Some(NameProblem::DigitsOrSymbols)),
            ("SITI@AMINAH", Some(NameProblem::DigitsOrSymbols)),
            ("AHMAD (ALM)", Some(NameProblem::DigitsOrSymbols)),
            ("A", Some(NameProblem::TooShort)),
            ("A. B.", Some(NameProblem::TooShort)),
            // Real names, with the marks names carry.
            ("SITI AMINAH", None),
            ("MOCH. SOEHARTO", None),
            ("H. AHMAD FAUZI, S.PD.", None),
            ("NI KOMANG AYU", None),
            ("MA'RUF", None),
            ("SITI NUR-HALIZA", None),
            ("ANI", None),
            ("", None),
        ] {
            assert_eq!(NameProblem::of(name), problem, "{name:?}");
        }
    }

    proptest::proptest! {
        /// The stack fold of an ASCII name agrees with the general one.
        #[test]
        fn ascii_fold_agrees_with_the_general_fold(t in "[ .\tXxNnAaTtIiDdKkOo/-]{0,24}") {
            proptest::prop_assert_eq!(ascii_placeholder(&t), placeholder(&fold(&t)), "{:?}", t);
        }
    }

    #[test]
    fn placeholders_are_found_whatever_the_dots_spaces_and_case() {
        for t in [
            " t.i.d.a.k   ada ",
            "N/A",
            "xXx",
            "x",
            "X X",
            "TIDAK DIKETAHUI",
            "TIDAKDIKETAHUI",
            "XXXXXXXXXXXXXXXXXXXXXXXX",
        ] {
            assert_eq!(ascii_placeholder(t), placeholder(&fold(t)), "{t:?}");
        }
    }

    #[test]
    fn messages_name_the_column_the_value_and_why() {
        let w = NameWarning {
            what: "nama ibu kandung".into(),
            name: "B1ANG".into(),
            problem: NameProblem::DigitsOrSymbols,
        };
        assert_eq!(
            w.to_string(),
            "nama ibu kandung \"B1ANG\" memuat angka atau simbol; bank menolak penyaluran atas nama seperti ini"
        );
        assert!(w.message(Lang::En).contains("digits or symbols"));
        assert_eq!(NameProblem::TooShort.code(), "NAMA_TERLALU_PENDEK");
    }
}
