//! Lactating and dry dairy cows, after NRC (2001) *Nutrient Requirements of Dairy Cattle*,
//! 7th revised edition, chapter 2 (energy) and chapter 1 (intake).

use crate::engine::units::{Kg, KgDmPerDay, McalPerDay, Percent};

/// Milk as it leaves the cow.
#[derive(Debug, Clone, Copy)]
pub struct Milk {
    pub yield_kg: Kg,
    pub fat: Percent,
    /// Crude protein of the milk.
    pub protein: Percent,
    /// NRC 2001 uses 4.85 % when lactose is not measured.
    pub lactose: Percent,
}

/// 4 % fat-corrected milk: `FCM = 0.4 × milk + 15 × fat yield` (kg/d).
pub fn fat_corrected_milk(milk: &Milk) -> Kg {
    Kg(0.4 * milk.yield_kg.0 + 15.0 * milk.yield_kg.0 * milk.fat.0 / 100.0)
}

/// Dry-matter intake of a lactating Holstein, NRC 2001 Eq. 1-1:
/// `DMI = (0.372 × FCM + 0.0968 × BW^0.75) × (1 − e^(−0.192 × (WOL + 3.67)))`,
/// with WOL the week of lactation (the last factor damps intake in early lactation).
pub fn dry_matter_intake(body_weight: Kg, milk: &Milk, week_of_lactation: f64) -> KgDmPerDay {
    let fcm = fat_corrected_milk(milk).0;
    let lag = 1.0 - (-0.192 * (week_of_lactation + 3.67)).exp();
    KgDmPerDay((0.372 * fcm + 0.0968 * body_weight.0.powf(0.75)) * lag)
}

/// Net energy for maintenance, NRC 2001: `NEL_m = 0.080 × BW^0.75` Mcal/d (no activity
/// allowance; NRC adds one for grazing).
pub fn maintenance(body_weight: Kg) -> McalPerDay {
    McalPerDay(0.080 * body_weight.0.powf(0.75))
}

/// Energy in milk, NRC 2001 Eq. 2-15:
/// `NEL (Mcal/kg) = 0.0929 × fat % + 0.0547 × crude protein % + 0.0395 × lactose %`,
/// times the yield. (NRC gives an equivalent form on true protein, 0.0563 × true protein %.)
pub fn lactation(milk: &Milk) -> McalPerDay {
    let per_kg = 0.0929 * milk.fat.0 + 0.0547 * milk.protein.0 + 0.0395 * milk.lactose.0;
    McalPerDay(per_kg * milk.yield_kg.0)
}

/// Gestation from day 190, NRC 2001 Eq. 2-16 as usually quoted:
/// `NEL_preg = (0.00318 × D − 0.0352) × (CBW / 45) / 0.218`, D = days pregnant, CBW = calf birth
/// weight (45 kg for Holsteins). Zero before day 190, where NRC sets no requirement.
pub fn pregnancy(days_pregnant: f64, calf_birth_weight: Kg) -> McalPerDay {
    if days_pregnant < 190.0 {
        return McalPerDay(0.0);
    }
    McalPerDay(((0.00318 * days_pregnant - 0.0352) * (calf_birth_weight.0 / 45.0) / 0.218).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn a_650_kg_cow_giving_35_kg_of_milk() {
        let milk = Milk {
            yield_kg: Kg(35.0),
            fat: Percent(3.5),
            protein: Percent(3.0),
            lactose: Percent(4.85),
        };
        // FCM = 14 + 15 × 1.225 = 32.375 kg.
        assert!(close(fat_corrected_milk(&milk).0, 32.375, 1e-9));
        // BW^0.75 of 650 kg is 128.8; maintenance 10.30 Mcal/d.
        assert!(close(
            maintenance(Kg(650.0)).0,
            0.080 * 650f64.powf(0.75),
            1e-12
        ));
        assert!(close(maintenance(Kg(650.0)).0, 10.30, 0.01));
        // 0.325 + 0.164 + 0.192 = 0.681 Mcal/kg of milk.
        assert!(close(
            lactation(&milk).0,
            35.0 * (0.0929 * 3.5 + 0.0547 * 3.0 + 0.0395 * 4.85),
            1e-12
        ));
        // Mid-lactation intake near 23 kg DM.
        let dmi = dry_matter_intake(Kg(650.0), &milk, 20.0).0;
        assert!((22.0..25.0).contains(&dmi), "{dmi}");
        // Early lactation eats less than mid lactation.
        assert!(dry_matter_intake(Kg(650.0), &milk, 2.0).0 < dmi);
    }

    #[test]
    fn pregnancy_starts_at_day_190() {
        assert!(pregnancy(150.0, Kg(45.0)).0.abs() < f64::EPSILON);
        let late = pregnancy(270.0, Kg(45.0)).0;
        assert!(close(late, (0.00318 * 270.0 - 0.0352) / 0.218, 1e-12));
        assert!(late > pregnancy(200.0, Kg(45.0)).0);
    }
}
