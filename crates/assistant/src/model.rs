//! What the assistant's API reads and writes.

use platform::accounts::UserId;
use platform::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::intents::Classification;
use crate::llm::Tier;
use crate::profile::{Change, Profile};

platform::id_type!(
    /// A conversation session.
    SessionId
);
platform::id_type!(
    /// A queued profile update (`profile:batch`).
    OperationId
);
platform::id_type!(
    /// A message of a conversation.
    MessageId
);

/// A session as its owner sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Session {
    pub id: SessionId,
    pub title: String,
    /// The profile's version: the sequence number of its last event.
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A session row with its owner, for checks.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub session: Session,
    pub user_id: UserId,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    /// Up to 100 characters; "새 대화" / "New conversation" by default.
    #[serde(default)]
    pub title: Option<String>,
}

/// One message of a conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Message {
    pub id: MessageId,
    #[serde(rename = "role")]
    pub from: Speaker,
    pub text: String,
    /// The intent the router saw (user messages).
    pub intent: Option<String>,
    /// Who answered (assistant messages): `router`, `safety`, `offline`, `cache`, or a
    /// provider's name.
    pub answered_by: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Speaker {
    User,
    Assistant,
}

/// A user's turn.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// 1 to 4,000 characters.
    pub text: String,
    /// `economy` sends the step to each provider's cheaper model.
    #[serde(default)]
    pub priority: Tier,
}

/// What one step produced.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepReply {
    pub message: Message,
    pub reply: Message,
    pub classification: Classification,
    /// The profile changes this step made (facts it learnt), already applied.
    pub changes: Vec<Change>,
    pub version: i64,
    pub profile: Profile,
    /// `exact` or `semantic` when the reply came from the semantic cache.
    pub cache: Option<&'static str>,
    /// The daily token budget was used up, so the offline coach answered.
    pub budget_exhausted: bool,
}

/// A profile at a version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VersionedProfile {
    pub session_id: SessionId,
    pub version: i64,
    pub profile: Profile,
}

/// A write to the profile: its changes, checked against the version the writer last saw.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    /// The version the writer read; a different current version is a conflict (409). Leave
    /// out to apply whatever the current version is.
    #[serde(default)]
    pub expected_version: Option<i64>,
    /// 1 to 50 changes, applied in order.
    pub changes: Vec<Change>,
}

/// One stored event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Event {
    pub seq: i64,
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// `message`, `api` or `batch`.
    pub source: String,
    pub at: Timestamp,
}

impl Event {
    pub fn change(&self) -> Option<Change> {
        Change::from_event(&self.kind, &self.data)
    }
}

/// Where a queued update stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OperationStatus {
    /// Stored, waiting for the batching writer.
    Accepted,
    Applied,
    /// The expected version was stale when the writer reached it; nothing was applied.
    Conflict,
    /// The session is gone; nothing was applied.
    Rejected,
}

impl OperationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Applied => "applied",
            Self::Conflict => "conflict",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "applied" => Self::Applied,
            "conflict" => Self::Conflict,
            "rejected" => Self::Rejected,
            _ => Self::Accepted,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Operation {
    pub id: OperationId,
    pub session_id: SessionId,
    pub status: OperationStatus,
    /// The profile version the update produced (applied).
    pub version: Option<i64>,
    pub error: Option<String>,
    pub accepted_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// A queued operation as the writer reads it.
#[derive(Debug, Clone)]
pub struct QueuedOperation {
    pub id: OperationId,
    pub session_id: SessionId,
    pub expected_version: Option<i64>,
    pub changes: Vec<Change>,
}

/// Usage of one provider and model on one day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Usage {
    pub day: String,
    pub provider: String,
    pub model: String,
    pub requests: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// Millionths of a US dollar.
    pub cost_micros: i64,
}
