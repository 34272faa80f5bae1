//! `/api/v1/me/notifications` routes.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use super::model::{Notification, NotificationGroup, NotificationId};
use super::service;
use crate::accounts::CurrentUser;
use crate::error::ProblemBody;
use crate::extract::{Json, Path, Query};
use crate::{ApiRouter, AppContext, Error, Result};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(unread_count))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only notifications older than this id (the previous page's `next_max_id`).
    #[serde(default, deserialize_with = "crate::ids::deserialize_optional_id")]
    #[param(value_type = Option<String>)]
    max_id: Option<i64>,
    /// 1-100, default 20 (items, or groups when grouped).
    limit: Option<u32>,
    /// Only unread ones.
    #[serde(default)]
    unread: bool,
    /// Group by subject and kind ("민지 and 3 others liked your post").
    #[serde(default)]
    grouped: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum NotificationPage {
    Items {
        items: Vec<Notification>,
        /// Pass as `max_id` for the next page; absent at the end.
        next_max_id: Option<String>,
    },
    Groups {
        groups: Vec<NotificationGroup>,
        next_max_id: Option<String>,
    },
}

/// The caller's notifications from every app, newest first.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "notifications", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = NotificationPage), (status = 400, body = ProblemBody), (status = 401, body = ProblemBody)))]
async fn list(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Query(params): Query<ListParams>,
) -> Result<Json<NotificationPage>> {
    let limit = params.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(Error::bad_param("limit", "must be between 1 and 100"));
    }
    if params.grouped {
        let (groups, cursor) =
            service::list_grouped(&ctx, user.id, params.max_id, params.unread, limit as usize)
                .await?;
        return Ok(Json(NotificationPage::Groups {
            groups,
            next_max_id: cursor.map(|c| c.to_string()),
        }));
    }
    let items = service::list(
        &ctx,
        user.id,
        params.max_id,
        params.unread,
        i64::from(limit),
    )
    .await?;
    let next = (items.len() == limit as usize)
        .then(|| items.last().map(|n| n.id.to_string()))
        .flatten();
    Ok(Json(NotificationPage::Items {
        items,
        next_max_id: next,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    count: i64,
}

/// How many notifications are unread (the badge).
#[utoipa::path(get, path = "/api/v1/me/notifications/unread-count", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = UnreadCount), (status = 401, body = ProblemBody)))]
async fn unread_count(
    State(ctx): State<AppContext>,
    user: CurrentUser,
) -> Result<Json<UnreadCount>> {
    Ok(Json(UnreadCount {
        count: service::unread_count(&ctx, user.id).await?,
    }))
}

/// Mark one notification read.
#[utoipa::path(post, path = "/api/v1/me/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path, description = "notification id")),
    responses((status = 204, description = "marked read"), (status = 404, body = ProblemBody)))]
async fn mark_read(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<NotificationId>,
) -> Result<StatusCode> {
    service::mark_read(&ctx, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    marked: u64,
}

/// Mark every notification read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = MarkedRead), (status = 401, body = ProblemBody)))]
async fn mark_all_read(
    State(ctx): State<AppContext>,
    user: CurrentUser,
) -> Result<Json<MarkedRead>> {
    Ok(Json(MarkedRead {
        marked: service::mark_all_read(&ctx, user.id).await?,
    }))
}
