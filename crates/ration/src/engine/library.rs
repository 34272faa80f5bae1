//! The default feed library: composition of common feeds used in Korea, every value taken from
//! one published table and naming its row and column there.
//!
//! The table is the feed library of NASEM (2021) *Nutrient Requirements of Dairy Cattle*, 8th
//! revised edition; `data/make_library.py` regenerates `data/feed_library.json` from it and says
//! where to get it. Values are on a dry-matter basis. Net energies for beef cattle are not in that
//! table; they are derived here from its digestible energy with the NRC (2000) equations, and the
//! library says so next to them.
//!
//! Not in the table, so not in the library: rice straw and lupin seed (enter them as farm feeds
//! from your own analysis); timothy hay is represented by NASEM's cool-season grass hay.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::{Basis, Ingredient};

/// Where a nutrient's values come from and in what unit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NutrientSource {
    pub unit: String,
    /// The source table's column, or the equation that derives the value.
    pub column: String,
}

/// One feed of the library.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LibraryFeed {
    /// Code a farm uses for it by default (e.g. `corn_grain`).
    pub code: String,
    pub name: String,
    /// The feed's name in the source table.
    pub source_name: String,
    /// The feed's row in the source table.
    pub source_row: String,
    pub category: String,
    /// Dry matter, % of as-fed weight.
    pub dm: f64,
    /// Nutrient → value on a dry-matter basis; units in [`Library::nutrients`].
    pub nutrients: BTreeMap<String, f64>,
}

impl LibraryFeed {
    /// The feed as a formulation ingredient at `cost` per kg as fed.
    pub fn ingredient(&self, cost: f64) -> Ingredient {
        Ingredient {
            id: self.code.clone(),
            name: Some(self.name.clone()),
            dm: self.dm,
            cost,
            nutrient_basis: Basis::Dm,
            nutrients: self.nutrients.clone(),
        }
    }
}

/// The whole library with its citation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Library {
    /// The published table every value comes from.
    pub source: String,
    pub nutrients: BTreeMap<String, NutrientSource>,
    pub feeds: Vec<LibraryFeed>,
}

impl Library {
    pub fn feed(&self, code: &str) -> Option<&LibraryFeed> {
        self.feeds.iter().find(|f| f.code == code)
    }
}

/// The library shipped with maru.
pub fn library() -> &'static Library {
    static LIBRARY: LazyLock<Library> = LazyLock::new(|| {
        #[allow(clippy::expect_used)] // compiled-in data; `the_shipped_library_parses` checks it
        let mut library: Library =
            serde_json::from_str(include_str!("../../data/feed_library.json"))
                .expect("data/feed_library.json is valid");
        with_net_energy(&mut library);
        library
    });
    &LIBRARY
}

/// Metabolizable energy from digestible energy, `ME = 0.82 × DE` (NRC 2000).
pub fn metabolizable_energy(de: f64) -> f64 {
    0.82 * de
}

/// Net energy for maintenance from ME (Mcal/kg DM), NRC (2000) after Garrett (1980):
/// `NEm = 1.37 ME − 0.138 ME² + 0.0105 ME³ − 1.12`, never below 0 (minerals have no energy).
pub fn net_energy_maintenance(me: f64) -> f64 {
    (1.37 * me - 0.138 * me.powi(2) + 0.0105 * me.powi(3) - 1.12).max(0.0)
}

/// Net energy for gain from ME (Mcal/kg DM), NRC (2000):
/// `NEg = 1.42 ME − 0.174 ME² + 0.0122 ME³ − 1.65`, never below 0.
pub fn net_energy_gain(me: f64) -> f64 {
    (1.42 * me - 0.174 * me.powi(2) + 0.0122 * me.powi(3) - 1.65).max(0.0)
}

/// Adds `me`, `nem` and `neg` derived from each feed's tabulated `de`.
fn with_net_energy(library: &mut Library) {
    let derived = [
        ("me", "ME = 0.82 × DE (NRC 2000)"),
        (
            "nem",
            "NEm = 1.37 ME − 0.138 ME² + 0.0105 ME³ − 1.12 (NRC 2000)",
        ),
        (
            "neg",
            "NEg = 1.42 ME − 0.174 ME² + 0.0122 ME³ − 1.65 (NRC 2000)",
        ),
    ];
    for (name, equation) in derived {
        library.nutrients.insert(
            name.to_owned(),
            NutrientSource {
                unit: "Mcal/kg DM".to_owned(),
                column: format!("derived from de: {equation}"),
            },
        );
    }
    for feed in &mut library.feeds {
        let Some(&de) = feed.nutrients.get("de") else {
            continue;
        };
        let me = metabolizable_energy(de);
        let round = |v: f64| (v * 1000.0).round() / 1000.0;
        feed.nutrients.insert("me".to_owned(), round(me));
        feed.nutrients
            .insert("nem".to_owned(), round(net_energy_maintenance(me)));
        feed.nutrients
            .insert("neg".to_owned(), round(net_energy_gain(me)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_library_parses_and_every_value_names_its_source() {
        let library = library();
        assert!(library.source.contains("NASEM (2021)"));
        assert!(library.feeds.len() >= 20);
        for feed in &library.feeds {
            assert!(feed.source_row.starts_with("NRC16F"), "{}", feed.code);
            assert!(feed.dm > 0.0 && feed.dm <= 100.0, "{}", feed.code);
            for (nutrient, value) in &feed.nutrients {
                assert!(
                    library.nutrients.contains_key(nutrient),
                    "{}: {nutrient} has no source",
                    feed.code
                );
                assert!(value.is_finite() && *value >= 0.0, "{}", feed.code);
            }
        }
        let codes: std::collections::BTreeSet<_> = library.feeds.iter().map(|f| &f.code).collect();
        assert_eq!(codes.len(), library.feeds.len(), "codes are unique");
    }

    #[test]
    fn table_values_are_the_published_ones() {
        // NASEM (2021) rows NRC16F44 and NRC16F134, as printed.
        let corn = library().feed("corn_grain").map(|f| f.nutrients.clone());
        let corn = corn.unwrap_or_default();
        assert_eq!(corn.get("cp"), Some(&8.514));
        assert_eq!(corn.get("starch"), Some(&70.367));
        assert_eq!(corn.get("p"), Some(&0.309));
        let sbm = library().feed("soybean_meal_48").map(|f| f.dm);
        assert_eq!(sbm, Some(89.267));
    }

    #[test]
    fn net_energies_follow_the_nrc_equations_and_minerals_have_none() {
        // ME 2.0 Mcal/kg: NEm = 2.74 − 0.552 + 0.084 − 1.12 = 1.152.
        assert!((net_energy_maintenance(2.0) - 1.152).abs() < 1e-12);
        assert!((net_energy_gain(2.0) - (2.84 - 0.696 + 0.0976 - 1.65)).abs() < 1e-12);
        let limestone = library().feed("limestone").map(|f| f.nutrients.clone());
        let limestone = limestone.unwrap_or_default();
        assert!(limestone.get("nem").copied().unwrap_or_default().abs() < f64::EPSILON);
        assert_eq!(limestone.get("ca"), Some(&35.0));
        // Grain carries more net energy than straw.
        let nem = |code: &str| {
            library()
                .feed(code)
                .and_then(|f| f.nutrients.get("nem").copied())
                .unwrap_or_default()
        };
        assert!(nem("corn_grain") > 1.8 && nem("wheat_straw") < 1.0);
    }
}
