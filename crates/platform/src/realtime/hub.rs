//! Topics, their recent history, and subscription policies.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use tokio::sync::broadcast;

use crate::accounts::CurrentUser;
use crate::ids::IdGenerator;
use crate::time::{Clock, Timestamp};

/// How many recent messages a topic keeps for resuming clients.
const HISTORY: usize = 256;
/// Messages buffered per subscriber before a slow one starts losing them.
const CHANNEL: usize = 1024;

/// One message on a topic.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    #[serde(with = "crate::jobs::string_id")]
    pub id: i64,
    pub topic: String,
    pub event: String,
    pub data: serde_json::Value,
    pub at: Timestamp,
}

/// Decides whether a user may subscribe to a topic under some prefix.
#[async_trait]
pub trait TopicPolicy: Send + Sync + 'static {
    async fn may_subscribe(&self, user: &CurrentUser, topic: &str) -> bool;
}

struct Topic {
    sender: broadcast::Sender<Arc<Message>>,
    history: VecDeque<Arc<Message>>,
}

struct Inner {
    topics: Mutex<HashMap<String, Topic>>,
    policies: HashMap<&'static str, Arc<dyn TopicPolicy>>,
    ids: Arc<IdGenerator>,
    clock: Clock,
}

/// The in-process hub. (Across nodes, a bus bridge feeds each node's hub.)
#[derive(Clone)]
pub struct Hub(Arc<Inner>);

impl Hub {
    pub fn new(
        ids: Arc<IdGenerator>,
        clock: Clock,
        policies: HashMap<&'static str, Arc<dyn TopicPolicy>>,
    ) -> Self {
        Self(Arc::new(Inner {
            topics: Mutex::new(HashMap::new()),
            policies,
            ids,
            clock,
        }))
    }

    /// The topic every user has for their own notifications and alerts.
    pub fn user_topic(user: crate::accounts::UserId) -> String {
        format!("user:{user}")
    }

    /// Sends `data` as `event` to everyone on `topic`; returns the message id.
    pub fn publish(&self, topic: &str, event: &str, data: serde_json::Value) -> i64 {
        let message = Arc::new(Message {
            id: self.0.ids.next_id(),
            topic: topic.to_owned(),
            event: event.to_owned(),
            data,
            at: self.0.clock.now(),
        });
        let id = message.id;
        if let Ok(mut topics) = self.0.topics.lock() {
            let entry = topics.entry(topic.to_owned()).or_insert_with(new_topic);
            if entry.history.len() == HISTORY {
                entry.history.pop_front();
            }
            entry.history.push_back(Arc::clone(&message));
            // No receivers is fine: the history still serves a client that reconnects.
            let _ = entry.sender.send(message);
        }
        metrics::counter!("realtime_messages_total").increment(1);
        id
    }

    /// Sends `data` as `event` to whoever listens on `topic` right now, making no topic and
    /// keeping no history: for fan-out to many users, most of them offline. Whether anyone was
    /// listening.
    pub fn publish_live(&self, topic: &str, event: &str, data: serde_json::Value) -> bool {
        let Ok(topics) = self.0.topics.lock() else {
            return false;
        };
        let Some(entry) = topics.get(topic).filter(|t| t.sender.receiver_count() > 0) else {
            return false;
        };
        let message = Arc::new(Message {
            id: self.0.ids.next_id(),
            topic: topic.to_owned(),
            event: event.to_owned(),
            data,
            at: self.0.clock.now(),
        });
        metrics::counter!("realtime_messages_total").increment(1);
        entry.sender.send(message).is_ok()
    }

