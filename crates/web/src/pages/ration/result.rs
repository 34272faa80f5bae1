//! `GET /ration/farms/{farm}/formulations/{id}`: a saved formulation: the recipe as a table and
//! a bar chart, the nutrients against their limits, what each binding limit costs, or why no
//! recipe exists.

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use serde::Deserialize;

use super::words::{self, Binding, Conflict};
use super::{nutrient, segment, won};
use crate::Web;
use crate::i18n::RationTexts;
use crate::pages::{PageResult, Shell, render, when};
use crate::session::Visit;

#[derive(Deserialize)]
struct Saved {
    id: String,
    name: String,
    status: String,
    created_at: String,
    result: Answer,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    recipe: Vec<RecipeItem>,
    cost: Option<Cost>,
    #[serde(default)]
    nutrients: Vec<Supply>,
    #[serde(default)]
    binding: Vec<Binding>,
    infeasibility: Option<Infeasibility>,
}

#[derive(Deserialize)]
struct RecipeItem {
    name: Option<String>,
    ingredient: String,
    fraction: f64,
    kg_as_fed: f64,
    cost_share: f64,
}

#[derive(Deserialize)]
struct Cost {
    #[serde(rename = "per_kg_dm")]
    kg_dm: f64,
    #[serde(rename = "per_kg_as_fed")]
    kg_as_fed: f64,
    #[serde(rename = "per_head_per_day")]
    head_day: Option<f64>,
}

#[derive(Deserialize)]
struct Supply {
    nutrient: String,
    supplied: f64,
    min: Option<f64>,
    max: Option<f64>,
}

#[derive(Deserialize)]
struct Infeasibility {
    conflicting: Vec<Conflict>,
}

/// A recipe line, with its bar in the chart.
struct Line {
    name: String,
    percent: String,
    /// Bar width in the chart, 0-100.
    bar: f64,
    /// The bar's top in the chart, px.
    y: usize,
    kg: String,
    cost_share: String,
}

struct SupplyRow {
    name: String,
    unit: &'static str,
    supplied: String,
    min: String,
    max: String,
    /// Within the limits (with a little room for rounding).
    met: bool,
}

#[derive(Template)]
#[template(path = "ration/result.html")]
struct Result {
    shell: Shell,
    r: &'static RationTexts,
    farm: String,
    id: String,
    name: String,
    at: String,
    optimal: bool,
    lines: Vec<Line>,
    chart_height: usize,
    cost_per_kg: String,
    cost_per_kg_as_fed: String,
    cost_per_head: Option<String>,
    supply: Vec<SupplyRow>,
    what_if: Vec<String>,
    conflicts: Vec<String>,
}

/// Height of one bar row in the chart, px.
const BAR_ROW: usize = 28;

pub async fn page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Path((farm, id)): Path<(String, String)>,
) -> PageResult {
    let (farm, id) = (segment(&farm), segment(&id));
    let path = format!("/api/v1/ration/farms/{farm}/formulations/{id}");
    let (shell, saved) = tokio::join!(
        Shell::load(&web, &visit, "ration"),
        web.api.get::<Saved>(&visit, &path),
    );
    let saved = saved?;
    let answer = saved.result;
    let lines: Vec<Line> = answer
        .recipe
        .into_iter()
        .enumerate()
        .map(|(i, item)| Line {
            name: item.name.unwrap_or(item.ingredient),
            percent: format!("{:.1}%", item.fraction * 100.0),
            bar: (item.fraction * 100.0).clamp(0.0, 100.0),
            y: i * BAR_ROW,
            kg: format!("{:.1}", item.kg_as_fed),
            cost_share: format!("{:.1}%", item.cost_share * 100.0),
        })
        .collect();
    let limit = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.2}"));
    let supply = answer
        .nutrients
        .iter()
        .map(|s| {
            let (name, unit) = nutrient(&s.nutrient);
            let room = 1e-6 * s.supplied.abs().max(1.0);
            SupplyRow {
                name,
                unit,
                supplied: format!("{:.2}", s.supplied),
                min: limit(s.min),
                max: limit(s.max),
                met: s.min.is_none_or(|m| s.supplied >= m - room)
                    && s.max.is_none_or(|m| s.supplied <= m + room),
            }
        })
        .collect();
    let what_if = answer
        .binding
        .iter()
        .filter(|b| b.kind != "total" && b.shadow_price.abs() > 1e-9)
        .map(|b| words::shadow_price(visit.lang, b))
        .collect();
    let conflicts = answer
        .infeasibility
        .map(|i| {
            i.conflicting
                .iter()
                .map(|c| words::conflict(visit.lang, c))
                .collect()
        })
        .unwrap_or_default();
    Ok(render(&Result {
        shell: shell?,
        r: visit.lang.ration(),
        chart_height: lines.len() * BAR_ROW,
        lines,
        optimal: saved.status == "optimal",
        cost_per_kg: answer
            .cost
            .as_ref()
            .map_or_else(String::new, |c| won(c.kg_dm)),
        cost_per_kg_as_fed: answer
            .cost
            .as_ref()
            .map_or_else(String::new, |c| won(c.kg_as_fed)),
        cost_per_head: answer.cost.as_ref().and_then(|c| c.head_day).map(won),
        supply,
        what_if,
        conflicts,
        at: when(&visit, &saved.created_at),
        name: saved.name,
        id: saved.id,
        farm,
    }))
}
