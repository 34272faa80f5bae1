//! The LLM gateway: one [`Provider`] trait; providers for the OpenAI-compatible Chat
//! Completions API (OpenAI, vLLM, llama.cpp's server, Ollama), the Anthropic Messages API and
//! a model run in this process (`crate::local`); and a [`Gateway`] that tries them in order with timeouts, retries with backoff and a circuit
//! breaker each. When every provider fails (or none is configured) the caller falls back to
//! the offline coach.

mod anthropic;
mod breaker;
mod gateway;
mod openai;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

pub use anthropic::Anthropic;
pub use breaker::Breaker;
pub use gateway::{Attempted, Gateway, ProviderSettings, Slot};
pub use openai::OpenAi;

/// Who said a message in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

/// What is asked of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub messages: Vec<ChatMessage>,
    pub max_tokens: u32,
}

/// Which model a request deserves (seed: cost-based routing). Low-priority requests go to a
/// provider's economy model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    #[default]
    Standard,
    Economy,
}

/// A finished answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub text: String,
    pub model: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

/// Where a streaming provider sends text as it arrives.
pub type Deltas = mpsc::Sender<String>;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ProviderError {
    #[error("timed out")]
    Timeout,
    #[error("HTTP {status}: {message}")]
    Status { status: u16, message: String },
    #[error("connection failed: {0}")]
    Transport(String),
    #[error("unreadable answer: {0}")]
    Protocol(String),
    #[error("not supported by this provider")]
    Unsupported,
    #[error("local model failed: {0}")]
    Local(String),
}

impl ProviderError {
    /// Worth trying again: timeouts, broken connections, rate limits and server errors.
    pub fn retryable(&self) -> bool {
        match self {
            Self::Timeout | Self::Transport(_) => true,
            Self::Status { status, .. } => *status == 429 || *status >= 500,
            Self::Protocol(_) | Self::Unsupported | Self::Local(_) => false,
        }
    }

    /// A short label for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::Status { .. } => "status",
            Self::Transport(_) => "transport",
            Self::Protocol(_) => "protocol",
            Self::Unsupported => "unsupported",
            Self::Local(_) => "local",
        }
    }

    fn from_reqwest(e: &reqwest::Error) -> Self {
        if e.is_timeout() {
            Self::Timeout
        } else if e.is_decode() || e.is_body() {
            Self::Protocol(e.to_string())
        } else {
            Self::Transport(e.to_string())
        }
    }
}

/// A model provider.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The model used for `tier`.
    fn model(&self, tier: Tier) -> &str;

    /// Answers `request`; when `deltas` is given, streams the text there as it arrives (and
    /// still returns the whole answer).
    async fn chat(
        &self,
        request: &ChatRequest,
        tier: Tier,
        deltas: Option<&Deltas>,
    ) -> Result<Completion, ProviderError>;

    /// Answers with a JSON value that follows `schema`.
    async fn structured(
        &self,
        request: &ChatRequest,
        schema: &serde_json::Value,
        tier: Tier,
    ) -> Result<(serde_json::Value, Completion), ProviderError>;

    /// The embedding of `text`, when the provider has an embeddings endpoint.
    async fn embed(&self, _text: &str) -> Result<Vec<f32>, ProviderError> {
        Err(ProviderError::Unsupported)
    }
}

/// The message of an error body (`{"error":{"message":..}}` in both APIs), or the body itself.
async fn error_message(response: reqwest::Response) -> ProviderError {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| body.chars().take(200).collect());
    ProviderError::Status { status, message }
}
