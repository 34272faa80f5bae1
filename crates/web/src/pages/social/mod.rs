//! social's pages: the home feed with its live banner and the compose box, a post with its
//! comment threads, profiles, hashtag timelines and search.

mod compose;
mod feed;
mod post;
mod profile;
mod rich;
mod search;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use serde::Deserialize;

use self::rich::Piece;
use super::people::{Person, Profile};
use super::when;
use crate::Web;
use crate::session::{MAX_UPLOAD_FORM_BYTES, Visit};

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/", get(feed::page))
        .route(
            "/posts",
            post(compose::submit).layer(DefaultBodyLimit::max(MAX_UPLOAD_FORM_BYTES)),
        )
        .route("/p/{id}", get(post::page))
        .route("/p/{id}/comments", post(post::comment))
        .route("/p/{id}/like", post(post::like))
        .route("/p/{id}/share", post(post::share))
        .route("/p/{id}/delete", post(post::delete))
        .route("/u/{username}", get(profile::page))
        .route("/u/{username}/relation", post(profile::relate))
        .route("/tags/{tag}", get(feed::tag))
        .route("/search", get(search::page))
}

/// A post as the API answers it.
#[derive(Debug, Deserialize)]
struct Post {
    id: String,
    author_id: String,
    content: Body,
    visibility: String,
    reshare_of: Option<String>,
    engagement: Engagement,
    #[serde(default)]
    liked: bool,
    created_at: String,
    updated_at: String,
    /// Absent once the account is gone.
    author: Option<Profile>,
    #[serde(default)]
    media: Vec<Media>,
}

#[derive(Debug, Deserialize)]
struct Body {
    text: String,
}

#[derive(Debug, Deserialize)]
struct Engagement {
    #[serde(rename = "likes_count")]
    likes: i64,
    #[serde(rename = "comments_count")]
    comments: i64,
    #[serde(rename = "shares_count")]
    shares: i64,
}

/// An uploaded image or video as the API describes it.
#[derive(Debug, Deserialize)]
struct Media {
    kind: String,
    url: String,
    thumbnail_url: Option<String>,
    width: Option<i64>,
    height: Option<i64>,
}

/// An attached image or video, ready to show.
pub struct Attachment {
    pub video: bool,
    pub url: String,
    /// What the list shows: the thumbnail when there is one.
    pub preview: String,
    pub width: i64,
    pub height: i64,
}

/// A post as a card in a timeline or on its own page.
pub struct PostView {
    pub id: String,
    pub author: Person,
    pub pieces: Vec<Piece>,
    pub media: Vec<Attachment>,
    /// `followers` or `private` (public posts show no mark).
    pub visibility: Option<&'static str>,
    pub reshare_of: Option<String>,
    pub likes: i64,
    pub comments: i64,
    pub shares: i64,
    pub liked: bool,
    pub edited: bool,
    pub mine: bool,
    pub at: String,
    pub at_iso: String,
}

/// The posts of a timeline as cards; the API answers each with its author and media.
fn views(visit: &Visit, me: Option<&str>, posts: Vec<Post>) -> Vec<PostView> {
    posts
        .into_iter()
        .map(|post| PostView {
            author: post.author.map_or_else(Person::gone, Person::from),
            mine: me == Some(post.author_id.as_str()),
            pieces: rich::pieces(&post.content.text),
            media: post
                .media
                .into_iter()
                .map(|m| Attachment {
                    video: m.kind == "video",
                    preview: m.thumbnail_url.unwrap_or_else(|| m.url.clone()),
                    url: m.url,
                    width: m.width.unwrap_or(640),
                    height: m.height.unwrap_or(480),
                })
                .collect(),
            visibility: match post.visibility.as_str() {
                "followers" => Some(visit.lang.social().followers_only),
                "private" => Some(visit.lang.social().only_me),
                _ => None,
            },
            reshare_of: post.reshare_of,
            likes: post.engagement.likes,
            comments: post.engagement.comments,
            shares: post.engagement.shares,
            liked: post.liked,
            edited: post.updated_at != post.created_at,
            at: when(visit, &post.created_at),
            at_iso: post.created_at,
            id: post.id,
        })
        .collect()
}
