//! `maru demo`: three months of synthetic wearable data for the demo accounts — heart rate
//! every five minutes with a daily rhythm and an evening walk, hourly steps, nightly sleep with
//! stages, morning resting heart rate, blood pressure, weight, mood and water.

use std::time::Duration;

use platform::AppContext;
use platform::accounts::service::find_by_username;
use platform::time::Timestamp;

use crate::catalog::{Detail, Kind, Measurement, SleepStage, Source, Stage};
use crate::goals::Goal;
use crate::service::{self, Health};

const DAYS: i64 = 90;
const SEOUL: i32 = 9 * 60;
const MINUTE: i64 = 60_000_000;

/// A small deterministic generator, so every demo has the same data.
struct Noise(u64);

impl Noise {
    /// Uniform in [-1, 1).
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 / (1_u64 << 53) as f64) * 2.0 - 1.0
    }
}

fn record(id: String, kind: Kind, start: i64, end: i64, value: f64) -> Measurement {
    Measurement {
        client_id: id,
        kind,
        start: Timestamp::from_micros(start),
        end: Timestamp::from_micros(end),
        utc_offset: SEOUL,
        value,
        value2: None,
        detail: None,
        note: None,
        source: Source {
            device: Some("Galaxy Watch 6".into()),
            app: Some("maru demo".into()),
        },
    }
}

/// One day of one person, starting at local midnight `day` (micros).
fn day(person: u64, d: i64, day: i64, noise: &mut Noise) -> Vec<Measurement> {
    let mut out = Vec::with_capacity(330);
    let fit = person as f64 * 3.0;
    let id = |what: &str, i: i64| format!("demo-{person}-{what}-{d}-{i}");
    let walk = (18 * 60, 18 * 60 + 40);
    for slot in 0..288 {
        let minute = slot * 5;
        let base = if (6 * 60..23 * 60 + 30).contains(&minute) {
            72.0
        } else {
            56.0
        };
        let bpm = if (walk.0..walk.1).contains(&minute) {
            112.0
        } else {
            base - fit
        } + 4.0 * (minute as f64 / 1440.0 * std::f64::consts::TAU).sin()
            + 3.0 * noise.next();
        out.push(record(
            id("hr", slot),
            Kind::HeartRate,
            day + minute * MINUTE,
            day + minute * MINUTE,
            bpm.round(),
        ));
    }
    let mut walk_record = record(
        id("walk", 0),
        Kind::Workout,
        day + walk.0 * MINUTE,
        day + walk.1 * MINUTE,
        40.0,
    );
    walk_record.detail = Some(Detail::Workout {
        activity: "walking".into(),
        distance_m: Some(3_200.0),
        energy_kcal: Some(160.0),
    });
    out.push(walk_record);
    for hour in 7..23 {
        let steps = if hour == 18 {
            4_200.0
        } else {
            450.0 + 350.0 * noise.next()
        };
        out.push(record(
            id("steps", hour),
            Kind::Steps,
            day + hour * 60 * MINUTE,
            day + (hour * 60 + 59) * MINUTE,
            steps.round(),
        ));
    }
    // Last night's sleep, 23:30 to about 07:00, in 90-minute cycles.
    let bed = day - 30 * MINUTE;
    let wake = day + (7 * 60 + (10.0 * noise.next()) as i64) * MINUTE;
    let mut stages = Vec::new();
    let mut t = bed;
    for (i, (stage, minutes)) in [
        (Stage::Light, 30),
        (Stage::Deep, 40),
        (Stage::Light, 10),
        (Stage::Rem, 20),
    ]
    .iter()
    .cycle()
    .enumerate()
    {
        let end = (t + minutes * MINUTE).min(wake);
        let stage = if i == 9 { Stage::Awake } else { *stage };
        stages.push(SleepStage {
            stage,
            start: Timestamp::from_micros(t),
            end: Timestamp::from_micros(end),
        });
        t = end;
        if t >= wake {
            break;
        }
    }
    let asleep: i64 = stages
        .iter()
        .filter(|s| s.stage != Stage::Awake)
        .map(|s| (s.end.micros() - s.start.micros()) / MINUTE)
        .sum();
    let mut sleep = record(id("sleep", 0), Kind::Sleep, bed, wake, asleep as f64);
    sleep.detail = Some(Detail::Sleep { stages });
    out.push(sleep);
    let morning = day + 7 * 60 * MINUTE + 5 * MINUTE;
    out.push(record(
        id("rhr", 0),
        Kind::RestingHeartRate,
        morning,
        morning,
        (58.0 - fit + 2.0 * noise.next()).round(),
    ));
    if d % 3 == 0 {
        let mut bp = record(
            id("bp", 0),
            Kind::BloodPressure,
            morning,
            morning,
            (118.0 + 6.0 * noise.next()).round(),
        );
        bp.value2 = Some((76.0 + 4.0 * noise.next()).round());
        out.push(bp);
    }
    if d % 7 == 0 {
        out.push(record(
            id("weight", 0),
            Kind::BodyWeight,
            morning,
            morning,
            68.0 + person as f64 * 6.0 - d as f64 * 0.01,
        ));
    }
    let evening = day + 21 * 60 * MINUTE;
    let mut mood = record(
        id("mood", 0),
        Kind::Mood,
        evening,
        evening,
        (4.0 + noise.next()).round().clamp(1.0, 5.0),
    );
    mood.detail = Some(Detail::Mood {
        tags: vec![["산책", "업무", "가족"][(d % 3) as usize].to_owned()],
    });
    out.push(mood);
    for cup in 0..4 {
        let at = day + (9 + cup * 3) * 60 * MINUTE;
        out.push(record(id("water", cup), Kind::Water, at, at, 250.0));
    }
    out
}

pub async fn load(ctx: &AppContext, health: &Health) -> anyhow::Result<()> {
    let now = ctx.clock.now();
    // Local midnight today in Seoul, then back DAYS days.
    let offset = i64::from(SEOUL) * MINUTE;
    let today = (now.micros() + offset).div_euclid(1440 * MINUTE) * 1440 * MINUTE - offset;
    for (person, name) in ["minji", "jiho", "seoyeon"].into_iter().enumerate() {
        let Some(user) = find_by_username(ctx, name).await? else {
            continue;
        };
        let mut noise = Noise(person as u64 + 1);
        let mut records = Vec::new();
        for d in 0..DAYS {
            let midnight = today - (DAYS - d) * 1440 * MINUTE;
            records.extend(day(person as u64, d, midnight, &mut noise));
        }
        records.retain(|m| m.end <= now.plus(Duration::ZERO));
        for chunk in records.chunks(10_000) {
            service::ingest(
                ctx,
                health,
                user.id,
                chunk.iter().cloned().map(Ok).collect(),
                Some("demo-watch"),
            )
            .await?;
        }
        // Everyone walks; minji also watches her sleep.
        let mut goals = vec![Goal::Steps { per_day: 7000.0 }];
        if person == 0 {
            goals.push(Goal::Sleep { hours: 7.0 });
        }
        for goal in goals {
            service::add_goal(ctx, health, user.id, goal).await?;
        }
    }
    Ok(())
}
