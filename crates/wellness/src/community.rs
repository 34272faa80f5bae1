//! Community statistics under differential privacy: how a group of members is doing, released
//! only for groups of at least [`MIN_GROUP`] members and with Laplace noise.
//!
//! Each member contributes one number, their average daily value over the window, clamped to
//! the metric's [`bounds`], so one member moves the sum by at most the bound's width (the
//! sensitivity) and the count by one. A query spends `epsilon`: half on the count, half on the
//! sum; the mean is the noisy sum over the noisy count. The 20-member floor is checked on the
//! true count, as a second guard for small groups where noise alone would leave the mean
//! meaningless. Pure: the noise comes in as uniform draws.

use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::Series;

/// Smallest group whose statistics are released.
pub const MIN_GROUP: usize = 20;
/// Allowed privacy budget per query.
pub const EPSILON_RANGE: (f64, f64) = (0.1, 2.0);
pub const DEFAULT_EPSILON: f64 = 1.0;

/// Series offered, with the range a member's daily value is clamped to.
pub fn bounds(series: Series) -> Option<(f64, f64)> {
    Some(match series {
        Series::Steps => (0.0, 30_000.0),
        Series::Sleep => (0.0, 720.0),
        Series::RestingHeartRate => (30.0, 120.0),
        Series::ActiveEnergy => (0.0, 3_000.0),
        Series::Water => (0.0, 5_000.0),
        Series::Mood => (1.0, 5.0),
        _ => return None,
    })
}

/// A draw from Laplace(0, scale), given `u` uniform in (0, 1).
pub fn laplace(scale: f64, u: f64) -> f64 {
    let centred = u - 0.5;
    -scale * centred.signum() * (1.0 - 2.0 * centred.abs()).max(f64::MIN_POSITIVE).ln()
}

/// What a query releases.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Release {
    pub released: bool,
    /// Noisy number of members in the group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<f64>,
    /// Noisy mean of the members' daily values, in the series' unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    pub epsilon: f64,
    /// The Laplace scale of the sum's noise (sensitivity over half the budget).
    pub sum_noise_scale: f64,
    pub minimum_group: usize,
}

/// Releases the group of `values` (one per member) under `epsilon`, drawing noise from `u1`
/// and `u2`.
pub fn release(series: Series, values: &[f64], epsilon: f64, (u1, u2): (f64, f64)) -> Release {
    let (low, high) = bounds(series).unwrap_or((0.0, 1.0));
    let sensitivity = high - low;
    let half = epsilon / 2.0;
    let mut out = Release {
        released: false,
        members: None,
        mean: None,
        epsilon,
        sum_noise_scale: sensitivity / half,
        minimum_group: MIN_GROUP,
    };
    if values.len() < MIN_GROUP {
        return out;
    }
    // Shifted to start at zero so the clamped sum's sensitivity is the width.
    let sum: f64 = values.iter().map(|v| v.clamp(low, high) - low).sum();
    #[allow(clippy::cast_precision_loss)]
    let count = values.len() as f64 + laplace(1.0 / half, u1);
    let noisy_sum = sum + laplace(sensitivity / half, u2);
    let count = count.max(1.0);
    out.released = true;
    out.members = Some(count.round());
    out.mean = Some((noisy_sum / count + low).clamp(low, high));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::float_cmp, clippy::cast_precision_loss)]

    use super::*;

    #[test]
    fn laplace_draws_have_the_right_spread() {
        // Evenly spaced uniforms stand in for random ones: the mean is 0, the mean absolute
        // value the scale.
        let n = 100_000;
        let draws: Vec<f64> = (0..n)
            .map(|i| laplace(2.0, (f64::from(i) + 0.5) / f64::from(n)))
            .collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let spread = draws.iter().map(|d| d.abs()).sum::<f64>() / draws.len() as f64;
        assert!(mean.abs() < 1e-9, "{mean}");
        assert!((spread - 2.0).abs() < 0.01, "{spread}");
    }

    #[test]
    fn small_groups_are_withheld() {
        let r = release(Series::Steps, &[8000.0; 19], 1.0, (0.5, 0.5));
        assert!(!r.released);
        assert_eq!((r.members, r.mean), (None, None));
    }

    #[test]
    fn groups_are_released_with_noise_around_the_truth() {
        let values = [8000.0; 40];
        let exact = release(Series::Steps, &values, 1.0, (0.5, 0.5));
        assert_eq!((exact.members, exact.mean), (Some(40.0), Some(8000.0)));
        let noisy = release(Series::Steps, &values, 1.0, (0.9, 0.1));
        assert!(noisy.mean.unwrap() != 8000.0);
        assert_eq!(noisy.sum_noise_scale, 60_000.0);
        // An outlier moves the mean by at most its clamped share.
        let mut outlier = values.to_vec();
        outlier[0] = 1e9;
        let r = release(Series::Steps, &outlier, 1.0, (0.5, 0.5));
        assert!(r.mean.unwrap() <= 8000.0 + 30_000.0 / 40.0);
    }
}
