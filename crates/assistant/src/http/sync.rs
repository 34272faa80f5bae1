//! `GET /api/v1/assistant/sync`: the WebSocket every device of a session keeps open.
//!
//! Protocol (JSON text frames):
//! - authenticate with `?access_token=`, an `Authorization` header, or a first message
//!   `{"type":"auth","token":"..."}`; the server answers `{"type":"ready"}`;
//! - `{"type":"subscribe","topic":"session/{id}/profile","last_seq":N?}` →
//!   `{"type":"subscribed","topic","version"}`, then, when `last_seq` is given, every update
//!   after it in order, then live updates;
//! - updates arrive as `{"type":"update","action":"UPDATE","topic","seq","timestamp","data"}`
//!   where `data` holds the change, its source and the whole profile after it;
//! - `{"type":"ack","topic","seq"}` acknowledges every update up to `seq`. Updates not
//!   acknowledged within 3 s are sent again (`"redelivered": true`): delivery is at least
//!   once, and a device keeps the highest `seq` it has applied to drop repeats;
//! - `{"type":"unsubscribe","topic"}`, `{"type":"ping"}` → `{"type":"pong"}`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{self, WebSocket};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use platform::AppContext;
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::Query;
use platform::realtime::{Message as HubMessage, first_message_auth, open_socket};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_stream::StreamMap;
use tokio_stream::wrappers::BroadcastStream;
use utoipa::IntoParams;

use crate::model::SessionId;
use crate::service::{self, UpdateFrame};

/// Unacknowledged updates are sent again after this long.
const ACK_TIMEOUT: Duration = Duration::from_secs(3);
/// A device this far behind on acknowledgements is disconnected (it resumes from its seq).
const MAX_PENDING: usize = 1_000;
/// Topics one connection may follow.
const MAX_TOPICS: usize = 16;

#[derive(Debug, Deserialize, IntoParams)]
pub struct SyncParams {
    /// Access token, for clients that cannot set headers.
    access_token: Option<String>,
}

/// Live profile sync over WebSocket (see the module docs for the protocol).
#[utoipa::path(get, path = "/api/v1/assistant/sync", tag = "assistant", params(SyncParams),
    responses((status = 101, description = "WebSocket"), (status = 401, body = ProblemBody)))]
pub async fn sync(
    State(ctx): State<AppContext>,
    Query(params): Query<SyncParams>,
    req: Request,
) -> Response {
    match open_socket(&ctx, params.access_token.as_deref(), req).await {
        // Small buffers: most devices sit idle, and ten thousand of them must fit in memory.
        Ok((upgrade, user)) => upgrade
            .read_buffer_size(4 * 1024)
            .write_buffer_size(4 * 1024)
            .on_upgrade(move |socket| connection(ctx, socket, user))
            .into_response(),
        Err(refused) => refused,
    }
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    /// A second `auth` after the connection is authenticated.
    Auth {},
    Subscribe {
        topic: String,
        last_seq: Option<i64>,
    },
    Ack {
        topic: String,
        seq: i64,
    },
    Unsubscribe {
        topic: String,
    },
    Ping,
}

/// One followed topic.
struct Followed {
    session: SessionId,
    last_sent: i64,
    /// Sent, not yet acknowledged: (seq, frame, when last sent).
    pending: VecDeque<(i64, Value, Instant)>,
}

struct Connection {
    ctx: AppContext,
    user: CurrentUser,
    topics: HashMap<String, Followed>,
    live: StreamMap<String, BroadcastStream<Arc<HubMessage>>>,
}

