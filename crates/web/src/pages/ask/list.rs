//! `GET /ask`: questions filtered by region, category and hashtag, in the chosen order, with
//! what is trending beside them.

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

use super::{Card, Choice, Summary, categories, regions};
use crate::Web;
use crate::i18n::AskTexts;
use crate::pages::{PageResult, Shell, render};
use crate::session::Visit;

/// The list's filters, as the page's query and the API's.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Filters {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    region: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    category: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    hashtags: String,
    #[serde(default, rename = "sortBy", skip_serializing_if = "String::is_empty")]
    sort: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
}

#[derive(Deserialize)]
struct QuestionPage {
    questions: Vec<Summary>,
    pagination: Pagination,
}

#[derive(Deserialize)]
struct Pagination {
    current_page: i64,
    total_pages: i64,
}

#[derive(Deserialize)]
struct Trending {
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
pub struct Tag {
    pub tag: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "ask/list.html")]
struct List {
    shell: Shell,
    a: &'static AskTexts,
    filters: Filters,
    regions: Vec<Choice>,
    categories: Vec<Choice>,
    cards: Vec<Card>,
    trending: Vec<Tag>,
    previous: Option<String>,
    next: Option<String>,
}

/// How many trending tags the side shows.
const TRENDING_SHOWN: usize = 10;

pub async fn page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Query(filters): Query<Filters>,
) -> PageResult {
    let path = format!(
        "/api/v1/questions?{}",
        serde_urlencoded::to_string(&filters).unwrap_or_default()
    );
    let (shell, questions, trending) = tokio::join!(
        Shell::load(&web, &visit, "ask"),
        web.api.get::<QuestionPage>(&visit, &path),
        web.api.get::<Trending>(&visit, "/api/v1/trending"),
    );
    let questions = questions?;
    let at_page = |page: i64| {
        let moved = Filters {
            page: Some(page),
            ..filters.clone()
        };
        format!(
            "/ask?{}",
            serde_urlencoded::to_string(&moved).unwrap_or_default()
        )
    };
    let current = questions.pagination.current_page;
    let a = visit.lang.ask();
    Ok(render(&List {
        shell: shell?,
        a,
        previous: (current > 1).then(|| at_page(current - 1)),
        next: (current < questions.pagination.total_pages).then(|| at_page(current + 1)),
        regions: regions(&visit),
        categories: categories(a),
        cards: questions
            .questions
            .into_iter()
            .map(|q| Card::new(&visit, q))
            .collect(),
        trending: trending
            .map(|t| t.tags.into_iter().take(TRENDING_SHOWN).collect())
            .unwrap_or_default(),
        filters,
    }))
}
