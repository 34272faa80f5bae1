//! ask's domain: questions tied to places, answers, the accepted answer, profiles and points.

use platform::accounts::UserId;
use platform::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::geo::GeoPoint;

platform::id_type!(
    /// A question.
    QuestionId
);
platform::id_type!(
    /// An answer to a question.
    AnswerId
);

/// Longest title, in characters (issue 4).
pub const MAX_TITLE_CHARS: usize = 100;
/// Longest question or answer text, in characters.
pub const MAX_CONTENT_CHARS: usize = 5_000;
/// Most hashtags on one question.
pub const MAX_HASHTAGS: usize = 10;
/// Longest hashtag, in characters.
pub const MAX_HASHTAG_CHARS: usize = 30;
/// Most images on one question.
pub const MAX_IMAGES: usize = 10;
/// Largest bounty, in points.
pub const MAX_BOUNTY: i64 = 1_000;

macro_rules! text_enum {
    ($ty:ident { $($variant:ident = $text:literal),+ }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)+ _ => None }
            }

            /// The accepted spellings, for error messages.
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

/// What a question is about (seed 003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Food,
    Lodging,
    Transport,
    Weather,
    Activity,
    Life,
    Other,
}
text_enum!(Category { Food = "food", Lodging = "lodging", Transport = "transport", Weather = "weather",
    Activity = "activity", Life = "life", Other = "other" });

/// Urgent questions are routed to verified locals nearby and listed first by `sortBy=urgent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Normal,
    Urgent,
}
text_enum!(Urgency { Normal = "normal", Urgent = "urgent" });

/// Where a question is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Open for answers and listed.
    Active,
    /// A bounty question nobody's answer was accepted for within 7 days; the bounty went back.
    Closed,
    /// Removed by its author.
    Deleted,
}
text_enum!(Status { Active = "active", Closed = "closed", Deleted = "deleted" });

/// A place a question or answer is about.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Place {
    pub lat: f64,
    pub lng: f64,
    pub place_name: Option<String>,
}

impl Place {
    pub fn point(&self) -> GeoPoint {
        GeoPoint::new_unchecked(self.lat, self.lng)
    }
}

/// Who wrote something, as lists show them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Author {
    #[schema(value_type = String)]
    pub id: UserId,
    pub nickname: String,
    pub region_code: Option<String>,
    pub is_local_verified: bool,
}

/// A question as lists, search and nearby show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionSummary {
    pub id: QuestionId,
    pub title: String,
    pub content: String,
    pub category: Category,
    pub hashtags: Vec<String>,
    pub location: Option<Place>,
    pub region_code: Option<String>,
    pub urgency: Urgency,
    pub bounty: i64,
    pub status: Status,
    pub author: Author,
    pub answer_count: i64,
    pub like_count: i64,
    pub has_accepted_answer: bool,
    pub created_at: Timestamp,
}

/// A question with everything its page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Question {
    #[serde(flatten)]
    pub summary: QuestionSummary,
    #[schema(value_type = Vec<String>)]
    pub image_ids: Vec<String>,
    pub accepted_answer_id: Option<AnswerId>,
    pub updated_at: Timestamp,
    /// Present for moderators and the author when a moderator hid the question.
    pub hidden_reason: Option<String>,
    /// Accepted first, then by likes, then oldest first.
    pub answers: Vec<Answer>,
}

/// An answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Answer {
    pub id: AnswerId,
    pub question_id: QuestionId,
    pub content: String,
    pub place: Option<Place>,
    pub author: Author,
    pub like_count: i64,
    pub is_accepted: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Present for moderators and the author when a moderator hid the answer.
    pub hidden_reason: Option<String>,
}

/// The stored facts about a question the rules of answering and accepting need.
#[derive(Debug, Clone)]
pub struct QuestionState {
    pub id: QuestionId,
    pub author: UserId,
    pub status: Status,
    pub hidden: bool,
    pub bounty: i64,
    pub accepted: Option<Acceptance>,
    pub answer_count: i64,
    pub created_at: Timestamp,
}

