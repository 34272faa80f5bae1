//! ration: livestock nutrition (seed 002). The engine is a pure library — problem files,
//! least-cost formulation by linear programming, sensitivity and infeasibility diagnosis —
//! with no I/O, usable from the CLI (`maru ration solve`) and, later, the service.

pub mod engine;
