//! ration's use cases: every change checks the caller's farm role, writes its audit entry and
//! its events in the same transaction.

use platform::accounts::{CurrentUser, UserId};
use platform::db::Tx;
use platform::{AppContext, Error, FieldError, Result};
use serde_json::json;

use crate::engine::formulate;
use crate::engine::problem::validate;
use crate::engine::requirements::Animal;
use crate::events::FEED_PRICE_CHANGED;
use crate::model::{
    AnimalGroup, AnimalGroupId, AuditEntry, Farm, FarmId, FarmRole, Feed, FeedId, FormulationId,
    FormulationRequest, FormulationSummary, Member, PricePoint, SavedFormulation,
};
use crate::store;

/// What a member read: a farm the caller is not a member of does not exist for them (404).
fn as_member<T>(read: Option<T>) -> Result<T> {
    read.ok_or_else(|| Error::not_found("no such farm"))
}

/// The caller's role on `farm`, at least `needed`. Farms the caller is not a member of do not
/// exist as far as the caller can tell (404).
async fn require(
    ctx: &AppContext,
    farm: FarmId,
    user: &CurrentUser,
    needed: FarmRole,
) -> Result<FarmRole> {
    let role = store::role(ctx.db.reader(), farm, user.id)
        .await?
        .ok_or_else(|| Error::not_found("no such farm"))?;
    if role >= needed {
        Ok(role)
    } else {
        Err(Error::forbidden(format!(
            "this needs the {} role on the farm",
            needed.as_str()
        )))
    }
}

