//! Live sync (seed Phase 3.1): every profile event becomes an `UPDATE` on the session's topic
//! `session/{id}/profile`, numbered by its event sequence. A device that comes back names the
//! last sequence it has and is sent exactly the events after it, rebuilt from the event store,
//! before live ones, so nothing depends on what one node happened to keep in memory.

use platform::AppContext;
use platform::Result;
use serde_json::{Value, json};

use crate::model::{Event, SessionId};
use crate::profile::{Change, Profile};
use crate::store;

/// Most events replayed at once; a device further behind gets them in pages.
pub const REPLAY_PAGE: i64 = 500;

/// The topic every device of a session listens to.
pub fn topic(id: SessionId) -> String {
    format!("session/{id}/profile")
}

/// One `UPDATE`: the change, its sequence, and the whole profile after it.
#[derive(Debug, Clone)]
pub struct UpdateFrame {
    pub seq: i64,
    json: Value,
}

impl UpdateFrame {
    pub fn new(id: SessionId, event: &Event, change: &Change, after: &Profile) -> Self {
        Self {
            seq: event.seq,
            json: json!({
                "type": "update",
                "action": "UPDATE",
                "topic": topic(id),
                "seq": event.seq,
                "timestamp": event.at.millis(),
                "data": {
                    "type": event.kind,
                    "change": change,
                    "source": event.source,
                    "version": event.seq,
                    "profile": after,
                },
            }),
        }
    }

    /// Reads back a frame published on the hub.
    pub fn from_json(json: &Value) -> Option<Self> {
        Some(Self {
            seq: json["seq"].as_i64()?,
            json: json.clone(),
        })
    }

    pub fn to_json(&self) -> Value {
        self.json.clone()
    }
}

/// The frames after `after` up to `upto` (inclusive), in order, at most [`REPLAY_PAGE`].
pub async fn replay(
    ctx: &AppContext,
    id: SessionId,
    after: i64,
    upto: i64,
) -> Result<Vec<UpdateFrame>> {
    let events = store::events_after(ctx.db.reader(), id, after, upto, REPLAY_PAGE).await?;
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let mut profile = super::profile_at(ctx, id, after).await?;
    Ok(events
        .iter()
        .filter_map(|event| {
            let change = event.change()?;
            profile.apply(&change);
            Some(UpdateFrame::new(id, event, &change, &profile))
        })
        .collect())
}
