//! The intent router (seed Phase 4.2, "edge AI"): a small classifier trained at start-up from
//! the labelled Korean and English set shipped in `data/intents.tsv`. When it is confident
//! (above the configured threshold, 0.9 by default) the step is answered locally; otherwise it
//! escalates to the LLM gateway. Emergencies are found by the classifier *and* by a list of
//! phrases, and are never escalated: they always get the safety answer.
//!
//! The classifier is multinomial naive Bayes over character 1–3-grams and words: small, fast
//! to train (milliseconds), and good on short messages in a language without spaces between
//! every word. Its raw posteriors are overconfident, so scores are averaged per feature and
//! tempered before the softmax; the confidence is then usable as a threshold.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

/// The labelled examples, `intent<TAB>text` per line.
pub const SHIPPED: &str = include_str!("../data/intents.tsv");

/// Laplace smoothing of feature counts.
const ALPHA: f64 = 0.1;
/// Multiplies the mean log-likelihood per feature before the softmax.
const TEMPERATURE: f64 = 6.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Greeting,
    Thanks,
    LogVital,
    AskProgress,
    SetGoal,
    SmallTalk,
    HealthQuestion,
    OutOfScope,
    Emergency,
}

impl Intent {
    pub const ALL: [Self; 9] = [
        Self::Greeting,
        Self::Thanks,
        Self::LogVital,
        Self::AskProgress,
        Self::SetGoal,
        Self::SmallTalk,
        Self::HealthQuestion,
        Self::OutOfScope,
        Self::Emergency,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Greeting => "greeting",
            Self::Thanks => "thanks",
            Self::LogVital => "log_vital",
            Self::AskProgress => "ask_progress",
            Self::SetGoal => "set_goal",
            Self::SmallTalk => "small_talk",
            Self::HealthQuestion => "health_question",
            Self::OutOfScope => "out_of_scope",
            Self::Emergency => "emergency",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.name() == name)
    }

    /// Whether a confident classification may be answered without a model. Health questions
    /// need one (or the offline coach standing in for it).
    pub fn answered_locally(self) -> bool {
        !matches!(self, Self::HealthQuestion)
    }
}

/// Phrases that make a message an emergency whatever the classifier says.
const EMERGENCY_PHRASES: &[&str] = &[
    "가슴이 아파",
    "가슴이 너무 아파",
    "가슴 통증",
    "숨을 못 쉬",
    "숨이 안 쉬어",
    "죽고 싶",
    "자살",
    "자해",
    "살고 싶지 않",
    "끝내고 싶",
    "심장마비",
    "의식을 잃",
    "마비됐",
    "약을 너무 많이",
    "chest pain",
    "can't breathe",
    "cannot breathe",
    "kill myself",
    "suicide",
    "suicidal",
    "hurt myself",
    "self-harm",
    "self harm",
    "end my life",
    "end it all",
    "heart attack",
    "don't want to live",
    "overdose",
    "too many pills",
];

/// What the router decided for one message.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Classification {
    pub intent: Intent,
    /// The classifier's probability for `intent`, 0 to 1 (1 for a matched emergency phrase).
    pub confidence: f64,
}

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Route {
    /// The safety answer, always.
    Emergency,
    /// A confident, locally answerable intent.
    Local(Intent),
    /// To the LLM gateway.
    Escalate,
}

/// A trained classifier and its threshold.
#[derive(Debug, Clone)]
pub struct Router {
    priors: Vec<f64>,
    /// Log-probability of each feature per intent, and the log-probability of an unseen one.
    likelihoods: Vec<(HashMap<String, f64>, f64)>,
    intents: Vec<Intent>,
    threshold: f64,
}

impl Router {
    /// Trained on the shipped set.
    pub fn shipped(threshold: f64) -> Self {
        Self::train(&examples(SHIPPED), threshold)
    }

    pub fn train(examples: &[(Intent, String)], threshold: f64) -> Self {
        let mut counts: HashMap<Intent, (usize, HashMap<String, f64>)> = HashMap::new();
        let mut vocabulary = std::collections::HashSet::new();
        for (intent, text) in examples {
            let entry = counts.entry(*intent).or_default();
            entry.0 += 1;
            for feature in features(text) {
                *entry.1.entry(feature.clone()).or_default() += 1.0;
                vocabulary.insert(feature);
            }
        }
        let mut intents: Vec<Intent> = counts.keys().copied().collect();
        intents.sort();
        let total = examples.len().max(1) as f64;
        let v = vocabulary.len() as f64;
        let mut priors = Vec::new();
        let mut likelihoods = Vec::new();
        for intent in &intents {
            let (n, features) = &counts[intent];
            priors.push((*n as f64 / total).ln());
            let sum: f64 = features.values().sum();
            let denominator = sum + ALPHA * v;
            let logs = features
                .iter()
                .map(|(f, c)| (f.clone(), ((c + ALPHA) / denominator).ln()))
                .collect();
            likelihoods.push((logs, (ALPHA / denominator).ln()));
        }
        Self {
            priors,
            likelihoods,
            intents,
            threshold,
        }
    }

