//! Hand-built problems for each species whose answers are worked out independently, plus
//! finite-difference checks of every shadow price, reduced cost and cost range.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ration::engine::formulate::{Formulation, Side};
use ration::engine::problem::{Constraint, Problem};
use ration::engine::{formulate, parse};

fn problem(text: &str) -> Problem {
    parse(text).unwrap().remove(0)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

fn cost(p: &Problem) -> f64 {
    formulate(p).objective.unwrap()
}

/// Every binding constraint's shadow price equals the slope of the optimal cost when its limit
/// is moved a little (in the direction that keeps the same constraints binding).
fn shadow_prices_match_finite_differences(p: &Problem, f: &Formulation) {
    let base = f.objective.unwrap();
    for b in &f.binding {
        let h = 1e-6 * (1.0 + b.limit.abs());
        let mut moved = p.clone();
        let limits = match &mut moved.constraints[b.constraint] {
            Constraint::Nutrient { min, max, .. }
            | Constraint::Inclusion { min, max, .. }
            | Constraint::Group { min, max, .. }
            | Constraint::NutrientRatio { min, max, .. }
            | Constraint::IngredientRatio { min, max, .. } => (min, max),
            Constraint::Total { .. } => continue,
        };
        // Tighten the binding side by h: the cost moves by shadow_price × h.
        let signed = match b.side {
            Side::Min => {
                *limits.0 = Some(b.limit + h);
                h
            }
            Side::Max => {
                *limits.1 = Some(b.limit - h);
                -h
            }
        };
        let slope = (cost(&moved) - base) / signed;
        assert!(
            close(slope, b.shadow_price, 1e-4),
            "{}: slope {slope} vs shadow price {}",
            b.label,
            b.shadow_price
        );
    }
}

/// An unused ingredient enters just below its entering price, not just above it; a used one
/// keeps the recipe anywhere inside its cost range.
fn sensitivity_matches_resolves(p: &Problem, f: &Formulation) {
    for r in &f.reduced_costs {
        if r.entering_price_as_fed <= 0.0 {
            continue; // would not enter even free: no lower price to try
        }
        let j = p.ingredient_index(&r.ingredient).unwrap();
        let mut cheaper = p.clone();
        cheaper.ingredients[j].cost = r.entering_price_as_fed * 0.999;
        assert!(
            formulate(&cheaper).solution[&r.ingredient] > 1e-9,
            "{} should enter below {}",
            r.ingredient,
            r.entering_price_as_fed
        );
    }
    for range in &f.cost_ranging {
        let j = p.ingredient_index(&range.ingredient).unwrap();
        for price in [
            range.low.map(|l| l + (range.price_as_fed - l) * 0.01),
            range.high.map(|h| h - (h - range.price_as_fed) * 0.01),
        ]
        .into_iter()
        .flatten()
        {
            let mut repriced = p.clone();
            repriced.ingredients[j].cost = price;
            let again = formulate(&repriced);
            for (id, share) in &f.solution {
                assert!(
                    close(again.solution[id], *share, 1e-6),
                    "{} at price {price}: recipe changed for {id}",
                    range.ingredient
                );
            }
        }
    }
}

fn check_sensitivity(p: &Problem) -> Formulation {
    let f = formulate(p);
    assert_eq!(f.status, "optimal");
    shadow_prices_match_finite_differences(p, &f);
    sensitivity_matches_resolves(p, &f);
    f
}

#[test]
fn swine_grower_by_pearson_square() {
    // Corn 8.5 % CP and soybean meal 46.5 % CP (as fed) mixed to 16 % CP.
    let p = problem(
        r#"{"id":"swine-grower","basis":"as_fed","ingredients":[
        {"id":"corn","dm":88,"cost":350,"nutrient_basis":"as_fed","nutrients":{"CP":8.5}},
        {"id":"sbm","dm":89,"cost":700,"nutrient_basis":"as_fed","nutrients":{"CP":46.5}},
        {"id":"fishmeal","dm":92,"cost":2200,"nutrient_basis":"as_fed","nutrients":{"CP":62}}],
        "constraints":[{"kind":"total","value":1},{"kind":"nutrient","nutrient":"CP","min":16}]}"#,
    );
    let f = check_sensitivity(&p);
    let sbm = (16.0 - 8.5) / (46.5 - 8.5);
    assert!(close(f.solution["sbm"], sbm, 1e-9));
    assert!(close(f.solution["corn"], 1.0 - sbm, 1e-9));
    assert!(close(f.objective.unwrap(), 350.0 + 350.0 * sbm, 1e-9));
    assert!(
        close(f.binding[0].shadow_price, 350.0 / 38.0, 1e-9),
        "each % CP costs (700 − 350) / 38"
    );
    // Fish meal enters when its CP is cheaper than corn + SBM's: 350 + 53.5 × 350 / 38.
    assert!(close(
        f.reduced_costs[0].entering_price_as_fed,
        350.0 + 53.5 * 350.0 / 38.0,
        1e-9
    ));
}

