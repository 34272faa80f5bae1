//! social's routes: extract, call the service, answer.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use platform::accounts::{CurrentUser, UserId};
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::files::MediaId;
use platform::validation::{Validate, field};
use platform::{ApiRouter, AppContext, Error, Result};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::Settings;
use crate::model::{
    self, Comment, CommentId, Content, ContentId, ContentType, MAX_MEDIA, Visibility,
};
use crate::service::{self, FeedOrder, FeedPage, FollowState, NewContent, Relationship};
use crate::views::Views;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(feed))
        .routes(routes!(refresh))
        .routes(routes!(create_content))
        .routes(routes!(get_content, edit_content, delete_content))
        .routes(routes!(content_history))
        .routes(routes!(like, unlike))
        .routes(routes!(add_comment))
        .routes(routes!(list_comments))
        .routes(routes!(share))
        .routes(routes!(follow, unfollow))
        .routes(routes!(block, unblock))
        .routes(routes!(mute, unmute))
        .routes(routes!(followers))
        .routes(routes!(following))
        .routes(routes!(relationship))
        .routes(routes!(user_content))
        .routes(routes!(tag_content))
        .routes(routes!(follow_requests))
        .routes(routes!(answer_follow_request))
        .routes(routes!(set_privacy))
        .routes(routes!(crate::live::feed_socket))
}

/// Default and largest page sizes (seed 004).
const DEFAULT_SIZE: i64 = 20;
const MAX_SIZE: i64 = 50;

fn page_size(size: Option<i64>) -> Result<i64> {
    let size = size.unwrap_or(DEFAULT_SIZE);
    if (1..=MAX_SIZE).contains(&size) {
        Ok(size)
    } else {
        Err(Error::bad_param("size", format!("must be 1-{MAX_SIZE}")))
    }
}

/// Cursor pagination of a growing list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// Only items older than this id.
    #[serde(default, deserialize_with = "platform::ids::deserialize_optional_id")]
    #[param(value_type = Option<String>)]
    max_id: Option<i64>,
    /// Page size, 1-50 (default 20).
    size: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FeedParams {
    /// 1-based page (default 1); `max_id` takes precedence for the latest order.
    page: Option<i64>,
    /// Page size, 1-50 (default 20).
    size: Option<i64>,
    /// `ranked` (default) or `latest` (reverse-chronological).
    filter: Option<String>,
    /// Only posts older than this id (latest order).
    #[serde(default, deserialize_with = "platform::ids::deserialize_optional_id")]
    #[param(value_type = Option<String>)]
    max_id: Option<i64>,
    /// Include each item's score components (ranked order).
    #[serde(default)]
    explain: bool,
}

/// The caller's home feed: posts of people they follow and their own, ranked by an explainable
/// score (recency, engagement velocity, affinity; see `?explain=true`) or newest first with
/// `filter=latest`. What the caller may not see (followers-only of people they do not follow,
/// private, blocked either way, muted, deleted) is never in it.
#[utoipa::path(get, path = "/api/v1/feed", tag = "social", security(("bearer" = [])), params(FeedParams),
    responses((status = 200, body = FeedPage), (status = 422, body = ProblemBody)))]
async fn feed(
    State(ctx): State<AppContext>,
    Extension(settings): Extension<Settings>,
    user: CurrentUser,
    Query(params): Query<FeedParams>,
) -> Result<Json<FeedPage>> {
    let size = page_size(params.size)?;
    let page = params.page.unwrap_or(1);
    if page < 1 {
        return Err(Error::bad_param("page", "must be 1 or more"));
    }
    let order = match params.filter.as_deref() {
        None | Some("ranked") => FeedOrder::Ranked,
        Some("latest") => FeedOrder::Latest,
        Some(_) => return Err(Error::bad_param("filter", "must be `ranked` or `latest`")),
    };
    let mut page = service::feed(
        &ctx,
        user.id,
        order,
        page,
        size,
        params.max_id.map(ContentId::from_raw),
        settings.fanout_threshold,
    )
    .await?;
    if !params.explain {
        for item in &mut page.items {
            item.score = None;
        }
    }
    Ok(Json(page))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewItems {
    new_items: Vec<Content>,
    count: usize,
}

/// Posts that entered the caller's feed after the one named by `X-Last-Seen-Id`, newest first
/// (at most 50).
#[utoipa::path(get, path = "/api/v1/feed/refresh", tag = "social", security(("bearer" = [])),
    params(("X-Last-Seen-Id" = String, Header, description = "id of the newest post the client has")),
    responses((status = 200, body = NewItems), (status = 422, body = ProblemBody)))]
