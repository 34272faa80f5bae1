//! A member's derived views, kept in the platform cache: their time zone (every read of a
//! series or a day needs it), goals with their progress, the input of the insight rules, and
//! the kinds of recommendation they dismissed.
//!
//! Goals and the insight input are computed from day rollups: a dozen statements and up to a
//! few thousand rows a read (a streak looks 400 days back), yet they change only when that
//! member writes.
//! Every writer of a member's records, goals, time zone or feedback calls [`forget`] after
//! committing, so readers on this node never see a view older than the last write; the
//! lifetime bounds what other nodes may see. A view also carries the local date it was made
//! for and is made again once the member's day turns.

use std::hash::Hash;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use platform::accounts::UserId;
use platform::cache::Family;
use platform::{AppContext, Result};

use super::goals::GoalView;
use crate::insights::{Input, Period, RecommendationKind};
use crate::rollup;

/// How a view is made on a miss. Boxed: loads nest (the insight input reads goals, and both
/// read the zone), and nested inline they made futures deep enough to overflow a thread's stack.
pub type Load<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// How long a view may serve readers on other nodes than the writer's.
const TTL: Duration = Duration::from_secs(60);
const MEMBERS: u64 = 100_000;

/// A view as it was on `today` in the member's `zone`.
#[derive(Debug)]
pub struct Dated<T> {
    pub zone: TimeZone,
    pub today: Date,
    pub value: T,
}

/// The families, by name in the shared cache.
#[derive(Clone)]
pub struct Derived {
    /// The zone's name and the zone.
    zones: Family<UserId, Arc<(String, TimeZone)>>,
    goals: Family<UserId, Arc<Dated<Vec<GoalView>>>>,
    inputs: Family<(UserId, Period), Arc<Dated<Input>>>,
    dismissed: Family<UserId, Arc<[RecommendationKind]>>,
    /// Moves at every [`forget`]: a view computed while a write committed is not kept.
    epochs: Family<UserId, i64>,
}

impl Derived {
    pub fn of(ctx: &AppContext) -> Self {
        let cache = &ctx.cache;
        Self {
            zones: cache.family("wellness.zones", TTL, MEMBERS),
            goals: cache.family("wellness.goals", TTL, MEMBERS),
            inputs: cache.family("wellness.insight_inputs", TTL, MEMBERS),
            dismissed: cache.family("wellness.dismissed", TTL, MEMBERS),
            epochs: cache.family("wellness.epochs", TTL * 2, MEMBERS),
        }
    }

    /// `user`'s time zone.
    pub async fn zone(
        &self,
        user: UserId,
        load: Load<'_, (String, TimeZone)>,
    ) -> Result<Arc<(String, TimeZone)>> {
        let load = async { Ok(Arc::new(load.await?)) };
        self.cached(&self.zones, user, user, |_| true, load).await
    }

    /// `user`'s goals with progress, from the cache while still of their day.
    pub async fn goals(
        &self,
        ctx: &AppContext,
        user: UserId,
        load: Load<'_, Dated<Vec<GoalView>>>,
    ) -> Result<Arc<Dated<Vec<GoalView>>>> {
        let load = async { Ok(Arc::new(load.await?)) };
        self.cached(&self.goals, user, user, |v| of_today(ctx, v), load)
            .await
    }

    /// The input of the insight rules over `period`, from the cache while still of the day.
    pub async fn input(
        &self,
        ctx: &AppContext,
        user: UserId,
        period: Period,
        load: Load<'_, Dated<Input>>,
    ) -> Result<Arc<Dated<Input>>> {
        let load = async { Ok(Arc::new(load.await?)) };
        let key = (user, period);
        self.cached(&self.inputs, key, user, |v| of_today(ctx, v), load)
            .await
    }

    /// The kinds `user` dismissed.
    pub async fn dismissed(
        &self,
        user: UserId,
        load: Load<'_, Vec<RecommendationKind>>,
    ) -> Result<Arc<[RecommendationKind]>> {
        let load = async { Ok(load.await?.into()) };
        self.cached(&self.dismissed, user, user, |_| true, load)
            .await
    }

    /// The cached value of `key` while `usable`; otherwise loaded, and kept unless `user`
    /// wrote meanwhile.
    async fn cached<K, V>(
        &self,
        family: &Family<K, V>,
        key: K,
        user: UserId,
        usable: impl Fn(&V) -> bool,
        load: impl Future<Output = Result<V>>,
    ) -> Result<V>
    where
        K: Hash + Eq + Send + Sync + Clone + 'static,
        V: Clone + Send + Sync + 'static,
    {
        if let Some(value) = family.get(&key)
            && usable(&value)
        {
            return Ok(value);
        }
        let epoch = self.epochs.get(&user);
        let value = load.await?;
        if self.epochs.get(&user) == epoch {
            family.insert(key, value.clone());
        }
        Ok(value)
    }
}

/// Whether a view was made for the member's present local day.
fn of_today<T>(ctx: &AppContext, view: &Dated<T>) -> bool {
    rollup::local_date(ctx.clock.now(), &view.zone) == view.today
}

/// Drops every view of `user`: call after committing a change to their data.
pub async fn forget(ctx: &AppContext, user: UserId) {
    let derived = Derived::of(ctx);
    derived.epochs.insert(user, ctx.next_id());
    derived.zones.invalidate(&user);
    derived.goals.invalidate(&user);
    for period in Period::ALL {
        derived.inputs.invalidate(&(user, period));
    }
    derived.dismissed.invalidate(&user);
}
