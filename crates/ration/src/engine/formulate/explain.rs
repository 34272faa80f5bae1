//! Reading an optimal solution back as a nutritionist's answer.

use std::collections::BTreeMap;

use super::model::{Built, Model};
use super::{
    Binding, CostRange, CostSummary, Formulation, NutrientLine, RecipeLine, ReducedCost, Side,
};
use crate::engine::lp::{Position, Solution};
use crate::engine::problem::{Basis, Constraint};

pub(super) fn optimum(
    model: &Model<'_>,
    built: &Built,
    solution: &Solution,
    out: &mut Formulation,
) {
    let problem = model.problem;
    let total = model.total;
    let fractions: Vec<f64> = solution.x.iter().map(|x| (x / total).max(0.0)).collect();
    out.objective = Some(solution.objective / total);
    for (ingredient, f) in problem.ingredients.iter().zip(&fractions) {
        out.solution.insert(ingredient.id.clone(), *f);
    }
    mixing_sheet(model, &fractions, solution.objective / total, out);
    out.nutrients = nutrient_lines(model, &fractions);
    out.binding = bindings(model, built, solution);
    prices(model, solution, &fractions, out);
}

/// Recipe lines and costs for a batch of `batch_kg` as fed.
fn mixing_sheet(model: &Model<'_>, fractions: &[f64], per_kg: f64, out: &mut Formulation) {
    let problem = model.problem;
    let batch = problem.batch_kg.unwrap_or(1000.0);
    let weights: Vec<f64> = problem
        .ingredients
        .iter()
        .zip(fractions)
        .map(|(i, f)| match problem.basis {
            Basis::AsFed => *f,
            Basis::Dm => f / (i.dm / 100.0),
        })
        .collect();
    let weight_sum: f64 = weights.iter().sum();
    let as_fed: Vec<f64> = weights
        .iter()
        .map(|w| {
            if weight_sum > 0.0 {
                w / weight_sum * batch
            } else {
                0.0
            }
        })
        .collect();
    let batch_cost: f64 = problem
        .ingredients
        .iter()
        .zip(&as_fed)
        .map(|(i, kg)| i.cost * kg)
        .sum();
    let dm_kg: f64 = problem
        .ingredients
        .iter()
        .zip(&as_fed)
        .map(|(i, kg)| kg * i.dm / 100.0)
        .sum();
    for (j, ingredient) in problem.ingredients.iter().enumerate() {
        if fractions[j] > 1e-9 {
            out.recipe.push(RecipeLine {
                ingredient: ingredient.id.clone(),
                name: ingredient.name.clone(),
                fraction: fractions[j],
                kg_as_fed: as_fed[j],
                kg_dm: as_fed[j] * ingredient.dm / 100.0,
                price_per_kg_as_fed: ingredient.cost,
                cost_share: if batch_cost > 0.0 {
                    ingredient.cost * as_fed[j] / batch_cost
                } else {
                    0.0
                },
            });
        }
    }
    let per_kg_dm = if dm_kg > 0.0 { batch_cost / dm_kg } else { 0.0 };
    out.cost = Some(CostSummary {
        per_kg,
        per_kg_as_fed: batch_cost / batch,
        per_kg_dm,
        batch_kg_as_fed: batch,
        per_batch: batch_cost,
        per_head_per_day: problem.intake_kg_dm.map(|intake| intake * per_kg_dm),
    });
}

fn nutrient_lines<'p>(model: &Model<'p>, fractions: &[f64]) -> Vec<NutrientLine> {
    let mut lines: BTreeMap<&'p str, NutrientLine> = BTreeMap::new();
    let mut mention = |name: &'p str, min: Option<f64>, max: Option<f64>| {
        let line = lines.entry(name).or_insert_with(|| NutrientLine {
            nutrient: name.to_owned(),
            supplied: model
                .nutrient(name)
                .iter()
                .zip(fractions)
                .map(|(v, f)| v * f)
                .sum(),
            min: None,
            max: None,
        });
        line.min = match (line.min, min) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        line.max = match (line.max, max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    };
    for constraint in &model.problem.constraints {
        match constraint {
            Constraint::Nutrient { nutrient, min, max } => mention(nutrient, *min, *max),
            Constraint::NutrientRatio {
                numerator,
                denominator,
                ..
            } => {
                mention(numerator, None, None);
                mention(denominator, None, None);
            }
            _ => {}
        }
    }
    lines.into_values().collect()
}

