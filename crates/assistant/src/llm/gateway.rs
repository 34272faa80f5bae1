//! The providers in order of preference, each behind a timeout, retries with exponential
//! backoff (with jitter) for retryable errors, and a circuit breaker; the first that answers
//! wins. A streamed answer that already reached the reader is never retried elsewhere (the
//! reader would see it twice): the failure is reported instead.
//!
//! Every attempt is measured in `/metrics`: `assistant_provider_requests_total{provider,
//! outcome}`, `assistant_provider_latency_seconds{provider}` (P50/P95/P99), and tokens and
//! cost per provider.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::{
    Anthropic, Breaker, ChatRequest, Completion, Deltas, OpenAi, Provider, ProviderError, Tier,
};

/// Which protocol a provider speaks.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Chat Completions: OpenAI, vLLM, llama.cpp server, Ollama.
    Openai,
    Anthropic,
    /// A GGUF chat model run in this process (cargo feature `local-models`).
    Local,
}

/// One provider, `[[apps.assistant.providers]]` in `maru.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// Its name in responses, metrics, usage and the `assistant.provider.<name>` flag.
    pub name: String,
    pub kind: ProviderKind,
    /// `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`, `https://api.anthropic.com`;
    /// none for `local`.
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub api_key: Option<String>,
    /// An environment variable holding the key (keeps it out of the file).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// The model's name; for `local`, its GGUF file, absolute or under the models dir.
    pub model: String,
    /// Model for low-priority requests (cost-based routing); `model` when unset.
    #[serde(default)]
    pub economy_model: Option<String>,
    /// OpenAI-compatible only: the embeddings model the semantic cache may use.
    #[serde(default)]
    pub embedding_model: Option<String>,
    #[serde(default = "defaults::timeout_ms")]
    pub timeout_ms: u64,
    /// Further attempts after a retryable failure.
    #[serde(default = "defaults::retries")]
    pub retries: u32,
    /// First retry delay; each further one doubles it.
    #[serde(default = "defaults::backoff_ms")]
    pub backoff_ms: u64,
    /// Failures in a row that open the breaker.
    #[serde(default = "defaults::breaker_failures")]
    pub breaker_failures: u32,
    #[serde(default = "defaults::breaker_cooldown_ms")]
    pub breaker_cooldown_ms: u64,
    /// US dollars per million prompt and completion tokens (standard tier).
    #[serde(default)]
    pub price: [f64; 2],
    /// The same for the economy model.
    #[serde(default)]
    pub economy_price: Option<[f64; 2]>,
}

mod defaults {
    pub fn timeout_ms() -> u64 {
        30_000
    }
    pub fn retries() -> u32 {
        2
    }
    pub fn backoff_ms() -> u64 {
        250
    }
    pub fn breaker_failures() -> u32 {
        5
    }
    pub fn breaker_cooldown_ms() -> u64 {
        30_000
    }
}

/// A provider with its policy.
pub struct Slot {
    pub name: String,
    provider: Arc<dyn Provider>,
    breaker: Breaker,
    settings: ProviderSettings,
}

impl Slot {
    /// Cost in millionths of a dollar (a price per million tokens is a price in micro-dollars
    /// per token).
    fn cost_micros(&self, tier: Tier, c: &Completion) -> i64 {
        let [input, output] = match tier {
            Tier::Standard => self.settings.price,
            Tier::Economy => self.settings.economy_price.unwrap_or(self.settings.price),
        };
        (c.prompt_tokens as f64 * input + c.completion_tokens as f64 * output).round() as i64
    }

    pub fn breaker_state(&self) -> &'static str {
        self.breaker.state()
    }
}

/// A provider's answer and who gave it.
#[derive(Debug, Clone)]
pub struct Attempted<T> {
    pub value: T,
    pub completion: Completion,
    pub provider: String,
    pub cost_micros: i64,
}

/// What went wrong with each provider tried.
pub type Failures = Vec<(String, ProviderError)>;

pub struct Gateway {
    slots: Vec<Slot>,
}

