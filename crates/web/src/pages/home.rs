//! The front page with the app switcher, and the notifications.

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{PageResult, Shell, render, when};
use crate::Web;
use crate::session::Visit;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    shell: Shell,
}

/// `GET /`.
pub async fn index(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    Ok(render(&Home {
        shell: Shell::load(&web, &visit, "").await?,
    }))
}

#[derive(Deserialize)]
struct NotificationPage {
    #[serde(default)]
    items: Vec<Notification>,
}

#[derive(Deserialize)]
struct Notification {
    app: String,
    kind: String,
    actor: Option<Actor>,
    subject: Option<String>,
    created_at: String,
    read_at: Option<String>,
}

#[derive(Deserialize)]
struct Actor {
    username: String,
    display_name: Option<String>,
}

/// A notification as the list shows it.
struct Item {
    app: String,
    text: String,
    href: Option<String>,
    at: String,
    at_iso: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct Notifications {
    shell: Shell,
    items: Vec<Item>,
}

/// `GET /notifications`: the newest 50.
pub async fn notifications(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
) -> PageResult {
    let (shell, page) = tokio::join!(
        Shell::load(&web, &visit, ""),
        web.api
            .get::<NotificationPage>(&visit, "/api/v1/me/notifications?limit=50"),
    );
    let items = page?
        .items
        .into_iter()
        .map(|n| {
            let actor = n
                .actor
                .map(|a| a.display_name.unwrap_or(a.username))
                .unwrap_or_default();
            Item {
                text: format!("{actor} · {}", n.kind.replace(['_', '.'], " ")),
                href: n.subject.as_deref().and_then(subject_page),
                at: when(&visit, &n.created_at),
                at_iso: n.created_at,
                unread: n.read_at.is_none(),
                app: n.app,
            }
        })
        .collect();
    Ok(render(&Notifications {
        shell: shell?,
        items,
    }))
}

/// The page of what a notification is about, where there is one.
fn subject_page(subject: &str) -> Option<String> {
    let (kind, id) = subject.split_once(':')?;
    match kind {
        "question" => Some(format!("/ask/q/{id}")),
        _ => None,
    }
}

/// `POST /notifications/read-all`.
pub async fn read_all(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    web.api
        .send::<IgnoredAny>(
            &visit,
            Method::POST,
            "/api/v1/me/notifications/read-all",
            &serde_json::json!({}),
        )
        .await?;
    Ok(Redirect::to("/notifications").into_response())
}