async fn refresh(
    State(ctx): State<AppContext>,
    Extension(settings): Extension<Settings>,
    user: CurrentUser,
    headers: HeaderMap,
) -> Result<Json<NewItems>> {
    let last_seen = headers
        .get("x-last-seen-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| Error::bad_param("X-Last-Seen-Id", "must be the id of a post"))?;
    let items = service::refresh(
        &ctx,
        user.id,
        ContentId::from_raw(last_seen),
        MAX_SIZE,
        settings.fanout_threshold,
    )
    .await?;
    Ok(Json(NewItems {
        count: items.len(),
        new_items: items,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    /// `text` (default), `image`, `video` or `link`.
    #[serde(rename = "type", alias = "content_type")]
    content_type: Option<String>,
    /// Up to 5,000 characters; may be empty when media are attached.
    #[serde(default)]
    text: String,
    /// Ids of the caller's uploads (`POST /api/v1/uploads`), at most 10.
    #[serde(default)]
    media_ids: Vec<String>,
    /// `public` (default), `followers` or `private`.
    visibility: Option<String>,
}

fn visibility(raw: Option<&str>) -> std::result::Result<Visibility, String> {
    raw.map_or(Ok(Visibility::Public), |v| {
        Visibility::parse(v).ok_or_else(|| "must be public, followers or private".to_owned())
    })
}

fn media_ids(raw: &[String]) -> std::result::Result<Vec<MediaId>, String> {
    if raw.len() > MAX_MEDIA {
        return Err(format!("at most {MAX_MEDIA} uploads"));
    }
    raw.iter()
        .map(|id| {
            id.parse::<i64>()
                .map(MediaId::from_raw)
                .map_err(|_| format!("`{id}` is not an upload id"))
        })
        .collect()
}

/// Publish a post. Hashtags (`#제주맛집`) and mentions (`@username`) are read from the text;
/// followers' feeds receive it within moments, through the bus.
#[utoipa::path(post, path = "/api/v1/content", tag = "social", security(("bearer" = [])), request_body = NewPost,
    responses((status = 201, body = Content), (status = 422, body = ProblemBody)))]
async fn create_content(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(req): Json<NewPost>,
) -> Result<(StatusCode, Json<Content>)> {
    let (content_type, text, media_ids, visibility) = (
        field(
            "type",
            req.content_type
                .as_deref()
                .map_or(Ok(ContentType::Text), |t| {
                    ContentType::parse(t).ok_or("must be text, image, video or link")
                }),
        ),
        field("text", model::text(&req.text, !req.media_ids.is_empty())),
        field("media_ids", media_ids(&req.media_ids)),
        field("visibility", visibility(req.visibility.as_deref())),
    )
        .validate()?;
    let new = NewContent {
        content_type,
        text,
        media_ids,
        visibility,
    };
    let content = service::create(&ctx, &user, new).await?;
    Ok((StatusCode::CREATED, Json(content)))
}

/// A post, if the caller may see it (404 otherwise, whether missing or hidden). Counts as a
/// view unless the caller wrote it; view counts are written every couple of seconds.
#[utoipa::path(get, path = "/api/v1/content/{id}", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Content), (status = 404, body = ProblemBody)))]
async fn get_content(
    State(ctx): State<AppContext>,
    Extension(views): Extension<Arc<Views>>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
) -> Result<Json<Content>> {
    let content = service::content(&ctx, user.id, id).await?;
    if content.author_id != user.id {
        views.seen(&ctx, id);
    }
    Ok(Json(content))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditPost {
    text: String,
}

/// Replace the text of one's own post; the old text is kept in its history.
#[utoipa::path(patch, path = "/api/v1/content/{id}", tag = "social", security(("bearer" = [])), params(("id" = String, Path)), request_body = EditPost,
    responses((status = 200, body = Content), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn edit_content(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
    Json(req): Json<EditPost>,
) -> Result<Json<Content>> {
    let text = model::text(&req.text, false).map_err(|e| Error::invalid_field("text", e))?;
    service::edit(&ctx, &user, id, text).await.map(Json)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    text: String,
    replaced_at: platform::time::Timestamp,
}

/// Earlier texts of a post, newest first.
#[utoipa::path(get, path = "/api/v1/content/{id}/history", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<Revision>), (status = 404, body = ProblemBody)))]
async fn content_history(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
) -> Result<Json<Vec<Revision>>> {
    let history = service::history(&ctx, user.id, id).await?;
    Ok(Json(
        history
            .into_iter()
            .map(|(text, replaced_at)| Revision { text, replaced_at })
            .collect(),
    ))
}

/// Delete one's own post: it leaves every feed, list and search at once.
#[utoipa::path(delete, path = "/api/v1/content/{id}", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
async fn delete_content(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
) -> Result<StatusCode> {
    service::delete(&ctx, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Like a post; liking twice is still one like.
#[utoipa::path(post, path = "/api/v1/content/{id}/like", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Content), (status = 404, body = ProblemBody)))]
async fn like(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
) -> Result<Json<Content>> {
    service::like(&ctx, &user, id).await.map(Json)
}

#[utoipa::path(delete, path = "/api/v1/content/{id}/like", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
async fn unlike(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
) -> Result<StatusCode> {
    service::unlike(&ctx, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    text: String,
    /// The comment this one answers, on the same post.
    #[serde(default, deserialize_with = "platform::ids::deserialize_optional_id")]
    #[schema(value_type = Option<String>)]
    parent_comment_id: Option<i64>,
}

/// Comment on a post, or reply to a comment on it (any depth).
#[utoipa::path(post, path = "/api/v1/content/{id}/comment", tag = "social", security(("bearer" = [])), params(("id" = String, Path)), request_body = NewComment,
    responses((status = 201, body = Comment), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn add_comment(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
    Json(req): Json<NewComment>,
) -> Result<(StatusCode, Json<Comment>)> {
    let text = model::text(&req.text, false).map_err(|e| Error::invalid_field("text", e))?;
    let parent = req.parent_comment_id.map(CommentId::from_raw);
    let comment = service::comment(&ctx, &user, id, text, parent).await?;
    Ok((StatusCode::CREATED, Json(comment)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ThreadParams {
    /// Only threads started after this comment id.
    #[serde(default, deserialize_with = "platform::ids::deserialize_optional_id")]
    #[param(value_type = Option<String>)]
    after: Option<i64>,
    /// Threads per page, 1-50 (default 20).
    size: Option<i64>,
}

/// A post's comments as threads: top-level comments oldest first, replies nested under them.
#[utoipa::path(get, path = "/api/v1/content/{id}/comments", tag = "social", security(("bearer" = [])), params(("id" = String, Path), ThreadParams),
    responses((status = 200, body = Vec<Comment>), (status = 404, body = ProblemBody)))]
async fn list_comments(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
    Query(params): Query<ThreadParams>,
) -> Result<Json<Vec<Comment>>> {
    let size = page_size(params.size)?;
    let after = params.after.map(CommentId::from_raw);
    service::threads(&ctx, user.id, id, after, size)
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShare {
    /// Optional quote text.
    #[serde(default)]
    text: String,
    /// `public` (default), `followers` or `private`.
    visibility: Option<String>,
}

/// Reshare a public post, optionally with quote text.
#[utoipa::path(post, path = "/api/v1/content/{id}/share", tag = "social", security(("bearer" = [])), params(("id" = String, Path)), request_body = NewShare,
    responses((status = 201, body = Content), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn share(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<ContentId>,
    Json(req): Json<NewShare>,
) -> Result<(StatusCode, Json<Content>)> {
    let (text, visibility) = (
        field("text", model::text(&req.text, true)),
        field("visibility", visibility(req.visibility.as_deref())),
    )
        .validate()?;
    let shared = service::share(&ctx, &user, id, text, visibility).await?;
    Ok((StatusCode::CREATED, Json(shared)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowAnswer {
    state: FollowState,
}

/// Follow a user, or ask to when their account is locked.
#[utoipa::path(post, path = "/api/v1/users/{id}/follow", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = FollowAnswer), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn follow(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<Json<FollowAnswer>> {
    let state = service::follow(&ctx, &user, id).await?;
    Ok(Json(FollowAnswer { state }))
}

/// Stop following a user (or withdraw a pending request).
#[utoipa::path(delete, path = "/api/v1/users/{id}/follow", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204)))]
async fn unfollow(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<StatusCode> {
    service::unfollow(&ctx, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Block a user: follows both ways end and each disappears from the other's views.
#[utoipa::path(post, path = "/api/v1/users/{id}/block", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
async fn block(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<StatusCode> {
    service::block(&ctx, &user, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/users/{id}/block", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
async fn unblock(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<StatusCode> {
    service::block(&ctx, &user, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mute a user: their posts leave the caller's feed and lists.
#[utoipa::path(post, path = "/api/v1/users/{id}/mute", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
async fn mute(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<StatusCode> {
    service::mute(&ctx, &user, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/users/{id}/mute", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemBody)))]
async fn unmute(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<StatusCode> {
    service::mute(&ctx, &user, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserIds {
    #[schema(value_type = Vec<String>)]
    users: Vec<UserId>,
    /// Pass as `max_id` for the next page.
    #[schema(value_type = Option<String>)]
    next_max_id: Option<UserId>,
}

async fn follow_page(
    ctx: &AppContext,
    user: UserId,
    followers: bool,
    cursor: Cursor,
) -> Result<Json<UserIds>> {
    let size = page_size(cursor.size)?;
    let users = service::follow_list(
        ctx,
        user,
        followers,
        cursor.max_id.map(UserId::from_raw),
        size,
    )
    .await?;
    let full = users.len() == usize::try_from(size).unwrap_or(0);
    Ok(Json(UserIds {
        next_max_id: full.then(|| users.last().copied()).flatten(),
        users,
    }))
}

/// Who follows a user.
#[utoipa::path(get, path = "/api/v1/users/{id}/followers", tag = "social", security(("bearer" = [])), params(("id" = String, Path), Cursor),
    responses((status = 200, body = UserIds), (status = 404, body = ProblemBody)))]
async fn followers(
    State(ctx): State<AppContext>,
    _user: CurrentUser,
    Path(id): Path<UserId>,
    Query(cursor): Query<Cursor>,
) -> Result<Json<UserIds>> {
    follow_page(&ctx, id, true, cursor).await
}

/// Whom a user follows.
#[utoipa::path(get, path = "/api/v1/users/{id}/following", tag = "social", security(("bearer" = [])), params(("id" = String, Path), Cursor),
    responses((status = 200, body = UserIds), (status = 404, body = ProblemBody)))]
async fn following(
    State(ctx): State<AppContext>,
    _user: CurrentUser,
    Path(id): Path<UserId>,
    Query(cursor): Query<Cursor>,
) -> Result<Json<UserIds>> {
    follow_page(&ctx, id, false, cursor).await
}

/// Follower and following counts of a user and how the caller stands with them.
#[utoipa::path(get, path = "/api/v1/users/{id}/relationship", tag = "social", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Relationship), (status = 404, body = ProblemBody)))]
async fn relationship(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
) -> Result<Json<Relationship>> {
    service::relationship(&ctx, user.id, id).await.map(Json)
}

/// A user's posts that the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/users/{id}/content", tag = "social", security(("bearer" = [])), params(("id" = String, Path), Cursor),
    responses((status = 200, body = Vec<Content>), (status = 404, body = ProblemBody)))]
async fn user_content(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
    Query(cursor): Query<Cursor>,
) -> Result<Json<Vec<Content>>> {
    let size = page_size(cursor.size)?;
    let before = cursor.max_id.map(ContentId::from_raw);
    service::by_author(&ctx, user.id, id, before, size)
        .await
        .map(Json)
}

/// Posts under a hashtag (with or without `#`) that the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/tags/{tag}", tag = "social", security(("bearer" = [])), params(("tag" = String, Path), Cursor),
    responses((status = 200, body = Vec<Content>)))]
async fn tag_content(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(tag): Path<String>,
    Query(cursor): Query<Cursor>,
) -> Result<Json<Vec<Content>>> {
    let size = page_size(cursor.size)?;
    let before = cursor.max_id.map(ContentId::from_raw);
    service::by_tag(&ctx, user.id, &tag, before, size)
        .await
        .map(Json)
}

/// Pending requests to follow the caller's locked account, oldest first.
#[utoipa::path(get, path = "/api/v1/me/follow-requests", tag = "social", security(("bearer" = [])),
    responses((status = 200, body = UserIds)))]
async fn follow_requests(
    State(ctx): State<AppContext>,
    user: CurrentUser,
) -> Result<Json<UserIds>> {
    Ok(Json(UserIds {
        users: service::requests(&ctx, &user).await?,
        next_max_id: None,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestAnswer {
    accept: bool,
}

/// Accept or reject a request to follow the caller.
#[utoipa::path(post, path = "/api/v1/me/follow-requests/{id}", tag = "social", security(("bearer" = [])), params(("id" = String, Path)), request_body = RequestAnswer,
    responses((status = 204), (status = 404, body = ProblemBody)))]
async fn answer_follow_request(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
    Json(req): Json<RequestAnswer>,
) -> Result<StatusCode> {
    service::answer_request(&ctx, &user, id, req.accept).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    /// A locked account approves each new follower.
    locked: bool,
}

/// Lock or unlock the caller's account.
#[utoipa::path(put, path = "/api/v1/me/privacy", tag = "social", security(("bearer" = [])), request_body = Privacy,
    responses((status = 204)))]
async fn set_privacy(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(req): Json<Privacy>,
) -> Result<StatusCode> {
    service::set_locked(&ctx, &user, req.locked).await?;
    Ok(StatusCode::NO_CONTENT)
}
