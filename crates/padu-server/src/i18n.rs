//! The words on Padu's pages, in Bahasa Indonesia (the default) and English.
//!
//! Messages live in `locales/id.toml` and `locales/en.toml`, compiled into the
//! binary and parsed once. A test checks that both files have the same keys
//! and that every key a template or handler asks for exists, so a missing
//! translation fails the build's tests instead of showing a raw key.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use padu_core::Lang;

const ID: &str = include_str!("../locales/id.toml");
const EN: &str = include_str!("../locales/en.toml");

/// The cookie that remembers the language a person chose.
pub const LANG_COOKIE: &str = "padu_lang";

fn table(lang: Lang) -> &'static HashMap<String, String> {
    static ID_TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    static EN_TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    match lang {
        Lang::Id => ID_TABLE.get_or_init(|| parse(ID)),
        Lang::En => EN_TABLE.get_or_init(|| parse(EN)),
    }
}

/// Flattens `[section] key = "text"` into `section.key`.
fn parse(src: &str) -> HashMap<String, String> {
    let value: toml::Table = toml::from_str(src).expect("locale files are valid TOML (tested)");
    let mut out = HashMap::new();
    flatten("", &value, &mut out);
    out
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// Translations for one language, handed to every template.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    lang: Lang,
}

impl Tr {
    /// The messages of `lang`.
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The language code for `<html lang>`.
    pub fn code(&self) -> &'static str {
        match self.lang {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// The message for `key`; the key itself if it is missing (which the tests rule out).
    pub fn get<'k>(&self, key: &'k str) -> &'k str
    where
        'static: 'k,
    {
        table(self.lang).get(key).map_or(key, String::as_str)
    }
}

/// The language of a request: the person's choice (cookie) first; API clients
/// may also ask with `Accept-Language: en`. Bahasa Indonesia otherwise: pages
/// ignore the browser's header, since many operators' browsers say English
/// while the people using them expect Padu in Indonesian.
pub fn request_lang(headers: &HeaderMap, api: bool) -> Lang {
    let from_cookie = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == LANG_COOKIE)
        .and_then(|(_, v)| v.parse().ok());
    if let Some(lang) = from_cookie {
        return lang;
    }
    if !api {
        return Lang::Id;
    }
    let first_tag = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|t| t.trim().to_ascii_lowercase());
    match first_tag {
        Some(t) if t == "en" || t.starts_with("en-") => Lang::En,
        _ => Lang::Id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let id = table(Lang::Id);
        let en = table(Lang::En);
        let mut only_id: Vec<_> = id.keys().filter(|k| !en.contains_key(*k)).collect();
        let mut only_en: Vec<_> = en.keys().filter(|k| !id.contains_key(*k)).collect();
        only_id.sort();
        only_en.sort();
        assert!(
            only_id.is_empty() && only_en.is_empty(),
            "only in id.toml: {only_id:?}; only in en.toml: {only_en:?}"
        );
        assert!(id.len() > 50, "{} keys", id.len());
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        ];
        let mut missing = Vec::new();
        let mut seen = 0;
        for dir in dirs {
            for path in walk(std::path::Path::new(dir)) {
                let text = std::fs::read_to_string(&path).unwrap();
                for part in text.split(".get(\"").skip(1) {
                    let Some(end) = part.find('"') else { continue };
                    let key = &part[..end];
                    if !key.contains('.') || key.contains(' ') {
                        continue;
                    }
                    seen += 1;
                    if !table(Lang::Id).contains_key(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(seen > 20, "found only {seen} keys; is the scan broken?");
        assert!(missing.is_empty(), "missing keys: {missing:#?}");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn the_cookie_beats_the_header_and_indonesian_is_the_default() {
        let mut h = HeaderMap::new();
        assert_eq!(request_lang(&h, true), Lang::Id);
        h.insert(ACCEPT_LANGUAGE, "en-GB,en;q=0.8".parse().unwrap());
        assert_eq!(request_lang(&h, true), Lang::En);
        assert_eq!(request_lang(&h, false), Lang::Id);
        h.insert(COOKIE, "a=b; padu_lang=id".parse().unwrap());
        assert_eq!(request_lang(&h, true), Lang::Id);
        h.insert(COOKIE, "padu_lang=en".parse().unwrap());
        assert_eq!(request_lang(&h, false), Lang::En);
    }
}
