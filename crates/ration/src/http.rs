//! `/api/v1/ration` routes: extract, call the service, answer.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use platform::accounts::{CurrentUser, UserId};
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::validation::{Validate, field};
use platform::{ApiRouter, AppContext, Error, Result};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::engine::formulate::Formulation;
use crate::engine::library::{self, Library};
use crate::engine::problem::{Basis, Problem};
use crate::engine::requirements::{Animal, Requirements};
use crate::engine::{formulate, parse_file, report};
use crate::model::{
    self, AnimalGroup, AuditEntry, Farm, FarmId, FarmRole, Feed, FeedId, FormulationId,
    FormulationRequest, FormulationSummary, Member, PricePoint, SavedFormulation,
};
use crate::service::{self, Comparison};

/// Bounds on one formulate request, so a single call cannot hold a core for long.
const MAX_PROBLEMS: usize = 100;
const MAX_INGREDIENTS: usize = 500;
const MAX_CONSTRAINTS: usize = 500;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(formulate_problems))
        .routes(routes!(create_farm, list_farms))
        .routes(routes!(get_farm))
        .routes(routes!(set_member, remove_member))
        .routes(routes!(audit_log))
        .routes(routes!(add_feed, list_feeds))
        .routes(routes!(default_library))
        .routes(routes!(add_library_feed))
        .routes(routes!(set_price))
        .routes(routes!(price_history))
        .routes(routes!(save_formulation, list_formulations))
        .routes(routes!(get_formulation))
        .routes(routes!(formulation_report))
        .routes(routes!(compare_formulations))
        .routes(routes!(add_animals, list_animals))
        .routes(routes!(preview_requirements))
}

/// The answer for one problem or, for `{"problems": [...]}`, for each in order.
#[derive(Serialize, ToSchema)]
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
        (status = 422, description = "the problem cannot be used; `errors[0].field` is the place, e.g. `ingredients[2].dm`", body = ProblemBody),
        (status = 401, body = ProblemBody)))]
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewFarm {
    /// 1-100 characters.
    name: String,
}

/// Create a farm; the caller becomes its owner.
#[utoipa::path(post, path = "/api/v1/ration/farms", tag = "ration", security(("bearer" = [])), request_body = NewFarm,
    responses((status = 201, body = Farm), (status = 422, body = ProblemBody)))]
async fn create_farm(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(req): Json<NewFarm>,
) -> Result<(StatusCode, Json<Farm>)> {
    let name = model::farm_name(&req.name).map_err(|e| Error::invalid_field("name", e))?;
    Ok((
        StatusCode::CREATED,
        Json(service::create_farm(&ctx, &user, &name).await?),
    ))
}

/// The farms the caller belongs to, with their role on each.
#[utoipa::path(get, path = "/api/v1/ration/farms", tag = "ration", security(("bearer" = [])), responses((status = 200, body = Vec<Farm>)))]
async fn list_farms(State(ctx): State<AppContext>, user: CurrentUser) -> Result<Json<Vec<Farm>>> {
    service::farms(&ctx, &user).await.map(Json)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FarmDetail {
    farm: Farm,
    members: Vec<Member>,
}

/// A farm and its members.
#[utoipa::path(get, path = "/api/v1/ration/farms/{farm}", tag = "ration", security(("bearer" = [])), params(("farm" = String, Path)),
    responses((status = 200, body = FarmDetail), (status = 404, body = ProblemBody)))]
async fn get_farm(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(farm): Path<FarmId>,
) -> Result<Json<FarmDetail>> {
    let (farm, members) = service::farm(&ctx, &user, farm).await?;
    Ok(Json(FarmDetail { farm, members }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MemberRole {
    role: FarmRole,
}

/// Add a member or change their role (owners only).
#[utoipa::path(put, path = "/api/v1/ration/farms/{farm}/members/{user_id}", tag = "ration", security(("bearer" = [])), request_body = MemberRole,
    params(("farm" = String, Path), ("user_id" = String, Path)),
    responses((status = 204, description = "set"), (status = 403, body = ProblemBody), (status = 409, description = "the last owner cannot step down", body = ProblemBody)))]
async fn set_member(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path((farm, member)): Path<(FarmId, UserId)>,
    Json(req): Json<MemberRole>,
) -> Result<StatusCode> {
    service::set_member(&ctx, &user, farm, member, req.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a member (owners only).
#[utoipa::path(delete, path = "/api/v1/ration/farms/{farm}/members/{user_id}", tag = "ration", security(("bearer" = [])),
    params(("farm" = String, Path), ("user_id" = String, Path)),
    responses((status = 204, description = "removed"), (status = 403, body = ProblemBody), (status = 409, body = ProblemBody)))]
async fn remove_member(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path((farm, member)): Path<(FarmId, UserId)>,
) -> Result<StatusCode> {
    service::remove_member(&ctx, &user, farm, member).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every change on the farm, newest first: who, what, before and after.
#[utoipa::path(get, path = "/api/v1/ration/farms/{farm}/audit", tag = "ration", security(("bearer" = [])), params(("farm" = String, Path)),
    responses((status = 200, body = Vec<AuditEntry>), (status = 404, body = ProblemBody)))]
