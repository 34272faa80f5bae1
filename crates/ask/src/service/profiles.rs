//! Profiles: reading one's own, the nickname, and local verification.

use std::time::Duration;

use platform::accounts::{CurrentUser, UserId};
use platform::{AppContext, Error, Result};

use super::{member, profile_of};
use crate::geo::GeoPoint;
use crate::model::Profile;
use crate::regions;
use crate::store::{self, ProfileRow};

/// How long a local verification lasts.
const VERIFIED_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

fn view(ctx: &AppContext, p: ProfileRow) -> Profile {
    let now = ctx.clock.now();
    Profile {
        user_id: p.user_id,
        nickname: p.nickname,
        region_code: p.region_code,
        is_local_verified: p.verified_until.is_some_and(|t| t > now),
        verified_until: p.verified_until,
        last_active_at: p.last_active_at,
        points: p.balance,
        suspended_until: p.suspended_until.filter(|t| *t > now),
    }
}

/// The caller's profile, made on first use; a suspended member still sees theirs (with the
/// suspension). A profile whose visit was recorded within the minute is read without a write.
pub async fn my_profile(ctx: &AppContext, user: &CurrentUser) -> Result<Profile> {
    let fresh = ctx.clock.now().minus(super::TOUCH_EVERY);
    let p = match store::profile(ctx.db.reader(), user.id).await? {
        Some(p) if p.last_active_at >= fresh => p,
        _ => {
            let mut tx = ctx.db.begin().await?;
            let p = profile_of(ctx, &mut tx, user).await?;
            tx.commit().await?;
            p
        }
    };
    let balance = store::balance(ctx.db.reader(), crate::points::Account::User(user.id)).await?;
    Ok(view(ctx, ProfileRow { balance, ..p }))
}

/// Someone's public profile.
pub async fn profile(ctx: &AppContext, user: UserId) -> Result<Profile> {
    store::profile(ctx.db.reader(), user)
        .await?
        .map(|p| view(ctx, p))
        .ok_or_else(|| Error::not_found("profile"))
}

pub async fn set_nickname(ctx: &AppContext, user: &CurrentUser, nickname: &str) -> Result<Profile> {
    let mut tx = ctx.db.begin().await?;
    member(ctx, &mut tx, user).await?;
    store::set_nickname(&mut tx, user.id, nickname).await?;
    tx.commit().await?;
    my_profile(ctx, user).await
}

/// Makes the caller a verified local of the region holding `at`, for 30 days.
pub async fn verify_location(
    ctx: &AppContext,
    user: &CurrentUser,
    at: GeoPoint,
) -> Result<Profile> {
    let region = regions::at(at)
        .ok_or_else(|| Error::invalid_field("location", "is outside every region maru serves"))?;
    let mut tx = ctx.db.begin().await?;
    member(ctx, &mut tx, user).await?;
    store::verify(
        &mut tx,
        user.id,
        &region.code,
        at,
        ctx.clock.now().plus(VERIFIED_FOR),
    )
    .await?;
    tx.commit().await?;
    my_profile(ctx, user).await
}
