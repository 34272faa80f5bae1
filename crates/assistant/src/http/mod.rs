//! assistant's routes: extract, check, call the service, answer.

use utoipa_axum::routes;

use platform::ApiRouter;

mod profile;
mod sessions;
mod status;
mod sync;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(sessions::list, sessions::create))
        .routes(routes!(sessions::get, sessions::delete))
        .routes(routes!(sessions::messages, sessions::send))
        .routes(routes!(profile::profile, profile::update))
        .routes(routes!(profile::batch))
        .routes(routes!(profile::events))
        .routes(routes!(profile::operation))
        .routes(routes!(status::usage))
        .routes(routes!(status::all_usage))
        .routes(routes!(status::status))
        .routes(routes!(sync::sync))
}
