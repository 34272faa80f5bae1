//! Growing and finishing beef cattle, after the NRC (2000) *Nutrient Requirements of Beef
//! Cattle* (7th revised edition, update 2000) equations that NASEM (2016, 8th revised edition)
//! carries forward for net energy.
//!
//! Not modelled: the Korean Hanwoo feeding standard (Korean Feeding Standard for Hanwoo), whose
//! equations could not be confirmed here; breed, sex and activity adjustments to maintenance.

use crate::engine::units::{Kg, KgDmPerDay, McalPerDay, McalPerKgDm};

/// Standard reference weight: the shrunk weight at 28 % empty-body fat (NRC 2000).
pub const STANDARD_REFERENCE_WEIGHT: Kg = Kg(478.0);

/// Shrunk body weight, 96 % of full weight (NRC 2000).
pub fn shrunk(body_weight: Kg) -> Kg {
    Kg(0.96 * body_weight.0)
}

/// Net energy for maintenance, NRC 2000 / NASEM 2016: `NEm = 0.077 × SBW^0.75` Mcal/d for
/// Bos taurus beef breeds in thermoneutral conditions.
pub fn maintenance(body_weight: Kg) -> McalPerDay {
    McalPerDay(0.077 * shrunk(body_weight).0.powf(0.75))
}

/// Net energy for gain (retained energy), NRC 2000: `RE = 0.0635 × EQEBW^0.75 × EBG^1.097`,
/// where the weight is scaled to the standard reference animal
/// (`EQSBW = SBW × SRW / final shrunk weight`, `EQEBW = 0.891 × EQSBW`) and
/// `EBG = 0.956 × shrunk gain` with shrunk gain taken as 96 % of daily gain.
pub fn gain(body_weight: Kg, daily_gain: Kg, final_shrunk_weight: Kg) -> McalPerDay {
    let eqsbw = shrunk(body_weight).0 * STANDARD_REFERENCE_WEIGHT.0 / final_shrunk_weight.0;
    let eqebw = 0.891 * eqsbw;
    let ebg = 0.956 * 0.96 * daily_gain.0;
    McalPerDay(0.0635 * eqebw.powf(0.75) * ebg.max(0.0).powf(1.097))
}

/// Dry-matter intake of growing calves, NRC 2000 (from NRC 1996):
/// `DMI = SBW^0.75 × (0.2435 × NEm − 0.0466 × NEm² − 0.1128) / NEm`, with NEm the diet's
/// net-energy-for-maintenance concentration. NASEM 2016 also offers newer intake equations;
/// this is the long-established one.
pub fn dry_matter_intake(body_weight: Kg, diet_nem: McalPerKgDm) -> KgDmPerDay {
    let nem = diet_nem.0;
    KgDmPerDay(
        shrunk(body_weight).0.powf(0.75) * (0.2435 * nem - 0.0466 * nem * nem - 0.1128) / nem,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_400_kg_steer_gaining_1_4_kg_a_day() {
        // SBW 384 kg, SBW^0.75 = 87.0: NEm about 6.7 Mcal/d.
        let nem = maintenance(Kg(400.0)).0;
        assert!((nem - 0.077 * 384f64.powf(0.75)).abs() < 1e-12);
        assert!((6.6..6.8).contains(&nem), "{nem}");
        // Finishing at 600 kg shrunk: retained energy of a few Mcal/d.
        let re = gain(Kg(400.0), Kg(1.4), Kg(600.0)).0;
        assert!((4.0..7.0).contains(&re), "{re}");
        assert!(gain(Kg(400.0), Kg(0.0), Kg(600.0)).0.abs() < f64::EPSILON);
        // On a 1.8 Mcal NEm/kg diet: around 2.3 % of body weight.
        let dmi = dry_matter_intake(Kg(400.0), McalPerKgDm(1.8)).0;
        assert!((8.0..10.5).contains(&dmi), "{dmi}");
    }
}
