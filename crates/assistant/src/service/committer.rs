//! Group commit. SQLite has one writer, and a transaction per request queues every concurrent
//! writer behind the one before it: at 64 connections a profile update waited tens of
//! milliseconds for its turn. Writes are instead sent to one task that takes everything
//! waiting, commits it in one transaction, and answers each: the cost of a commit is shared,
//! and a write waits at most for the batch in progress.
//!
//! Each write keeps its meaning inside a batch: a profile write that was read before an earlier
//! write (of this batch or a committed one) is re-read from what the transaction sees — or, if
//! it named an expected version, is a conflict — exactly as if it had run alone after it. If the transaction fails, every
//! write of the batch fails with it and nothing of it is stored.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use platform::{AppContext, Error, Result};
use tokio::sync::{mpsc, oneshot};

use super::profile::{Applied, Prepared, current_in, effective, write};
use crate::model::{Message, OperationId, SessionId, VersionedProfile};
use crate::profile::Change;
use crate::store;

/// Most writes in one transaction.
const MAX_BATCH: usize = 256;

/// One write.
pub enum Write {
    /// Profile changes (with the user's message of a step, stored with them).
    Profile {
        prepared: Prepared,
        /// The changes as asked, for re-reading inside a batch.
        asked: Vec<Change>,
        expected: Option<i64>,
        source: &'static str,
        message: Option<Message>,
    },
    /// A reply, and the session marked active.
    Reply {
        session: SessionId,
        message: Message,
    },
    /// An update queued for the batching writer (`profile:batch`).
    Queue {
        id: OperationId,
        session: SessionId,
        user: platform::accounts::UserId,
        expected: Option<i64>,
        changes: Vec<Change>,
    },
}

/// What a write produced: for profile writes, the applied changes or `None` when the
/// version it expected was gone.
enum Written {
    Profile(Option<Applied>),
    Done,
}

struct Request {
    write: Write,
    answer: oneshot::Sender<Result<Written>>,
}

/// The handle requests submit through; its task starts with the first write.
#[derive(Default)]
pub struct Committer {
    queue: OnceLock<mpsc::Sender<Request>>,
}

impl Committer {
    /// Commits a profile write; `None` when the version it expected was gone.
    pub async fn profile(
        &self,
        ctx: &AppContext,
        snapshot_every: i64,
        write: Write,
    ) -> Result<Option<Applied>> {
        match self.submit(ctx, snapshot_every, write).await? {
            Written::Profile(applied) => Ok(applied),
            Written::Done => Err(Error::internal(anyhow::anyhow!("not a profile write"))),
        }
    }

    /// Commits a write that produces nothing.
    pub async fn store(&self, ctx: &AppContext, snapshot_every: i64, write: Write) -> Result<()> {
        self.submit(ctx, snapshot_every, write).await.map(|_| ())
    }

    async fn submit(&self, ctx: &AppContext, snapshot_every: i64, write: Write) -> Result<Written> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
            tokio::spawn(run(ctx.clone(), snapshot_every, rx));
            tx
        });
        let (answer, answered) = oneshot::channel();
        queue
            .send(Request { write, answer })
            .await
            .map_err(|_| Error::internal(anyhow::anyhow!("the committer stopped")))?;
        answered
            .await
            .map_err(|_| Error::internal(anyhow::anyhow!("the committer dropped a write")))?
    }
}

async fn run(ctx: AppContext, snapshot_every: i64, mut queue: mpsc::Receiver<Request>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let writes: Vec<&Write> = batch.iter().map(|r| &r.write).collect();
        metrics::histogram!("assistant_commit_batch_size").record(writes.len() as f64);
        match commit(&ctx, snapshot_every, &writes).await {
            Ok(results) => {
                for (request, result) in batch.into_iter().zip(results) {
                    let _ = request.answer.send(Ok(result));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, writes = batch.len(), "a write batch failed");
                for request in batch {
                    let _ = request
                        .answer
                        .send(Err(Error::internal(anyhow::anyhow!("write failed: {e}"))));
                }
            }
        }
    }
}

async fn commit(ctx: &AppContext, snapshot_every: i64, writes: &[&Write]) -> Result<Vec<Written>> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    // Each session's profile as this batch has left it.
    let mut latest: HashMap<SessionId, Arc<VersionedProfile>> = HashMap::new();
    let mut results = Vec::with_capacity(writes.len());
    for next in writes {
        match next {
            Write::Profile {
                prepared,
                asked,
                expected,
                source,
                message,
            } => {
                let id = prepared.base.session_id;
                let rebased;
                let prepared = match latest.get(&id) {
                    Some(after) if after.version != prepared.base.version => {
                        if expected.is_some() {
                            results.push(Written::Profile(None));
                            continue;
                        }
                        rebased = Prepared {
                            changes: effective(&after.profile, asked),
                            base: Arc::clone(after),
                        };
                        &rebased
                    }
                    _ => prepared,
                };
                let mut applied = write(&mut tx, snapshot_every, prepared, source, now).await?;
                if applied.is_none() && expected.is_none() {
                    // Read before an earlier batch committed: start again from what this
                    // transaction sees, as a write arriving now would.
                    if let Some(current) = current_in(&mut tx, id).await? {
                        let rebased = Prepared {
                            changes: effective(&current.profile, asked),
                            base: current,
                        };
                        applied = write(&mut tx, snapshot_every, &rebased, source, now).await?;
                    }
                }
                if let Some(applied) = &applied {
                    latest.insert(
                        id,
                        Arc::new(VersionedProfile {
                            session_id: id,
                            version: applied.version,
                            profile: applied.profile.clone(),
                        }),
                    );
                    if let Some(message) = message {
                        store::insert_message(&mut tx, id, message).await?;
                    }
                }
                results.push(Written::Profile(applied));
            }
            Write::Reply { session, message } => {
                store::insert_message(&mut tx, *session, message).await?;
                store::touch(&mut tx, *session, message.created_at).await?;
                results.push(Written::Done);
            }
            Write::Queue {
                id,
                session,
                user,
                expected,
                changes,
            } => {
                store::insert_operation(&mut tx, *id, *session, *user, *expected, changes, now)
                    .await?;
                results.push(Written::Done);
            }
        }
    }
    tx.commit().await?;
    Ok(results)
}
