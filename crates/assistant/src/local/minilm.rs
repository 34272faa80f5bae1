//! all-MiniLM-L6-v2 on candle: BERT over the WordPiece tokens, mean pooling over the tokens,
//! L2 normalisation — what sentence-transformers does, so the vectors are the ones the model
//! was trained to compare by cosine.

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{Tokenizer, TruncationParams};

use super::TextEmbedder;

/// sentence-transformers' `max_seq_length` for this model: longer text is cut.
const MAX_TOKENS: usize = 256;

pub struct MiniLm {
    model: BertModel,
    tokenizer: Tokenizer,
}

impl MiniLm {
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let config: Config =
            serde_json::from_slice(&std::fs::read(dir.join("config.json")).context("config.json")?)
                .context("config.json")?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| anyhow::anyhow!("tokenizer.json: {e}"))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| anyhow::anyhow!("tokenizer.json: {e}"))?;
        tokenizer.with_padding(None);
        let weights = std::fs::read(dir.join("model.safetensors")).context("model.safetensors")?;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)
            .context("model.safetensors")?;
        let model = BertModel::load(vb, &config).context("model.safetensors")?;
        Ok(Self { model, tokenizer })
    }

    fn vector(&self, text: &str) -> anyhow::Result<Vec<f32>> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| anyhow::anyhow!("tokenizing: {e}"))?;
        let ids = Tensor::new(encoding.get_ids(), &Device::Cpu)?.unsqueeze(0)?;
        let types = ids.zeros_like()?;
        let hidden = self.model.forward(&ids, &types, None)?;
        // One text, no padding: every token counts in the mean.
        let pooled = hidden.mean(1)?.squeeze(0)?;
        let norm = pooled.sqr()?.sum_all()?.sqrt()?.to_scalar::<f32>()?;
        let mut vector = pooled.to_vec1::<f32>()?;
        if norm > 0.0 {
            for x in &mut vector {
                *x /= norm;
            }
        }
        Ok(vector)
    }
}

impl TextEmbedder for MiniLm {
    fn embed(&self, text: &str) -> anyhow::Result<Vec<f32>> {
        self.vector(text)
    }
}

/// Loads the model and embeds two paraphrases and an unrelated sentence.
pub fn trial(dir: &Path) -> anyhow::Result<String> {
    let started = Instant::now();
    let model = MiniLm::load(dir)?;
    let loaded = started.elapsed();
    let started = Instant::now();
    let a = model.vector("How can I sleep better?")?;
    let took = started.elapsed();
    let b = model.vector("Tips for getting better sleep at night")?;
    let c = model.vector("What is the price of corn silage?")?;
    let cos = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(p, q)| p * q).sum::<f32>();
    Ok(format!(
        "{} dimensions; loaded in {} ms, one sentence in {} ms; paraphrase similarity {:.2}, unrelated {:.2}",
        a.len(),
        loaded.as_millis(),
        took.as_millis(),
        cos(&a, &b),
        cos(&a, &c),
    ))
}
