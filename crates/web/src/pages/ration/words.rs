//! The solver's sensitivity in plain words: what one more step of a limit costs, and how far
//! to loosen a limit that makes the problem infeasible.

use serde::Deserialize;

use super::{nutrient, won};
use crate::i18n::Lang;

/// A limit the recipe sits on, with its shadow price.
#[derive(Debug, Deserialize)]
pub struct Binding {
    pub kind: String,
    pub label: String,
    pub side: String,
    pub shadow_price: f64,
}

/// One of the limits that cannot hold together, and how to loosen it.
#[derive(Debug, Deserialize)]
pub struct Conflict {
    pub kind: String,
    pub label: String,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub relax: Vec<Relax>,
}

#[derive(Debug, Deserialize)]
pub struct Relax {
    pub by: f64,
    pub side: String,
    pub to: f64,
}

/// A limit's name and the step in which people think of it: 1 %p of a percentage, 0.1 Mcal/kg
/// of energy, 1 %p of an ingredient's share, 0.1 of a ratio.
fn name_and_step(kind: &str, label: &str) -> (String, f64, String) {
    match kind {
        "nutrient" => {
            let code = label.strip_prefix("nutrient ").unwrap_or(label);
            let (name, unit) = nutrient(code);
            if unit == "%" {
                (name, 1.0, "1%p".to_owned())
            } else {
                (name, 0.1, format!("0.1 {unit}"))
            }
        }
        "inclusion" | "group" => {
            let name = label
                .strip_prefix("group ")
                .or_else(|| label.strip_prefix("inclusion "))
                .unwrap_or(label);
            (name.to_owned(), 0.01, "1%p".to_owned())
        }
        _ => (label.to_owned(), 0.1, "0.1".to_owned()),
    }
}

/// Money per kg, with a decimal when it is small: `₩3.2`, `₩57`.
fn per_kg(amount: f64) -> String {
    if amount.abs() < 10.0 {
        format!("₩{amount:.1}")
    } else {
        won(amount)
    }
}

/// "CP 최소 기준을 1%p 올리면 kg당 ₩3.2 더 들어요."
pub fn shadow_price(lang: Lang, binding: &Binding) -> String {
    let (name, step, step_text) = name_and_step(&binding.kind, &binding.label);
    let amount = per_kg(binding.shadow_price.abs() * step);
    match (lang, binding.side.as_str()) {
        (Lang::Ko, "max") => {
            format!("{name} 최대 기준을 {step_text} 올리면 kg당 {amount} 아낄 수 있어요.")
        }
        (Lang::Ko, _) => format!("{name} 최소 기준을 {step_text} 올리면 kg당 {amount} 더 들어요."),
        (Lang::En, "max") => {
            format!("Raising the {name} maximum by {step_text} saves {amount} per kg.")
        }
        (Lang::En, _) => {
            format!("Raising the {name} minimum by {step_text} costs {amount} more per kg.")
        }
    }
}

/// Trims a number for reading: `17.403`, `40`.
fn number(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// "CP (최소 40): 최소를 17.403(으)로 낮추면 (22.597 낮춤) 풀려요."
pub fn conflict(lang: Lang, conflict: &Conflict) -> String {
    let (name, ..) = name_and_step(&conflict.kind, &conflict.label);
    let limits = match (conflict.min, conflict.max) {
        (Some(min), Some(max)) => format!("{} – {}", number(min), number(max)),
        (Some(min), None) => format!("≥ {}", number(min)),
        (None, Some(max)) => format!("≤ {}", number(max)),
        (None, None) => String::new(),
    };
    let fixes: Vec<String> = conflict
        .relax
        .iter()
        .map(|r| match (lang, r.side.as_str()) {
            (Lang::Ko, "max") => format!("최대를 {}(으)로 올리면 풀려요", number(r.to)),
            (Lang::Ko, _) => format!("최소를 {}(으)로 낮추면 풀려요", number(r.to)),
            (Lang::En, "max") => format!(
                "raise the maximum to {} (by {})",
                number(r.to),
                number(r.by)
            ),
            (Lang::En, _) => format!(
                "lower the minimum to {} (by {})",
                number(r.to),
                number(r.by)
            ),
        })
        .collect();
    if fixes.is_empty() {
        format!("{name} {limits}")
    } else {
        format!("{name} {limits}: {}", fixes.join(" / "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percentage_limit_costs_per_percentage_point() {
        let binding = Binding {
            kind: "nutrient".into(),
            label: "nutrient cp".into(),
            side: "min".into(),
            shadow_price: 3.2,
        };
        assert_eq!(
            shadow_price(Lang::Ko, &binding),
            "CP 최소 기준을 1%p 올리면 kg당 ₩3.2 더 들어요."
        );
        assert_eq!(
            shadow_price(Lang::En, &binding),
            "Raising the CP minimum by 1%p costs ₩3.2 more per kg."
        );
    }

    #[test]
    fn energy_is_counted_in_tenths_and_a_maximum_saves() {
        let binding = Binding {
            kind: "nutrient".into(),
            label: "nutrient nem".into(),
            side: "max".into(),
            shadow_price: -567.1,
        };
        assert_eq!(
            shadow_price(Lang::Ko, &binding),
            "NEm 최대 기준을 0.1 Mcal/kg 올리면 kg당 ₩57 아낄 수 있어요."
        );
    }

    #[test]
    fn a_conflict_says_how_far_to_loosen() {
        let conflict_cp = Conflict {
            kind: "nutrient".into(),
            label: "nutrient cp".into(),
            min: Some(40.0),
            max: None,
            relax: vec![Relax {
                by: 22.597,
                side: "min".into(),
                to: 17.403,
            }],
        };
        assert_eq!(
            conflict(Lang::Ko, &conflict_cp),
            "CP ≥ 40: 최소를 17.403(으)로 낮추면 풀려요"
        );
    }
}
