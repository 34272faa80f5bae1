//! Feature flags for every app: a flag is off, on, or on for a stable share of users (a
//! percentage rollout by a hash of flag name and user id, so a user keeps their answer across
//! restarts and nodes, and a rollout that grows from 5 % to 10 % keeps the first 5 %). Per-user
//! overrides win over the rollout. Evaluation reads a snapshot of every flag cached for a few
//! seconds (writes on this node drop it at once); each evaluation counts as an exposure in
//! `/metrics` (`flag_exposures_total{flag, on}`).

mod http;
mod store;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

pub use http::router;

use crate::accounts::UserId;
use crate::cache::{Cache, Family};
use crate::db::Db;
use crate::time::Timestamp;
use crate::{Error, Result};

/// How long another node's flag change may take to reach this one.
const SNAPSHOT_TTL: Duration = Duration::from_secs(5);
/// Basis points in a whole: rollouts have a resolution of 0.01 %.
const WHOLE: u16 = 10_000;

/// The share of users a flag reaches, in basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rollout(u16);

impl Rollout {
    /// A rollout of `percent` (0 to 100, two decimals kept); `None` outside that range.
    pub fn from_percent(percent: f64) -> Option<Self> {
        (0.0..=100.0)
            .contains(&percent)
            .then(|| Self((percent * 100.0).round() as u16))
    }

    pub(crate) fn from_basis_points(bp: i64) -> Self {
        Self(bp.clamp(0, i64::from(WHOLE)) as u16)
    }

    pub fn percent(self) -> f64 {
        f64::from(self.0) / 100.0
    }

    pub(crate) fn basis_points(self) -> i64 {
        i64::from(self.0)
    }

    /// Whether `user` falls inside this rollout of `flag`.
    pub fn includes(self, flag: &str, user: UserId) -> bool {
        bucket(flag, user) < self.0
    }
}

/// Where `user` falls for `flag`, 0 to 9,999: a SHA-256 of both, so the same on every node,
/// after every restart, and independent between flags.
pub fn bucket(flag: &str, user: UserId) -> u16 {
    let digest = Sha256::new()
        .chain_update(flag.as_bytes())
        .chain_update(b":")
        .chain_update(user.get().to_be_bytes())
        .finalize();
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(head) % u64::from(WHOLE)) as u16
}

/// One flag as stored and as the admin API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Flag {
    pub name: String,
    /// Off means off for everyone without an override, whatever the rollout.
    pub enabled: bool,
    /// On for this share of users only (`null`: everyone).
    pub rollout_percent: Option<f64>,
    pub description: String,
    /// Users forced on (`true`) or off (`false`), by user id.
    #[schema(value_type = Object)]
    pub overrides: BTreeMap<UserId, bool>,
    pub updated_at: Timestamp,
}

impl Flag {
    /// This flag's answer for `user`.
    pub fn evaluate(&self, user: UserId) -> bool {
        if let Some(&forced) = self.overrides.get(&user) {
            return forced;
        }
        if !self.enabled {
            return false;
        }
        match self.rollout_percent.and_then(Rollout::from_percent) {
            None => true,
            Some(rollout) => rollout.includes(&self.name, user),
        }
    }
}

/// What an admin sets on a flag.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagSettings {
    pub enabled: bool,
    /// 0 to 100; leave out for everyone.
    #[serde(default)]
    pub rollout_percent: Option<f64>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Flag names: lowercase letters, digits, `.`, `_` and `-`, up to 64 characters
/// (`assistant.semantic_cache`).
pub fn check_name(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if valid {
        Ok(())
    } else {
        Err(Error::bad_param(
            "name",
            "1 to 64 of a-z, 0-9, `.`, `_`, `-`",
        ))
    }
}

type Snapshot = Arc<HashMap<String, Flag>>;

/// The flags service every app is handed.
#[derive(Clone)]
pub struct Flags {
    db: Db,
    snapshot: Family<(), Snapshot>,
}

impl Flags {
    pub fn new(db: Db, cache: &Cache) -> Self {
        Self {
            db,
            snapshot: cache.family("feature_flags", SNAPSHOT_TTL, 1),
        }
    }

