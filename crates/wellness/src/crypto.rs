//! Free text at rest (mood notes, meal descriptions): AES-256-GCM under a key of the user's
//! own, itself stored wrapped (AES-256-GCM) by the master key from the configuration.
//!
//! Forgetting a user destroys their wrapped key, so any copy of their notes left in a backup
//! is unreadable. A sealed value is `nonce (12 bytes) || ciphertext+tag`; the associated data
//! binds a note to its record, so a note copied onto another record does not decrypt.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 12;

/// Sealing or opening failed: a wrong key, or altered bytes.
#[derive(Debug, thiserror::Error)]
#[error("cannot decrypt: wrong key or altered data")]
pub struct Unreadable;

/// One AES-256-GCM key.
#[derive(Clone)]
pub struct Key(Aes256Gcm);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    fn from_bytes(bytes: &[u8]) -> Option<Key> {
        Aes256Gcm::new_from_slice(bytes).ok().map(Key)
    }

    /// Encrypts `plain`, bound to `aad`, under a fresh random nonce.
    pub fn seal(&self, plain: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut nonce = [0_u8; NONCE_BYTES];
        random(&mut nonce);
        let sealed = self
            .0
            .encrypt(&Nonce::from(nonce), Payload { msg: plain, aad })
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, Unreadable> {
        if sealed.len() < NONCE_BYTES {
            return Err(Unreadable);
        }
        let (nonce, body) = sealed.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| Unreadable)?;
        self.0
            .decrypt(&Nonce::from(nonce), Payload { msg: body, aad })
            .map_err(|_| Unreadable)
    }
}

fn random(buf: &mut [u8]) {
    // The operating system's generator failing is not something a request can recover from.
    if let Err(e) = getrandom::fill(buf) {
        panic!("no randomness available: {e}");
    }
}

/// The master key, which wraps every user's key.
#[derive(Debug, Clone)]
pub struct Keyring {
    master: Key,
}

/// The associated data of a wrapped user key.
const WRAP_AAD: &[u8] = b"maru.wellness.user-key";

impl Keyring {
    /// From 32 key bytes, base64 (`[apps.wellness] master_key`).
    pub fn from_base64(text: &str) -> anyhow::Result<Keyring> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|e| anyhow::anyhow!("master_key is not base64: {e}"))?;
        if bytes.len() != KEY_BYTES {
            anyhow::bail!("master_key must be {KEY_BYTES} bytes, base64");
        }
        Key::from_bytes(&bytes)
            .map(|master| Keyring { master })
            .ok_or_else(|| anyhow::anyhow!("master_key is not an AES-256 key"))
    }

    /// The key kept in `path`, made (readable by its owner only) when absent: what a single
    /// node uses when the configuration names no key.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Keyring> {
        if let Ok(text) = std::fs::read_to_string(path) {
            return Keyring::from_base64(&text);
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut bytes = [0_u8; KEY_BYTES];
        random(&mut bytes);
        let text = STANDARD.encode(bytes);
        write_private(path, &text)?;
        Keyring::from_base64(&text)
    }

    /// A fresh user key, wrapped for storage.
    pub fn new_user_key(&self) -> Vec<u8> {
        let mut bytes = [0_u8; KEY_BYTES];
        random(&mut bytes);
        self.master.seal(&bytes, WRAP_AAD)
    }

    /// A user's key from its wrapped form.
    pub fn unwrap(&self, wrapped: &[u8]) -> Result<Key, Unreadable> {
        let bytes = self.master.open(wrapped, WRAP_AAD)?;
        Key::from_bytes(&bytes).ok_or(Unreadable)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_open_only_with_their_key_and_record() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::load_or_create(&dir.path().join("k")).unwrap();
        let again = Keyring::load_or_create(&dir.path().join("k")).unwrap();
        let wrapped = ring.new_user_key();
        let key = again.unwrap(&wrapped).unwrap();
        let sealed = key.seal("오늘 기분 좋음".as_bytes(), b"r1");
        assert!(!sealed.windows(3).any(|w| w == "오".as_bytes()));
        assert_eq!(
            key.open(&sealed, b"r1").unwrap(),
            "오늘 기분 좋음".as_bytes()
        );
        assert!(key.open(&sealed, b"r2").is_err());
        let other = ring.unwrap(&ring.new_user_key()).unwrap();
        assert!(other.open(&sealed, b"r1").is_err());
    }
}
