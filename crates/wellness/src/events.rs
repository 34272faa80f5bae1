//! What wellness publishes and how it reacts: alert rules and the anomaly detector are
//! evaluated as records arrive (on the rollups around them), and new vitals are pushed live.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use platform::AppContext;
use platform::accounts::UserId;
use platform::bus::{Event, Subscriber};
use platform::db::Tx;
use platform::notifications::NewNotification;
use platform::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::alerts::{self, ANOMALY_SERIES, ANOMALY_Z, Rule, Severity};
use crate::catalog::{Kind, Measurement, Series};
use crate::model::{Alert, AlertId, GoalId};
use crate::rollup::{self, Level};
use crate::store::{self, AlertRow};

/// Records were stored (payload [`Added`]).
pub const RECORDS_ADDED: &str = "wellness.records.added";

/// A member shared a goal streak or a reached goal; `social` (when mounted) posts it for them.
pub const ACHIEVEMENT_SHARED: &str = "wellness.achievement.shared";

/// Payload of [`ACHIEVEMENT_SHARED`]: what other apps need without reading wellness' data.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Achievement {
    pub user_id: UserId,
    pub goal_id: GoalId,
    pub title: String,
    /// Days in a row (0 for a reached weight target).
    pub streak_days: u32,
    /// Ready-made text for a post.
    pub text: String,
}

/// The span of new values of one series.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Span {
    pub series: Series,
    pub from: Timestamp,
    pub to: Timestamp,
    /// The newest value and when.
    pub latest_at: Timestamp,
    pub latest: f64,
}

/// Payload of [`RECORDS_ADDED`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Added {
    pub user_id: UserId,
    pub spans: Vec<Span>,
}

impl Added {
    /// The spans of `records`, which are ordered by time.
    pub fn of(user_id: UserId, records: &[&Measurement]) -> Added {
        let mut spans: BTreeMap<Series, Span> = BTreeMap::new();
        for m in records {
            for series in m.kind.series() {
                let Some(v) = series.value_of(m) else {
                    continue;
                };
                let at = m.at();
                spans
                    .entry(*series)
                    .and_modify(|s| {
                        s.from = s.from.min(at);
                        s.to = s.to.max(at);
                        if at >= s.latest_at {
                            (s.latest_at, s.latest) = (at, v);
                        }
                    })
                    .or_insert(Span {
                        series: *series,
                        from: at,
                        to: at,
                        latest_at: at,
                        latest: v,
                    });
            }
        }
        Added {
            user_id,
            spans: spans.into_values().collect(),
        }
    }
}

/// The live topic of a user's vitals (GraphQL `realTimeVitals`).
pub fn vitals_topic(user: UserId) -> String {
    format!("wellness:vitals:{user}")
}

/// Pushes the newest vitals of each upload to whoever watches them.
pub struct PushVitals;

#[async_trait]
impl Subscriber for PushVitals {
    async fn handle(&self, ctx: &AppContext, _tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        let added: Added = event.parse()?;
        let vitals: Vec<_> = added
            .spans
            .iter()
            .filter(|s| s.series.kind().is_vital())
            .map(|s| json!({ "series": s.series, "value": s.latest, "at": s.latest_at, "unit": s.series.kind().unit() }))
            .collect();
        if !vitals.is_empty() {
            ctx.hub.publish_live(
                &vitals_topic(added.user_id),
                "vitals",
                json!({ "user_id": added.user_id, "vitals": vitals }),
            );
        }
        Ok(())
    }
}

/// Evaluates the user's rules and the anomaly detector on what arrived.
pub struct Evaluate;

#[async_trait]
impl Subscriber for Evaluate {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        let added: Added = event.parse()?;
        let user = added.user_id;
        let Some(member) = store::member(&mut **tx, user).await? else {
            return Ok(());
        };
        let tz = rollup::zone(&member.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let mut raised = Vec::new();
        for (id, rule) in store::rules(&mut **tx, user).await? {
            for span in added.spans.iter().filter(|s| rule.watches(s.series)) {
                if let Some((finding, series)) = evaluate(tx, user, &rule, span, &tz).await? {
                    let row =
                        alert_row(ctx, format!("rule:{id}"), rule.severity(), series, &finding);
                    let dedupe = format!("rule:{id}:{}", finding.from.micros());
                    let episode = finding.from.minus(rule.episode_gap());
                    if let Some(a) =
                        store::insert_alert(tx, ctx.next_id(), user, &row, &dedupe, episode).await?
                    {
                        raised.push(a);
                    }
                }
            }
        }
        for span in added
            .spans
            .iter()
            .filter(|s| ANOMALY_SERIES.contains(&s.series))
        {
            for (day, finding) in anomalies(tx, user, span, &tz).await? {
                let row = alert_row(
                    ctx,
                    format!("anomaly:{}", span.series.as_str()),
                    Severity::Info,
                    span.series,
                    &finding,
                );
                let dedupe = format!("anomaly:{}:{}", span.series.as_str(), day.micros());
                if let Some(a) =
                    store::insert_alert(tx, ctx.next_id(), user, &row, &dedupe, day).await?
                {
                    raised.push(a);
                }
            }
        }
        for a in raised {
            let alert = alert_view(a);
            ctx.notifications
                .notify(
                    tx,
                    &NewNotification {
                        user,
                        app: "wellness",
                        kind: "alert",
                        actor: None,
                        subject: Some(format!("alert:{}", alert.id)),
                        group_key: None,
                        data: json!(alert),
                    },
                )
                .await?;
        }
        Ok(())
    }
}

