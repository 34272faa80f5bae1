//! `GET /api/v1/stream`: WebSocket when the client asks to upgrade, Server-Sent Events otherwise.
//!
//! WebSocket protocol (JSON text frames):
//! - authenticate with `?access_token=...`, an `Authorization` header, or a first message
//!   `{"type":"auth","token":"..."}` within 10 s;
//! - the server answers `{"type":"ready","user_id":"..","topics":["user:<id>"]}` (the user's own
//!   topic is joined automatically);
//! - `{"type":"subscribe","topic":"..","after":"<id>"?}` → `{"type":"subscribed","topic":".."}`
//!   (with missed messages replayed first when `after` is given) or `{"type":"error",..}`;
//! - `{"type":"unsubscribe","topic":".."}`, `{"type":"ping"}` → `{"type":"pong"}`;
//! - messages arrive as `{"type":"event","id","topic","event","data","at"}`; a client too slow
//!   to keep up gets `{"type":"lagged","topic","missed":n}`.
//!
//! SSE: `?topics=a,b` (default: the user's own topic); each message is an SSE event whose `id`
//! is the message id, so `Last-Event-ID` resumes after a reconnect.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{self, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, Stream, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio_stream::StreamMap;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use utoipa::IntoParams;
use utoipa_axum::routes;

use super::hub::{Hub, Message};
use crate::accounts::{Authentication, CurrentUser};
use crate::error::ProblemBody;
use crate::extract::Query;
use crate::{ApiRouter, AppContext, Error};

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(stream))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct StreamParams {
    /// Access token, for clients that cannot set headers (browsers' EventSource and WebSocket).
    access_token: Option<String>,
    /// SSE only: comma-separated topics; default the caller's own `user:<id>` topic.
    topics: Option<String>,
    /// SSE only: resume after this message id (same as the `Last-Event-ID` header).
    last_event_id: Option<String>,
}

/// Live updates over WebSocket (send `Upgrade: websocket`) or Server-Sent Events.
#[utoipa::path(get, path = "/api/v1/stream", tag = "realtime", params(StreamParams),
    responses((status = 200, description = "an SSE stream (text/event-stream)"), (status = 101, description = "WebSocket"),
        (status = 401, body = ProblemBody), (status = 403, body = ProblemBody)))]
async fn stream(
    State(ctx): State<AppContext>,
    Query(params): Query<StreamParams>,
    req: Request,
) -> Response {
    let is_upgrade = req
        .headers()
        .get("upgrade")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if is_upgrade {
        return match open_socket(&ctx, params.access_token.as_deref(), req).await {
            Ok((upgrade, user)) => upgrade
                .on_upgrade(move |socket| websocket(ctx, socket, user))
                .into_response(),
            Err(refused) => refused,
        };
    }
    let user = caller(
        &ctx,
        params.access_token.as_deref(),
        req.extensions().get::<Authentication>().cloned(),
    )
    .await;
    let Authentication::User(user) = user else {
        return Error::unauthorized(
            "send an access token (`access_token` parameter or `Authorization` header)",
        )
        .into_response();
    };
    let last_id = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(params.last_event_id)
        .and_then(|s| s.trim().parse::<i64>().ok());
    let topics: Vec<String> = match params.topics.as_deref() {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        None => vec![Hub::user_topic(user.id)],
    };
    if topics.is_empty() || topics.len() > 32 {
        return Error::bad_param("topics", "name 1 to 32 topics").into_response();
    }
    for topic in &topics {
        if !ctx.hub.may_subscribe(&user, topic).await {
            return Error::forbidden(format!("you may not subscribe to `{topic}`")).into_response();
        }
    }
    sse(&ctx, &topics, last_id).into_response()
}

/// Who is calling: the `access_token` parameter when given, else what the `Authorization`
/// header said.
async fn caller(
    ctx: &AppContext,
    access_token: Option<&str>,
    from_header: Option<Authentication>,
) -> Authentication {
    match (access_token, from_header) {
        (Some(token), _) => ctx.auth.authenticate(&ctx.db, &ctx.clock, token).await,
        (None, Some(auth)) => auth,
        (None, None) => Authentication::Anonymous,
    }
}

