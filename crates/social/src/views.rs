//! Post views, counted in memory and added to `views_count` in one transaction every couple of
//! seconds: a view is a read, and writing each one would put every read behind the single
//! SQLite writer. Each node flushes its own counts; views of the last two seconds before a
//! crash are lost, which a view count can afford.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use platform::AppContext;

use crate::model::ContentId;
use crate::store;

/// How long views wait in memory before they are written.
const FLUSH_AFTER: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct Views {
    pending: Mutex<HashMap<ContentId, i64>>,
    /// A flush is already on its way.
    scheduled: AtomicBool,
}

impl Views {
    /// Counts one view of a post, and makes sure a flush follows.
    pub fn seen(self: &Arc<Self>, ctx: &AppContext, id: ContentId) {
        if let Ok(mut pending) = self.pending.lock() {
            *pending.entry(id).or_default() += 1;
        }
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            let (views, ctx) = (Arc::clone(self), ctx.clone());
            tokio::spawn(async move {
                tokio::time::sleep(FLUSH_AFTER).await;
                views.scheduled.store(false, Ordering::Release);
                if let Err(e) = views.flush(&ctx).await {
                    tracing::warn!(error = %e, "could not write view counts");
                }
            });
        }
    }

    async fn flush(&self, ctx: &AppContext) -> platform::Result<()> {
        let batch = self
            .pending
            .lock()
            .map(|mut pending| std::mem::take(&mut *pending))
            .unwrap_or_default();
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = ctx.db.begin().await?;
        for (id, views) in batch {
            store::add_views(&mut tx, id, views).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
