//! 동네물어봐's pages: the question list, asking, a question with its answers, points, nearby
//! questions and local verification.

mod compose;
mod list;
mod me;
mod nearby;
mod question;

use axum::Router;
use axum::routing::{get, post};
use serde::Deserialize;

use super::when;
use crate::Web;
use crate::i18n::AskTexts;
use crate::session::Visit;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/", get(list::page))
        .route("/new", get(compose::page).post(compose::submit))
        .route("/q/{id}", get(question::page))
        .route("/q/{id}/answers", post(question::answer))
        .route("/answers/{id}/accept", post(question::accept))
        .route("/me", get(me::page))
        .route("/verify", post(me::verify))
        .route("/nearby", get(nearby::page))
}

/// The 17 시/도 by their API code, with Korean and English names.
const REGIONS: [(&str, &str, &str); 17] = [
    ("seoul", "서울특별시", "Seoul"),
    ("busan", "부산광역시", "Busan"),
    ("daegu", "대구광역시", "Daegu"),
    ("incheon", "인천광역시", "Incheon"),
    ("gwangju", "광주광역시", "Gwangju"),
    ("daejeon", "대전광역시", "Daejeon"),
    ("ulsan", "울산광역시", "Ulsan"),
    ("sejong", "세종특별자치시", "Sejong"),
    ("gyeonggi", "경기도", "Gyeonggi"),
    ("gangwon", "강원특별자치도", "Gangwon"),
    ("chungbuk", "충청북도", "North Chungcheong"),
    ("chungnam", "충청남도", "South Chungcheong"),
    ("jeonbuk", "전북특별자치도", "North Jeolla"),
    ("jeonnam", "전라남도", "South Jeolla"),
    ("gyeongbuk", "경상북도", "North Gyeongsang"),
    ("gyeongnam", "경상남도", "South Gyeongsang"),
    ("jeju", "제주특별자치도", "Jeju"),
];

/// The categories by their API code.
const CATEGORIES: [&str; 7] = [
    "food",
    "lodging",
    "transport",
    "weather",
    "activity",
    "life",
    "other",
];

/// A choice in a `<select>`: its value and what the visitor reads.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

fn regions(visit: &Visit) -> Vec<Choice> {
    REGIONS
        .iter()
        .map(|&(value, ko, en)| Choice {
            value,
            label: match visit.lang {
                crate::i18n::Lang::Ko => ko,
                crate::i18n::Lang::En => en,
            },
        })
        .collect()
}

fn region_name(visit: &Visit, code: &str) -> String {
    regions(visit)
        .into_iter()
        .find(|c| c.value == code)
        .map_or_else(|| code.to_owned(), |c| c.label.to_owned())
}

fn categories(t: &AskTexts) -> Vec<Choice> {
    CATEGORIES
        .iter()
        .map(|&value| Choice {
            value,
            label: category_name(t, value),
        })
        .collect()
}

fn category_name(t: &AskTexts, code: &str) -> &'static str {
    match code {
        "food" => t.cat_food,
        "lodging" => t.cat_lodging,
        "transport" => t.cat_transport,
        "weather" => t.cat_weather,
        "activity" => t.cat_activity,
        "life" => t.cat_life,
        _ => t.cat_other,
    }
}

/// A listed question as the API answers it.
#[derive(Debug, Deserialize)]
struct Summary {
    id: String,
    title: String,
    content: String,
    category: String,
    #[serde(default)]
    hashtags: Vec<String>,
    location: Option<Location>,
    region_code: Option<String>,
    urgency: String,
    bounty: i64,
    author: Author,
    answer_count: i64,
    like_count: i64,
    has_accepted_answer: bool,
    created_at: String,
    /// Only in nearby answers.
    #[serde(default)]
    distance_m: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct Location {
    place_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Author {
    id: String,
    nickname: String,
    #[serde(default)]
    is_local_verified: bool,
}

/// A question as a card in a list.
pub struct Card {
    pub id: String,
    pub title: String,
    pub excerpt: String,
    pub category: &'static str,
    pub hashtags: Vec<String>,
    pub place: Option<String>,
    pub region: Option<String>,
    pub urgent: bool,
    pub bounty: i64,
    pub answers: i64,
    pub likes: i64,
    pub solved: bool,
    pub author: String,
    pub author_verified: bool,
    pub at: String,
    pub at_iso: String,
    /// "350 m" or "2.4 km", in nearby lists.
    pub distance: Option<String>,
}

/// How much of a question's text a card shows.
const EXCERPT_CHARS: usize = 120;

impl Card {
    fn new(visit: &Visit, q: Summary) -> Self {
        let t = visit.lang.ask();
        let excerpt = if q.content.chars().count() > EXCERPT_CHARS {
            let cut: String = q.content.chars().take(EXCERPT_CHARS).collect();
            format!("{cut}…")
        } else {
            q.content
        };
        Self {
            id: q.id,
            title: q.title,
            excerpt,
            category: category_name(t, &q.category),
            hashtags: q.hashtags,
            place: q.location.and_then(|l| l.place_name),
            region: q.region_code.map(|code| region_name(visit, &code)),
            urgent: q.urgency == "urgent",
            bounty: q.bounty,
            answers: q.answer_count,
            likes: q.like_count,
            solved: q.has_accepted_answer,
            author: q.author.nickname,
            author_verified: q.author.is_local_verified,
            at: when(visit, &q.created_at),
            at_iso: q.created_at,
            distance: q.distance_m.map(|m| {
                if m < 1000.0 {
                    format!("{m:.0} m")
                } else {
                    format!("{:.1} km", m / 1000.0)
                }
            }),
        }
    }
}
