//! social's routes: extract, call the service, answer.

use platform::{ApiRouter, Error, Result};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;

mod feed;
mod graph;
mod posts;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(feed::feed))
        .routes(routes!(feed::refresh))
        .routes(routes!(posts::create_content))
        .routes(routes!(
            posts::get_content,
            posts::edit_content,
            posts::delete_content
        ))
        .routes(routes!(posts::content_history))
        .routes(routes!(posts::like, posts::unlike))
        .routes(routes!(posts::add_comment))
        .routes(routes!(posts::list_comments))
        .routes(routes!(posts::share))
        .routes(routes!(graph::follow, graph::unfollow))
        .routes(routes!(graph::block, graph::unblock))
        .routes(routes!(graph::mute, graph::unmute))
        .routes(routes!(graph::followers))
        .routes(routes!(graph::following))
        .routes(routes!(graph::relationship))
        .routes(routes!(feed::user_content))
        .routes(routes!(feed::tag_content))
        .routes(routes!(graph::follow_requests))
        .routes(routes!(graph::answer_follow_request))
        .routes(routes!(graph::set_privacy))
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
