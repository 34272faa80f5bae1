//! `GET|POST /ration/farms/{farm}/formulate`: pick the feeds and their largest shares, set the
//! nutrient limits (or fill them from an animal group's requirements), and formulate.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Farm, FarmDetail, Feed, NUTRIENTS, segment};
use crate::Web;
use crate::failure::{Fields, optional_number};
use crate::i18n::RationTexts;
use crate::pages::{PageResult, Shell, render};
use crate::session::Visit;

#[derive(Deserialize)]
struct Group {
    id: String,
    name: String,
    requirements: Requirements,
}

#[derive(Deserialize)]
struct Requirements {
    requirements: Vec<Requirement>,
    intake_kg_dm: Option<f64>,
}

#[derive(Deserialize)]
struct Requirement {
    name: String,
    value: f64,
}

/// What the form holds, as typed.
#[derive(Debug, Default)]
pub struct Draft {
    name: String,
    feeds: BTreeSet<String>,
    /// Largest share per feed code, in %.
    max_share: BTreeMap<String, String>,
    /// `min_cp`, `max_nem`, ... as typed.
    limits: BTreeMap<String, String>,
    intake: String,
}

impl Draft {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut draft = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "name" => draft.name = value,
                "feed" => {
                    draft.feeds.insert(value);
                }
                "intake" => draft.intake = value,
                _ => {
                    if let Some(code) = key.strip_prefix("share_") {
                        draft.max_share.insert(code.to_owned(), value);
                    } else if key.starts_with("min_") || key.starts_with("max_") {
                        draft.limits.insert(key, value);
                    }
                }
            }
        }
        draft
    }

    /// A group's diet requirements as the limits: `diet NEm` becomes the least NEm, and so on.
    fn fill_from(&mut self, group: &Group) {
        for requirement in &group.requirements.requirements {
            let Some(name) = requirement.name.strip_prefix("diet ") else {
                continue;
            };
            if let Some((code, ..)) = NUTRIENTS
                .iter()
                .find(|(_, n, _)| n.eq_ignore_ascii_case(name))
            {
                self.limits
                    .insert(format!("min_{code}"), format!("{:.3}", requirement.value));
            }
        }
        if let Some(kg) = group.requirements.intake_kg_dm {
            self.intake = format!("{kg:.2}");
        }
        if self.name.is_empty() {
            self.name.clone_from(&group.name);
        }
    }

    pub fn limit(&self, key: &str) -> &str {
        self.limits.get(key).map_or("", String::as_str)
    }

    pub fn share(&self, code: &str) -> &str {
        self.max_share.get(code).map_or("", String::as_str)
    }

    pub fn uses(&self, code: &str) -> bool {
        self.feeds.contains(code)
    }

    /// The API request, or the fields that are not numbers.
    fn request(&self) -> Result<Value, Fields> {
        let mut constraints = vec![json!({ "kind": "total", "value": 1.0 })];
        for (code, ..) in NUTRIENTS {
            let (min_key, max_key) = (format!("min_{code}"), format!("max_{code}"));
            let min = optional_number(&min_key, self.limit(&min_key))?;
            let max = optional_number(&max_key, self.limit(&max_key))?;
            if min.is_some() || max.is_some() {
                constraints
                    .push(json!({ "kind": "nutrient", "nutrient": code, "min": min, "max": max }));
            }
        }
        for code in &self.feeds {
            if let Some(percent) = optional_number(&format!("share_{code}"), self.share(code))? {
                constraints.push(
                    json!({ "kind": "inclusion", "ingredient": code, "max": percent / 100.0 }),
                );
            }
        }
        Ok(json!({
            "name": self.name,
            "basis": "dm",
            "feeds": self.feeds,
            "constraints": constraints,
            "intake_kg_dm": optional_number("intake", &self.intake)?,
        }))
    }
}

/// A nutrient row of the form.
pub struct NutrientRow {
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
}

#[derive(Template)]
#[template(path = "ration/formulate.html")]
struct Formulate {
    shell: Shell,
    r: &'static RationTexts,
    farm: Farm,
    feeds: Vec<Feed>,
    groups: Vec<(String, String)>,
    nutrients: Vec<NutrientRow>,
    draft: Draft,
    fields: Fields,
}

