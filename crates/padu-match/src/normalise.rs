//! Normalisation of Indonesian names, places and addresses, and a phonetic key.
//!
//! Dukcapil matching is exact, so most false "tidak padan" come from the
//! same person written differently: titles (H., HJ., S.PD.), the many short
//! forms of MUHAMMAD, the pre-1972 spelling (OE, DJ, TJ, SJ, CH) and
//! nicknames. Everything here folds the first three onto one form so that the
//! comparators can measure what is left; nicknames stand for several names
//! each, so the name comparator recognises them instead (`compare.rs`).

/// Titles and honorifics written before a name (dots removed).
const PREFIX_TITLES: &[&str] = &[
    "H", "HJ", "HAJI", "HAJJAH", "HJH", "DR", "DRS", "DRA", "IR", "PROF", "KH", "USTADZ", "UST",
    "TUAN", "NY", "NYONYA", "SDR", "SDRI", "BPK", "BAPAK", "IBU", "RD", "RA",
];

/// Academic degrees written after a name (dots and spaces removed).
const SUFFIX_TITLES: &[&str] = &[
    "SPD", "SPDI", "SE", "SH", "SHI", "SKOM", "AMD", "AMDKEB", "AMKEB", "AMK", "AMDKEP", "SAG",
    "SSOS", "ST", "SIP", "SIKOM", "SSI", "SS", "SP", "SKM", "SKEP", "SKED", "SFARM", "SPSI",
    "SSIT", "SSTP", "STP", "SHUT", "SPT", "MM", "MPD", "MSI", "MH", "MAG", "MKES", "MT", "MKOM",
    "MA", "APT", "DRG", "BA", "BSC", "SPDSD", "MPDI", "ME", "SAP",
];

/// Every spelling of MUHAMMAD found on Indonesian documents, folded to one token.
const MUHAMMAD: &[&str] = &[
    "MUHAMMAD",
    "MUHAMAD",
    "MOHAMMAD",
    "MOHAMAD",
    "MOHAMED",
    "MOHAMMED",
    "MUHAMMED",
    "MUHAMED",
    "MOCHAMMAD",
    "MOCHAMAD",
    "MOCHAMMAD",
    "MOKHAMAD",
    "MOKHAMMAD",
    "MUKHAMAD",
    "MUKHAMMAD",
    "MUCHAMMAD",
    "MUCHAMAD",
    "MOCH",
    "MOH",
    "MOHD",
    "MUH",
    "MUCH",
    "MHD",
    "MUHD",
    "MOHAMAT",
    "MUHAMAT",
    "MOCHAMAT",
    "M",
];

/// A name after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NormName {
    /// Tokens in their original order, joined by single spaces.
    pub norm: String,
    /// The same tokens sorted, joined by single spaces (for reordered names).
    pub sorted: String,
    /// The phonetic key of each token, joined by single spaces.
    pub phon: String,
}

/// Upper-cases and splits a raw text into raw tokens: letters and digits
/// only, with apostrophes removed inside words (MA'RUF -> MARUF).
fn raw_tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_raw_token(s, |t| out.push(t.to_string()));
    out
}

/// Calls `f` with each of [`raw_tokens`] in turn, without a string per token.
fn each_raw_token(s: &str, mut f: impl FnMut(&str)) {
    let mut cur = String::new();
    for ch in s.chars() {
        let c = fold_char(ch);
        match c {
            Some(c) if c.is_ascii_alphanumeric() => cur.push(c),
            Some('\'') | Some('`') => {}
            Some('.') => {
                // A dot ends a token but is remembered, so that `S.PD.` can be read as one title.
                cur.push('.');
            }
            _ => {
                if !cur.is_empty() {
                    f(&cur);
                    cur.clear();
                }
            }
        }
    }
    if !cur.is_empty() {
        f(&cur);
    }
}

/// Folds a character to ASCII upper case; accents are dropped (É -> E).
fn fold_char(ch: char) -> Option<char> {
    if ch.is_ascii() {
        return Some(ch.to_ascii_uppercase());
    }
    let c = match ch {
        'À'..='Å' | 'à'..='å' => 'A',
        'È'..='Ë' | 'è'..='ë' => 'E',
        'Ì'..='Ï' | 'ì'..='ï' => 'I',
        'Ò'..='Ö' | 'ò'..='ö' => 'O',
        'Ù'..='Ü' | 'ù'..='ü' => 'U',
        'Ñ' | 'ñ' => 'N',
        'Ç' | 'ç' => 'C',
        '\u{2019}' | '\u{2018}' => '\'',
        _ => return None,
    };
    Some(c)
}

