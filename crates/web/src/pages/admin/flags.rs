//! `GET /admin/flags`: feature flags with their rollout, switched on and off here (admins).

use askama::Template;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use crate::Web;
use crate::failure::{Fields, optional_number};
use crate::i18n::AdminTexts;
use crate::pages::{PageResult, Shell, render, when};
use crate::session::Visit;

#[derive(Deserialize)]
pub struct Flag {
    pub name: String,
    pub enabled: bool,
    pub rollout_percent: Option<f64>,
    pub description: String,
    #[serde(default)]
    pub overrides: std::collections::BTreeMap<String, bool>,
    pub updated_at: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Change {
    #[serde(default)]
    name: String,
    #[serde(default)]
    enabled: String,
    #[serde(default)]
    rollout_percent: String,
    #[serde(default)]
    description: String,
}

/// A flag's name made safe for the API path: the characters names may hold (the API checks
/// the rest), and never a lone `.` or `..`.
fn flag_name(raw: &str) -> String {
    let name: String = raw
        .trim()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(*c))
        .collect();
    if name.chars().all(|c| c == '.') {
        String::new()
    } else {
        name
    }
}

#[derive(Template)]
#[template(path = "admin/flags.html")]
struct FlagsPage {
    shell: Shell,
    t: &'static AdminTexts,
    flags: Vec<(Flag, String)>,
    draft: Change,
    fields: Fields,
}

pub async fn page(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    show(&web, &visit, Change::default(), Fields::default()).await
}

async fn show(web: &Web, visit: &Visit, draft: Change, fields: Fields) -> PageResult {
    let (shell, flags) = tokio::join!(
        Shell::load(web, visit, ""),
        web.api.get::<Vec<Flag>>(visit, "/api/v1/admin/flags"),
    );
    let (shell, flags) = (shell?, flags?);
    Ok(render(&FlagsPage {
        shell,
        t: visit.lang.admin(),
        flags: flags
            .into_iter()
            .map(|f| {
                let at = when(visit, &f.updated_at);
                (f, at)
            })
            .collect(),
        draft,
        fields,
    }))
}

/// `POST /admin/flags`: creates a flag or changes one (a row's switch sends its name alone
/// with the new state; the form below sends everything).
pub async fn set(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(change): Form<Change>,
) -> PageResult {
    let name = flag_name(&change.name);
    if name.is_empty() {
        let fields = Fields::one("name", "is required").in_language(visit.lang);
        return show(&web, &visit, change, fields).await;
    }
    let rollout = match optional_number("rollout_percent", &change.rollout_percent) {
        Ok(rollout) => rollout,
        Err(fields) => return show(&web, &visit, change, fields.in_language(visit.lang)).await,
    };
    let description = change.description.trim();
    let body = json!({
        "enabled": change.enabled == "on" || change.enabled == "true",
        "rollout_percent": rollout,
        "description": (!description.is_empty()).then_some(description),
    });
    let path = format!("/api/v1/admin/flags/{name}");
    match web
        .api
        .send::<IgnoredAny>(&visit, Method::PUT, &path, &body)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/flags").into_response()),
        Err(failure) => {
            let fields = failure.into_fields()?;
            show(&web, &visit, change, fields).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::flag_name;

    #[test]
    fn flag_names_keep_their_dots_but_never_climb() {
        assert_eq!(
            flag_name(" assistant.semantic_cache "),
            "assistant.semantic_cache"
        );
        assert_eq!(flag_name(".."), "");
        assert_eq!(flag_name("a/../b"), "a..b");
    }
}