async fn audit(
    ctx: &AppContext,
    tx: &mut Tx,
    farm: FarmId,
    actor: UserId,
    (action, subject): (&str, &str),
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<()> {
    let entry = store::AuditRecord {
        id: ctx.next_id(),
        farm,
        actor,
        action,
        subject,
        before: before.as_ref(),
        after: after.as_ref(),
        at: ctx.clock.now(),
    };
    store::audit(tx, &entry).await
}

pub async fn create_farm(ctx: &AppContext, user: &CurrentUser, name: &str) -> Result<Farm> {
    let id = FarmId::from_raw(ctx.next_id());
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    store::insert_farm(&mut tx, id, name, user.id, now).await?;
    audit(
        ctx,
        &mut tx,
        id,
        user.id,
        ("farm.created", &id.to_string()),
        None,
        Some(json!({ "name": name })),
    )
    .await?;
    tx.commit().await?;
    Ok(Farm {
        id,
        name: name.to_owned(),
        created_at: now,
        role: FarmRole::Owner,
    })
}

pub async fn farms(ctx: &AppContext, user: &CurrentUser) -> Result<Vec<Farm>> {
    store::farms_of(ctx.db.reader(), user.id).await
}

pub async fn farm(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
) -> Result<(Farm, Vec<Member>)> {
    as_member(store::farm_for(ctx.db.reader(), farm, user.id).await?)
}

/// Adds a member or changes their role (owners only). A farm always keeps an owner.
pub async fn set_member(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
    member: UserId,
    role: FarmRole,
) -> Result<()> {
    require(ctx, farm, user, FarmRole::Owner).await?;
    if platform::accounts::service::find_user(ctx, member)
        .await?
        .is_none()
    {
        return Err(Error::invalid_field("user_id", "no such user"));
    }
    let mut tx = ctx.db.begin().await?;
    let before = store::role(&mut *tx, farm, member).await?;
    if before == Some(FarmRole::Owner)
        && role != FarmRole::Owner
        && store::owners(&mut *tx, farm).await? <= 1
    {
        return Err(Error::conflict("the farm's last owner cannot step down"));
    }
    store::set_member(&mut tx, farm, member, role, ctx.clock.now()).await?;
    let before = before.map(|r| json!({ "role": r }));
    audit(
        ctx,
        &mut tx,
        farm,
        user.id,
        ("member.set", &member.to_string()),
        before,
        Some(json!({ "role": role })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
    member: UserId,
) -> Result<()> {
    require(ctx, farm, user, FarmRole::Owner).await?;
    let mut tx = ctx.db.begin().await?;
    let before = store::role(&mut *tx, farm, member)
        .await?
        .ok_or_else(|| Error::not_found("not a member"))?;
    if before == FarmRole::Owner && store::owners(&mut *tx, farm).await? <= 1 {
        return Err(Error::conflict("the farm's last owner cannot leave"));
    }
    store::remove_member(&mut tx, farm, member).await?;
    audit(
        ctx,
        &mut tx,
        farm,
        user.id,
        ("member.removed", &member.to_string()),
        Some(json!({ "role": before })),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn audit_log(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
) -> Result<Vec<AuditEntry>> {
    require(ctx, farm, user, FarmRole::Viewer).await?;
    store::audit_log(ctx.db.reader(), farm, 500).await
}

pub async fn add_feed(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
    mut feed: Feed,
) -> Result<Feed> {
    require(ctx, farm, user, FarmRole::Nutritionist).await?;
    feed.id = FeedId::from_raw(ctx.next_id());
    feed.updated_at = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    store::insert_feed(&mut tx, farm, &feed)
        .await
        .map_err(|e| {
            if e.kind() == platform::error::ErrorKind::Conflict {
                Error::conflict_on(FieldError::new("code", "is already used on this farm"))
            } else {
                e
            }
        })?;
    store::set_price(
        &mut tx,
        ctx.next_id(),
        feed.id,
        feed.price,
        user.id,
        feed.updated_at,
    )
    .await?;
    let after = serde_json::to_value(&feed).map_err(Error::internal)?;
    audit(
        ctx,
        &mut tx,
        farm,
        user.id,
        ("feed.added", &feed.code),
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(feed)
}

pub async fn feeds(ctx: &AppContext, user: &CurrentUser, farm: FarmId) -> Result<Vec<Feed>> {
    as_member(store::feeds_for(ctx.db.reader(), farm, user.id).await?)
}

/// Sets a feed's price, keeps the old one in its history, and lets the repricing subscriber
/// look for cheaper recipes.
pub async fn set_price(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
    feed: FeedId,
    price: f64,
) -> Result<Feed> {
    require(ctx, farm, user, FarmRole::Nutritionist).await?;
    let mut tx = ctx.db.begin().await?;
    let mut current = store::feed(&mut *tx, farm, feed)
        .await?
        .ok_or_else(|| Error::not_found("no such feed"))?;
    let before = current.price;
    current.price = price;
    current.updated_at = ctx.clock.now();
    store::set_price(
        &mut tx,
        ctx.next_id(),
        feed,
        price,
        user.id,
        current.updated_at,
    )
    .await?;
    audit(
        ctx,
        &mut tx,
        farm,
        user.id,
        ("feed.price", &current.code),
        Some(json!({ "price": before })),
        Some(json!({ "price": price })),
    )
    .await?;
    ctx.bus
        .publish(
            &mut tx,
            FEED_PRICE_CHANGED,
            &json!({ "farm_id": farm, "feed_id": feed }),
        )
        .await?;
    tx.commit().await?;
    ctx.bus.wake();
    Ok(current)
}

pub async fn price_history(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
    feed: FeedId,
) -> Result<Vec<PricePoint>> {
    require(ctx, farm, user, FarmRole::Viewer).await?;
    store::feed(ctx.db.reader(), farm, feed)
        .await?
        .ok_or_else(|| Error::not_found("no such feed"))?;
    store::price_history(ctx.db.reader(), feed).await
}

/// The farm feeds a request names, in its order; an unknown code is a 422 naming its place.
pub(crate) fn pick_feeds(all: &[Feed], codes: &[String]) -> Result<Vec<Feed>> {
    codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            all.iter()
                .find(|f| &f.code == code)
                .cloned()
                .ok_or_else(|| {
                    Error::invalid_field(
                        format!("feeds[{i}]"),
                        format!("no feed `{code}` on this farm"),
                    )
                })
        })
        .collect()
}

/// Formulates from the farm's feeds at today's prices and saves input and answer together.
pub async fn formulate_and_save(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
    request: FormulationRequest,
) -> Result<SavedFormulation> {
    require(ctx, farm, user, FarmRole::Nutritionist).await?;
    let name =
        crate::model::farm_name(&request.name).map_err(|e| Error::invalid_field("name", e))?;
    let feeds = pick_feeds(&store::feeds(ctx.db.reader(), farm).await?, &request.feeds)?;
    let problem = request.problem(&feeds);
    validate(&problem, "").map_err(|e| Error::invalid_field(e.place, e.message))?;
    let problem_json = serde_json::to_value(&problem).map_err(Error::internal)?;
    let result = tokio::task::spawn_blocking(move || formulate(&problem))
        .await
        .map_err(Error::internal)?;
    let saved = SavedFormulation {
        summary: FormulationSummary {
            id: FormulationId::from_raw(ctx.next_id()),
            name,
            status: result.status.to_owned(),
            cost_per_kg: result.objective,
            created_by: user.id,
            created_at: ctx.clock.now(),
        },
        problem: problem_json,
        result: serde_json::to_value(&result).map_err(Error::internal)?,
    };
    let mut tx = ctx.db.begin().await?;
    store::insert_formulation(&mut tx, farm, &saved).await?;
    audit(
        ctx,
        &mut tx,
        farm,
        user.id,
        ("formulation.saved", &saved.summary.id.to_string()),
        None,
        Some(json!({ "name": saved.summary.name, "cost_per_kg": saved.summary.cost_per_kg })),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

pub async fn formulations(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
) -> Result<Vec<FormulationSummary>> {
    as_member(store::summaries_for(ctx.db.reader(), farm, user.id).await?)
}

pub async fn formulation(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
    id: FormulationId,
) -> Result<SavedFormulation> {
    as_member(store::formulation_for(ctx.db.reader(), farm, id, user.id).await?)?
        .ok_or_else(|| Error::not_found("no such formulation"))
}

/// Adds a group of alike animals (nutritionists and owners); its requirements come with it.
pub async fn add_group(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
    name: String,
    head_count: i64,
    animal: Animal,
) -> Result<AnimalGroup> {
    require(ctx, farm, user, FarmRole::Nutritionist).await?;
    let group = AnimalGroup {
        id: AnimalGroupId::from_raw(ctx.next_id()),
        name,
        head_count,
        requirements: animal.requirements(),
        animal,
        created_at: ctx.clock.now(),
    };
    let mut tx = ctx.db.begin().await?;
    store::insert_group(&mut tx, farm, &group).await?;
    let after = serde_json::to_value(&group.animal).map_err(Error::internal)?;
    audit(
        ctx,
        &mut tx,
        farm,
        user.id,
        ("animals.added", &group.name),
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(group)
}

pub async fn groups(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
) -> Result<Vec<AnimalGroup>> {
    as_member(store::groups_for(ctx.db.reader(), farm, user.id).await?)
}

/// Saved formulations side by side.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub formulations: Vec<ComparedFormulation>,
    /// Each ingredient's share in each formulation (in the order above; null = not offered).
    pub ingredients: Vec<ComparedRow>,
    /// Each nutrient's supply in each formulation.
    pub nutrients: Vec<ComparedRow>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ComparedFormulation {
    pub id: FormulationId,
    pub name: String,
    pub status: String,
    pub cost_per_kg: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ComparedRow {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

pub async fn compare(
    ctx: &AppContext,
    user: &CurrentUser,
    farm: FarmId,
    ids: &[FormulationId],
) -> Result<Comparison> {
    require(ctx, farm, user, FarmRole::Viewer).await?;
    let mut saved = Vec::with_capacity(ids.len());
    for id in ids {
        saved.push(
            store::formulation(ctx.db.reader(), farm, *id)
                .await?
                .ok_or_else(|| Error::not_found(format!("no formulation {id}")))?,
        );
    }
    let rows = |pick: &dyn Fn(&serde_json::Value) -> Vec<(String, f64)>| {
        let mut names: Vec<String> = Vec::new();
        let per: Vec<Vec<(String, f64)>> = saved.iter().map(|f| pick(&f.result)).collect();
        for (name, _) in per.iter().flatten() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
            .into_iter()
            .map(|name| {
                let values = per
                    .iter()
                    .map(|list| list.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
                    .collect();
                ComparedRow { name, values }
            })
            .collect()
    };
    let ingredients = rows(&|result| {
        result["solution"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
                    .collect()
            })
            .unwrap_or_default()
    });
    let nutrients = rows(&|result| {
        result["nutrients"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|n| {
                        Some((n["nutrient"].as_str()?.to_owned(), n["supplied"].as_f64()?))
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    let formulations = saved
        .into_iter()
        .map(|f| ComparedFormulation {
            id: f.summary.id,
            name: f.summary.name,
            status: f.summary.status,
            cost_per_kg: f.summary.cost_per_kg,
        })
        .collect();
    Ok(Comparison {
        formulations,
        ingredients,
        nutrients,
    })
}

/// A user's part of the data export: their farms, and on each the formulations they saved.
pub async fn export(ctx: &AppContext, user: UserId) -> Result<serde_json::Value> {
    let mut farms = Vec::new();
    for farm in store::farms_of(ctx.db.reader(), user).await? {
        let formulations: Vec<_> = store::formulations(ctx.db.reader(), farm.id)
            .await?
            .into_iter()
            .filter(|f| f.summary.created_by == user)
            .collect();
        farms.push(json!({ "farm": farm, "formulations": formulations }));
    }
    Ok(json!({ "farms": farms }))
}

/// Forgets a purged account: its memberships go, and farms nobody else belongs to go with them.
pub async fn forget(ctx: &AppContext, user: UserId) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    store::forget_member(&mut tx, user).await?;
    tx.commit().await?;
    Ok(())
}
