//! FHIR R4 Observations over a member's records: search, read, create.

use platform::accounts::{CurrentUser, UserId};
use platform::{AppContext, Error, Result};
use serde_json::Value;

use super::goals::daily_values;
use super::records::{owner_key, record_one, record_view};
use super::{Health, readable, zone_of};
use crate::catalog::{self, Kind, Series};
use crate::fhir::{self, Search};
use crate::rollup;
use crate::store;

/// Observations of the searched patient, newest first, at most `search.count`.
pub async fn search(
    ctx: &AppContext,
    health: &Health,
    viewer: &CurrentUser,
    search: &Search,
) -> Result<Vec<Value>> {
    let subject = readable(
        ctx,
        viewer,
        search.patient.as_deref().unwrap_or("me"),
        "fhir",
    )
    .await?;
    let (_, tz) = zone_of(ctx, health, subject.user).await?;
    let (from, to) = fhir::date_range(&search.dates, &tz);
    let kinds: Vec<Kind> = if search.kinds.is_empty() {
        fhir::CODES.iter().map(|c| c.kind).collect()
    } else {
        search.kinds.clone()
    };
    let patient = subject.user.to_string();
    let limit = i64::try_from(search.count).unwrap_or(i64::MAX);
    let key = owner_key(ctx, health, subject).await?;
    let records: Vec<Kind> = kinds
        .iter()
        .copied()
        .filter(|k| *k != Kind::Steps)
        .collect();
    let mut found: Vec<(platform::time::Timestamp, Value)> = Vec::new();
    if !records.is_empty() {
        for row in store::records(ctx.db.reader(), subject.user, &records, from, to, limit).await? {
            let at = row.at();
            let view = record_view(row, key.as_ref());
            found.extend(fhir::observation(&view, &patient).map(|o| (at, o)));
        }
    }
    if kinds.contains(&Kind::Steps) {
        let first = rollup::local_date(from.max(platform::time::Timestamp::from_micros(0)), &tz);
        let last = rollup::local_date(
            to.min(ctx.clock.now())
                .minus(std::time::Duration::from_micros(1)),
            &tz,
        );
        for (date, total) in
            daily_values(ctx, subject.user, Series::Steps, &tz, first, last).await?
        {
            found.push(steps_of(&patient, date, total, &tz));
        }
    }
    found.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    found.truncate(search.count);
    Ok(found.into_iter().map(|(_, o)| o).collect())
}

/// The daily steps Observation of `date`, keyed by the day's start.
fn steps_of(
    patient: &str,
    date: jiff::civil::Date,
    total: f64,
    tz: &jiff::tz::TimeZone,
) -> (platform::time::Timestamp, Value) {
    let start = rollup::date_start(date, tz);
    let end = rollup::next_bucket(rollup::Level::Day, start, tz);
    let offset = rollup::offset_minutes(start, tz);
    (
        start,
        fhir::daily_steps(patient, date, (start, end), offset, total),
    )
}

/// One Observation by id, if the viewer may read its patient.
pub async fn read(
    ctx: &AppContext,
    health: &Health,
    viewer: &CurrentUser,
    id: &str,
) -> Result<Value> {
    let missing = || Error::not_found("Observation");
    if let Some((patient, date)) = fhir::parse_daily_steps_id(id) {
        let subject = readable(ctx, viewer, patient, "fhir").await?;
        let (_, tz) = zone_of(ctx, health, subject.user).await?;
        let days = daily_values(ctx, subject.user, Series::Steps, &tz, date, date).await?;
        let total = days.get(&date).ok_or_else(missing)?;
        return Ok(steps_of(&subject.user.to_string(), date, *total, &tz).1);
    }
    let id: i64 = id.parse().map_err(|_| missing())?;
    let owner = store::record_owner(ctx.db.reader(), id)
        .await?
        .ok_or_else(missing)?;
    let subject = readable(ctx, viewer, &owner.to_string(), "fhir").await?;
    let row = store::record(ctx.db.reader(), subject.user, id)
        .await?
        .ok_or_else(missing)?;
    let key = owner_key(ctx, health, subject).await?;
    fhir::observation(&record_view(row, key.as_ref()), &owner.to_string()).ok_or_else(missing)
}

/// Stores a posted Observation as the caller's record; the stored Observation, and whether it
/// was new (a retry answers the first one).
pub async fn create(
    ctx: &AppContext,
    health: &Health,
    user: UserId,
    body: &Value,
) -> Result<(Value, bool)> {
    let reference = body["subject"]["reference"].as_str();
    if reference.is_some_and(|r| r != format!("Patient/{user}") && r != "Patient/me") {
        return Err(Error::invalid_field(
            "subject.reference",
            "you may only post your own Observations",
        ));
    }
    let input = fhir::record_input(body).map_err(|e| Error::validation(vec![e]))?;
    let m = catalog::measure(input, ctx.clock.now()).map_err(|e| Error::validation(vec![e]))?;
    let (record, created) = record_one(ctx, health, user, m).await?;
    let observation = fhir::observation(&record, &user.to_string())
        .ok_or_else(|| Error::internal(anyhow::anyhow!("a FHIR kind without a FHIR form")))?;
    Ok((observation, created))
}
