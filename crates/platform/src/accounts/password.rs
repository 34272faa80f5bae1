//! Password hashing (Argon2id) and the common-password list.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::config::Argon2Config;

/// Hashes and verifies passwords with one fixed cost.
#[derive(Clone)]
pub struct PasswordHashing {
    params: Params,
    /// A hash of a random password, verified against when the account does not exist so that
    /// "no such user" and "wrong password" take the same time. Made on first need, not at
    /// start, where it would cost a full Argon2 run.
    dummy_hash: Arc<OnceLock<String>>,
}

impl PasswordHashing {
    pub fn new(config: Argon2Config) -> anyhow::Result<Self> {
        let params = Params::new(
            config.memory_kib,
            config.iterations,
            config.parallelism,
            None,
        )
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        Ok(Self {
            params,
            dummy_hash: Arc::default(),
        })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// A PHC string (`$argon2id$v=19$m=...`), salted.
    pub fn hash(&self, password: &str) -> anyhow::Result<String> {
        self.argon2()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
    }

    /// Checks `password` against `phc`; with `None`, spends the same time and answers false.
    pub fn verify(&self, password: &str, phc: Option<&str>) -> bool {
        let dummy = || {
            self.dummy_hash
                .get_or_init(|| {
                    self.hash(&super::tokens::random_token(16))
                        .unwrap_or_default()
                })
                .as_str()
        };
        let target = phc.unwrap_or_else(dummy);
        let Ok(parsed) = argon2::password_hash::phc::PasswordHash::new(target) else {
            return false;
        };
        self.argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && phc.is_some()
    }
}

static COMMON: &str = include_str!("common-passwords.txt");

/// True when `password` (case-insensitively) is on the bundled list of common passwords.
pub fn is_common(password: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let set = SET.get_or_init(|| {
        COMMON
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    });
    set.contains(password.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> PasswordHashing {
        PasswordHashing::new(Argon2Config {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn verifies_only_the_right_password() {
        let h = cheap();
        let phc = h.hash("correct horse battery").unwrap_or_default();
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify("correct horse battery", Some(&phc)));
        assert!(!h.verify("wrong horse battery", Some(&phc)));
        assert!(!h.verify("correct horse battery", None));
    }
}
