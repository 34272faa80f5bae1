//! `GET /wellness/alerts`: alerts (open ones first, each with its acknowledge button) and the
//! recommendations drawn from recent data, each with buttons to say whether it helped.

use askama::Template;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use crate::Web;
use crate::i18n::WellnessTexts;
use crate::pages::{PageResult, Shell, render, segment, when};
use crate::session::Visit;

#[derive(Deserialize)]
struct AlertList {
    alerts: Vec<Alert>,
    disclaimer: String,
}

#[derive(Deserialize)]
struct Alert {
    id: String,
    severity: String,
    message: String,
    observed_at: String,
    acknowledged_at: Option<String>,
}

/// An alert as the page shows it.
pub struct AlertView {
    pub id: String,
    /// `info`, `warning` or `critical`, for its colour.
    pub severity: String,
    pub severity_label: &'static str,
    pub message: String,
    pub at: String,
    pub at_iso: String,
    pub open: bool,
}

#[derive(Deserialize)]
struct RecommendationList {
    recommendations: Vec<Recommendation>,
}

#[derive(Deserialize)]
pub struct Recommendation {
    pub id: String,
    pub title: String,
    pub description: String,
    pub confidence: f64,
    #[serde(default)]
    pub because: Vec<Evidence>,
}

#[derive(Deserialize)]
pub struct Evidence {
    pub about: String,
    pub window: String,
    pub value: f64,
    pub unit: String,
}

#[derive(Template)]
#[template(path = "wellness/alerts.html")]
struct AlertsPage {
    shell: Shell,
    w: &'static WellnessTexts,
    alerts: Vec<AlertView>,
    any_open: bool,
    recommendations: Vec<Recommendation>,
    disclaimer: String,
}

pub async fn page(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    let (shell, alerts, recommendations) = tokio::join!(
        Shell::load(&web, &visit, "wellness"),
        web.api.get::<AlertList>(&visit, "/api/v1/alerts/me"),
        web.api
            .get::<RecommendationList>(&visit, "/api/v1/recommendations/me"),
    );
    let (shell, alerts, recommendations) = (shell?, alerts?, recommendations?);
    let w = visit.lang.wellness();
    let mut views: Vec<AlertView> = alerts
        .alerts
        .into_iter()
        .map(|a| AlertView {
            severity_label: match a.severity.as_str() {
                "critical" => w.critical,
                "warning" => w.warning,
                _ => w.info,
            },
            open: a.acknowledged_at.is_none(),
            id: a.id,
            severity: a.severity,
            message: a.message,
            at: when(&visit, &a.observed_at),
            at_iso: a.observed_at,
        })
        .collect();
    // Open alerts first; each group stays newest first, as the API lists them.
    views.sort_by_key(|a| !a.open);
    Ok(render(&AlertsPage {
        shell,
        w,
        any_open: views.iter().any(|a| a.open),
        alerts: views,
        recommendations: recommendations.recommendations,
        disclaimer: alerts.disclaimer,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct Acknowledge {
    /// One alert; every open alert when empty.
    #[serde(default)]
    alert_id: String,
}

/// `POST /wellness/alerts/acknowledge`.
pub async fn acknowledge(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(form): Form<Acknowledge>,
) -> PageResult {
    let id = segment(&form.alert_id);
    let ids: Vec<&str> = if id.is_empty() { Vec::new() } else { vec![&id] };
    web.api
        .send::<IgnoredAny>(
            &visit,
            Method::POST,
            "/api/v1/alerts/me/acknowledge",
            &json!({ "alert_ids": ids }),
        )
        .await?;
    Ok(Redirect::to("/wellness/alerts").into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct Feedback {
    #[serde(default)]
    recommendation_id: String,
    /// `helpful`, `not_helpful` or `dismissed`.
    #[serde(default)]
    verdict: String,
}

/// `POST /wellness/recommendations/feedback`: whether a recommendation helped; a dismissed
/// kind is not shown again.
pub async fn feedback(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(form): Form<Feedback>,
) -> PageResult {
    web.api
        .send::<IgnoredAny>(
            &visit,
            Method::POST,
            "/api/v1/recommendations/me/feedback",
            &json!({ "recommendation_id": form.recommendation_id, "verdict": form.verdict }),
        )
        .await?;
    Ok(Redirect::to("/wellness/alerts#recommendations").into_response())
}
