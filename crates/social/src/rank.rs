//! The home feed's ranking: one explainable score per post, computed from numbers the reader
//! can be shown.
//!
//! `score = recency × (1 + velocity) × affinity`, where
//! - `recency = 0.5^(age_hours / 24)`: a post loses half its weight each day;
//! - `velocity = (likes + 2 × comments + 3 × shares) / (age_hours + 2)`: engagement per hour,
//!   with two hours of smoothing so a brand-new post with one like does not outrank everything;
//! - `affinity = 1 + ln(1 + interactions)`: the reader's likes and comments on the author's posts
//!   over the last 30 days, with diminishing returns.
//!
//! Ties keep reverse-chronological order.

use serde::Serialize;
use utoipa::ToSchema;

use crate::model::Engagement;

/// Hours after which a post's recency weight halves.
pub const HALF_LIFE_HOURS: f64 = 24.0;
/// Hours added to a post's age when computing engagement velocity.
pub const VELOCITY_SMOOTHING_HOURS: f64 = 2.0;

/// A post's score and the parts it is made of (`?explain=true`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Score {
    /// The product of the parts below.
    pub total: f64,
    pub age_hours: f64,
    pub recency: f64,
    pub velocity: f64,
    pub affinity: f64,
    /// The reader's likes and comments on this author's posts in the last 30 days.
    pub interactions: i64,
}

/// Scores a post of `age_hours` with `engagement` for a reader with `interactions` with its
/// author.
pub fn score(age_hours: f64, engagement: Engagement, interactions: i64) -> Score {
    let age_hours = age_hours.max(0.0);
    let recency = 0.5f64.powf(age_hours / HALF_LIFE_HOURS);
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let weighted = (engagement.likes_count
        + 2 * engagement.comments_count
        + 3 * engagement.shares_count) as f64;
    let velocity = weighted / (age_hours + VELOCITY_SMOOTHING_HOURS);
    #[allow(clippy::cast_precision_loss)]
    let affinity = 1.0 + (interactions.max(0) as f64).ln_1p();
    Score {
        total: recency * (1.0 + velocity) * affinity,
        age_hours,
        recency,
        velocity,
        affinity,
        interactions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engagement(likes: i64, comments: i64, shares: i64) -> Engagement {
        Engagement {
            likes_count: likes,
            comments_count: comments,
            shares_count: shares,
            views_count: 0,
        }
    }

    #[test]
    fn a_day_halves_recency_and_the_parts_multiply() {
        let s = score(24.0, engagement(13, 0, 0), 0);
        assert!((s.recency - 0.5).abs() < 1e-12);
        assert!((s.velocity - 0.5).abs() < 1e-12);
        assert!((s.affinity - 1.0).abs() < 1e-12);
        assert!((s.total - 0.75).abs() < 1e-12);
    }

    #[test]
    fn engagement_and_affinity_lift_and_age_sinks() {
        let quiet = score(1.0, engagement(0, 0, 0), 0).total;
        assert!(score(1.0, engagement(5, 1, 0), 0).total > quiet);
        assert!(score(1.0, engagement(0, 0, 0), 10).total > quiet);
        assert!(score(48.0, engagement(0, 0, 0), 0).total < quiet);
        // Comments weigh more than likes, shares more than comments.
        let like = score(1.0, engagement(1, 0, 0), 0).total;
        let comment = score(1.0, engagement(0, 1, 0), 0).total;
        let share = score(1.0, engagement(0, 0, 1), 0).total;
        assert!(like < comment && comment < share);
    }
}
