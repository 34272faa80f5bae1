//! Writing notifications and pushing them live.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;

use super::model::{NewNotification, Notification, NotificationGroup, NotificationId, group};
use super::store;
use crate::accounts::UserId;
use crate::bus::{Bus, Event, Subscriber};
use crate::cache::{Cache, Family};
use crate::db::Tx;
use crate::ids::IdGenerator;
use crate::realtime::Hub;
use crate::time::Clock;
use crate::{AppContext, Error, Result};

/// How long an unread count is kept. This node forgets a count whenever it changes one; the
/// lifetime bounds how stale another node's copy can be.
const UNREAD_TTL: Duration = Duration::from_secs(5);

/// The notification service handed to apps.
#[derive(Clone)]
pub struct Notifications {
    ids: Arc<IdGenerator>,
    clock: Clock,
    bus: Bus,
    /// Unread counts by user: the badge every page and app shows.
    unread: Family<UserId, i64>,
}

impl Notifications {
    pub fn new(ids: Arc<IdGenerator>, clock: Clock, bus: Bus, cache: &Cache) -> Self {
        Self {
            ids,
            clock,
            bus,
            unread: cache.family("notifications.unread", UNREAD_TTL, 100_000),
        }
    }

    /// Stores a notification inside the caller's transaction; it is pushed live once that
    /// transaction commits (call `ctx.bus.wake()` after committing to push at once).
    pub async fn notify(&self, tx: &mut Tx, n: &NewNotification) -> Result<Notification> {
        let key = n.group_key.clone().unwrap_or_else(|| {
            format!(
                "{}:{}:{}",
                n.app,
                n.kind,
                n.subject.as_deref().unwrap_or("-")
            )
        });
        let stored = store::insert(
            tx,
            NotificationId::from_raw(self.ids.next_id()),
            n,
            &key,
            self.clock.now(),
        )
        .await?;
        self.bus
            .publish(
                tx,
                "notification.created",
                &json!({ "user_id": n.user, "notification": stored }),
            )
            .await?;
        Ok(stored)
    }
}

/// A page of notifications, newest first.
pub async fn list(
    ctx: &AppContext,
    user: UserId,
    max_id: Option<i64>,
    unread_only: bool,
    limit: i64,
) -> Result<Vec<Notification>> {
    store::list(ctx.db.reader(), user, max_id, unread_only, limit).await
}

/// Up to `limit` groups built from a window of recent notifications, and the `max_id` to pass
/// for the next page. The next page starts at the newest notification of the first group left
/// out, so no notification is skipped (an older member of a shown group may show again there).
pub async fn list_grouped(
    ctx: &AppContext,
    user: UserId,
    max_id: Option<i64>,
    unread_only: bool,
    limit: usize,
) -> Result<(Vec<NotificationGroup>, Option<i64>)> {
    let window_size = (limit * 10).min(500);
    let window = store::list(
        ctx.db.reader(),
        user,
        max_id,
        unread_only,
        window_size as i64,
    )
    .await?;
    let oldest = window.last().map(|n| n.id.get());
    let window_full = window.len() == window_size;
    let mut groups = group(window);
    let cursor = if groups.len() > limit {
        groups.get(limit).map(|g| g.latest.id.get() + 1)
    } else if window_full {
        oldest
    } else {
        None
    };
    groups.truncate(limit);
    Ok((groups, cursor))
}

/// Every notification of a user, for their data export.
pub async fn export(ctx: &AppContext, user: UserId) -> Result<Vec<Notification>> {
    store::list(ctx.db.reader(), user, None, false, i64::MAX).await
}

pub async fn unread_count(ctx: &AppContext, user: UserId) -> Result<i64> {
    ctx.notifications
        .unread
        .get_or_load(user, store::unread_count(ctx.db.reader(), user))
        .await
}

pub async fn mark_read(ctx: &AppContext, user: UserId, id: NotificationId) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    let found = store::mark_read(&mut tx, user, id, ctx.clock.now()).await?;
    tx.commit().await?;
    if !found {
        return Err(Error::not_found("no such notification"));
    }
    ctx.notifications.unread.invalidate(&user);
    ctx.hub.publish(
        &Hub::user_topic(user),
        "notification.read",
        json!({ "id": id }),
    );
    Ok(())
}

pub async fn mark_all_read(ctx: &AppContext, user: UserId) -> Result<u64> {
    let mut tx = ctx.db.begin().await?;
    let n = store::mark_all_read(&mut tx, user, ctx.clock.now()).await?;
    tx.commit().await?;
    ctx.notifications.unread.invalidate(&user);
    ctx.hub.publish(
        &Hub::user_topic(user),
        "notification.read_all",
        json!({ "count": n }),
    );
    Ok(n)
}

/// Bus subscriber: pushes each new notification to its user's topic.
pub struct PushLive;

#[async_trait]
impl Subscriber for PushLive {
    async fn handle(&self, ctx: &AppContext, _tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        #[derive(serde::Deserialize)]
        struct Created {
            user_id: UserId,
            notification: serde_json::Value,
        }
        let created: Created = event.parse()?;
        ctx.notifications.unread.invalidate(&created.user_id);
        ctx.hub.publish(
            &Hub::user_topic(created.user_id),
            "notification.created",
            created.notification,
        );
        Ok(())
    }
}