async fn audit_log(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(farm): Path<FarmId>,
) -> Result<Json<Vec<AuditEntry>>> {
    service::audit_log(&ctx, &user, farm).await.map(Json)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeed {
    code: String,
    name: String,
    dm: f64,
    #[schema(value_type = String)]
    nutrient_basis: Basis,
    #[serde(default)]
    nutrients: std::collections::BTreeMap<String, f64>,
    /// Price per kg as fed.
    price: f64,
}

/// Add a feed to the farm's library (nutritionists and owners).
#[utoipa::path(post, path = "/api/v1/ration/farms/{farm}/feeds", tag = "ration", security(("bearer" = [])), request_body = NewFeed, params(("farm" = String, Path)),
    responses((status = 201, body = Feed), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn add_feed(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(farm): Path<FarmId>,
    Json(req): Json<NewFeed>,
) -> Result<(StatusCode, Json<Feed>)> {
    let nutrients_ok = req.nutrients.values().all(|v| v.is_finite());
    let (code, name, dm, price, nutrients) = (
        field("code", model::feed_code(&req.code)),
        field("name", model::farm_name(&req.name)),
        field(
            "dm",
            if req.dm > 0.0 && req.dm <= 100.0 {
                Ok(req.dm)
            } else {
                Err("must be a percentage above 0 and at most 100")
            },
        ),
        field("price", model::price(req.price)),
        field(
            "nutrients",
            if nutrients_ok {
                Ok(req.nutrients)
            } else {
                Err("every value must be a finite number")
            },
        ),
    )
        .validate()?;
    let feed = Feed {
        id: FeedId::from_raw(0),
        code,
        name,
        dm,
        nutrient_basis: req.nutrient_basis,
        nutrients,
        price,
        updated_at: platform::time::Timestamp::from_micros(0),
    };
    Ok((
        StatusCode::CREATED,
        Json(service::add_feed(&ctx, &user, farm, feed).await?),
    ))
}

/// The default feed library shipped with maru: composition of common feeds, each value naming
/// its published table, row and column (or the equation deriving it).
#[utoipa::path(get, path = "/api/v1/ration/library", tag = "ration", security(("bearer" = [])),
    responses((status = 200, body = Library)))]
async fn default_library(_user: CurrentUser) -> Json<&'static Library> {
    Json(library::library())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LibraryFeedChoice {
    /// Code of the feed in the default library.
    feed: String,
    /// Code on this farm; the library code when left out.
    code: Option<String>,
    /// Price per kg as fed.
    price: f64,
}

/// Add a feed of the default library to the farm, with its published composition and the farm's
/// price (nutritionists and owners).
#[utoipa::path(post, path = "/api/v1/ration/farms/{farm}/feeds/from-library", tag = "ration", security(("bearer" = [])), request_body = LibraryFeedChoice, params(("farm" = String, Path)),
    responses((status = 201, body = Feed), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn add_library_feed(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(farm): Path<FarmId>,
    Json(req): Json<LibraryFeedChoice>,
) -> Result<(StatusCode, Json<Feed>)> {
    let (source, code, price) = (
        field(
            "feed",
            library::library()
                .feed(&req.feed)
                .ok_or("is not in the default library (GET /api/v1/ration/library)"),
        ),
        field(
            "code",
            model::feed_code(req.code.as_deref().unwrap_or(&req.feed)),
        ),
        field("price", model::price(req.price)),
    )
        .validate()?;
    let mut ingredient = source.ingredient(price);
    ingredient.id = code;
    let feed = Feed::from_ingredient(ingredient);
    Ok((
        StatusCode::CREATED,
        Json(service::add_feed(&ctx, &user, farm, feed).await?),
    ))
}

/// The farm's feed library with current prices.
#[utoipa::path(get, path = "/api/v1/ration/farms/{farm}/feeds", tag = "ration", security(("bearer" = [])), params(("farm" = String, Path)),
    responses((status = 200, body = Vec<Feed>), (status = 404, body = ProblemBody)))]
