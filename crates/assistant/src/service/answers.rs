//! The semantic cache as a step uses it: which embedder turns a prompt into a vector, and an
//! index per vector length to look answers up in and keep them.

use std::time::Instant;

use platform::accounts::UserId;

use super::Shared;
use crate::embed::{ngram_vector, normalise_l2};
use crate::profile::Language;
use crate::semantic::{Cached, Hit, Index, Key};

pub fn locale(language: Language) -> u8 {
    match language {
        Language::Ko => 1,
        Language::En => 2,
    }
}

/// The embedding the semantic cache uses, and what made it. all-MiniLM-L6-v2 learnt English
/// only (Korean prompts about different things score 0.8 with it), so Korean prompts are
/// embedded by n-grams. A provider or the local model that fails falls back to n-grams too
/// (whose vectors go to their own index), rather than fail the step.
pub async fn embed(state: &Shared, text: &str, language: Language) -> (Embedder, Vec<f32>) {
    match state.embedder() {
        Embedder::Provider => {
            if let Some((_, mut vector)) = state.gateway.embed(text).await {
                normalise_l2(&mut vector);
                return (Embedder::Provider, vector);
            }
        }
        Embedder::Local if language == Language::En => {
            if let Some(model) = state.local_embedder.clone() {
                let text = text.to_owned();
                match tokio::task::spawn_blocking(move || model.embed(&text)).await {
                    Ok(Ok(vector)) => return (Embedder::Local, vector),
                    Ok(Err(e)) => {
                        tracing::warn!(error = %format!("{e:#}"), "local embedding failed");
                    }
                    Err(e) => tracing::warn!(error = %e, "local embedding failed"),
                }
            }
        }
        Embedder::Local | Embedder::Ngram => {}
    }
    (Embedder::Ngram, ngram_vector(text))
}

/// An earlier answer to this prompt, exact or similar enough for the embedder that made
/// `vector`.
pub fn lookup(
    state: &Shared,
    user: UserId,
    key: Key,
    vector: &[f32],
    embedder: Embedder,
) -> Option<Hit> {
    let indexes = state.semantic.read().ok()?;
    let threshold = state
        .settings
        .similarity_threshold
        .unwrap_or_else(|| embedder.similarity_threshold());
    indexes
        .iter()
        .find(|index| index.dims() == vector.len())?
        .lookup(
            user,
            key.locale,
            key.hash,
            vector,
            threshold,
            Instant::now(),
        )
}

/// Keeps an answer for later prompts, in the index for its vector length.
pub fn store_answer(
    state: &Shared,
    key: Key,
    vector: &[f32],
    text: &str,
    provider: &str,
    model: &str,
) {
    let Ok(mut indexes) = state.semantic.write() else {
        return;
    };
    let settings = &state.settings;
    let position = indexes
        .iter()
        .position(|i| i.dims() == vector.len())
        .unwrap_or_else(|| {
            indexes.push(Index::new(
                vector.len(),
                settings.semantic_cache_entries,
                std::time::Duration::from_secs(settings.semantic_cache_ttl_secs),
            ));
            indexes.len() - 1
        });
    let index = &mut indexes[position];
    index.insert(
        key,
        vector,
        Cached {
            text: text.to_owned(),
            provider: provider.to_owned(),
            model: model.to_owned(),
        },
        Instant::now(),
    );
    let entries: usize = indexes.iter().map(Index::len).sum();
    metrics::gauge!("assistant_semantic_cache_entries").set(entries as f64);
}

/// What turns prompts into vectors for the semantic cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Embedder {
    /// A provider's embeddings endpoint.
    Provider,
    /// all-MiniLM-L6-v2, run here.
    Local,
    /// Hashed character n-grams (`embed`).
    Ngram,
}

impl Embedder {
    /// The cosine at or above which two prompts count as the same question, unless
    /// `similarity_threshold` is set. all-MiniLM-L6-v2 scores English paraphrases 0.85–0.96
    /// and different questions on one topic below 0.75; n-gram vectors need a closer match.
    pub fn similarity_threshold(self) -> f32 {
        match self {
            Self::Local => 0.85,
            Self::Provider | Self::Ngram => 0.9,
        }
    }
}
