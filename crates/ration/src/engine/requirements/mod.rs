//! Nutrient requirements and intake predictions, each a documented function naming the
//! publication it follows. Where a constant could not be confirmed against the publication,
//! the doc comment says so rather than presenting it as published.

mod animal;
pub mod beef;
pub mod dairy;
pub mod poultry;
pub mod swine;

pub use animal::{Animal, AnimalError, Requirement, Requirements};