async fn list_feeds(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(farm): Path<FarmId>,
) -> Result<Json<Vec<Feed>>> {
    service::feeds(&ctx, &user, farm).await.map(Json)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPrice {
    /// Price per kg as fed.
    price: f64,
}

/// Set a feed's price; saved formulations are solved again and the farm is told when a recipe
/// got cheaper.
#[utoipa::path(put, path = "/api/v1/ration/farms/{farm}/feeds/{feed}/price", tag = "ration", security(("bearer" = [])), request_body = NewPrice,
    params(("farm" = String, Path), ("feed" = String, Path)),
    responses((status = 200, body = Feed), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)))]
async fn set_price(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path((farm, feed)): Path<(FarmId, FeedId)>,
    Json(req): Json<NewPrice>,
) -> Result<Json<Feed>> {
    let price = model::price(req.price).map_err(|e| Error::invalid_field("price", e))?;
    service::set_price(&ctx, &user, farm, feed, price)
        .await
        .map(Json)
}

/// A feed's price history, newest first.
#[utoipa::path(get, path = "/api/v1/ration/farms/{farm}/feeds/{feed}/prices", tag = "ration", security(("bearer" = [])),
    params(("farm" = String, Path), ("feed" = String, Path)), responses((status = 200, body = Vec<PricePoint>)))]
async fn price_history(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path((farm, feed)): Path<(FarmId, FeedId)>,
) -> Result<Json<Vec<PricePoint>>> {
    service::price_history(&ctx, &user, farm, feed)
        .await
        .map(Json)
}

/// Formulate from the farm's feeds at today's prices and save input and answer together.
#[utoipa::path(post, path = "/api/v1/ration/farms/{farm}/formulations", tag = "ration", security(("bearer" = [])), request_body = FormulationRequest,
    params(("farm" = String, Path)), responses((status = 201, body = SavedFormulation), (status = 422, body = ProblemBody)))]
async fn save_formulation(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(farm): Path<FarmId>,
    Json(req): Json<FormulationRequest>,
) -> Result<(StatusCode, Json<SavedFormulation>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::formulate_and_save(&ctx, &user, farm, req).await?),
    ))
}

/// The farm's saved formulations, newest first (at most 200).
#[utoipa::path(get, path = "/api/v1/ration/farms/{farm}/formulations", tag = "ration", security(("bearer" = [])), params(("farm" = String, Path)),
    responses((status = 200, body = Vec<FormulationSummary>)))]
async fn list_formulations(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(farm): Path<FarmId>,
) -> Result<Json<Vec<FormulationSummary>>> {
    service::formulations(&ctx, &user, farm).await.map(Json)
}

/// One saved formulation.
#[utoipa::path(get, path = "/api/v1/ration/farms/{farm}/formulations/{id}", tag = "ration", security(("bearer" = [])),
    params(("farm" = String, Path), ("id" = String, Path)), responses((status = 200, body = SavedFormulation), (status = 404, body = ProblemBody)))]
async fn get_formulation(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path((farm, id)): Path<(FarmId, FormulationId)>,
) -> Result<Json<SavedFormulation>> {
    service::formulation(&ctx, &user, farm, id).await.map(Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// `html` (printable, default) or `csv`.
    format: Option<String>,
    /// Mixing sheet for this batch size, kg as fed (default: the formulation's).
    batch_kg: Option<f64>,
}

/// A saved formulation as a printable HTML report or CSV, with the mixing sheet for a batch.
#[utoipa::path(get, path = "/api/v1/ration/farms/{farm}/formulations/{id}/report", tag = "ration", security(("bearer" = [])),
    params(("farm" = String, Path), ("id" = String, Path), ReportParams),
    responses((status = 200, description = "text/html or text/csv"), (status = 400, body = ProblemBody), (status = 404, body = ProblemBody)))]
