//! The OpenAPI document (`/api/openapi.json`) and its docs UI (`/api/docs`).

use std::sync::Arc;

use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::AppContext;

#[derive(OpenApi)]
#[openapi(
    info(title = "maru", description = "One server for five apps: social, ask, wellness, assistant, ration. \
        Errors are RFC 9457 problem+json; ids are strings of digits; times are RFC 3339."),
    modifiers(&BearerAuth),
    components(schemas(crate::error::ProblemBody, crate::error::FieldError))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT or maru_ API key")
                        .build(),
                ),
            );
        }
    }
}

/// Serves the document and the docs UI (vendored, nothing fetched at run time).
pub fn docs_router(doc: utoipa::openapi::OpenApi) -> axum::Router<AppContext> {
    let json = Arc::new(doc.to_json().unwrap_or_else(|_| "{}".to_owned()));
    let swagger: axum::Router<AppContext> = SwaggerUi::new("/api/docs")
        .url("/api/docs/openapi.json", doc)
        .into();
    axum::Router::new()
        .route(
            "/api/openapi.json",
            get(move || {
                let json = Arc::clone(&json);
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        json.as_ref().clone(),
                    )
                }
            }),
        )
        .merge(swagger)
}
