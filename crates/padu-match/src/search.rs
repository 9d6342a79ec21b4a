//! Name search keys for the application: a person's name folded by the same
//! rules the engine links with, so a search for `MOCH. SOEHARTO` finds
//! `MUHAMMAD SUHARTO`.

use crate::normalise::normalise_name;

/// What a name is searched and ranked by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    /// The normalised name: titles removed, MUHAMMAD folded, modern spelling, nicknames expanded.
    pub norm: String,
    /// The phonetic key of each token, distinct, in name order.
    pub tokens: Vec<String>,
}

/// The search key of a name (a registered name, or what an operator typed).
pub fn name_key(raw: &str) -> NameKey {
    let n = normalise_name(raw);
    let mut tokens: Vec<String> = Vec::new();
    for t in n.phon.split(' ').filter(|t| !t.is_empty()) {
        if !tokens.iter().any(|x| x == t) {
            tokens.push(t.to_string());
        }
    }
    NameKey {
        norm: n.norm,
        tokens,
    }
}

/// How alike two normalised names are, from 0 to 1, for ranking search results
/// (Jaro–Winkler over the whole name, and over its tokens sorted, whichever is higher,
/// so reordered names rank high too).
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let sorted = |s: &str| {
        let mut v: Vec<&str> = s.split(' ').collect();
        v.sort_unstable();
        v.join(" ")
    };
    strsim::jaro_winkler(a, b).max(strsim::jaro_winkler(&sorted(a), &sorted(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_spellings_titles_and_abbreviations_give_the_same_key() {
        let a = name_key("MOCH. SOEHARTO");
        let b = name_key("H. MUHAMMAD SUHARTO, S.PD.");
        assert_eq!(a, b);
        assert_eq!(a.norm, "MUHAMMAD SUHARTO");
        assert_eq!(a.tokens.len(), 2);
    }

    #[test]
    fn tokens_are_distinct_and_similarity_ranks_closer_names_higher() {
        assert_eq!(name_key("SITI SITI AMINAH").tokens.len(), 2);
        let q = name_key("SITI AMINAH").norm;
        assert!(name_similarity(&q, "SITI AMINAH") > name_similarity(&q, "SITI AMINATUN"));
        assert!(name_similarity(&q, "AMINAH SITI") > 0.95);
        assert_eq!(name_similarity(&q, &q), 1.0);
    }
}
