//! The pages. Each renders from the API's answers; [`Shell`] is the frame they share.

pub mod account;
pub mod admin;
pub mod ask;
pub mod assistant;
pub mod home;
pub mod people;
pub mod ration;
pub mod social;
pub mod wellness;

use askama::Template;
use axum::http::StatusCode;
use axum::http::header::CACHE_CONTROL;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::Web;
use crate::assets;
use crate::failure::Failure;
use crate::i18n::{Lang, ShellTexts};
use crate::session::Visit;

/// A page handler's answer.
pub type PageResult = Result<Response, Failure>;

/// The signed-in visitor, as `GET /api/v1/users/me` tells.
#[derive(Debug, Clone, Deserialize)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub display_name: Option<String>,
    #[serde(default)]
    pub bio: Option<String>,
    /// `user`, `moderator` or `admin`.
    #[serde(default)]
    pub role: String,
}

impl Me {
    /// Moderators and admins see the operators' pages.
    pub fn operator(&self) -> bool {
        self.role == "moderator" || self.role == "admin"
    }

    pub fn name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.username)
    }
}

#[derive(Deserialize)]
struct UnreadCount {
    count: i64,
}

/// One entry of the app switcher.
#[derive(Debug, Clone)]
pub struct AppLink {
    pub key: &'static str,
    pub href: &'static str,
    pub name: &'static str,
    pub about: &'static str,
    /// Whether the app has pages yet; otherwise the link opens its part of the API docs.
    pub has_pages: bool,
}

/// The frame of every page: language, the visitor, the app switcher, the unread badge.
#[derive(Debug)]
pub struct Shell {
    pub lang: Lang,
    pub t: &'static ShellTexts,
    pub csrf: String,
    pub me: Option<Me>,
    pub unread: i64,
    pub apps: Vec<AppLink>,
    /// The app the page belongs to (`""` for the shell's own pages).
    pub current: &'static str,
    /// This page's path and query, to come back to.
    pub path: String,
    pub css: &'static str,
    pub js: &'static str,
    pub icon: &'static str,
}

impl Shell {
    /// The frame without asking the API anything (error pages).
    pub fn bare(visit: &Visit) -> Self {
        Self {
            lang: visit.lang,
            t: visit.lang.shell(),
            csrf: visit.csrf.clone(),
            me: None,
            unread: 0,
            apps: Vec::new(),
            current: "",
            path: visit.path.clone(),
            css: assets::CSS.url(),
            js: assets::JS.url(),
            icon: assets::ICON.url(),
        }
    }

    /// The frame with the signed-in visitor and their unread count.
    pub async fn load(web: &Web, visit: &Visit, current: &'static str) -> Result<Self, Failure> {
        let mut shell = Self::bare(visit);
        shell.current = current;
        shell.apps = web.app_links(visit.lang);
        if visit.signed_in() {
            let (me, unread) = tokio::join!(
                web.api.get::<Me>(visit, "/api/v1/users/me"),
                web.api
                    .get::<UnreadCount>(visit, "/api/v1/me/notifications/unread-count"),
            );
            shell.me = Some(me?);
            shell.unread = unread?.count;
        }
        Ok(shell)
    }
}

/// A path segment from the visitor's URL made safe to put in an API path: ids are digits,
/// codes `a-z0-9_`.
pub fn segment(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

/// Only a path on this site is a place to come back to.
pub fn local(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

/// A rendered page (200).
pub fn render(template: &impl Template) -> Response {
    render_with(StatusCode::OK, template)
}

/// A rendered page with `status`. Pages show one visitor's data, so no cache keeps them.
pub fn render_with(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, [(CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "a page failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A moment as the visitor reads it: "5분 전" within the day, else the date and time in their
/// time zone.
pub fn when(visit: &Visit, rfc3339: &str) -> String {
    let Ok(at) = rfc3339.parse::<jiff::Timestamp>() else {
        return rfc3339.to_owned();
    };
    let t = visit.lang.shell();
    let seconds = jiff::Timestamp::now().as_second() - at.as_second();
    match seconds {
        ..60 => t.just_now.to_owned(),
        60..3600 => format!("{}{}", seconds / 60, t.minutes_ago),
        3600..86_400 => format!("{}{}", seconds / 3600, t.hours_ago),
        _ => at
            .to_zoned(visit.zone.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
    }
}
