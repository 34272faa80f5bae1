//! `/api/v1/assistant/sessions`: sessions and their messages (a step, streamed as SSE when
//! the client asks for `text/event-stream`).

use std::convert::Infallible;

use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event as SseEvent, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::{Json, Path, Query};
use platform::{AppContext, Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use utoipa::{IntoParams, ToSchema};

use crate::model::{
    Message, MessageId, NewMessage, NewSession, Session, SessionId, StepReply, VersionedProfile,
};
use crate::service::{self, Shared, StepEvent};

/// Starts a conversation.
#[utoipa::path(post, path = "/api/v1/assistant/sessions", tag = "assistant", request_body = NewSession,
    security(("bearer" = [])), responses((status = 201, body = Session), (status = 400, body = ProblemBody)))]
pub async fn create(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(new): Json<NewSession>,
) -> Result<(StatusCode, Json<Session>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&ctx, user.id, new).await?),
    ))
}

/// The caller's sessions, most recently active first.
#[utoipa::path(get, path = "/api/v1/assistant/sessions", tag = "assistant", security(("bearer" = [])),
    responses((status = 200, body = Vec<Session>)))]
pub async fn list(State(ctx): State<AppContext>, user: CurrentUser) -> Result<Json<Vec<Session>>> {
    Ok(Json(service::list(&ctx, user.id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    #[serde(flatten)]
    session: Session,
    profile: VersionedProfile,
}

/// A session with its current profile.
#[utoipa::path(get, path = "/api/v1/assistant/sessions/{id}", tag = "assistant", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = SessionView), (status = 404, body = ProblemBody)))]
pub async fn get(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<SessionId>,
) -> Result<Json<SessionView>> {
    let row = service::owned(&ctx, user.id, id).await?;
    let profile = service::profile_current(&ctx, id).await?;
    Ok(Json(SessionView {
        session: Session {
            version: profile.version,
            ..row.session
        },
        profile: (*profile).clone(),
    }))
}

/// Deletes a session with its messages, events and profile.
#[utoipa::path(delete, path = "/api/v1/assistant/sessions/{id}", tag = "assistant", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = ProblemBody)))]
pub async fn delete(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<SessionId>,
) -> Result<StatusCode> {
    service::delete(&ctx, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct Page {
    /// Messages older than this message id.
    before: Option<MessageId>,
    /// 1 to 200 (default 50).
    limit: Option<i64>,
}

/// Messages, newest first.
#[utoipa::path(get, path = "/api/v1/assistant/sessions/{id}/messages", tag = "assistant",
    params(("id" = String, Path), Page), security(("bearer" = [])),
    responses((status = 200, body = Vec<Message>), (status = 404, body = ProblemBody)))]
pub async fn messages(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Path(id): Path<SessionId>,
    Query(page): Query<Page>,
) -> Result<Json<Vec<Message>>> {
    let limit = page.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::bad_param("limit", "1 to 200"));
    }
    Ok(Json(
        service::messages(&ctx, user.id, id, page.before, limit).await?,
    ))
}

/// One step: the message updates the profile at once, then the reply comes. With
/// `Accept: text/event-stream` the answer is a stream of SSE events: `profile` (the changes,
/// committed), `delta` (`{"text"}` pieces of the reply), then `done` (the whole step, as the
/// JSON answer would be) or `error` (a problem).
#[utoipa::path(post, path = "/api/v1/assistant/sessions/{id}/messages", tag = "assistant",
    params(("id" = String, Path)), request_body = NewMessage, security(("bearer" = [])),
    responses((status = 200, body = StepReply, description = "JSON, or an SSE stream when asked"),
        (status = 400, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn send(
    State(ctx): State<AppContext>,
    Extension(state): Extension<Shared>,
    user: CurrentUser,
    Path(id): Path<SessionId>,
    headers: HeaderMap,
    Json(new): Json<NewMessage>,
) -> Result<Response> {
    let streaming = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    if !streaming {
        return Ok(
            Json(service::step(&ctx, &state, user.id, id, &new, None).await?).into_response(),
        );
    }
    // Bad input is a plain problem answer, before any stream starts.
    service::checked_text(&new)?;
    service::check_owner(&ctx, user.id, id).await?;
    let (events_tx, events_rx) = mpsc::channel::<StepEvent>(64);
    let (out_tx, out_rx) = mpsc::channel::<SseEvent>(64);
    tokio::spawn(async move {
        let forward = {
            let out = out_tx.clone();
            tokio::spawn(async move {
                let mut events = ReceiverStream::new(events_rx);
                while let Some(event) = events.next().await {
                    let sse = match event {
                        StepEvent::Profile(applied) => SseEvent::default().event("profile").data(
                            json!({ "changes": applied.changes, "version": applied.version, "profile": applied.profile })
                                .to_string(),
                        ),
                        StepEvent::Delta(text) => {
                            SseEvent::default().event("delta").data(json!({ "text": text }).to_string())
                        }
                    };
                    if out.send(sse).await.is_err() {
                        return;
                    }
                }
            })
        };
        let result = service::step(&ctx, &state, user.id, id, &new, Some(&events_tx)).await;
        drop(events_tx);
        let _ = forward.await;
        let last = match result {
            Ok(reply) => SseEvent::default()
                .event("done")
                .data(serde_json::to_string(&reply).unwrap_or_default()),
            Err(e) => SseEvent::default().event("error").data(
                json!({ "status": e.kind().status().as_u16(), "detail": e.detail() }).to_string(),
            ),
        };
        let _ = out_tx.send(last).await;
    });
    let stream = ReceiverStream::new(out_rx).map(Ok::<_, Infallible>);
    Ok(Sse::new(stream).into_response())
}
