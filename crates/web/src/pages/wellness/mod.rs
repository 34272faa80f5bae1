//! The wellness dashboard: heart rate, blood pressure, steps and sleep over a day, a week or a
//! month as SVG charts from the rollup API, and a form to record a vital sign by hand.

mod alerts;
mod chart;
mod goals;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use self::chart::{Bucket, Chart, Shape};
use crate::Web;
use crate::failure::{Fields, optional_number};
use crate::i18n::{Lang, WellnessTexts};
use crate::pages::{PageResult, Shell, render};
use crate::session::Visit;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/", get(page).post(record))
        .route("/goals", get(goals::page).post(goals::add))
        .route("/goals/{id}/delete", post(goals::remove))
        .route("/alerts", get(alerts::page))
        .route("/alerts/acknowledge", post(alerts::acknowledge))
        .route("/recommendations/feedback", post(alerts::feedback))
}

/// The period a dashboard covers, and the bucket it is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Range {
    Day,
    Week,
    Month,
}

impl Range {
    fn parse(raw: &str) -> Self {
        match raw {
            "day" => Self::Day,
            "month" => Self::Month,
            _ => Self::Week,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    fn bucket(self) -> &'static str {
        match self {
            Self::Day => "hour",
            Self::Week | Self::Month => "day",
        }
    }

    fn hours(self) -> i64 {
        match self {
            Self::Day => 24,
            Self::Week => 24 * 7,
            Self::Month => 24 * 30,
        }
    }
}

/// One chart of the dashboard: which series, how it is drawn, and how its values read.
struct Plot {
    series: &'static str,
    shape: Shape,
    unit: &'static str,
    /// Values are divided by this (sleep comes in minutes, is read in hours).
    divide: f64,
}

const PLOTS: [Plot; 5] = [
    Plot {
        series: "heart_rate",
        shape: Shape::Line,
        unit: "/min",
        divide: 1.0,
    },
    Plot {
        series: "systolic",
        shape: Shape::Line,
        unit: "mmHg",
        divide: 1.0,
    },
    Plot {
        series: "diastolic",
        shape: Shape::Line,
        unit: "mmHg",
        divide: 1.0,
    },
    Plot {
        series: "steps",
        shape: Shape::Bars,
        unit: "",
        divide: 1.0,
    },
    Plot {
        series: "sleep",
        shape: Shape::Bars,
        unit: "h",
        divide: 60.0,
    },
];

#[derive(Deserialize)]
struct Series {
    points: Vec<Point>,
}

/// The dashboard's series, read together.
#[derive(Deserialize)]
struct SeriesSet {
    series: Vec<Series>,
}

#[derive(Deserialize)]
struct Point {
    start: String,
    min: f64,
    max: f64,
    avg: f64,
    sum: f64,
}

/// A chart with its heading.
pub struct Panel {
    pub id: &'static str,
    pub title: &'static str,
    pub chart: Chart,
}

#[derive(Template)]
#[template(path = "wellness/dashboard.html")]
struct Dashboard {
    shell: Shell,
    w: &'static WellnessTexts,
    range: &'static str,
    panels: Vec<Panel>,
    entry: Entry,
    fields: Fields,
    saved: bool,
}

#[derive(Deserialize, Default)]
pub struct View {
    #[serde(default)]
    range: String,
    #[serde(default)]
    saved: bool,
}

fn title(w: &WellnessTexts, series: &str) -> &'static str {
    match series {
        "heart_rate" => w.heart_rate,
        "systolic" => w.systolic,
        "diastolic" => w.diastolic,
        "steps" => w.steps,
        _ => w.sleep,
    }
}

/// A bucket's label in the visitor's zone: the hour for a day's chart, else month/day.
fn label(visit: &Visit, range: Range, start: &str) -> String {
    let Ok(at) = start.parse::<jiff::Timestamp>() else {
        return String::new();
    };
    let local = at.to_zoned(visit.zone.clone());
    match (range, visit.lang) {
        (Range::Day, Lang::Ko) => local.strftime("%-H시").to_string(),
        (Range::Day, Lang::En) => local.strftime("%H:00").to_string(),
        _ => local.strftime("%-m/%-d").to_string(),
    }
}

