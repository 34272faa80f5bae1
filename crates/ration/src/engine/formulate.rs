//! Least-cost formulation: a problem becomes a linear programme, and its solution becomes what
//! a nutritionist reads — the recipe, the cost, the nutrient supply against each requirement,
//! the price of each binding requirement, and why an impossible problem is impossible.
//!
//! One variable per ingredient: its amount in the mix on the problem's basis, the mix summing to
//! the total `T` (1 unless a `total` constraint says otherwise). Concentration limits become
//! `Σ n_j x_j ∈ [min·T, max·T]`; ratio limits are linearised as
//! `Σ (num_j − min·den_j) x_j ≥ 0` and `Σ (num_j − max·den_j) x_j ≤ 0`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::lp::{self, Lp, Position, Status};
use super::problem::{Basis, Constraint, Problem};

/// Which limit of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Min,
    Max,
}

/// Where an LP row comes from.
#[derive(Debug, Clone, Copy)]
struct RowOrigin {
    /// Index into the problem's constraints; `None` for the implicit total.
    constraint: Option<usize>,
    /// `None` when the row carries both limits of its constraint.
    side: Option<Side>,
}

/// A limit moved by `by` in the loosening direction (min down, max up).
#[derive(Debug, Clone, Copy)]
struct Relaxation {
    constraint: usize,
    side: Side,
    by: f64,
}

fn bounded(value: Option<f64>, scale: f64, infinite: f64) -> f64 {
    value.map_or(infinite, |v| v * scale)
}

/// The programme for `problem` with only the `enabled` constraints (the total always applies).
fn build(problem: &Problem, enabled: &[bool], relaxation: Option<Relaxation>) -> (Lp, Vec<RowOrigin>) {
    let basis = problem.basis;
    let total = problem.total();
    let mut lp = Lp::default();
    for ingredient in &problem.ingredients {
        lp.add_column(ingredient.cost_on(basis), 0.0, f64::INFINITY);
    }
    let n = problem.ingredients.len();
    let all: Vec<(usize, f64)> = (0..n).map(|j| (j, 1.0)).collect();
    let total_index = problem.constraints.iter().position(|c| matches!(c, Constraint::Total { .. }));
    let mut origins = vec![RowOrigin { constraint: total_index, side: None }];
    lp.add_row(all, total, total);

    let nutrient = |name: &str| -> Vec<f64> { problem.ingredients.iter().map(|i| i.nutrient_on(name, basis)).collect() };
    let indicator = |ids: &[String]| -> Vec<f64> {
        let mut v = vec![0.0; n];
        for id in ids {
            if let Some(j) = problem.ingredient_index(id) {
                v[j] = 1.0;
            }
        }
        v
    };
    let sparse = |dense: Vec<f64>| -> Vec<(usize, f64)> { dense.into_iter().enumerate().filter(|(_, a)| *a != 0.0).collect() };

    for (c, constraint) in problem.constraints.iter().enumerate() {
        if !enabled.get(c).copied().unwrap_or(true) || matches!(constraint, Constraint::Total { .. }) {
            continue;
        }
        let mut limits = constraint.limits();
        if let Some(r) = relaxation.filter(|r| r.constraint == c) {
            match r.side {
                Side::Min => limits.min = limits.min.map(|m| m - r.by),
                Side::Max => limits.max = limits.max.map(|m| m + r.by),
            }
        }
        let (lower, upper) = (bounded(limits.min, total, f64::NEG_INFINITY), bounded(limits.max, total, f64::INFINITY));
        let both = RowOrigin { constraint: Some(c), side: None };
        match constraint {
            Constraint::Total { .. } => {}
            Constraint::Nutrient { nutrient: name, .. } => {
                lp.add_row(sparse(nutrient(name)), lower, upper);
                origins.push(both);
            }
            Constraint::Inclusion { ingredient, .. } => {
                lp.add_row(sparse(indicator(std::slice::from_ref(ingredient))), lower, upper);
                origins.push(both);
            }
            Constraint::Group { ingredients, .. } => {
                lp.add_row(sparse(indicator(ingredients)), lower, upper);
                origins.push(both);
            }
            Constraint::NutrientRatio { numerator, denominator, .. } => {
                ratio_rows(&mut lp, &mut origins, c, &nutrient(numerator), &nutrient(denominator), limits.min, limits.max);
            }
            Constraint::IngredientRatio { numerator, denominator, .. } => {
                ratio_rows(&mut lp, &mut origins, c, &indicator(numerator), &indicator(denominator), limits.min, limits.max);
            }
        }
    }
    (lp, origins)
}

