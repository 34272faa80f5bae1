//! The bus and the job queue, end to end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::Ordering;

use crate::common::{Notes, Probe};
use platform::backend_tests;
use platform::jobs::NewJob;
use platform::testing::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

backend_tests!(
    an_event_is_delivered_once_even_after_a_subscriber_failure,
    an_event_of_a_rolled_back_change_never_leaves,
    a_failing_job_is_retried_then_dead_lettered,
    shutdown_hands_over_committed_events,
    a_backlog_does_not_hold_up_a_shutdown,
);

async fn an_event_is_delivered_once_even_after_a_subscriber_failure(backend: Backend) {
    let probe = Probe::default();
    probe.failures_left.store(2, Ordering::SeqCst);
    let app = TestApp::builder(backend)
        .app(Notes {
            probe: probe.clone(),
        })
        .spawn()
        .await;
    let user = app.user("writer").await;
    let created = app
        .post("/api/v1/test/notes", Some(&user))
        .json(&json!({ "text": "첫 메모" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);

    assert!(
        app.eventually(10, || async { !probe.handled.lock().unwrap().is_empty() })
            .await,
        "delivered after retries"
    );
    assert_eq!(
        probe.attempts.load(Ordering::SeqCst),
        3,
        "two failures, then success"
    );

    // The same event delivered again (as after a crash) is recognised and skipped.
    let event_id = probe.handled.lock().unwrap()[0];
    let again = NewJob::new(
        "bus.deliver",
        json!({ "subscriber": "notes.probe", "event_id": event_id.to_string() }),
    );
    app.ctx.jobs.enqueue_now(again).await.unwrap();
    let settled = app
        .eventually(5, || async {
            app.ctx
                .jobs
                .counts()
                .await
                .unwrap()
                .iter()
                .all(|(_, n)| *n == 0)
        })
        .await;
    assert!(settled, "the queue drains");
    assert_eq!(
        probe.handled.lock().unwrap().len(),
        1,
        "handled exactly once"
    );
    assert_eq!(
        probe.attempts.load(Ordering::SeqCst),
        3,
        "the duplicate never reached the subscriber"
    );
}

async fn an_event_of_a_rolled_back_change_never_leaves(backend: Backend) {
    let probe = Probe::default();
    let app = TestApp::builder(backend)
        .app(Notes {
            probe: probe.clone(),
        })
        .spawn()
        .await;
    let user = app.user("aborter").await;
    let aborted = app
        .post("/api/v1/test/notes", Some(&user))
        .json(&json!({ "text": "없던 일", "abort": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(aborted.status(), StatusCode::CONFLICT);
    let kept = app
        .post("/api/v1/test/notes", Some(&user))
        .json(&json!({ "text": "남는 일" }))
        .send()
        .await
        .unwrap();
    assert_eq!(kept.status(), StatusCode::OK);
    assert!(
        app.eventually(5, || async { probe.handled.lock().unwrap().len() == 1 })
            .await
    );
    let rows = sqlx::query("SELECT COUNT(*) FROM outbox WHERE kind = 'note.created'")
        .fetch_one(app.ctx.db.reader())
        .await
        .unwrap();
    assert_eq!(
        rows.try_get::<i64, _>(0).unwrap(),
        1,
        "only the committed change's event exists"
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(probe.handled.lock().unwrap().len(), 1);
}

async fn a_failing_job_is_retried_then_dead_lettered(backend: Backend) {
    let app = TestApp::builder(backend)
        .app(Notes {
            probe: Probe::default(),
        })
        .spawn()
        .await;
    let mut admin = app.user("operator").await;
    app.make_admin(&mut admin).await;
    let id = app
        .ctx
        .jobs
        .enqueue_now(NewJob::new("test.always_fails", json!({ "n": 1 })).max_attempts(3))
        .await
        .unwrap()
        .unwrap();

    let dead = app
        .eventually(10, || async {
            app.ctx
                .jobs
                .dead(10)
                .await
                .unwrap()
                .iter()
                .any(|j| j.id == id)
        })
        .await;
    assert!(dead, "dead-lettered after its attempts");
    let queue: Value = app
        .get("/api/v1/admin/jobs", Some(&admin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue["dead"], 1);
    let letter = &queue["dead_letters"][0];
    assert_eq!(letter["kind"], "test.always_fails");
    assert_eq!(letter["attempts"], 3);
    assert!(
        letter["last_error"]
            .as_str()
            .unwrap()
            .contains("always fails")
    );

    let retried = app
        .post(&format!("/api/v1/admin/jobs/{id}/retry"), Some(&admin))
        .send()
        .await
        .unwrap();
    assert_eq!(retried.status(), StatusCode::NO_CONTENT);
    let dead_again = app
        .eventually(10, || async {
            app.ctx
                .jobs
                .dead(10)
                .await
                .unwrap()
                .iter()
                .any(|j| j.id == id && j.attempts == 3)
        })
        .await;
    assert!(dead_again, "a retried job runs its attempts again");
}

async fn shutdown_hands_over_committed_events(backend: Backend) {
    // A dispatcher that would not look for an hour unless woken, and an event committed
    // without waking it: only the shutdown can hand it over.
    let app = TestApp::builder(backend)
        .app(Notes {
            probe: Probe::default(),
        })
        .config(|c| c.jobs.poll_interval_ms = 3_600_000)
        .spawn()
        .await;
    let mut tx = app.ctx.db.begin().await.unwrap();
    let id = app
        .ctx
        .bus
        .publish(&mut tx, "note.created", &json!({ "note_id": "0" }))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let url = app.ctx.config.database_url();
    let _data_dir = app.stop().await;

    let db = platform::db::Db::connect(&url, None, 1).await.unwrap();
    let row = sqlx::query("SELECT dispatched_at FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_one(db.reader())
        .await
        .unwrap();
    assert!(
        row.try_get::<Option<i64>, _>(0).unwrap().is_some(),
        "dispatched on the way out"
    );
    let queued = sqlx::query("SELECT COUNT(*) FROM jobs WHERE kind = 'bus.deliver'")
        .fetch_one(db.reader())
        .await
        .unwrap();
    assert!(
        queued.try_get::<i64, _>(0).unwrap() >= 1,
        "its deliveries wait in the durable queue"
    );
}

async fn a_backlog_does_not_hold_up_a_shutdown(backend: Backend) {
    // Far more events than one dispatch takes (500), with the dispatcher woken to work through
    // them: the shutdown stops it between batches, and the rest wait in the outbox for the
    // next start.
    const EVENTS: usize = 30_000;
    let app = TestApp::builder(backend)
        .app(Notes {
            probe: Probe::default(),
        })
        .spawn()
        .await;
    let mut tx = app.ctx.db.begin().await.unwrap();
    for n in 0..EVENTS {
        app.ctx
            .bus
            .publish(
                &mut tx,
                "note.created",
                &json!({ "note_id": n.to_string() }),
            )
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    app.ctx.bus.wake();
    let url = app.ctx.config.database_url();
    let _data_dir = app.stop().await;

    let db = platform::db::Db::connect(&url, None, 1).await.unwrap();
    let waiting = sqlx::query("SELECT COUNT(*) FROM outbox WHERE dispatched_at IS NULL")
        .fetch_one(db.reader())
        .await
        .unwrap();
    let waiting = waiting.try_get::<i64, _>(0).unwrap();
    assert!(waiting > 0, "the shutdown waited for all {EVENTS} events");
}
