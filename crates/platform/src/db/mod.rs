//! Relational storage: SQLite (embedded default) or PostgreSQL, behind one handle.
//!
//! Stores write one query text for both dialects (`$1` placeholders, `ON CONFLICT`,
//! `RETURNING` work in both) through sqlx's `Any` driver and branch on [`Dialect`] only where
//! the two differ. SQLite gets exactly one writer connection, so writers queue in-process instead
//! of meeting `SQLITE_BUSY`; readers never block in WAL mode, and run on the thread that awaits
//! them ([`Reader`]).

mod inline;
mod migrate;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor};
use tokio::sync::watch;

pub use inline::Reader;
pub use migrate::{Migration, migrate};

/// A transaction on the writer.
pub type Tx = sqlx::Transaction<'static, Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The database: a writer pool, a reader pool (the same pool unless SQLite or a replica), and
/// the reads of requests (in place on SQLite, the reader pool otherwise).
#[derive(Debug, Clone)]
pub struct Db {
    writer: AnyPool,
    reader: AnyPool,
    reads: Reader,
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
/// Every this many checkpoints, one runs on the writer connection (see [`run_checkpointer`]).
const WRITER_CHECKPOINT_EVERY: u32 = 5;

/// SQLite: copies committed pages from the WAL back into the database file every `every`,
/// until `stop`.
///
/// Most checkpoints are passive and run on a reader: they block nobody. But under steady
/// writes they never catch up with the last commit, and the log only starts over once a
/// checkpoint has copied all of it, so it would grow without end. Every
/// [`WRITER_CHECKPOINT_EVERY`]th checkpoint therefore runs on the writer connection, where no
/// commit can land while it finishes the little the last one left (about 2 ms of holding
/// writes back, where a `TRUNCATE` checkpoint held them 10–100 ms, waiting for readers); the
/// next commit then starts the log over. Should readers keep the log from starting over
/// anyway, past 256 MiB it is truncated, waiting for them. Nothing to do for PostgreSQL.
pub async fn run_checkpointer(db: Db, every: Duration, mut stop: watch::Receiver<bool>) {
    if db.dialect != Dialect::Sqlite {
        return;
    }
    let mut round = 0u32;
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {
                round = round.wrapping_add(1);
                if let Err(e) = checkpoint(&db, round.is_multiple_of(WRITER_CHECKPOINT_EVERY)).await {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
            _ = stop.changed() => return,
        }
    }
}

async fn checkpoint(db: &Db, on_writer: bool) -> Result<(), sqlx::Error> {
    use sqlx::Row;
    let passive = "PRAGMA wal_checkpoint(PASSIVE)";
    let mut row = sqlx::query(passive).fetch_one(&db.reader).await?;
    if on_writer {
        row = sqlx::query(passive).fetch_one(&db.writer).await?;
    }
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
                reads: Reader::inline(path.into(), SQLITE_PRAGMAS, reader.clone()),
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
                reads: Reader::pool(reader.clone()),
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

    /// Where a request's reads go: short, indexed reads that may lag writes by replication
    /// delay. On SQLite they run in place, holding the thread that awaits them.
    pub fn reader(&self) -> &Reader {
        &self.reads
    }

    /// The pool for long reads (whole-table scans for a search rebuild; operators' counts and
    /// figures; aggregates over many rows such as trending tags), which run on connection
    /// threads of their own so that requests go on meanwhile.
    pub fn scan(&self) -> &AnyPool {
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

    /// Connections open and idle, summed over pools, for `/metrics`.
    ///
    /// sqlx reads each pool's figures without a lock, so while connections come and go an idle
    /// count can be momentarily off (it once overflowed a sum here and failed `/metrics`): the
    /// sums saturate and idle never exceeds open.
    pub fn pool_stats(&self) -> (u32, usize) {
        let mut size = self.writer.size();
        let mut idle = self.writer.num_idle();
        if self.separate_reader {
            size = size.saturating_add(self.reader.size());
            idle = idle.saturating_add(self.reader.num_idle());
        }
        (size, idle.min(usize::try_from(size).unwrap_or(usize::MAX)))
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

/// How many rows each of `what` holds, in one round trip: each is a name and the `FROM` part
/// of a count (`"social_content WHERE deleted_at IS NULL"`), written by the store that owns the
/// table. For operators' figures, not for hot paths: each is a full count.
pub async fn counts<'e, E: Executor<'e, Database = Any>>(
    db: E,
    what: &[(&'static str, &'static str)],
) -> crate::Result<Vec<(&'static str, i64)>> {
    use sqlx::Row;
    if what.is_empty() {
        return Ok(Vec::new());
    }
    let columns: Vec<String> = what
        .iter()
        .enumerate()
        .map(|(i, (_, from))| format!("(SELECT COUNT(*) FROM {from}) AS c{i}"))
        .collect();
    let sql = format!("SELECT {}", columns.join(", "));
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(db).await?;
    what.iter()
        .enumerate()
        .map(|(i, (name, _))| Ok((*name, row.try_get::<i64, _>(i)?)))
        .collect()
}

/// `$first, $first+1, ...` for `n` values: a list bound value by value, so that its text is
/// the same for every list of that length and its prepared statement is reused.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `LIKE` pattern matching `text` literally anywhere (escape character `\`).
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Under commits that never pause, the checkpoints get the log to start over: once the
    /// writers stop, fewer frames stay in it than half the commits made (each commit adds at
    /// least one). The test makes the checkpoints itself, the rounds [`run_checkpointer`] makes
    /// on its timer, so that how busy the machine is changes how long the test takes, not what
    /// it shows.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_starts_over_under_steady_writes() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
        const ROUNDS: u32 = 40;
        const MIN_COMMITS: i64 = 4000;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(&url, None, 4).await.unwrap();
        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
            .execute(db.writer())
            .await
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let commits = Arc::new(AtomicI64::new(0));
        // Four writers queue on the one writer connection: a commit is always waiting.
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let (db, stop, commits) = (db.clone(), stop.clone(), commits.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        sqlx::query("INSERT INTO t (body) VALUES (?)")
                            .bind("x".repeat(2000))
                            .execute(db.writer())
                            .await
                            .unwrap();
                        commits.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        let mut round = 0;
        let on_writer = |round: u32| round.is_multiple_of(WRITER_CHECKPOINT_EVERY);
        // Ends on a round on the writer: how long the rounds after it would take depends on
        // how busy the disk is, and the log only grows meanwhile.
        while round < ROUNDS || commits.load(Ordering::Relaxed) < MIN_COMMITS || !on_writer(round) {
            round += 1;
            tokio::time::sleep(Duration::from_millis(5)).await;
            checkpoint(&db, on_writer(round)).await.unwrap();
        }
        // The next commit, queued behind the writers', starts the log over.
        sqlx::query("INSERT INTO t (body) VALUES ('last')")
            .execute(db.writer())
            .await
            .unwrap();
        stop.store(true, Ordering::Relaxed);
        for writer in writers {
            writer.await.unwrap();
        }
        let commits = commits.load(Ordering::Relaxed);
        let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(db.scan())
            .await
            .unwrap();
        let frames: i64 = sqlx::Row::try_get(&row, 1).unwrap();
        assert!(
            frames * 2 < commits,
            "{frames} frames in the log after {commits} commits"
        );
    }
}
