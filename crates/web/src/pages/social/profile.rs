//! `GET /social/u/{username}`: a person's profile, their posts, and the buttons to follow,
//! mute or block them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use super::feed::{Before, more_after, timeline_path, urlencode};
use super::{Post, PostView, views};
use crate::Web;
use crate::api::Problem;
use crate::i18n::SocialTexts;
use crate::pages::people::{Person, Profile};
use crate::pages::{PageResult, Shell, render, segment};
use crate::session::Visit;

/// `GET /api/v1/users/{id}/relationship`, which the page shows as it is.
#[derive(Deserialize)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "the API's answer: independent yes/no facts"
)]
struct Relationship {
    followers_count: i64,
    following_count: i64,
    locked: bool,
    /// `none`, `following` or `requested`.
    outgoing: String,
    followed_by: bool,
    blocking: bool,
    muting: bool,
}

#[derive(Template)]
#[template(path = "social/profile.html")]
struct ProfilePage {
    shell: Shell,
    s: &'static SocialTexts,
    person: Person,
    bio: String,
    me: bool,
    relation: Relationship,
    posts: Vec<PostView>,
    more: Option<String>,
}

/// The profile of `username`, as `GET /api/v1/users/lookup` finds it.
async fn lookup(
    web: &Web,
    visit: &Visit,
    username: &str,
) -> Result<Profile, crate::failure::Failure> {
    web.api
        .get::<Profile>(
            visit,
            format!("/api/v1/users/lookup?username={}", segment(username)),
        )
        .await
}

pub async fn page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(username): Path<String>,
    Query(before): Query<Before>,
) -> PageResult {
    if !visit.signed_in() {
        return Err(visit.sign_in_first());
    }
    let profile = lookup(&web, &visit, &username).await?;
    let id = segment(&profile.id);
    let (shell, relation, posts) = tokio::join!(
        Shell::load(&web, &visit, "social"),
        web.api
            .get::<Relationship>(&visit, format!("/api/v1/users/{id}/relationship")),
        web.api.get::<Vec<Post>>(
            &visit,
            timeline_path(&format!("/api/v1/users/{id}/content"), &before.max_id),
        ),
    );
    let (shell, relation, posts) = (shell?, relation?, posts?);
    let me = shell.me.as_ref().map(|me| me.id.clone());
    let more = more_after(
        &posts,
        &format!("/social/u/{}", urlencode(&profile.username)),
    );
    let bio = profile.bio.clone().unwrap_or_default();
    Ok(render(&ProfilePage {
        posts: views(&visit, me.as_deref(), posts),
        me: me.as_deref() == Some(profile.id.as_str()),
        shell,
        s: visit.lang.social(),
        person: Person::from(profile),
        bio,
        relation,
        more,
    }))
}

#[derive(Debug, Deserialize)]
pub struct Relate {
    /// `follow`, `unfollow`, `mute`, `unmute`, `block` or `unblock`.
    #[serde(rename = "do")]
    action: String,
}

/// `POST /social/u/{username}/relation`: follows, mutes or blocks them, or takes it back.
pub async fn relate(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(username): Path<String>,
    Form(relate): Form<Relate>,
) -> PageResult {
    let profile = lookup(&web, &visit, &username).await?;
    let (method, what) = match relate.action.as_str() {
        "follow" => (Method::POST, "follow"),
        "unfollow" => (Method::DELETE, "follow"),
        "mute" => (Method::POST, "mute"),
        "unmute" => (Method::DELETE, "mute"),
        "block" => (Method::POST, "block"),
        "unblock" => (Method::DELETE, "block"),
        _ => {
            return Err(visit.fail(Problem {
                status: 400,
                ..Problem::default()
            }));
        }
    };
    let path = format!("/api/v1/users/{}/{what}", segment(&profile.id));
    web.api
        .send::<IgnoredAny>(&visit, method, &path, &json!({}))
        .await?;
    Ok(Redirect::to(&format!("/social/u/{}", urlencode(&profile.username))).into_response())
}
