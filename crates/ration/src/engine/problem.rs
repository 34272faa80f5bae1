//! The problem file: what a nutritionist writes, parsed and checked before any solving.
//! The format is documented in `docs/ration-format.md`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

/// Whether amounts are per kg of dry matter or per kg as fed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Dm,
    AsFed,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ingredient {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Dry matter, % of as-fed weight.
    pub dm: f64,
    /// Price per kg as fed.
    pub cost: f64,
    pub nutrient_basis: Basis,
    /// Nutrient name → value on `nutrient_basis`; a missing nutrient is 0.
    #[serde(default)]
    pub nutrients: BTreeMap<String, f64>,
}

impl Ingredient {
    /// Cost of one kg of this ingredient on `basis`.
    pub fn cost_on(&self, basis: Basis) -> f64 {
        match basis {
            Basis::AsFed => self.cost,
            Basis::Dm => self.cost * 100.0 / self.dm,
        }
    }

    /// The nutrient's value per kg of this ingredient on `basis`.
    pub fn nutrient_on(&self, nutrient: &str, basis: Basis) -> f64 {
        let value = self.nutrients.get(nutrient).copied().unwrap_or(0.0);
        match (self.nutrient_basis, basis) {
            (from, to) if from == to => value,
            (Basis::Dm, Basis::AsFed) => value * self.dm / 100.0,
            (Basis::AsFed, Basis::Dm) => value * 100.0 / self.dm,
            _ => value,
        }
    }
}

/// A limit; `min`/`max` may be absent or null for "no limit".
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Constraint {
    /// The mix weighs this much on the problem's basis (1 when no total is given).
    Total { value: f64 },
    /// Nutrient concentration of the mix, per kg on the problem's basis.
    Nutrient {
        nutrient: String,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
    /// Share of one ingredient in the mix (0-1).
    Inclusion {
        ingredient: String,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
    /// Share of a group of ingredients together (0-1).
    Group {
        #[serde(default)]
        name: Option<String>,
        ingredients: Vec<String>,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
    /// Ratio of two nutrients in the mix (e.g. Ca:P).
    NutrientRatio {
        numerator: String,
        denominator: String,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
    /// Ratio of two groups of ingredients (e.g. forage:concentrate).
    IngredientRatio {
        numerator: Vec<String>,
        denominator: Vec<String>,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
}

impl Constraint {
    pub fn limits(&self) -> Limits {
        match self {
            Self::Total { value } => Limits {
                min: Some(*value),
                max: Some(*value),
            },
            Self::Nutrient { min, max, .. }
            | Self::Inclusion { min, max, .. }
            | Self::Group { min, max, .. }
            | Self::NutrientRatio { min, max, .. }
            | Self::IngredientRatio { min, max, .. } => Limits {
                min: *min,
                max: *max,
            },
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Total { .. } => "total",
            Self::Nutrient { .. } => "nutrient",
            Self::Inclusion { .. } => "inclusion",
            Self::Group { .. } => "group",
            Self::NutrientRatio { .. } => "nutrient_ratio",
            Self::IngredientRatio { .. } => "ingredient_ratio",
        }
    }

    /// A short human label: `nutrient CP`, `inclusion urea`, `Ca:P`, ...
    pub fn label(&self) -> String {
        match self {
            Self::Total { .. } => "total".to_owned(),
            Self::Nutrient { nutrient, .. } => format!("nutrient {nutrient}"),
            Self::Inclusion { ingredient, .. } => format!("inclusion {ingredient}"),
            Self::Group {
                name: Some(name), ..
            } => format!("group {name}"),
            Self::Group { ingredients, .. } => format!("group {}", ingredients.join("+")),
            Self::NutrientRatio {
                numerator,
                denominator,
                ..
            } => format!("{numerator}:{denominator}"),
            Self::IngredientRatio {
                numerator,
                denominator,
                ..
            } => format!("{}:{}", numerator.join("+"), denominator.join("+")),
        }
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    pub id: String,
    pub basis: Basis,
    pub ingredients: Vec<Ingredient>,
    #[serde(default)]
    pub constraints: Vec<Constraint>,
    /// Batch size for the mixing sheet, kg as fed (default 1,000).
    #[serde(default)]
    pub batch_kg: Option<f64>,
    /// Dry-matter intake per head per day, kg, for the cost per head.
    #[serde(default)]
    pub intake_kg_dm: Option<f64>,
    /// Every nutrient value on the problem's basis, by name, built once (at parse time or on
    /// first use). Prices and constraints may change afterwards; ingredients' nutrients, dry
    /// matter and the basis may not, or the table goes stale.
    #[serde(skip)]
    pub table: OnceLock<NutrientTable>,
}

/// Nutrient name → value per kg of each ingredient on the problem's basis.
#[derive(Debug, Clone, Default)]
pub struct NutrientTable(HashMap<String, Vec<f64>>);

impl NutrientTable {
    /// The values of `nutrient` per ingredient (zeros when no ingredient has it).
    pub fn values(&self, nutrient: &str) -> Option<&[f64]> {
        self.0.get(nutrient).map(Vec::as_slice)
    }
}

impl Problem {
    /// The dense nutrient table (see [`Problem::table`]).
    pub fn nutrient_table(&self) -> &NutrientTable {
        self.table.get_or_init(|| {
            let mut table: HashMap<String, Vec<f64>> = HashMap::new();
            let n = self.ingredients.len();
            for (j, ingredient) in self.ingredients.iter().enumerate() {
                for name in ingredient.nutrients.keys() {
                    let values = table.entry(name.clone()).or_insert_with(|| vec![0.0; n]);
                    values[j] = ingredient.nutrient_on(name, self.basis);
                }
            }
            NutrientTable(table)
        })
    }

    /// The mix's total on its basis: the `total` constraint's value, else 1.
    pub fn total(&self) -> f64 {
        self.constraints
            .iter()
            .find_map(|c| {
                if let Constraint::Total { value } = c {
                    Some(*value)
                } else {
                    None
                }
            })
            .unwrap_or(1.0)
    }

    pub fn ingredient_index(&self, id: &str) -> Option<usize> {
        self.ingredients.iter().position(|i| i.id == id)
    }
}

/// A problem file that cannot be used, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct ProblemError {
    /// A path into the file, e.g. `problems[0].constraints[3].max`.
    pub place: String,
    pub message: String,
}

fn err(place: impl Into<String>, message: impl Into<String>) -> ProblemError {
    ProblemError {
        place: place.into(),
        message: message.into(),
    }
}

/// A parsed problem file: its problems, and whether they came as a `{"problems": [...]}` list
/// (answers mirror the shape: one object, or a list).
#[derive(Debug, Clone)]
pub struct ProblemFile {
    pub problems: Vec<Problem>,
    pub listed: bool,
}

/// Parses a file holding one problem or `{"problems": [...]}`, and checks every problem.
pub fn parse(text: &str) -> Result<Vec<Problem>, ProblemError> {
    parse_file(text).map(|file| file.problems)
}

/// Like [`parse`], keeping the file's shape.
pub fn parse_file(text: &str) -> Result<ProblemFile, ProblemError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        err(
            format!("line {} column {}", e.line(), e.column()),
            e.to_string(),
        )
    })?;
    let (problems, prefix): (Vec<serde_json::Value>, &str) = match value {
        serde_json::Value::Object(mut map) if map.contains_key("problems") => {
            match map.remove("problems") {
                Some(serde_json::Value::Array(list)) => (list, "problems"),
                _ => return Err(err("problems", "must be an array of problems")),
            }
        }
        other => (vec![other], ""),
    };
    let listed = !prefix.is_empty();
    let problems = problems
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let place = if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}[{i}]")
            };
            let problem: Problem = serde_path_to_error::deserialize(value).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner().to_string();
                err(join(&place, if path == "." { "" } else { &path }), inner)
            })?;
            validate(&problem, &place)?;
            problem.nutrient_table();
            Ok(problem)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ProblemFile { problems, listed })
}

