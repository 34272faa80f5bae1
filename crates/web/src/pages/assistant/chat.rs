//! `GET /assistant/s/{id}`: one conversation with its live profile.
//!
//! Without JavaScript a message is a form post and the page comes back with the reply. With
//! it, the script posts to `/stream` and shows the reply as it is written (the API's SSE
//! events, passed through), and follows `/api/v1/assistant/sync` so the panel changes in
//! every tab the moment the profile does; the panel is fetched as HTML from `/profile`, so its
//! words stay the server's.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form, Json};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use super::profile::{Facts, Row};
use crate::Web;
use crate::api::Payload;
use crate::failure::Fields;
use crate::i18n::AssistantTexts;
use crate::pages::{PageResult, Shell, render, segment, when};
use crate::session::Visit;

/// How many of the latest messages the page shows.
const SHOWN: usize = 100;

#[derive(Deserialize)]
struct SessionView {
    id: String,
    title: String,
    profile: Versioned,
}

/// A profile with its version (`GET .../profile`, and inside a session).
#[derive(Deserialize)]
struct Versioned {
    version: i64,
    profile: Facts,
}

#[derive(Deserialize)]
struct Message {
    id: String,
    role: String,
    text: String,
    created_at: String,
}

/// A message as the chat shows it.
pub struct Bubble {
    pub id: String,
    pub mine: bool,
    pub text: String,
    pub at: String,
    pub at_iso: String,
}

/// The profile panel, alone (what the script fetches) or in the page.
#[derive(Template)]
#[template(path = "assistant/panel.html")]
pub struct Panel {
    t: &'static AssistantTexts,
    version: i64,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "assistant/chat.html")]
struct Chat {
    shell: Shell,
    t: &'static AssistantTexts,
    id: String,
    title: String,
    messages: Vec<Bubble>,
    panel: Panel,
    draft: String,
    fields: Fields,
}

pub async fn page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
) -> PageResult {
    show(&web, &visit, &id, String::new(), Fields::default()).await
}

async fn show(web: &Web, visit: &Visit, id: &str, draft: String, fields: Fields) -> PageResult {
    if !visit.signed_in() {
        return Err(visit.sign_in_first());
    }
    let id = segment(id);
    let (shell, session, messages) = tokio::join!(
        Shell::load(web, visit, "assistant"),
        web.api
            .get::<SessionView>(visit, format!("/api/v1/assistant/sessions/{id}")),
        web.api.get::<Vec<Message>>(
            visit,
            format!("/api/v1/assistant/sessions/{id}/messages?limit={SHOWN}")
        ),
    );
    let (shell, session, messages) = (shell?, session?, messages?);
    let t = visit.lang.assistant();
    Ok(render(&Chat {
        shell,
        t,
        panel: Panel {
            t,
            version: session.profile.version,
            rows: session.profile.profile.rows(visit.lang),
        },
        id: session.id,
        title: session.title,
        // The API answers newest first; a chat reads oldest first.
        messages: messages
            .into_iter()
            .rev()
            .map(|m| Bubble {
                id: m.id,
                mine: m.role == "user",
                text: m.text,
                at: when(visit, &m.created_at),
                at_iso: m.created_at,
            })
            .collect(),
        draft,
        fields,
    }))
}

/// `GET /assistant/s/{id}/profile`: the panel alone, as the script swaps it in.
pub async fn panel(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
) -> PageResult {
    let path = format!("/api/v1/assistant/sessions/{}/profile", segment(&id));
    let current: Versioned = web.api.get(&visit, path).await?;
    Ok(render(&Panel {
        t: visit.lang.assistant(),
        version: current.version,
        rows: current.profile.rows(visit.lang),
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct Said {
    #[serde(default)]
    text: String,
}

/// `POST /assistant/s/{id}`: a message from the form; the page comes back with the reply.
pub async fn send(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
    Form(said): Form<Said>,
) -> PageResult {
    let path = format!("/api/v1/assistant/sessions/{}/messages", segment(&id));
    match web
        .api
        .send::<IgnoredAny>(&visit, Method::POST, &path, &json!({ "text": said.text }))
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/assistant/s/{}#composer", segment(&id))).into_response())
        }
        Err(failure) => {
            let fields = failure.into_fields()?;
            show(&web, &visit, &id, said.text, fields).await
        }
    }
}

/// `POST /assistant/s/{id}/stream` (the script, with the CSRF header): the step as the API's
/// event stream — `profile`, `delta` pieces of the reply, then `done` or `error`.
pub async fn stream(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
    Json(said): Json<Said>,
) -> PageResult {
    let path = format!("/api/v1/assistant/sessions/{}/messages", segment(&id));
    let payload = Payload::json(&json!({ "text": said.text }));
    web.api.stream(&visit, &path, payload).await
}

/// `POST /assistant/s/{id}/delete`: the conversation, its messages and profile are deleted.
pub async fn delete(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
) -> PageResult {
    let path = format!("/api/v1/assistant/sessions/{}", segment(&id));
    web.api
        .send::<IgnoredAny>(&visit, Method::DELETE, &path, &json!({}))
        .await?;
    Ok(Redirect::to("/assistant").into_response())
}
