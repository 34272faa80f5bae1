//! `GET /social/p/{id}`: a post with its comment threads and the forms to comment, reply,
//! like, share and delete.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use super::rich::{self, Piece};
use super::{Post, PostView, views};
use crate::Web;
use crate::failure::Fields;
use crate::i18n::SocialTexts;
use crate::pages::people::{People, Person};
use crate::pages::{PageResult, Shell, local, render, segment, when};
use crate::session::Visit;

/// Threads a page shows.
const THREADS: usize = 20;
/// Deepest indentation; deeper replies line up with it.
const MAX_INDENT: usize = 4;

/// A comment as the API answers it: a tree.
#[derive(Deserialize)]
struct Comment {
    id: String,
    user_id: String,
    text: String,
    created_at: String,
    #[serde(default)]
    replies: Vec<Comment>,
}

/// A comment in the flattened thread, indented by its depth.
pub struct CommentView {
    pub id: String,
    pub author: Person,
    pub pieces: Vec<Piece>,
    pub indent: usize,
    /// Who it answers, for replies.
    pub reply_to: Option<String>,
    pub at: String,
    pub at_iso: String,
}

#[derive(Template)]
#[template(path = "social/post.html")]
struct PostPage {
    shell: Shell,
    s: &'static SocialTexts,
    post: PostView,
    /// The post this one shares, when it is a share the reader may see.
    shared: Option<PostView>,
    comments: Vec<CommentView>,
    more: Option<String>,
    draft: String,
    /// The comment the refused draft answered.
    draft_parent: String,
    fields: Fields,
}

#[derive(Debug, Default, Deserialize)]
pub struct After {
    #[serde(default)]
    after: String,
}

pub async fn page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
    Query(after): Query<After>,
) -> PageResult {
    let draft = CommentForm::default();
    show(&web, &visit, &id, &after.after, draft, Fields::default()).await
}

async fn show(
    web: &Web,
    visit: &Visit,
    id: &str,
    after: &str,
    draft: CommentForm,
    fields: Fields,
) -> PageResult {
    let id = segment(id);
    let after = segment(after);
    let comments_path = if after.is_empty() {
        format!("/api/v1/content/{id}/comments?size={THREADS}")
    } else {
        format!("/api/v1/content/{id}/comments?size={THREADS}&after={after}")
    };
    let (shell, post, threads) = tokio::join!(
        Shell::load(web, visit, "social"),
        web.api.get::<Post>(visit, format!("/api/v1/content/{id}")),
        web.api.get::<Vec<Comment>>(visit, &comments_path),
    );
    let (shell, post, threads) = (shell?, post?, threads?);
    let me = shell.me.as_ref().map(|me| me.id.clone());
    let shared = match &post.reshare_of {
        Some(original) => web
            .api
            .get::<Post>(visit, format!("/api/v1/content/{}", segment(original)))
            .await
            .ok(),
        None => None,
    };
    let mut flat = Vec::new();
    flatten(&threads, 0, None, &mut flat);
    let people = People::load(web, visit, flat.iter().map(|(c, ..)| c.user_id.as_str())).await;
    let mut posts = views(
        visit,
        me.as_deref(),
        std::iter::once(post).chain(shared).collect(),
    );
    let more = (threads.len() == THREADS)
        .then(|| threads.last())
        .flatten()
        .map(|last| format!("/social/p/{id}?after={}", last.id));
    let comments = flat
        .into_iter()
        .map(|(c, depth, parent)| CommentView {
            id: c.id.clone(),
            author: people.get(&c.user_id),
            pieces: rich::pieces(&c.text),
            indent: depth.min(MAX_INDENT),
            reply_to: parent.map(|p| people.get(p).name),
            at: when(visit, &c.created_at),
            at_iso: c.created_at.clone(),
        })
        .collect();
    let post = posts.remove(0);
    Ok(render(&PostPage {
        shell,
        s: visit.lang.social(),
        post,
        shared: posts.pop(),
        comments,
        more,
        draft: draft.text,
        draft_parent: draft.parent_comment_id,
        fields,
    }))
}

/// The tree in reading order: each comment, then its replies, with its depth and the author it
/// answers.
fn flatten<'a>(
    comments: &'a [Comment],
    depth: usize,
    parent: Option<&'a str>,
    out: &mut Vec<(&'a Comment, usize, Option<&'a str>)>,
) {
    for comment in comments {
        out.push((comment, depth, parent));
        flatten(&comment.replies, depth + 1, Some(&comment.user_id), out);
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    parent_comment_id: String,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

/// `POST /social/p/{id}/comments`: a comment, or a reply to one.
pub async fn comment(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
    Form(form): Form<CommentForm>,
) -> PageResult {
    let id = segment(&id);
    let parent = segment(&form.parent_comment_id);
    let body = json!({
        "text": form.text,
        "parent_comment_id": (!parent.is_empty()).then_some(parent),
    });
    let path = format!("/api/v1/content/{id}/comment");
    match web
        .api
        .send::<Created>(&visit, Method::POST, &path, &body)
        .await
    {
        Ok(created) => {
            Ok(Redirect::to(&format!("/social/p/{id}#comment-{}", created.id)).into_response())
        }
        Err(failure) => {
            let fields = failure.into_fields()?;
            show(&web, &visit, &id, "", form, fields).await
        }
    }
}

/// A button's form: where to go back to, and for likes whether the reader likes it now.
#[derive(Debug, Default, Deserialize)]
pub struct Action {
    #[serde(default)]
    next: String,
    #[serde(default)]
    liked: String,
    #[serde(default)]
    text: String,
}

/// `POST /social/p/{id}/like`: likes the post, or takes the like back when `liked=1`.
pub async fn like(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
    Form(action): Form<Action>,
) -> PageResult {
    let method = if action.liked == "1" {
        Method::DELETE
    } else {
        Method::POST
    };
    let path = format!("/api/v1/content/{}/like", segment(&id));
    web.api
        .send::<IgnoredAny>(&visit, method, &path, &json!({}))
        .await?;
    Ok(Redirect::to(local(&action.next)).into_response())
}

/// `POST /social/p/{id}/share`: reshares the post, with the quote typed, to the reader's
/// followers' feeds; the share's own page follows.
pub async fn share(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
    Form(action): Form<Action>,
) -> PageResult {
    let path = format!("/api/v1/content/{}/share", segment(&id));
    let shared: Created = web
        .api
        .send(&visit, Method::POST, &path, &json!({ "text": action.text }))
        .await?;
    Ok(Redirect::to(&format!("/social/p/{}", shared.id)).into_response())
}

/// `POST /social/p/{id}/delete`: the author deletes the post; it leaves every view at once.
pub async fn delete(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
) -> PageResult {
    let path = format!("/api/v1/content/{}", segment(&id));
    web.api
        .send::<IgnoredAny>(&visit, Method::DELETE, &path, &json!({}))
        .await?;
    Ok(Redirect::to("/social").into_response())
}
