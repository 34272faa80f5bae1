//! The formulation engine: pure computation, no I/O, no async.

pub mod formulate;
pub mod library;
pub mod lp;
pub mod problem;
pub mod report;
pub mod requirements;
pub mod units;

pub use formulate::{Formulation, formulate};
pub use problem::{
    Basis, Constraint, Ingredient, Problem, ProblemError, ProblemFile, parse, parse_file,
};
