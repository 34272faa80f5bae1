//! The formulation as a table for people (the CLI's default output).

use std::fmt::Write;

use super::formulate::{Formulation, Side};
use super::problem::Basis;

fn limit(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.4}"))
}

/// Renders `f` as plain text tables.
pub fn render(f: &Formulation) -> String {
    let mut out = String::new();
    let basis = match f.basis {
        Basis::Dm => "dry matter",
        Basis::AsFed => "as fed",
    };
    let _ = writeln!(
        out,
        "problem {}: {} (amounts per kg {basis})",
        f.id, f.status
    );
    if let Some(cost) = &f.cost {
        let _ = writeln!(
            out,
            "\ncost per kg: {:.4} (problem basis), {:.4} as fed, {:.4} DM",
            cost.per_kg, cost.per_kg_as_fed, cost.per_kg_dm
        );
        let _ = writeln!(
            out,
            "batch of {:.0} kg as fed: {:.2}",
            cost.batch_kg_as_fed, cost.per_batch
        );
        if let Some(head) = cost.per_head_per_day {
            let _ = writeln!(out, "per head per day: {head:.2}");
        }
        let _ = writeln!(
            out,
            "\n{:<24} {:>9} {:>12} {:>10} {:>9}",
            "ingredient", "fraction", "kg as fed", "kg DM", "cost %"
        );
        for line in &f.recipe {
            let _ = writeln!(
                out,
                "{:<24} {:>9.4} {:>12.2} {:>10.2} {:>8.1}%",
                line.ingredient,
                line.fraction,
                line.kg_as_fed,
                line.kg_dm,
                line.cost_share * 100.0
            );
        }
    }
    if !f.nutrients.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<16} {:>12} {:>12} {:>12}",
            "nutrient", "supplied", "min", "max"
        );
        for n in &f.nutrients {
            let _ = writeln!(
                out,
                "{:<16} {:>12.4} {:>12} {:>12}",
                n.nutrient,
                n.supplied,
                limit(n.min),
                limit(n.max)
            );
        }
    }
    if !f.binding.is_empty() {
        let _ = writeln!(
            out,
            "\nbinding constraints (cost per kg for one more unit of the limit):"
        );
        for b in &f.binding {
            let side = if b.side == Side::Min { "min" } else { "max" };
            let _ = writeln!(
                out,
                "  #{:<3} {:<28} {} {:>10.4}  shadow price {:+.6}",
                b.constraint, b.label, side, b.limit, b.shadow_price
            );
        }
    }
    if !f.reduced_costs.is_empty() {
        let _ = writeln!(
            out,
            "\nunused ingredients (enter the ration at or below this price per kg as fed):"
        );
        for r in &f.reduced_costs {
            let _ = writeln!(
                out,
                "  {:<24} reduced cost {:>10.4}  enters at {:.4}",
                r.ingredient, r.reduced_cost, r.entering_price_as_fed
            );
        }
    }
    if !f.cost_ranging.is_empty() {
        let _ = writeln!(
            out,
            "\nprice ranges keeping this recipe optimal (per kg as fed):"
        );
        for r in &f.cost_ranging {
            let _ = writeln!(
                out,
                "  {:<24} {:>10.4} in [{}, {}]",
                r.ingredient,
                r.price_as_fed,
                limit(r.low),
                limit(r.high)
            );
        }
    }
    if let Some(diagnosis) = &f.infeasibility {
        let _ = writeln!(
            out,
            "\nthese constraints cannot all hold (dropping any one of them resolves it):"
        );
        for c in &diagnosis.conflicting {
            let _ = write!(
                out,
                "  #{:<3} {:<28} min {} max {}",
                c.constraint,
                c.label,
                limit(c.min),
                limit(c.max)
            );
            for r in &c.relax {
                let side = if r.side == Side::Min {
                    "lower min"
                } else {
                    "raise max"
                };
                let _ = write!(out, "; {side} by {:.4} (to {:.4})", r.by, r.to);
            }
            out.push('\n');
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A printable HTML page: recipe and mixing sheet, costs, nutrients, binding constraints.
pub fn html(f: &Formulation, title: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"ko\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:sans-serif;margin:2em;color:#111}}table{{border-collapse:collapse;margin:1em 0}}\
         th,td{{border:1px solid #999;padding:.3em .6em;text-align:right}}th:first-child,td:first-child{{text-align:left}}\
         @media print{{body{{margin:0}}}}</style></head><body><h1>{}</h1><p>status: {}</p>",
        escape(title),
        escape(title),
        escape(f.status)
    );
    if let Some(cost) = &f.cost {
        let _ = write!(
            out,
            "<p>cost per kg: {:.2} (problem basis), {:.2} as fed, {:.2} DM; batch of {:.0} kg as fed: {:.2}</p>",
            cost.per_kg, cost.per_kg_as_fed, cost.per_kg_dm, cost.batch_kg_as_fed, cost.per_batch
        );
        out.push_str("<h2>Mixing sheet</h2><table><tr><th>ingredient</th><th>fraction</th><th>kg as fed</th><th>kg DM</th><th>cost %</th></tr>");
        for line in &f.recipe {
            let name = line.name.as_deref().unwrap_or(&line.ingredient);
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{:.4}</td><td>{:.2}</td><td>{:.2}</td><td>{:.1}</td></tr>",
                escape(name),
                line.fraction,
                line.kg_as_fed,
                line.kg_dm,
                line.cost_share * 100.0
            );
        }
        out.push_str("</table>");
    }
    if !f.nutrients.is_empty() {
        out.push_str("<h2>Nutrients</h2><table><tr><th>nutrient</th><th>supplied</th><th>min</th><th>max</th></tr>");
        for n in &f.nutrients {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{:.4}</td><td>{}</td><td>{}</td></tr>",
                escape(&n.nutrient),
                n.supplied,
                limit(n.min),
                limit(n.max)
            );
        }
        out.push_str("</table>");
    }
    if !f.binding.is_empty() {
        out.push_str("<h2>Binding constraints</h2><table><tr><th>constraint</th><th>limit</th><th>cost of one more unit, per kg</th></tr>");
        for b in &f.binding {
            let side = if b.side == Side::Min { "min" } else { "max" };
            let _ = write!(
                out,
                "<tr><td>{} ({side})</td><td>{:.4}</td><td>{:+.4}</td></tr>",
                escape(&b.label),
                b.limit,
                b.shadow_price
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</body></html>");
    out
}

/// The mixing sheet and nutrient table as CSV (RFC 4180).
pub fn csv(f: &Formulation) -> String {
    let field = |text: &str| {
        if text.contains([',', '"', '\n']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    };
    let mut out = String::from("section,item,fraction,kg_as_fed,kg_dm,supplied,min,max\r\n");
    for line in &f.recipe {
        let _ = write!(
            out,
            "recipe,{},{},{},{},,,\r\n",
            field(&line.ingredient),
            line.fraction,
            line.kg_as_fed,
            line.kg_dm
        );
    }
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for n in &f.nutrients {
        let _ = write!(
            out,
            "nutrient,{},,,,{},{},{}\r\n",
            field(&n.nutrient),
            n.supplied,
            opt(n.min),
            opt(n.max)
        );
    }
    out
}
