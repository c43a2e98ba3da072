//! Password hashing with Argon2id (the argon2 crate's defaults: 19 MiB, 2 passes), run off the
//! async threads because each hash takes tens of milliseconds of CPU on purpose.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash::rand_core::OsRng};

pub(crate) async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .expect("password hashing task panicked")
}

pub(crate) fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// The stored hash of a user who has no password yet (imported from a spreadsheet): no
/// password matches it, and an admin sets the first one.
pub(crate) const NO_PASSWORD: &str = "!";

/// Checks `password` against `stored`. With no stored hash (unknown CPF) it verifies against a
/// dummy hash all the same, so that the answer takes as long and reveals nothing.
pub(crate) async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.as_deref().is_some_and(|s| s != NO_PASSWORD);
        let stored = stored
            .filter(|s| s != NO_PASSWORD)
            .unwrap_or_else(|| dummy_hash().to_owned());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            tracing::error!("a stored password hash is not in PHC format");
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && known
    })
    .await
    .expect("password verification task panicked")
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("not a password anyone has"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_and_verifies() {
        let h = hash("segredo-123".into()).await;
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify("segredo-123".into(), Some(h.clone())).await);
        assert!(!verify("segredo-124".into(), Some(h)).await);
        assert!(!verify("not a password anyone has".into(), None).await);
    }
}
