//! `GET /wellness/goals`: each goal as a ring filled by today's progress, with its streak and
//! the last seven days; a form to set a new one.

use std::f64::consts::PI;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use crate::Web;
use crate::failure::{Fields, optional_number};
use crate::i18n::{Lang, WellnessTexts};
use crate::pages::{PageResult, Shell, render, segment};
use crate::session::Visit;

#[derive(Deserialize)]
struct Goal {
    id: String,
    kind: String,
    title: String,
    per_day: Option<f64>,
    hours: Option<f64>,
    target_kg: Option<f64>,
    progress: Progress,
}

#[derive(Deserialize)]
struct Progress {
    percent: f64,
    achieved: bool,
    streak: u32,
    best_streak: u32,
    #[serde(default)]
    recent: Vec<Day>,
}

#[derive(Deserialize)]
pub struct Day {
    pub date: String,
    pub met: bool,
}

/// The radius of a progress ring, in its 80×80 box.
const RADIUS: f64 = 32.0;

/// How much of a ring's circle is drawn for `percent`: the stroke's dash, then its gap.
pub fn ring(percent: f64) -> (f64, f64) {
    let circle = 2.0 * PI * RADIUS;
    let filled = circle * percent.clamp(0.0, 100.0) / 100.0;
    (
        (filled * 10.0).round() / 10.0,
        (circle * 10.0).round() / 10.0,
    )
}

/// A goal as the page shows it.
pub struct GoalView {
    pub id: String,
    pub title: String,
    /// Today's progress in whole percent, rounded down: 99.6% is not yet done.
    pub percent: String,
    pub dash: f64,
    pub circle: f64,
    pub achieved: bool,
    pub streak: u32,
    pub best_streak: u32,
    pub recent: Vec<Day>,
}

/// A goal's name in the reader's language, from what it asks; the API's own title otherwise.
fn title(lang: Lang, goal: &Goal) -> String {
    let w = lang.wellness();
    let number = |n: f64| {
        let text = format!("{n}");
        text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
    };
    match (goal.kind.as_str(), goal.per_day, goal.hours, goal.target_kg) {
        ("steps", Some(n), ..) => format!("{} {}", w.goal_steps, number(n)),
        ("sleep", _, Some(h), _) => format!("{} {}{}", w.goal_sleep, number(h), w.hours_unit),
        ("weight", .., Some(kg)) => format!("{} {} kg", w.goal_weight, number(kg)),
        _ => goal.title.clone(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Draft {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    target: String,
}

#[derive(Template)]
#[template(path = "wellness/goals.html")]
struct GoalsPage {
    shell: Shell,
    w: &'static WellnessTexts,
    goals: Vec<GoalView>,
    draft: Draft,
    fields: Fields,
}

pub async fn page(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    let draft = Draft {
        kind: "steps".to_owned(),
        target: String::new(),
    };
    show(&web, &visit, draft, Fields::default()).await
}

async fn show(web: &Web, visit: &Visit, draft: Draft, fields: Fields) -> PageResult {
    let (shell, goals) = tokio::join!(
        Shell::load(web, visit, "wellness"),
        web.api.get::<Vec<Goal>>(visit, "/api/v1/health/me/goals"),
    );
    let (shell, goals) = (shell?, goals?);
    Ok(render(&GoalsPage {
        shell,
        w: visit.lang.wellness(),
        goals: goals
            .into_iter()
            .map(|goal| {
                let (dash, circle) = ring(goal.progress.percent);
                GoalView {
                    title: title(visit.lang, &goal),
                    id: goal.id,
                    percent: format!("{:.0}", goal.progress.percent.clamp(0.0, 100.0).floor()),
                    dash,
                    circle,
                    achieved: goal.progress.achieved,
                    streak: goal.progress.streak,
                    best_streak: goal.progress.best_streak,
                    recent: goal.progress.recent,
                }
            })
            .collect(),
        draft,
        fields,
    }))
}

/// `POST /wellness/goals`: a new goal of the chosen kind with its target.
pub async fn add(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(draft): Form<Draft>,
) -> PageResult {
    let target = match optional_number("target", &draft.target) {
        Ok(Some(target)) => target,
        Ok(None) => {
            let fields = Fields::one("target", "is required").in_language(visit.lang);
            return show(&web, &visit, draft, fields).await;
        }
        Err(fields) => return show(&web, &visit, draft, fields.in_language(visit.lang)).await,
    };
    let (kind, field) = match draft.kind.as_str() {
        "sleep" => ("sleep", "hours"),
        "weight" => ("weight", "target_kg"),
        _ => ("steps", "per_day"),
    };
    let body = json!({ "kind": kind, field: target });
    match web
        .api
        .send::<IgnoredAny>(&visit, Method::POST, "/api/v1/health/me/goals", &body)
        .await
    {
        Ok(_) => Ok(Redirect::to("/wellness/goals").into_response()),
        Err(failure) => {
            let fields = failure.renamed(field, "target").into_fields()?;
            show(&web, &visit, draft, fields).await
        }
    }
}

/// `POST /wellness/goals/{id}/delete`.
pub async fn remove(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
) -> PageResult {
    let path = format!("/api/v1/health/me/goals/{}", segment(&id));
    web.api
        .send::<IgnoredAny>(&visit, Method::DELETE, &path, &json!({}))
        .await?;
    Ok(Redirect::to("/wellness/goals").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_is_filled_by_its_share_and_never_past_full() {
        let (dash, circle) = ring(50.0);
        assert!((dash * 2.0 - circle).abs() < 0.2, "{dash} of {circle}");
        assert!((ring(250.0).0 - ring(100.0).1).abs() < 0.01, "full at most");
        assert!(ring(-5.0).0.abs() < f64::EPSILON, "empty at least");
    }
}
