//! The ration pages: farms, their feed library and animal groups, formulating a least-cost
//! recipe, and the answer with its chart, nutrient supply, what each limit costs, or why no
//! recipe exists.

mod farm;
mod formulate;
mod result;
mod words;

use axum::Router;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::Web;
use crate::pages::segment;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/", get(farm::farms).post(farm::create))
        .route("/farms/{farm}", get(farm::page))
        .route("/farms/{farm}/feeds", post(farm::add_feed))
        .route("/farms/{farm}/feeds/{feed}/price", post(farm::set_price))
        .route(
            "/farms/{farm}/formulate",
            get(formulate::page).post(formulate::submit),
        )
        .route("/farms/{farm}/formulations/{id}", get(result::page))
}

/// The nutrient limits the formulate form offers, with their unit (all on dry matter).
const NUTRIENTS: [(&str, &str, &str); 7] = [
    ("nem", "NEm", "Mcal/kg"),
    ("neg", "NEg", "Mcal/kg"),
    ("cp", "CP", "%"),
    ("ndf", "NDF", "%"),
    ("fat", "Fat", "%"),
    ("ca", "Ca", "%"),
    ("p", "P", "%"),
];

/// A nutrient's display name and unit (its code, unitless, when the form does not offer it).
fn nutrient(code: &str) -> (String, &'static str) {
    NUTRIENTS
        .iter()
        .find(|(c, ..)| *c == code)
        .map_or((code.to_owned(), ""), |&(_, name, unit)| {
            (name.to_owned(), unit)
        })
}

#[derive(Debug, Deserialize)]
struct Farm {
    id: String,
    name: String,
    #[serde(default)]
    role: Option<String>,
}

/// `GET /api/v1/ration/farms/{farm}`: the farm with its members.
#[derive(Debug, Deserialize)]
struct FarmDetail {
    farm: Farm,
}

#[derive(Debug, Clone, Deserialize)]
struct Feed {
    id: String,
    code: String,
    name: String,
    dm: f64,
    #[serde(default)]
    nutrients: std::collections::BTreeMap<String, f64>,
    price: f64,
}

/// ₩ with thousands separators: `₩1,234`.
fn won(amount: f64) -> String {
    let rounded = amount.round() as i64;
    let digits = rounded.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if rounded < 0 { "-" } else { "" };
    format!("{sign}₩{grouped}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn won_groups_thousands() {
        assert_eq!(won(460.18), "₩460");
        assert_eq!(won(334_080.1), "₩334,080");
        assert_eq!(won(-1_234_567.0), "-₩1,234,567");
    }
}
