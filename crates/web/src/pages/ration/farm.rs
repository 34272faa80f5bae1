//! `GET /ration`: the visitor's farms; `GET /ration/farms/{farm}`: one farm's feeds (sortable,
//! prices editable), animal groups and formulations.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use super::{Farm, FarmDetail, Feed, segment, won};
use crate::Web;
use crate::failure::Fields;
use crate::i18n::RationTexts;
use crate::pages::{PageResult, Shell, render, when};
use crate::session::Visit;

#[derive(Template)]
#[template(path = "ration/farms.html")]
struct FarmsPage {
    shell: Shell,
    r: &'static RationTexts,
    farms: Vec<Farm>,
    /// The new farm's name as typed.
    typed: String,
    fields: Fields,
}

async fn show_farms(web: &Web, visit: &Visit, typed: String, fields: Fields) -> PageResult {
    let (shell, farms) = tokio::join!(
        Shell::load(web, visit, "ration"),
        web.api.get::<Vec<Farm>>(visit, "/api/v1/ration/farms"),
    );
    Ok(render(&FarmsPage {
        shell: shell?,
        r: visit.lang.ration(),
        farms: farms?,
        typed,
        fields,
    }))
}

pub async fn farms(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    show_farms(&web, &visit, String::new(), Fields::default()).await
}

#[derive(Deserialize)]
pub struct NewFarm {
    #[serde(default)]
    name: String,
}

/// `POST /ration`: a new farm, owned by the visitor.
pub async fn create(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(form): Form<NewFarm>,
) -> PageResult {
    let created = web
        .api
        .send::<Farm>(
            &visit,
            Method::POST,
            "/api/v1/ration/farms",
            &json!({ "name": form.name }),
        )
        .await;
    match created {
        Ok(farm) => Ok(Redirect::to(&format!("/ration/farms/{}", farm.id)).into_response()),
        Err(failure) => show_farms(&web, &visit, form.name, failure.into_fields()?).await,
    }
}

#[derive(Deserialize)]
struct Group {
    name: String,
    head_count: i64,
    requirements: Requirements,
}

#[derive(Deserialize)]
struct Requirements {
    intake_kg_dm: Option<f64>,
}

#[derive(Deserialize)]
struct Saved {
    id: String,
    name: String,
    status: String,
    cost_per_kg: Option<f64>,
    created_at: String,
}

#[derive(Deserialize)]
struct Library {
    feeds: Vec<LibraryFeed>,
}

#[derive(Clone, Deserialize)]
struct LibraryFeed {
    code: String,
    name: String,
}

/// The default library's feeds, read once: it is compiled into the server and never changes
/// while it runs, and it is the largest answer the farm page needs.
static LIBRARY: tokio::sync::OnceCell<Vec<LibraryFeed>> = tokio::sync::OnceCell::const_new();

async fn library(web: &Web, visit: &Visit) -> Result<Vec<LibraryFeed>, crate::failure::Failure> {
    LIBRARY
        .get_or_try_init(|| async {
            web.api
                .get::<Library>(visit, "/api/v1/ration/library")
                .await
                .map(|l| l.feeds)
        })
        .await
        .cloned()
}

/// A feed row of the table.
struct FeedRow {
    id: String,
    code: String,
    name: String,
    dm: String,
    cp: String,
    price: String,
}

struct GroupRow {
    name: String,
    head_count: i64,
    intake: String,
}

struct SavedRow {
    id: String,
    name: String,
    optimal: bool,
    cost: String,
    at: String,
}

#[derive(Template)]
#[template(path = "ration/farm.html")]
struct FarmPage {
    shell: Shell,
    r: &'static RationTexts,
    farm: Farm,
    sort: String,
    feeds: Vec<FeedRow>,
    library: Vec<LibraryFeed>,
    groups: Vec<GroupRow>,
    saved: Vec<SavedRow>,
}

#[derive(Deserialize, Default)]
pub struct Sort {
    #[serde(default)]
    sort: String,
}

pub async fn page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(farm): Path<String>,
    Query(sort): Query<Sort>,
) -> PageResult {
    let base = format!("/api/v1/ration/farms/{}", segment(&farm));
    let (shell, info, feeds, groups, saved, library) = tokio::join!(
        Shell::load(&web, &visit, "ration"),
        web.api.get::<FarmDetail>(&visit, &base),
        web.api.get::<Vec<Feed>>(&visit, format!("{base}/feeds")),
        web.api.get::<Vec<Group>>(&visit, format!("{base}/animals")),
        web.api
            .get::<Vec<Saved>>(&visit, format!("{base}/formulations")),
        library(&web, &visit),
    );
    let mut feeds = feeds?;
    match sort.sort.as_str() {
        "price" => feeds.sort_by(|a, b| a.price.total_cmp(&b.price)),
        "cp" => feeds.sort_by(|a, b| cp(b).total_cmp(&cp(a))),
        "dm" => feeds.sort_by(|a, b| b.dm.total_cmp(&a.dm)),
        _ => feeds.sort_by(|a, b| a.name.cmp(&b.name)),
    }
    Ok(render(&FarmPage {
        shell: shell?,
        r: visit.lang.ration(),
        farm: info?.farm,
        sort: sort.sort,
        feeds: feeds
            .into_iter()
            .map(|f| FeedRow {
                cp: format!("{:.1}", cp(&f)),
                dm: format!("{:.1}", f.dm),
                price: format!("{}", f.price),
                id: f.id,
                code: f.code,
                name: f.name,
            })
            .collect(),
        library: library?,
        groups: groups?
            .into_iter()
            .map(|g| GroupRow {
                name: g.name,
                head_count: g.head_count,
                intake: g
                    .requirements
                    .intake_kg_dm
                    .map_or_else(String::new, |kg| format!("{kg:.1}")),
            })
            .collect(),
        saved: saved?
            .into_iter()
            .map(|s| SavedRow {
                optimal: s.status == "optimal",
                cost: s.cost_per_kg.map_or_else(String::new, won),
                at: when(&visit, &s.created_at),
                id: s.id,
                name: s.name,
            })
            .collect(),
    }))
}

fn cp(feed: &Feed) -> f64 {
    feed.nutrients.get("cp").copied().unwrap_or(0.0)
}

#[derive(Deserialize)]
pub struct Price {
    price: f64,
}

/// `POST /ration/farms/{farm}/feeds/{feed}/price`.
pub async fn set_price(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path((farm, feed)): Path<(String, String)>,
    Form(form): Form<Price>,
) -> PageResult {
    let path = format!(
        "/api/v1/ration/farms/{}/feeds/{}/price",
        segment(&farm),
        segment(&feed)
    );
    web.api
        .send::<IgnoredAny>(&visit, Method::PUT, &path, &json!({ "price": form.price }))
        .await?;
    Ok(Redirect::to(&format!("/ration/farms/{}", segment(&farm))).into_response())
}

#[derive(Deserialize)]
pub struct FromLibrary {
    feed: String,
    price: f64,
}

/// `POST /ration/farms/{farm}/feeds`: a feed from the default library at the given price.
pub async fn add_feed(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(farm): Path<String>,
    Form(form): Form<FromLibrary>,
) -> PageResult {
    let path = format!("/api/v1/ration/farms/{}/feeds/from-library", segment(&farm));
    web.api
        .send::<IgnoredAny>(
            &visit,
            Method::POST,
            &path,
            &json!({ "feed": form.feed, "price": form.price }),
        )
        .await?;
    Ok(Redirect::to(&format!("/ration/farms/{}", segment(&farm))).into_response())
}