/// The user opening a WebSocket, `None` when they will authenticate with their first message;
/// an invalid token is refused before the upgrade.
fn socket_user(auth: Authentication) -> Result<Option<CurrentUser>, Error> {
    match auth {
        Authentication::User(u) => Ok(Some(u)),
        Authentication::Anonymous => Ok(None),
        Authentication::Invalid => Err(Error::unauthorized(
            "the access token is invalid or expired",
        )),
    }
}

/// For apps with sockets of their own: the upgrade and the user opening it (from
/// `access_token`, the `Authorization` header, or `None` to await a first
/// `{"type":"auth","token":"..."}` message; see [`first_message_auth`]).
pub async fn open_socket(
    ctx: &AppContext,
    access_token: Option<&str>,
    req: Request,
) -> Result<(WebSocketUpgrade, Option<CurrentUser>), Response> {
    let user = socket_user(
        caller(
            ctx,
            access_token,
            req.extensions().get::<Authentication>().cloned(),
        )
        .await,
    )
    .map_err(IntoResponse::into_response)?;
    let (mut parts, _) = req.into_parts();
    let upgrade = WebSocketUpgrade::from_request_parts(&mut parts, ctx)
        .await
        .map_err(|rejection| Error::bad_request(rejection.body_text()).into_response())?;
    Ok((upgrade, user))
}

