//! `/api/v1/ration` routes.

use axum::body::Bytes;
use utoipa_axum::routes;

use crate::engine::formulate::Formulation;
use crate::engine::{formulate, parse_file};
use platform::accounts::CurrentUser;
use platform::extract::Json;
use platform::{ApiRouter, Error, Result};

/// Bounds on one request, so a single call cannot hold a core for long.
const MAX_PROBLEMS: usize = 100;
const MAX_INGREDIENTS: usize = 500;
const MAX_CONSTRAINTS: usize = 500;

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(formulate_problems))
}

/// The answer for one problem or, for `{"problems": [...]}`, for each in order.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum FormulateResponse {
    #[schema(value_type = Object)]
    One(Box<Formulation>),
    Many {
        #[schema(value_type = Vec<Object>)]
        results: Vec<Formulation>,
    },
}

/// Least-cost formulation of a problem in the documented file format (docs/ration-format.md):
/// recipe, costs, nutrient supply, shadow prices, reduced costs and cost ranges, or the
/// conflicting constraints of an infeasible problem. Nothing is stored.
#[utoipa::path(post, path = "/api/v1/ration/formulate", tag = "ration", security(("bearer" = [])),
    request_body(content = Object, description = "one problem, or {\"problems\": [...]}", content_type = "application/json"),
    responses((status = 200, body = FormulateResponse),
        (status = 422, description = "the problem cannot be used; `errors[0].field` is the place, e.g. `ingredients[2].dm`", body = platform::error::ProblemBody),
        (status = 401, body = platform::error::ProblemBody)))]
async fn formulate_problems(_user: CurrentUser, body: Bytes) -> Result<Json<FormulateResponse>> {
    let text =
        std::str::from_utf8(&body).map_err(|_| Error::bad_param("body", "must be UTF-8 JSON"))?;
    let file = parse_file(text).map_err(|e| Error::invalid_field(e.place, e.message))?;
    let (problems, listed) = (file.problems, file.listed);
    if problems.len() > MAX_PROBLEMS {
        return Err(Error::invalid_field(
            "problems",
            format!("at most {MAX_PROBLEMS} problems per request"),
        ));
    }
    for (i, p) in problems.iter().enumerate() {
        let at = |field: &str| {
            if listed {
                format!("problems[{i}].{field}")
            } else {
                field.to_owned()
            }
        };
        if p.ingredients.len() > MAX_INGREDIENTS {
            return Err(Error::invalid_field(
                at("ingredients"),
                format!("at most {MAX_INGREDIENTS} ingredients"),
            ));
        }
        if p.constraints.len() > MAX_CONSTRAINTS {
            return Err(Error::invalid_field(
                at("constraints"),
                format!("at most {MAX_CONSTRAINTS} constraints"),
            ));
        }
    }
    let mut results =
        tokio::task::spawn_blocking(move || problems.iter().map(formulate).collect::<Vec<_>>())
            .await
            .map_err(Error::internal)?;
    Ok(Json(match (listed, results.pop()) {
        (false, Some(one)) => FormulateResponse::One(Box::new(one)),
        (_, last) => FormulateResponse::Many {
            results: results.into_iter().chain(last).collect(),
        },
    }))
}