    /// A receiver for live messages plus the history after `after` (oldest first). The receiver
    /// is made before the history is read, so nothing falls between them; a message may appear
    /// in both, and callers skip live ids they already replayed.
    pub fn subscribe(
        &self,
        topic: &str,
        after: Option<i64>,
    ) -> (broadcast::Receiver<Arc<Message>>, Vec<Arc<Message>>) {
        let Ok(mut topics) = self.0.topics.lock() else {
            let (sender, receiver) = broadcast::channel(1);
            drop(sender);
            return (receiver, Vec::new());
        };
        let entry = topics.entry(topic.to_owned()).or_insert_with(new_topic);
        let receiver = entry.sender.subscribe();
        let replay = after
            .map(|after| {
                entry
                    .history
                    .iter()
                    .filter(|m| m.id > after)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        (receiver, replay)
    }

    /// Whether `user` may listen on `topic`.
    pub async fn may_subscribe(&self, user: &CurrentUser, topic: &str) -> bool {
        if topic == "public" {
            return true;
        }
        let prefix = topic.split(':').next().unwrap_or(topic);
        if prefix == "user" {
            return topic == Self::user_topic(user.id);
        }
        match self.0.policies.get(prefix) {
            Some(policy) => policy.may_subscribe(user, topic).await,
            None => false,
        }
    }

    /// What follows `prefix` in each topic under it that someone listens to right now: for
    /// telling a crowd live, asking who is here costs less than going through everyone.
    pub fn listening(&self, prefix: &str) -> Vec<String> {
        let Ok(topics) = self.0.topics.lock() else {
            return Vec::new();
        };
        topics
            .iter()
            .filter(|(_, t)| t.sender.receiver_count() > 0)
            .filter_map(|(name, _)| name.strip_prefix(prefix).map(str::to_owned))
            .collect()
    }

    pub fn topic_count(&self) -> usize {
        self.0.topics.lock().map_or(0, |t| t.len())
    }

    /// Drops topics nobody listens to whose last message is older than `idle`.
    pub fn prune(&self, idle: Duration) {
        let cutoff = self.0.clock.now().minus(idle);
        if let Ok(mut topics) = self.0.topics.lock() {
            topics.retain(|_, t| {
                t.sender.receiver_count() > 0 || t.history.back().is_some_and(|m| m.at > cutoff)
            });
        }
    }
}

fn new_topic() -> Topic {
    Topic {
        sender: broadcast::channel(CHANNEL).0,
        history: VecDeque::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{Role, Scopes, UserId};

    fn hub() -> Hub {
        Hub::new(
            Arc::new(IdGenerator::new(0)),
            Clock::system(),
            HashMap::new(),
        )
    }

    #[tokio::test]
    async fn subscribers_get_live_messages_and_history_after_a_point() {
        let hub = hub();
        let first = hub.publish("public", "hello", serde_json::json!(1));
        hub.publish("public", "hello", serde_json::json!(2));
        let (mut live, replay) = hub.subscribe("public", Some(first));
        assert_eq!(
            replay.iter().map(|m| m.data.clone()).collect::<Vec<_>>(),
            vec![serde_json::json!(2)]
        );
        hub.publish("public", "hello", serde_json::json!(3));
        assert_eq!(
            live.recv().await.ok().map(|m| m.data.clone()),
            Some(serde_json::json!(3))
        );
    }

    #[test]
    fn listening_names_only_topics_with_someone_on_them() {
        let hub = hub();
        let (on, _) = hub.subscribe("feed:1", None);
        let (gone, _) = hub.subscribe("feed:2", None);
        drop(gone);
        hub.publish("feed:3", "hello", serde_json::json!(1));
        let (_other, _) = hub.subscribe("chat:4", None);
        assert_eq!(hub.listening("feed:"), ["1"]);
        drop(on);
        assert!(hub.listening("feed:").is_empty());
    }

    #[tokio::test]
    async fn users_may_listen_only_to_their_own_topic() {
        let hub = hub();
        let me = CurrentUser {
            id: UserId::from_raw(1),
            role: Role::User,
            scopes: Scopes::All,
        };
        assert!(hub.may_subscribe(&me, "user:1").await);
        assert!(!hub.may_subscribe(&me, "user:2").await);
        assert!(
            !hub.may_subscribe(&me, "session:9").await,
            "unknown prefixes are closed"
        );
    }
}
