//! Growing and finishing beef cattle, after the NRC (2000) *Nutrient Requirements of Beef
//! Cattle* (7th revised edition, update 2000) equations that NASEM (2016, 8th revised edition)
//! carries forward for net energy.
//!
//! Not modelled: the Korean Hanwoo feeding standard (Korean Feeding Standard for Hanwoo), whose
//! equations and tables could not be checked here, so Hanwoo groups use these equations with the
//! final weight the farm sets; breed, sex and activity adjustments to maintenance.

use crate::engine::units::{GramsPerDay, Kg, KgDmPerDay, McalPerDay, McalPerKgDm};

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

/// Shrunk weight gain, 96 % of daily gain (NRC 2000).
fn shrunk_gain(daily_gain: Kg) -> f64 {
    0.96 * daily_gain.0
}

/// Net protein retained in gain, NRC 2000: `NPg = SWG × (268 − 29.4 × RE / SWG)` g/d, with SWG
/// the shrunk weight gain (kg/d) and RE the retained energy (Mcal/d) from [`gain`].
pub fn net_protein_gain(daily_gain: Kg, retained_energy: McalPerDay) -> GramsPerDay {
    let swg = shrunk_gain(daily_gain);
    if swg <= 0.0 {
        return GramsPerDay(0.0);
    }
    GramsPerDay((swg * (268.0 - 29.4 * retained_energy.0 / swg)).max(0.0))
}

/// Metabolizable protein, NRC 2000: maintenance `3.8 g × SBW^0.75` plus net protein for gain
/// divided by its efficiency of use, `0.834 − 0.00114 × EQSBW` up to an equivalent shrunk weight
/// of 300 kg and 0.492 above.
pub fn metabolizable_protein(
    body_weight: Kg,
    daily_gain: Kg,
    final_shrunk_weight: Kg,
) -> GramsPerDay {
    let maintenance = 3.8 * shrunk(body_weight).0.powf(0.75);
    let retained = gain(body_weight, daily_gain, final_shrunk_weight);
    let eqsbw = shrunk(body_weight).0 * STANDARD_REFERENCE_WEIGHT.0 / final_shrunk_weight.0;
    let efficiency = if eqsbw <= 300.0 {
        0.834 - 0.00114 * eqsbw
    } else {
        0.492
    };
    GramsPerDay(maintenance + net_protein_gain(daily_gain, retained).0 / efficiency)
}

/// Dietary calcium and phosphorus, the NRC (1996/2000) factorial model: maintenance 15.4 mg Ca
/// and 16 mg P per kg SBW, gain 7.1 g Ca and 3.9 g P per 100 g of retained protein, divided by
/// absorption coefficients of 0.50 (Ca) and 0.68 (P). The absorption coefficients are as widely
/// quoted from NRC 1996; they could not be checked against the book here.
pub fn calcium_phosphorus(
    body_weight: Kg,
    daily_gain: Kg,
    final_shrunk_weight: Kg,
) -> (GramsPerDay, GramsPerDay) {
    let sbw = shrunk(body_weight).0;
    let npg = net_protein_gain(
        daily_gain,
        gain(body_weight, daily_gain, final_shrunk_weight),
    )
    .0;
    (
        GramsPerDay((0.0154 * sbw + 0.071 * npg) / 0.50),
        GramsPerDay((0.016 * sbw + 0.039 * npg) / 0.68),
    )
}

/// What a growing animal's diet must hold per kg of dry matter to meet its daily requirements
/// at its predicted intake: the concentrations a formulation constrains.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DietTargets {
    pub intake: KgDmPerDay,
    /// Diet NEm assumed by the intake prediction; the diet must hold at least this much.
    pub nem: McalPerKgDm,
    /// NEg the diet must hold so the intake left after maintenance covers the gain.
    pub neg: McalPerKgDm,
    /// Metabolizable protein, g per kg DM.
    pub mp_g_per_kg: f64,
    /// Calcium and phosphorus, % of DM.
    pub calcium_pct: f64,
    pub phosphorus_pct: f64,
}

/// The NRC (2000) partition of intake between maintenance and gain: maintenance takes
/// `NEm required / diet NEm` kg of DM, so the rest of the predicted intake must carry the
/// retained energy, `NEg ≥ RE / (DMI − NEm required / diet NEm)`. `None` when maintenance alone
/// would take the whole predicted intake (the gain cannot be reached on such a diet).
pub fn diet_targets(
    body_weight: Kg,
    daily_gain: Kg,
    final_shrunk_weight: Kg,
    diet_nem: McalPerKgDm,
) -> Option<DietTargets> {
    let intake = dry_matter_intake(body_weight, diet_nem);
    let for_gain = intake.0 - maintenance(body_weight).0 / diet_nem.0;
    if for_gain <= 0.0 {
        return None;
    }
    let (ca, p) = calcium_phosphorus(body_weight, daily_gain, final_shrunk_weight);
    Some(DietTargets {
        intake,
        nem: diet_nem,
        neg: McalPerKgDm(gain(body_weight, daily_gain, final_shrunk_weight).0 / for_gain),
        mp_g_per_kg: metabolizable_protein(body_weight, daily_gain, final_shrunk_weight).0
            / intake.0,
        calcium_pct: ca.0 / intake.0 / 10.0,
        phosphorus_pct: p.0 / intake.0 / 10.0,
    })
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

    #[test]
    fn protein_and_minerals_of_the_same_steer() {
        // Maintenance alone: 3.8 × 384^0.75.
        let at_rest = metabolizable_protein(Kg(400.0), Kg(0.0), Kg(600.0)).0;
        assert!((at_rest - 3.8 * 384f64.powf(0.75)).abs() < 1e-9);
        // Gaining 1.4 kg/d: NPg = 1.344 × 268 − 29.4 × RE, about 170-250 g/d, and MP near
        // 700-900 g/d, the range the NRC tables give for such a steer.
        let re = gain(Kg(400.0), Kg(1.4), Kg(600.0));
        let npg = net_protein_gain(Kg(1.4), re).0;
        assert!((npg - (1.344 * 268.0 - 29.4 * re.0)).abs() < 1e-9);
        let mp = metabolizable_protein(Kg(400.0), Kg(1.4), Kg(600.0)).0;
        assert!((650.0..950.0).contains(&mp), "{mp}");
        let (ca, p) = calcium_phosphorus(Kg(400.0), Kg(1.4), Kg(600.0));
        assert!((ca.0 - (0.0154 * 384.0 + 0.071 * npg) / 0.5).abs() < 1e-9);
        assert!(ca.0 > p.0 && p.0 > 10.0, "{ca:?} {p:?}");
    }

    #[test]
    fn diet_targets_split_intake_between_maintenance_and_gain() {
        let (bw, adg, fsw, nem) = (Kg(550.0), Kg(0.9), Kg(700.0), McalPerKgDm(1.9));
        let t = diet_targets(bw, adg, fsw, nem).unwrap();
        let for_maintenance = maintenance(bw).0 / 1.9;
        // Eating t.intake of this diet supplies exactly maintenance plus the retained energy.
        let supplied = (t.intake.0 - for_maintenance) * t.neg.0;
        assert!((supplied - gain(bw, adg, fsw).0).abs() < 1e-9);
        assert!((0.6..1.4).contains(&t.neg.0), "{t:?}");
        // A diet too poor to do more than maintain gives no targets.
        assert!(diet_targets(bw, adg, fsw, McalPerKgDm(0.8)).is_none());
    }
}
