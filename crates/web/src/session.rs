//! A browser's session: its tokens in HttpOnly, SameSite=Strict cookies, renewed before they
//! expire; the form guard (a double-submit CSRF token on every write); and the visitor's
//! language and time zone.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bytes::Bytes;
use jiff::tz::TimeZone;
use platform::accounts::{SESSION_COOKIE, cookie};
use platform::cache::{Cache, Family};
use serde::Deserialize;

use crate::Web;
use crate::api::{Caller, Payload, Problem};
use crate::failure::{Failure, Reason};
use crate::i18n::Lang;

const REFRESH_COOKIE: &str = "maru_refresh";
const CSRF_COOKIE: &str = "maru_csrf";
pub const LANG_COOKIE: &str = "maru_lang";
const TZ_COOKIE: &str = "maru_tz";
/// The form field, or request header, that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
const CSRF_HEADER: &str = "x-csrf-token";
/// How long the session cookies live: the refresh token's lifetime.
const SESSION_SECONDS: i64 = 30 * 24 * 3600;
/// Renew an access token this close to its expiry, so a page's own calls never see it lapse.
const RENEW_BEFORE_SECONDS: i64 = 60;
/// Largest form a page accepts.
const MAX_FORM_BYTES: usize = 256 * 1024;
/// Largest form that carries a file (an image for a post), above the largest image uploads
/// accept.
pub const MAX_UPLOAD_FORM_BYTES: usize = 16 * 1024 * 1024;
/// Where the pages' users live, unless their browser says otherwise.
const DEFAULT_ZONE: &str = "Asia/Seoul";

/// The tokens the API hands out at sign-in and renewal.
#[derive(Debug, Clone, Deserialize)]
pub struct Tokens {
    access_token: String,
    refresh_token: String,
}

/// Renewals of this node, in flight or just done, by the refresh token they spent.
///
/// The API rotates the refresh token at every use and takes a second use of a spent one for
/// theft, revoking the whole session. Two requests of one browser that both find the access
/// token about to lapse (two tabs loading, a page and its script) carry the same refresh
/// cookie, so they share one renewal: the first makes it, the others wait for its outcome. A
/// failed renewal is kept as well, since trying the same token again could read as theft.
#[derive(Clone)]
pub struct Renewals(Family<String, Result<Tokens, Problem>>);

impl Renewals {
    /// How long a renewal's outcome is handed to late requests that spent the same token.
    const KEPT: std::time::Duration = std::time::Duration::from_secs(60);

    pub fn new(cache: &Cache) -> Self {
        Self(cache.family("web.renewals", Self::KEPT, 100_000))
    }
}

/// What a page knows of its visitor; [`session`] leaves one on every request.
#[derive(Debug, Clone)]
pub struct Visit {
    pub lang: Lang,
    pub zone: TimeZone,
    pub csrf: String,
    /// The access token, when signed in.
    pub token: Option<String>,
    client: Option<SocketAddr>,
    /// The page asked for, to come back to after signing in.
    pub path: String,
    /// Cookies are marked `Secure` when the visitor reached us over HTTPS.
    secure: bool,
}

impl Visit {
    pub fn caller(&self) -> Caller<'_> {
        Caller {
            token: self.token.as_deref(),
            client: self.client,
        }
    }

    pub fn signed_in(&self) -> bool {
        self.token.is_some()
    }

    pub fn fail(&self, problem: Problem) -> Failure {
        Failure::new(self, Reason::Api(problem))
    }

    /// For pages only signed-in visitors see.
    pub fn sign_in_first(&self) -> Failure {
        Failure::new(self, Reason::SignIn)
    }

    /// `Set-Cookie` values that sign a browser in with `tokens`.
    pub fn sign_in_cookies(&self, tokens: &Tokens) -> [HeaderValue; 2] {
        [
            set_cookie(
                SESSION_COOKIE,
                &tokens.access_token,
                SESSION_SECONDS,
                self.secure,
            ),
            set_cookie(
                REFRESH_COOKIE,
                &tokens.refresh_token,
                SESSION_SECONDS,
                self.secure,
            ),
        ]
    }

    /// `Set-Cookie` values that sign a browser out.
    pub fn sign_out_cookies(&self) -> [HeaderValue; 2] {
        [
            set_cookie(SESSION_COOKIE, "", 0, self.secure),
            set_cookie(REFRESH_COOKIE, "", 0, self.secure),
        ]
    }

    /// `Set-Cookie` for a chosen language (a year).
    pub fn language_cookie(&self, lang: Lang) -> HeaderValue {
        set_cookie(LANG_COOKIE, lang.tag(), 365 * 24 * 3600, self.secure)
    }

    /// The refresh token, to revoke it when signing out.
    pub fn refresh_token(headers: &HeaderMap) -> Option<String> {
        cookie(headers, REFRESH_COOKIE).map(str::to_owned)
    }
}