fn join(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, true) => "file".to_owned(),
        (true, false) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{path}"),
    }
}

/// Checks what serde cannot: ranges, references, consistency.
pub fn validate(problem: &Problem, place: &str) -> Result<(), ProblemError> {
    let at = |path: String| join(place, &path);
    if problem.ingredients.is_empty() {
        return Err(err(
            at("ingredients".into()),
            "at least one ingredient is needed",
        ));
    }
    let mut seen = HashSet::new();
    for (i, ing) in problem.ingredients.iter().enumerate() {
        let here = |field: &str| at(format!("ingredients[{i}].{field}"));
        if ing.id.trim().is_empty() {
            return Err(err(here("id"), "must not be empty"));
        }
        if !seen.insert(ing.id.as_str()) {
            return Err(err(here("id"), format!("`{}` appears twice", ing.id)));
        }
        if !(ing.dm > 0.0 && ing.dm <= 100.0) {
            return Err(err(
                here("dm"),
                "must be a percentage above 0 and at most 100",
            ));
        }
        if !(ing.cost.is_finite() && ing.cost >= 0.0) {
            return Err(err(here("cost"), "must be a price of 0 or more"));
        }
        if let Some((name, _)) = ing.nutrients.iter().find(|(_, v)| !v.is_finite()) {
            return Err(err(
                here(&format!("nutrients.{name}")),
                "must be a finite number",
            ));
        }
    }
    let mut total = None;
    for (c, constraint) in problem.constraints.iter().enumerate() {
        let here = |field: &str| at(format!("constraints[{c}]{field}"));
        let limits = constraint.limits();
        for (value, field) in [(limits.min, ".min"), (limits.max, ".max")] {
            if value.is_some_and(|v| !v.is_finite()) {
                return Err(err(here(field), "must be a finite number or null"));
            }
        }
        if let (Some(min), Some(max)) = (limits.min, limits.max)
            && min > max
        {
            return Err(err(
                here(""),
                format!("min {min} is greater than max {max}"),
            ));
        }
        let known = |id: &str, field: &str| {
            if problem.ingredient_index(id).is_some() {
                Ok(())
            } else {
                Err(err(here(field), format!("no ingredient `{id}`")))
            }
        };
        match constraint {
            Constraint::Total { value } => {
                if !(value.is_finite() && *value > 0.0) {
                    return Err(err(here(".value"), "must be above 0"));
                }
                if total.is_some_and(|t: f64| (t - value).abs() > f64::EPSILON * t.abs().max(1.0)) {
                    return Err(err(here(".value"), "conflicts with an earlier total"));
                }
                total = Some(*value);
            }
            Constraint::Inclusion { ingredient, .. } => known(ingredient, ".ingredient")?,
            Constraint::Group { ingredients, .. } => {
                if ingredients.is_empty() {
                    return Err(err(
                        here(".ingredients"),
                        "must name at least one ingredient",
                    ));
                }
                for (k, id) in ingredients.iter().enumerate() {
                    known(id, &format!(".ingredients[{k}]"))?;
                }
            }
            Constraint::IngredientRatio {
                numerator,
                denominator,
                ..
            } => {
                for (list, field) in [(numerator, ".numerator"), (denominator, ".denominator")] {
                    if list.is_empty() {
                        return Err(err(here(field), "must name at least one ingredient"));
                    }
                    for (k, id) in list.iter().enumerate() {
                        known(id, &format!("{field}[{k}]"))?;
                    }
                }
            }
            Constraint::Nutrient { .. } | Constraint::NutrientRatio { .. } => {}
        }
    }
    for (value, field) in [
        (problem.batch_kg, "batch_kg"),
        (problem.intake_kg_dm, "intake_kg_dm"),
    ] {
        if value.is_some_and(|v| !(v.is_finite() && v > 0.0)) {
            return Err(err(at(field.into()), "must be above 0"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"id":"p","basis":"dm","ingredients":[
        {"id":"corn","dm":88,"cost":400,"nutrient_basis":"as_fed","nutrients":{"CP":8}},
        {"id":"sbm","dm":89,"cost":700,"nutrient_basis":"dm","nutrients":{"CP":49}}],
        "constraints":[{"kind":"total","value":1},{"kind":"nutrient","nutrient":"CP","min":16,"max":null}]}"#;

    #[test]
    fn reads_one_problem_or_many() {
        assert_eq!(parse(GOOD).map(|p| p.len()), Ok(1));
        assert_eq!(
            parse(&format!("{{\"problems\":[{GOOD},{GOOD}]}}")).map(|p| p.len()),
            Ok(2)
        );
    }

    #[test]
    fn converts_between_bases() {
        let problems = parse(GOOD).unwrap_or_default();
        let corn = &problems[0].ingredients[0];
        assert!((corn.nutrient_on("CP", Basis::Dm) - 8.0 * 100.0 / 88.0).abs() < 1e-12);
        assert!((corn.cost_on(Basis::Dm) - 400.0 * 100.0 / 88.0).abs() < 1e-9);
        assert!(
            corn.nutrient_on("Lys", Basis::Dm).abs() < f64::EPSILON,
            "missing nutrients are zero"
        );
    }

    fn place_of(text: &str) -> String {
        parse(text).err().map(|e| e.place).unwrap_or_default()
    }

    #[test]
    fn bad_files_name_the_place() {
        let unknown_kind = GOOD.replace(r#""kind":"nutrient""#, r#""kind":"vitamin""#);
        assert_eq!(place_of(&unknown_kind), "constraints[1].kind");
        let missing_ref = GOOD.replace(
            r#"{"kind":"total","value":1}"#,
            r#"{"kind":"inclusion","ingredient":"oats","max":0.2}"#,
        );
        assert_eq!(place_of(&missing_ref), "constraints[0].ingredient");
        let min_over_max = GOOD.replace(r#""min":16,"max":null"#, r#""min":16,"max":12"#);
        assert_eq!(place_of(&min_over_max), "constraints[1]");
        let negative_dm = GOOD.replace(r#""dm":88"#, r#""dm":-5"#);
        assert_eq!(place_of(&negative_dm), "ingredients[0].dm");
        let nan = GOOD.replace(r#""cost":400"#, r#""cost":"NaN""#);
        assert_eq!(place_of(&nan), "ingredients[0].cost");
        let many = format!(
            "{{\"problems\":[{GOOD},{}]}}",
            GOOD.replace(r#""dm":89"#, r#""dm":0"#)
        );
        assert_eq!(place_of(&many), "problems[1].ingredients[1].dm");
        assert!(place_of("{not json").starts_with("line 1"));
    }
}
