//! `GET /admin/reports`: 동네물어봐's open reports, each with a hide button; what is hidden, each
//! with a restore button; and suspending a member by username.

use askama::Template;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use crate::Web;
use crate::failure::Fields;
use crate::i18n::AdminTexts;
use crate::pages::people::People;
use crate::pages::{PageResult, Shell, render, segment, when};
use crate::session::Visit;

#[derive(Deserialize)]
struct Report {
    target_type: String,
    target_id: String,
    question_id: Option<String>,
    excerpt: String,
    reporter_id: String,
    reason: String,
    created_at: String,
}

/// A report as the queue shows it.
pub struct ReportView {
    pub target_type: String,
    pub target_id: String,
    pub question_id: Option<String>,
    pub excerpt: String,
    pub reporter: String,
    pub reason: String,
    pub at: String,
}

#[derive(Deserialize)]
pub struct Hidden {
    pub target_type: String,
    pub target_id: String,
    pub question_id: String,
    pub excerpt: String,
    pub reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Suspension {
    #[serde(default)]
    username: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "admin/moderation.html")]
struct Moderation {
    shell: Shell,
    t: &'static AdminTexts,
    reports: Vec<ReportView>,
    hidden: Vec<Hidden>,
    suspension: Suspension,
    fields: Fields,
    done: bool,
}

pub async fn page(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    show(
        &web,
        &visit,
        Suspension::default(),
        Fields::default(),
        false,
    )
    .await
}

async fn show(
    web: &Web,
    visit: &Visit,
    suspension: Suspension,
    fields: Fields,
    done: bool,
) -> PageResult {
    let (shell, reports, hidden) = tokio::join!(
        Shell::load(web, visit, ""),
        web.api
            .get::<Vec<Report>>(visit, "/api/v1/ask/moderation/reports"),
        web.api
            .get::<Vec<Hidden>>(visit, "/api/v1/ask/moderation/hidden"),
    );
    let (shell, reports, hidden) = (shell?, reports?, hidden?);
    let people = People::load(web, visit, reports.iter().map(|r| r.reporter_id.as_str())).await;
    Ok(render(&Moderation {
        shell,
        t: visit.lang.admin(),
        reports: reports
            .into_iter()
            .map(|r| ReportView {
                reporter: people.get(&r.reporter_id).name,
                at: when(visit, &r.created_at),
                target_type: r.target_type,
                target_id: r.target_id,
                question_id: r.question_id,
                excerpt: r.excerpt,
                reason: r.reason,
            })
            .collect(),
        hidden,
        suspension,
        fields,
        done,
    }))
}

/// The question or answer a moderator's button is about (form fields `target_type`,
/// `target_id`).
#[derive(Debug, Default, Deserialize)]
pub struct Moderated {
    #[serde(default)]
    target_type: String,
    #[serde(default)]
    target_id: String,
    #[serde(default)]
    reason: String,
}

impl Moderated {
    /// `/api/v1/ask/moderation/{questions|answers}/{id}/{action}`.
    fn path(&self, action: &str) -> String {
        let kind = if self.target_type == "question" {
            "questions"
        } else {
            "answers"
        };
        format!(
            "/api/v1/ask/moderation/{kind}/{}/{action}",
            segment(&self.target_id)
        )
    }
}

/// `POST /admin/reports/hide`: hides what was reported (its reports are resolved).
pub async fn hide(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(target): Form<Moderated>,
) -> PageResult {
    let reason = if target.reason.trim().is_empty() {
        visit.lang.admin().default_reason
    } else {
        target.reason.trim()
    };
    web.api
        .send::<IgnoredAny>(
            &visit,
            Method::POST,
            &target.path("hide"),
            &json!({ "reason": reason }),
        )
        .await?;
    Ok(Redirect::to("/admin/reports").into_response())
}

/// `POST /admin/reports/restore`: shows a hidden question or answer again.
pub async fn restore(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(target): Form<Moderated>,
) -> PageResult {
    web.api
        .send::<IgnoredAny>(&visit, Method::POST, &target.path("restore"), &json!({}))
        .await?;
    Ok(Redirect::to("/admin/reports#hidden").into_response())
}

#[derive(Deserialize)]
struct Found {
    id: String,
}

/// `POST /admin/reports/suspend`: suspends a member by username for some days (0 lifts it).
pub async fn suspend(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(suspension): Form<Suspension>,
) -> PageResult {
    let days = match suspension.days.trim().parse::<u32>() {
        Ok(days) if days <= 365 => days,
        _ => {
            let fields = Fields::one("days", "must be 0-365").in_language(visit.lang);
            return show(&web, &visit, suspension, fields, false).await;
        }
    };
    let lookup = format!(
        "/api/v1/users/lookup?username={}",
        segment(&suspension.username)
    );
    let Ok(member) = web.api.get::<Found>(&visit, &lookup).await else {
        let fields = Fields::one("username", visit.lang.admin().no_such_member);
        return show(&web, &visit, suspension, fields, false).await;
    };
    let path = format!(
        "/api/v1/ask/moderation/users/{}/suspend",
        segment(&member.id)
    );
    let body = json!({ "days": days, "reason": suspension.reason });
    match web
        .api
        .send::<IgnoredAny>(&visit, Method::POST, &path, &body)
        .await
    {
        Ok(_) => show(&web, &visit, Suspension::default(), Fields::default(), true).await,
        Err(failure) => {
            let fields = failure.into_fields()?;
            show(&web, &visit, suspension, fields, false).await
        }
    }
}
