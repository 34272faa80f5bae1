//! The assistant's use cases: sessions, steps, the profile and its event log, the batching
//! writer, live sync, usage.

mod committer;
mod operations;
mod profile;
mod sessions;
mod steps;
mod sync;
mod usage;

use std::sync::{Arc, RwLock};

use tokio::sync::Notify;

pub use operations::{accept, operation, run_writer};
pub use profile::{current as profile_current, events, profile_at, update};
pub use sessions::{check_owner, create, delete, export, list, messages, owned, purge_expired};
pub use steps::{StepEvent, checked_text, step};
pub use sync::{UpdateFrame, replay, topic};
pub use usage::{MyUsage, UserUsage, all_usage, my_usage};

use crate::Settings;
use crate::intents::Router;
use crate::llm::Gateway;
use crate::semantic::Index;

/// What the assistant keeps for its whole life, shared by every request.
pub struct State {
    pub settings: Settings,
    pub router: Router,
    pub gateway: Gateway,
    /// Made at the first insert, with the dimensions of the embeddings in use.
    pub semantic: RwLock<Option<Index>>,
    /// Wakes the batching writer when an update is queued.
    pub queued: Notify,
    /// Where synchronous writes meet for a shared transaction.
    pub committer: committer::Committer,
}

pub type Shared = Arc<State>;

impl State {
    pub fn new(settings: Settings) -> anyhow::Result<Self> {
        Ok(Self {
            router: Router::shipped(settings.router_threshold),
            gateway: Gateway::from_settings(&settings.providers)?,
            semantic: RwLock::new(None),
            queued: Notify::new(),
            committer: committer::Committer::default(),
            settings,
        })
    }

    /// Which embeddings the semantic cache uses: `provider` or `ngram`.
    pub fn embeddings(&self) -> &'static str {
        match self.settings.embeddings {
            crate::Embeddings::Provider => "provider",
            crate::Embeddings::Auto if self.gateway.embeds() => "provider",
            crate::Embeddings::Auto | crate::Embeddings::Ngram => "ngram",
        }
    }
}