fn strip_dots(t: &str) -> String {
    t.chars().filter(|c| *c != '.').collect()
}

/// Rewrites one token from the pre-1972 (Van Ophuijsen / Soewandi) spelling to EYD.
///
/// J meant Y only in old spelling, so J becomes Y only in a token that shows
/// another old-spelling mark; otherwise JOKO would become YOKO.
fn modern_spelling(token: &str) -> String {
    let old = ["OE", "DJ", "TJ", "SJ"].iter().any(|m| token.contains(m));
    let b = token.as_bytes();
    let mut out = String::with_capacity(token.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        match (c, next) {
            (b'O', Some(b'E')) => {
                out.push('U');
                i += 2;
            }
            (b'D', Some(b'J')) => {
                out.push('J');
                i += 2;
            }
            (b'T', Some(b'J')) => {
                out.push('C');
                i += 2;
            }
            (b'S', Some(b'J')) => {
                out.push_str("SY");
                i += 2;
            }
            (b'C', Some(b'H')) => {
                out.push_str("KH");
                i += 2;
            }
            (b'D', Some(b'H')) => {
                out.push('D');
                i += 2;
            }
            (b'J', _) if old => {
                out.push('Y');
                i += 1;
            }
            _ => {
                out.push(c as char);
                i += 1;
            }
        }
    }
    out
}

/// Normalises a person's name: titles removed, MUHAMMAD folded, modern spelling,
/// single spaces.
pub(crate) fn normalise_name(raw: &str) -> NormName {
    // Everything after the first comma is a degree list (`BUDI, S.PD., M.M.`).
    let main = raw.split(',').next().unwrap_or("");
    let mut toks: Vec<String> = raw_tokens(main);
    // Leading titles.
    while toks.len() > 1 && PREFIX_TITLES.contains(&strip_dots(&toks[0]).as_str()) {
        toks.remove(0);
    }
    // Trailing degrees, including the spaced form `S. PD`.
    loop {
        let n = toks.len();
        if n > 1 && SUFFIX_TITLES.contains(&strip_dots(&toks[n - 1]).as_str()) {
            toks.pop();
            continue;
        }
        if n > 2 {
            let pair = format!("{}{}", strip_dots(&toks[n - 2]), strip_dots(&toks[n - 1]));
            if SUFFIX_TITLES.contains(&pair.as_str()) {
                toks.truncate(n - 2);
                continue;
            }
        }
        break;
    }
    let mut out: Vec<String> = Vec::with_capacity(toks.len());
    for t in toks {
        // `M.YUSUF` and `A.RAHMAN` are two tokens; only titles needed the dots.
        for part in t.split('.').filter(|p| !p.is_empty()) {
            if MUHAMMAD.contains(&part) {
                out.push("MUHAMMAD".to_string());
                continue;
            }
            // Abbreviations that stand for one name only.
            let part = match part {
                "ST" | "SITTI" => "SITI",
                "ABD" => "ABDUL",
                other => other,
            };
            // Nicknames are not folded here: even WAWAN stands for GUNAWAN,
            // SETIAWAN, KURNIAWAN and HERMAWAN alike, and folding it onto one
            // of them hid it from the others. The name comparator knows them.
            out.push(modern_spelling(part));
        }
    }
    let norm = out.join(" ");
    let mut sorted = out.clone();
    sorted.sort_unstable();
    let phon = out
        .iter()
        .map(|t| phonetic(t))
        .collect::<Vec<_>>()
        .join(" ");
    NormName {
        norm,
        sorted: sorted.join(" "),
        phon,
    }
}

