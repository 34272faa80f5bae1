//! The pages speak to maru through its own API, in process: the same validation, permissions
//! and rate limits as every other client, with no socket in between.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower::ServiceExt;

use crate::failure::Failure;
use crate::session::Visit;

/// Largest API answer a page reads.
const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;

/// The API router, called in process.
#[derive(Clone)]
pub struct Api {
    router: Router,
}

/// An RFC 9457 problem as the API writes it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Problem {
    pub status: u16,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub errors: Vec<FieldError>,
}

/// One field the API refused, and why.
#[derive(Debug, Clone, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Who is calling: the signed-in visitor's token and address.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub token: Option<&'a str>,
    pub client: Option<SocketAddr>,
}

impl Api {
    pub fn new(router: Router) -> Self {
        Self { router }
    }

    /// `GET path` as the visitor, read as `T`.
    pub async fn get<T: DeserializeOwned>(
        &self,
        visit: &Visit,
        path: impl AsRef<str>,
    ) -> Result<T, Failure> {
        self.as_visitor(visit, Method::GET, path.as_ref(), None)
            .await
    }

    /// `method path` with a JSON body as the visitor, answer read as `T`
    /// (`serde::de::IgnoredAny` when nothing is needed from it).
    pub async fn send<T: DeserializeOwned>(
        &self,
        visit: &Visit,
        method: Method,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Failure> {
        let body = serde_json::to_vec(body).map_err(|e| visit.fail(broken(&e)))?;
        self.as_visitor(visit, method, path, Some(body)).await
    }

    async fn as_visitor<T: DeserializeOwned>(
        &self,
        visit: &Visit,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, Failure> {
        self.call(visit.caller(), method, path, body)
            .await
            .map_err(|problem| visit.fail(problem))
    }

    /// One API request; a refusal comes back as its problem.
    pub async fn call<T: DeserializeOwned>(
        &self,
        caller: Caller<'_>,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, Problem> {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = caller.token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let mut request = request
            .body(body.map_or_else(Body::empty, Body::from))
            .map_err(|e| broken(&e))?;
        if let Some(addr) = caller.client {
            request.extensions_mut().insert(ConnectInfo(addr));
        }
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| broken(&e))?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), MAX_ANSWER_BYTES)
            .await
            .map_err(|e| broken(&e))?;
        if !status.is_success() {
            return Err(
                serde_json::from_slice::<Problem>(&bytes).unwrap_or(Problem {
                    status: status.as_u16(),
                    ..Problem::default()
                }),
            );
        }
        let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        serde_json::from_slice(bytes).map_err(|e| broken(&e))
    }
}

/// A problem on this side of the API: an answer the pages cannot read.
fn broken(error: &dyn std::fmt::Display) -> Problem {
    tracing::error!(%error, "the pages could not use an API answer");
    Problem {
        status: StatusCode::BAD_GATEWAY.as_u16(),
        ..Problem::default()
    }
}
