//! Linear programmes with bounded rows and columns, solved exactly enough for a nutritionist:
//! optimal values, dual values, reduced costs and cost ranging.
//!
//! `minimise c·x  subject to  row_lower ≤ A x ≤ row_upper,  col_lower ≤ x ≤ col_upper`
//!
//! The solver ([`simplex`]) is a bounded-variable dual simplex on a dense tableau: least-cost
//! rations start dual feasible (costs are prices, mostly positive), problems have tens of rows,
//! and a dense tableau keeps every sensitivity figure one row away.

mod dense;
mod sensitivity;
mod simplex;

pub use simplex::solve;

/// A linear programme. Infinite bounds are `f64::INFINITY` / `f64::NEG_INFINITY`.
#[derive(Debug, Clone, Default)]
pub struct Lp {
    pub cost: Vec<f64>,
    pub col_lower: Vec<f64>,
    pub col_upper: Vec<f64>,
    pub rows: Vec<Row>,
}

/// One constraint `lower ≤ Σ coef·x ≤ upper`.
#[derive(Debug, Clone)]
pub struct Row {
    pub coefs: Vec<(usize, f64)>,
    pub lower: f64,
    pub upper: f64,
}

impl Lp {
    pub fn add_column(&mut self, cost: f64, lower: f64, upper: f64) -> usize {
        self.cost.push(cost);
        self.col_lower.push(lower);
        self.col_upper.push(upper);
        self.cost.len() - 1
    }

    pub fn add_row(&mut self, coefs: Vec<(usize, f64)>, lower: f64, upper: f64) -> usize {
        self.rows.push(Row {
            coefs,
            lower,
            upper,
        });
        self.rows.len() - 1
    }

    pub fn columns(&self) -> usize {
        self.cost.len()
    }
}

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Optimal,
    Infeasible,
    Unbounded,
}

/// Where a variable (column or row activity) sits at the optimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Basic,
    AtLower,
    AtUpper,
    /// Nonbasic with equal bounds.
    Fixed,
}

/// The answer and its sensitivity, in the units of the programme as given.
#[derive(Debug, Clone)]
pub struct Solution {
    pub status: Status,
    pub objective: f64,
    pub x: Vec<f64>,
    pub row_activity: Vec<f64>,
    /// ∂objective/∂(bound of the row that binds); zero for rows that do not bind.
    pub row_dual: Vec<f64>,
    /// c_j − yᵀA_j: how much column j's cost must fall (at its lower bound) before it enters.
    pub reduced_cost: Vec<f64>,
    pub col_position: Vec<Position>,
    pub row_position: Vec<Position>,
    /// For basic columns, the cost interval over which the basis (and so the recipe) stays optimal.
    pub cost_range: Vec<Option<(f64, f64)>>,
    pub iterations: usize,
}

/// Tolerances, on the scaled programme: a row or bound is satisfied within `FEASIBILITY`, a
/// reduced cost has the right sign within `OPTIMALITY`, and no pivot is smaller than `PIVOT`.
pub const FEASIBILITY: f64 = 1e-9;
pub const OPTIMALITY: f64 = 1e-9;
pub const PIVOT: f64 = 1e-9;