/// The outcome of accepting an answer, the same every time it is asked again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Acceptance {
    pub question_id: QuestionId,
    pub answer_id: AnswerId,
    #[schema(value_type = String)]
    pub answerer_id: UserId,
    #[schema(value_type = String)]
    pub questioner_id: UserId,
    /// Bounty plus the base reward, paid to the answerer.
    pub points: i64,
    pub accepted_at: Timestamp,
}

/// A user's ask profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Profile {
    #[schema(value_type = String)]
    pub user_id: UserId,
    pub nickname: String,
    pub region_code: Option<String>,
    pub is_local_verified: bool,
    /// When the local verification lapses.
    pub verified_until: Option<Timestamp>,
    pub last_active_at: Timestamp,
    pub points: i64,
    pub suspended_until: Option<Timestamp>,
}

/// Checks a title: 1-100 characters after trimming.
pub fn title(raw: &str) -> Result<String, String> {
    bounded_text(raw, MAX_TITLE_CHARS)
}

/// Checks a question's or answer's text: 1-5,000 characters after trimming.
pub fn content(raw: &str) -> Result<String, String> {
    bounded_text(raw, MAX_CONTENT_CHARS)
}

fn bounded_text(raw: &str, max: usize) -> Result<String, String> {
    let text = raw.trim();
    match text.chars().count() {
        0 => Err("must not be empty".to_owned()),
        n if n > max => Err(format!("must be at most {max} characters (got {n})")),
        _ => Ok(text.to_owned()),
    }
}

/// Normalises hashtags: a leading `#` dropped, lower-cased, duplicates removed, order kept.
/// A tag is letters, digits and `_` (Hangul included), 1-30 characters; at most 10 tags.
pub fn hashtags(raw: &[String]) -> Result<Vec<String>, String> {
    if raw.len() > MAX_HASHTAGS {
        return Err(format!(
            "at most {MAX_HASHTAGS} hashtags (got {})",
            raw.len()
        ));
    }
    let mut tags: Vec<String> = Vec::with_capacity(raw.len());
    for tag in raw {
        let tag = tag.trim().trim_start_matches('#').to_lowercase();
        let length = tag.chars().count();
        if length == 0 || length > MAX_HASHTAG_CHARS {
            return Err(format!(
                "each hashtag must be 1-{MAX_HASHTAG_CHARS} characters"
            ));
        }
        if !tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(format!("`{tag}` may hold only letters, digits and _"));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}

/// Checks a bounty: 0 to 1,000 points.
pub fn bounty(raw: Option<i64>) -> Result<i64, String> {
    match raw.unwrap_or(0) {
        b @ 0..=MAX_BOUNTY => Ok(b),
        _ => Err(format!("must be between 0 and {MAX_BOUNTY} points")),
    }
}

/// Checks a place name: up to 100 characters, blank meaning none.
pub fn place_name(raw: Option<&str>) -> Result<Option<String>, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(name) if name.chars().count() > 100 => {
            Err("place_name must be at most 100 characters".to_owned())
        }
        Some(name) => Ok(Some(name.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_are_normalised_and_bounded() {
        let tags = hashtags(&["#제주맛집".into(), "JejuFood".into(), "제주맛집".into()]);
        assert_eq!(tags, Ok(vec!["제주맛집".to_owned(), "jejufood".to_owned()]));
        let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert!(hashtags(&eleven).is_err());
        assert!(hashtags(&["a b".into()]).is_err());
        assert!(hashtags(&["#".into()]).is_err());
    }

    #[test]
    fn texts_are_trimmed_and_bounded_in_characters() {
        assert_eq!(title("  제주 맛집  "), Ok("제주 맛집".to_owned()));
        assert!(title("   ").is_err());
        assert!(title(&"가".repeat(101)).is_err());
        assert!(content(&"가".repeat(5_000)).is_ok());
        assert!(content(&"가".repeat(5_001)).is_err());
    }

    #[test]
    fn bounties_stay_within_bounds() {
        assert_eq!(bounty(None), Ok(0));
        assert_eq!(bounty(Some(1_000)), Ok(1_000));
        assert!(bounty(Some(1_001)).is_err());
        assert!(bounty(Some(-1)).is_err());
    }
}
