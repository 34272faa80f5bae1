//! `GET /admin/jobs`: the job queue by state, and the dead letters with a retry button.

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use crate::Web;
use crate::i18n::AdminTexts;
use crate::pages::{PageResult, Shell, render, segment, when};
use crate::session::Visit;

#[derive(Deserialize)]
struct Queue {
    queued: i64,
    running: i64,
    dead: i64,
    dead_letters: Vec<Job>,
}

#[derive(Deserialize)]
struct Job {
    id: String,
    kind: String,
    attempts: i64,
    run_at: String,
    last_error: Option<String>,
}

/// A dead letter as the page lists it.
pub struct DeadLetter {
    pub id: String,
    pub kind: String,
    pub attempts: i64,
    pub at: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin/jobs.html")]
struct JobsPage {
    shell: Shell,
    t: &'static AdminTexts,
    queued: i64,
    running: i64,
    dead: i64,
    letters: Vec<DeadLetter>,
}

pub async fn page(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    let (shell, queue) = tokio::join!(
        Shell::load(&web, &visit, ""),
        web.api.get::<Queue>(&visit, "/api/v1/admin/jobs"),
    );
    let (shell, queue) = (shell?, queue?);
    Ok(render(&JobsPage {
        shell,
        t: visit.lang.admin(),
        queued: queue.queued,
        running: queue.running,
        dead: queue.dead,
        letters: queue
            .dead_letters
            .into_iter()
            .map(|j| DeadLetter {
                at: when(&visit, &j.run_at),
                id: j.id,
                kind: j.kind,
                attempts: j.attempts,
                error: j.last_error.unwrap_or_default(),
            })
            .collect(),
    }))
}

/// `POST /admin/jobs/{id}/retry`: the dead job goes back in the queue (admins).
pub async fn retry(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
) -> PageResult {
    let path = format!("/api/v1/admin/jobs/{}/retry", segment(&id));
    web.api
        .send::<IgnoredAny>(&visit, Method::POST, &path, &json!({}))
        .await?;
    Ok(Redirect::to("/admin/jobs").into_response())
}
