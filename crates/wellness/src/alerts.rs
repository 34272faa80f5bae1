//! Alert rules and the personal anomaly detector. Pure: the events module feeds them the
//! rollups around newly arrived data and stores what they find.

use std::time::Duration;

use platform::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::Series;
use crate::rollup::Agg;

/// A user's alert rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// `series` beyond a bound on every reading for at least `minutes` (0: any one reading),
    /// readings no more than five minutes apart. Heart-rate rules ignore time in workouts.
    Threshold {
        series: Series,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        above: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        below: Option<f64>,
        #[serde(default)]
        minutes: u32,
    },
    /// At least `readings` blood pressure readings at or above `systolic`/`diastolic` (either
    /// counts) within `days` days.
    BloodPressure {
        systolic: f64,
        diastolic: f64,
        readings: u32,
        days: u32,
    },
}

impl Rule {
    /// The rules every member starts with.
    pub fn defaults() -> Vec<Rule> {
        vec![
            Rule::Threshold {
                series: Series::HeartRate,
                above: Some(120.0),
                below: None,
                minutes: 10,
            },
            Rule::BloodPressure {
                systolic: 140.0,
                diastolic: 90.0,
                readings: 3,
                days: 7,
            },
            Rule::Threshold {
                series: Series::OxygenSaturation,
                above: None,
                below: Some(92.0),
                minutes: 0,
            },
        ]
    }

    /// Checks a rule sent by a client.
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        match self {
            Rule::Threshold {
                above,
                below,
                minutes,
                ..
            } => {
                if above.is_none() && below.is_none() {
                    return Err(("above", "a threshold needs `above` or `below`"));
                }
                if above.is_some_and(|v| !v.is_finite()) || below.is_some_and(|v| !v.is_finite()) {
                    return Err(("above", "must be a number"));
                }
                if *minutes > 24 * 60 {
                    return Err(("minutes", "at most 1440"));
                }
            }
            Rule::BloodPressure {
                systolic,
                diastolic,
                readings,
                days,
            } => {
                if !(60.0..=300.0).contains(systolic) {
                    return Err(("systolic", "must be between 60 and 300"));
                }
                if !(30.0..=200.0).contains(diastolic) {
                    return Err(("diastolic", "must be between 30 and 200"));
                }
                if *readings == 0 || *readings > 100 {
                    return Err(("readings", "must be between 1 and 100"));
                }
                if *days == 0 || *days > 90 {
                    return Err(("days", "must be between 1 and 90"));
                }
            }
        }
        Ok(())
    }

    /// The series whose new data may trigger this rule.
    pub fn watches(&self, series: Series) -> bool {
        match self {
            Rule::Threshold { series: s, .. } => *s == series,
            Rule::BloodPressure { .. } => matches!(series, Series::Systolic | Series::Diastolic),
        }
    }

    /// How far back evaluation needs data before the new values.
    pub fn lookback(&self) -> Duration {
        match self {
            Rule::Threshold { minutes, .. } => {
                Duration::from_secs(u64::from(*minutes) * 60) + MAX_GAP
            }
            Rule::BloodPressure { days, .. } => Duration::from_secs(u64::from(*days) * 86_400),
        }
    }

    /// Within how long of an earlier alert a new finding is the same episode.
    pub fn episode_gap(&self) -> Duration {
        match self {
            Rule::Threshold { .. } => MAX_GAP,
            Rule::BloodPressure { days, .. } => Duration::from_secs(u64::from(*days) * 86_400),
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            Rule::Threshold {
                series: Series::OxygenSaturation,
                ..
            } => Severity::Critical,
            _ => Severity::Warning,
        }
    }
}

/// Readings further apart than this do not make one sustained run.
pub const MAX_GAP: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Severity {
        match s {
            "critical" => Severity::Critical,
            "warning" => Severity::Warning,
            _ => Severity::Info,
        }
    }
}

/// What a rule found: the run or readings that broke it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The first and last instants of the evidence.
    pub from: Timestamp,
    pub to: Timestamp,
    /// The most extreme value seen.
    pub value: f64,
    pub message: String,
}

