//! A comment on a household, as typed: checked once here, for the form and the API alike.

use padu_core::Lang;

use crate::i18n::Tr;

/// The longest comment accepted, in characters.
pub const MAX_COMMENT: usize = 2_000;

/// A comment's text: trimmed, not blank, at most [`MAX_COMMENT`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

impl CommentBody {
    /// Checks what the user typed; the error is a sentence in the user's language.
    pub fn parse(raw: &str, lang: Lang) -> Result<CommentBody, String> {
        let t = Tr::new(lang);
        let body = raw.trim();
        if body.is_empty() {
            return Err(t.get("comment.empty").to_string());
        }
        let n = body.chars().count();
        if n > MAX_COMMENT {
            return Err(t
                .get("comment.too_long")
                .replace("{max}", &MAX_COMMENT.to_string())
                .replace("{n}", &n.to_string()));
        }
        Ok(CommentBody(body.to_string()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_and_overlong_comments_are_refused_in_the_users_language() {
        assert_eq!(
            CommentBody::parse("  cek alamat RT 03  ", Lang::Id)
                .unwrap()
                .as_str(),
            "cek alamat RT 03"
        );
        assert!(
            CommentBody::parse(" \n ", Lang::Id)
                .unwrap_err()
                .contains("kosong")
        );
        assert!(
            CommentBody::parse(" ", Lang::En)
                .unwrap_err()
                .contains("empty")
        );
        let long = "x".repeat(MAX_COMMENT + 1);
        assert!(
            CommentBody::parse(&long, Lang::En)
                .unwrap_err()
                .contains("2001")
        );
        assert!(CommentBody::parse(&"é".repeat(MAX_COMMENT), Lang::Id).is_ok());
    }
}