/// A phonetic key for one (already normalised) Indonesian name token.
///
/// Folds the letters Indonesians write interchangeably in names: F/P/V
/// (FEBRI/PEBRI, ARIF/ARIP), Z/J (ZAENAL/JAENAL), Q/K, KH/H and silent H
/// (ROHMAN/ROCHMAN/RAHMAN keep R?MAN), AI/AE/E, AU/O, final Y/I, doubled
/// letters, and the vowel after the first letter collapsed to its class.
pub(crate) fn phonetic(token: &str) -> String {
    let b = token.as_bytes();
    let mut s: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let (out, step): (&[u8], usize) = match (c, next) {
            (b'K', Some(b'H')) => (b"H", 2),
            (b'S', Some(b'Y')) => (b"S", 2),
            (b'T', Some(b'H')) => (b"T", 2),
            (b'A', Some(b'I' | b'E')) => (b"E", 2),
            (b'A', Some(b'U')) => (b"O", 2),
            (b'P' | b'V', _) => (b"F", 1),
            (b'Z', _) => (b"J", 1),
            (b'Q', _) => (b"K", 1),
            (b'X', _) => (b"KS", 1),
            (b'Y', None) => (b"I", 1),
            // DY before a vowel written in the old spelling is DJ, which
            // normalisation reads back as J (LIDJA becomes LIJA): fold DY to J
            // so that LIDYA meets it.
            (b'D', Some(b'Y'))
                if matches!(b.get(i + 2), Some(b'A' | b'E' | b'I' | b'O' | b'U')) =>
            {
                (b"J", 2)
            }
            // Y before a vowel was written J before 1972, and one J is often
            // all that is left of the old spelling (JUSUF, NURHAJATI, and
            // JADJANG read back as YAJANG): fold both, as Z already is.
            (b'Y', Some(b'A' | b'E' | b'I' | b'O' | b'U')) => (b"J", 1),
            _ => (std::slice::from_ref(&b[i]), 1),
        };
        s.extend_from_slice(out);
        i += step;
    }
    // Silent H: keep it only at the start of the token.
    let mut t: Vec<u8> = Vec::with_capacity(s.len());
    for (k, &c) in s.iter().enumerate() {
        if c == b'H' && k > 0 {
            continue;
        }
        if t.last() == Some(&c) {
            continue;
        }
        t.push(c);
    }
    // E and I are written for each other in Javanese names (EFENDI/EFFENDY, SUGENG/SUGINK is rarer).
    for c in t.iter_mut().skip(1) {
        if *c == b'E' {
            *c = b'I';
        } else if *c == b'O' {
            *c = b'U';
        }
    }
    t.dedup();
    String::from_utf8(t).expect("ascii in, ascii out")
}

/// Normalises a place of birth: upper case, single spaces, administrative prefix dropped.
pub(crate) fn normalise_place(raw: &str) -> String {
    let toks = raw_tokens(raw);
    let mut toks: Vec<String> = toks
        .iter()
        .flat_map(|t| t.split('.').map(str::to_string).collect::<Vec<_>>())
        .filter(|t| !t.is_empty())
        .map(|t| modern_spelling(&t))
        .collect();
    while toks.len() > 1
        && matches!(
            toks[0].as_str(),
            "KAB" | "KABUPATEN" | "KOTA" | "KOTAMADYA" | "ADM"
        )
    {
        toks.remove(0);
    }
    toks.join(" ")
}

