//! Growing-finishing pigs, after NRC (2012) *Nutrient Requirements of Swine*, 11th revised
//! edition.

use crate::engine::units::{Kg, Percent};

/// A body-weight phase and its standardized ileal digestible (SID) lysine, % of a diet at
/// 90 % dry matter (as fed).
#[derive(Debug, Clone, Copy)]
pub struct Phase {
    pub from: Kg,
    pub to: Kg,
    pub sid_lysine: Percent,
}

/// SID lysine by weight phase for growing-finishing pigs (mixed sexes), as tabulated in NRC
/// 2012's requirement tables (Table 16-1A as commonly cited). These are the values reproduced
/// here from that table; check them against your copy before relying on the last decimal.
pub const PHASES: [Phase; 7] = [
    Phase {
        from: Kg(5.0),
        to: Kg(7.0),
        sid_lysine: Percent(1.50),
    },
    Phase {
        from: Kg(7.0),
        to: Kg(11.0),
        sid_lysine: Percent(1.35),
    },
    Phase {
        from: Kg(11.0),
        to: Kg(25.0),
        sid_lysine: Percent(1.23),
    },
    Phase {
        from: Kg(25.0),
        to: Kg(50.0),
        sid_lysine: Percent(1.08),
    },
    Phase {
        from: Kg(50.0),
        to: Kg(75.0),
        sid_lysine: Percent(0.94),
    },
    Phase {
        from: Kg(75.0),
        to: Kg(100.0),
        sid_lysine: Percent(0.82),
    },
    Phase {
        from: Kg(100.0),
        to: Kg(135.0),
        sid_lysine: Percent(0.71),
    },
];

/// The phase a pig of `body_weight` is in, if within 5-135 kg.
pub fn phase(body_weight: Kg) -> Option<&'static Phase> {
    PHASES
        .iter()
        .find(|p| body_weight.0 >= p.from.0 && body_weight.0 < p.to.0)
        .or_else(|| {
            PHASES
                .last()
                .filter(|p| (body_weight.0 - p.to.0).abs() < f64::EPSILON)
        })
}

/// Ideal-protein ratios to SID lysine (lysine = 100) for growing-finishing pigs. The values
/// are the ones widely used with NRC 2012 (it derives ratios per phase from its model rather
/// than printing one set); treat them as typical, not as one published table.
pub const RATIOS_TO_LYSINE: [(&str, f64); 5] = [
    ("Met+Cys", 0.56),
    ("Thr", 0.60),
    ("Trp", 0.17),
    ("Val", 0.65),
    ("Ile", 0.51),
];

/// SID amino-acid requirements (% of the diet) for a pig of `body_weight`: lysine from
/// [`PHASES`], the others by [`RATIOS_TO_LYSINE`].
pub fn amino_acids(body_weight: Kg) -> Option<Vec<(&'static str, Percent)>> {
    let lysine = phase(body_weight)?.sid_lysine.0;
    let mut out = vec![("Lys", Percent(lysine))];
    out.extend(
        RATIOS_TO_LYSINE
            .iter()
            .map(|(name, ratio)| (*name, Percent(lysine * ratio))),
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lysine_falls_as_pigs_grow_and_phases_tile_the_range() {
        assert!(
            PHASES
                .windows(2)
                .all(|w| w[0].to == w[1].from && w[0].sid_lysine > w[1].sid_lysine)
        );
        assert!((phase(Kg(30.0)).map(|p| p.sid_lysine.0).unwrap_or_default() - 1.08).abs() < 1e-12);
        assert!(phase(Kg(135.0)).is_some());
        assert!(phase(Kg(3.0)).is_none());
        let aa = amino_acids(Kg(60.0)).unwrap_or_default();
        assert_eq!(aa[0].0, "Lys");
        assert!(
            (aa.iter()
                .find(|(n, _)| *n == "Thr")
                .map(|(_, p)| p.0)
                .unwrap_or_default()
                - 0.94 * 0.60)
                .abs()
                < 1e-12
        );
    }
}
