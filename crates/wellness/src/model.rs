//! wellness' API shapes: records as stored and shown, batch outcomes, series, alerts.

use platform::accounts::UserId;
use platform::time::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::{Detail, Kind, Source};

platform::id_type!(
    /// A stored health record.
    RecordId
);
platform::id_type!(
    /// A raised alert.
    AlertId
);
platform::id_type!(
    /// An alert rule.
    RuleId
);
platform::id_type!(
    /// A goal.
    GoalId
);

/// A stored record, values in the kind's canonical unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Record {
    pub id: RecordId,
    pub client_id: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    /// The value (absent for blood pressure, which has `systolic` and `diastolic`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub systolic: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diastolic: Option<f64>,
    /// UCUM.
    pub unit: &'static str,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The offset the client recorded it with, in minutes east of UTC.
    pub utc_offset_minutes: i32,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Detail>,
    /// Shown to its owner only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub source: Source,
    /// The change number of its last change (sync tokens count these).
    pub seq: i64,
}

/// What became of one item of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Accepted,
    Duplicate,
    Rejected,
}

/// The answer for one item of a batch, in the batch's order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemResult {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub status: ItemStatus,
    /// For a rejected item: the field at fault and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The answer to a batch upload.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchOutcome {
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub results: Vec<ItemResult>,
}

/// One bucket of a series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Point {
    pub start: Timestamp,
    /// Absent for raw values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
    pub count: i64,
    pub min: f64,
    pub max: f64,
    pub avg: f64,
    pub sum: f64,
}

/// A series over a time range.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesPage {
    pub user_id: UserId,
    pub series: crate::catalog::Series,
    pub unit: &'static str,
    pub bucket: String,
    pub time_zone: String,
    pub from: Timestamp,
    pub to: Timestamp,
    pub points: Vec<Point>,
    /// Raw values only: more values lie in the range than were returned.
    pub truncated: bool,
}

/// Several series over one range, in the order asked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesSet {
    pub series: Vec<SeriesPage>,
}

/// A raised alert.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Alert {
    pub id: AlertId,
    /// `rule:{id}` for a rule, `anomaly:{series}` for the anomaly detector.
    pub kind: String,
    pub severity: crate::alerts::Severity,
    pub series: String,
    pub message: String,
    pub value: f64,
    /// The last instant of the evidence.
    pub observed_at: Timestamp,
    pub created_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<Timestamp>,
}

/// What every health response that interprets data carries.
pub const NOT_MEDICAL_ADVICE: &str = "This is general wellness information, not medical advice. \
     Talk to a health professional about symptoms or before changing treatment. \
     이 정보는 일반적인 건강 정보이며 의학적 조언이 아닙니다.";
