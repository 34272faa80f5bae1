//! Importing an Apple Health export: parsed on a blocking thread, stored in batches by the
//! ordinary ingestion path while the parser reads on, so parsing and writing overlap.

use std::io::BufRead;

use platform::accounts::UserId;
use platform::{AppContext, Error, FieldError, Result};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Health, ingest};
use crate::apple_health::{Parser, Progress};
use crate::catalog::{self, Measurement};
use crate::model::{ItemResult, ItemStatus};

/// Records per stored batch, as in `records:batch`.
const BATCH: usize = 10_000;
/// Rejected items reported in full; the rest are only counted.
const MAX_REPORTED: usize = 20;

/// Where an import stopped early.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportError {
    pub line: u64,
    pub message: String,
}

/// What an import did. Everything before an error is kept.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportSummary {
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    /// Elements of types without a mapping, passed over.
    pub skipped: u64,
    pub bytes: u64,
    /// The first rejected items, with the field and reason.
    pub rejected_items: Vec<ItemResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ImportError>,
}

struct Chunk {
    /// Checked on the parsing thread too, which has time to spare while a batch is written.
    records: Vec<Result<Measurement, FieldError>>,
    progress: Progress,
}

/// Imports `reader` (an `export.xml`) as `user`'s records; `on_progress` hears the bytes read
/// after each stored batch.
pub async fn import_apple_health<R>(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
    reader: R,
    on_progress: impl Fn(u64) + Send,
) -> Result<ImportSummary>
where
    R: BufRead + Send + 'static,
{
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Chunk>(2);
    let clock = ctx.clock.clone();
    let parsing = tokio::task::spawn_blocking(move || {
        let mut parser = Parser::new(reader);
        let mut records = Vec::with_capacity(BATCH);
        let mut error = None;
        while let Some(item) = parser.next() {
            match item {
                Ok(record) => records.push(catalog::measure(record, clock.now())),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
            if records.len() == BATCH {
                let chunk = Chunk {
                    records: std::mem::replace(&mut records, Vec::with_capacity(BATCH)),
                    progress: parser.progress(),
                };
                if sender.blocking_send(chunk).is_err() {
                    return None;
                }
            }
        }
        // What came before an error is kept: the last partial batch is stored too.
        let _ = sender.blocking_send(Chunk {
            records,
            progress: parser.progress(),
        });
        error
    });
    let mut summary = ImportSummary::default();
    while let Some(chunk) = receiver.recv().await {
        let outcome = ingest(ctx, health, user, chunk.records, None).await?;
        summary.accepted += outcome.accepted;
        summary.duplicates += outcome.duplicates;
        summary.rejected += outcome.rejected;
        let room = MAX_REPORTED.saturating_sub(summary.rejected_items.len());
        summary.rejected_items.extend(
            outcome
                .results
                .into_iter()
                .filter(|r| r.status == ItemStatus::Rejected)
                .take(room),
        );
        summary.skipped = chunk.progress.skipped;
        summary.bytes = chunk.progress.bytes;
        on_progress(chunk.progress.bytes);
    }
    let error = parsing.await.map_err(Error::internal)?;
    summary.error = error.map(|e| ImportError {
        line: e.line,
        message: e.message,
    });
    Ok(summary)
}
