//! Time-sortable 64-bit ids: `ms since 2024-01-01 (41 bits) | node (10 bits) | sequence (12 bits)`.
//!
//! Ids are made by the app, not the database, so a cursor is just an id and several nodes never
//! collide as long as each has its own node number. JSON carries them as strings because
//! JavaScript numbers lose precision above 2^53.

use std::sync::atomic::{AtomicU64, Ordering};

/// 2024-01-01T00:00:00Z in Unix milliseconds.
const EPOCH_MS: u64 = 1_704_067_200_000;
const NODE_BITS: u32 = 10;
const SEQ_BITS: u32 = 12;
const SEQ_MASK: u64 = (1 << SEQ_BITS) - 1;
/// Largest node number an [`IdGenerator`] accepts.
pub const MAX_NODE: u16 = (1 << NODE_BITS) - 1;

/// Hands out strictly increasing ids for one node, from any number of threads.
#[derive(Debug)]
pub struct IdGenerator {
    node: u64,
    last: AtomicU64,
}

impl IdGenerator {
    /// A generator for `node` (0..=1023); larger numbers are folded into range.
    pub fn new(node: u16) -> Self {
        Self {
            node: u64::from(node & MAX_NODE),
            last: AtomicU64::new(0),
        }
    }

    /// The next id: never equal to or smaller than one this generator returned before, even if
    /// the wall clock steps backwards (then it keeps counting from the last id it gave).
    pub fn next_id(&self) -> i64 {
        let now_ms = now_unix_ms().saturating_sub(EPOCH_MS);
        let fresh = (now_ms << (NODE_BITS + SEQ_BITS)) | (self.node << SEQ_BITS);
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let next = if fresh > last {
                fresh
            } else if last & SEQ_MASK < SEQ_MASK {
                last + 1
            } else {
                // Sequence exhausted within this millisecond: borrow the next one.
                let ms = (last >> (NODE_BITS + SEQ_BITS)) + 1;
                (ms << (NODE_BITS + SEQ_BITS)) | (self.node << SEQ_BITS)
            };
            match self
                .last
                .compare_exchange_weak(last, next, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => return next as i64,
                Err(actual) => last = actual,
            }
        }
    }

    /// The smallest id that could have been generated at `unix_ms`; handy for time-range cursors.
    pub fn floor_for_time(unix_ms: i64) -> i64 {
        let ms = (unix_ms.max(0) as u64).saturating_sub(EPOCH_MS);
        (ms << (NODE_BITS + SEQ_BITS)) as i64
    }
}

fn now_unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Declares a newtype id: `Copy`, ordered, carried in JSON as a string of digits, parsed from
/// paths and query strings, documented in OpenAPI as a string.
#[macro_export]
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(i64);

        impl $name {
            /// Wraps a raw id read from storage.
            pub const fn from_raw(raw: i64) -> Self { Self(raw) }
            /// The raw id, for storage.
            pub const fn get(self) -> i64 { self.0 }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::num::ParseIntError;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                s.parse::<i64>().map(Self)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                $crate::ids::deserialize_id(d).map(Self)
            }
        }

        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                $crate::ids::id_schema()
            }
        }

        impl ::utoipa::ToSchema for $name {}
    };
}

/// Accepts an id as a string of digits (the canonical form) or as a JSON number.
pub fn deserialize_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Raw<'a> {
        Num(i64),
        Str(&'a str),
        Owned(String),
    }
    let parse = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| serde::de::Error::custom("expected an id (a string of digits)"))
    };
    match Raw::deserialize(d)? {
        Raw::Num(n) => Ok(n),
        Raw::Str(s) => parse(s),
        Raw::Owned(s) => parse(&s),
    }
}

/// Like [`deserialize_id`], for optional query parameters (`?max_id=`).
pub fn deserialize_optional_id<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<i64>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrapper(#[serde(deserialize_with = "deserialize_id")] i64);
    Option::<Wrapper>::deserialize(d).map(|o| o.map(|Wrapper(id)| id))
}

/// OpenAPI schema of every id: a string of digits.
pub fn id_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some("^[0-9]+$"))
        .examples([serde_json::json!("318504732942336")])
        .into()
}

use serde::Deserialize as _;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;
    use std::sync::Arc;

    #[test]
    fn ids_are_unique_and_increasing_across_threads() {
        let generator = Arc::new(IdGenerator::new(7));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let g = Arc::clone(&generator);
                std::thread::spawn(move || (0..50_000).map(|_| g.next_id()).collect::<Vec<_>>())
            })
            .collect();
        let mut all = HashSet::new();
        for handle in handles {
            let ids = handle.join().unwrap_or_default();
            assert!(
                ids.windows(2).all(|w| w[0] < w[1]),
                "each thread sees increasing ids"
            );
            for id in ids {
                assert!(all.insert(id), "duplicate id {id}");
            }
        }
        assert_eq!(all.len(), 200_000);
    }

    proptest! {
        #[test]
        fn nodes_never_collide(a in 0u16..=MAX_NODE, b in 0u16..=MAX_NODE, n in 1usize..2000) {
            prop_assume!(a != b);
            let (ga, gb) = (IdGenerator::new(a), IdGenerator::new(b));
            let left: HashSet<i64> = (0..n).map(|_| ga.next_id()).collect();
            prop_assert!((0..n).all(|_| !left.contains(&gb.next_id())));
        }
    }

    #[test]
    fn ids_sort_by_time() {
        let g = IdGenerator::new(1);
        let first = g.next_id();
        assert!(first >= IdGenerator::floor_for_time(now_unix_ms() as i64 - 1000));
    }
}
