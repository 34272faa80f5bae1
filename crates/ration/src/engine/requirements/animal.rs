//! An animal (or a group of alike animals) described for the requirement models, and the
//! requirements they give.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{beef, dairy, poultry, swine};
use crate::engine::units::{Kg, McalPerKgDm, Percent};

/// What the requirement models need to know about an animal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "species", rename_all = "snake_case", deny_unknown_fields)]
pub enum Animal {
    Dairy {
        body_weight_kg: f64,
        milk_kg: f64,
        milk_fat_pct: f64,
        milk_protein_pct: f64,
        #[serde(default)]
        milk_lactose_pct: Option<f64>,
        week_of_lactation: f64,
        #[serde(default)]
        days_pregnant: Option<f64>,
    },
    Beef {
        body_weight_kg: f64,
        daily_gain_kg: f64,
        /// Shrunk weight at which the animal will be finished.
        final_shrunk_weight_kg: f64,
        /// Diet NEm (Mcal/kg DM) for the intake prediction; default 1.8.
        #[serde(default)]
        diet_nem_mcal: Option<f64>,
    },
    Swine {
        body_weight_kg: f64,
    },
    Broiler {
        age_days: u32,
    },
}

/// One requirement, with where it comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Requirement {
    pub name: &'static str,
    pub value: f64,
    pub unit: &'static str,
    pub source: &'static str,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Requirements {
    pub species: &'static str,
    pub requirements: Vec<Requirement>,
    /// Predicted dry-matter intake, kg/day, where a model exists.
    pub intake_kg_dm: Option<f64>,
}

/// Why an animal description cannot be used, and which field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct AnimalError {
    pub field: &'static str,
    pub message: &'static str,
}

fn within(field: &'static str, value: f64, low: f64, high: f64) -> Result<(), AnimalError> {
    if value.is_finite() && value >= low && value <= high {
        Ok(())
    } else {
        Err(AnimalError {
            field,
            message: "is outside the range the models cover",
        })
    }
}

impl Animal {
    /// Checks every number against the range its model was fitted for.
    pub fn validate(&self) -> Result<(), AnimalError> {
        match self {
            Self::Dairy {
                body_weight_kg,
                milk_kg,
                milk_fat_pct,
                milk_protein_pct,
                milk_lactose_pct,
                week_of_lactation,
                days_pregnant,
            } => {
                within("body_weight_kg", *body_weight_kg, 300.0, 1000.0)?;
                within("milk_kg", *milk_kg, 0.0, 80.0)?;
                within("milk_fat_pct", *milk_fat_pct, 1.5, 7.0)?;
                within("milk_protein_pct", *milk_protein_pct, 2.0, 5.0)?;
                within(
                    "milk_lactose_pct",
                    milk_lactose_pct.unwrap_or(4.85),
                    3.5,
                    6.0,
                )?;
                within("week_of_lactation", *week_of_lactation, 0.0, 60.0)?;
                within("days_pregnant", days_pregnant.unwrap_or(0.0), 0.0, 290.0)
            }
            Self::Beef {
                body_weight_kg,
                daily_gain_kg,
                final_shrunk_weight_kg,
                diet_nem_mcal,
            } => {
                within("body_weight_kg", *body_weight_kg, 100.0, 900.0)?;
                within("daily_gain_kg", *daily_gain_kg, 0.0, 2.5)?;
                within(
                    "final_shrunk_weight_kg",
                    *final_shrunk_weight_kg,
                    300.0,
                    900.0,
                )?;
                within("diet_nem_mcal", diet_nem_mcal.unwrap_or(1.8), 1.0, 2.5)
            }
            Self::Swine { body_weight_kg } => within("body_weight_kg", *body_weight_kg, 5.0, 135.0),
            Self::Broiler { age_days } => within("age_days", f64::from(*age_days), 0.0, 42.0),
        }
    }