/// A sustained run in minute rollups (oldest first) where every reading is beyond a bound.
/// `excluded` are intervals (workouts) whose minutes do not count and break no run.
pub fn sustained(
    minutes: &[(Timestamp, Agg)],
    above: Option<f64>,
    below: Option<f64>,
    length: Duration,
    excluded: &[(Timestamp, Timestamp)],
) -> Option<(Timestamp, Timestamp, f64)> {
    let beyond = |a: &Agg| above.is_some_and(|b| a.min > b) || below.is_some_and(|b| a.max < b);
    let extreme = |a: &Agg| if above.is_some() { a.max } else { a.min };
    let minute = Duration::from_secs(60);
    let mut run: Option<(Timestamp, Timestamp, f64)> = None;
    let mut best: Option<(Timestamp, Timestamp, f64)> = None;
    for (t, a) in minutes {
        if excluded.iter().any(|(s, e)| s <= t && t < e) {
            continue;
        }
        if !beyond(a) {
            run = None;
            continue;
        }
        let end = t.plus(minute);
        run = match run {
            Some((start, last_end, peak)) if last_end.plus(MAX_GAP) >= *t => {
                let peak = if above.is_some() {
                    peak.max(extreme(a))
                } else {
                    peak.min(extreme(a))
                };
                Some((start, end, peak))
            }
            _ => Some((*t, end, extreme(a))),
        };
        if let Some((start, end, peak)) = run
            && (length.is_zero() || start.until(end) >= length)
        {
            best = Some((start, end, peak));
        }
    }
    best
}

/// Blood-pressure readings `(at, systolic, diastolic)`, oldest first: the latest window of
/// `days` holding at least `readings` readings at or above either bound.
pub fn repeated_high_pressure(
    readings: &[(Timestamp, f64, f64)],
    systolic: f64,
    diastolic: f64,
    needed: u32,
    days: u32,
) -> Option<Finding> {
    let high: Vec<&(Timestamp, f64, f64)> = readings
        .iter()
        .filter(|(_, s, d)| *s >= systolic || *d >= diastolic)
        .collect();
    let needed = needed as usize;
    let window = Duration::from_secs(u64::from(days) * 86_400);
    (needed..=high.len()).rev().find_map(|end| {
        let group = &high[end - needed..end];
        let (first, last) = (group[0].0, group[needed - 1].0);
        (first.until(last) <= window).then(|| {
            let worst = group.iter().max_by(|a, b| a.1.total_cmp(&b.1)).map_or(0.0, |r| r.1);
            let (s, d) = group
                .iter()
                .map(|r| (r.1, r.2))
                .fold((0.0_f64, 0.0_f64), |acc, r| (acc.0.max(r.0), acc.1.max(r.1)));
            Finding {
                from: first,
                to: last,
                value: worst,
                message: format!(
                    "{needed} blood pressure readings at or above {systolic}/{diastolic} mmHg within {days} days (highest {s:.0}/{d:.0})"
                ),
            }
        })
    })
}

/// Median of `values` (not empty).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        f64::midpoint(values[n / 2 - 1], values[n / 2])
    }
}

/// Days of baseline the anomaly detector wants before it speaks.
pub const MIN_BASELINE_DAYS: usize = 14;
/// |robust z| above which a day is anomalous (Iglewicz and Hoaglin's cut-off).
pub const ANOMALY_Z: f64 = 3.5;

/// The smallest spread the detector assumes, as a share of the baseline's median: a very steady
/// baseline (a watch averaging 288 readings a day) otherwise turns a 0.3 bpm wobble into an
/// alarm.
const MIN_SPREAD: f64 = 0.01;

/// The robust z-score of `value` against `baseline` (the user's own previous days):
/// `0.6745 (x - median) / MAD`, the MAD at least 1 % of the median. With a MAD of zero the
/// mean absolute deviation stands in, scaled to match. None when the baseline is too short or
/// has no spread.
pub fn robust_z(value: f64, baseline: &[f64]) -> Option<f64> {
    if baseline.len() < MIN_BASELINE_DAYS {
        return None;
    }
    let mut values = baseline.to_vec();
    let med = median(&mut values);
    let mut deviations: Vec<f64> = values.iter().map(|v| (v - med).abs()).collect();
    let mad = median(&mut deviations);
    let floor = MIN_SPREAD * med.abs();
    if mad > 0.0 {
        return Some(0.6745 * (value - med) / mad.max(floor));
    }
    let mean_ad = deviations.iter().sum::<f64>() / deviations.len() as f64;
    (mean_ad > 0.0).then(|| (value - med) / (1.253_314 * mean_ad).max(floor))
}