fn ratio_rows(lp: &mut Lp, origins: &mut Vec<RowOrigin>, c: usize, num: &[f64], den: &[f64], min: Option<f64>, max: Option<f64>) {
    let row = |k: f64| -> Vec<(usize, f64)> { num.iter().zip(den).map(|(a, b)| a - k * b).enumerate().filter(|(_, v)| *v != 0.0).collect() };
    if let Some(k) = min {
        lp.add_row(row(k), 0.0, f64::INFINITY);
        origins.push(RowOrigin { constraint: Some(c), side: Some(Side::Min) });
    }
    if let Some(k) = max {
        lp.add_row(row(k), f64::NEG_INFINITY, 0.0);
        origins.push(RowOrigin { constraint: Some(c), side: Some(Side::Max) });
    }
}

fn feasible(problem: &Problem, enabled: &[bool], relaxation: Option<Relaxation>) -> bool {
    let (lp, _) = build(problem, enabled, relaxation);
    lp::solve(&lp).status == Status::Optimal
}

#[derive(Debug, Clone, Serialize)]
pub struct RecipeLine {
    pub ingredient: String,
    pub name: Option<String>,
    /// Share of the mix on the problem's basis (0-1).
    pub fraction: f64,
    /// Per batch (`batch_kg`, as fed).
    pub kg_as_fed: f64,
    pub kg_dm: f64,
    pub price_per_kg_as_fed: f64,
    /// Share of the mix's cost (0-1).
    pub cost_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CostSummary {
    /// Cost per kg of mix on the problem's basis (the objective).
    pub per_kg: f64,
    pub per_kg_as_fed: f64,
    pub per_kg_dm: f64,
    pub batch_kg_as_fed: f64,
    pub per_batch: f64,
    /// With `intake_kg_dm` given.
    pub per_head_per_day: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NutrientLine {
    pub nutrient: String,
    /// Concentration in the mix, per kg on the problem's basis.
    pub supplied: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Binding {
    /// Index into the problem's constraints.
    pub constraint: usize,
    pub kind: &'static str,
    pub label: String,
    pub side: Side,
    pub limit: f64,
    /// Change in cost per kg of mix for one more unit of this limit (raising a min costs
    /// money, so its price is positive; raising a max saves money, so its price is negative).
    pub shadow_price: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReducedCost {
    pub ingredient: String,
    /// How much cheaper per kg (problem basis) it must get before it enters.
    pub reduced_cost: f64,
    /// The price per kg as fed at which it would enter the ration.
    pub entering_price_as_fed: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CostRange {
    pub ingredient: String,
    pub price_as_fed: f64,
    /// Prices per kg as fed over which the recipe stays optimal (null: no limit).
    pub low: Option<f64>,
    pub high: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Loosening {
    pub side: Side,
    /// How far this limit must move (min down, max up) for the conflict to disappear.
    pub by: f64,
    /// The limit it must move to.
    pub to: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub constraint: usize,
    pub kind: &'static str,
    pub label: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Each way of resolving the conflict by loosening this constraint alone.
    pub relax: Vec<Loosening>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    /// An irreducible infeasible subset: these constraints (with the total) cannot all hold,
    /// and dropping any one of them leaves the rest satisfiable.
    pub conflicting: Vec<Conflict>,
}

/// Everything a solve tells.
#[derive(Debug, Clone, Serialize)]
pub struct Formulation {
    pub id: String,
    pub status: &'static str,
    pub basis: Basis,
    /// Cost per kg of mix on the problem's basis.
    pub objective: Option<f64>,
    /// Ingredient id → share of the mix (0-1).
    pub solution: BTreeMap<String, f64>,
    pub recipe: Vec<RecipeLine>,
    pub cost: Option<CostSummary>,
    pub nutrients: Vec<NutrientLine>,
    pub binding: Vec<Binding>,
    pub reduced_costs: Vec<ReducedCost>,
    pub cost_ranging: Vec<CostRange>,
    pub infeasibility: Option<Diagnosis>,
}

/// Solves `problem` and explains the answer.
pub fn formulate(problem: &Problem) -> Formulation {
    let enabled = vec![true; problem.constraints.len()];
    let (lp, origins) = build(problem, &enabled, None);
    let solution = lp::solve(&lp);
    let mut result = Formulation {
        id: problem.id.clone(),
        status: match solution.status {
            Status::Optimal => "optimal",
            Status::Infeasible => "infeasible",
            Status::Unbounded => "unbounded",
        },
        basis: problem.basis,
        objective: None,
        solution: BTreeMap::new(),
        recipe: Vec::new(),
        cost: None,
        nutrients: Vec::new(),
        binding: Vec::new(),
        reduced_costs: Vec::new(),
        cost_ranging: Vec::new(),
        infeasibility: None,
    };
    match solution.status {
        Status::Optimal => explain_optimum(problem, &solution, &origins, &mut result),
        Status::Infeasible => result.infeasibility = Some(diagnose(problem)),
        Status::Unbounded => {}
    }
    result
}

fn explain_optimum(problem: &Problem, solution: &lp::Solution, origins: &[RowOrigin], out: &mut Formulation) {
    let total = problem.total();
    let basis = problem.basis;
    let fractions: Vec<f64> = solution.x.iter().map(|x| (x / total).max(0.0)).collect();
    out.objective = Some(solution.objective / total);
    for (ingredient, f) in problem.ingredients.iter().zip(&fractions) {
        out.solution.insert(ingredient.id.clone(), *f);
    }

    // Mixing sheet: as-fed weights of a batch.
    let batch = problem.batch_kg.unwrap_or(1000.0);
    let weights: Vec<f64> = problem
        .ingredients
        .iter()
        .zip(&fractions)
        .map(|(i, f)| match basis {
            Basis::AsFed => *f,
            Basis::Dm => f / (i.dm / 100.0),
        })
        .collect();
    let weight_sum: f64 = weights.iter().sum();
    let as_fed: Vec<f64> = weights.iter().map(|w| if weight_sum > 0.0 { w / weight_sum * batch } else { 0.0 }).collect();
    let batch_cost: f64 = problem.ingredients.iter().zip(&as_fed).map(|(i, kg)| i.cost * kg).sum();
    let dm_kg: f64 = problem.ingredients.iter().zip(&as_fed).map(|(i, kg)| kg * i.dm / 100.0).sum();
    for (j, ingredient) in problem.ingredients.iter().enumerate() {
        if fractions[j] > 1e-9 {
            out.recipe.push(RecipeLine {
                ingredient: ingredient.id.clone(),
                name: ingredient.name.clone(),
                fraction: fractions[j],
                kg_as_fed: as_fed[j],
                kg_dm: as_fed[j] * ingredient.dm / 100.0,
                price_per_kg_as_fed: ingredient.cost,
                cost_share: if batch_cost > 0.0 { ingredient.cost * as_fed[j] / batch_cost } else { 0.0 },
            });
        }
    }
    let per_kg_dm = if dm_kg > 0.0 { batch_cost / dm_kg } else { 0.0 };
    out.cost = Some(CostSummary {
        per_kg: solution.objective / total,
        per_kg_as_fed: batch_cost / batch,
        per_kg_dm,
        batch_kg_as_fed: batch,
        per_batch: batch_cost,
        per_head_per_day: problem.intake_kg_dm.map(|intake| intake * per_kg_dm),
    });

    out.nutrients = nutrient_lines(problem, &fractions);

    for (row, origin) in origins.iter().enumerate() {
        let Some(c) = origin.constraint else { continue };
        let constraint = &problem.constraints[c];
        if matches!(constraint, Constraint::Total { .. }) {
            continue;
        }
        let side = match (solution.row_position[row], origin.side) {
            (Position::Basic, _) => continue,
            (_, Some(side)) => side,
            (Position::AtUpper, None) => Side::Max,
            (Position::Fixed, None) if solution.row_dual[row] < 0.0 => Side::Max,
            _ => Side::Min,
        };
        let limits = constraint.limits();
        let limit = match side {
            Side::Min => limits.min,
            Side::Max => limits.max,
        };
        let Some(limit) = limit else { continue };
        // Ratio rows move by Σ den_j x_j per unit of the ratio limit.
        let per_unit = match (constraint, origin.side) {
            (Constraint::NutrientRatio { denominator, .. }, Some(_)) => {
                problem.ingredients.iter().zip(&solution.x).map(|(i, x)| i.nutrient_on(denominator, basis) * x).sum::<f64>()
            }
            (Constraint::IngredientRatio { denominator, .. }, Some(_)) => {
                denominator.iter().filter_map(|id| problem.ingredient_index(id)).map(|j| solution.x[j]).sum::<f64>()
            }
            _ => total,
        };
        out.binding.push(Binding {
            constraint: c,
            kind: constraint.kind(),
            label: constraint.label(),
            side,
            limit,
            shadow_price: solution.row_dual[row] * per_unit / total,
        });
    }

    let to_as_fed = |j: usize, per_kg_on_basis: f64| match basis {
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
                entering_price_as_fed: to_as_fed(j, ingredient.cost_on(basis) - reduced).max(0.0),
            });
        }
    }
}

fn nutrient_lines(problem: &Problem, fractions: &[f64]) -> Vec<NutrientLine> {
    let mut lines: BTreeMap<String, NutrientLine> = BTreeMap::new();
    let mut mention = |name: &str, min: Option<f64>, max: Option<f64>| {
        let supplied = problem.ingredients.iter().zip(fractions).map(|(i, f)| i.nutrient_on(name, problem.basis) * f).sum();
        let line = lines.entry(name.to_owned()).or_insert_with(|| NutrientLine { nutrient: name.to_owned(), supplied, min: None, max: None });
        line.min = match (line.min, min) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        line.max = match (line.max, max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    };
    for constraint in &problem.constraints {
        match constraint {
            Constraint::Nutrient { nutrient, min, max } => mention(nutrient, *min, *max),
            Constraint::NutrientRatio { numerator, denominator, .. } => {
                mention(numerator, None, None);
                mention(denominator, None, None);
            }
            _ => {}
        }
    }
    lines.into_values().collect()
}

/// Finds an irreducible infeasible subset by deletion, then how far each member must move.
fn diagnose(problem: &Problem) -> Diagnosis {
    let count = problem.constraints.len();
    let mut enabled = vec![true; count];
    for c in 0..count {
        if matches!(problem.constraints[c], Constraint::Total { .. }) {
            continue;
        }
        enabled[c] = false;
        if feasible(problem, &enabled, None) {
            enabled[c] = true;
        }
    }
    let members: Vec<usize> = (0..count).filter(|&c| enabled[c] && !matches!(problem.constraints[c], Constraint::Total { .. })).collect();
    let conflicting = members
        .iter()
        .map(|&c| {
            let constraint = &problem.constraints[c];
            let limits = constraint.limits();
            let relax = [(Side::Min, limits.min), (Side::Max, limits.max)]
                .into_iter()
                .filter_map(|(side, limit)| {
                    let limit = limit?;
                    let by = smallest_relaxation(problem, &enabled, c, side, limit)?;
                    Some(Loosening { side, by, to: if side == Side::Min { limit - by } else { limit + by } })
                })
                .collect();
            Conflict { constraint: c, kind: constraint.kind(), label: constraint.label(), min: limits.min, max: limits.max, relax }
        })
        .collect();
    Diagnosis { conflicting }
}

/// The least loosening of one limit that makes the subset feasible, by doubling then bisection;
/// `None` when no loosening of that side helps.
fn smallest_relaxation(problem: &Problem, enabled: &[bool], constraint: usize, side: Side, limit: f64) -> Option<f64> {
    let works = |by: f64| feasible(problem, enabled, Some(Relaxation { constraint, side, by }));
    let mut high = limit.abs().max(1e-3) * 1e-3;
    let mut doublings = 0;
    while !works(high) {
        high *= 2.0;
        doublings += 1;
        if doublings > 80 {
            return None;
        }
    }
    let mut low = 0.0;
    for _ in 0..60 {
        if high - low <= 1e-9 * (1.0 + high) {
            break;
        }
        let mid = 0.5 * (low + high);
        if works(mid) { high = mid } else { low = mid }
    }
    Some(high)
}
