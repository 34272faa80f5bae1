//! The assistant's use cases: sessions, steps, the profile and its event log, the batching
//! writer, live sync, usage.

mod answers;
mod committer;
mod operations;
mod profile;
mod sessions;
mod steps;
mod sync;
mod usage;

use std::sync::{Arc, RwLock};

use tokio::sync::Notify;

pub use answers::Embedder;
pub use operations::{accept, operation, run_writer};
pub use profile::{current as profile_current, events, profile_at, update};
pub use sessions::{check_owner, create, delete, export, list, messages, owned, purge_expired};
pub use steps::{StepEvent, checked_text, step};
pub use sync::{UpdateFrame, replay, topic};
pub use usage::{MyUsage, UserUsage, all_usage, my_usage};

use crate::intents::Router;
use crate::llm::Gateway;
use crate::local::TextEmbedder;
use crate::semantic::Index;
use crate::{Embeddings, Settings};

/// What the assistant keeps for its whole life, shared by every request.
pub struct State {
    pub settings: Settings,
    pub router: Router,
    pub gateway: Gateway,
    /// The local embedding model, when its files are there and this build runs it.
    pub local_embedder: Option<Arc<dyn TextEmbedder>>,
    /// The semantic cache: an index per vector length in use, each made at its first insert.
    pub semantic: RwLock<Vec<Index>>,
    /// Wakes the batching writer when an update is queued.
    pub queued: Notify,
    /// Where synchronous writes meet for a shared transaction.
    pub committer: committer::Committer,
}

pub type Shared = Arc<State>;

impl State {
    pub fn new(settings: Settings) -> anyhow::Result<Self> {
        let models = settings.models_dir.as_deref();
        let local_embedder = match models {
            Some(dir) => crate::local::embedder(dir)?,
            None => None,
        };
        if settings.embeddings == Embeddings::Local && local_embedder.is_none() {
            anyhow::bail!(
                "[apps.assistant] embeddings = \"local\" needs the all-MiniLM-L6-v2 files and a build with `--features local-models`: see `maru models`"
            );
        }
        Ok(Self {
            router: Router::shipped(settings.router_threshold),
            gateway: Gateway::from_settings(&settings.providers, models)?,
            local_embedder,
            semantic: RwLock::new(Vec::new()),
            queued: Notify::new(),
            committer: committer::Committer::default(),
            settings,
        })
    }

    /// Which embeddings the semantic cache uses.
    pub fn embedder(&self) -> Embedder {
        match self.settings.embeddings {
            Embeddings::Provider => Embedder::Provider,
            Embeddings::Auto if self.gateway.embeds() => Embedder::Provider,
            Embeddings::Local | Embeddings::Auto if self.local_embedder.is_some() => {
                Embedder::Local
            }
            Embeddings::Local | Embeddings::Auto | Embeddings::Ngram => Embedder::Ngram,
        }
    }
}
