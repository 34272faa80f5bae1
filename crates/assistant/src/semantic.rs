//! The semantic cache (seed Phase 4.1): earlier answers found by the exact normalised prompt,
//! or by a prompt whose embedding is close enough (cosine similarity at or above a threshold).
//!
//! Entries live in a fixed-size ring (the oldest is replaced when full) and expire after a time
//! to live. Each carries a scope: answers to prompts without personal data are `Shared`, the
//! others belong to one user and are never returned to anyone else. Lookups scan compact sign
//! codes of the vectors (one bit per dimension, compared by popcount) to pick a few candidates,
//! then rank those by exact cosine: at 100,000 entries a lookup reads about 6 MB of codes
//! instead of 200 MB of floats.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use platform::accounts::UserId;

use crate::embed::dot;

/// Candidates rescored exactly after the popcount scan.
const CANDIDATES: usize = 64;
/// The locale of a forgotten slot: no lookup asks for it.
const DEAD: u8 = u8::MAX;

/// Who may be given an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Shared,
    User(UserId),
}

impl Scope {
    fn raw(self) -> i64 {
        match self {
            Self::Shared => 0,
            Self::User(u) => u.get(),
        }
    }
}

/// A cached answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Cached {
    pub text: String,
    pub provider: String,
    pub model: String,
}

/// A lookup that found something.
#[derive(Debug, Clone)]
pub struct Hit {
    pub answer: Arc<Cached>,
    /// 1 for an exact match of the normalised prompt.
    pub similarity: f32,
    pub exact: bool,
}

/// What identifies a prompt: where it may be shared, its locale, and its normalised hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub scope: Scope,
    pub locale: u8,
    pub hash: u64,
}

struct Slot {
    key: Key,
    answer: Arc<Cached>,
    at: Instant,
}

/// The index. Not synchronised: the service keeps it behind a lock.
pub struct Index {
    dims: usize,
    words: usize,
    capacity: usize,
    ttl: Duration,
    slots: Vec<Slot>,
    vectors: Vec<f32>,
    codes: Vec<u64>,
    /// Scope and locale of each slot, side by side for the scan.
    owners: Vec<(i64, u8)>,
    exact: HashMap<Key, usize>,
    next: usize,
}

