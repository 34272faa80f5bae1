//! Query, Mutation and Subscription: each resolver checks access through the same service
//! calls as REST.

use async_graphql::{Context, ID, Object, Subscription as SubscriptionObject};
use futures::{Stream, StreamExt as _};
use platform::accounts::service as accounts;
use platform::realtime::Hub;
use tokio_stream::wrappers::BroadcastStream;

use super::types::{
    Activity, ActivityInput, DateTime, Goal, GoalInput, GoalKind, HealthAlert, HealthData,
    HealthDataInput, Insight, Recommendation, TimeRange, User, UserProfile, VitalSigns,
};
use super::{Caller, readable, recommendations_of, result};
use crate::catalog::{self, Kind, RecordInput, Series};
use crate::events::vitals_topic;
use crate::goals::Direction;
use crate::insights::Period;
use crate::service::{self, Subject};

pub struct Query;

#[Object]
impl Query {
    /// A member: yourself (`me` or your id), or someone who shared their data with you.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<User>> {
        let subject = readable(ctx, &id, "graphql user").await?;
        let caller = ctx.data::<Caller>()?;
        let Some(account) = result(accounts::find_user(&caller.app, subject.user).await)? else {
            return Ok(None);
        };
        let (time_zone, region) =
            result(service::profile(&caller.app, &caller.health, subject.user).await)?;
        Ok(Some(User {
            id: ID(account.id.to_string()),
            email: if subject.own {
                account.email
            } else {
                String::new()
            },
            profile: UserProfile {
                username: account.username,
                display_name: account.display_name,
                time_zone,
                region,
            },
            subject,
        }))
    }

    /// Trends over the range against the four ranges before it, bedtime regularity, goals.
    async fn health_insights(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        time_range: TimeRange,
    ) -> async_graphql::Result<Vec<Insight>> {
        let subject = readable(ctx, &user_id, "graphql insights").await?;
        let caller = ctx.data::<Caller>()?;
        let period = match time_range {
            TimeRange::Week => Period::Week,
            TimeRange::Month => Period::Month,
            TimeRange::Quarter => Period::Quarter,
        };
        Ok(
            result(service::insights(&caller.app, &caller.health, subject, period).await)?
                .into_iter()
                .map(Insight::from)
                .collect(),
        )
    }

    async fn recommendations(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        limit: Option<i32>,
    ) -> async_graphql::Result<Vec<Recommendation>> {
        let subject = readable(ctx, &user_id, "graphql recommendations").await?;
        recommendations_of(ctx, subject, limit).await
    }
}

pub struct Mutation;

fn rfc3339(t: DateTime) -> String {
    t.to_rfc3339()
}

fn input(client_id: String, kind: Kind, at: &str) -> RecordInput {
    RecordInput {
        client_id,
        kind: kind.as_str().to_owned(),
        start: at.to_owned(),
        source: Some(catalog::Source {
            device: None,
            app: Some("GraphQL".to_owned()),
        }),
        ..RecordInput::default()
    }
}

/// Stores `inputs` as the caller's records, refusing all of them if any is invalid.
async fn store_all(caller: &Caller, inputs: Vec<RecordInput>) -> async_graphql::Result<()> {
    let now = caller.app.clock.now();
    let mut items = Vec::with_capacity(inputs.len());
    for i in inputs {
        items.push(Ok(result(
            catalog::measure(i, now).map_err(|e| platform::Error::validation(vec![e])),
        )?));
    }
    result(service::ingest(&caller.app, &caller.health, caller.user.id, items, None).await)?;
    Ok(())
}

#[Object]
impl Mutation {
    /// Records the given measurements (each its own record, client id `{clientId}:{type}`)
    /// and answers your health data after them.
    async fn update_health_data(
        &self,
        ctx: &Context<'_>,
        input: HealthDataInput,
    ) -> async_graphql::Result<HealthData> {
        let caller = ctx.data::<Caller>()?;
        let at = rfc3339(input.measured_at);
        let id = |kind: Kind| format!("{}:{}", input.client_id, kind.as_str());
        let mut records = Vec::new();
        for (kind, value) in [
            (Kind::HeartRate, input.heart_rate),
            (Kind::RestingHeartRate, input.resting_heart_rate),
            (Kind::OxygenSaturation, input.oxygen_saturation),
            (Kind::BodyTemperature, input.body_temperature),
            (Kind::BloodGlucose, input.blood_glucose),
            (Kind::BodyWeight, input.body_weight),
            (Kind::Mood, input.mood),
            (Kind::Water, input.water_ml),
        ] {
            if let Some(value) = value {
                records.push(RecordInput {
                    value: Some(value),
                    ..self::input(id(kind), kind, &at)
                });
            }
        }
        if input.systolic.is_some() || input.diastolic.is_some() {
            records.push(RecordInput {
                systolic: input.systolic,
                diastolic: input.diastolic,
                ..self::input(id(Kind::BloodPressure), Kind::BloodPressure, &at)
            });
        }
        if records.is_empty() {
            return Err(async_graphql::Error::new(
                "input: give at least one measurement",
            ));
        }
        store_all(caller, records).await?;
        let own = Subject {
            user: caller.user.id,
            own: true,
        };
        let summary = result(service::summary(&caller.app, &caller.health, own).await)?;
        Ok(HealthData::from(summary))
    }

