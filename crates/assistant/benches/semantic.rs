//! Semantic-cache lookups at 100,000 entries (the target: at most 2 ms): hashed n-gram
//! vectors of generated questions (512 dimensions), and dense unit vectors as a provider's
//! embeddings would be (384 like all-MiniLM-L6-v2, 1536 like OpenAI's small model). A miss
//! scans every entry; a hit also rescores its candidates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use std::time::{Duration, Instant};

use assistant::embed::{NGRAM_DIMS, fnv1a, ngram_vector, normalise, normalise_l2};
use assistant::semantic::{Cached, Index, Key, Scope};
use divan::Bencher;
use platform::accounts::UserId;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ENTRIES: usize = 100_000;
const WORDS: &[&str] = &[
    "sleep",
    "better",
    "night",
    "morning",
    "run",
    "walk",
    "eat",
    "protein",
    "stress",
    "weight",
    "lose",
    "gain",
    "muscle",
    "knee",
    "back",
    "pain",
    "coffee",
    "water",
    "diet",
    "vegan",
    "how",
    "can",
    "i",
    "should",
    "what",
    "when",
    "is",
    "it",
    "good",
    "to",
    "before",
    "after",
    "work",
    "잠",
    "운동",
    "식단",
    "스트레스",
    "체중",
    "아침",
    "저녁",
    "어떻게",
    "해야",
    "하나요",
    "좋은",
];

fn main() {
    divan::main();
}

fn question(rng: &mut StdRng) -> String {
    let n = rng.random_range(5..12);
    (0..n)
        .map(|_| WORDS[rng.random_range(0..WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

fn key(text: &str) -> Key {
    Key {
        scope: Scope::Shared,
        locale: 2,
        hash: fnv1a(normalise(text).as_bytes()),
    }
}

fn answer() -> Cached {
    Cached {
        text: "an answer".into(),
        provider: "p".into(),
        model: "m".into(),
    }
}

fn ngram_index() -> (Index, Vec<String>) {
    let mut rng = StdRng::seed_from_u64(7);
    let mut index = Index::new(NGRAM_DIMS, ENTRIES, Duration::from_secs(3600));
    let now = Instant::now();
    let mut texts = Vec::new();
    for _ in 0..ENTRIES {
        let text = question(&mut rng);
        index.insert(key(&text), &ngram_vector(&text), answer(), now);
        texts.push(text);
    }
    (index, texts)
}

fn dense(rng: &mut StdRng, dims: usize) -> Vec<f32> {
    let mut v: Vec<f32> = (0..dims).map(|_| rng.random_range(-1.0..1.0)).collect();
    normalise_l2(&mut v);
    v
}

#[divan::bench(sample_count = 200)]
fn ngram_512_miss(bencher: Bencher) {
    let (index, _) = ngram_index();
    let query = "what should i eat after a long marathon run in the rain";
    let vector = ngram_vector(query);
    let hash = key(query).hash;
    bencher
        .bench_local(|| index.lookup(UserId::from_raw(1), 2, hash, &vector, 0.9, Instant::now()));
}

#[divan::bench(sample_count = 200)]
fn ngram_512_paraphrase_hit(bencher: Bencher) {
    let (index, texts) = ngram_index();
    let query = format!("{} please", texts[ENTRIES / 2]);
    let vector = ngram_vector(&query);
    let hash = key(&query).hash;
    assert!(
        index
            .lookup(UserId::from_raw(1), 2, hash, &vector, 0.8, Instant::now())
            .is_some()
    );
    bencher
        .bench_local(|| index.lookup(UserId::from_raw(1), 2, hash, &vector, 0.8, Instant::now()));
}

#[divan::bench(args = [384, 1536], sample_count = 100)]
fn dense_miss(bencher: Bencher, dims: usize) {
    let mut rng = StdRng::seed_from_u64(11);
    let mut index = Index::new(dims, ENTRIES, Duration::from_secs(3600));
    let now = Instant::now();
    for i in 0..ENTRIES {
        let k = Key {
            scope: Scope::Shared,
            locale: 2,
            hash: i as u64,
        };
        index.insert(k, &dense(&mut rng, dims), answer(), now);
    }
    let query = dense(&mut rng, dims);
    bencher.bench_local(|| {
        index.lookup(
            UserId::from_raw(1),
            2,
            u64::MAX,
            &query,
            0.9,
            Instant::now(),
        )
    });
}