fn alert_row(
    ctx: &AppContext,
    kind: String,
    severity: Severity,
    series: Series,
    f: &alerts::Finding,
) -> AlertRow {
    AlertRow {
        id: 0,
        kind,
        severity: severity.as_str().to_owned(),
        series: series.as_str().to_owned(),
        message: f.message.clone(),
        value: f.value,
        observed_at: f.to,
        created_at: ctx.clock.now(),
        acknowledged_at: None,
    }
}

/// A stored alert as the API shows it.
pub fn alert_view(a: AlertRow) -> Alert {
    Alert {
        id: AlertId::from_raw(a.id),
        kind: a.kind,
        severity: Severity::parse(&a.severity),
        series: a.series,
        message: a.message,
        value: a.value,
        observed_at: a.observed_at,
        created_at: a.created_at,
        acknowledged_at: a.acknowledged_at,
    }
}

const MINUTE: Duration = Duration::from_secs(60);

async fn evaluate(
    tx: &mut Tx,
    user: UserId,
    rule: &Rule,
    span: &Span,
    tz: &jiff::tz::TimeZone,
) -> anyhow::Result<Option<(alerts::Finding, Series)>> {
    let from = span.from.minus(rule.lookback());
    let to = span.to.plus(MINUTE);
    match rule {
        Rule::Threshold {
            series,
            above,
            below,
            minutes,
        } => {
            let data = store::rollups(
                &mut **tx,
                user,
                *series,
                Level::Minute,
                rollup::bucket_start(Level::Minute, from, tz),
                to,
            )
            .await?;
            let workouts = if matches!(series, Series::HeartRate | Series::RestingHeartRate) {
                store::records(
                    &mut **tx,
                    user,
                    &[Kind::Workout],
                    from.minus(Duration::from_secs(86_400)),
                    to,
                    1_000,
                )
                .await?
                .into_iter()
                .map(|w| (w.start, w.end))
                .collect()
            } else {
                Vec::new()
            };
            let length = MINUTE * *minutes;
            Ok(
                alerts::sustained(&data, *above, *below, length, &workouts).map(
                    |(from, to, value)| {
                        let bound = above.map_or_else(
                            || format!("below {}", below.unwrap_or_default()),
                            |a| format!("above {a}"),
                        );
                        let unit = series.kind().unit();
                        let message = if *minutes == 0 {
                            format!("{} {bound} {unit}: {value} {unit}", series.as_str())
                        } else {
                            format!(
                                "{} {bound} {unit} for {} minutes (peak {value} {unit})",
                                series.as_str(),
                                from.until(to).as_secs() / 60
                            )
                        };
                        (
                            alerts::Finding {
                                from,
                                to,
                                value,
                                message,
                            },
                            *series,
                        )
                    },
                ),
            )
        }
        Rule::BloodPressure {
            systolic,
            diastolic,
            readings,
            days,
        } => {
            let rows =
                store::records(&mut **tx, user, &[Kind::BloodPressure], from, to, 1_000).await?;
            let mut data: Vec<(Timestamp, f64, f64)> = rows
                .iter()
                .map(|r| (r.start, r.value, r.value2.unwrap_or_default()))
                .collect();
            data.reverse();
            Ok(
                alerts::repeated_high_pressure(&data, *systolic, *diastolic, *readings, *days)
                    .map(|f| (f, Series::Systolic)),
            )
        }
    }
}

/// Days of `span` whose daily average is anomalous against the 28 days before them.
async fn anomalies(
    tx: &mut Tx,
    user: UserId,
    span: &Span,
    tz: &jiff::tz::TimeZone,
) -> anyhow::Result<Vec<(Timestamp, alerts::Finding)>> {
    let first = rollup::bucket_start(Level::Day, span.from, tz);
    let baseline_from = first.minus(Duration::from_secs(29 * 86_400));
    let days = store::rollups(
        &mut **tx,
        user,
        span.series,
        Level::Day,
        baseline_from,
        span.to.plus(MINUTE),
    )
    .await?;
    let mut out = Vec::new();
    for (i, (day, agg)) in days.iter().enumerate() {
        if *day < first {
            continue;
        }
        let window_start = day.minus(Duration::from_secs(28 * 86_400));
        let baseline: Vec<f64> = days[..i]
            .iter()
            .filter(|(d, _)| *d >= window_start)
            .map(|(_, a)| a.avg())
            .collect();
        let value = agg.avg();
        if let Some(z) = alerts::robust_z(value, &baseline)
            && z.abs() > ANOMALY_Z
        {
            let unit = span.series.kind().unit();
            out.push((
                *day,
                alerts::Finding {
                    from: *day,
                    to: *day,
                    value,
                    message: format!(
                        "daily average {} of {value:.1} {unit} is unusual for you (robust z-score {z:.1} against your last {} days)",
                        span.series.as_str(),
                        baseline.len()
                    ),
                },
            ));
        }
    }
    Ok(out)
}
