//! `/ws/feed`: seed 004's live feed socket.
//!
//! Authenticate with `?access_token=`, an `Authorization` header, or a first message
//! `{"type":"auth","token":"..."}`; then send `{"type":"subscribe","channel":"feed_updates"}`
//! (answered `{"type":"subscribed","channel":"feed_updates"}`). Each post entering the user's
//! home feed arrives as `{"type":"new_content","data":{"content_id":"..","preview":{..}}}`; who
//! receives it is decided when it is published (followers who may see it, minus those who muted
//! its author). `{"type":"ping"}` is answered `{"type":"pong"}`.

use axum::extract::ws::{Message, WebSocket};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use platform::AppContext;
use platform::accounts::CurrentUser;
use platform::error::ProblemBody;
use platform::extract::Query;
use platform::realtime::{first_message_auth, open_socket};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use utoipa::IntoParams;

use crate::events::feed_topic;

/// The one channel a feed socket offers.
const CHANNEL: &str = "feed_updates";

#[derive(Debug, Deserialize, IntoParams)]
pub struct SocketParams {
    /// Access token, for clients that cannot set headers.
    access_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    Subscribe { channel: String },
    Unsubscribe { channel: String },
    Ping,
}

/// Live updates of the caller's home feed over WebSocket (protocol in the module docs).
#[utoipa::path(get, path = "/ws/feed", tag = "social", params(SocketParams),
    responses((status = 101, description = "WebSocket"), (status = 401, body = ProblemBody)))]
pub async fn feed_socket(
    State(ctx): State<AppContext>,
    Query(params): Query<SocketParams>,
    req: Request,
) -> Response {
    match open_socket(&ctx, params.access_token.as_deref(), req).await {
        Ok((upgrade, user)) => upgrade
            .on_upgrade(move |socket| serve(ctx, socket, user))
            .into_response(),
        Err(refused) => refused,
    }
}

async fn serve(ctx: AppContext, socket: WebSocket, user: Option<CurrentUser>) {
    let (mut sink, mut incoming) = socket.split();
    let text = |value: Value| Message::Text(value.to_string().into());
    let user = match user {
        Some(user) => Some(user),
        None => first_message_auth(&ctx, &mut incoming).await,
    };
    let Some(user) = user else {
        let refusal = json!({ "type": "error", "message": "authenticate first: {\"type\":\"auth\",\"token\":\"...\"}" });
        let _ = sink.send(text(refusal)).await;
        let _ = sink.close().await;
        return;
    };
    if sink
        .send(text(json!({ "type": "ready", "user_id": user.id })))
        .await
        .is_err()
    {
        return;
    }
    let mut feed: Option<BroadcastStream<_>> = None;
    loop {
        let next_update = async {
            match feed.as_mut() {
                Some(stream) => stream.next().await,
                None => std::future::pending().await,
            }
        };
        let outgoing = tokio::select! {
            frame = incoming.next() => match frame {
                Some(Ok(Message::Text(body))) => match serde_json::from_str::<ClientMessage>(&body) {
                    Ok(ClientMessage::Ping) => json!({ "type": "pong" }),
                    Ok(ClientMessage::Subscribe { channel }) if channel == CHANNEL => {
                        let topic = feed_topic(user.id);
                        feed = Some(BroadcastStream::new(ctx.hub.subscribe(&topic, None).0));
                        json!({ "type": "subscribed", "channel": CHANNEL })
                    }
                    Ok(ClientMessage::Unsubscribe { channel }) if channel == CHANNEL => {
                        feed = None;
                        json!({ "type": "unsubscribed", "channel": CHANNEL })
                    }
                    Ok(ClientMessage::Subscribe { channel } | ClientMessage::Unsubscribe { channel }) => {
                        json!({ "type": "error", "message": format!("no channel `{channel}`; the feed socket offers `{CHANNEL}`") })
                    }
                    Err(e) => json!({ "type": "error", "message": format!("unreadable message: {e}") }),
                },
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => continue,
            },
            Some(update) = next_update => match update {
                Ok(message) if message.event == "new_content" => {
                    json!({ "type": "new_content", "data": message.data })
                }
                Ok(_) => continue,
                Err(BroadcastStreamRecvError::Lagged(missed)) => json!({ "type": "lagged", "missed": missed }),
            },
        };
        if sink.send(text(outgoing)).await.is_err() {
            return;
        }
    }
}