    /// The most likely intent and its probability.
    pub fn classify(&self, text: &str) -> Classification {
        let features = features(text);
        let n = features.len().max(1) as f64;
        let scores: Vec<f64> = self
            .likelihoods
            .iter()
            .zip(&self.priors)
            .map(|((logs, unseen), prior)| {
                let sum: f64 = features
                    .iter()
                    .map(|f| logs.get(f).copied().unwrap_or(*unseen))
                    .sum();
                prior / n + TEMPERATURE * sum / n
            })
            .collect();
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exps: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
        let z: f64 = exps.iter().sum();
        let (best, p) = exps
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or((0, 0.0), |(i, e)| (i, e / z));
        Classification {
            intent: self.intents.get(best).copied().unwrap_or(Intent::SmallTalk),
            confidence: p,
        }
    }

    /// The classification and the route it implies.
    pub fn route(&self, text: &str) -> (Classification, Route) {
        let lower = text.to_lowercase();
        if EMERGENCY_PHRASES.iter().any(|p| lower.contains(p)) {
            let c = Classification {
                intent: Intent::Emergency,
                confidence: 1.0,
            };
            return (c, Route::Emergency);
        }
        let c = self.classify(text);
        let route = match c.intent {
            // A classifier that leans towards an emergency is enough: a false alarm costs a
            // kind message with phone numbers, a miss could cost far more.
            Intent::Emergency if c.confidence >= 0.5 => Route::Emergency,
            intent if intent.answered_locally() && c.confidence > self.threshold => {
                Route::Local(intent)
            }
            _ => Route::Escalate,
        };
        (c, route)
    }
}

/// One labelled example.
pub type Example = (Intent, String);

/// Parses `intent<TAB>text` lines (comments and blank lines skipped; unknown intents too).
pub fn examples(tsv: &str) -> Vec<(Intent, String)> {
    tsv.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (intent, text) = l.split_once('\t')?;
            Some((Intent::parse(intent.trim())?, text.trim().to_owned()))
        })
        .collect()
}

/// The shipped set split for evaluation: every fifth example of each intent is held out.
pub fn split(examples: &[Example]) -> (Vec<Example>, Vec<Example>) {
    let mut seen: HashMap<Intent, usize> = HashMap::new();
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for example in examples {
        let n = seen.entry(example.0).or_default();
        *n += 1;
        if (*n).is_multiple_of(5) {
            test.push(example.clone());
        } else {
            train.push(example.clone());
        }
    }
    (train, test)
}

/// Lowercased words (punctuation dropped) and the character 1–3-grams of each word, padded
/// with spaces so beginnings and endings count.
fn features(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    for word in lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
    {
        out.push(format!("w:{word}"));
        let chars: Vec<char> = std::iter::once(' ')
            .chain(word.chars())
            .chain(std::iter::once(' '))
            .collect();
        for n in 2..=3 {
            for gram in chars.windows(n) {
                out.push(gram.iter().collect());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_out_accuracy_is_high() {
        let all = examples(SHIPPED);
        assert!(all.len() > 200, "{} examples", all.len());
        let (train, test) = split(&all);
        let router = Router::train(&train, 0.9);
        let correct = test
            .iter()
            .filter(|(intent, text)| router.classify(text).intent == *intent)
            .count();
        let accuracy = correct as f64 / test.len() as f64;
        let local: Vec<_> = test
            .iter()
            .filter(|(_, text)| matches!(router.route(text).1, Route::Local(_)))
            .collect();
        let local_correct = local
            .iter()
            .filter(|(intent, text)| router.classify(text).intent == *intent)
            .count();
        println!(
            "held-out accuracy {accuracy:.3} ({correct}/{}); answered locally {}, of which correct {local_correct}",
            test.len(),
            local.len()
        );
        assert!(accuracy >= 0.7, "accuracy {accuracy}");
        assert!(
            local_correct * 100 >= local.len() * 95,
            "confident answers must be right: {local_correct} of {}",
            local.len()
        );
    }

    #[test]
    fn emergencies_always_route_to_the_safety_answer() {
        let router = Router::shipped(0.9);
        for text in [
            "가슴이 아파요 숨쉬기 힘들어요",
            "요즘 너무 힘들어서 죽고 싶다는 생각이 들어요",
            "I have chest pain right now",
            "I keep thinking about suicide",
            "i want to hurt myself tonight",
        ] {
            assert_eq!(router.route(text).1, Route::Emergency, "{text}");
        }
    }

    #[test]
    fn greetings_are_answered_locally_and_questions_escalate() {
        let router = Router::shipped(0.9);
        assert_eq!(
            router.route("안녕하세요!").1,
            Route::Local(Intent::Greeting)
        );
        assert_eq!(
            router
                .route("What is the best way to improve my sleep quality?")
                .1,
            Route::Escalate
        );
    }
}