/// Normalises an address with its RT and RW: common abbreviations folded.
pub(crate) fn normalise_address(alamat: &str, rt: &str, rw: &str) -> String {
    // Written straight into one string: every record of both sides has an
    // address, and a vector of token strings per address was a good part
    // of preparing them.
    let mut out = String::with_capacity(alamat.len() + 16);
    let mut push = |token: &str| {
        for p in token.split('.').filter(|p| !p.is_empty()) {
            let p = match p {
                "JALAN" | "JLN" | "JL" => "JL",
                "GANG" | "GG" => "GG",
                "KAMPUNG" | "KP" | "KMP" => "KP",
                "DUSUN" | "DSN" => "DSN",
                "DESA" | "DS" => "DS",
                "PERUMAHAN" | "PERUM" => "PERUM",
                "BLOK" | "BLK" => "BLOK",
                "NOMOR" | "NO" => "NO",
                other => other,
            };
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(p);
        }
    };
    each_raw_token(alamat, &mut push);
    let (rt, rw) = (
        rt.trim().trim_start_matches('0'),
        rw.trim().trim_start_matches('0'),
    );
    if !rt.is_empty() || !rw.is_empty() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str("RT");
        out.push_str(rt);
        out.push_str(" RW");
        out.push_str(rw);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        normalise_name(s).norm
    }

    #[test]
    fn titles_before_and_after_the_name_are_removed() {
        assert_eq!(n("H. Ahmad Sobari, S.Pd."), "AHMAD SOBARI");
        assert_eq!(n("Hj. Siti Aminah S.E."), "SITI AMINAH");
        assert_eq!(n("DR. IR. BAMBANG SUTRISNO, M.M"), "BAMBANG SUTRISNO");
        assert_eq!(n("RINA MARLINA S. PD"), "RINA MARLINA");
        assert_eq!(n("DEDI KURNIADI A.MD"), "DEDI KURNIADI");
    }

    #[test]
    fn a_title_alone_is_kept_as_the_name() {
        assert_eq!(n("H."), "H");
    }

    #[test]
    fn muhammad_in_every_spelling_becomes_one_token() {
        for raw in [
            "Muhammad Rizki",
            "MOH. RIZKI",
            "Moch Rizki",
            "M. Rizki",
            "MUHAMAD RIZKI",
            "Mochammad Rizki",
        ] {
            assert_eq!(n(raw), "MUHAMMAD RIZKI", "{raw}");
        }
    }

    #[test]
    fn old_spellings_become_modern() {
        assert_eq!(n("SOEKARNO"), "SUKARNO");
        assert_eq!(n("DJOKO SOEJONO"), "JOKO SUYONO");
        assert_eq!(n("TJAHJADI"), "CAHYADI");
        assert_eq!(n("SJAMSUL"), "SYAMSUL");
        assert_eq!(n("ACHMAD"), "AKHMAD");
        assert_eq!(n("DHARMA"), "DARMA");
        // J without another old mark is a modern J.
        assert_eq!(n("JOKO"), "JOKO");
        assert_eq!(n("JUJUN"), "JUJUN");
    }

    #[test]
    fn one_name_abbreviations_expand_and_nicknames_stay() {
        assert_eq!(n("WAWAN"), "WAWAN");
        assert_eq!(n("Mamat Sudrajat"), "MAMAT SUDRAJAT");
        assert_eq!(n("ST. AMINAH"), "SITI AMINAH");
        assert_eq!(n("ABD. ROHIM"), "ABDUL ROHIM");
    }

    #[test]
    fn apostrophes_and_accents_and_spacing_fold() {
        assert_eq!(n("  ma'ruf   amin "), "MARUF AMIN");
        assert_eq!(n("René"), "RENE");
    }

    #[test]
    fn sorted_tokens_make_reordered_names_equal() {
        assert_eq!(
            normalise_name("AMINAH SITI").sorted,
            normalise_name("Siti Aminah").sorted
        );
    }

    #[test]
    fn phonetic_key_folds_interchangeable_letters() {
        assert_eq!(phonetic("FEBRI"), phonetic("PEBRI"));
        assert_eq!(phonetic("ARIF"), phonetic("ARIP"));
        assert_eq!(phonetic("ZAENAL"), phonetic("ZAINAL"));
        assert_eq!(phonetic("EFFENDY"), phonetic("EFENDI"));
        assert_eq!(phonetic("FATIMAH"), phonetic("FATIMA"));
        assert_eq!(phonetic("ROHMAN"), phonetic("ROKHMAN"));
        assert_eq!(phonetic("YUSUF"), phonetic("JUSUF"));
        assert_eq!(phonetic("NURHAYATI"), phonetic("NURHAJATI"));
        assert_eq!(phonetic("YAJANG"), phonetic("JAJANG"));
        assert_eq!(phonetic("NYOMAN"), phonetic("NJOMAN"));
        assert_eq!(phonetic("LIDYA"), phonetic("LIJA"));
        assert_eq!(normalise_name("LIDJA").phon, normalise_name("LIDYA").phon);
        assert_ne!(phonetic("BUDI"), phonetic("BAYU"));
        assert_ne!(phonetic("ANI"), phonetic("ANDI"));
    }

    #[test]
    fn places_and_addresses_fold_prefixes_and_abbreviations() {
        assert_eq!(normalise_place("Kab. Bandung"), "BANDUNG");
        assert_eq!(normalise_place("KOTA  Depok"), "DEPOK");
        assert_eq!(
            normalise_address("Jln. Merdeka No. 5", "003", "01"),
            normalise_address("JALAN MERDEKA NO 5", "3", "1")
        );
    }
}
