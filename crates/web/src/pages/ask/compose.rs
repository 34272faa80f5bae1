//! `GET|POST /ask/new`: asking a question, with a place (typed, or the browser's location),
//! urgency and a bounty.

use askama::Template;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::json;

use super::{Choice, categories};
use crate::Web;
use crate::failure::{Fields, optional_number};
use crate::i18n::AskTexts;
use crate::pages::{PageResult, Shell, render};
use crate::session::Visit;

/// What the form holds, kept as typed so a refused form comes back whole.
#[derive(Debug, Default, Deserialize)]
pub struct Draft {
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    hashtags: String,
    #[serde(default)]
    place_name: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lng: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    bounty: String,
}

#[derive(Template)]
#[template(path = "ask/compose.html")]
struct Compose {
    shell: Shell,
    a: &'static AskTexts,
    categories: Vec<Choice>,
    draft: Draft,
    fields: Fields,
}

/// The form, with the API's messages next to its fields when it was refused. A refused form
/// is still a page that showed fine (200), so browsers log no error for it.
async fn show(web: &Web, visit: &Visit, draft: Draft, fields: Fields) -> PageResult {
    let shell = Shell::load(web, visit, "ask").await?;
    if shell.me.is_none() {
        return Err(visit.sign_in_first());
    }
    let a = visit.lang.ask();
    Ok(render(&Compose {
        shell,
        a,
        categories: categories(a),
        draft,
        fields,
    }))
}

pub async fn page(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    let draft = Draft {
        category: "life".to_owned(),
        urgency: "normal".to_owned(),
        bounty: "0".to_owned(),
        ..Draft::default()
    };
    show(&web, &visit, draft, Fields::default()).await
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

pub async fn submit(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(draft): Form<Draft>,
) -> PageResult {
    let body = match request(&draft) {
        Ok(body) => body,
        Err(fields) => {
            return show(&web, &visit, draft, fields.in_language(visit.lang)).await;
        }
    };
    match web
        .api
        .send::<Created>(&visit, Method::POST, "/api/v1/questions", &body)
        .await
    {
        Ok(created) => Ok(Redirect::to(&format!("/ask/q/{}", created.id)).into_response()),
        Err(failure) => {
            let fields = failure.into_fields()?;
            show(&web, &visit, draft, fields).await
        }
    }
}

/// The API request for a draft; numbers that are not numbers are refused here, by field.
fn request(draft: &Draft) -> Result<serde_json::Value, Fields> {
    let location = match (
        optional_number("location.lat", &draft.lat)?,
        optional_number("location.lng", &draft.lng)?,
    ) {
        (Some(lat), Some(lng)) => {
            let name = draft.place_name.trim();
            Some(
                json!({ "lat": lat, "lng": lng, "place_name": (!name.is_empty()).then_some(name) }),
            )
        }
        (None, None) if draft.place_name.trim().is_empty() => None,
        _ => return Err(Fields::one("location", "give both latitude and longitude")),
    };
    let bounty = match draft.bounty.trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| Fields::one("bounty", "must be a whole number of points"))?,
        ),
    };
    let hashtags: Vec<&str> = draft
        .hashtags
        .split([' ', ','])
        .filter(|t| !t.is_empty())
        .collect();
    Ok(json!({
        "title": draft.title,
        "content": draft.content,
        "category": draft.category,
        "hashtags": hashtags,
        "location": location,
        "urgency": if draft.urgency == "urgent" { "urgent" } else { "normal" },
        "bounty": bounty,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_needs_both_coordinates() {
        let draft = Draft {
            lat: "37.5".to_owned(),
            ..Draft::default()
        };
        let fields = request(&draft).expect_err("refused");
        assert!(fields.get("location").is_some());
    }

    #[test]
    fn the_request_carries_what_was_typed() {
        let draft = Draft {
            title: "제목".to_owned(),
            content: "내용".to_owned(),
            category: "food".to_owned(),
            hashtags: "#제주 맛집".to_owned(),
            lat: "33.5".to_owned(),
            lng: "126.5".to_owned(),
            urgency: "urgent".to_owned(),
            bounty: "20".to_owned(),
            ..Draft::default()
        };
        let body = request(&draft).expect("accepted");
        assert_eq!(body["hashtags"], json!(["#제주", "맛집"]));
        assert_eq!(body["location"]["lat"], json!(33.5));
        assert_eq!(body["bounty"], json!(20));
        assert_eq!(body["urgency"], json!("urgent"));
    }

    #[test]
    fn a_bounty_must_be_whole() {
        let draft = Draft {
            bounty: "1.5".to_owned(),
            ..Draft::default()
        };
        assert!(
            request(&draft)
                .expect_err("refused")
                .get("bounty")
                .is_some()
        );
    }
}
