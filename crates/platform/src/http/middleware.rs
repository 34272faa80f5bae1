//! Request ids, structured request logs, metrics by route template, and the time limit.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::error::ErrorKind;
use crate::telemetry::with_request_id;
use crate::{AppContext, Error};

const REQUEST_ID: &str = "x-request-id";

/// Marks a request that maru makes to its own API in process (a web page's calls): it is part
/// of the request that made it, which is observed already. Only code in the process can set an
/// extension, so no client can hide a request with it.
#[derive(Debug, Clone, Copy)]
pub struct InProcess;

/// Accepts the caller's `X-Request-Id` (if sane) or makes one, runs the request inside a span
/// carrying it, echoes it back, logs the outcome and records metrics by route template.
///
/// Requests marked [`InProcess`] pass straight through: they run inside the span of the
/// request that made them and are counted as that one.
pub async fn observe(State(ctx): State<AppContext>, req: Request, next: Next) -> Response {
    if req.extensions().get::<InProcess>().is_some() {
        return next.run(req).await;
    }
    let started = Instant::now();
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| (1..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| format!("{:x}", ctx.next_id()), str::to_owned);
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let span =
        tracing::info_span!("request", request_id = %request_id, method = %method, route = %route);
    let mut response = with_request_id(request_id.clone(), next.run(req))
        .instrument(span.clone())
        .await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(
                status,
                latency_ms = elapsed.as_secs_f64() * 1000.0,
                "request"
            );
        } else {
            tracing::debug!(
                status,
                latency_ms = elapsed.as_secs_f64() * 1000.0,
                "request"
            );
        }
    });
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// Ends a request that runs past the configured limit with a problem+json 503.
/// Long-lived streams (WebSocket, SSE) return their response at once, so they are not cut.
pub async fn time_limit(State(ctx): State<AppContext>, req: Request, next: Next) -> Response {
    let limit = Duration::from_secs(ctx.config.limits.request_timeout_secs.max(1));
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => Error::new(ErrorKind::Timeout, "the request took too long")
            .with_retry_after(1)
            .into_response(),
    }
}