/// Middleware in front of every page: reads the cookies, checks the CSRF token of every write,
/// renews the access token when it is about to expire, and leaves a [`Visit`].
pub async fn session(State(web): State<Web>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let read = |name: &str| {
        cookie(&parts.headers, name)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    let (csrf_cookie, refresh) = (read(CSRF_COOKIE), read(REFRESH_COOKIE));
    let secure = parts
        .headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let (csrf, new_csrf) = match &csrf_cookie {
        Some(token) if token.len() >= 16 => (token.clone(), false),
        _ => (platform::accounts::random_hex(16), true),
    };
    let mut visit = Visit {
        lang: Lang::choose(read(LANG_COOKIE).as_deref(), &parts.headers),
        zone: read(TZ_COOKIE)
            .and_then(|name| jiff::tz::db().get(&name).ok())
            .or_else(|| jiff::tz::db().get(DEFAULT_ZONE).ok())
            .unwrap_or(TimeZone::UTC),
        csrf,
        token: read(SESSION_COOKIE),
        client: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| *addr),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        secure,
    };
    let body = if parts.method == Method::GET || parts.method == Method::HEAD {
        body
    } else {
        let expected = csrf_cookie.as_deref().filter(|_| !new_csrf);
        match guard(&parts.headers, body, expected).await {
            Ok(body) => body,
            Err(reason) => return Failure::new(&visit, reason).into_response(),
        }
    };
    let mut set = Vec::new();
    if new_csrf {
        set.push(set_cookie(
            CSRF_COOKIE,
            &visit.csrf,
            SESSION_SECONDS,
            secure,
        ));
    }
    let expiring = visit.token.as_deref().is_none_or(|t| {
        expires_at(t)
            .is_none_or(|exp| exp - RENEW_BEFORE_SECONDS <= jiff::Timestamp::now().as_second())
    });
    if expiring && let Some(refresh) = refresh {
        let body = Payload::json(&serde_json::json!({ "refresh_token": refresh }));
        let renewal = web.api.call::<Tokens>(
            visit.caller(),
            Method::POST,
            "/api/v1/auth/refresh",
            Some(body),
        );
        let Ok(outcome) = web
            .renewals
            .0
            .get_or_load(refresh, async { Ok::<_, Infallible>(renewal.await) })
            .await;
        match outcome {
            Ok(tokens) => {
                visit.token = Some(tokens.access_token.clone());
                set.extend(visit.sign_in_cookies(&tokens));
            }
            Err(problem) if problem.status == 401 => {
                visit.token = None;
                set.extend(visit.sign_out_cookies());
            }
            Err(problem) => {
                tracing::warn!(status = problem.status, "could not renew a web session");
            }
        }
    }
    parts.extensions.insert(visit);
    let mut response = next.run(Request::from_parts(parts, body)).await;
    for value in set {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// Lets a write through only with the visitor's CSRF token, in the `x-csrf-token` header or
/// the form's `csrf` field; gives the body back for the handler.
async fn guard(headers: &HeaderMap, body: Body, expected: Option<&str>) -> Result<Body, Reason> {
    let expected = expected.ok_or(Reason::ExpiredForm)?;
    if let Some(sent) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if same(sent, expected) {
            Ok(body)
        } else {
            Err(Reason::ExpiredForm)
        };
    }
    let boundary = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok());
    let limit = if boundary.is_some() {
        MAX_UPLOAD_FORM_BYTES
    } else {
        MAX_FORM_BYTES
    };
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| Reason::TooLarge)?;
    let sent = match boundary {
        Some(boundary) => multipart_csrf(bytes.clone(), boundary).await,
        None => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| {
                pairs
                    .into_iter()
                    .find(|(k, _)| k == CSRF_FIELD)
                    .map(|(_, v)| v)
            }),
    };
    match sent {
        Some(sent) if same(&sent, expected) => Ok(Body::from(bytes)),
        _ => Err(Reason::ExpiredForm),
    }
}

/// The `csrf` field of a `multipart/form-data` body (forms that carry a file).
async fn multipart_csrf(bytes: Bytes, boundary: String) -> Option<String> {
    let body = futures::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) });
    let mut form = multer::Multipart::new(body, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

/// Compares two tokens in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A `Set-Cookie` value the page's scripts cannot read and other sites cannot send.
fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// When an access token expires (seconds since the epoch), read without checking its
/// signature: the API checks that; this only decides whether to renew it first.
fn expires_at(token: &str) -> Option<i64> {
    #[derive(Deserialize)]
    struct Claims {
        exp: i64,
    }
    let payload = token.split('.').nth(1)?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice::<Claims>(&json).ok().map(|c| c.exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_expiry_of_a_token() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"sub":"1","exp":1795414523}"#);
        assert_eq!(expires_at(&format!("h.{payload}.s")), Some(1_795_414_523));
        assert_eq!(expires_at("not a token"), None);
    }

    #[test]
    fn compares_tokens_whole() {
        assert!(same("abcdef", "abcdef"));
        assert!(!same("abcdef", "abcdeg"));
        assert!(!same("abc", "abcdef"));
    }

    #[test]
    fn cookies_are_http_only_and_strict() {
        let value = set_cookie(SESSION_COOKIE, "t", 60, true);
        let text = value.to_str().unwrap_or_default();
        assert!(
            text.contains("HttpOnly")
                && text.contains("SameSite=Strict")
                && text.contains("Secure")
        );
    }
}
