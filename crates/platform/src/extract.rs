//! Extractors whose every rejection is our problem+json, naming the field at fault.
//!
//! axum's own `Json`, `Query` and `Path` answer bad input with plain text; these wrap the same
//! parsing with `serde_path_to_error`, so `{"profile": {"age": "x"}}` is answered with
//! `field: "profile.age"`.

use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, FieldError};

/// A JSON body in or out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime.eq_ignore_ascii_case("application/json") || mime.ends_with("+json")
            });
        if !is_json {
            return Err(Error::new(
                crate::error::ErrorKind::UnsupportedMediaType,
                "expected `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| body_error(&e))?;
        parse_json(&bytes).map(Json)
    }
}

/// Parses a JSON document, naming the field at fault: syntax errors are 400, well-formed
/// JSON of the wrong shape (wrong type, unknown enum value, missing field) is 422.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = strip_position(&inner.to_string());
        if inner.is_syntax() || inner.is_eof() {
            let field = if path == "." { "body".to_owned() } else { path };
            Error::bad_param(field, format!("malformed JSON: {message}"))
        } else {
            Error::validation(vec![FieldError::new(field_name(&path, &message), message)])
        }
    })?;
    de.end().map_err(|_| {
        Error::bad_param(
            "body",
            "malformed JSON: trailing characters after the document",
        )
    })?;
    Ok(value)
}

/// A missing field is reported by serde at its parent; name the field itself.
fn field_name(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (parent, Some(name)) => format!("{parent}.{name}"),
        (".", None) => "body".to_owned(),
        (path, None) => path.to_owned(),
    }
}

fn strip_position(message: &str) -> String {
    message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned()
}

fn body_error(rejection: &BytesRejection) -> Error {
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        Error::too_large("the request body is larger than this endpoint accepts")
    } else {
        Error::bad_request("the request body could not be read")
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A query string, parsed with the parameter at fault named.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                Error::bad_param(field_name(&path, &message), message)
            })
    }
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// Path parameters; a malformed id is a 400 naming the parameter, not a plain-text 400.
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let kind = e.into_kind();
                let field = match &kind {
                    axum::extract::path::ErrorKind::ParseErrorAtKey { key, .. }
                    | axum::extract::path::ErrorKind::InvalidUtf8InPathParam { key } => key.clone(),
                    _ => only_param_name(parts, state)
                        .await
                        .unwrap_or_else(|| "path".to_owned()),
                };
                Err(Error::bad_param(field, kind.to_string()))
            }
            Err(other) => Err(Error::internal(anyhow::anyhow!("path extraction: {other}"))),
        }
    }
}

/// The name of the route's path parameter when it has exactly one (errors raised by a custom
/// deserializer do not say which parameter failed).
async fn only_param_name<S: Send + Sync>(parts: &mut Parts, state: &S) -> Option<String> {
    let raw = axum::extract::RawPathParams::from_request_parts(parts, state)
        .await
        .ok()?;
    let mut names = raw.iter().map(|(name, _)| name.to_owned());
    let first = names.next()?;
    names.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        count: u8,
        kind: Kind,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        A,
    }

    fn fields(e: &Error) -> Vec<String> {
        e.field_errors().iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn names_nested_fields_with_wrong_types() {
        let err = parse_json::<Body>(br#"{"name":"x","inner":{"count":"seven","kind":"a"}}"#).err();
        assert_eq!(
            err.as_ref().map(fields),
            Some(vec!["inner.count".to_owned()])
        );
    }

    #[test]
    fn names_unknown_enum_values_and_missing_fields() {
        let unknown = parse_json::<Body>(br#"{"name":"x","inner":{"count":1,"kind":"zzz"}}"#).err();
        assert_eq!(
            unknown.as_ref().map(fields),
            Some(vec!["inner.kind".to_owned()])
        );
        let missing = parse_json::<Body>(br#"{"inner":{"count":1,"kind":"a"}}"#).err();
        assert_eq!(missing.as_ref().map(fields), Some(vec!["name".to_owned()]));
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let err = parse_json::<Body>(b"{\"name\": ").err();
        assert_eq!(
            err.map(|e| e.kind()),
            Some(crate::error::ErrorKind::BadRequest)
        );
    }

    proptest! {
        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let result = parse_json::<Body>(&bytes);
            prop_assert!(result.is_err() || !bytes.is_empty());
        }
    }
}
