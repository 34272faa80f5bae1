//! `GET /api/v1/search`.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use super::index::{Hit, SearchRequest};
use crate::accounts::MaybeUser;
use crate::error::ProblemBody;
use crate::extract::{Json, Query};
use crate::{ApiRouter, AppContext, Error, Result};

pub fn router(ctx: &AppContext) -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(search))
        .layer(ctx.limits.class_layer(ctx, "search"))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for (1-200 characters). Korean works without spaces between words.
    q: Option<String>,
    /// Comma-separated document types (e.g. `users,content`); default all.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    doc_type: Option<String>,
    /// 1-50, default 20.
    limit: Option<u32>,
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
    /// Only documents in this region (types that have regions, such as questions).
    region: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage {
    items: Vec<Hit>,
    /// Pass as `cursor` for more; absent at the end.
    next_cursor: Option<String>,
}

/// Search every app's documents the caller may see, best match first.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchPage), (status = 400, body = ProblemBody), (status = 429, body = ProblemBody)))]
async fn search(
    State(ctx): State<AppContext>,
    MaybeUser(viewer): MaybeUser,
    Query(params): Query<SearchParams>,
) -> Result<Json<SearchPage>> {
    let q = params.q.as_deref().map(str::trim).unwrap_or_default();
    if q.is_empty() || q.chars().count() > 200 {
        return Err(Error::bad_param("q", "must be 1-200 characters"));
    }
    let limit = params.limit.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return Err(Error::bad_param("limit", "must be between 1 and 50"));
    }
    let known = ctx.search.type_names();
    let types: Vec<String> = params
        .doc_type
        .as_deref()
        .map(|t| {
            t.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(unknown) = types.iter().find(|t| !known.contains(&t.as_str())) {
        return Err(Error::bad_param(
            "type",
            format!("unknown type `{unknown}`; known: {}", known.join(", ")),
        ));
    }
    let offset = match params.cursor.as_deref() {
        None => 0,
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| Error::bad_param("cursor", "not a cursor from a previous page"))?,
    };
    let facets: Vec<(&str, String)> = params.region.into_iter().map(|r| ("region", r)).collect();
    let request = SearchRequest {
        text: q,
        types: &types,
        facets: &facets,
        limit: limit as usize,
        offset,
    };
    let (items, next) = ctx.search.query(&ctx, viewer.as_ref(), &request).await?;
    Ok(Json(SearchPage {
        items,
        next_cursor: next.map(|n| n.to_string()),
    }))
}
