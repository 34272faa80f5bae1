//! `GET /ask/nearby`: questions around a point, nearest first. The page's script fills the
//! point from the browser's location; the form works by hand too.

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

use super::{Card, Summary};
use crate::Web;
use crate::i18n::AskTexts;
use crate::pages::{PageResult, Shell, render};
use crate::session::Visit;

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Around {
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lng: String,
    #[serde(default)]
    radius_km: String,
}

#[derive(Deserialize)]
struct Nearby {
    items: Vec<Summary>,
}

#[derive(Template)]
#[template(path = "ask/nearby.html")]
struct NearbyPage {
    shell: Shell,
    a: &'static AskTexts,
    around: Around,
    cards: Option<Vec<Card>>,
}

pub async fn page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Query(around): Query<Around>,
) -> PageResult {
    let shell = Shell::load(&web, &visit, "ask").await?;
    let cards = if around.lat.is_empty() || around.lng.is_empty() {
        None
    } else {
        let mut query = vec![("lat", around.lat.as_str()), ("lng", around.lng.as_str())];
        if !around.radius_km.is_empty() {
            query.push(("radius_km", around.radius_km.as_str()));
        }
        let path = format!(
            "/api/v1/locations/nearby?{}",
            serde_urlencoded::to_string(&query).unwrap_or_default()
        );
        let nearby = web.api.get::<Nearby>(&visit, &path).await?;
        Some(
            nearby
                .items
                .into_iter()
                .map(|q| Card::new(&visit, q))
                .collect(),
        )
    };
    Ok(render(&NearbyPage {
        shell,
        a: visit.lang.ask(),
        around,
        cards,
    }))
}