impl Gateway {
    /// The providers `settings` configure, in order; local model files are looked for in
    /// `models_dir`.
    pub fn from_settings(
        settings: &[ProviderSettings],
        models_dir: Option<&Path>,
    ) -> anyhow::Result<Self> {
        platform::tls::init();
        let client = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(60))
            .build()?;
        let mut slots = Vec::new();
        for s in settings {
            if slots.iter().any(|slot: &Slot| slot.name == s.name) {
                anyhow::bail!("[apps.assistant] two providers are named `{}`", s.name);
            }
            let api_key = match (&s.api_key, &s.api_key_env) {
                (Some(key), _) => Some(key.clone()),
                (None, Some(var)) => Some(std::env::var(var).map_err(|_| {
                    anyhow::anyhow!(
                        "provider `{}`: environment variable {var} is not set",
                        s.name
                    )
                })?),
                (None, None) => None,
            };
            if s.kind != ProviderKind::Local && s.base_url.is_empty() {
                anyhow::bail!("provider `{}`: base_url is required", s.name);
            }
            let provider: Arc<dyn Provider> = match s.kind {
                ProviderKind::Openai => Arc::new(OpenAi::new(
                    client.clone(),
                    &s.base_url,
                    api_key,
                    s.model.clone(),
                    s.economy_model.clone(),
                    s.embedding_model.clone(),
                )),
                ProviderKind::Anthropic => Arc::new(Anthropic::new(
                    client.clone(),
                    &s.base_url,
                    api_key,
                    s.model.clone(),
                    s.economy_model.clone(),
                )),
                ProviderKind::Local => {
                    let path =
                        models_dir.map_or_else(|| s.model.clone().into(), |d| d.join(&s.model));
                    crate::local::chat_provider(&path)
                        .map_err(|e| anyhow::anyhow!("provider `{}`: {e:#}", s.name))?
                }
            };
            slots.push(Slot {
                name: s.name.clone(),
                provider,
                breaker: Breaker::new(
                    s.breaker_failures,
                    Duration::from_millis(s.breaker_cooldown_ms),
                ),
                settings: s.clone(),
            });
        }
        Ok(Self { slots })
    }

    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// Whether any provider has an embeddings model.
    pub fn embeds(&self) -> bool {
        self.slots
            .iter()
            .any(|s| s.settings.embedding_model.is_some())
    }

    /// A conversational answer, streamed to `deltas` when given.
    pub async fn chat(
        &self,
        request: &ChatRequest,
        tier: Tier,
        deltas: Option<&Deltas>,
        allowed: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<Attempted<()>, Failures> {
        let mut failures = Vec::new();
        for slot in self.slots.iter().filter(|s| allowed(&s.name)) {
            let streamed = Arc::new(AtomicBool::new(false));
            let call = || async {
                let completion = match deltas {
                    None => slot.provider.chat(request, tier, None).await,
                    Some(outer) => {
                        let (inner, forwarder) = forward(outer.clone(), Arc::clone(&streamed));
                        let result = slot.provider.chat(request, tier, Some(&inner)).await;
                        drop(inner);
                        let _ = forwarder.await;
                        result
                    }
                }?;
                Ok(((), completion))
            };
            match attempt(slot, tier, call, &streamed).await {
                Ok(((), completion)) => {
                    return Ok(Attempted {
                        value: (),
                        cost_micros: slot.cost_micros(tier, &completion),
                        completion,
                        provider: slot.name.clone(),
                    });
                }
                Err(e) => {
                    failures.push((slot.name.clone(), e));
                    if streamed.load(Ordering::Acquire) {
                        break;
                    }
                }
            }
        }
        Err(failures)
    }

    /// A JSON answer following `schema`.
    pub async fn structured(
        &self,
        request: &ChatRequest,
        schema: &serde_json::Value,
        tier: Tier,
        allowed: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<Attempted<serde_json::Value>, Failures> {
        let mut failures = Vec::new();
        let never = AtomicBool::new(false);
        for slot in self.slots.iter().filter(|s| allowed(&s.name)) {
            let call = || slot.provider.structured(request, schema, tier);
            match attempt(slot, tier, call, &never).await {
                Ok((value, completion)) => {
                    return Ok(Attempted {
                        value,
                        cost_micros: slot.cost_micros(tier, &completion),
                        completion,
                        provider: slot.name.clone(),
                    });
                }
                Err(e) => failures.push((slot.name.clone(), e)),
            }
        }
        Err(failures)
    }

    /// The first configured embedding of `text`, with the provider that made it.
    pub async fn embed(&self, text: &str) -> Option<(String, Vec<f32>)> {
        for slot in self
            .slots
            .iter()
            .filter(|s| s.settings.embedding_model.is_some())
        {
            if !slot.breaker.allow() {
                continue;
            }
            let timeout = Duration::from_millis(slot.settings.timeout_ms);
            match tokio::time::timeout(timeout, slot.provider.embed(text)).await {
                Ok(Ok(vector)) => {
                    slot.breaker.success();
                    return Some((slot.name.clone(), vector));
                }
                Ok(Err(e)) => {
                    tracing::warn!(provider = slot.name, error = %e, "embedding failed");
                    slot.breaker.failure();
                }
                Err(_) => slot.breaker.failure(),
            }
        }
        None
    }
}

/// Runs `call` against one provider: breaker, timeout, retries with backoff, metrics. A call
/// that has streamed (`streamed`) is not retried.
async fn attempt<T, F, Fut>(
    slot: &Slot,
    tier: Tier,
    mut call: F,
    streamed: &AtomicBool,
) -> Result<(T, Completion), ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(T, Completion), ProviderError>>,
{
    let provider = slot.name.clone();
    let timeout = Duration::from_millis(slot.settings.timeout_ms);
    let mut tries = 0;
    loop {
        if !slot.breaker.allow() {
            metrics::counter!("assistant_provider_requests_total", "provider" => provider.clone(), "outcome" => "breaker_open").increment(1);
            return Err(ProviderError::Status {
                status: 503,
                message: "circuit breaker open".into(),
            });
        }
        let started = Instant::now();
        let result = match tokio::time::timeout(timeout, call()).await {
            Ok(result) => result,
            Err(_) => Err(ProviderError::Timeout),
        };
        metrics::histogram!("assistant_provider_latency_seconds", "provider" => provider.clone())
            .record(started.elapsed().as_secs_f64());
        match result {
            Ok((value, completion)) => {
                slot.breaker.success();
                metrics::counter!("assistant_provider_requests_total", "provider" => provider.clone(), "outcome" => "ok").increment(1);
                let model = completion.model.clone();
                metrics::counter!("assistant_tokens_total", "provider" => provider.clone(), "model" => model.clone(), "kind" => "prompt").increment(completion.prompt_tokens);
                metrics::counter!("assistant_tokens_total", "provider" => provider.clone(), "model" => model, "kind" => "completion").increment(completion.completion_tokens);
                metrics::counter!("assistant_cost_microdollars_total", "provider" => provider)
                    .increment(slot.cost_micros(tier, &completion).max(0) as u64);
                return Ok((value, completion));
            }
            Err(ProviderError::Unsupported) => {
                // Asked for what it never offers: it answered, so it is healthy.
                slot.breaker.success();
                return Err(ProviderError::Unsupported);
            }
            Err(e) => {
                slot.breaker.failure();
                metrics::counter!("assistant_provider_requests_total", "provider" => provider.clone(), "outcome" => e.kind()).increment(1);
                tracing::warn!(provider, error = %e, attempt = tries + 1, "provider call failed");
                if !e.retryable()
                    || tries >= slot.settings.retries
                    || streamed.load(Ordering::Acquire)
                {
                    return Err(e);
                }
                let base = slot.settings.backoff_ms.saturating_mul(1 << tries.min(10));
                let jittered = rand::rng().random_range(base / 2..=base.max(1));
                tokio::time::sleep(Duration::from_millis(jittered)).await;
                tries += 1;
            }
        }
    }
}

/// A channel for one streaming attempt, forwarded to the reader; notes when anything passed.
fn forward(outer: Deltas, streamed: Arc<AtomicBool>) -> (Deltas, tokio::task::JoinHandle<()>) {
    let (inner, mut rx) = mpsc::channel::<String>(64);
    let forwarder = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            streamed.store(true, Ordering::Release);
            if outer.send(text).await.is_err() {
                return;
            }
        }
    });
    (inner, forwarder)
}
