//! Account domain types. Each validated value can only be built through its `parse`, so holding
//! one means it is valid.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::time::Timestamp;

crate::id_type!(
    /// A user account, shared by every app.
    UserId
);

crate::id_type!(
    /// An API key of a service account.
    ApiKeyId
);

/// Roles, in increasing power.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Moderator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(Self::User),
            "moderator" => Some(Self::Moderator),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// 3-30 characters of `a-z`, `0-9`, `_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        match s.len() {
            0..=2 => Err("must be at least 3 characters"),
            31.. => Err("must be at most 30 characters"),
            _ if !ok_chars => Err("may contain only a-z, 0-9 and _"),
            _ => Ok(Self(s.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, lower-cased. Checked for shape only: one `@`, a dotted domain, no spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let s = s.trim().to_lowercase();
        let valid = s.len() <= 254
            && !s.chars().any(char::is_whitespace)
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if valid {
            Ok(Self(s))
        } else {
            Err("must be an e-mail address")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: at least 10 characters and not one of the commonest.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        if s.chars().count() < 10 {
            Err("must be at least 10 characters")
        } else if s.len() > 1024 {
            Err("must be at most 1024 bytes")
        } else if super::password::is_common(s) {
            Err("is one of the most common passwords; choose another")
        } else {
            Ok(Self(s.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// A short free text with a maximum length in characters; empty becomes absent.
pub fn optional_text(s: Option<&str>, max_chars: usize) -> Result<Option<String>, String> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) if t.chars().count() > max_chars => {
            Err(format!("must be at most {max_chars} characters"))
        }
        Some(t) => Ok(Some(t.to_owned())),
    }
}

/// A BCP 47 language tag such as `ko`, `en` or `ko-KR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locale(String);

impl Locale {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let mut parts = s.split('-');
        let lang_ok = parts.next().is_some_and(|p| {
            (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase())
        });
        let rest_ok = parts
            .all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        if lang_ok && rest_ok {
            Ok(Self(s.to_owned()))
        } else {
            Err("must be a language tag such as `ko` or `en-US`")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account as its owner sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub email: String,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub locale: String,
    pub role: Role,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An account as anyone else sees it: no e-mail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicUser {
    pub id: UserId,
    pub username: String,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub created_at: Timestamp,
}

impl From<User> for PublicUser {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            bio: u.bio,
            avatar_url: u.avatar_url,
            created_at: u.created_at,
        }
    }
}

/// A validated profile change; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    pub display_name: Option<Option<String>>,
    pub bio: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    pub locale: Option<Locale>,
}

/// Tokens handed out at login and refresh.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// An API key as listed (the secret itself is shown once, at creation).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_rules() {
        assert!(Username::parse("minji_01").is_ok());
        assert!(Username::parse("mj").is_err());
        assert!(Username::parse("Minji").is_err());
        assert!(Username::parse("민지야").is_err());
        assert!(Username::parse(&"a".repeat(31)).is_err());
    }

    #[test]
    fn emails_are_lowercased_and_shaped() {
        assert_eq!(
            Email::parse(" Minji@Example.KR ").map(|e| e.0),
            Ok("minji@example.kr".to_owned())
        );
        for bad in ["minji", "@x.kr", "a@b", "a b@c.kr", "a@.kr", "a@b@c.kr"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_must_be_long_and_uncommon() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("1234567890").is_err());
        assert!(
            NewPassword::parse("Password123").is_err(),
            "common lists are matched case-insensitively"
        );
        assert!(NewPassword::parse("제주 바다 보러 가자 2026").is_ok());
    }
}
