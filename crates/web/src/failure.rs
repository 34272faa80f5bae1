//! When a page cannot be shown: the visitor is sent to sign in, or told what went wrong in
//! their language, with the status the API gave.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::api::{FieldError, Problem};
use crate::i18n::Lang;
use crate::messages::field_message;
use crate::pages::{Shell, render_with};
use crate::session::Visit;

/// Why a page failed.
#[derive(Debug)]
pub enum Reason {
    /// The API refused.
    Api(Problem),
    /// A write without the visitor's CSRF token: an old tab, or another site.
    ExpiredForm,
    TooLarge,
    /// The page is only for signed-in visitors.
    SignIn,
}

/// A failed page, ready to answer (boxed: it travels in every page's `Err`).
#[derive(Debug)]
pub struct Failure(Box<Failed>);

#[derive(Debug)]
struct Failed {
    shell: Shell,
    reason: Reason,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    shell: Shell,
    heading: &'static str,
    detail: Option<String>,
}

impl Failure {
    pub fn new(visit: &Visit, reason: Reason) -> Self {
        Self(Box::new(Failed {
            shell: Shell::bare(visit),
            reason,
        }))
    }

    /// The fields a form should mark, when the API refused what was entered (400, 409, 422);
    /// any other failure stays one.
    pub fn into_fields(self) -> Result<Fields, Self> {
        match &self.0.reason {
            Reason::Api(problem) if matches!(problem.status, 400 | 409 | 422) => Ok(Fields {
                errors: problem.errors.clone(),
                detail: problem.detail.clone().filter(|_| problem.errors.is_empty()),
            }
            .in_language(self.0.shell.lang)),
            _ => Err(self),
        }
    }
}

impl Failure {
    /// The same failure with the API's `from` field called `to`, as the form names it. A file
    /// refused as too large (413) or of the wrong kind (415) becomes a refusal of that field.
    pub fn renamed(mut self, from: &str, to: &str) -> Self {
        if let Reason::Api(problem) = &mut self.0.reason {
            if matches!(problem.status, 413 | 415) && problem.errors.is_empty() {
                problem.errors.push(FieldError {
                    field: to.to_owned(),
                    message: problem.detail.take().unwrap_or_default(),
                });
                problem.status = 422;
            }
            for error in &mut problem.errors {
                if error.field == from {
                    to.clone_into(&mut error.field);
                }
            }
        }
        self
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let Failed { shell, reason } = *self.0;
        let t = shell.t;
        let (status, heading, detail) = match reason {
            Reason::SignIn => return sign_in(&shell.path),
            Reason::Api(problem) if problem.status == 401 => return sign_in(&shell.path),
            Reason::Api(problem) => {
                let status = StatusCode::from_u16(problem.status)
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let heading = match status {
                    StatusCode::NOT_FOUND => t.not_found,
                    StatusCode::FORBIDDEN => t.forbidden,
                    StatusCode::TOO_MANY_REQUESTS => t.too_many,
                    _ => t.error_title,
                };
                (status, heading, problem.detail)
            }
            Reason::ExpiredForm => (StatusCode::FORBIDDEN, t.expired_form, None),
            Reason::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, t.error_title, None),
        };
        render_with(
            status,
            &ErrorPage {
                shell,
                heading,
                detail,
            },
        )
    }
}

/// To the sign-in page, and back to `path` afterwards.
fn sign_in(path: &str) -> Response {
    let next = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
    Redirect::to(&format!("/login?{next}")).into_response()
}

/// A form field that may be left empty or hold a number; anything else is refused by name.
pub fn optional_number(field: &str, text: &str) -> Result<Option<f64>, Fields> {
    match text.trim() {
        "" => Ok(None),
        text => text
            .parse::<f64>()
            .map(Some)
            .map_err(|_| Fields::one(field, "must be a number")),
    }
}

/// What the API said about a form's fields, to show next to them.
#[derive(Debug, Default)]
pub struct Fields {
    errors: Vec<FieldError>,
    /// A refusal not about one field (a name already taken, a closed question).
    pub detail: Option<String>,
}

impl Fields {
    /// One message for one field.
    pub fn one(field: &str, message: &str) -> Self {
        Self {
            errors: vec![FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            }],
            detail: None,
        }
    }

    /// The message for `field`, or for any part of it (`location` covers `location.lat`).
    pub fn get(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| {
                e.field == field
                    || e.field
                        .strip_prefix(field)
                        .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
            })
            .map(|e| e.message.as_str())
    }

    /// The messages as a reader of `lang` reads them.
    pub fn in_language(mut self, lang: Lang) -> Self {
        for error in &mut self.errors {
            error.message = field_message(lang, &error.message);
        }
        self
    }

    pub fn any(&self) -> bool {
        !self.errors.is_empty() || self.detail.is_some()
    }
}
