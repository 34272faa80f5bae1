//! Searching Observations: the query parameters FHIR defines for them (`patient`, `code`,
//! `date` with prefixes, `_count`), the time range they leave, and the searchset Bundle.

use platform::FieldError;
use platform::time::Timestamp;
use serde_json::{Value, json};

use super::{field, kind_of};
use crate::catalog::Kind;

/// A searchset Bundle of `resources`, each under `base/Observation/{id}`.
pub fn bundle(base: &str, self_url: &str, resources: Vec<Value>) -> Value {
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|r| {
            let id = r["id"].as_str().unwrap_or_default().to_owned();
            json!({ "fullUrl": format!("{base}/Observation/{id}"), "resource": r, "search": { "mode": "match" } })
        })
        .collect();
    json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": entries.len(),
        "link": [{ "relation": "self", "url": self_url }],
        "entry": entries,
    })
}

/// Most Observations in one Bundle, and the default.
pub const MAX_COUNT: usize = 1000;
pub const DEFAULT_COUNT: usize = 100;

/// A search over Observations: `patient`, `code` (comma-separated, any of), `date` (repeated,
/// with the prefixes eq, ge, gt, le, lt) and `_count`.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    /// `me`, a user id, or `Patient/{id}`; the searcher when absent.
    pub patient: Option<String>,
    /// Empty for every kind with a FHIR form.
    pub kinds: Vec<Kind>,
    pub dates: Vec<(Prefix, When)>,
    pub count: usize,
}

/// A date search prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
}

/// A date search value: a whole local day, or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Day(jiff::civil::Date),
    Instant(Timestamp),
}

/// Reads a search's query parameters; unknown ones are refused rather than ignored, so a
/// client never takes an unfiltered answer for a filtered one.
pub fn parse_search<'a>(
    pairs: impl IntoIterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
) -> Result<Search, FieldError> {
    let mut search = Search {
        patient: None,
        kinds: Vec::new(),
        dates: Vec::new(),
        count: DEFAULT_COUNT,
    };
    for (name, value) in pairs {
        match name.as_ref() {
            "patient" | "subject" => {
                let id = value.strip_prefix("Patient/").unwrap_or(&value);
                search.patient = Some(id.to_owned());
            }
            "code" => {
                for token in value.split(',') {
                    let kind = kind_of(token).ok_or_else(|| {
                        field(
                            "code",
                            format!("`{token}` is not a LOINC code this server serves"),
                        )
                    })?;
                    search.kinds.push(kind);
                }
            }
            "date" => search.dates.push(parse_date(&value)?),
            "_count" => {
                search.count = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_COUNT).contains(n))
                    .ok_or_else(|| field("_count", format!("must be between 1 and {MAX_COUNT}")))?;
            }
            "_format" => {}
            other => {
                return Err(field(other, "is not a supported search parameter"));
            }
        }
    }
    Ok(search)
}

fn parse_date(value: &str) -> Result<(Prefix, When), FieldError> {
    let (prefix, rest) = match value.get(..2) {
        Some("eq") => (Prefix::Eq, &value[2..]),
        Some("ge") => (Prefix::Ge, &value[2..]),
        Some("gt") => (Prefix::Gt, &value[2..]),
        Some("le") => (Prefix::Le, &value[2..]),
        Some("lt") => (Prefix::Lt, &value[2..]),
        _ => (Prefix::Eq, value),
    };
    let when = if let Ok(day) = jiff::civil::Date::strptime("%Y-%m-%d", rest) {
        When::Day(day)
    } else if let Some(t) = Timestamp::parse_rfc3339(rest) {
        When::Instant(t)
    } else {
        return Err(field(
            "date",
            "must be a date (2026-11-22) or a time with offset, after an optional eq, ge, gt, le or lt",
        ));
    };
    Ok((prefix, when))
}

/// The instants `[from, to)` the date conditions leave, days taken in `tz`.
pub fn date_range(dates: &[(Prefix, When)], tz: &jiff::tz::TimeZone) -> (Timestamp, Timestamp) {
    let (mut from, mut to) = (Timestamp::from_micros(0), Timestamp::from_micros(i64::MAX));
    for &(prefix, when) in dates {
        let (lo, hi) = match when {
            When::Day(d) => (
                crate::rollup::date_start(d, tz),
                d.tomorrow()
                    .map_or(to, |next| crate::rollup::date_start(next, tz)),
            ),
            When::Instant(t) => (t, Timestamp::from_micros(t.micros() + 1)),
        };
        match prefix {
            Prefix::Eq => {
                from = from.max(lo);
                to = to.min(hi);
            }
            Prefix::Ge => from = from.max(lo),
            Prefix::Gt => from = from.max(hi),
            Prefix::Le => to = to.min(hi),
            Prefix::Lt => to = to.min(lo),
        }
    }
    (from, to)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn searches_parse_and_narrow_dates() {
        use std::borrow::Cow;
        let pairs = [
            ("patient", "Patient/me"),
            ("code", "http://loinc.org|8867-4,85354-9"),
            ("date", "ge2026-11-20"),
            ("date", "lt2026-11-22T00:00:00+09:00"),
        ]
        .map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)));
        let s = parse_search(pairs).unwrap();
        assert_eq!(s.patient.as_deref(), Some("me"));
        assert_eq!(s.kinds, vec![Kind::HeartRate, Kind::BloodPressure]);
        let seoul = jiff::tz::TimeZone::get("Asia/Seoul").unwrap();
        let (from, to) = date_range(&s.dates, &seoul);
        assert_eq!(from.to_rfc3339(), "2026-11-19T15:00:00.000000Z");
        assert_eq!(to.to_rfc3339(), "2026-11-21T15:00:00.000000Z");
        let bad = [(Cow::Borrowed("colour"), Cow::Borrowed("red"))];
        assert_eq!(parse_search(bad).unwrap_err().field, "colour");
    }
}
