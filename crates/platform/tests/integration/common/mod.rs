//! A small app used by the platform's tests: notes that publish events, are searchable (private
//! notes only by their owner), and a job that always fails.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::extract::State;
use platform::accounts::{CurrentUser, UserId};
use platform::bus::{Event, Subscriber, Subscriptions};
use platform::db::{Migration, Tx};
use platform::extract::Json;
use platform::files::UploadPolicy;
use platform::jobs::{JobHandler, JobRegistry};
use platform::search::{Document, SearchType};
use platform::time::Timestamp;
use platform::{ApiRouter, App, AppContext, Result};
use serde_json::{Value, json};
use sqlx::Row;

/// What the test subscriber saw.
#[derive(Clone, Default)]
pub struct Probe {
    /// Failures still to simulate before the subscriber starts succeeding.
    pub failures_left: Arc<AtomicUsize>,
    /// Every attempt, failed or not.
    pub attempts: Arc<AtomicUsize>,
    /// Events handled successfully.
    pub handled: Arc<Mutex<Vec<i64>>>,
}

pub struct Notes {
    pub probe: Probe,
}

static MIGRATIONS: [Migration; 1] = [Migration {
    version: 1,
    name: "test_notes",
    sqlite: "CREATE TABLE test_notes (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, text TEXT NOT NULL, private INTEGER NOT NULL, created_at INTEGER NOT NULL)",
    postgres: "CREATE TABLE test_notes (id BIGINT PRIMARY KEY, owner_id BIGINT NOT NULL, text TEXT NOT NULL, private BIGINT NOT NULL, created_at BIGINT NOT NULL)",
    earlier: &[],
}];

#[async_trait]
impl App for Notes {
    fn name(&self) -> &'static str {
        "notes"
    }

    fn migrations(&self) -> &'static [Migration] {
        &MIGRATIONS
    }

    fn router(&self, _ctx: &AppContext) -> ApiRouter {
        ApiRouter::new().route("/api/v1/test/notes", axum::routing::post(create_note))
    }

    fn subscribe(&self, subscriptions: &mut Subscriptions) {
        subscriptions.on(
            "notes.probe",
            &["note.created"],
            ProbeSubscriber(self.probe.clone()),
        );
        subscriptions.on("notes.index", &["note.created"], IndexNotes);
    }

    fn jobs(&self, jobs: &mut JobRegistry) {
        jobs.handle("test.always_fails", AlwaysFails);
    }

    fn search_types(&self) -> Vec<Arc<dyn SearchType>> {
        vec![Arc::new(NoteSearch)]
    }

    fn upload_policy(&self) -> Option<UploadPolicy> {
        Some(UploadPolicy {
            app: "notes",
            allowed: vec![("application/pdf", 2048)],
        })
    }
}

#[derive(serde::Deserialize)]
struct NewNote {
    text: String,
    #[serde(default)]
    private: bool,
    /// Roll the transaction back after writing, as a failing use case would.
    #[serde(default)]
    abort: bool,
}

async fn create_note(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    Json(note): Json<NewNote>,
) -> Result<Json<Value>> {
    let id = ctx.next_id();
    let mut tx = ctx.db.begin().await?;
    sqlx::query("INSERT INTO test_notes (id, owner_id, text, private, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(user.id.get())
        .bind(&note.text)
        .bind(i64::from(note.private))
        .bind(ctx.clock.now().micros())
        .execute(&mut *tx)
        .await?;
    ctx.bus
        .publish(
            &mut tx,
            "note.created",
            &json!({ "note_id": id.to_string() }),
        )
        .await?;
    if note.abort {
        tx.rollback().await?;
        return Err(platform::Error::conflict("aborted on purpose"));
    }
    tx.commit().await?;
    ctx.bus.wake();
    Ok(Json(json!({ "id": id.to_string() })))
}

struct ProbeSubscriber(Probe);

#[async_trait]
impl Subscriber for ProbeSubscriber {
    async fn handle(&self, _ctx: &AppContext, _tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        self.0.attempts.fetch_add(1, Ordering::SeqCst);
        let fail = self
            .0
            .failures_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if fail {
            anyhow::bail!("simulated subscriber failure");
        }
        self.0.handled.lock().unwrap().push(event.id);
        Ok(())
    }
}

async fn note_document(tx: &mut Tx, id: i64) -> anyhow::Result<Document> {
    let row = sqlx::query("SELECT text, created_at FROM test_notes WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Document {
        doc_type: "notes",
        id,
        title: String::new(),
        body: row.try_get("text")?,
        tags: Vec::new(),
        facets: vec![("region", "jeju".to_owned())],
        created_at: Timestamp::from_micros(row.try_get("created_at")?),
    })
}

struct IndexNotes;

#[async_trait]
impl Subscriber for IndexNotes {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        let id: i64 = event.payload["note_id"]
            .as_str()
            .unwrap_or_default()
            .parse()?;
        ctx.search.index(&note_document(tx, id).await?)?;
        Ok(())
    }
}

struct NoteSearch;

#[async_trait]
impl SearchType for NoteSearch {
    fn name(&self) -> &'static str {
        "notes"
    }

    async fn hydrate(
        &self,
        ctx: &AppContext,
        viewer: Option<&CurrentUser>,
        ids: &[i64],
    ) -> Result<HashMap<i64, Value>> {
        let mut visible = HashMap::new();
        for id in ids {
            let row = sqlx::query("SELECT owner_id, text, private FROM test_notes WHERE id = $1")
                .bind(id)
                .fetch_optional(ctx.db.reader())
                .await?;
            let Some(row) = row else { continue };
            let owner = UserId::from_raw(row.try_get("owner_id")?);
            let private: i64 = row.try_get("private")?;
            if private == 0 || viewer.is_some_and(|v| v.id == owner) {
                visible.insert(*id, json!({ "text": row.try_get::<String, _>("text")? }));
            }
        }
        Ok(visible)
    }

    async fn documents(&self, _ctx: &AppContext) -> Result<Vec<Document>> {
        Ok(Vec::new())
    }
}

struct AlwaysFails;

#[async_trait]
impl JobHandler for AlwaysFails {
    async fn run(&self, _ctx: &AppContext, _payload: &Value) -> anyhow::Result<()> {
        anyhow::bail!("this job always fails")
    }
}
