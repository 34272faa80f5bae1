//! `GET /social`: the home feed (ranked or newest first) under the compose box, with a banner
//! that tells of new posts as they arrive; `GET /social/tags/{tag}`: a hashtag's posts.
//!
//! Each page ends in a link to the next, which the script follows as the reader scrolls.

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};

use super::compose::Draft;
use super::{Post, PostView, views};
use crate::Web;
use crate::failure::Fields;
use crate::i18n::SocialTexts;
use crate::pages::{PageResult, Shell, render, segment};
use crate::session::Visit;

/// Posts a page shows.
pub const PAGE_SIZE: usize = 20;

/// Which feed and where in it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Position {
    /// `latest` for newest first; ranked otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    filter: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    max_id: String,
}

impl Position {
    fn latest(&self) -> bool {
        self.filter == "latest"
    }
}

#[derive(Deserialize)]
struct FeedPage {
    items: Vec<Post>,
    page: i64,
    has_more: bool,
    next_max_id: Option<String>,
}

#[derive(Template)]
#[template(path = "social/feed.html")]
struct Feed {
    shell: Shell,
    s: &'static SocialTexts,
    latest: bool,
    posts: Vec<PostView>,
    more: Option<String>,
    draft: Draft,
    fields: Fields,
}

pub async fn page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Query(position): Query<Position>,
) -> PageResult {
    show(&web, &visit, position, Draft::default(), Fields::default()).await
}

/// The feed at `position`, with the compose box holding `draft` and its refusal, if any.
pub async fn show(
    web: &Web,
    visit: &Visit,
    position: Position,
    draft: Draft,
    fields: Fields,
) -> PageResult {
    if !visit.signed_in() {
        return Err(visit.sign_in_first());
    }
    let mut query = position.clone();
    if query.latest() {
        query.page = None;
    } else {
        query.max_id.clear();
    }
    let path = format!(
        "/api/v1/feed?size={PAGE_SIZE}&{}",
        serde_urlencoded::to_string(&query).unwrap_or_default()
    );
    let (shell, feed) = tokio::join!(
        Shell::load(web, visit, "social"),
        web.api.get::<FeedPage>(visit, &path),
    );
    let (shell, feed) = (shell?, feed?);
    let latest = position.latest();
    let more = if !feed.has_more {
        None
    } else if latest {
        feed.next_max_id
            .map(|max_id| format!("/social?filter=latest&max_id={max_id}"))
    } else {
        Some(format!("/social?page={}", feed.page + 1))
    };
    let me = shell.me.as_ref().map(|me| me.id.clone());
    Ok(render(&Feed {
        posts: views(visit, me.as_deref(), feed.items),
        shell,
        s: visit.lang.social(),
        latest,
        more,
        draft,
        fields,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct Before {
    #[serde(default)]
    pub max_id: String,
}

#[derive(Template)]
#[template(path = "social/tag.html")]
struct TagPage {
    shell: Shell,
    s: &'static SocialTexts,
    tag: String,
    posts: Vec<PostView>,
    more: Option<String>,
}

pub async fn tag(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(tag): Path<String>,
    Query(before): Query<Before>,
) -> PageResult {
    let tag = tag.trim_start_matches('#').to_owned();
    let path = timeline_path(&format!("/api/v1/tags/{}", urlencode(&tag)), &before.max_id);
    let (shell, posts) = tokio::join!(
        Shell::load(&web, &visit, "social"),
        web.api.get::<Vec<Post>>(&visit, &path),
    );
    let (shell, posts) = (shell?, posts?);
    let more = more_after(&posts, &format!("/social/tags/{}", urlencode(&tag)));
    let me = shell.me.as_ref().map(|me| me.id.clone());
    Ok(render(&TagPage {
        posts: views(&visit, me.as_deref(), posts),
        shell,
        s: visit.lang.social(),
        tag,
        more,
    }))
}

/// A growing list's API path, before `max_id` when one is given.
pub fn timeline_path(base: &str, max_id: &str) -> String {
    let max_id = segment(max_id);
    if max_id.is_empty() {
        format!("{base}?size={PAGE_SIZE}")
    } else {
        format!("{base}?size={PAGE_SIZE}&max_id={max_id}")
    }
}

/// The page after a full one: posts older than its last.
pub fn more_after(posts: &[Post], page: &str) -> Option<String> {
    (posts.len() == PAGE_SIZE)
        .then(|| posts.last())
        .flatten()
        .map(|last| format!("{page}?max_id={}", last.id))
}

/// `text` as one URL path segment.
pub fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .replace('+', "%20")
}
