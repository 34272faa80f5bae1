//! Charts as SVG geometry, computed here and drawn by the template: a series of buckets becomes
//! a line (averages) with a band (min to max), or bars (sums). Pure, so it is tested alone.

/// One bucket of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    /// The label under the axis ("11/23", "14시").
    pub label: String,
    pub min: f64,
    pub max: f64,
    pub avg: f64,
    pub sum: f64,
}

/// What a chart shows of each bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The average as a line, the range as a band.
    Line,
    /// The sum as a bar.
    Bars,
}

/// Drawing space, in SVG user units.
pub const WIDTH: f64 = 320.0;
pub const HEIGHT: f64 = 120.0;
/// Room on the left for the axis labels.
const LEFT: f64 = 34.0;
const TOP: f64 = 6.0;
const BOTTOM: f64 = 18.0;

/// A drawn chart: everything the template needs, in user units.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    /// `points` of the average line, "x,y x,y ...".
    pub line: String,
    /// `points` of the band polygon.
    pub band: String,
    pub dots: Vec<Dot>,
    pub bars: Vec<Bar>,
    /// Horizontal guides with their value.
    pub ticks: Vec<Tick>,
    /// The first, middle and last labels under the axis.
    pub labels: Vec<Label>,
    /// The latest value, as read ("72 /min").
    pub latest: Option<String>,
    pub empty: bool,
}

#[derive(Debug, Clone)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct Tick {
    pub y: f64,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Label {
    pub x: f64,
    pub text: String,
}

/// A number as a chart reads it: no decimals past 100, one below.
fn show(value: f64) -> String {
    if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// Draws `buckets` (oldest first) as `shape`, with `unit` after the latest value.
pub fn draw(buckets: &[Bucket], shape: Shape, unit: &str) -> Chart {
    if buckets.is_empty() {
        return Chart {
            empty: true,
            ..Chart::default()
        };
    }
    let (low, high) = match shape {
        Shape::Line => buckets
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), b| {
                (lo.min(b.min), hi.max(b.max))
            }),
        Shape::Bars => (0.0, buckets.iter().map(|b| b.sum).fold(0.0, f64::max)),
    };
    // A flat series still gets some height, and bars start at zero.
    let (low, high) = if (high - low).abs() < f64::EPSILON {
        (low - 1.0, high + 1.0)
    } else {
        let pad = (high - low) * 0.1;
        (
            if shape == Shape::Bars { 0.0 } else { low - pad },
            high + pad,
        )
    };
    let plot_w = WIDTH - LEFT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let step = plot_w / buckets.len() as f64;
    let x = |i: usize| LEFT + step * (i as f64 + 0.5);
    let y = |v: f64| TOP + plot_h * (1.0 - (v - low) / (high - low));
    let mut chart = Chart {
        ticks: [high, f64::midpoint(high, low), low]
            .iter()
            .map(|&v| Tick {
                y: y(v),
                text: show(v),
            })
            .collect(),
        labels: [0, buckets.len() / 2, buckets.len() - 1]
            .iter()
            .map(|&i| Label {
                x: x(i),
                text: buckets[i].label.clone(),
            })
            .collect(),
        ..Chart::default()
    };
    chart.labels.dedup_by(|a, b| a.text == b.text);
    let last = &buckets[buckets.len() - 1];
    match shape {
        Shape::Line => {
            let pairs = |f: &dyn Fn(&Bucket) -> f64| -> Vec<String> {
                buckets
                    .iter()
                    .enumerate()
                    .map(|(i, b)| format!("{:.1},{:.1}", x(i), y(f(b))))
                    .collect()
            };
            chart.line = pairs(&|b| b.avg).join(" ");
            let mut band = pairs(&|b| b.max);
            band.extend(pairs(&|b| b.min).into_iter().rev());
            chart.band = band.join(" ");
            chart.dots = buckets
                .iter()
                .enumerate()
                .map(|(i, b)| Dot {
                    x: x(i),
                    y: y(b.avg),
                    title: format!("{} {} {unit}", b.label, show(b.avg)),
                })
                .collect();
            chart.latest = Some(format!("{} {unit}", show(last.avg)));
        }
        Shape::Bars => {
            chart.bars = buckets
                .iter()
                .enumerate()
                .map(|(i, b)| Bar {
                    x: x(i) - step * 0.35,
                    y: y(b.sum),
                    width: step * 0.7,
                    height: (y(0.0) - y(b.sum)).max(0.0),
                    title: format!("{} {} {unit}", b.label, show(b.sum)),
                })
                .collect();
            chart.latest = Some(format!("{} {unit}", show(last.sum)));
        }
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(label: &str, min: f64, max: f64, avg: f64) -> Bucket {
        Bucket {
            label: label.to_owned(),
            min,
            max,
            avg,
            sum: avg * 10.0,
        }
    }

    #[test]
    fn nothing_to_draw_is_said_so() {
        assert!(draw(&[], Shape::Line, "/min").empty);
    }

    #[test]
    fn every_point_lies_inside_the_plot() {
        let buckets = vec![
            bucket("a", 50.0, 120.0, 70.0),
            bucket("b", 55.0, 100.0, 65.0),
            bucket("c", 60.0, 90.0, 72.0),
        ];
        for shape in [Shape::Line, Shape::Bars] {
            let chart = draw(&buckets, shape, "/min");
            for dot in &chart.dots {
                assert!(
                    (LEFT..=WIDTH).contains(&dot.x) && (TOP..=HEIGHT - BOTTOM).contains(&dot.y),
                    "{dot:?}"
                );
            }
            for bar in &chart.bars {
                assert!(
                    bar.y >= TOP && bar.y + bar.height <= HEIGHT - BOTTOM + 1e-9,
                    "{bar:?}"
                );
            }
        }
    }

    #[test]
    fn a_single_value_gets_a_dot_and_reads_as_latest() {
        let chart = draw(&[bucket("11/23", 72.0, 72.0, 72.0)], Shape::Line, "/min");
        assert_eq!(chart.dots.len(), 1);
        assert_eq!(chart.latest.as_deref(), Some("72.0 /min"));
        assert!(!chart.empty);
    }

    #[test]
    fn higher_values_are_drawn_higher() {
        let chart = draw(
            &[bucket("a", 60.0, 60.0, 60.0), bucket("b", 90.0, 90.0, 90.0)],
            Shape::Line,
            "",
        );
        assert!(chart.dots[1].y < chart.dots[0].y);
    }
}