async fn show(
    web: &Web,
    visit: &Visit,
    range: Range,
    entry: Entry,
    fields: Fields,
    saved: bool,
) -> PageResult {
    let from = jiff::Timestamp::now()
        .saturating_sub(jiff::SignedDuration::from_hours(range.hours()))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let types: Vec<&str> = PLOTS.iter().map(|p| p.series).collect();
    let path = format!(
        "/api/v1/health/me/series/set?types={}&bucket={}&from={}",
        types.join(","),
        range.bucket(),
        from.strftime("%Y-%m-%dT%H:%M:%SZ")
    );
    let (shell, set) = tokio::join!(
        Shell::load(web, visit, "wellness"),
        web.api.get::<SeriesSet>(visit, path),
    );
    // Signed out, the series read answers 401, and the visitor is sent to sign in.
    let (shell, series) = (shell?, set?.series);
    let w = visit.lang.wellness();
    let panels = PLOTS
        .iter()
        .zip(series)
        .map(|(plot, series)| {
            let buckets: Vec<Bucket> = series
                .points
                .iter()
                .map(|p| Bucket {
                    label: label(visit, range, &p.start),
                    min: p.min / plot.divide,
                    max: p.max / plot.divide,
                    avg: p.avg / plot.divide,
                    sum: p.sum / plot.divide,
                })
                .collect();
            Panel {
                id: plot.series,
                title: title(w, plot.series),
                chart: chart::draw(&buckets, plot.shape, plot.unit),
            }
        })
        .collect();
    Ok(render(&Dashboard {
        shell,
        w,
        range: range.key(),
        panels,
        entry,
        fields,
        saved,
    }))
}

pub async fn page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Query(view): Query<View>,
) -> PageResult {
    let entry = Entry {
        kind: "heart_rate".to_owned(),
        ..Entry::default()
    };
    show(
        &web,
        &visit,
        Range::parse(&view.range),
        entry,
        Fields::default(),
        view.saved,
    )
    .await
}

/// The record form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct Entry {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    systolic: String,
    #[serde(default)]
    diastolic: String,
    #[serde(default)]
    at: String,
}

impl Entry {
    /// The API record, or the fields that cannot be read.
    fn request(&self, visit: &Visit) -> Result<serde_json::Value, Fields> {
        let start = match self.at.trim() {
            "" => jiff::Timestamp::now().to_zoned(visit.zone.clone()),
            text => text
                .parse::<jiff::civil::DateTime>()
                .ok()
                .and_then(|local| local.to_zoned(visit.zone.clone()).ok())
                .ok_or_else(|| Fields::one("at", "must be a date and time"))?,
        };
        let mut body = json!({
            "client_id": format!("web-{}", platform::accounts::random_hex(12)),
            "type": self.kind,
            "start": start.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        });
        if self.kind == "blood_pressure" {
            body["systolic"] = json!(optional_number("systolic", &self.systolic)?);
            body["diastolic"] = json!(optional_number("diastolic", &self.diastolic)?);
        } else {
            body["value"] = json!(optional_number("value", &self.value)?);
        }
        Ok(body)
    }
}

/// `POST /wellness`: records one vital sign; a refused one comes back in the form.
pub async fn record(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(entry): Form<Entry>,
) -> PageResult {
    let body = match entry.request(&visit) {
        Ok(body) => body,
        Err(fields) => {
            let fields = fields.in_language(visit.lang);
            return show(&web, &visit, Range::Week, entry, fields, false).await;
        }
    };
    match web
        .api
        .send::<IgnoredAny>(&visit, Method::POST, "/api/v1/health/me/vitals", &body)
        .await
    {
        Ok(_) => Ok(Redirect::to("/wellness?range=day&saved=true").into_response()),
        Err(failure) => {
            let fields = failure.into_fields()?;
            show(&web, &visit, Range::Week, entry, fields, false).await
        }
    }
}
