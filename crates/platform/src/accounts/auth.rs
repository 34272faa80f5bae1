//! Who is calling: credentials checked once per request by middleware, read by extractors.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use super::model::{Role, User, UserId};
use super::password::PasswordHashing;
use super::store;
use super::throttle::LoginThrottle;
use super::tokens::{TokenSigner, secret_hash};
use crate::cache::{Cache, Family};
use crate::config::Config;
use crate::db::Db;
use crate::time::Clock;
use crate::{AppContext, Error, Result};

/// Prefix of every API key, so a key is recognisable in logs and secret scanners.
pub const API_KEY_PREFIX: &str = "maru_";

/// What a credential allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scopes {
    /// A signed-in person: everything their role allows.
    All,
    /// A service account's API key: only the listed scopes (`app:action`, e.g. `social:write`).
    Only(Arc<[String]>),
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: UserId,
    pub role: Role,
    pub scopes: Scopes,
}

impl CurrentUser {
    /// 403 unless the caller has at least `role`.
    pub fn require_role(&self, role: Role) -> Result<()> {
        if self.role >= role {
            Ok(())
        } else {
            Err(Error::forbidden(format!(
                "requires the {} role",
                role.as_str()
            )))
        }
    }

    /// 403 unless the credential carries `scope` (people always do).
    pub fn require_scope(&self, scope: &str) -> Result<()> {
        match &self.scopes {
            Scopes::All => Ok(()),
            Scopes::Only(scopes) if scopes.iter().any(|s| s == scope) => Ok(()),
            Scopes::Only(_) => Err(Error::forbidden(format!(
                "this API key lacks the `{scope}` scope"
            ))),
        }
    }
}

/// The outcome of reading a request's credentials, left in its extensions.
#[derive(Debug, Clone)]
pub enum Authentication {
    Anonymous,
    User(CurrentUser),
    /// Credentials were sent but are not valid: never treated as anonymous.
    Invalid,
}

/// The account services every request may need: token signing, password hashing, throttling.
#[derive(Clone)]
pub struct Auth {
    pub signer: Arc<TokenSigner>,
    pub passwords: PasswordHashing,
    pub throttle: LoginThrottle,
    /// API keys by the hash of their secret (`None`: no live key), for 30 seconds.
    api_keys: Family<String, Option<CurrentUser>>,
    /// Accounts by id (`None`: no live account), for the reads every app makes.
    pub users: Family<UserId, Option<User>>,
    /// Account ids by username, for profile pages and mentions. A username never changes, and
    /// each use checks the id's live account still bears it, so an entry cannot mislead.
    pub usernames: Family<String, UserId>,
}

impl Auth {
    pub fn new(config: &Config, cache: &Cache) -> anyhow::Result<Self> {
        Ok(Self {
            signer: Arc::new(TokenSigner::load(
                &config.data_dir,
                config.auth.jwt_secret.as_deref(),
                config.auth.access_token_ttl_secs,
            )?),
            passwords: PasswordHashing::new(config.auth.argon2)?,
            throttle: LoginThrottle::new(
                config.auth.failed_logins_before_delay,
                config.auth.max_lockout_secs,
            ),
            api_keys: cache.family("accounts.api_keys", Duration::from_secs(30), 10_000),
            users: cache.family("accounts", Duration::from_secs(300), 100_000),
            usernames: cache.family("accounts.usernames", Duration::from_secs(300), 100_000),
        })
    }

    /// Checks a bearer credential: an access token, or an API key.
    pub async fn authenticate(&self, db: &Db, clock: &Clock, credential: &str) -> Authentication {
        if credential.starts_with(API_KEY_PREFIX) {
            let hash = secret_hash(credential);
            let found = self
                .api_keys
                .get_or_load(hash.clone(), async {
                    let found = store::find_api_key(db.reader(), &hash).await?;
                    if let Some((id, ..)) = &found {
                        store::touch_api_key(db.writer(), *id, clock.now()).await?;
                    }
                    Ok::<_, Error>(found.map(|(_, user, role, scopes)| CurrentUser {
                        id: user,
                        role,
                        scopes: Scopes::Only(scopes.into()),
                    }))
                })
                .await;
            match found {
                Ok(Some(user)) => Authentication::User(user),
                _ => Authentication::Invalid,
            }
        } else {
            match self.signer.verify(credential) {
                Some((id, role)) => Authentication::User(CurrentUser {
                    id,
                    role,
                    scopes: Scopes::All,
                }),
                None => Authentication::Invalid,
            }
        }
    }

    /// Forgets cached API key lookups (after a key is revoked).
    pub fn invalidate_api_keys(&self) {
        self.api_keys.invalidate_all();
    }
}

/// The cookie in which the web pages keep a browser's access token (HttpOnly, SameSite=Strict).
pub const SESSION_COOKIE: &str = "maru_session";

/// Middleware: reads `Authorization: Bearer ...` once and leaves an [`Authentication`].
///
/// Without that header, a read (`GET`/`HEAD`, which includes opening a WebSocket or an event
/// stream) may also present the web session cookie, so a page's scripts can follow live
/// updates. Writes never accept the cookie: a form posted from another site could carry it.
pub async fn authenticate(State(ctx): State<AppContext>, mut req: Request, next: Next) -> Response {
    let bearer = req.headers().get(AUTHORIZATION).map(|v| {
        v.to_str()
            .ok()
            .and_then(|s| {
                s.strip_prefix("Bearer ")
                    .or_else(|| s.strip_prefix("bearer "))
            })
            .map(str::trim)
    });
    let bearer = match bearer {
        None if req.method().is_safe() => session_cookie(req.headers()).map(Some),
        other => other,
    };
    let authentication = match bearer {
        None => Authentication::Anonymous,
        Some(None) => Authentication::Invalid,
        Some(Some(token)) => ctx.auth.authenticate(&ctx.db, &ctx.clock, token).await,
    };
    req.extensions_mut().insert(authentication);
    next.run(req).await
}

/// The web session's access token, from the `Cookie` header.
fn session_cookie(headers: &axum::http::HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE).filter(|value| !value.is_empty())
}

/// The value of the cookie `name` in a request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn authentication(parts: &Parts) -> &Authentication {
    parts
        .extensions
        .get::<Authentication>()
        .unwrap_or(&Authentication::Anonymous)
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match authentication(parts) {
            Authentication::User(user) => Ok(user.clone()),
            Authentication::Anonymous => Err(Error::unauthorized(
                "sign in first: send `Authorization: Bearer <access token>`",
            )),
            Authentication::Invalid => Err(Error::unauthorized(
                "the access token is invalid or expired",
            )),
        }
    }
}

/// A caller who may or may not be signed in; invalid credentials are still refused.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match authentication(parts) {
            Authentication::User(user) => Ok(Self(Some(user.clone()))),
            Authentication::Anonymous => Ok(Self(None)),
            Authentication::Invalid => Err(Error::unauthorized(
                "the access token is invalid or expired",
            )),
        }
    }
}