async fn connection(ctx: AppContext, socket: WebSocket, user: Option<CurrentUser>) {
    let (mut sink, mut incoming) = socket.split();
    let user = match user {
        Some(user) => Some(user),
        None => first_message_auth(&ctx, &mut incoming).await,
    };
    let Some(user) = user else {
        let _ = sink
            .send(text(&json!({ "type": "error", "message": "authenticate first: {\"type\":\"auth\",\"token\":\"...\"}" })))
            .await;
        let _ = sink.close().await;
        return;
    };
    metrics::gauge!("assistant_sync_connections").increment(1.0);
    let mut conn = Connection {
        ctx,
        user,
        topics: HashMap::new(),
        live: StreamMap::new(),
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut out = vec![json!({ "type": "ready" })];
    loop {
        for value in out.drain(..) {
            if sink.send(text(&value)).await.is_err() {
                metrics::gauge!("assistant_sync_connections").decrement(1.0);
                return;
            }
        }
        tokio::select! {
            frame = incoming.next() => match frame {
                Some(Ok(ws::Message::Text(body))) => out = conn.handle(&body).await,
                Some(Ok(ws::Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            Some((topic, item)) = conn.live.next() => {
                if let Ok(message) = item {
                    out = conn.live_update(&topic, &message.data).await;
                } else {
                    // Lagged behind the hub: the store has everything, catch up from it.
                    out = conn.catch_up(&topic, i64::MAX).await;
                }
            },
            _ = tick.tick() => match conn.redeliver() {
                Some(frames) => out = frames,
                None => break,
            },
        }
    }
    metrics::gauge!("assistant_sync_connections").decrement(1.0);
}

fn text(value: &Value) -> ws::Message {
    ws::Message::Text(value.to_string().into())
}

fn parse_topic(topic: &str) -> Option<SessionId> {
    topic
        .strip_prefix("session/")?
        .strip_suffix("/profile")?
        .parse()
        .ok()
}

impl Connection {
    async fn handle(&mut self, body: &str) -> Vec<Value> {
        match serde_json::from_str::<ClientMessage>(body) {
            Ok(ClientMessage::Ping) => vec![json!({ "type": "pong" })],
            Ok(ClientMessage::Auth {}) => {
                vec![json!({ "type": "error", "message": "already authenticated" })]
            }
            Ok(ClientMessage::Subscribe { topic, last_seq }) => {
                self.subscribe(topic, last_seq).await
            }
            Ok(ClientMessage::Ack { topic, seq }) => {
                if let Some(followed) = self.topics.get_mut(&topic) {
                    followed.pending.retain(|(s, _, _)| *s > seq);
                }
                Vec::new()
            }
            Ok(ClientMessage::Unsubscribe { topic }) => {
                self.live.remove(&topic);
                self.topics.remove(&topic);
                vec![json!({ "type": "unsubscribed", "topic": topic })]
            }
            Err(e) => {
                vec![json!({ "type": "error", "message": format!("unreadable message: {e}") })]
            }
        }
    }

    async fn subscribe(&mut self, topic: String, last_seq: Option<i64>) -> Vec<Value> {
        let error =
            |message: &str| vec![json!({ "type": "error", "topic": topic, "message": message })];
        let Some(session) = parse_topic(&topic) else {
            return error("topics are `session/{id}/profile`");
        };
        if self.topics.len() >= MAX_TOPICS && !self.topics.contains_key(&topic) {
            return error("at most 16 topics per connection");
        }
        if service::check_owner(&self.ctx, self.user.id, session)
            .await
            .is_err()
        {
            return error("no such session of yours");
        }
        // Listen first, then read the store: an update committed in between is in one or
        // the other (and sent once, by its seq).
        let (receiver, _) = self.ctx.hub.subscribe(&service::topic(session), None);
        self.live
            .insert(topic.clone(), BroadcastStream::new(receiver));
        let version = match service::profile_current(&self.ctx, session).await {
            Ok(p) => p.version,
            Err(_) => return error("the profile cannot be read now; subscribe again"),
        };
        let start = last_seq.unwrap_or(version).clamp(0, version);
        self.topics.insert(
            topic.clone(),
            Followed {
                session,
                last_sent: start,
                pending: VecDeque::new(),
            },
        );
        let mut out = vec![json!({ "type": "subscribed", "topic": topic, "version": version })];
        out.extend(self.catch_up(&topic, version).await);
        out
    }

    /// A live update: sent when it is the next one; a gap is filled from the store first.
    async fn live_update(&mut self, topic: &str, data: &Value) -> Vec<Value> {
        let Some(frame) = UpdateFrame::from_json(data) else {
            return Vec::new();
        };
        let Some(followed) = self.topics.get_mut(topic) else {
            return Vec::new();
        };
        if frame.seq <= followed.last_sent {
            return Vec::new();
        }
        if frame.seq == followed.last_sent + 1 {
            return vec![Self::sent(followed, &frame)];
        }
        self.catch_up(topic, frame.seq).await
    }

    /// Everything after what was sent, up to `upto`, from the event store.
    async fn catch_up(&mut self, topic: &str, upto: i64) -> Vec<Value> {
        let mut out = Vec::new();
        let Some(followed) = self.topics.get_mut(topic) else {
            return out;
        };
        loop {
            let frames = match service::replay(
                &self.ctx,
                followed.session,
                followed.last_sent,
                upto,
            )
            .await
            {
                Ok(frames) => frames,
                Err(e) => {
                    tracing::warn!(error = %e, topic, "replay failed");
                    return out;
                }
            };
            if frames.is_empty() {
                return out;
            }
            for frame in &frames {
                out.push(Self::sent(followed, frame));
            }
        }
    }

    fn sent(followed: &mut Followed, frame: &UpdateFrame) -> Value {
        followed.last_sent = frame.seq;
        let value = frame.to_json();
        followed
            .pending
            .push_back((frame.seq, value.clone(), Instant::now()));
        value
    }

    /// Unacknowledged updates past the timeout, sent again; `None` when a device is so far
    /// behind that it should reconnect and resume instead.
    fn redeliver(&mut self) -> Option<Vec<Value>> {
        let now = Instant::now();
        let mut out = Vec::new();
        for followed in self.topics.values_mut() {
            if followed.pending.len() > MAX_PENDING {
                return None;
            }
            for (_, value, at) in &mut followed.pending {
                if now.duration_since(*at) >= ACK_TIMEOUT {
                    *at = now;
                    let mut again = value.clone();
                    again["redelivered"] = json!(true);
                    out.push(again);
                }
            }
        }
        Some(out)
    }
}
