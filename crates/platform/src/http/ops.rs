//! `/health`, `/ready`, `/metrics`.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json;
use utoipa_axum::routes;

use crate::extract::Json;
use crate::{ApiRouter, AppContext};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(metrics_text))
}

/// Alive: the process answers. Touches nothing else.
#[utoipa::path(get, path = "/health", tag = "operations", responses((status = 200, description = "`ok`", content_type = "text/plain")))]
async fn health() -> &'static str {
    "ok"
}

/// Ready: the process answers and its dependencies do too.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses((status = 200, description = "ready", body = serde_json::Value), (status = 503, description = "a dependency is unreachable", body = serde_json::Value)))]
async fn ready(State(ctx): State<AppContext>) -> impl IntoResponse {
    let database = ctx.db.ping().await;
    let status = if database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(
            json!({ "status": if database { "ready" } else { "unavailable" }, "checks": { "database": database } }),
        ),
    )
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "metrics", content_type = "text/plain")))]
async fn metrics_text(State(ctx): State<AppContext>) -> impl IntoResponse {
    let (size, idle) = ctx.db.pool_stats();
    metrics::gauge!("db_pool_connections").set(f64::from(size));
    metrics::gauge!("db_pool_idle_connections").set(idle as f64);
    if let Ok(depth) = ctx.bus.pending().await {
        metrics::gauge!("outbox_pending_events").set(depth as f64);
    }
    if let Ok(counts) = ctx.jobs.counts().await {
        for (status, n) in counts {
            metrics::gauge!("job_queue_depth", "status" => status).set(n as f64);
        }
    }
    metrics::gauge!("realtime_topics").set(ctx.hub.topic_count() as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::metrics_handle().render(),
    )
}
