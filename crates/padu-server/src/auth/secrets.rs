//! Passwords, session tokens and API tokens.
//!
//! Passwords are hashed with argon2id (the argon2 crate's defaults: 19 MiB,
//! two passes). Session and API tokens are 32 random bytes from the operating
//! system; only their SHA-256 goes to the database, so a copy of the database
//! signs nobody in.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use padu_core::Lang;
use sha2::{Digest, Sha256};

/// Shortest password Padu accepts.
pub const MIN_PASSWORD_LEN: usize = 10;

/// Hashes a password for storage (a PHC string, `$argon2id$…`).
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("hashing a password: {e}"))
}

/// Whether `password` matches a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).ok().is_some_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to verify against when the username does not exist, so a wrong
/// username costs the same time as a wrong password and does not reveal which
/// usernames exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&new_token()).expect("hashing a random decoy"))
}

/// Why a new password is refused, in the user's language; `None` when it is acceptable.
pub fn password_problem(password: &str, username: &str, lang: Lang) -> Option<String> {
    let chars = password.chars().count();
    let msg = if chars < MIN_PASSWORD_LEN {
        match lang {
            Lang::Id => format!("kata sandi minimal {MIN_PASSWORD_LEN} karakter"),
            Lang::En => format!("the password needs at least {MIN_PASSWORD_LEN} characters"),
        }
    } else if password.eq_ignore_ascii_case(username)
        || password.to_lowercase().contains(&username.to_lowercase()) && !username.is_empty()
    {
        match lang {
            Lang::Id => "kata sandi tidak boleh memuat nama pengguna".to_string(),
            Lang::En => "the password must not contain the username".to_string(),
        }
    } else if password
        .chars()
        .all(|c| c == password.chars().next().unwrap_or(' '))
    {
        match lang {
            Lang::Id => "kata sandi terlalu mudah ditebak".to_string(),
            Lang::En => "the password is too easy to guess".to_string(),
        }
    } else {
        return None;
    };
    Some(msg)
}

/// 32 random bytes as URL-safe base64 (43 characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of a token, hex, as stored.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let h = hash_password("rahasia-panjang-1").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("rahasia-panjang-1", &h));
        assert!(!verify_password("rahasia-panjang-2", &h));
        assert!(!verify_password("rahasia-panjang-1", "bukan hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
        assert_eq!(token_hash(&a), token_hash(&a));
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert!(
            password_problem("pendek", "op1", Lang::Id)
                .unwrap()
                .contains("minimal")
        );
        assert!(
            password_problem("op1-sandi-panjang", "op1", Lang::En)
                .unwrap()
                .contains("username")
        );
        assert!(password_problem("aaaaaaaaaaaa", "op1", Lang::Id).is_some());
        assert_eq!(password_problem("Kuda-Lumping-42", "op1", Lang::Id), None);
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
