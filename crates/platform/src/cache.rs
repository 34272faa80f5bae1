//! In-process cache (moka) organised in key families, each with its own time to live.
//!
//! A family is declared once (`cache.family::<Profile>("profile", 1 h)`) and used by key;
//! writers invalidate the keys they change, so readers never see a value older than the last
//! write. Hits and misses per family are counted in `/metrics`.

use std::any::Any;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Shared registry of families, so the same name always yields the same store.
#[derive(Clone, Default)]
pub struct Cache {
    families: Arc<Mutex<HashMap<&'static str, Arc<dyn Any + Send + Sync>>>>,
}

/// One family of cached values of type `V` under keys `K`.
#[derive(Clone)]
pub struct Family<K, V> {
    store: moka::future::Cache<K, V>,
    /// `cache_requests_total` for this family, registered once: a lookup by labels on every
    /// read cost as much as the read itself on the hottest pages.
    hits: metrics::Counter,
    misses: metrics::Counter,
}

impl Cache {
    /// The family `name` (created on first use with `ttl` and room for `capacity` entries).
    /// Asking again for a name with other types is a programming error and yields a detached,
    /// unshared family, logged loudly.
    pub fn family<K, V>(&self, name: &'static str, ttl: Duration, capacity: u64) -> Family<K, V>
    where
        K: Hash + Eq + Send + Sync + Clone + 'static,
        V: Clone + Send + Sync + 'static,
    {
        self.registered(name, || {
            moka::future::Cache::builder()
                .time_to_live(ttl)
                .max_capacity(capacity)
                .build()
        })
    }

    /// Like [`Cache::family`], bounded by the bytes its values hold instead of their number:
    /// for families meant to keep a whole working set of values whose sizes vary a lot.
    pub fn family_by_bytes<K, V>(
        &self,
        name: &'static str,
        ttl: Duration,
        max_bytes: u64,
    ) -> Family<K, V>
    where
        K: Hash + Eq + Send + Sync + Clone + 'static,
        V: Weigh + Clone + Send + Sync + 'static,
    {
        self.registered(name, || {
            moka::future::Cache::builder()
                .time_to_live(ttl)
                .weigher(|_, value: &V| value.bytes())
                .max_capacity(max_bytes)
                .build()
        })
    }

    fn registered<K, V>(
        &self,
        name: &'static str,
        store: impl Fn() -> moka::future::Cache<K, V>,
    ) -> Family<K, V>
    where
        K: Hash + Eq + Send + Sync + Clone + 'static,
        V: Clone + Send + Sync + 'static,
    {
        let make = || {
            // The counters bind to the recorder in place when they are made.
            crate::telemetry::metrics_handle();
            let counter = |outcome: &'static str| {
                metrics::counter!(
                    "cache_requests_total",
                    "family" => name,
                    "outcome" => outcome
                )
            };
            Family {
                store: store(),
                hits: counter("hit"),
                misses: counter("miss"),
            }
        };
        let Ok(mut families) = self.families.lock() else {
            return make();
        };
        let entry = families
            .entry(name)
            .or_insert_with(|| Arc::new(make()) as Arc<dyn Any + Send + Sync>);
        if let Some(family) = entry.downcast_ref::<Family<K, V>>() {
            family.clone()
        } else {
            tracing::error!(family = name, "cache family reused with other types");
            make()
        }
    }
}

/// A cached value's size in bytes, roughly: what it holds on the heap and inline.
pub trait Weigh {
    fn bytes(&self) -> u32;
}

impl<T: Weigh> Weigh for Arc<T> {
    fn bytes(&self) -> u32 {
        T::bytes(self)
    }
}

