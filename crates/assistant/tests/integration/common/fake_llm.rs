//! A model provider nobody can reach from a test, replaced by a real HTTP server on loopback
//! that speaks its protocol: OpenAI's Chat Completions (with streaming, `response_format` and
//! embeddings) and Anthropic's Messages (with streaming and forced tool use). A script decides
//! what it answers; every request body is kept for inspection.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

/// What the fake answers.
#[derive(Debug, Clone)]
pub struct Script {
    pub reply: String,
    /// The profile changes a structured (extraction) request gets.
    pub facts: Value,
    /// Calls answered with `status` before the fake starts answering well.
    pub fail_first: usize,
    /// Every call fails with `status`.
    pub always_fail: bool,
    pub status: u16,
    /// Waits this long before answering (for timeouts).
    pub delay: Duration,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            reply: "Sleep at the same time every night.".into(),
            facts: json!([]),
            fail_first: 0,
            always_fail: false,
            status: 503,
            delay: Duration::ZERO,
        }
    }
}

#[derive(Default)]
struct Inner {
    script: Mutex<Script>,
    requests: Mutex<Vec<Value>>,
    calls: AtomicUsize,
}

#[derive(Clone)]
pub struct FakeLlm {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
}

impl FakeLlm {
    pub async fn start(script: Script) -> Self {
        let inner = Arc::new(Inner {
            script: Mutex::new(script),
            ..Inner::default()
        });
        let router = Router::new()
            .route("/v1/chat/completions", post(openai_chat))
            .route("/v1/embeddings", post(openai_embeddings))
            .route("/v1/messages", post(anthropic_messages))
            .with_state(Arc::clone(&inner));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { addr, inner }
    }

    /// `http://addr/v1` (OpenAI's base) — Anthropic's base is `http://addr`.
    pub fn openai_base(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn anthropic_base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set(&self, script: Script) {
        *self.inner.script.lock().unwrap() = script;
    }

    /// Chat calls received (embeddings not counted).
    pub fn calls(&self) -> usize {
        self.inner.calls.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<Value> {
        self.inner.requests.lock().unwrap().clone()
    }
}

/// Records the call and applies the script's failures and delay; the script when the call
/// should be answered.
async fn begin(inner: &Inner, body: &Value) -> Result<Script, Response> {
    inner.requests.lock().unwrap().push(body.clone());
    let n = inner.calls.fetch_add(1, Ordering::SeqCst);
    let script = inner.script.lock().unwrap().clone();
    tokio::time::sleep(script.delay).await;
    if script.always_fail || n < script.fail_first {
        let status = StatusCode::from_u16(script.status).unwrap();
        return Err((
            status,
            Json(json!({ "error": { "type": "api_error", "message": "scripted failure" } })),
        )
            .into_response());
    }
    Ok(script)
}

fn pieces(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_inclusive(' ').collect();
    words.chunks(2).map(<[&str]>::concat).collect()
}

fn sse(events: Vec<Event>) -> Response {
    let stream = futures::stream::iter(events.into_iter().map(Ok::<_, Infallible>));
    Sse::new(stream).into_response()
}

async fn openai_chat(State(inner): State<Arc<Inner>>, Json(body): Json<Value>) -> Response {
    let script = match begin(&inner, &body).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let model = body["model"].as_str().unwrap_or("fake").to_owned();
    if body.get("response_format").is_some() {
        let content = json!({ "changes": script.facts }).to_string();
        return Json(json!({
            "model": model,
            "choices": [{ "message": { "role": "assistant", "content": content } }],
            "usage": { "prompt_tokens": 40, "completion_tokens": 10 }
        }))
        .into_response();
    }
    if body["stream"] == true {
        let mut events: Vec<Event> = pieces(&script.reply)
            .into_iter()
            .map(|p| {
                Event::default().data(
                    json!({ "model": model, "choices": [{ "delta": { "content": p } }] })
                        .to_string(),
                )
            })
            .collect();
        events.push(Event::default().data(
            json!({ "model": model, "choices": [], "usage": { "prompt_tokens": 50, "completion_tokens": 20 } })
                .to_string(),
        ));
        events.push(Event::default().data("[DONE]"));
        return sse(events);
    }
    Json(json!({
        "model": model,
        "choices": [{ "message": { "role": "assistant", "content": script.reply } }],
        "usage": { "prompt_tokens": 50, "completion_tokens": 20 }
    }))
    .into_response()
}

async fn openai_embeddings(Json(body): Json<Value>) -> Response {
    // A deterministic stand-in: the n-gram vector of the input, so paraphrases stay close.
    let vector = assistant::embed::ngram_vector(body["input"].as_str().unwrap_or_default());
    Json(json!({ "data": [{ "embedding": vector }], "model": body["model"] })).into_response()
}

async fn anthropic_messages(State(inner): State<Arc<Inner>>, Json(body): Json<Value>) -> Response {
    let script = match begin(&inner, &body).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let model = body["model"].as_str().unwrap_or("fake").to_owned();
    let usage = json!({ "input_tokens": 60, "output_tokens": 25 });
    if body.get("tools").is_some() {
        return Json(json!({
            "model": model,
            "content": [{ "type": "tool_use", "id": "t1", "name": "answer", "input": { "changes": script.facts } }],
            "usage": usage
        }))
        .into_response();
    }
    if body["stream"] == true {
        let mut events = vec![
            Event::default().event("message_start").data(
                json!({ "type": "message_start", "message": { "model": model, "usage": { "input_tokens": 60, "output_tokens": 1 } } })
                    .to_string(),
            ),
            Event::default()
                .event("content_block_start")
                .data(json!({ "type": "content_block_start", "index": 0, "content_block": { "type": "text", "text": "" } }).to_string()),
        ];
        events.extend(pieces(&script.reply).into_iter().map(|p| {
            Event::default().event("content_block_delta").data(
                json!({ "type": "content_block_delta", "index": 0, "delta": { "type": "text_delta", "text": p } })
                    .to_string(),
            )
        }));
        events.push(Event::default().event("message_delta").data(
            json!({ "type": "message_delta", "usage": { "output_tokens": 25 } }).to_string(),
        ));
        events.push(
            Event::default()
                .event("message_stop")
                .data(json!({ "type": "message_stop" }).to_string()),
        );
        return sse(events);
    }
    Json(json!({
        "model": model,
        "content": [{ "type": "text", "text": script.reply }],
        "usage": usage
    }))
    .into_response()
}
