//! The one error type of maru, rendered as RFC 9457 problem+json.
//!
//! Services return [`Error`]; handlers let it turn into a response. A 500 never shows its cause:
//! the cause is logged with the request id, and the body carries only that id.

use std::borrow::Cow;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Where the problem is: a JSON path (`profile.locale`), a query or path parameter name.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// What went wrong, as far as a client needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Validation,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    Timeout,
    Unavailable,
    Internal,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Timeout | Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Self::BadRequest => "bad-request",
            Self::Validation => "validation",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::Conflict => "conflict",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::TooManyRequests => "rate-limited",
            Self::Timeout => "timeout",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::BadRequest => "Bad Request",
            Self::Validation => "Invalid input",
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not Found",
            Self::Conflict => "Conflict",
            Self::PayloadTooLarge => "Payload Too Large",
            Self::UnsupportedMediaType => "Unsupported Media Type",
            Self::TooManyRequests => "Too Many Requests",
            Self::Timeout => "Request timed out",
            Self::Unavailable => "Service Unavailable",
            Self::Internal => "Internal Server Error",
        }
    }
}

/// An error on its way to the client.
#[derive(Debug, thiserror::Error)]
#[error("{kind:?}: {}", detail.as_deref().unwrap_or("-"))]
pub struct Error {
    kind: ErrorKind,
    detail: Option<Cow<'static, str>>,
    errors: Vec<FieldError>,
    retry_after_secs: Option<u64>,
    #[source]
    cause: Option<anyhow::Error>,
}

impl Error {
    pub fn new(kind: ErrorKind, detail: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            detail: Some(detail.into()),
            errors: Vec::new(),
            retry_after_secs: None,
            cause: None,
        }
    }

    pub fn bad_request(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::BadRequest, detail)
    }

    /// 400 naming one bad parameter (query string, path, header, multipart field).
    pub fn bad_param(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = FieldError::new(field, message);
        Self {
            errors: vec![field],
            ..Self::bad_request("a request parameter is invalid")
        }
    }

    /// 422 with every invalid field of the body.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self {
            errors,
            ..Self::new(ErrorKind::Validation, "one or more fields are invalid")
        }
    }

    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn unauthorized(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Unauthorized, detail)
    }

    pub fn forbidden(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Forbidden, detail)
    }

    pub fn not_found(what: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::NotFound, what)
    }

    pub fn conflict(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Conflict, detail)
    }

    /// 409 naming the field whose value is already taken.
    pub fn conflict_on(field: FieldError) -> Self {
        Self {
            errors: vec![field],
            ..Self::conflict("a unique value is already taken")
        }
    }

    pub fn too_large(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::PayloadTooLarge, detail)
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::new(ErrorKind::TooManyRequests, "slow down and retry later")
        }
    }

    /// 500: the cause is logged, never shown.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            kind: ErrorKind::Internal,
            detail: None,
            errors: Vec::new(),
            retry_after_secs: None,
            cause: Some(cause.into()),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What went wrong, for clients (other transports than problem+json use it).
    pub fn detail(&self) -> &str {
        self.detail.as_deref().unwrap_or_else(|| self.kind.title())
    }

    pub fn field_errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// Names the field at fault on an error of any kind (e.g. a 413 for a file field).
    #[must_use]
    pub fn with_field(mut self, field: &str) -> Self {
        let message = self.detail.as_deref().unwrap_or("is invalid").to_owned();
        self.errors.push(FieldError::new(field, message));
        self
    }

    #[must_use]
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs.max(1));
        self
    }
}

impl From<sqlx::Error> for Error {
    /// Storage errors normalised: a missing row is 404, a unique violation 409, the rest 500.
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Self::not_found("not found"),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::conflict("already exists")
            }
            sqlx::Error::PoolTimedOut => Self {
                cause: Some(e.into()),
                ..Self::new(ErrorKind::Unavailable, "database busy, retry")
            }
            .with_retry_after(1),
            _ => Self::internal(e),
        }
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast::<Error>() {
            Ok(err) => err,
            Err(e) => Self::internal(e),
        }
    }
}

/// problem+json body (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody {
    /// A URN naming the kind of problem, e.g. `urn:maru:problem:validation`.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: &'static str,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request id, to quote when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let request_id = crate::telemetry::current_request_id();
        if let Some(cause) = &self.cause {
            if self.kind == ErrorKind::Internal {
                tracing::error!(error = ?cause, "request failed");
            } else {
                tracing::warn!(error = %cause, kind = ?self.kind, "request failed");
            }
        }
        let body = ProblemBody {
            type_uri: format!("urn:maru:problem:{}", self.kind.slug()),
            title: self.kind.title(),
            status: self.kind.status().as_u16(),
            detail: self.detail.map(Cow::into_owned),
            errors: self.errors,
            request_id,
        };
        let mut response = (self.kind.status(), axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
