//! Notification types.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::UserId;
use crate::time::Timestamp;

crate::id_type!(
    /// One notification.
    NotificationId
);

/// What an app asks the platform to tell a user.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user: UserId,
    /// The app it comes from: `social`, `ask`, ...
    pub app: &'static str,
    /// What happened, e.g. `like`, `answer`, `alert`.
    pub kind: &'static str,
    /// Who did it, if someone did.
    pub actor: Option<UserId>,
    /// What it is about, e.g. `post:123`.
    pub subject: Option<String>,
    /// Notifications with the same key are shown as one group ("민지 and 3 others liked ...");
    /// defaults to `app:kind:subject`.
    pub group_key: Option<String>,
    /// Anything the client needs to render it.
    pub data: serde_json::Value,
}

/// A notification as its recipient sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    pub id: NotificationId,
    pub app: String,
    pub kind: String,
    pub actor: Option<Actor>,
    pub subject: Option<String>,
    pub group_key: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

/// Who caused a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Actor {
    pub id: UserId,
    pub username: String,
    pub display_name: Option<String>,
}

/// Notifications sharing a group key, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationGroup {
    pub group_key: String,
    pub app: String,
    pub kind: String,
    pub subject: Option<String>,
    /// How many notifications the group holds (on this page).
    pub count: usize,
    pub unread: usize,
    /// Up to three distinct actors, most recent first.
    pub actors: Vec<Actor>,
    /// Distinct actors in the group, to say "and N others".
    pub actor_count: usize,
    pub latest: Notification,
}

/// Groups notifications (newest first) by key, keeping the order of each group's newest.
pub fn group(items: Vec<Notification>) -> Vec<NotificationGroup> {
    let mut groups: Vec<NotificationGroup> = Vec::new();
    let mut actor_ids: Vec<Vec<UserId>> = Vec::new();
    for n in items {
        let position = groups.iter().position(|g| g.group_key == n.group_key);
        let index = position.unwrap_or_else(|| {
            groups.push(NotificationGroup {
                group_key: n.group_key.clone(),
                app: n.app.clone(),
                kind: n.kind.clone(),
                subject: n.subject.clone(),
                count: 0,
                unread: 0,
                actors: Vec::new(),
                actor_count: 0,
                latest: n.clone(),
            });
            actor_ids.push(Vec::new());
            groups.len() - 1
        });
        let group = &mut groups[index];
        group.count += 1;
        group.unread += usize::from(n.read_at.is_none());
        if let Some(actor) = n.actor
            && !actor_ids[index].contains(&actor.id)
        {
            actor_ids[index].push(actor.id);
            group.actor_count += 1;
            if group.actors.len() < 3 {
                group.actors.push(actor);
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(id: i64, key: &str, actor: i64, read: bool) -> Notification {
        Notification {
            id: NotificationId::from_raw(id),
            app: "social".into(),
            kind: "like".into(),
            actor: Some(Actor {
                id: UserId::from_raw(actor),
                username: format!("u{actor}"),
                display_name: None,
            }),
            subject: Some(key.into()),
            group_key: key.into(),
            data: serde_json::Value::Null,
            created_at: Timestamp::from_micros(id),
            read_at: read.then(|| Timestamp::from_micros(id)),
        }
    }

    #[test]
    fn groups_keep_newest_first_and_count_distinct_actors() {
        let groups = group(vec![
            n(9, "post:1", 1, false),
            n(8, "post:2", 2, true),
            n(7, "post:1", 3, false),
            n(6, "post:1", 1, true),
        ]);
        assert_eq!(
            groups
                .iter()
                .map(|g| g.group_key.as_str())
                .collect::<Vec<_>>(),
            ["post:1", "post:2"]
        );
        assert_eq!(
            (groups[0].count, groups[0].unread, groups[0].actor_count),
            (3, 2, 2)
        );
        assert_eq!(groups[0].latest.id, NotificationId::from_raw(9));
    }
}