fn sse(
    ctx: &AppContext,
    topics: &[String],
    last_id: Option<i64>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>> + use<>> {
    let mut live = StreamMap::new();
    let mut replay = Vec::new();
    for topic in topics {
        let (receiver, missed) = ctx.hub.subscribe(topic, last_id);
        live.insert(topic.clone(), BroadcastStream::new(receiver));
        replay.extend(missed);
    }
    replay.sort_by_key(|m| m.id);
    let mut sent: HashMap<String, i64> = replay.iter().map(|m| (m.topic.clone(), m.id)).collect();
    let replayed = futures::stream::iter(replay.into_iter().map(|m| Ok(sse_event(&m))));
    let live = live.filter_map(move |(topic, item)| {
        let event = match item {
            Ok(m) if sent.get(&topic).is_some_and(|last| m.id <= *last) => None,
            Ok(m) => {
                sent.insert(topic, m.id);
                Some(Ok(sse_event(&m)))
            }
            Err(BroadcastStreamRecvError::Lagged(n)) => Some(Ok(SseEvent::default()
                .event("lagged")
                .data(json!({ "topic": topic, "missed": n }).to_string()))),
        };
        futures::future::ready(event)
    });
    let connections = ConnectionGauge::new();
    let stream = replayed.chain(live).map(move |e| {
        let _alive = &connections;
        e
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn sse_event(m: &Message) -> SseEvent {
    SseEvent::default()
        .id(m.id.to_string())
        .event(&m.event)
        .data(json!({ "topic": m.topic, "data": m.data, "at": m.at }).to_string())
}

/// Counts open streams in `/metrics` for as long as it lives.
struct ConnectionGauge;

impl ConnectionGauge {
    fn new() -> Self {
        metrics::gauge!("realtime_connections").increment(1.0);
        Self
    }
}

impl Drop for ConnectionGauge {
    fn drop(&mut self) {
        metrics::gauge!("realtime_connections").decrement(1.0);
    }
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    Auth {
        token: String,
    },
    Subscribe {
        topic: String,
        after: Option<String>,
    },
    Unsubscribe {
        topic: String,
    },
    Ping,
}

async fn websocket(ctx: AppContext, socket: WebSocket, user: Option<CurrentUser>) {
    let _gauge = ConnectionGauge::new();
    let (mut sink, mut incoming) = socket.split();
    let send = |value: serde_json::Value| ws::Message::Text(value.to_string().into());
    let user = if let Some(user) = user {
        Some(user)
    } else {
        first_message_auth(&ctx, &mut incoming).await
    };
    let Some(user) = user else {
        let _ = sink.send(send(json!({ "type": "error", "message": "authenticate first: {\"type\":\"auth\",\"token\":\"...\"}" }))).await;
        let _ = sink.close().await;
        return;
    };
    let mut live: StreamMap<String, BroadcastStream<Arc<Message>>> = StreamMap::new();
    let mut sent: HashMap<String, i64> = HashMap::new();
    let own = Hub::user_topic(user.id);
    live.insert(
        own.clone(),
        BroadcastStream::new(ctx.hub.subscribe(&own, None).0),
    );
    if sink
        .send(send(
            json!({ "type": "ready", "user_id": user.id, "topics": [own] }),
        ))
        .await
        .is_err()
    {
        return;
    }
    loop {
        let outgoing = tokio::select! {
            frame = incoming.next() => match frame {
                Some(Ok(ws::Message::Text(text))) => handle_client(&ctx, &user, &text, &mut live, &mut sent).await,
                Some(Ok(ws::Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => Vec::new(),
            },
            Some((topic, item)) = live.next() => match item {
                Ok(m) if sent.get(&topic).is_some_and(|last| m.id <= *last) => Vec::new(),
                Ok(m) => {
                    sent.insert(topic, m.id);
                    vec![event_json(&m)]
                }
                Err(BroadcastStreamRecvError::Lagged(n)) => vec![json!({ "type": "lagged", "topic": topic, "missed": n })],
            },
        };
        for value in outgoing {
            if sink.send(send(value)).await.is_err() {
                return;
            }
        }
    }
}

/// Waits up to 10 s for `{"type":"auth","token":"..."}` and returns its user, if valid.
pub async fn first_message_auth(
    ctx: &AppContext,
    incoming: &mut (impl Stream<Item = Result<ws::Message, axum::Error>> + Unpin),
) -> Option<CurrentUser> {
    let frame = tokio::time::timeout(Duration::from_secs(10), incoming.next())
        .await
        .ok()??
        .ok()?;
    let ws::Message::Text(text) = frame else {
        return None;
    };
    let ClientMessage::Auth { token } = serde_json::from_str(&text).ok()? else {
        return None;
    };
    match ctx.auth.authenticate(&ctx.db, &ctx.clock, &token).await {
        Authentication::User(user) => Some(user),
        _ => None,
    }
}

fn event_json(m: &Message) -> serde_json::Value {
    json!({ "type": "event", "id": m.id.to_string(), "topic": m.topic, "event": m.event, "data": m.data, "at": m.at })
}

async fn handle_client(
    ctx: &AppContext,
    user: &CurrentUser,
    text: &str,
    live: &mut StreamMap<String, BroadcastStream<Arc<Message>>>,
    sent: &mut HashMap<String, i64>,
) -> Vec<serde_json::Value> {
    match serde_json::from_str::<ClientMessage>(text) {
        Ok(ClientMessage::Ping) => vec![json!({ "type": "pong" })],
        Ok(ClientMessage::Auth { .. }) => {
            vec![json!({ "type": "error", "message": "already authenticated" })]
        }
        Ok(ClientMessage::Unsubscribe { topic }) => {
            live.remove(&topic);
            sent.remove(&topic);
            vec![json!({ "type": "unsubscribed", "topic": topic })]
        }
        Ok(ClientMessage::Subscribe { topic, after }) => {
            if live.len() >= 64 {
                return vec![
                    json!({ "type": "error", "topic": topic, "message": "at most 64 topics per connection" }),
                ];
            }
            if !ctx.hub.may_subscribe(user, &topic).await {
                return vec![
                    json!({ "type": "error", "topic": topic, "message": "you may not subscribe to this topic" }),
                ];
            }
            let after = after.and_then(|a| a.parse::<i64>().ok());
            let (receiver, replay) = ctx.hub.subscribe(&topic, after);
            live.insert(topic.clone(), BroadcastStream::new(receiver));
            let mut out = vec![json!({ "type": "subscribed", "topic": topic })];
            if let Some(last) = replay.last() {
                sent.insert(topic, last.id);
            }
            out.extend(replay.iter().map(|m| event_json(m)));
            out
        }
        Err(e) => vec![json!({ "type": "error", "message": format!("unreadable message: {e}") })],
    }
}
