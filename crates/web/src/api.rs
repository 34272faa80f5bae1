//! The pages speak to maru through its own API, in process: the same validation, permissions
//! and rate limits as every other client, with no socket in between.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use axum::response::Response;
use platform::http::InProcess;
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

/// A request body with its media type.
#[derive(Debug)]
pub struct Payload {
    content_type: String,
    bytes: Vec<u8>,
}

impl Payload {
    /// `value` as JSON.
    pub fn json(value: &serde_json::Value) -> Self {
        Self {
            content_type: "application/json".to_owned(),
            bytes: value.to_string().into_bytes(),
        }
    }

    /// A file for `POST /api/v1/uploads` on behalf of `app`, as `multipart/form-data`.
    pub fn upload(app: &str, file_name: &str, content_type: &str, file: &[u8]) -> Self {
        const BOUNDARY: &str = "maru-web-upload-7d1f0c9a4b2e";
        // Names written into the part headers are reduced to safe characters.
        let clean = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric() || "._-/+".contains(*c))
                .collect()
        };
        let mut bytes = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"app\"\r\n\r\n{app}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
             Content-Type: {}\r\n\r\n",
            clean(file_name),
            clean(content_type),
            app = clean(app),
        )
        .into_bytes();
        bytes.extend_from_slice(file);
        bytes.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        Self {
            content_type: format!("multipart/form-data; boundary={BOUNDARY}"),
            bytes,
        }
    }
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
        let body = serde_json::to_value(body).map_err(|e| visit.fail(broken(&e)))?;
        self.as_visitor(visit, method, path, Some(Payload::json(&body)))
            .await
    }

    /// `POST path` with `payload` as the visitor (uploads).
    pub async fn post<T: DeserializeOwned>(
        &self,
        visit: &Visit,
        path: &str,
        payload: Payload,
    ) -> Result<T, Failure> {
        self.as_visitor(visit, Method::POST, path, Some(payload))
            .await
    }

    async fn as_visitor<T: DeserializeOwned>(
        &self,
        visit: &Visit,
        method: Method,
        path: &str,
        body: Option<Payload>,
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
        body: Option<Payload>,
    ) -> Result<T, Problem> {
        let response = self.respond(caller, method, path, body, None).await?;
        let bytes = axum::body::to_bytes(response.into_body(), MAX_ANSWER_BYTES)
            .await
            .map_err(|e| broken(&e))?;
        let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        serde_json::from_slice(bytes).map_err(|e| broken(&e))
    }

    /// `POST path` as the visitor, asking for a stream (`Accept: text/event-stream`): the
    /// API's answer is handed on as it comes, for the page's script to read.
    pub async fn stream(
        &self,
        visit: &Visit,
        path: &str,
        payload: Payload,
    ) -> Result<Response, Failure> {
        self.respond(
            visit.caller(),
            Method::POST,
            path,
            Some(payload),
            Some("text/event-stream"),
        )
        .await
        .map_err(|problem| visit.fail(problem))
    }

    /// The API's answer to one request, when it is a success; its problem otherwise.
    async fn respond(
        &self,
        caller: Caller<'_>,
        method: Method,
        path: &str,
        body: Option<Payload>,
        accept: Option<&'static str>,
    ) -> Result<Response, Problem> {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = caller.token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT, accept);
        }
        let body = match body {
            Some(payload) => {
                request = request.header(header::CONTENT_TYPE, payload.content_type);
                Body::from(payload.bytes)
            }
            None => Body::empty(),
        };
        let mut request = request.body(body).map_err(|e| broken(&e))?;
        request.extensions_mut().insert(InProcess);
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
        if status.is_success() {
            return Ok(response);
        }
        let bytes = axum::body::to_bytes(response.into_body(), MAX_ANSWER_BYTES)
            .await
            .map_err(|e| broken(&e))?;
        Err(
            serde_json::from_slice::<Problem>(&bytes).unwrap_or(Problem {
                status: status.as_u16(),
                ..Problem::default()
            }),
        )
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