/// The constraints that bind, each with the price of one more unit of its limit.
fn bindings(model: &Model<'_>, built: &Built, solution: &Solution) -> Vec<Binding> {
    let problem = model.problem;
    let total = model.total;
    let mut out = Vec::new();
    let mut push = |c: usize, side: Side, shadow_price: f64| {
        let constraint = &problem.constraints[c];
        let limits = constraint.limits();
        let limit = if side == Side::Min {
            limits.min
        } else {
            limits.max
        };
        if let Some(limit) = limit {
            out.push(Binding {
                constraint: c,
                kind: constraint.kind(),
                label: constraint.label(),
                side,
                limit,
                shadow_price,
            });
        }
    };
    for (row, origin) in built.rows.iter().enumerate() {
        let Some(c) = origin.constraint else { continue };
        if matches!(problem.constraints[c], Constraint::Total { .. }) {
            continue;
        }
        let dual = solution.row_dual[row];
        let side = match (solution.row_position[row], origin.side) {
            (Position::Basic, _) => continue,
            (_, Some(side)) => side,
            (Position::AtUpper, None) => Side::Max,
            (Position::Fixed, None) if dual < 0.0 => Side::Max,
            _ => Side::Min,
        };
        // A ratio row moves by Σ den_j x_j per unit of its limit; other rows by the total.
        let per_unit = match (&problem.constraints[c], origin.side) {
            (Constraint::NutrientRatio { denominator, .. }, Some(_)) => model
                .nutrient(denominator)
                .iter()
                .zip(&solution.x)
                .map(|(v, x)| v * x)
                .sum(),
            (Constraint::IngredientRatio { denominator, .. }, Some(_)) => denominator
                .iter()
                .filter_map(|id| model.ingredient(id))
                .map(|j| solution.x[j])
                .sum(),
            _ => total,
        };
        push(c, side, dual * per_unit / total);
    }
    // Inclusion limits are column bounds: their price is the column's reduced cost.
    for (j, origin) in built.bounds.iter().enumerate() {
        let d = solution.reduced_cost[j];
        let (side, constraint) = match solution.col_position[j] {
            Position::AtUpper => (Side::Max, origin.upper),
            Position::Fixed if d < 0.0 => (Side::Max, origin.upper),
            Position::AtLower | Position::Fixed => (Side::Min, origin.lower),
            Position::Basic => continue,
        };
        if let Some(c) = constraint {
            push(c, side, d);
        }
    }
    out.sort_by_key(|b| b.constraint);
    out
}

/// Reduced costs of the ingredients left out, cost ranges of those used.
fn prices(model: &Model<'_>, solution: &Solution, fractions: &[f64], out: &mut Formulation) {
    let problem = model.problem;
    let to_as_fed = |j: usize, per_kg_on_basis: f64| match problem.basis {
        Basis::AsFed => per_kg_on_basis,
        Basis::Dm => per_kg_on_basis * problem.ingredients[j].dm / 100.0,
    };
    for (j, ingredient) in problem.ingredients.iter().enumerate() {
        if fractions[j] > 1e-9 {
            if let Some((low, high)) = solution.cost_range[j] {
                out.cost_ranging.push(CostRange {
                    ingredient: ingredient.id.clone(),
                    price_as_fed: ingredient.cost,
                    low: low.is_finite().then(|| to_as_fed(j, low).max(0.0)),
                    high: high.is_finite().then(|| to_as_fed(j, high)),
                });
            }
        } else {
            let reduced = solution.reduced_cost[j].max(0.0);
            out.reduced_costs.push(ReducedCost {
                ingredient: ingredient.id.clone(),
                reduced_cost: reduced,
                entering_price_as_fed: to_as_fed(j, ingredient.cost_on(problem.basis) - reduced)
                    .max(0.0),
            });
        }
    }
}