#[test]
fn beef_finisher_on_dry_matter_with_a_forage_ratio() {
    // Corn (1.55 Mcal NEg/kg DM) and timothy hay (0.65); NEg ≥ 1.2 and hay:corn ≤ 0.5.
    let p = problem(
        r#"{"id":"beef-finisher","basis":"dm","intake_kg_dm":9.5,"ingredients":[
        {"id":"corn","dm":88,"cost":380,"nutrient_basis":"dm","nutrients":{"NEg":1.55,"CP":9}},
        {"id":"timothy","dm":89,"cost":250,"nutrient_basis":"dm","nutrients":{"NEg":0.65,"CP":10}}],
        "constraints":[{"kind":"total","value":1},{"kind":"nutrient","nutrient":"NEg","min":1.2},
        {"kind":"ingredient_ratio","numerator":["timothy"],"denominator":["corn"],"max":0.5}]}"#,
    );
    let f = check_sensitivity(&p);
    let (corn_dm, hay_dm) = (380.0 * 100.0 / 88.0, 250.0 * 100.0 / 89.0);
    assert!(
        close(f.solution["corn"], 2.0 / 3.0, 1e-9),
        "the ratio binds before the energy does"
    );
    assert!(close(
        f.objective.unwrap(),
        hay_dm + (corn_dm - hay_dm) * 2.0 / 3.0,
        1e-9
    ));
    assert_eq!(f.binding.len(), 1);
    assert_eq!(f.binding[0].kind, "ingredient_ratio");
    let cost = f.cost.as_ref().unwrap();
    assert!(close(
        cost.per_head_per_day.unwrap(),
        9.5 * cost.per_kg_dm,
        1e-12
    ));
    // The mixing sheet: DM shares 2:1 become as-fed weights by each feed's dry matter.
    let corn_line = f.recipe.iter().find(|l| l.ingredient == "corn").unwrap();
    let corn_as_fed = (2.0 / 3.0 / 0.88) / (2.0 / 3.0 / 0.88 + 1.0 / 3.0 / 0.89) * 1000.0;
    assert!(close(corn_line.kg_as_fed, corn_as_fed, 1e-9));
}

#[test]
fn dairy_ration_with_a_calcium_phosphorus_ratio() {
    // Alfalfa alone has Ca:P 6; Ca:P ≤ 4 forces corn in: 1.47a + 0.03 ≤ 1.2 − 0.2a.
    let p = problem(
        r#"{"id":"dairy","basis":"dm","ingredients":[
        {"id":"alfalfa","dm":90,"cost":300,"nutrient_basis":"dm","nutrients":{"CP":20,"Ca":1.5,"P":0.25}},
        {"id":"corn","dm":88,"cost":380,"nutrient_basis":"dm","nutrients":{"CP":9,"Ca":0.03,"P":0.3}}],
        "constraints":[{"kind":"nutrient","nutrient":"CP","min":16},
        {"kind":"nutrient_ratio","numerator":"Ca","denominator":"P","min":1.5,"max":4}]}"#,
    );
    let f = check_sensitivity(&p);
    let alfalfa = 1.17 / 1.67;
    assert!(close(f.solution["alfalfa"], alfalfa, 1e-9));
    let expected = 300.0 * 100.0 / 90.0 * alfalfa + 380.0 * 100.0 / 88.0 * (1.0 - alfalfa);
    assert!(close(f.objective.unwrap(), expected, 1e-9));
    assert_eq!(f.binding[0].label, "Ca:P");
    assert_eq!(f.binding[0].side, Side::Max);
    assert!(
        f.binding[0].shadow_price < 0.0,
        "a looser Ca:P cap saves money"
    );
}

