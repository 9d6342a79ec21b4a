//! Evidence attached to a proposal: what kind of file it is, decided from its
//! content (never from its name), and how large it may be.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::lang::{Lang, Localized};

/// The largest file accepted: a phone photo or a few scanned pages.
pub const MAX_EVIDENCE_BYTES: usize = 5 * 1024 * 1024;

/// The file types accepted as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MediaType {
    /// A PDF (a scanned document).
    Pdf,
    /// A JPEG photo or scan.
    Jpeg,
    /// A PNG image.
    Png,
}

impl MediaType {
    /// The MIME type, as stored and served.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
        }
    }

    /// The type a stored MIME type names.
    pub fn from_mime(s: &str) -> Option<MediaType> {
        [MediaType::Pdf, MediaType::Jpeg, MediaType::Png]
            .into_iter()
            .find(|m| m.mime() == s)
    }

    /// What the bytes are, by their signature; `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
        if bytes.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(MediaType::Png)
        } else {
            None
        }
    }
}

/// Why a file is not accepted as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvidenceError {
    /// Nothing was uploaded.
    #[error("berkas kosong; pilih berkas pindaian atau foto")]
    Empty,
    /// Larger than [`MAX_EVIDENCE_BYTES`].
    #[error("berkas {size} byte terlalu besar; paling besar {max} byte (5 MB)", max = MAX_EVIDENCE_BYTES)]
    TooLarge {
        /// Its size.
        size: usize,
    },
    /// Not a PDF, JPEG or PNG, whatever its name says.
    #[error(
        "isi berkas bukan PDF, JPEG atau PNG (apa pun nama berkasnya); pindai ulang sebagai PDF atau foto"
    )]
    NotAccepted,
}

impl Localized for EvidenceError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::Id) => self.to_string(),
            (EvidenceError::Empty, Lang::En) => "the file is empty; choose a scan or a photo".into(),
            (EvidenceError::TooLarge { size }, Lang::En) => format!(
                "the file of {size} bytes is too large; at most {MAX_EVIDENCE_BYTES} bytes (5 MB)"
            ),
            (EvidenceError::NotAccepted, Lang::En) => {
                "the file's content is not a PDF, JPEG or PNG (whatever its name); scan it again as a PDF or a photo".into()
            }
        }
    }
}

/// Checks an uploaded file and says what it is.
pub fn check_evidence(bytes: &[u8]) -> Result<MediaType, EvidenceError> {
    if bytes.is_empty() {
        return Err(EvidenceError::Empty);
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(EvidenceError::TooLarge { size: bytes.len() });
    }
    MediaType::sniff(bytes).ok_or(EvidenceError::NotAccepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_judged_by_content_and_size_not_by_name() {
        assert_eq!(check_evidence(b"%PDF-1.7\n..."), Ok(MediaType::Pdf));
        assert_eq!(
            check_evidence(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Ok(MediaType::Jpeg)
        );
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0];
        assert_eq!(check_evidence(&png), Ok(MediaType::Png));
        assert_eq!(
            check_evidence(b"MZ\x90\0 an exe called scan.pdf"),
            Err(EvidenceError::NotAccepted)
        );
        assert_eq!(check_evidence(b""), Err(EvidenceError::Empty));
        let big = [b'%', b'P', b'D', b'F', b'-']
            .into_iter()
            .chain(std::iter::repeat_n(0u8, MAX_EVIDENCE_BYTES))
            .collect::<Vec<_>>();
        assert!(matches!(
            check_evidence(&big),
            Err(EvidenceError::TooLarge { .. })
        ));
        for m in [MediaType::Pdf, MediaType::Jpeg, MediaType::Png] {
            assert_eq!(MediaType::from_mime(m.mime()), Some(m));
        }
    }
}
