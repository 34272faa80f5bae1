//! The farm side of ration: farms, their members and roles, their feeds and saved formulations.

use std::collections::BTreeMap;

use platform::accounts::UserId;
use platform::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::engine::problem::{Basis, Constraint, Ingredient, Problem};
use crate::engine::requirements::{Animal, Requirements};

platform::id_type!(
    /// A farm.
    FarmId
);
platform::id_type!(
    /// A feed in a farm's library.
    FeedId
);
platform::id_type!(
    /// A saved formulation.
    FormulationId
);
platform::id_type!(
    /// A group of alike animals on a farm.
    AnimalGroupId
);

/// A group of alike animals and what they need.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnimalGroup {
    pub id: AnimalGroupId,
    pub name: String,
    pub head_count: i64,
    pub animal: Animal,
    pub requirements: Requirements,
    pub created_at: Timestamp,
}

/// What a member may do on a farm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FarmRole {
    /// Reads everything.
    Viewer,
    /// Also edits feeds, prices and formulations.
    Nutritionist,
    /// Also manages members.
    Owner,
}

impl FarmRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Nutritionist => "nutritionist",
            Self::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "viewer" => Some(Self::Viewer),
            "nutritionist" => Some(Self::Nutritionist),
            "owner" => Some(Self::Owner),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Farm {
    pub id: FarmId,
    pub name: String,
    pub created_at: Timestamp,
    /// The caller's role on this farm.
    pub role: FarmRole,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Member {
    pub user_id: UserId,
    pub role: FarmRole,
    pub added_at: Timestamp,
}

/// One change on a farm: who, what, and the record before and after.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub actor_id: UserId,
    pub action: String,
    pub subject: String,
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub after: Option<serde_json::Value>,
    pub at: Timestamp,
}

/// A feed of a farm's library, with its current price.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Feed {
    pub id: FeedId,
    /// Short code used in formulations, unique per farm (e.g. `corn`).
    pub code: String,
    pub name: String,
    /// Dry matter, % of as-fed weight.
    pub dm: f64,
    #[schema(value_type = String)]
    pub nutrient_basis: Basis,
    pub nutrients: BTreeMap<String, f64>,
    /// Price per kg as fed.
    pub price: f64,
    pub updated_at: Timestamp,
}

impl Feed {
    /// A new feed from a formulation ingredient; the store gives it its id and time.
    pub fn from_ingredient(ingredient: Ingredient) -> Self {
        Self {
            id: FeedId::from_raw(0),
            name: ingredient.name.unwrap_or_else(|| ingredient.id.clone()),
            code: ingredient.id,
            dm: ingredient.dm,
            nutrient_basis: ingredient.nutrient_basis,
            nutrients: ingredient.nutrients,
            price: ingredient.cost,
            updated_at: Timestamp::from_micros(0),
        }
    }

    /// The feed as a formulation ingredient at its current price.
    pub fn ingredient(&self) -> Ingredient {
        Ingredient {
            id: self.code.clone(),
            name: Some(self.name.clone()),
            dm: self.dm,
            cost: self.price,
            nutrient_basis: self.nutrient_basis,
            nutrients: self.nutrients.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PricePoint {
    pub price: f64,
    pub set_by: UserId,
    pub at: Timestamp,
}

/// A validated farm name: 1-100 characters.
pub fn farm_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if (1..=100).contains(&name.chars().count()) {
        Ok(name.to_owned())
    } else {
        Err("must be 1-100 characters")
    }
}

/// A validated feed code: 1-40 of `a-z 0-9 _ -`.
pub fn feed_code(code: &str) -> Result<String, &'static str> {
    let ok = (1..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(code.to_owned())
    } else {
        Err("must be 1-40 characters of a-z, 0-9, _ and -")
    }
}

/// A price per kg: finite and not negative.
pub fn price(value: f64) -> Result<f64, &'static str> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err("must be a price of 0 or more")
    }
}

/// A request to formulate from the farm's own feeds.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormulationRequest {
    pub name: String,
    #[schema(value_type = String)]
    pub basis: Basis,
    /// Codes of the farm feeds that may enter.
    pub feeds: Vec<String>,
    /// Constraints as in the problem-file format; ingredients are named by feed code.
    #[schema(value_type = Vec<Object>)]
    pub constraints: Vec<Constraint>,
    pub batch_kg: Option<f64>,
    pub intake_kg_dm: Option<f64>,
}

impl FormulationRequest {
    /// The problem this request describes, with the feeds' current prices frozen into it.
    pub fn problem(&self, feeds: &[Feed]) -> Problem {
        Problem {
            id: self.name.clone(),
            basis: self.basis,
            ingredients: feeds.iter().map(Feed::ingredient).collect(),
            constraints: self.constraints.clone(),
            batch_kg: self.batch_kg,
            intake_kg_dm: self.intake_kg_dm,
            table: std::sync::OnceLock::default(),
        }
    }
}

/// What a list of saved formulations shows of each.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FormulationSummary {
    pub id: FormulationId,
    pub name: String,
    pub status: String,
    pub cost_per_kg: Option<f64>,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

/// A saved formulation: its full input and the answer it got.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedFormulation {
    #[serde(flatten)]
    pub summary: FormulationSummary,
    /// The problem as solved (feeds with the prices of that moment).
    #[schema(value_type = Object)]
    pub problem: serde_json::Value,
    #[schema(value_type = Object)]
    pub result: serde_json::Value,
}
