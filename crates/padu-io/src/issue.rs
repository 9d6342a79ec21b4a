//! Problems found while reading a file, located the way a person finds them in Excel.

use std::fmt;

use padu_core::Lang;
use padu_core::lang::Localized;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The row (or file) cannot be imported as it is.
    Error,
    /// The row is imported, but someone should look at it.
    Warning,
}

impl Severity {
    /// `galat`/`peringatan` in Indonesian, `error`/`warning` in English.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Severity::Error, Lang::Id) => "galat",
            (Severity::Warning, Lang::Id) => "peringatan",
            (Severity::Error, Lang::En) => "error",
            (Severity::Warning, Lang::En) => "warning",
        }
    }
}

/// One problem in one place of a file: `file:row:column: message`.
///
/// Rows are numbered as Excel shows them: the header is row 1 and the first
/// data row is row 2; row 0 means the problem concerns the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The file as the user named it.
    pub file: String,
    /// The row as Excel numbers it (the first line is 1), or 0 for the whole file.
    pub row: u64,
    /// The column's header name, when the problem is in one column.
    pub column: Option<String>,
    /// Whether the problem stops the row from being imported.
    pub severity: Severity,
    /// A stable machine-readable code, e.g. `TANGGAL_TIDAK_VALID` or a [`padu_core::NikError::code`].
    pub code: &'static str,
    /// The message in Bahasa Indonesia.
    pub text_id: String,
    /// The message in English.
    pub text_en: String,
}

impl Issue {
    /// A new issue; `column` is the header name as found in the file.
    pub fn new(
        file: &str,
        row: u64,
        column: Option<&str>,
        severity: Severity,
        code: &'static str,
        text_id: impl Into<String>,
        text_en: impl Into<String>,
    ) -> Issue {
        Issue {
            file: file.to_string(),
            row,
            column: column.map(str::to_string),
            severity,
            code,
            text_id: text_id.into(),
            text_en: text_en.into(),
        }
    }

    /// Whether this is an [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The bare message without its location.
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.text_id,
            Lang::En => &self.text_en,
        }
    }

    /// `file:row:column: message`, leaving out the row when it is 0 and the column when there is none.
    pub fn message(&self, lang: Lang) -> String {
        let mut s = self.file.clone();
        if self.row > 0 {
            s.push(':');
            s.push_str(&self.row.to_string());
        }
        if let Some(c) = &self.column {
            s.push(':');
            s.push_str(c);
        }
        s.push_str(": ");
        s.push_str(self.text(lang));
        s
    }
}

impl Localized for Issue {
    fn message(&self, lang: Lang) -> String {
        Issue::message(self, lang)
    }
}

impl fmt::Display for Issue {
    /// The Indonesian form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Id))
    }
}

/// Caps the number of issues one read reports, counting what it leaves out.
#[derive(Debug)]
pub(crate) struct Budget {
    left: usize,
    suppressed: u64,
    suppressed_errors: u64,
}

impl Budget {
    pub(crate) fn new(max: usize) -> Budget {
        Budget {
            left: max,
            suppressed: 0,
            suppressed_errors: 0,
        }
    }

    /// Keeps the issues that still fit and counts the rest.
    pub(crate) fn admit(&mut self, issues: Vec<Issue>) -> Vec<Issue> {
        if issues.len() <= self.left {
            self.left -= issues.len();
            return issues;
        }
        let mut kept = issues;
        for dropped in kept.drain(self.left..) {
            self.suppressed += 1;
            if dropped.is_error() {
                self.suppressed_errors += 1;
            }
        }
        self.left = 0;
        kept
    }

    /// The closing issue that says how many were left out, if any were.
    pub(crate) fn summary(&self, file: &str) -> Option<Issue> {
        (self.suppressed > 0).then(|| {
            let severity = if self.suppressed_errors > 0 {
                Severity::Error
            } else {
                Severity::Warning
            };
            Issue::new(
                file,
                0,
                None,
                severity,
                "MASALAH_DISEMBUNYIKAN",
                format!(
                    "{} masalah lain tidak ditampilkan ({} di antaranya galat); perbaiki yang di atas lalu periksa ulang",
                    self.suppressed, self.suppressed_errors
                ),
                format!(
                    "{} more problems not shown ({} of them errors); fix the ones above and check again",
                    self.suppressed, self.suppressed_errors
                ),
            )
        })
    }

    pub(crate) fn suppressed(&self) -> u64 {
        self.suppressed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(row: u64, column: Option<&str>) -> Issue {
        Issue::new(
            "registry.csv",
            row,
            column,
            Severity::Error,
            "TANGGAL_TIDAK_VALID",
            "tanggal \"31/02/1990\" tidak ada di kalender",
            "date \"31/02/1990\" does not exist in the calendar",
        )
    }

    #[test]
    fn message_puts_file_row_and_column_before_the_text() {
        let i = issue(7, Some("tgl_lahir"));
        assert_eq!(
            i.to_string(),
            "registry.csv:7:tgl_lahir: tanggal \"31/02/1990\" tidak ada di kalender"
        );
        assert_eq!(
            i.message(Lang::En),
            "registry.csv:7:tgl_lahir: date \"31/02/1990\" does not exist in the calendar"
        );
    }

    #[test]
    fn message_leaves_out_absent_row_and_column() {
        assert_eq!(
            issue(0, None).message(Lang::Id),
            "registry.csv: tanggal \"31/02/1990\" tidak ada di kalender"
        );
        assert_eq!(
            issue(3, None).message(Lang::Id),
            "registry.csv:3: tanggal \"31/02/1990\" tidak ada di kalender"
        );
    }

    #[test]
    fn budget_keeps_up_to_the_limit_and_summarises_the_rest() {
        let mut b = Budget::new(3);
        assert_eq!(b.admit(vec![issue(2, None), issue(3, None)]).len(), 2);
        assert_eq!(b.admit(vec![issue(4, None), issue(5, None)]).len(), 1);
        assert!(b.admit(vec![issue(6, None)]).is_empty());
        assert_eq!(b.suppressed(), 2);
        let s = b.summary("registry.csv").unwrap();
        assert!(s.text_id.starts_with("2 masalah lain"), "{}", s.text_id);
        assert_eq!(s.severity, Severity::Error);
        assert!(Budget::new(3).summary("x").is_none());
    }
}
