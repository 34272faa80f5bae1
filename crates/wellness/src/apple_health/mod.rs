//! Apple Health's `export.xml`, read as a stream and turned into record inputs.
//!
//! Pure (over any `BufRead`): exports are often larger than a gigabyte, so nothing is held but
//! the element at hand, an open blood-pressure correlation or workout, and the sleep session
//! being assembled. What the export holds and how it maps:
//! - quantity `Record`s (heart rate, resting heart rate, SpO2 as a fraction, temperature,
//!   glucose, weight, steps, distance, active and dietary energy, water) become one record
//!   each, units translated to UCUM;
//! - blood pressure comes as a `Correlation` whose systolic and diastolic `Record`s are
//!   repeated at top level: the correlation becomes one record and the top-level copies are
//!   skipped;
//! - sleep is a category `Record` per stage, its `value` a string
//!   (`HKCategoryValueSleepAnalysisAsleepDeep`); stages of one source less than an hour apart
//!   are joined into one session;
//! - `Workout`s keep their activity, with distance and energy from their attributes or, in
//!   newer exports, from `WorkoutStatistics` children.
//!
//! Client ids are made from the type, times and source, so importing the same file again
//! changes nothing. The internal DTD is skipped, and a document declaring entities is refused.

use std::collections::VecDeque;
use std::io::BufRead;

use crate::catalog::{Kind, RecordInput, Source, StageInput};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

mod mapping;

pub use mapping::rfc3339;
use mapping::{
    BLOOD_PRESSURE, DIASTOLIC, SLEEP, SYSTOLIC, activity, client_id, kilocalories, meters,
    quantity_kind, stage, ucum,
};

/// Why an import stopped, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: u64,
    pub message: String,
}

/// A `BufRead` that counts the lines and bytes its reader has consumed.
struct Counting<R> {
    inner: R,
    lines: u64,
    bytes: u64,
}

impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.bytes += n as u64;
        self.lines += bytecount(&out[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let amt = amt.min(buf.len());
            self.lines += bytecount(&buf[..amt]);
        }
        self.bytes += amt as u64;
        self.inner.consume(amt);
    }
}

fn bytecount(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// The attributes of an element, by name.
struct Attrs(Vec<(String, String)>);

impl Attrs {
    fn of(e: &BytesStart<'_>) -> Result<Self, String> {
        let mut out = Vec::new();
        for attr in e.attributes() {
            let attr = attr.map_err(|err| format!("bad attribute: {err}"))?;
            let value = attr.unescape_value().map_err(|err| {
                format!("bad attribute value (entity references are refused): {err}")
            })?;
            out.push((
                String::from_utf8_lossy(attr.key.as_ref()).into_owned(),
                value.into_owned(),
            ));
        }
        Ok(Self(out))
    }

    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn number(&self, name: &str) -> Option<f64> {
        self.get(name).parse().ok()
    }

    fn source(&self) -> Source {
        Source {
            device: Some(self.get("sourceName").to_owned()).filter(|s| !s.is_empty()),
            app: Some("Apple Health".to_owned()),
        }
    }
}

/// A blood-pressure correlation being read.
struct Pressure {
    attrs: Attrs,
    systolic: Option<(f64, String)>,
    diastolic: Option<f64>,
}

/// Sleep stages of one source, joined while less than [`SLEEP_GAP_MINUTES`] apart.
struct Session {
    source: String,
    start: String,
    end: String,
    /// Instant of `end`, for measuring gaps.
    end_at: Option<jiff::Timestamp>,
    stages: Vec<StageInput>,
}

const SLEEP_GAP_MINUTES: i64 = 60;

/// How far the parser got: for progress bars and the closing summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub bytes: u64,
    /// Elements of types with no mapping (or time in bed), passed over.
    pub skipped: u64,
}

/// Reads record inputs out of an export, one at a time.
pub struct Parser<R: BufRead> {
    reader: Reader<Counting<R>>,
    buf: Vec<u8>,
    ready: VecDeque<RecordInput>,
    pressure: Option<Pressure>,
    workout: Option<RecordInput>,
    session: Option<Session>,
    skipped: u64,
    done: bool,
}

impl<R: BufRead> Parser<R> {
    pub fn new(reader: R) -> Self {
        let mut reader = Reader::from_reader(Counting {
            inner: reader,
            lines: 0,
            bytes: 0,
        });
        reader.config_mut().trim_text(true);
        Self {
            reader,
            buf: Vec::with_capacity(4096),
            ready: VecDeque::new(),
            pressure: None,
            workout: None,
            session: None,
            skipped: 0,
            done: false,
        }
    }

