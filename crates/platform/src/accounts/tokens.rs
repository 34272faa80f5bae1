//! Access tokens (JWT, HS256) and opaque secrets (refresh tokens, API keys).
//!
//! Signing keys carry a `kid` in the token header. The key set lives in `<data_dir>/keys/jwt.json`,
//! made on first start; the newest key signs, every key in the set verifies, so a key can be
//! rotated by adding one and dropping the old one after the access-token lifetime.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::{Role, UserId};
use crate::time::Timestamp;

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Serialize, Deserialize)]
struct StoredKey {
    kid: String,
    secret: String,
}

/// Tokens verified lately that a verification cache remembers.
const VERIFIED_CAPACITY: usize = 100_000;

/// Signs and verifies access tokens.
pub struct TokenSigner {
    signing_kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    validation: Validation,
    ttl_secs: u64,
    /// Tokens whose signature already checked out, with what they say. A web page calls the
    /// API several times in process with its visitor's token, and a client sends the same token
    /// with every request: the signature and the claims are read once, and each use only checks
    /// the expiry again. Only valid tokens enter, so nothing an attacker sends can fill it.
    /// A token stays while it is used; its expiry is checked at every use.
    verified: quick_cache::sync::Cache<Box<str>, Verified>,
}

/// What a verified token says.
#[derive(Debug, Clone, Copy)]
struct Verified {
    user: UserId,
    role: Role,
    exp: i64,
}

impl TokenSigner {
    /// Uses `secret` (base64) when given, else the key set in `data_dir`, made if missing.
    pub fn load(data_dir: &Path, secret: Option<&str>, ttl_secs: u64) -> anyhow::Result<Self> {
        let keys = match secret {
            Some(s) => {
                let bytes = STANDARD
                    .decode(s.trim())
                    .map_err(|e| anyhow::anyhow!("jwt secret is not base64: {e}"))?;
                anyhow::ensure!(bytes.len() >= 32, "jwt secret must be at least 32 bytes");
                let kid = hex_prefix(&Sha256::digest(&bytes));
                vec![StoredKey {
                    kid,
                    secret: s.trim().to_owned(),
                }]
            }
            None => load_or_create(&data_dir.join("keys").join("jwt.json"))?,
        };
        let mut decoding = HashMap::new();
        let mut newest = None;
        for key in &keys {
            let bytes = STANDARD.decode(&key.secret)?;
            decoding.insert(key.kid.clone(), DecodingKey::from_secret(&bytes));
            newest = Some((key.kid.clone(), EncodingKey::from_secret(&bytes)));
        }
        let (signing_kid, encoding) =
            newest.ok_or_else(|| anyhow::anyhow!("the jwt key set is empty"))?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Ok(Self {
            signing_kid,
            encoding,
            decoding,
            validation,
            ttl_secs,
            verified: quick_cache::sync::Cache::new(VERIFIED_CAPACITY),
        })
    }

    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    /// A token for `user`, valid from `now` for the configured lifetime.
    pub fn issue(&self, user: UserId, role: Role, now: Timestamp) -> anyhow::Result<String> {
        let iat = now.micros() / 1_000_000;
        self.issue_claims(&Claims {
            sub: user.to_string(),
            role,
            iat,
            exp: iat + self.ttl_secs as i64,
        })
    }

    pub fn issue_claims(&self, claims: &Claims) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.signing_kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }

    /// The claims of a valid, unexpired token signed by one of our keys.
    pub fn verify(&self, token: &str) -> Option<(UserId, Role)> {
        self.verify_at(token, jsonwebtoken::get_current_timestamp() as i64)
    }

    /// [`Self::verify`] at `now`, in seconds since the epoch.
    fn verify_at(&self, token: &str, now: i64) -> Option<(UserId, Role)> {
        let verified = if let Some(verified) = self.verified.get(token) {
            verified
        } else {
            let verified = self.check(token)?;
            self.verified.insert(token.into(), verified);
            verified
        };
        // The same rule as the signature check's: expired once `exp` is past, give or take
        // the leeway.
        (verified.exp >= now - self.validation.leeway as i64)
            .then_some((verified.user, verified.role))
    }

    /// Reads `token` from scratch: its key, signature and claims.
    fn check(&self, token: &str) -> Option<Verified> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        let key = self.decoding.get(header.kid.as_deref()?)?;
        let data = jsonwebtoken::decode::<Claims>(token, key, &self.validation).ok()?;
        Some(Verified {
            user: data.claims.sub.parse().ok()?,
            role: data.claims.role,
            exp: data.claims.exp,
        })
    }
}

fn load_or_create(path: &Path) -> anyhow::Result<Vec<StoredKey>> {
    if path.exists() {
        let keys: Vec<StoredKey> = serde_json::from_slice(&std::fs::read(path)?)?;
        return Ok(keys);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let key = StoredKey {
        kid: hex_prefix(&Sha256::digest(secret)),
        secret: STANDARD.encode(secret),
    };
    let keys = vec![key];
    write_private(path, &serde_json::to_vec_pretty(&keys)?)?;
    Ok(keys)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

fn hex_prefix(digest: &[u8]) -> String {
    to_hex(&digest[..8])
}

fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    // getrandom fails only without an OS entropy source, where nothing secure can be done.
    if let Err(e) = getrandom::fill(&mut buf) {
        tracing::error!(error = %e, "no entropy source");
        std::process::abort();
    }
    buf
}

/// `bytes` random bytes, base64url without padding.
pub fn random_token(bytes: usize) -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(bytes))
}

/// `bytes` random bytes as lower-case hex (for names that must be identifiers).
pub fn random_hex(bytes: usize) -> String {
    to_hex(&random_bytes(bytes))
}

/// How secrets are stored: SHA-256, hex. They are long random strings, so a fast hash is right.
pub fn secret_hash(secret: &str) -> String {
    to_hex(&Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_until_they_expire_and_not_when_tampered() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let signer = TokenSigner::load(dir.path(), None, 900).unwrap_or_else(|e| panic!("{e}"));
        let now = Timestamp::from_micros(chrono::Utc::now().timestamp_micros());
        let token = signer
            .issue(UserId::from_raw(42), Role::User, now)
            .unwrap_or_default();
        assert_eq!(
            signer.verify(&token),
            Some((UserId::from_raw(42), Role::User))
        );

        let expired = signer
            .issue(
                UserId::from_raw(42),
                Role::User,
                now.minus(std::time::Duration::from_secs(3600)),
            )
            .unwrap_or_default();
        assert_eq!(signer.verify(&expired), None);

        let remembered = signer
            .verified
            .get(token.as_str())
            .map(|v| v.exp)
            .unwrap_or_default();
        assert!(remembered > 0, "a valid token is remembered");
        assert_eq!(
            signer.verify_at(&token, remembered + 5),
            Some((UserId::from_raw(42), Role::User)),
            "within the leeway"
        );
        assert_eq!(
            signer.verify_at(&token, remembered + 6),
            None,
            "a remembered token still expires"
        );

        let mut tampered = token.clone();
        tampered.insert(tampered.len() - 3, 'x');
        assert_eq!(signer.verify(&tampered), None);

        let reloaded = TokenSigner::load(dir.path(), None, 900).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            reloaded.verify(&token),
            Some((UserId::from_raw(42), Role::User)),
            "the key survives a restart"
        );
    }
}
