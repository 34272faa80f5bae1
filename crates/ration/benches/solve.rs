//! Formulation speed on the problems `benches/ration_compare.py` generated (and solved with
//! PuLP+CBC and highspy): model build + solve + sensitivity per problem, file parsing excluded.
//! Before timing a size, every optimal cost is checked against HiGHS's to 1e-6 relative.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use divan::Bencher;
use ration::engine::problem::Problem;
use ration::engine::{formulate, parse};

const SIZES: &[&str] = &[
    "20x10", "20x30", "20x60", "50x10", "50x30", "50x60", "100x10", "100x30", "100x60", "200x10",
    "200x30", "200x60",
];

fn main() {
    divan::main();
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/ration-bench")
}

/// The problems of one size, after checking maru's optimal costs against the reference.
fn load(name: &str) -> Vec<Problem> {
    let path = dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run `python3 benches/ration_compare.py` first",
            path.display()
        )
    });
    let problems = parse(&text).unwrap();
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("reference.json")).unwrap())
            .unwrap();
    let expected = reference[name]["objectives"].as_array().unwrap();
    for (problem, want) in problems.iter().zip(expected) {
        let got = formulate(problem).objective.unwrap_or(f64::NAN);
        let want = want.as_f64().unwrap();
        assert!(
            (got - want).abs() <= 1e-6 * (1.0 + want.abs()),
            "{}: maru {got} vs HiGHS {want}",
            problem.id
        );
    }
    problems
}

#[divan::bench(args = SIZES, sample_count = 200)]
fn solve(bencher: Bencher, size: &str) {
    let problems = load(size);
    let next = AtomicUsize::new(0);
    bencher
        .with_inputs(|| &problems[next.fetch_add(1, Ordering::Relaxed) % problems.len()])
        .bench_refs(|problem| divan::black_box(formulate(problem)));
}

#[divan::bench(sample_count = 10)]
fn batch_of_1000_40x20(bencher: Bencher) {
    let problems = load("batch_40x20");
    bencher.bench(|| {
        for problem in &problems {
            divan::black_box(formulate(problem));
        }
    });
}