    pub fn progress(&self) -> Progress {
        Progress {
            bytes: self.reader.get_ref().bytes,
            skipped: self.skipped,
        }
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.reader.get_ref().lines + 1,
            message: message.into(),
        }
    }

    /// Reads until at least one input is ready or the document ends.
    fn advance(&mut self) -> Result<(), ParseError> {
        while self.ready.is_empty() && !self.done {
            // The event borrows the buffer while the handlers borrow the parser.
            let mut buf = std::mem::take(&mut self.buf);
            buf.clear();
            let outcome = match self.reader.read_event_into(&mut buf) {
                Err(e) => Err(e.to_string()),
                Ok(Event::DocType(d)) => {
                    if d.windows(8).any(|w| w == b"<!ENTITY") {
                        Err("entity declarations are refused".to_owned())
                    } else {
                        Ok(())
                    }
                }
                Ok(Event::Start(e)) => self.element(&e, true),
                Ok(Event::Empty(e)) => self.element(&e, false),
                Ok(Event::End(e)) => {
                    self.close(e.name().as_ref());
                    Ok(())
                }
                Ok(Event::Eof) => {
                    self.flush_sleep();
                    self.done = true;
                    Ok(())
                }
                Ok(_) => Ok(()),
            };
            self.buf = buf;
            outcome.map_err(|m| self.error(m))?;
        }
        Ok(())
    }

    fn element(&mut self, e: &BytesStart<'_>, open: bool) -> Result<(), String> {
        match e.name().as_ref() {
            b"Record" => self.record(&Attrs::of(e)?),
            b"Correlation" => {
                let attrs = Attrs::of(e)?;
                if attrs.get("type") == BLOOD_PRESSURE && open {
                    self.pressure = Some(Pressure {
                        attrs,
                        systolic: None,
                        diastolic: None,
                    });
                } else {
                    self.skipped += 1;
                }
            }
            b"Workout" => {
                let workout = workout(&Attrs::of(e)?);
                if open {
                    self.workout = Some(workout);
                } else {
                    self.ready.push_back(workout);
                }
            }
            b"WorkoutStatistics" => {
                let attrs = Attrs::of(e)?;
                if let Some(w) = &mut self.workout {
                    statistics(w, &attrs);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn close(&mut self, name: &[u8]) {
        match name {
            b"Correlation" => {
                if let Some(p) = self.pressure.take() {
                    self.ready.extend(pressure(p));
                }
            }
            b"Workout" => self.ready.extend(self.workout.take()),
            _ => {}
        }
    }

    fn record(&mut self, attrs: &Attrs) {
        let hk = attrs.get("type");
        if let Some(p) = &mut self.pressure {
            match hk {
                SYSTOLIC => {
                    p.systolic = attrs.number("value").map(|v| (v, ucum(attrs.get("unit"))));
                }
                DIASTOLIC => p.diastolic = attrs.number("value"),
                _ => {}
            }
            return;
        }
        if hk == SYSTOLIC || hk == DIASTOLIC {
            // The correlation carries these; the top-level copies would be counted twice.
            return;
        }
        if hk == SLEEP {
            self.sleep(attrs);
            return;
        }
        let Some(kind) = quantity_kind(hk) else {
            self.skipped += 1;
            return;
        };
        let (start, end) = (attrs.get("startDate"), attrs.get("endDate"));
        let mut value = attrs.number("value");
        let mut unit = ucum(attrs.get("unit"));
        if kind == Kind::OxygenSaturation && unit == "%" {
            // HealthKit stores saturation as a fraction of one.
            value = value.map(|v| if v <= 1.0 { v * 100.0 } else { v });
        }
        if unit.is_empty() {
            kind.unit().clone_into(&mut unit);
        }
        self.ready.push_back(RecordInput {
            client_id: client_id(kind, start, end, attrs.get("sourceName")),
            kind: kind.as_str().to_owned(),
            value,
            unit: Some(unit),
            start: rfc3339(start),
            end: Some(rfc3339(end)),
            source: Some(attrs.source()),
            ..RecordInput::default()
        });
    }

    fn sleep(&mut self, attrs: &Attrs) {
        let Some(stage) = stage(attrs.get("value")) else {
            self.skipped += 1;
            return;
        };
        let source = attrs.get("sourceName");
        let (start, end) = (
            rfc3339(attrs.get("startDate")),
            rfc3339(attrs.get("endDate")),
        );
        let start_at: Option<jiff::Timestamp> = start.parse().ok();
        let joins = self.session.as_ref().is_some_and(|s| {
            s.source == source
                && match (s.end_at, start_at) {
                    (Some(end), Some(start)) => {
                        start.as_second() - end.as_second() <= SLEEP_GAP_MINUTES * 60
                    }
                    _ => false,
                }
        });
        if !joins {
            self.flush_sleep();
        }
        let session = self.session.get_or_insert_with(|| Session {
            source: source.to_owned(),
            start: start.clone(),
            end: end.clone(),
            end_at: None,
            stages: Vec::new(),
        });
        let end_at: Option<jiff::Timestamp> = end.parse().ok();
        if end_at > session.end_at {
            session.end.clone_from(&end);
            session.end_at = end_at;
        }
        session.stages.push(StageInput {
            stage: stage.to_owned(),
            start,
            end,
        });
    }

    fn flush_sleep(&mut self) {
        if let Some(s) = self.session.take() {
            self.ready.push_back(RecordInput {
                client_id: client_id(Kind::Sleep, &s.start, &s.end, &s.source),
                kind: Kind::Sleep.as_str().to_owned(),
                start: s.start,
                end: Some(s.end),
                source: Some(Source {
                    device: Some(s.source).filter(|d| !d.is_empty()),
                    app: Some("Apple Health".to_owned()),
                }),
                stages: Some(s.stages),
                ..RecordInput::default()
            });
        }
    }
}

fn pressure(p: Pressure) -> Option<RecordInput> {
    let (systolic, unit) = p.systolic?;
    let diastolic = p.diastolic?;
    let (start, end) = (p.attrs.get("startDate"), p.attrs.get("endDate"));
    Some(RecordInput {
        client_id: client_id(Kind::BloodPressure, start, end, p.attrs.get("sourceName")),
        kind: Kind::BloodPressure.as_str().to_owned(),
        systolic: Some(systolic),
        diastolic: Some(diastolic),
        unit: Some(unit),
        start: rfc3339(start),
        end: Some(rfc3339(end)),
        source: Some(p.attrs.source()),
        ..RecordInput::default()
    })
}

fn workout(attrs: &Attrs) -> RecordInput {
    let (start, end) = (attrs.get("startDate"), attrs.get("endDate"));
    RecordInput {
        client_id: client_id(Kind::Workout, start, end, attrs.get("sourceName")),
        kind: Kind::Workout.as_str().to_owned(),
        start: rfc3339(start),
        end: Some(rfc3339(end)),
        activity: Some(activity(attrs.get("workoutActivityType"))),
        distance_m: attrs
            .number("totalDistance")
            .map(|d| meters(d, attrs.get("totalDistanceUnit"))),
        energy_kcal: attrs
            .number("totalEnergyBurned")
            .map(|e| kilocalories(e, attrs.get("totalEnergyBurnedUnit"))),
        source: Some(attrs.source()),
        ..RecordInput::default()
    }
}

/// Newer exports keep a workout's totals in `WorkoutStatistics` children.
fn statistics(w: &mut RecordInput, attrs: &Attrs) {
    let Some(sum) = attrs.number("sum") else {
        return;
    };
    let unit = attrs.get("unit");
    match attrs.get("type") {
        t if t.starts_with("HKQuantityTypeIdentifierDistance") => {
            w.distance_m.get_or_insert(meters(sum, unit));
        }
        "HKQuantityTypeIdentifierActiveEnergyBurned" => {
            w.energy_kcal.get_or_insert(kilocalories(sum, unit));
        }
        _ => {}
    }
}

impl<R: BufRead> Iterator for Parser<R> {
    type Item = Result<RecordInput, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Err(e) = self.advance() {
            self.done = true;
            return Some(Err(e));
        }
        self.ready.pop_front().map(Ok)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn parse(xml: &str) -> (Vec<RecordInput>, Option<ParseError>, Progress) {
        let mut parser = Parser::new(xml.as_bytes());
        let mut out = Vec::new();
        let mut error = None;
        for item in parser.by_ref() {
            match item {
                Ok(r) => out.push(r),
                Err(e) => error = Some(e),
            }
        }
        (out, error, parser.progress())
    }

    #[test]
    fn dates_become_rfc3339() {
        assert_eq!(
            rfc3339("2024-06-08 13:14:00 -0400"),
            "2024-06-08T13:14:00-04:00"
        );
        assert_eq!(rfc3339("yesterday"), "yesterday");
    }

    #[test]
    fn correlations_replace_their_top_level_copies() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
]>
<HealthData locale="en_US">
 <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Omron" unit="mmHg" startDate="2024-06-08 08:00:00 +0900" endDate="2024-06-08 08:00:00 +0900" value="128"/>
 <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Omron" unit="mmHg" startDate="2024-06-08 08:00:00 +0900" endDate="2024-06-08 08:00:00 +0900" value="82"/>
 <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Omron" startDate="2024-06-08 08:00:00 +0900" endDate="2024-06-08 08:00:00 +0900">
  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Omron" unit="mmHg" startDate="2024-06-08 08:00:00 +0900" endDate="2024-06-08 08:00:00 +0900" value="128"/>
  <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Omron" unit="mmHg" startDate="2024-06-08 08:00:00 +0900" endDate="2024-06-08 08:00:00 +0900" value="82"/>
 </Correlation>
</HealthData>"#;
        let (records, error, _) = parse(xml);
        assert_eq!(error, None);
        assert_eq!(records.len(), 1);
        assert_eq!(
            (records[0].systolic, records[0].diastolic),
            (Some(128.0), Some(82.0))
        );
        assert_eq!(records[0].unit.as_deref(), Some("mm[Hg]"));
    }

    #[test]
    fn sleep_stages_join_into_sessions() {
        let stage = |v: &str, s: &str, e: &str| {
            format!(
                r#"<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="2024-06-07 {s} +0900" endDate="2024-06-07 {e} +0900" value="HKCategoryValueSleepAnalysis{v}"/>"#
            )
        };
        let xml = format!(
            "<HealthData>{}{}{}{}{}</HealthData>",
            stage("InBed", "22:50:00", "23:59:00"),
            stage("AsleepCore", "23:00:00", "23:30:00"),
            stage("AsleepDeep", "23:30:00", "23:50:00"),
            stage("Awake", "23:50:00", "23:55:00"),
            stage("AsleepREM", "23:55:00", "23:59:00"),
        );
        let (records, error, progress) = parse(&xml);
        assert_eq!(error, None);
        assert_eq!(records.len(), 1);
        let stages = records[0].stages.as_ref().unwrap();
        assert_eq!(
            stages.iter().map(|s| s.stage.as_str()).collect::<Vec<_>>(),
            ["light", "deep", "awake", "rem"]
        );
        assert_eq!(records[0].end.as_deref(), Some("2024-06-07T23:59:00+09:00"));
        assert_eq!(progress.skipped, 1);
    }

    #[test]
    fn entity_declarations_are_refused() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE HealthData [\n<!ENTITY boom \"boom\">\n]>\n<HealthData>&boom;</HealthData>";
        let (records, error, _) = parse(xml);
        assert!(records.is_empty());
        let error = error.unwrap();
        assert!(error.message.contains("entity"), "{error}");
    }

    #[test]
    fn malformed_documents_say_where() {
        let xml = "<HealthData>\n<Record type=\"HKQuantityTypeIdentifierHeartRate\" unit=\"count/min\" startDate=\"2024-06-08 13:14:00 -0400\" endDate=\"2024-06-08 13:14:00 -0400\" value=\"72\"/>\n<Record type=\"oops\n</HealthData>";
        let (records, error, _) = parse(xml);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].unit.as_deref(), Some("/min"));
        let error = error.unwrap();
        assert!(error.line >= 3, "{error}");
    }

    #[test]
    fn workouts_take_totals_from_statistics() {
        let xml = r#"<HealthData><Workout workoutActivityType="HKWorkoutActivityTypeTraditionalStrengthTraining" duration="30" durationUnit="min" sourceName="Watch" startDate="2024-06-08 07:00:00 +0900" endDate="2024-06-08 07:30:00 +0900">
<WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="2024-06-08 07:00:00 +0900" endDate="2024-06-08 07:30:00 +0900" sum="836.8" unit="kJ"/>
<WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" sum="1.2" unit="km"/>
</Workout></HealthData>"#;
        let (records, error, _) = parse(xml);
        assert_eq!(error, None);
        assert_eq!(
            records[0].activity.as_deref(),
            Some("traditional_strength_training")
        );
        assert!((records[0].energy_kcal.unwrap() - 200.0).abs() < 1e-9);
        assert_eq!(records[0].distance_m, Some(1200.0));
    }
}
