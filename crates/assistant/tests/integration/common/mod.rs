//! A small client for the assistant's API over real HTTP and WebSocket.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod fake_llm;

use std::time::Duration;

use assistant::{Assistant, ProviderSettings, Settings};
use futures::{SinkExt, StreamExt};
use platform::testing::{Backend, TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as Frame;

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, Settings::default()).await
}

pub async fn spawn_with(backend: Backend, settings: Settings) -> TestApp {
    TestApp::builder(backend)
        .app(Assistant::new(settings).unwrap())
        .spawn()
        .await
}

/// An OpenAI-compatible provider at `base` with quick timeouts and backoff.
pub fn openai(name: &str, base: &str) -> ProviderSettings {
    provider(name, "openai", base)
}

pub fn anthropic(name: &str, base: &str) -> ProviderSettings {
    provider(name, "anthropic", base)
}

fn provider(name: &str, kind: &str, base: &str) -> ProviderSettings {
    serde_json::from_value(json!({
        "name": name, "kind": kind, "base_url": base, "api_key": "test-key",
        "model": format!("{name}-large"), "economy_model": format!("{name}-small"),
        "timeout_ms": 2000, "retries": 2, "backoff_ms": 10,
        "breaker_failures": 5, "breaker_cooldown_ms": 60000, "price": [1.0, 2.0]
    }))
    .unwrap()
}

pub async fn new_session(app: &TestApp, user: &TestUser) -> String {
    let (status, body) = app
        .send(
            Method::POST,
            "/api/v1/assistant/sessions",
            Some(user),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

/// One step; the step's JSON answer.
pub async fn say(app: &TestApp, user: &TestUser, session: &str, text: &str) -> Value {
    let (status, body) = app
        .send(
            Method::POST,
            &format!("/api/v1/assistant/sessions/{session}/messages"),
            Some(user),
            Some(json!({ "text": text })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub async fn profile(app: &TestApp, user: &TestUser, session: &str, version: Option<i64>) -> Value {
    let path = match version {
        Some(v) => format!("/api/v1/assistant/sessions/{session}/profile?version={v}"),
        None => format!("/api/v1/assistant/sessions/{session}/profile"),
    };
    let (status, body) = app.send(Method::GET, &path, Some(user), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// `PATCH .../profile`; the status and answer.
pub async fn patch(
    app: &TestApp,
    user: &TestUser,
    session: &str,
    expected: Option<i64>,
    changes: Value,
) -> (StatusCode, Value) {
    app.send(
        Method::PATCH,
        &format!("/api/v1/assistant/sessions/{session}/profile"),
        Some(user),
        Some(json!({ "expected_version": expected, "changes": changes })),
    )
    .await
}

/// The text of each `delta` event, in order.
pub fn deltas(events: &[(String, Value)]) -> Vec<&str> {
    events
        .iter()
        .filter(|(e, _)| e == "delta")
        .map(|(_, d)| d["text"].as_str().unwrap())
        .collect()
}

/// Reads an SSE answer into (event, data) pairs.
pub async fn sse_events(response: reqwest::Response) -> Vec<(String, Value)> {
    let text = response.text().await.unwrap();
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut event = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event:") {
                    e.trim().clone_into(&mut event);
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            (event, serde_json::from_str(&data).unwrap_or(Value::Null))
        })
        .collect()
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A device: a WebSocket on `/api/v1/assistant/sync`.
pub struct Device {
    socket: Socket,
}

impl Device {
    pub async fn connect(app: &TestApp, user: &TestUser) -> Self {
        let url = format!(
            "ws://{}/api/v1/assistant/sync?access_token={}",
            app.addr, user.access_token
        );
        let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut device = Self { socket };
        assert_eq!(device.next().await["type"], "ready");
        device
    }

    pub async fn send(&mut self, value: Value) {
        self.socket
            .send(Frame::Text(value.to_string().into()))
            .await
            .unwrap();
    }

    /// Subscribes to the session's profile topic; the `subscribed` answer.
    pub async fn subscribe(&mut self, session: &str, last_seq: Option<i64>) -> Value {
        self.send(json!({ "type": "subscribe", "topic": format!("session/{session}/profile"), "last_seq": last_seq }))
            .await;
        let answer = self.next().await;
        assert_eq!(answer["type"], "subscribed", "{answer}");
        answer
    }

    /// The next frame (panics after 5 s of silence).
    pub async fn next(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(5), self.socket.next())
                .await
                .expect("a frame within 5 s")
                .expect("socket open")
                .unwrap();
            if let Frame::Text(text) = frame {
                return serde_json::from_str(&text).unwrap();
            }
        }
    }

    /// The next `n` updates' sequence numbers, acknowledging each.
    pub async fn updates(&mut self, n: usize) -> Vec<i64> {
        let mut seqs = Vec::new();
        while seqs.len() < n {
            let frame = self.next().await;
            if frame["type"] == "update" {
                let seq = frame["seq"].as_i64().unwrap();
                let topic = frame["topic"].clone();
                self.send(json!({ "type": "ack", "topic": topic, "seq": seq }))
                    .await;
                seqs.push(seq);
            }
        }
        seqs
    }

    /// Whether any frame arrives within `wait`.
    pub async fn silent_for(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.socket.next())
            .await
            .is_err()
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
