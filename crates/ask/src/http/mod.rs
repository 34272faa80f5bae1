//! ask's routes: extract, check each field, call the service, answer.

use platform::validation::Checked;
use platform::{ApiRouter, AppContext, FieldError};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

use crate::geo::GeoPoint;
use crate::model::{self, Place};

mod answers;
mod members;
mod moderation;
mod places;
mod questions;

pub fn router(ctx: &AppContext) -> ApiRouter {
    let limit = |class| ctx.limits.class_layer(ctx, class);
    ApiRouter::new()
        .routes(routes!(questions::list_questions).layer(limit("read")))
        .routes(routes!(questions::ask_question).layer(limit("question_write")))
        .routes(routes!(
            questions::get_question,
            questions::edit_question,
            questions::delete_question
        ))
        .routes(routes!(
            questions::like_question,
            questions::unlike_question
        ))
        .routes(routes!(answers::answer_question))
        .routes(routes!(answers::create_answer))
        .routes(routes!(answers::edit_answer, answers::delete_answer))
        .routes(routes!(answers::accept_answer))
        .routes(routes!(answers::like_answer, answers::unlike_answer))
        .routes(routes!(places::nearby))
        .routes(routes!(places::trending))
        .routes(routes!(places::stats))
        .routes(routes!(members::verify_location))
        .routes(routes!(members::my_profile, members::set_nickname))
        .routes(routes!(members::profile))
        .routes(routes!(members::points))
        .routes(routes!(members::ledger_audit))
        .routes(routes!(moderation::report))
        .routes(routes!(moderation::reports))
        .routes(routes!(moderation::hide_question))
        .routes(routes!(moderation::hide_answer))
        .routes(routes!(moderation::restore_question))
        .routes(routes!(moderation::restore_answer))
        .routes(routes!(moderation::hidden))
        .routes(routes!(moderation::suspend))
}

/// A place as clients send it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceInput {
    lat: f64,
    lng: f64,
    place_name: Option<String>,
}

/// Checks an optional place; errors name `{name}.lat`, `{name}.lng` or `{name}.place_name`.
fn place(name: &str, input: Option<&PlaceInput>) -> Checked<Option<Place>> {
    let Some(input) = input else {
        return Ok(None);
    };
    let point = GeoPoint::new(input.lat, input.lng)
        .map_err(|(f, message)| FieldError::new(format!("{name}.{f}"), message))?;
    let place_name = model::place_name(input.place_name.as_deref())
        .map_err(|message| FieldError::new(format!("{name}.place_name"), message))?;
    Ok(Some(Place {
        lat: point.lat(),
        lng: point.lng(),
        place_name,
    }))
}
