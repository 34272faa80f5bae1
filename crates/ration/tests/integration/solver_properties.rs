//! Properties of the solver and the formulation on random problems: feasibility, optimality
//! against known feasible mixes, complementary slackness, strong duality, and irreducible
//! infeasible subsets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use ration::engine::lp::{self, Lp, Position, Status};
use ration::engine::problem::{Basis, Constraint, Ingredient, Problem};
use ration::engine::{formulate, parse};

const INF: f64 = f64::INFINITY;

/// A random LP with a known feasible point `x0`: each row's bounds straddle (or touch) a_i·x0.
fn lp_with_feasible_point() -> impl Strategy<Value = (Lp, Vec<f64>)> {
    (2usize..12, 1usize..10).prop_flat_map(|(n, m)| {
        (
            proptest::collection::vec(0.0f64..5.0, n),
            proptest::collection::vec(0.01f64..10.0, n),
            proptest::collection::vec(proptest::collection::vec(-3.0f64..10.0, n), m),
            proptest::collection::vec((0u8..4, 0.0f64..3.0, 0.0f64..3.0), m),
        )
            .prop_map(move |(x0, cost, a, shapes)| {
                let mut lp = Lp::default();
                for c in &cost {
                    lp.add_column(*c, 0.0, INF);
                }
                for (row, (shape, below, above)) in a.iter().zip(shapes) {
                    let activity: f64 = row.iter().zip(&x0).map(|(a, x)| a * x).sum();
                    // Shapes: ≥, ≤, ranged, tight equality (degenerate).
                    let (lower, upper) = match shape {
                        0 => (activity - below, INF),
                        1 => (-INF, activity + above),
                        2 => (activity - below, activity + above),
                        _ => (activity, activity),
                    };
                    lp.add_row(row.iter().copied().enumerate().collect(), lower, upper);
                }
                (lp, x0)
            })
    })
}

fn within(value: f64, lower: f64, upper: f64, scale: f64) -> bool {
    let tol = 1e-9 * (1.0 + lower.abs().min(1e12).max(upper.abs().min(1e12)));
    value * scale >= lower * scale - tol && value * scale <= upper * scale + tol
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn optimal_solutions_are_feasible_and_no_dearer_than_a_known_mix((lp, x0) in lp_with_feasible_point()) {
        let s = lp::solve(&lp);
        prop_assert_eq!(s.status, Status::Optimal);
        for (row, activity) in lp.rows.iter().zip(&s.row_activity) {
            let scale = 1.0 / row.coefs.iter().map(|(_, a)| a.abs()).fold(1e-300, f64::max);
            prop_assert!(within(*activity, row.lower, row.upper, scale), "row {activity} not in [{}, {}]", row.lower, row.upper);
        }
        prop_assert!(s.x.iter().all(|x| *x >= -1e-9));
        let known: f64 = lp.cost.iter().zip(&x0).map(|(c, x)| c * x).sum();
        prop_assert!(s.objective <= known + 1e-7 * (1.0 + known.abs()), "{} > {known}", s.objective);
    }

    #[test]
    fn duals_satisfy_complementary_slackness_and_strong_duality((lp, _) in lp_with_feasible_point()) {
        let s = lp::solve(&lp);
        prop_assume!(s.status == Status::Optimal);
        let mut dual_objective = 0.0;
        for (i, row) in lp.rows.iter().enumerate() {
            let y = s.row_dual[i];
            match s.row_position[i] {
                Position::Basic => prop_assert!(y.abs() < 1e-9, "a slack row has a price"),
                Position::AtLower => { prop_assert!(y >= -1e-7); dual_objective += y * row.lower; }
                Position::AtUpper => { prop_assert!(y <= 1e-7); dual_objective += y * row.upper; }
                Position::Fixed => dual_objective += y * row.lower,
            }
        }
        for (j, d) in s.reduced_cost.iter().enumerate() {
            match s.col_position[j] {
                Position::Basic => prop_assert!(d.abs() < 1e-9),
                Position::AtLower => { prop_assert!(*d >= -1e-7, "reduced cost {d} < 0 at lower bound"); dual_objective += d * lp.col_lower[j]; }
                Position::AtUpper | Position::Fixed => dual_objective += d * lp.col_upper[j],
            }
        }
        prop_assert!((dual_objective - s.objective).abs() <= 1e-6 * (1.0 + s.objective.abs()), "dual {dual_objective} vs primal {}", s.objective);
    }
}