async fn formulation_report(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path((farm, id)): Path<(FarmId, FormulationId)>,
    Query(params): Query<ReportParams>,
) -> Result<Response> {
    let saved = service::formulation(&ctx, &user, farm, id).await?;
    let mut problem: Problem = serde_json::from_value(saved.problem).map_err(Error::internal)?;
    if let Some(batch) = params.batch_kg {
        if !(batch.is_finite() && batch > 0.0) {
            return Err(Error::bad_param("batch_kg", "must be above 0"));
        }
        problem.batch_kg = Some(batch);
    }
    let result = formulate(&problem);
    match params.format.as_deref().unwrap_or("html") {
        "html" => Ok((
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            report::html(&result, &saved.summary.name),
        )
            .into_response()),
        "csv" => Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            report::csv(&result),
        )
            .into_response()),
        _ => Err(Error::bad_param("format", "must be `html` or `csv`")),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareParams {
    /// Comma-separated formulation ids (2-10).
    ids: String,
}

/// Saved formulations side by side: cost, every ingredient's share, every nutrient's supply.
#[utoipa::path(get, path = "/api/v1/ration/farms/{farm}/formulations/compare", tag = "ration", security(("bearer" = [])),
    params(("farm" = String, Path), CompareParams), responses((status = 200, body = Comparison), (status = 400, body = ProblemBody)))]
async fn compare_formulations(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(farm): Path<FarmId>,
    Query(params): Query<CompareParams>,
) -> Result<Json<Comparison>> {
    let ids: Vec<FormulationId> = params
        .ids
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()
        .map_err(|_| Error::bad_param("ids", "must be formulation ids separated by commas"))?;
    if !(2..=10).contains(&ids.len()) {
        return Err(Error::bad_param("ids", "name 2 to 10 formulations"));
    }
    service::compare(&ctx, &user, farm, &ids).await.map(Json)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnimalGroup {
    /// 1-100 characters.
    name: String,
    /// 1-100,000 head.
    head_count: i64,
    animal: Animal,
}

fn checked_animal(animal: Animal) -> Result<Animal> {
    animal
        .validate()
        .map_err(|e| Error::invalid_field(format!("animal.{}", e.field), e.message))?;
    Ok(animal)
}

/// Add a group of alike animals; its requirements and predicted intake come back with it.
#[utoipa::path(post, path = "/api/v1/ration/farms/{farm}/animals", tag = "ration", security(("bearer" = [])), request_body = NewAnimalGroup,
    params(("farm" = String, Path)), responses((status = 201, body = AnimalGroup), (status = 422, body = ProblemBody)))]
async fn add_animals(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(farm): Path<FarmId>,
    Json(req): Json<NewAnimalGroup>,
) -> Result<(StatusCode, Json<AnimalGroup>)> {
    let (name, head_count, animal) = (
        field("name", model::farm_name(&req.name)),
        field(
            "head_count",
            if (1..=100_000).contains(&req.head_count) {
                Ok(req.head_count)
            } else {
                Err("must be 1 to 100,000")
            },
        ),
        checked_animal(req.animal).map_err(|e| {
            e.field_errors()
                .first()
                .cloned()
                .unwrap_or_else(|| platform::FieldError::new("animal", "is invalid"))
        }),
    )
        .validate()?;
    Ok((
        StatusCode::CREATED,
        Json(service::add_group(&ctx, &user, farm, name, head_count, animal).await?),
    ))
}

/// The farm's animal groups with their requirements.
#[utoipa::path(get, path = "/api/v1/ration/farms/{farm}/animals", tag = "ration", security(("bearer" = [])), params(("farm" = String, Path)),
    responses((status = 200, body = Vec<AnimalGroup>)))]
async fn list_animals(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(farm): Path<FarmId>,
) -> Result<Json<Vec<AnimalGroup>>> {
    service::groups(&ctx, &user, farm).await.map(Json)
}

/// Requirements and predicted intake for an animal, without saving anything.
#[utoipa::path(post, path = "/api/v1/ration/requirements", tag = "ration", security(("bearer" = [])), request_body = Animal,
    responses((status = 200, body = Requirements), (status = 422, body = ProblemBody)))]
async fn preview_requirements(
    _user: CurrentUser,
    Json(animal): Json<Animal>,
) -> Result<Json<Requirements>> {
    let animal = animal
        .validate()
        .map(|()| animal)
        .map_err(|e| Error::invalid_field(e.field, e.message))?;
    Ok(Json(animal.requirements()))
}
