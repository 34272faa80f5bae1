//! Relational storage: SQLite (embedded default) or PostgreSQL, behind one handle.
//!
//! Stores write one query text for both dialects (`$1` placeholders, `ON CONFLICT`,
//! `RETURNING` work in both) through sqlx's `Any` driver and branch on [`Dialect`] only where
//! the two differ. SQLite gets exactly one writer connection, so writers queue in-process instead
//! of meeting `SQLITE_BUSY`; readers use a separate pool and never block in WAL mode.

mod migrate;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor};
use tokio::sync::watch;

pub use migrate::{Migration, migrate};

/// A transaction on the writer.
pub type Tx = sqlx::Transaction<'static, Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The database: a writer pool and a reader pool (the same pool unless SQLite or a replica).
#[derive(Debug, Clone)]
pub struct Db {
    writer: AnyPool,
    reader: AnyPool,
    /// Whether `reader` is a pool of its own (SQLite readers, a PostgreSQL replica).
    separate_reader: bool,
    dialect: Dialect,
}

/// Every SQLite connection's settings. Commits never checkpoint (`wal_autocheckpoint = 0`):
/// a write that dirties pages all over a large index (a fan-out to a thousand timelines) made
/// the next commit pay tens of milliseconds of checkpointing; [`run_checkpointer`] does it in
/// the background instead.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA temp_store = MEMORY; \
     PRAGMA cache_size = -16000; PRAGMA wal_autocheckpoint = 0; \
     PRAGMA journal_size_limit = 67108864;";

/// WAL frames (4 KiB pages) past which the checkpointer starts the log over (256 MiB).
const WAL_TRUNCATE_FRAMES: i64 = 65_536;

/// SQLite: copies committed pages from the WAL back into the database file every `every`,
/// without blocking readers or the writer (a passive checkpoint), until `stop`. Under steady
/// writes the log never empties by itself, so once it passes 256 MiB it is truncated, on the
/// writer connection: writes queue behind it for that moment instead of failing as busy (which
/// they would if another connection held the write lock when they upgrade). Nothing to do for
/// PostgreSQL.
pub async fn run_checkpointer(db: Db, every: Duration, mut stop: watch::Receiver<bool>) {
    if db.dialect != Dialect::Sqlite {
        return;
    }
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {
                if let Err(e) = checkpoint(&db).await {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
            _ = stop.changed() => return,
        }
    }
}

async fn checkpoint(db: &Db) -> Result<(), sqlx::Error> {
    use sqlx::Row;
    let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&db.reader)
        .await?;
    let frames: i64 = row.try_get(1)?;
    if frames > WAL_TRUNCATE_FRAMES {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&db.writer)
            .await?;
    }
    Ok(())
}

impl Db {
    /// Connects to `url` (`sqlite://PATH` creates the file; `postgres://...`), with an optional
    /// read replica for PostgreSQL.
    pub async fn connect(
        url: &str,
        read_url: Option<&str>,
        max_connections: u32,
    ) -> anyhow::Result<Self> {
        install_default_drivers();
        if let Some(path) = url.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or(path);
            if let Some(parent) = std::path::Path::new(path)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent)?;
            }
            let url = format!("sqlite://{path}?mode=rwc");
            let writer = sqlite_pool(1).connect(&url).await?;
            let reader = sqlite_pool(max_connections.max(1)).connect(&url).await?;
            Ok(Self {
                writer,
                reader,
                separate_reader: true,
                dialect: Dialect::Sqlite,
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let writer = postgres_pool(url, max_connections).await?;
            let (reader, separate_reader) = match read_url {
                Some(r) => (postgres_pool(r, max_connections).await?, true),
                None => (writer.clone(), false),
            };
            Ok(Self {
                writer,
                reader,
                separate_reader,
                dialect: Dialect::Postgres,
            })
        } else {
            anyhow::bail!("unsupported database URL (expected sqlite:// or postgres://): {url}")
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The pool for reads that may lag writes by replication delay.
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// The pool for writes and for reads that must see the latest write.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// A transaction on the writer.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.writer.begin().await
    }

    /// Connections in use and idle, summed over pools, for `/metrics`.
    pub fn pool_stats(&self) -> (u32, usize) {
        let mut size = self.writer.size();
        let mut idle = self.writer.num_idle();
        if self.separate_reader {
            size += self.reader.size();
            idle += self.reader.num_idle();
        }
        (size, idle)
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.reader).await.is_ok()
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

async fn postgres_pool(url: &str, max: u32) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(max.max(2))
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
}

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _meta| {
            Box::pin(async move { conn.execute(SQLITE_PRAGMAS).await.map(|_| ()) })
        })
}

/// A `LIKE` pattern matching `text` literally anywhere (escape character `\`).
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