/// The series the anomaly detector watches (daily averages, which a partial day does not bias).
pub const ANOMALY_SERIES: [Series; 4] = [
    Series::RestingHeartRate,
    Series::HeartRate,
    Series::BodyTemperature,
    Series::BloodGlucose,
];

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_780_000_000_000_000;

    fn at(minute: i64) -> Timestamp {
        Timestamp::from_micros(T0 + minute * 60_000_000)
    }

    fn minutes(values: &[f64]) -> Vec<(Timestamp, Agg)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (at(i as i64), Agg::of(*v)))
            .collect()
    }

    #[test]
    fn sustained_high_heart_rate_fires_only_when_long_enough() {
        let ten = Duration::from_secs(600);
        let mut series = vec![70.0; 30];
        series.extend(vec![130.0; 9]);
        series.extend(vec![70.0; 5]);
        assert_eq!(
            sustained(&minutes(&series), Some(120.0), None, ten, &[]),
            None
        );
        series.extend(vec![125.0; 10]);
        series.push(140.0);
        let (from, to, peak) = sustained(&minutes(&series), Some(120.0), None, ten, &[]).unwrap();
        assert_eq!((from, to, peak), (at(44), at(55), 140.0));
        // The same run inside a workout is exercise, not an alarm.
        assert_eq!(
            sustained(
                &minutes(&series),
                Some(120.0),
                None,
                ten,
                &[(at(40), at(60))]
            ),
            None
        );
    }

    #[test]
    fn one_low_oxygen_reading_is_enough() {
        let series = minutes(&[97.0, 96.0, 91.0, 97.0]);
        let (from, _, low) = sustained(&series, None, Some(92.0), Duration::ZERO, &[]).unwrap();
        assert_eq!((from, low), (at(2), 91.0));
        assert_eq!(
            sustained(
                &minutes(&[95.0, 93.0]),
                None,
                Some(92.0),
                Duration::ZERO,
                &[]
            ),
            None
        );
    }

    #[test]
    fn three_high_pressures_in_a_week() {
        let day = |d: i64| at(d * 24 * 60);
        let mut readings = vec![
            (day(0), 145.0, 85.0),
            (day(3), 120.0, 80.0),
            (day(9), 130.0, 92.0),
        ];
        assert!(repeated_high_pressure(&readings, 140.0, 90.0, 3, 7).is_none());
        readings.push((day(12), 150.0, 95.0));
        assert!(repeated_high_pressure(&readings, 140.0, 90.0, 3, 7).is_none());
        readings.push((day(14), 141.0, 70.0));
        let f = repeated_high_pressure(&readings, 140.0, 90.0, 3, 7).unwrap();
        assert_eq!((f.from, f.to, f.value), (day(9), day(14), 150.0));
    }

    /// A month of resting heart rate around 60 with day-to-day noise: normal days score low,
    /// a fever-like jump scores high.
    #[test]
    fn anomaly_detector_on_synthetic_series() {
        let baseline: Vec<f64> = (0..28)
            .map(|d| 60.0 + f64::from((d * 7) % 5) - 2.0)
            .collect();
        for normal in [58.0, 60.0, 62.0] {
            assert!(
                robust_z(normal, &baseline).unwrap().abs() < ANOMALY_Z,
                "{normal}"
            );
        }
        assert!(robust_z(75.0, &baseline).unwrap() > ANOMALY_Z);
        assert!(robust_z(45.0, &baseline).unwrap() < -ANOMALY_Z);
        assert!(robust_z(75.0, &baseline[..10]).is_none());
        let flat = vec![60.0; 28];
        assert!(robust_z(60.0, &flat).is_none());
    }
}
