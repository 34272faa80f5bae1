//! The operators' pages (moderators and admins): figures per app, 동네물어봐's report queue with
//! hide, restore and suspend, feature flags, and the job queue with its dead letters.
//!
//! The API decides who may do what; a visitor without the role gets its 403 as a page.

mod flags;
mod jobs;
mod moderation;

use std::collections::BTreeMap;

use askama::Template;
use axum::Extension;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::Web;
use crate::i18n::{AdminTexts, Lang};
use crate::pages::{PageResult, Shell, render};
use crate::session::Visit;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/", get(overview))
        .route("/reports", get(moderation::page))
        .route("/reports/hide", post(moderation::hide))
        .route("/reports/restore", post(moderation::restore))
        .route("/reports/suspend", post(moderation::suspend))
        .route("/flags", get(flags::page).post(flags::set))
        .route("/jobs", get(jobs::page))
        .route("/jobs/{id}/retry", post(jobs::retry))
}

#[derive(Deserialize)]
struct Stats {
    users: i64,
    apps: BTreeMap<String, Vec<Count>>,
}

#[derive(Deserialize)]
struct Count {
    name: String,
    count: i64,
}

/// `GET /api/v1/ask/stats`: how fast questions get their first answer.
#[derive(Deserialize)]
pub struct FirstAnswers {
    pub questions: i64,
    pub answered: i64,
    pub p50_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
    pub share_within_10_min: f64,
}

/// The names apps count under, in Korean and English.
const COUNTED: [(&str, &str, &str); 18] = [
    ("posts", "게시물", "posts"),
    ("comments", "댓글", "comments"),
    ("likes", "좋아요", "likes"),
    ("follows", "팔로우", "follows"),
    ("questions", "질문", "questions"),
    ("answers", "답변", "answers"),
    ("accepted", "채택된 질문", "accepted"),
    ("open_reports", "처리 전 신고", "open reports"),
    ("members", "회원", "members"),
    ("records", "건강 기록", "records"),
    ("goals", "목표", "goals"),
    ("open_alerts", "확인 전 알림", "open alerts"),
    ("sessions", "대화", "conversations"),
    ("messages", "메시지", "messages"),
    ("farms", "농장", "farms"),
    ("feeds", "사료", "feeds"),
    ("animal_groups", "가축 그룹", "animal groups"),
    ("formulations", "배합", "formulations"),
];

fn counted_name(lang: Lang, key: &str) -> String {
    COUNTED.iter().find(|(k, ..)| *k == key).map_or_else(
        || key.replace('_', " "),
        |&(_, ko, en)| match lang {
            Lang::Ko => ko.to_owned(),
            Lang::En => en.to_owned(),
        },
    )
}

/// One app's figures.
pub struct AppFigures {
    pub name: &'static str,
    pub counts: Vec<(String, i64)>,
}

#[derive(Template)]
#[template(path = "admin/overview.html")]
struct Overview {
    shell: Shell,
    t: &'static AdminTexts,
    users: i64,
    apps: Vec<AppFigures>,
    first_answers: Option<FirstAnswers>,
}

/// A wait in words: "4분 30초", "2시간 5분".
pub fn wait(t: &AdminTexts, seconds: Option<i64>) -> String {
    match seconds {
        None => "—".to_owned(),
        Some(s) if s < 60 => format!("{s}{}", t.seconds),
        Some(s) if s < 3600 => format!("{}{} {}{}", s / 60, t.minutes, s % 60, t.seconds),
        Some(s) => format!("{}{} {}{}", s / 3600, t.hours, s % 3600 / 60, t.minutes),
    }
}

/// `GET /admin`: accounts and what each app holds, and 동네물어봐's time to a first answer.
async fn overview(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    let (shell, stats, first_answers) = tokio::join!(
        Shell::load(&web, &visit, ""),
        web.api.get::<Stats>(&visit, "/api/v1/admin/stats"),
        web.api
            .get::<FirstAnswers>(&visit, "/api/v1/ask/stats?days=30"),
    );
    let (shell, stats) = (shell?, stats?);
    let t = visit.lang.admin();
    let apps = web
        .app_links(visit.lang)
        .into_iter()
        .map(|app| AppFigures {
            name: app.name,
            counts: stats
                .apps
                .get(app.key)
                .map(|counts| {
                    counts
                        .iter()
                        .map(|c| (counted_name(visit.lang, &c.name), c.count))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    Ok(render(&Overview {
        shell,
        t,
        users: stats.users,
        apps,
        first_answers: first_answers.ok(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_in_the_largest_units() {
        let t = &AdminTexts::KO;
        assert_eq!(wait(t, Some(42)), "42초");
        assert_eq!(wait(t, Some(270)), "4분 30초");
        assert_eq!(wait(t, Some(7_500)), "2시간 5분");
        assert_eq!(wait(t, None), "—");
    }
}