impl<K, V> Family<K, V>
where
    K: Hash + Eq + Send + Sync + Clone + 'static,
    V: Clone + Send + Sync + 'static,
{
    pub async fn get(&self, key: &K) -> Option<V> {
        let value = self.store.get(key).await;
        self.count(value.is_some());
        value
    }

    fn count(&self, hit: bool) {
        if hit { &self.hits } else { &self.misses }.increment(1);
    }

    pub async fn insert(&self, key: K, value: V) {
        self.store.insert(key, value).await;
    }

    /// The cached value, or the one `load` produces (loaded once even under concurrent misses).
    pub async fn get_or_load<E, F>(&self, key: K, load: F) -> Result<V, Arc<E>>
    where
        F: Future<Output = Result<V, E>>,
        E: Send + Sync + 'static,
    {
        let entry = self.store.entry(key).or_try_insert_with(load).await?;
        self.count(!entry.is_fresh());
        Ok(entry.into_value())
    }

    /// Stores `value` unless the entry already holds one that `newer` says is newer: writers
    /// that commit out of order, or a reader that loaded before a write, can then never put an
    /// older value over a fresher one.
    pub async fn insert_if_newer(&self, key: K, value: V, newer: impl Fn(&V, &V) -> bool) {
        self.store
            .entry(key)
            .and_compute_with(|current| {
                let keep = current.is_some_and(|c| newer(c.value(), &value));
                std::future::ready(if keep {
                    moka::ops::compute::Op::Nop
                } else {
                    moka::ops::compute::Op::Put(value)
                })
            })
            .await;
    }

    pub async fn invalidate(&self, key: &K) {
        self.store.invalidate(key).await;
    }

    /// Drops every entry whose key matches; for changes that touch many keys at once.
    pub fn invalidate_where(&self, predicate: impl Fn(&K) -> bool + Send + Sync + 'static) {
        if self
            .store
            .invalidate_entries_if(move |k, _| predicate(k))
            .is_err()
        {
            self.store.invalidate_all();
        }
    }

    pub fn invalidate_all(&self) {
        self.store.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn families_share_by_name_and_invalidate_by_key() {
        let cache = Cache::default();
        let a: Family<u64, String> = cache.family("profile", Duration::from_secs(60), 100);
        let b: Family<u64, String> = cache.family("profile", Duration::from_secs(60), 100);
        a.insert(1, "one".into()).await;
        assert_eq!(b.get(&1).await.as_deref(), Some("one"));
        b.insert_if_newer(1, "a".into(), |old, new| old > new).await;
        assert_eq!(
            a.get(&1).await.as_deref(),
            Some("one"),
            "\"one\" sorts after \"a\""
        );
        b.insert_if_newer(1, "two".into(), |old, new| old > new)
            .await;
        assert_eq!(a.get(&1).await.as_deref(), Some("two"));
        b.invalidate(&1).await;
        assert_eq!(a.get(&1).await, None);
        let loaded = a
            .get_or_load(2, async { Ok::<_, ()>("two".to_owned()) })
            .await;
        assert_eq!(loaded.ok().as_deref(), Some("two"));
    }

    #[tokio::test]
    async fn entries_expire_after_their_family_ttl() {
        let cache = Cache::default();
        let short: Family<u8, u8> = cache.family("short", Duration::from_millis(50), 10);
        short.insert(1, 1).await;
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(short.get(&1).await, None);
    }

    #[derive(Clone)]
    struct Blob(usize);

    impl Weigh for Blob {
        fn bytes(&self) -> u32 {
            self.0 as u32
        }
    }

    #[tokio::test]
    async fn a_family_by_bytes_keeps_within_its_bytes() {
        let cache = Cache::default();
        let family: Family<u8, Arc<Blob>> =
            cache.family_by_bytes("blobs", Duration::from_secs(60), 1_000);
        for key in 0..10 {
            family.insert(key, Arc::new(Blob(300))).await;
        }
        family.store.run_pending_tasks().await;
        assert!(family.store.weighted_size() <= 1_000);
        assert!((1..=3).contains(&family.store.entry_count()));
    }
}