    async fn create_goal(
        &self,
        ctx: &Context<'_>,
        input: GoalInput,
    ) -> async_graphql::Result<Goal> {
        let caller = ctx.data::<Caller>()?;
        let goal =
            match input.kind {
                GoalKind::Steps => crate::goals::Goal::Steps {
                    per_day: input.target,
                },
                GoalKind::Sleep => crate::goals::Goal::Sleep {
                    hours: input.target,
                },
                GoalKind::Weight => crate::goals::Goal::Weight {
                    target_kg: input.target,
                },
                GoalKind::Custom => {
                    crate::goals::Goal::Custom {
                        series: input.series.as_deref().and_then(Series::parse).ok_or_else(
                            || async_graphql::Error::new("input.series: name a series, e.g. water"),
                        )?,
                        per_day: input.target,
                        direction: if input.at_most {
                            Direction::AtMost
                        } else {
                            Direction::AtLeast
                        },
                    }
                }
            };
        let view =
            result(service::add_goal(&caller.app, &caller.health, caller.user.id, goal).await)?;
        Ok(Goal::from(view))
    }

    async fn record_activity(
        &self,
        ctx: &Context<'_>,
        input: ActivityInput,
    ) -> async_graphql::Result<Activity> {
        let caller = ctx.data::<Caller>()?;
        let record = RecordInput {
            end: Some(rfc3339(input.end)),
            activity: Some(input.activity),
            distance_m: input.distance_meters,
            energy_kcal: input.energy_kcal,
            ..self::input(input.client_id, Kind::Workout, &rfc3339(input.start))
        };
        let m = result(
            catalog::measure(record, caller.app.clock.now())
                .map_err(|e| platform::Error::validation(vec![e])),
        )?;
        let (stored, _) =
            result(service::record_one(&caller.app, &caller.health, caller.user.id, m).await)?;
        Activity::of(&stored).ok_or_else(|| async_graphql::Error::new("not a workout"))
    }
}

pub struct Subscription;

/// The caller's own id from a `userId` argument: live streams are for their owner only.
fn own(caller: &Caller, user_id: &str) -> async_graphql::Result<platform::accounts::UserId> {
    let user = result(service::parse_user(&caller.user, user_id))?;
    if user != caller.user.id {
        return Err(super::error(&platform::Error::forbidden(
            "live health data streams to its owner only",
        )));
    }
    Ok(user)
}

// Subscription fields must be `async` even when they only set up a stream.
#[allow(clippy::unused_async)]
#[SubscriptionObject]
impl Subscription {
    /// Alerts as they are raised for you.
    async fn health_alerts(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = HealthAlert>> {
        let caller = ctx.data::<Caller>()?;
        let user = own(caller, &user_id)?;
        let (receiver, _) = caller.app.hub.subscribe(&Hub::user_topic(user), None);
        Ok(BroadcastStream::new(receiver).filter_map(|m| async move {
            let m = m.ok()?;
            let d = &m.data;
            (m.event == "notification.created" && d["app"] == "wellness" && d["kind"] == "alert")
                .then(|| serde_json::from_value(d["data"].clone()).ok())
                .flatten()
        }))
    }

    /// Your newest vitals, as each upload lands.
    async fn real_time_vitals(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = VitalSigns>> {
        let caller = ctx.data::<Caller>()?;
        let user = own(caller, &user_id)?;
        let (receiver, _) = caller.app.hub.subscribe(&vitals_topic(user), None);
        Ok(BroadcastStream::new(receiver).filter_map(|m| async move {
            let m = m.ok()?;
            let mut vitals = VitalSigns::default();
            for v in m.data["vitals"].as_array()? {
                let series = Series::parse(v["series"].as_str()?)?;
                let at = platform::time::Timestamp::parse_rfc3339(v["at"].as_str()?)?;
                vitals.set(series, v["value"].as_f64()?, at);
            }
            Some(vitals)
        }))
    }
}