    /// Whether `flag` is on for `user`; `default` when no such flag exists (or flags cannot be
    /// read, which is logged). Counts an exposure.
    pub async fn is_enabled(&self, flag: &str, user: UserId, default: bool) -> bool {
        let on = match self.load().await {
            Ok(flags) => flags.get(flag).map_or(default, |f| f.evaluate(user)),
            Err(e) => {
                tracing::warn!(flag, error = %e, "feature flags unreadable; using the default");
                default
            }
        };
        metrics::counter!("flag_exposures_total", "flag" => flag.to_owned(), "on" => if on { "true" } else { "false" })
            .increment(1);
        on
    }

    /// Every flag's answer for `user` (no exposures counted: this is what a client caches).
    pub async fn evaluate_all(&self, user: UserId) -> Result<BTreeMap<String, bool>> {
        let flags = self.load().await?;
        Ok(flags
            .values()
            .map(|f| (f.name.clone(), f.evaluate(user)))
            .collect())
    }

    pub async fn all(&self) -> Result<Vec<Flag>> {
        let mut flags: Vec<Flag> = self.load().await?.values().cloned().collect();
        flags.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(flags)
    }

    /// Creates or changes a flag.
    pub async fn set(&self, name: &str, settings: &FlagSettings, now: Timestamp) -> Result<()> {
        check_name(name)?;
        let rollout = match settings.rollout_percent {
            None => None,
            Some(p) => Some(Rollout::from_percent(p).ok_or_else(|| {
                Error::invalid_field("rollout_percent", "a percentage from 0 to 100")
            })?),
        };
        let description = settings.description.as_deref();
        if description.is_some_and(|d| d.chars().count() > 500) {
            return Err(Error::invalid_field(
                "description",
                "at most 500 characters",
            ));
        }
        store::upsert(&self.db, name, settings.enabled, rollout, description, now).await?;
        self.snapshot.invalidate(&());
        Ok(())
    }

    /// Removes a flag; whether it existed.
    pub async fn delete(&self, name: &str) -> Result<bool> {
        let existed = store::delete(&self.db, name).await?;
        self.snapshot.invalidate(&());
        Ok(existed)
    }

    /// Forces `flag` on or off for `user`, or (`None`) lets the rollout decide again.
    pub async fn set_override(&self, flag: &str, user: UserId, forced: Option<bool>) -> Result<()> {
        if !store::set_override(&self.db, flag, user, forced).await? {
            return Err(Error::not_found(format!("flag `{flag}`")));
        }
        self.snapshot.invalidate(&());
        Ok(())
    }

    async fn load(&self) -> Result<Snapshot> {
        let db = self.db.clone();
        self.snapshot
            .get_or_load((), async move { store::load(&db).await.map(Arc::new) })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ten_percent_rollout_reaches_ten_percent_of_users() {
        let rollout = Rollout::from_percent(10.0).unwrap();
        let on = (1..=100_000)
            .filter(|&id| rollout.includes("assistant.semantic_cache", UserId::from_raw(id)))
            .count();
        assert!((9_000..=11_000).contains(&on), "{on} of 100,000");
    }

    #[test]
    fn growing_a_rollout_keeps_everyone_already_in() {
        let (small, large) = (Rollout(500), Rollout(1_000));
        for id in 1..10_000 {
            let user = UserId::from_raw(id);
            if small.includes("f", user) {
                assert!(large.includes("f", user));
            }
        }
    }

    #[test]
    fn buckets_are_fixed_numbers_not_process_state() {
        // A restart must not move anyone: the bucket is a pure function of its inputs.
        assert_eq!(
            bucket("f", UserId::from_raw(1)),
            bucket("f", UserId::from_raw(1))
        );
        let spread: std::collections::HashSet<u16> = (0..50)
            .map(|id| bucket("f", UserId::from_raw(id)))
            .collect();
        assert!(spread.len() > 45);
    }

    #[test]
    fn overrides_win_and_disabled_flags_are_off() {
        let user = UserId::from_raw(7);
        let mut flag = Flag {
            name: "f".into(),
            enabled: false,
            rollout_percent: None,
            description: String::new(),
            overrides: BTreeMap::new(),
            updated_at: Timestamp::from_micros(0),
        };
        assert!(!flag.evaluate(user));
        flag.overrides.insert(user, true);
        assert!(flag.evaluate(user));
        flag.enabled = true;
        flag.rollout_percent = Some(0.0);
        assert!(flag.evaluate(user));
        assert!(!flag.evaluate(UserId::from_raw(8)));
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("assistant.provider-openai_2").is_ok());
        assert!(check_name("Bad Name").is_err());
        assert!(check_name("").is_err());
    }
}
