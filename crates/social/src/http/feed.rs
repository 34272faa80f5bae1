//! The home feed, its refresh, and the profile and hashtag timelines.

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use platform::accounts::{CurrentUser, UserId};
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::{AppContext, Error, Result};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Cursor, MAX_SIZE, page_size};
use crate::Settings;
use crate::model::ContentId;
use crate::post::Post;
use crate::service::{self, FeedOrder, FeedPage};

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
    responses((status = 200, body = FeedPage<Post>), (status = 422, body = ProblemBody)))]
pub async fn feed(
    State(ctx): State<AppContext>,
    Extension(settings): Extension<Settings>,
    user: CurrentUser,
    Query(params): Query<FeedParams>,
) -> Result<Json<FeedPage<Post>>> {
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
    Ok(Json(page.presented(&ctx, user.id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewItems {
    new_items: Vec<Post>,
    count: usize,
}

/// Posts that entered the caller's feed after the one named by `X-Last-Seen-Id`, newest first
/// (at most 50).
#[utoipa::path(get, path = "/api/v1/feed/refresh", tag = "social", security(("bearer" = [])),
    params(("X-Last-Seen-Id" = String, Header, description = "id of the newest post the client has")),
    responses((status = 200, body = NewItems), (status = 422, body = ProblemBody)))]
pub async fn refresh(
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
        new_items: service::present(&ctx, user.id, items).await?,
    }))
}

/// A user's posts that the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/users/{id}/content", tag = "social", security(("bearer" = [])), params(("id" = String, Path), Cursor),
    responses((status = 200, body = Vec<Post>), (status = 404, body = ProblemBody)))]
pub async fn user_content(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<UserId>,
    Query(cursor): Query<Cursor>,
) -> Result<Json<Vec<Post>>> {
    let size = page_size(cursor.size)?;
    let before = cursor.max_id.map(ContentId::from_raw);
    let states = service::by_author(&ctx, user.id, id, before, size).await?;
    Ok(Json(service::present(&ctx, user.id, states).await?))
}

/// Posts under a hashtag (with or without `#`) that the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/tags/{tag}", tag = "social", security(("bearer" = [])), params(("tag" = String, Path), Cursor),
    responses((status = 200, body = Vec<Post>)))]
pub async fn tag_content(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(tag): Path<String>,
    Query(cursor): Query<Cursor>,
) -> Result<Json<Vec<Post>>> {
    let size = page_size(cursor.size)?;
    let before = cursor.max_id.map(ContentId::from_raw);
    let states = service::by_tag(&ctx, user.id, &tag, before, size).await?;
    Ok(Json(service::present(&ctx, user.id, states).await?))
}
