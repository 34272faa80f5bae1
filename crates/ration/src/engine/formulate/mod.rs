//! Least-cost formulation: a problem becomes a linear programme, and its solution becomes what
//! a nutritionist reads — the recipe, the cost, the nutrient supply against each requirement,
//! the price of each binding requirement, and why an impossible problem is impossible.
//!
//! One variable per ingredient: its amount in the mix on the problem's basis, the mix summing to
//! the total `T` (1 unless a `total` constraint says otherwise). Concentration limits become
//! `Σ n_j x_j ∈ [min·T, max·T]`; ratio limits are linearised as
//! `Σ (num_j − min·den_j) x_j ≥ 0` and `Σ (num_j − max·den_j) x_j ≤ 0`.

mod diagnose;
mod explain;
mod model;

use std::collections::BTreeMap;

use serde::Serialize;

use super::lp::{self, Status};
use super::problem::{Basis, Problem};
use model::Model;

/// Which limit of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Min,
    Max,
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
    /// False when the search ran out of its time budget: the constraints listed still cannot
    /// all hold, but some of them may not be needed for the conflict, and loosening amounts
    /// may be missing.
    pub complete: bool,
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
    let model = Model::new(problem);
    let built = model.build(&vec![true; problem.constraints.len()], None);
    let solution = lp::solve(&built.lp);
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
        Status::Optimal => explain::optimum(&model, &built, &solution, &mut result),
        Status::Infeasible => result.infeasibility = Some(diagnose::diagnose(&model)),
        Status::Unbounded => {}
    }
    result
}