    /// The requirements for this animal (call [`Animal::validate`] first).
    pub fn requirements(&self) -> Requirements {
        match self {
            Self::Dairy {
                body_weight_kg,
                milk_kg,
                milk_fat_pct,
                milk_protein_pct,
                milk_lactose_pct,
                week_of_lactation,
                days_pregnant,
            } => {
                let bw = Kg(*body_weight_kg);
                let milk = dairy::Milk {
                    yield_kg: Kg(*milk_kg),
                    fat: Percent(*milk_fat_pct),
                    protein: Percent(*milk_protein_pct),
                    lactose: Percent(milk_lactose_pct.unwrap_or(4.85)),
                };
                let maintenance = dairy::maintenance(bw).0;
                let lactation = dairy::lactation(&milk).0;
                let pregnancy = dairy::pregnancy(days_pregnant.unwrap_or(0.0), Kg(45.0)).0;
                let total = maintenance + lactation + pregnancy;
                Requirements {
                    species: "dairy",
                    requirements: lines(
                        "NRC 2001",
                        &[
                            ("NEL maintenance", maintenance, "Mcal/d"),
                            ("NEL lactation", lactation, "Mcal/d"),
                            ("NEL pregnancy", pregnancy, "Mcal/d"),
                            ("NEL total", total, "Mcal/d"),
                        ],
                    ),
                    intake_kg_dm: Some(dairy::dry_matter_intake(bw, &milk, *week_of_lactation).0),
                }
            }
            Self::Beef {
                body_weight_kg,
                daily_gain_kg,
                final_shrunk_weight_kg,
                diet_nem_mcal,
            } => {
                let (bw, adg, fsw) = (
                    Kg(*body_weight_kg),
                    Kg(*daily_gain_kg),
                    Kg(*final_shrunk_weight_kg),
                );
                let (ca, p) = beef::calcium_phosphorus(bw, adg, fsw);
                let diet_nem = McalPerKgDm(diet_nem_mcal.unwrap_or(1.8));
                let mut daily = vec![
                    ("NEm", beef::maintenance(bw).0, "Mcal/d"),
                    ("NEg", beef::gain(bw, adg, fsw).0, "Mcal/d"),
                    ("MP", beef::metabolizable_protein(bw, adg, fsw).0, "g/d"),
                    ("Ca", ca.0, "g/d"),
                    ("P", p.0, "g/d"),
                ];
                if let Some(t) = beef::diet_targets(bw, adg, fsw, diet_nem) {
                    daily.extend([
                        ("diet NEm", t.nem.0, "Mcal/kg DM"),
                        ("diet NEg", t.neg.0, "Mcal/kg DM"),
                        ("diet MP", t.mp_g_per_kg, "g/kg DM"),
                        ("diet Ca", t.calcium_pct, "% DM"),
                        ("diet P", t.phosphorus_pct, "% DM"),
                    ]);
                }
                Requirements {
                    species: "beef",
                    requirements: lines("NRC 2000 / NASEM 2016", &daily),
                    intake_kg_dm: Some(beef::dry_matter_intake(bw, diet_nem).0),
                }
            }
            Self::Swine { body_weight_kg } => {
                let amino_acids: Vec<_> = swine::amino_acids(Kg(*body_weight_kg))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(name, pct)| (name, pct.0, "% SID, as fed"))
                    .collect();
                Requirements {
                    species: "swine",
                    requirements: lines("NRC 2012 (lysine); typical ratios (others)", &amino_acids),
                    intake_kg_dm: None,
                }
            }
            Self::Broiler { age_days } => Requirements {
                species: "broiler",
                requirements: poultry::phase(*age_days)
                    .map(|p| {
                        lines(
                            "typical breeder-guide values (set your breeder's)",
                            &[
                                ("ME", p.metabolizable_energy.0, "kcal/kg"),
                                ("CP", p.crude_protein.0, "%"),
                                ("digestible Lys", p.digestible_lysine.0, "%"),
                                ("Ca", p.calcium.0, "%"),
                                ("available P", p.available_phosphorus.0, "%"),
                            ],
                        )
                    })
                    .unwrap_or_default(),
                intake_kg_dm: None,
            },
        }
    }
}

/// Requirement lines from `(name, value, unit)`, all from one source.
fn lines(source: &'static str, entries: &[(&'static str, f64, &'static str)]) -> Vec<Requirement> {
    entries
        .iter()
        .map(|&(name, value, unit)| Requirement {
            name,
            value,
            unit,
            source,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cow_description_becomes_requirements_and_bad_ones_name_the_field() {
        let cow = Animal::Dairy {
            body_weight_kg: 650.0,
            milk_kg: 35.0,
            milk_fat_pct: 3.5,
            milk_protein_pct: 3.0,
            milk_lactose_pct: None,
            week_of_lactation: 20.0,
            days_pregnant: Some(100.0),
        };
        assert!(cow.validate().is_ok());
        let r = cow.requirements();
        let total = r
            .requirements
            .iter()
            .find(|q| q.name == "NEL total")
            .map(|q| q.value)
            .unwrap_or_default();
        assert!(
            (total
                - (dairy::maintenance(Kg(650.0)).0
                    + 35.0 * (0.0929 * 3.5 + 0.0547 * 3.0 + 0.0395 * 4.85)))
                .abs()
                < 1e-9
        );
        assert!(r.intake_kg_dm.is_some_and(|d| d > 20.0));
        let heavy = Animal::Swine {
            body_weight_kg: 400.0,
        };
        assert_eq!(
            heavy.validate().err().map(|e| e.field),
            Some("body_weight_kg")
        );
    }
}