impl Index {
    pub fn new(dims: usize, capacity: usize, ttl: Duration) -> Self {
        Self {
            dims,
            words: dims.div_ceil(64),
            capacity: capacity.max(1),
            ttl,
            slots: Vec::new(),
            vectors: Vec::new(),
            codes: Vec::new(),
            owners: Vec::new(),
            exact: HashMap::new(),
            next: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Stores `answer` for the prompt `key` with embedding `vector` (unit length, `dims` long;
    /// a vector of another length is refused).
    pub fn insert(&mut self, key: Key, vector: &[f32], answer: Cached, now: Instant) -> bool {
        if vector.len() != self.dims {
            return false;
        }
        let code = sign_code(vector, self.words);
        let slot = Slot {
            key,
            answer: Arc::new(answer),
            at: now,
        };
        let index = if let Some(&existing) = self.exact.get(&key) {
            existing
        } else if self.slots.len() < self.capacity {
            self.slots.push(slot);
            self.vectors.extend_from_slice(vector);
            self.codes.extend_from_slice(&code);
            self.owners.push((key.scope.raw(), key.locale));
            self.exact.insert(key, self.slots.len() - 1);
            return true;
        } else {
            let oldest = self.next;
            self.next = (self.next + 1) % self.capacity;
            self.exact.remove(&self.slots[oldest].key);
            oldest
        };
        self.slots[index] = slot;
        self.vectors[index * self.dims..(index + 1) * self.dims].copy_from_slice(vector);
        self.codes[index * self.words..(index + 1) * self.words].copy_from_slice(&code);
        self.owners[index] = (key.scope.raw(), key.locale);
        self.exact.insert(key, index);
        true
    }

    /// The best live entry `user` may see in `locale`: an exact match of `hash` first, else the
    /// most similar vector at or above `threshold`.
    pub fn lookup(
        &self,
        user: UserId,
        locale: u8,
        hash: u64,
        vector: &[f32],
        threshold: f32,
        now: Instant,
    ) -> Option<Hit> {
        let live = |i: usize| now.duration_since(self.slots[i].at) <= self.ttl;
        for scope in [Scope::User(user), Scope::Shared] {
            let key = Key {
                scope,
                locale,
                hash,
            };
            if let Some(&i) = self.exact.get(&key).filter(|&&i| live(i)) {
                return Some(Hit {
                    answer: Arc::clone(&self.slots[i].answer),
                    similarity: 1.0,
                    exact: true,
                });
            }
        }
        if vector.len() != self.dims {
            return None;
        }
        let query = sign_code(vector, self.words);
        let mine = user.get();
        let mut best: Vec<(u32, usize)> = Vec::with_capacity(CANDIDATES + 1);
        for (i, (owner, lang)) in self.owners.iter().enumerate() {
            if *lang != locale || (*owner != 0 && *owner != mine) {
                continue;
            }
            let code = &self.codes[i * self.words..(i + 1) * self.words];
            let distance: u32 = code
                .iter()
                .zip(&query)
                .map(|(a, b)| (a ^ b).count_ones())
                .sum();
            if best.len() < CANDIDATES || distance < best[best.len() - 1].0 {
                let at = best.partition_point(|(d, _)| *d <= distance);
                best.insert(at, (distance, i));
                best.truncate(CANDIDATES);
            }
        }
        best.into_iter()
            .filter(|&(_, i)| live(i))
            .map(|(_, i)| {
                let similarity = dot(vector, &self.vectors[i * self.dims..(i + 1) * self.dims]);
                (similarity, i)
            })
            .filter(|(s, _)| *s >= threshold)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(similarity, i)| Hit {
                answer: Arc::clone(&self.slots[i].answer),
                similarity,
                exact: false,
            })
    }

    /// Forgets every entry of `user` (account deletion): their slots become unreachable until
    /// the ring reuses them.
    pub fn forget(&mut self, user: UserId) {
        let raw = user.get();
        for (i, owner) in self.owners.iter_mut().enumerate() {
            if owner.0 == raw {
                self.exact.remove(&self.slots[i].key);
                *owner = (raw, DEAD);
            }
        }
    }
}

/// One bit per dimension: whether the component is positive.
fn sign_code(vector: &[f32], words: usize) -> Vec<u64> {
    let mut code = vec![0u64; words];
    for (i, x) in vector.iter().enumerate() {
        if *x > 0.0 {
            code[i / 64] |= 1 << (i % 64);
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::{NGRAM_DIMS, fnv1a, ngram_vector, normalise};

    fn key(scope: Scope, text: &str) -> Key {
        Key {
            scope,
            locale: 1,
            hash: fnv1a(normalise(text).as_bytes()),
        }
    }

    fn answer(text: &str) -> Cached {
        Cached {
            text: text.into(),
            provider: "p".into(),
            model: "m".into(),
        }
    }

    #[test]
    fn paraphrases_hit_unrelated_prompts_miss_and_private_entries_stay_private() {
        let now = Instant::now();
        let mut index = Index::new(NGRAM_DIMS, 100, Duration::from_secs(60));
        let (alice, bob) = (UserId::from_raw(1), UserId::from_raw(2));
        let q = "How can I sleep better at night?";
        index.insert(
            key(Scope::Shared, q),
            &ngram_vector(q),
            answer("sleep tips"),
            now,
        );
        let private = "My phone is 010-1234-5678, how do I sleep better?";
        index.insert(
            key(Scope::User(alice), private),
            &ngram_vector(private),
            answer("for alice"),
            now,
        );

        let look = |user, text: &str| {
            index.lookup(
                user,
                1,
                key(Scope::Shared, text).hash,
                &ngram_vector(text),
                0.8,
                now,
            )
        };
        let hit = look(bob, "how do I sleep better at night").unwrap();
        assert_eq!(hit.answer.text, "sleep tips");
        assert!(!hit.exact);
        assert!(look(bob, "how can i sleep better at night").unwrap().exact);
        assert!(look(bob, "What should I eat before a marathon?").is_none());
        assert!(look(bob, private).map(|h| h.answer.text.clone()) != Some("for alice".into()));
        assert_eq!(look(alice, private).unwrap().answer.text, "for alice");
    }

    #[test]
    fn the_ring_replaces_the_oldest_and_entries_expire() {
        let now = Instant::now();
        let mut index = Index::new(NGRAM_DIMS, 2, Duration::from_secs(60));
        let user = UserId::from_raw(1);
        for text in ["first question", "second question", "third question"] {
            index.insert(
                key(Scope::Shared, text),
                &ngram_vector(text),
                answer(text),
                now,
            );
        }
        assert_eq!(index.len(), 2);
        let find = |text: &str, at| {
            index.lookup(
                user,
                1,
                key(Scope::Shared, text).hash,
                &ngram_vector(text),
                0.99,
                at,
            )
        };
        assert!(find("first question", now).is_none());
        assert!(find("third question", now).is_some());
        assert!(find("third question", now + Duration::from_secs(61)).is_none());
    }
}
