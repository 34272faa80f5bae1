//! Why a problem has no solution: an irreducible infeasible subset, and how far each member
//! must move.

use std::time::{Duration, Instant};

use super::model::{Model, Relaxation};
use super::{Conflict, Diagnosis, Loosening, Side};
use crate::engine::problem::Constraint;

/// How long a diagnosis may take. Each step solves the programme again, so a large infeasible
/// problem could otherwise hold a core for minutes; past the budget the answer says it is not
/// complete.
const BUDGET: Duration = Duration::from_secs(2);

/// Finds an irreducible infeasible subset by deletion, then how far each member must move.
pub(super) fn diagnose(model: &Model<'_>) -> Diagnosis {
    let deadline = Instant::now() + BUDGET;
    let problem = model.problem;
    let count = problem.constraints.len();
    let mut enabled = vec![true; count];
    let mut complete = true;
    for c in 0..count {
        if matches!(problem.constraints[c], Constraint::Total { .. }) {
            continue;
        }
        if Instant::now() > deadline {
            complete = false;
            break;
        }
        enabled[c] = false;
        if model.feasible(&enabled, None) {
            enabled[c] = true;
        }
    }
    let members: Vec<usize> = (0..count)
        .filter(|&c| enabled[c] && !matches!(problem.constraints[c], Constraint::Total { .. }))
        .collect();
    let conflicting = members
        .iter()
        .map(|&c| {
            let constraint = &problem.constraints[c];
            let limits = constraint.limits();
            let relax = [(Side::Min, limits.min), (Side::Max, limits.max)]
                .into_iter()
                .filter_map(|(side, limit)| {
                    let limit = limit?;
                    if Instant::now() > deadline {
                        return None;
                    }
                    let by = smallest_relaxation(model, &enabled, c, side, limit)?;
                    Some(Loosening {
                        side,
                        by,
                        to: if side == Side::Min {
                            limit - by
                        } else {
                            limit + by
                        },
                    })
                })
                .collect();
            Conflict {
                constraint: c,
                kind: constraint.kind(),
                label: constraint.label(),
                min: limits.min,
                max: limits.max,
                relax,
            }
        })
        .collect();
    Diagnosis {
        conflicting,
        complete: complete && Instant::now() <= deadline,
    }
}

/// The least loosening of one limit that makes the subset feasible, by doubling then bisection;
/// `None` when no loosening of that side helps.
fn smallest_relaxation(
    model: &Model<'_>,
    enabled: &[bool],
    constraint: usize,
    side: Side,
    limit: f64,
) -> Option<f64> {
    let works = |by: f64| {
        model.feasible(
            enabled,
            Some(Relaxation {
                constraint,
                side,
                by,
            }),
        )
    };
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
