//! `maru ration solve FILE [--json]`.

use std::path::Path;

use anyhow::Context as _;
use ration::engine::report::render;
use ration::engine::{formulate, parse_file};

/// Solves every problem in `file`; a file that cannot be used is an error naming the place.
pub fn run(file: &Path, json: bool) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let parsed = parse_file(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let results: Vec<_> = parsed.problems.iter().map(formulate).collect();
    if json {
        let value = match results.as_slice() {
            [one] if !parsed.listed => serde_json::to_value(one)?,
            many => serde_json::json!({ "results": many }),
        };
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        for (i, result) in results.iter().enumerate() {
            if i > 0 {
                println!("\n{}", "-".repeat(72));
            }
            print!("{}", render(result));
        }
    }
    Ok(())
}
