//! Text to vectors for the semantic cache, without a model: a hashed bag of words and
//! character 2- and 3-grams (feature hashing with a sign bit), L2-normalised. Cosine similarity
//! of two such vectors measures how much wording two prompts share, so it catches rewordings
//! ("how can I sleep better" / "how do I sleep better at night") but not synonyms with no
//! common letters; a provider's embeddings endpoint does that, when one is configured.

/// Dimensions of the hashed vectors.
pub const NGRAM_DIMS: usize = 512;

/// Lowercase letters and digits (Hangul included), one space between words: the form prompts
/// are compared and hashed in.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// FNV-1a: a stable 64-bit hash (the same in every process, unlike std's).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The hashed n-gram vector of `text` (all zeros for text without letters or digits).
pub fn ngram_vector(text: &str) -> Vec<f32> {
    let mut v = vec![0f32; NGRAM_DIMS];
    let mut add = |feature: &str, weight: f32| {
        let h = fnv1a(feature.as_bytes());
        let index = (h % NGRAM_DIMS as u64) as usize;
        let sign = if h >> 63 == 0 { 1.0 } else { -1.0 };
        v[index] += sign * weight;
    };
    let normal = normalise(text);
    for word in normal.split(' ').filter(|w| !w.is_empty()) {
        add(word, 1.0);
        let chars: Vec<char> = std::iter::once('_')
            .chain(word.chars())
            .chain(std::iter::once('_'))
            .collect();
        for n in 2..=3 {
            for gram in chars.windows(n) {
                add(&gram.iter().collect::<String>(), 0.5);
            }
        }
    }
    normalise_l2(&mut v);
    v
}

/// Scales `v` to unit length (leaves a zero vector alone).
pub fn normalise_l2(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in v.iter_mut() {
            *x /= norm;
        }
    }
}

/// Cosine similarity of two unit vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewordings_are_close_and_other_topics_far() {
        let a = ngram_vector("How can I sleep better at night?");
        let b = ngram_vector("how can i sleep better at night");
        let c = ngram_vector("how do I sleep better at night?");
        let d = ngram_vector("What should I eat before running a marathon?");
        assert!((dot(&a, &b) - 1.0).abs() < 1e-5);
        assert!(dot(&a, &c) > 0.8, "{}", dot(&a, &c));
        assert!(dot(&a, &d) < 0.4, "{}", dot(&a, &d));
        let ko1 = ngram_vector("잠을 더 잘 자려면 어떻게 해야 하나요?");
        let ko2 = ngram_vector("잠을 더 잘 자려면 어떻게 해야 해요");
        let ko3 = ngram_vector("단백질은 하루에 얼마나 먹어야 하나요?");
        assert!(dot(&ko1, &ko2) > 0.8, "{}", dot(&ko1, &ko2));
        assert!(dot(&ko1, &ko3) < 0.5, "{}", dot(&ko1, &ko3));
    }

    #[test]
    fn normal_form_ignores_case_punctuation_and_spacing() {
        assert_eq!(normalise("  Hello,   WORLD!! 안녕? "), "hello world 안녕");
    }
}