/// A random ration problem built around a known feasible mix.
fn ration_problem() -> impl Strategy<Value = (Problem, Vec<f64>)> {
    (3usize..15, 1usize..6).prop_flat_map(|(n, k)| {
        (
            proptest::collection::vec(0.05f64..1.0, n),
            proptest::collection::vec((20.0f64..95.0, 50.0f64..900.0), n),
            proptest::collection::vec(proptest::collection::vec(0.0f64..50.0, k), n),
            proptest::collection::vec((0.5f64..1.0, 1.0f64..1.5, any::<bool>()), k),
        )
            .prop_map(move |(weights, specs, nutrients, limits)| {
                let sum: f64 = weights.iter().sum();
                let mix: Vec<f64> = weights.iter().map(|w| w / sum).collect();
                let ingredients: Vec<Ingredient> = specs
                    .iter()
                    .zip(&nutrients)
                    .enumerate()
                    .map(|(j, ((dm, cost), values))| Ingredient {
                        id: format!("i{j}"),
                        name: None,
                        dm: *dm,
                        cost: *cost,
                        nutrient_basis: Basis::Dm,
                        nutrients: values
                            .iter()
                            .enumerate()
                            .map(|(k, v)| (format!("n{k}"), *v))
                            .collect(),
                    })
                    .collect();
                let mut constraints = vec![Constraint::Total { value: 1.0 }];
                for (k, (low, high, has_max)) in limits.iter().enumerate() {
                    let supplied: f64 = mix.iter().zip(&nutrients).map(|(x, v)| x * v[k]).sum();
                    constraints.push(Constraint::Nutrient {
                        nutrient: format!("n{k}"),
                        min: Some(supplied * low),
                        max: has_max.then_some(supplied * high),
                    });
                }
                constraints.push(Constraint::Inclusion {
                    ingredient: "i0".into(),
                    min: None,
                    max: Some(mix[0].max(0.3)),
                });
                (
                    Problem {
                        id: "random".into(),
                        basis: Basis::Dm,
                        ingredients,
                        constraints,
                        batch_kg: None,
                        intake_kg_dm: None,
                        table: std::sync::OnceLock::default(),
                    },
                    mix,
                )
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn formulations_meet_every_limit_and_beat_the_known_mix((problem, mix) in ration_problem()) {
        let f = formulate(&problem);
        prop_assert_eq!(f.status, "optimal");
        let objective = f.objective.unwrap();
        let known: f64 = problem.ingredients.iter().zip(&mix).map(|(i, x)| i.cost_on(Basis::Dm) * x).sum();
        prop_assert!(objective <= known + 1e-7 * known);
        let total: f64 = f.solution.values().sum();
        prop_assert!((total - 1.0).abs() < 1e-9);
        for line in &f.nutrients {
            let tol = 1e-8 * (1.0 + line.supplied.abs());
            prop_assert!(line.min.is_none_or(|m| line.supplied >= m - tol), "{} below min", line.nutrient);
            prop_assert!(line.max.is_none_or(|m| line.supplied <= m + tol), "{} above max", line.nutrient);
        }
    }

    #[test]
    fn an_iis_is_infeasible_and_any_smaller_set_is_feasible((mut problem, _) in ration_problem(), extra in 1.2f64..3.0) {
        // Demand more of n0 than the richest ingredient holds: impossible.
        let richest = problem.ingredients.iter().map(|i| i.nutrient_on("n0", Basis::Dm)).fold(0.0, f64::max);
        problem.constraints.push(Constraint::Nutrient { nutrient: "n0".into(), min: Some(richest * extra + 1.0), max: None });
        let f = formulate(&problem);
        prop_assert_eq!(f.status, "infeasible");
        let members: Vec<usize> = f.infeasibility.as_ref().unwrap().conflicting.iter().map(|c| c.constraint).collect();
        prop_assert!(!members.is_empty());
        let only = |keep: &dyn Fn(usize) -> bool| {
            let mut p = problem.clone();
            p.constraints = problem.constraints.iter().enumerate().filter(|(c, k)| matches!(k, Constraint::Total { .. }) || keep(*c)).map(|(_, k)| k.clone()).collect();
            formulate(&p).status
        };
        prop_assert_eq!(only(&|c| members.contains(&c)), "infeasible");
        for dropped in &members {
            prop_assert_eq!(only(&|c| members.contains(&c) && c != *dropped), "optimal");
        }
        prop_assert!(f.infeasibility.as_ref().unwrap().complete, "small problems finish within the budget");
        for conflict in &f.infeasibility.as_ref().unwrap().conflicting {
            prop_assert!(!conflict.relax.is_empty(), "every member can be loosened");
        }
    }
}

#[test]
fn a_degenerate_problem_with_many_optima_gets_the_optimal_cost() {
    // Two identical feeds: any split is optimal; compare the cost, not the recipe.
    let text = r#"{"id":"twins","basis":"as_fed","ingredients":[
        {"id":"a","dm":90,"cost":300,"nutrient_basis":"as_fed","nutrients":{"CP":10}},
        {"id":"b","dm":90,"cost":300,"nutrient_basis":"as_fed","nutrients":{"CP":10}},
        {"id":"c","dm":90,"cost":900,"nutrient_basis":"as_fed","nutrients":{"CP":40}}],
        "constraints":[{"kind":"total","value":1},{"kind":"nutrient","nutrient":"CP","min":10,"max":10},
        {"kind":"group","ingredients":["a","b"],"min":1,"max":1}]}"#;
    let f = formulate(&parse(text).unwrap()[0]);
    assert_eq!(f.status, "optimal");
    assert!((f.objective.unwrap() - 300.0).abs() < 1e-9);
}

#[test]
fn a_large_infeasible_problem_is_diagnosed_within_its_budget() {
    let n: u32 = 120;
    let ingredients: Vec<Ingredient> = (0..n)
        .map(|j| Ingredient {
            id: format!("f{j}"),
            name: None,
            dm: 90.0,
            cost: 100.0 + f64::from(j),
            nutrient_basis: Basis::AsFed,
            nutrients: (0..n)
                .map(|k| (format!("n{k}"), f64::from((j * 7 + k * 13) % 50)))
                .collect(),
        })
        .collect();
    let mut constraints = vec![Constraint::Total { value: 1.0 }];
    constraints.extend((0..n).map(|k| Constraint::Nutrient {
        nutrient: format!("n{k}"),
        min: Some(10.0 + f64::from(k % 7)),
        max: Some(40.0),
    }));
    constraints.push(Constraint::Nutrient {
        nutrient: "n0".into(),
        min: Some(60.0),
        max: None,
    });
    let problem = Problem {
        id: "big".into(),
        basis: Basis::AsFed,
        ingredients,
        constraints,
        batch_kg: None,
        intake_kg_dm: None,
        table: std::sync::OnceLock::default(),
    };
    let started = std::time::Instant::now();
    let f = formulate(&problem);
    assert_eq!(f.status, "infeasible");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert!(!f.infeasibility.unwrap().conflicting.is_empty());
}