async fn show(
    web: &Web,
    visit: &Visit,
    farm: &str,
    draft: Option<Draft>,
    group: Option<&str>,
    fields: Fields,
) -> PageResult {
    let base = format!("/api/v1/ration/farms/{}", segment(farm));
    let (shell, info, feeds, groups) = tokio::join!(
        Shell::load(web, visit, "ration"),
        web.api.get::<FarmDetail>(visit, &base),
        web.api.get::<Vec<Feed>>(visit, format!("{base}/feeds")),
        web.api.get::<Vec<Group>>(visit, format!("{base}/animals")),
    );
    let (feeds, groups) = (feeds?, groups?);
    let draft = draft.unwrap_or_else(|| {
        let mut draft = Draft {
            feeds: feeds.iter().map(|f| f.code.clone()).collect(),
            ..Draft::default()
        };
        if let Some(group) = group.and_then(|id| groups.iter().find(|g| g.id == id)) {
            draft.fill_from(group);
        }
        draft
    });
    Ok(render(&Formulate {
        shell: shell?,
        r: visit.lang.ration(),
        farm: info?.farm,
        feeds,
        groups: groups.into_iter().map(|g| (g.id, g.name)).collect(),
        nutrients: NUTRIENTS
            .iter()
            .map(|&(code, name, unit)| NutrientRow { code, name, unit })
            .collect(),
        draft,
        fields,
    }))
}

#[derive(Deserialize, Default)]
pub struct Prefill {
    group: Option<String>,
}

pub async fn page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(farm): Path<String>,
    Query(prefill): Query<Prefill>,
) -> PageResult {
    show(
        &web,
        &visit,
        &farm,
        None,
        prefill.group.as_deref(),
        Fields::default(),
    )
    .await
}

#[derive(Deserialize)]
struct Saved {
    id: String,
}

/// `POST`: formulates and saves; the answer page shows the recipe or why there is none.
pub async fn submit(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path(farm): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let draft = Draft::from_pairs(pairs);
    let body = match draft.request() {
        Ok(body) => body,
        Err(fields) => {
            let fields = fields.in_language(visit.lang);
            return show(&web, &visit, &farm, Some(draft), None, fields).await;
        }
    };
    let path = format!("/api/v1/ration/farms/{}/formulations", segment(&farm));
    match web
        .api
        .send::<Saved>(&visit, Method::POST, &path, &body)
        .await
    {
        Ok(saved) => Ok(Redirect::to(&format!(
            "/ration/farms/{}/formulations/{}",
            segment(&farm),
            saved.id
        ))
        .into_response()),
        Err(failure) => {
            let fields = failure.into_fields()?;
            show(&web, &visit, &farm, Some(draft), None, fields).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_holds_the_chosen_feeds_and_limits() {
        let draft = Draft::from_pairs(vec![
            ("name".into(), "육성우".into()),
            ("feed".into(), "corn_grain".into()),
            ("feed".into(), "soybean_meal_48".into()),
            ("share_soybean_meal_48".into(), "20".into()),
            ("min_cp".into(), "14".into()),
            ("max_fat".into(), "6".into()),
            ("intake".into(), String::new()),
        ]);
        let body = draft.request().expect("valid");
        assert_eq!(body["feeds"], json!(["corn_grain", "soybean_meal_48"]));
        let constraints = body["constraints"].as_array().expect("list");
        assert!(
            constraints.contains(
                &json!({ "kind": "nutrient", "nutrient": "cp", "min": 14.0, "max": null })
            )
        );
        assert!(constraints.contains(
            &json!({ "kind": "inclusion", "ingredient": "soybean_meal_48", "max": 0.2 })
        ));
        assert_eq!(body["intake_kg_dm"], Value::Null);
    }

    #[test]
    fn a_limit_that_is_not_a_number_is_named() {
        let draft = Draft::from_pairs(vec![("min_cp".into(), "열넷".into())]);
        assert!(
            draft
                .request()
                .expect_err("refused")
                .get("min_cp")
                .is_some()
        );
    }
}
