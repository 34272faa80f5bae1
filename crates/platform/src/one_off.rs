//! The platform for a command that does its work and exits (`maru demo`, `maru import`, ...).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::time::Clock;
use crate::{App, AppContext, Config};

/// A context with the WAL checkpointer running beside it, as under `serve`.
///
/// Commits never checkpoint on their own (see [`crate::db::run_checkpointer`]), so a command
/// without it left its whole log behind: `maru demo` wrote a 1.3 GB log beside a 4 KB
/// database file, and every later process read through it. [`OneOff::close`] stops the
/// checkpointer and closes the database; the last SQLite connection to close folds the rest
/// of the log into the file.
pub struct OneOff {
    pub ctx: AppContext,
    stop: watch::Sender<bool>,
    checkpointer: JoinHandle<()>,
}

impl OneOff {
    /// Connects and migrates as [`crate::context`] does, and starts the checkpointer.
    pub async fn start(
        config: Config,
        clock: Clock,
        apps: Vec<Arc<dyn App>>,
    ) -> anyhow::Result<Self> {
        let ctx = crate::context(config, clock, apps).await?;
        let (stop, stopped) = watch::channel(false);
        let checkpointer = tokio::spawn(crate::db::run_checkpointer(
            ctx.db.clone(),
            Duration::from_millis(200),
            stopped,
        ));
        Ok(Self {
            ctx,
            stop,
            checkpointer,
        })
    }

    /// Stops the checkpointer and closes the database.
    pub async fn close(self) {
        let _ = self.stop.send(true);
        let _ = self.checkpointer.await;
        self.ctx.db.close().await;
    }
}
