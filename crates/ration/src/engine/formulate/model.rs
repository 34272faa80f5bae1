//! The linear programme of a problem, built from a dense table of the nutrients it mentions so
//! that rebuilding it (for infeasibility diagnosis) costs no string lookups.

use std::collections::HashMap;

use super::Side;
use crate::engine::lp::{self, Lp, Status};
use crate::engine::problem::{Constraint, Problem};

/// Where an LP row comes from.
#[derive(Debug, Clone, Copy)]
pub(super) struct RowOrigin {
    /// Index into the problem's constraints; `None` for the implicit total.
    pub constraint: Option<usize>,
    /// `None` when the row carries both limits of its constraint.
    pub side: Option<Side>,
}

/// Which inclusion constraints set an ingredient's bounds.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct BoundOrigin {
    pub lower: Option<usize>,
    pub upper: Option<usize>,
}

/// A limit moved by `by` in the loosening direction (min down, max up).
#[derive(Debug, Clone, Copy)]
pub(super) struct Relaxation {
    pub constraint: usize,
    pub side: Side,
    pub by: f64,
}

/// A built programme and how to read it back.
pub(super) struct Built {
    pub lp: Lp,
    pub rows: Vec<RowOrigin>,
    pub bounds: Vec<BoundOrigin>,
}

pub(super) struct Model<'p> {
    pub problem: &'p Problem,
    pub total: f64,
    index: HashMap<&'p str, usize>,
    /// Nutrient → value per kg of each ingredient on the problem's basis (empty: none has it).
    nutrients: HashMap<&'p str, &'p [f64]>,
}

impl<'p> Model<'p> {
    pub fn new(problem: &'p Problem) -> Self {
        let index = problem
            .ingredients
            .iter()
            .enumerate()
            .map(|(j, i)| (i.id.as_str(), j))
            .collect();
        let table = problem.nutrient_table();
        let zeros: &'p [f64] = &[];
        let mut nutrients: HashMap<&'p str, &'p [f64]> = HashMap::new();
        let mut mention = |name: &'p str| {
            nutrients
                .entry(name)
                .or_insert_with(|| table.values(name).unwrap_or(zeros));
        };
        for constraint in &problem.constraints {
            match constraint {
                Constraint::Nutrient { nutrient, .. } => mention(nutrient),
                Constraint::NutrientRatio {
                    numerator,
                    denominator,
                    ..
                } => {
                    mention(numerator);
                    mention(denominator);
                }
                _ => {}
            }
        }
        Self {
            problem,
            total: problem.total(),
            index,
            nutrients,
        }
    }

    /// Values of a nutrient the constraints mention, per ingredient.
    pub fn nutrient(&self, name: &str) -> &'p [f64] {
        self.nutrients.get(name).copied().unwrap_or(&[])
    }

    pub fn ingredient(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    fn indicator(&self, ids: &[String]) -> Vec<f64> {
        let mut v = vec![0.0; self.problem.ingredients.len()];
        for id in ids {
            if let Some(j) = self.ingredient(id) {
                v[j] = 1.0;
            }
        }
        v
    }

    /// The programme with only the `enabled` constraints (the total always applies).
    /// Inclusion limits become column bounds; everything else a row.
    pub fn build(&self, enabled: &[bool], relaxation: Option<Relaxation>) -> Built {
        let problem = self.problem;
        let total = self.total;
        let n = problem.ingredients.len();
        let mut lp = Lp::default();
        for ingredient in &problem.ingredients {
            lp.add_column(ingredient.cost_on(problem.basis), 0.0, f64::INFINITY);
        }
        let mut bounds = vec![BoundOrigin::default(); n];
        let total_index = problem
            .constraints
            .iter()
            .position(|c| matches!(c, Constraint::Total { .. }));
        let mut rows = vec![RowOrigin {
            constraint: total_index,
            side: None,
        }];
        lp.add_row((0..n).map(|j| (j, 1.0)).collect(), total, total);

        for (c, constraint) in problem.constraints.iter().enumerate() {
            if !enabled.get(c).copied().unwrap_or(true) {
                continue;
            }
            let mut limits = constraint.limits();
            if let Some(r) = relaxation.filter(|r| r.constraint == c) {
                match r.side {
                    Side::Min => limits.min = limits.min.map(|m| m - r.by),
                    Side::Max => limits.max = limits.max.map(|m| m + r.by),
                }
            }
            let lower = limits.min.map_or(f64::NEG_INFINITY, |v| v * total);
            let upper = limits.max.map_or(f64::INFINITY, |v| v * total);
            let both = RowOrigin {
                constraint: Some(c),
                side: None,
            };
            match constraint {
                Constraint::Total { .. } => {}
                Constraint::Nutrient { nutrient, .. } => {
                    lp.add_row(sparse(self.nutrient(nutrient)), lower, upper);
                    rows.push(both);
                }
                Constraint::Inclusion { ingredient, .. } => {
                    let Some(j) = self.ingredient(ingredient) else {
                        continue;
                    };
                    if lower > lp.col_lower[j] {
                        lp.col_lower[j] = lower;
                        bounds[j].lower = Some(c);
                    }
                    if upper < lp.col_upper[j] {
                        lp.col_upper[j] = upper;
                        bounds[j].upper = Some(c);
                    }
                }
                Constraint::Group { ingredients, .. } => {
                    lp.add_row(sparse(&self.indicator(ingredients)), lower, upper);
                    rows.push(both);
                }
                Constraint::NutrientRatio {
                    numerator,
                    denominator,
                    ..
                } => {
                    ratio_rows(
                        &mut lp,
                        &mut rows,
                        c,
                        self.nutrient(numerator),
                        self.nutrient(denominator),
                        limits.min,
                        limits.max,
                    );
                }
                Constraint::IngredientRatio {
                    numerator,
                    denominator,
                    ..
                } => {
                    let (num, den) = (self.indicator(numerator), self.indicator(denominator));
                    ratio_rows(&mut lp, &mut rows, c, &num, &den, limits.min, limits.max);
                }
            }
        }
        Built { lp, rows, bounds }
    }

    pub fn feasible(&self, enabled: &[bool], relaxation: Option<Relaxation>) -> bool {
        lp::solve(&self.build(enabled, relaxation).lp).status == Status::Optimal
    }
}

fn sparse(dense: &[f64]) -> Vec<(usize, f64)> {
    dense
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, a)| *a != 0.0)
        .collect()
}

fn ratio_rows(
    lp: &mut Lp,
    rows: &mut Vec<RowOrigin>,
    c: usize,
    num: &[f64],
    den: &[f64],
    min: Option<f64>,
    max: Option<f64>,
) {
    let row = |k: f64| -> Vec<(usize, f64)> {
        num.iter()
            .zip(den)
            .map(|(a, b)| a - k * b)
            .enumerate()
            .filter(|(_, v)| *v != 0.0)
            .collect()
    };
    if let Some(k) = min {
        lp.add_row(row(k), 0.0, f64::INFINITY);
        rows.push(RowOrigin {
            constraint: Some(c),
            side: Some(Side::Min),
        });
    }
    if let Some(k) = max {
        lp.add_row(row(k), f64::NEG_INFINITY, 0.0);
        rows.push(RowOrigin {
            constraint: Some(c),
            side: Some(Side::Max),
        });
    }
}