#[test]
fn broiler_starter_with_an_oil_cap() {
    // CP ≥ 22 % and ME ≥ 3,050 kcal/kg bind; solve the 3×3 system directly.
    let p = problem(
        r#"{"id":"broiler","basis":"as_fed","ingredients":[
        {"id":"corn","dm":88,"cost":350,"nutrient_basis":"as_fed","nutrients":{"CP":8.5,"ME":3350}},
        {"id":"sbm","dm":89,"cost":700,"nutrient_basis":"as_fed","nutrients":{"CP":46,"ME":2450}},
        {"id":"oil","dm":99,"cost":1800,"nutrient_basis":"as_fed","nutrients":{"ME":8800}}],
        "constraints":[{"kind":"total","value":1},{"kind":"nutrient","nutrient":"CP","min":22},
        {"kind":"nutrient","nutrient":"ME","min":3050},{"kind":"inclusion","ingredient":"oil","max":0.05}]}"#,
    );
    let f = check_sensitivity(&p);
    let m = [[1.0, 1.0, 1.0], [8.5, 46.0, 0.0], [3350.0, 2450.0, 8800.0]];
    let b = [1.0, 22.0, 3050.0];
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let with_column = |k: usize| {
        let mut c = m;
        for (row, value) in c.iter_mut().zip(b) {
            row[k] = value;
        }
        det(c) / det(m)
    };
    for (k, id) in ["corn", "sbm", "oil"].iter().enumerate() {
        assert!(close(f.solution[*id], with_column(k), 1e-9), "{id}");
    }
    // With a 0.2 % oil cap, energy can only come from corn, which dilutes the protein: infeasible.
    let mut capped = p.clone();
    capped.constraints[3] = Constraint::Inclusion {
        ingredient: "oil".into(),
        min: None,
        max: Some(0.002),
    };
    let f = formulate(&capped);
    assert_eq!(f.status, "infeasible");
    let conflict = f.infeasibility.unwrap().conflicting;
    let labels: Vec<&str> = conflict.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["nutrient CP", "nutrient ME", "inclusion oil"]);
    let oil = &conflict[2].relax[0];
    assert_eq!(oil.side, Side::Max);
    assert!(
        close(oil.to, with_column(2), 1e-6),
        "the cap must rise to the oil the optimum needs"
    );
}

#[test]
fn unbounded_and_infeasible_files_are_reported_not_crashed() {
    let infeasible = problem(
        r#"{"id":"x","basis":"as_fed","ingredients":[{"id":"a","dm":90,"cost":1,"nutrient_basis":"as_fed","nutrients":{"CP":10}}],
        "constraints":[{"kind":"nutrient","nutrient":"CP","min":20}]}"#,
    );
    let f = formulate(&infeasible);
    assert_eq!(f.status, "infeasible");
    let relax = &f.infeasibility.unwrap().conflicting[0].relax[0];
    assert!(
        close(relax.to, 10.0, 1e-6),
        "CP min must fall to what the only feed has"
    );
}

#[test]
fn hanwoo_finisher_from_the_default_library_meets_its_nrc_requirements() {
    use ration::engine::library::library;
    use ration::engine::requirements::beef::diet_targets;
    use ration::engine::units::{Kg, McalPerKgDm};

    // A Hanwoo steer late in finishing, on the NRC equations (the Hanwoo standard is not
    // modelled): its daily needs become concentrations at its predicted intake.
    let t = diet_targets(Kg(550.0), Kg(0.9), Kg(700.0), McalPerKgDm(1.7)).unwrap();
    let prices = [
        ("corn_grain", 420.0),
        ("soybean_meal_48", 760.0),
        ("wheat_bran", 380.0),
        ("rice_bran", 400.0),
        ("ddgs", 480.0),
        ("grass_hay", 600.0),
        ("wheat_straw", 260.0),
        ("corn_silage", 150.0),
        ("limestone", 120.0),
        ("dicalcium_phosphate", 1000.0),
    ];
    let ingredients: Vec<_> = prices
        .iter()
        .map(|(code, price)| library().feed(code).unwrap().ingredient(*price))
        .collect();
    let text = serde_json::json!({
        "id": "hanwoo-finisher",
        "basis": "dm",
        "intake_kg_dm": t.intake.0,
        "ingredients": ingredients,
        "constraints": [
            {"kind": "total", "value": 1},
            {"kind": "nutrient", "nutrient": "nem", "min": t.nem.0},
            {"kind": "nutrient", "nutrient": "neg", "min": t.neg.0},
            {"kind": "nutrient", "nutrient": "cp", "min": 12.0},
            {"kind": "nutrient", "nutrient": "ca", "min": t.calcium_pct, "max": 1.0},
            {"kind": "nutrient", "nutrient": "p", "min": t.phosphorus_pct},
            {"kind": "nutrient", "nutrient": "ndf", "min": 28.0},
            {"kind": "group", "ingredients": ["grass_hay", "wheat_straw", "corn_silage"], "min": 0.15},
            {"kind": "nutrient_ratio", "numerator": "ca", "denominator": "p", "min": 1.5, "max": 3.0}
        ]
    })
    .to_string();
    let p = problem(&text);
    let f = check_sensitivity(&p);
    assert_eq!(f.status, "optimal");
    for line in &f.nutrients {
        if let Some(min) = line.min {
            assert!(
                line.supplied >= min - 1e-9,
                "{} {}",
                line.nutrient,
                line.supplied
            );
        }
    }
    let forage: f64 = ["grass_hay", "wheat_straw", "corn_silage"]
        .iter()
        .map(|c| f.solution[*c])
        .sum();
    assert!(forage >= 0.15 - 1e-9);
    assert!(f.cost.unwrap().per_head_per_day.unwrap() > 0.0);
    // Energy comes from grain, not from mineral filler.
    assert!(f.solution["corn_grain"] > 0.25, "{:?}", f.solution);
    assert!(f.solution["limestone"] < 0.03, "{:?}", f.solution);
}
