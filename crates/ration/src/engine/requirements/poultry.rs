//! Broiler feeding phases. NRC (1994) *Nutrient Requirements of Poultry* is the last NRC
//! edition and is far below modern genetics, so nutritionists formulate to the breeder's
//! specifications; the phases below are the shape of such a programme (starter, grower,
//! finisher) with values typical of current Ross 308 / Cobb 500 guides (2019-2022). They are
//! not copied from one booklet: set your breeder's numbers before formulating for a flock.

use crate::engine::units::{KcalPerKg, Percent};

#[derive(Debug, Clone, Copy)]
pub struct BroilerPhase {
    pub name: &'static str,
    /// Age range in days, start inclusive, end exclusive.
    pub days: (u32, u32),
    pub metabolizable_energy: KcalPerKg,
    pub crude_protein: Percent,
    pub digestible_lysine: Percent,
    pub calcium: Percent,
    pub available_phosphorus: Percent,
}

pub const PHASES: [BroilerPhase; 3] = [
    BroilerPhase {
        name: "starter",
        days: (0, 11),
        metabolizable_energy: KcalPerKg(3000.0),
        crude_protein: Percent(23.0),
        digestible_lysine: Percent(1.32),
        calcium: Percent(0.95),
        available_phosphorus: Percent(0.50),
    },
    BroilerPhase {
        name: "grower",
        days: (11, 25),
        metabolizable_energy: KcalPerKg(3100.0),
        crude_protein: Percent(21.5),
        digestible_lysine: Percent(1.18),
        calcium: Percent(0.75),
        available_phosphorus: Percent(0.42),
    },
    BroilerPhase {
        name: "finisher",
        days: (25, 43),
        metabolizable_energy: KcalPerKg(3200.0),
        crude_protein: Percent(19.5),
        digestible_lysine: Percent(1.08),
        calcium: Percent(0.65),
        available_phosphorus: Percent(0.36),
    },
];

/// The phase for birds of `age_days`.
pub fn phase(age_days: u32) -> Option<&'static BroilerPhase> {
    PHASES
        .iter()
        .find(|p| age_days >= p.days.0 && age_days < p.days.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_follow_each_other_with_falling_protein_and_rising_energy() {
        assert!(PHASES.windows(2).all(|w| w[0].days.1 == w[1].days.0));
        assert!(
            PHASES
                .windows(2)
                .all(|w| w[0].crude_protein > w[1].crude_protein
                    && w[0].metabolizable_energy < w[1].metabolizable_energy)
        );
        assert_eq!(phase(0).map(|p| p.name), Some("starter"));
        assert_eq!(phase(30).map(|p| p.name), Some("finisher"));
        assert!(phase(60).is_none());
    }
}
