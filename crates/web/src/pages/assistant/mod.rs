//! The assistant's pages: conversations, and a chat whose replies stream in word by word while
//! the profile panel beside it follows every change, in every open tab of the session.

mod chat;
mod profile;

use askama::Template;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use serde::Deserialize;
use serde_json::json;

use crate::Web;
use crate::i18n::AssistantTexts;
use crate::pages::{PageResult, Shell, render, when};
use crate::session::Visit;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/", get(list).post(start))
        .route("/s/{id}", get(chat::page).post(chat::send))
        .route("/s/{id}/stream", post(chat::stream))
        .route("/s/{id}/profile", get(chat::panel))
        .route("/s/{id}/delete", post(chat::delete))
}

/// A conversation as the API lists it.
#[derive(Debug, Deserialize)]
struct Session {
    id: String,
    title: String,
    version: i64,
    updated_at: String,
}

/// A conversation in the list.
pub struct SessionLink {
    pub id: String,
    pub title: String,
    /// How many times its profile has changed.
    pub steps: i64,
    pub at: String,
    pub at_iso: String,
}

#[derive(Template)]
#[template(path = "assistant/list.html")]
struct List {
    shell: Shell,
    t: &'static AssistantTexts,
    sessions: Vec<SessionLink>,
}

/// `GET /assistant`: the visitor's conversations, latest first.
async fn list(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    if !visit.signed_in() {
        return Err(visit.sign_in_first());
    }
    let (shell, sessions) = tokio::join!(
        Shell::load(&web, &visit, "assistant"),
        web.api
            .get::<Vec<Session>>(&visit, "/api/v1/assistant/sessions"),
    );
    Ok(render(&List {
        shell: shell?,
        t: visit.lang.assistant(),
        sessions: sessions?
            .into_iter()
            .map(|s| SessionLink {
                at: when(&visit, &s.updated_at),
                at_iso: s.updated_at,
                id: s.id,
                title: s.title,
                steps: s.version,
            })
            .collect(),
    }))
}

#[derive(Debug, Default, Deserialize)]
struct NewSession {
    #[serde(default)]
    title: String,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

/// `POST /assistant`: a new conversation, opened at once.
async fn start(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(form): Form<NewSession>,
) -> PageResult {
    let title = form.title.trim();
    let body = json!({ "title": (!title.is_empty()).then_some(title) });
    let created: Created = web
        .api
        .send(&visit, Method::POST, "/api/v1/assistant/sessions", &body)
        .await?;
    Ok(Redirect::to(&format!("/assistant/s/{}", created.id)).into_response())
}
