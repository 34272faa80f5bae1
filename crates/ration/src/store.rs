//! ration's persistence: all of its SQL.

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::engine::problem::Basis;
use crate::engine::requirements::Animal;
use crate::model::{
    AnimalGroup, AnimalGroupId, AuditEntry, Farm, FarmId, FarmRole, Feed, FeedId, FormulationId,
    FormulationSummary, Member, PricePoint, SavedFormulation,
};

fn json_column(r: &AnyRow, name: &str) -> Result<Option<serde_json::Value>, sqlx::Error> {
    let text: Option<String> = r.try_get(name)?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

pub async fn insert_farm(
    tx: &mut Tx,
    id: FarmId,
    name: &str,
    owner: UserId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ration_farms (id, name, created_by, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id.get())
    .bind(name)
    .bind(owner.get())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    set_member(tx, id, owner, FarmRole::Owner, now).await
}

pub async fn set_member(
    tx: &mut Tx,
    farm: FarmId,
    user: UserId,
    role: FarmRole,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ration_members (farm_id, user_id, role, added_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (farm_id, user_id) DO UPDATE SET role = excluded.role",
    )
    .bind(farm.get())
    .bind(user.get())
    .bind(role.as_str())
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn remove_member(tx: &mut Tx, farm: FarmId, user: UserId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM ration_members WHERE farm_id = $1 AND user_id = $2")
        .bind(farm.get())
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The caller's role on a farm, if a member.
pub async fn role<'e, E: Executor<'e, Database = Any>>(
    db: E,
    farm: FarmId,
    user: UserId,
) -> Result<Option<FarmRole>> {
    let row = sqlx::query("SELECT role FROM ration_members WHERE farm_id = $1 AND user_id = $2")
        .bind(farm.get())
        .bind(user.get())
        .fetch_optional(db)
        .await?;
    Ok(row
        .map(|r| r.try_get::<String, _>(0))
        .transpose()?
        .as_deref()
        .and_then(FarmRole::parse))
}

/// What a member reads of a farm, the membership checked in the same statement: the farm's
/// rows of `table` (as `t`, joined on the farm and on `on`, whose parameters `more` binds from
/// `$3`), or `None` when `reader` is not a member. The rows and the membership that allows
/// them come from one snapshot, and each read is one statement rather than two.
async fn read_as_member<'e, E: Executor<'e, Database = Any>, T>(
    db: E,
    (farm, reader): (FarmId, UserId),
    (columns, table, on, tail): (&str, &str, &str, &str),
    more: Option<i64>,
    map: impl Fn(&AnyRow) -> Result<T, sqlx::Error>,
) -> Result<Option<Vec<T>>> {
    let sql = format!(
        "SELECT {columns} FROM ration_members m LEFT JOIN {table} t ON t.farm_id = m.farm_id {on} \
         WHERE m.farm_id = $1 AND m.user_id = $2 {tail}"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(farm.get())
        .bind(reader.get());
    if let Some(value) = more {
        query = query.bind(value);
    }
    let rows = query.fetch_all(db).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    // A farm with nothing in the table still gives a member one row, of NULLs.
    let mut found = Vec::with_capacity(rows.len());
    for row in &rows {
        if row.try_get::<Option<i64>, _>("id")?.is_some() {
            found.push(map(row)?);
        }
    }
    Ok(Some(found))
}

/// A farm with its members, as `reader` sees it (`None`: not a member).
pub async fn farm_for<'e, E: Executor<'e, Database = Any>>(
    db: E,
    farm: FarmId,
    reader: UserId,
) -> Result<Option<(Farm, Vec<Member>)>> {
    let rows = sqlx::query(
        "SELECT f.id, f.name, f.created_at, m.role AS reader_role, t.user_id, t.role, t.added_at \
         FROM ration_members m JOIN ration_farms f ON f.id = m.farm_id \
         JOIN ration_members t ON t.farm_id = m.farm_id \
         WHERE m.farm_id = $1 AND m.user_id = $2 ORDER BY t.added_at",
    )
    .bind(farm.get())
    .bind(reader.get())
    .fetch_all(db)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let role = |r: &AnyRow, name: &str| -> Result<FarmRole, sqlx::Error> {
        let role: String = r.try_get(name)?;
        Ok(FarmRole::parse(&role).unwrap_or(FarmRole::Viewer))
    };
    let found = Farm {
        id: FarmId::from_raw(first.try_get("id")?),
        name: first.try_get("name")?,
        created_at: Timestamp::from_micros(first.try_get("created_at")?),
        role: role(first, "reader_role")?,
    };
    let members = rows
        .iter()
        .map(|r| {
            Ok(Member {
                user_id: UserId::from_raw(r.try_get("user_id")?),
                role: role(r, "role")?,
                added_at: Timestamp::from_micros(r.try_get("added_at")?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Some((found, members)))
}

pub async fn owners<'e, E: Executor<'e, Database = Any>>(db: E, farm: FarmId) -> Result<i64> {
    let row =
        sqlx::query("SELECT COUNT(*) FROM ration_members WHERE farm_id = $1 AND role = 'owner'")
            .bind(farm.get())
            .fetch_one(db)
            .await?;
    Ok(row.try_get(0)?)
}

pub async fn farms_of<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: UserId,
) -> Result<Vec<Farm>> {
    let rows = sqlx::query(
        "SELECT f.id, f.name, f.created_at, m.role FROM ration_farms f JOIN ration_members m ON m.farm_id = f.id \
         WHERE m.user_id = $1 ORDER BY f.id",
    )
    .bind(user.get())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(Farm {
                id: FarmId::from_raw(r.try_get("id")?),
                name: r.try_get("name")?,
                created_at: Timestamp::from_micros(r.try_get("created_at")?),
                role: FarmRole::parse(&role).unwrap_or(FarmRole::Viewer),
            })
        })
        .collect()
}

pub async fn members<'e, E: Executor<'e, Database = Any>>(
    db: E,
    farm: FarmId,
) -> Result<Vec<Member>> {
    let rows = sqlx::query(
        "SELECT user_id, role, added_at FROM ration_members WHERE farm_id = $1 ORDER BY added_at",
    )
    .bind(farm.get())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(Member {
                user_id: UserId::from_raw(r.try_get("user_id")?),
                role: FarmRole::parse(&role).unwrap_or(FarmRole::Viewer),
                added_at: Timestamp::from_micros(r.try_get("added_at")?),
            })
        })
        .collect()
}

/// One audit entry to record.
pub struct AuditRecord<'a> {
    pub id: i64,
    pub farm: FarmId,
    pub actor: UserId,
    pub action: &'a str,
    pub subject: &'a str,
    pub before: Option<&'a serde_json::Value>,
    pub after: Option<&'a serde_json::Value>,
    pub at: Timestamp,
}

/// Records a change in the farm's audit log, in the change's own transaction.
pub async fn audit(tx: &mut Tx, entry: &AuditRecord<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO ration_audit (id, farm_id, actor_id, action, subject, before_json, after_json, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.id)
    .bind(entry.farm.get())
    .bind(entry.actor.get())
    .bind(entry.action)
    .bind(entry.subject)
    .bind(entry.before.map(ToString::to_string))
    .bind(entry.after.map(ToString::to_string))
    .bind(entry.at.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn audit_log<'e, E: Executor<'e, Database = Any>>(
    db: E,
    farm: FarmId,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    let rows = sqlx::query("SELECT actor_id, action, subject, before_json, after_json, created_at FROM ration_audit WHERE farm_id = $1 ORDER BY id DESC LIMIT $2")
        .bind(farm.get())
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                actor_id: UserId::from_raw(r.try_get("actor_id")?),
                action: r.try_get("action")?,
                subject: r.try_get("subject")?,
                before: json_column(r, "before_json")?,
                after: json_column(r, "after_json")?,
                at: Timestamp::from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}

fn feed_from_row(r: &AnyRow) -> Result<Feed, sqlx::Error> {
    let basis: String = r.try_get("nutrient_basis")?;
    let nutrients: String = r.try_get("nutrients")?;
    Ok(Feed {
        id: FeedId::from_raw(r.try_get("id")?),
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        dm: r.try_get("dm")?,
        nutrient_basis: if basis == "dm" {
            Basis::Dm
        } else {
            Basis::AsFed
        },
        nutrients: serde_json::from_str(&nutrients).unwrap_or_default(),
        price: r.try_get("price")?,
        updated_at: Timestamp::from_micros(r.try_get("updated_at")?),
    })
}

const FEED_COLUMNS: &str = "id, code, name, dm, nutrient_basis, nutrients, price, updated_at";

pub async fn insert_feed(tx: &mut Tx, farm: FarmId, feed: &Feed) -> Result<()> {
    let basis = if feed.nutrient_basis == Basis::Dm {
        "dm"
    } else {
        "as_fed"
    };
    sqlx::query(
        "INSERT INTO ration_feeds (id, farm_id, code, name, dm, nutrient_basis, nutrients, price, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(feed.id.get())
    .bind(farm.get())
    .bind(&feed.code)
    .bind(&feed.name)
    .bind(feed.dm)
    .bind(basis)
    .bind(serde_json::to_string(&feed.nutrients).unwrap_or_default())
    .bind(feed.price)
    .bind(feed.updated_at.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn feeds<'e, E: Executor<'e, Database = Any>>(db: E, farm: FarmId) -> Result<Vec<Feed>> {
    let sql = format!("SELECT {FEED_COLUMNS} FROM ration_feeds WHERE farm_id = $1 ORDER BY code");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(farm.get())
        .fetch_all(db)
        .await?;
    Ok(rows.iter().map(feed_from_row).collect::<Result<_, _>>()?)
}

/// The farm's feeds by code, as `reader` may read them (`None`: not a member).
pub async fn feeds_for<'e, E: Executor<'e, Database = Any>>(
    db: E,
    farm: FarmId,
    reader: UserId,
) -> Result<Option<Vec<Feed>>> {
    let read = ("t.*", "ration_feeds", "", "ORDER BY t.code");
    read_as_member(db, (farm, reader), read, None, feed_from_row).await
}

pub async fn feed<'e, E: Executor<'e, Database = Any>>(
    db: E,
    farm: FarmId,
    id: FeedId,
) -> Result<Option<Feed>> {
    let sql = format!("SELECT {FEED_COLUMNS} FROM ration_feeds WHERE farm_id = $1 AND id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(farm.get())
        .bind(id.get())
        .fetch_optional(db)
        .await?;
    Ok(row.as_ref().map(feed_from_row).transpose()?)
}

pub async fn set_price(
    tx: &mut Tx,
    history_id: i64,
    feed: FeedId,
    price: f64,
    by: UserId,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE ration_feeds SET price = $2, updated_at = $3 WHERE id = $1")
        .bind(feed.get())
        .bind(price)
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO ration_feed_prices (id, feed_id, price, set_by, set_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(history_id)
        .bind(feed.get())
        .bind(price)
        .bind(by.get())
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn price_history<'e, E: Executor<'e, Database = Any>>(
    db: E,
    feed: FeedId,
) -> Result<Vec<PricePoint>> {
    let rows = sqlx::query(
        "SELECT price, set_by, set_at FROM ration_feed_prices WHERE feed_id = $1 ORDER BY id DESC",
    )
    .bind(feed.get())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PricePoint {
                price: r.try_get("price")?,
                set_by: UserId::from_raw(r.try_get("set_by")?),
                at: Timestamp::from_micros(r.try_get("set_at")?),
            })
        })
        .collect()
}

fn summary_from_row(r: &AnyRow) -> Result<FormulationSummary, sqlx::Error> {
    Ok(FormulationSummary {
        id: FormulationId::from_raw(r.try_get("id")?),
        name: r.try_get("name")?,
        status: r.try_get("status")?,
        cost_per_kg: r.try_get("cost_per_kg")?,
        created_by: UserId::from_raw(r.try_get("created_by")?),
        created_at: Timestamp::from_micros(r.try_get("created_at")?),
    })
}

fn formulation_from_row(r: &AnyRow) -> Result<SavedFormulation, sqlx::Error> {
    Ok(SavedFormulation {
        summary: summary_from_row(r)?,
        problem: json_column(r, "problem")?.unwrap_or_default(),
        result: json_column(r, "result")?.unwrap_or_default(),
    })
}

pub async fn insert_formulation(tx: &mut Tx, farm: FarmId, f: &SavedFormulation) -> Result<()> {
    sqlx::query(
        "INSERT INTO ration_formulations (id, farm_id, name, problem, result, status, cost_per_kg, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(f.summary.id.get())
    .bind(farm.get())
    .bind(&f.summary.name)
    .bind(f.problem.to_string())
    .bind(f.result.to_string())
    .bind(&f.summary.status)
    .bind(f.summary.cost_per_kg)
    .bind(f.summary.created_by.get())
    .bind(f.summary.created_at.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn formulations<'e, E: Executor<'e, Database = Any>>(
    db: E,
    farm: FarmId,
) -> Result<Vec<SavedFormulation>> {
    let rows = sqlx::query(
        "SELECT * FROM ration_formulations WHERE farm_id = $1 ORDER BY id DESC LIMIT 200",
    )
    .bind(farm.get())
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(formulation_from_row)
        .collect::<Result<_, _>>()?)
}

/// The farm's saved formulations, newest first (at most 200), as `reader` may list them
/// (`None`: not a member).
pub async fn summaries_for<'e, E: Executor<'e, Database = Any>>(
    db: E,
    farm: FarmId,
    reader: UserId,
) -> Result<Option<Vec<FormulationSummary>>> {
    let read = (
        "t.id, t.name, t.status, t.cost_per_kg, t.created_by, t.created_at",
        "ration_formulations",
        "",
        "ORDER BY t.id DESC LIMIT 200",
    );
    read_as_member(db, (farm, reader), read, None, summary_from_row).await
}

/// One saved formulation as `reader` may read it: `None` when not a member of the farm, no
/// formulation when the farm has none by that id.
pub async fn formulation_for<'e, E: Executor<'e, Database = Any>>(
    db: E,
    farm: FarmId,
    id: FormulationId,
    reader: UserId,
) -> Result<Option<Option<SavedFormulation>>> {
    let read = ("t.*", "ration_formulations", "AND t.id = $3", "");
    let found = read_as_member(
        db,
        (farm, reader),
        read,
        Some(id.get()),
        formulation_from_row,
    )
    .await?;
    Ok(found.map(|found| found.into_iter().next()))
}

pub async fn formulation<'e, E: Executor<'e, Database = Any>>(
    db: E,
    farm: FarmId,
    id: FormulationId,
) -> Result<Option<SavedFormulation>> {
    let row = sqlx::query("SELECT * FROM ration_formulations WHERE farm_id = $1 AND id = $2")
        .bind(farm.get())
        .bind(id.get())
        .fetch_optional(db)
        .await?;
    Ok(row.as_ref().map(formulation_from_row).transpose()?)
}

pub async fn insert_group(tx: &mut Tx, farm: FarmId, group: &AnimalGroup) -> Result<()> {
    sqlx::query("INSERT INTO ration_animal_groups (id, farm_id, name, head_count, animal, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(group.id.get())
        .bind(farm.get())
        .bind(&group.name)
        .bind(group.head_count)
        .bind(serde_json::to_string(&group.animal).unwrap_or_default())
        .bind(group.created_at.micros())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn group_from_row(r: &AnyRow) -> Result<Option<AnimalGroup>, sqlx::Error> {
    let animal: String = r.try_get("animal")?;
    let Ok(animal) = serde_json::from_str::<Animal>(&animal) else {
        return Ok(None);
    };
    Ok(Some(AnimalGroup {
        id: AnimalGroupId::from_raw(r.try_get("id")?),
        name: r.try_get("name")?,
        head_count: r.try_get("head_count")?,
        requirements: animal.requirements(),
        animal,
        created_at: Timestamp::from_micros(r.try_get("created_at")?),
    }))
}

/// The farm's animal groups, as `reader` may read them (`None`: not a member).
pub async fn groups_for<'e, E: Executor<'e, Database = Any>>(
    db: E,
    farm: FarmId,
    reader: UserId,
) -> Result<Option<Vec<AnimalGroup>>> {
    let read = (
        "t.id, t.name, t.head_count, t.animal, t.created_at",
        "ration_animal_groups",
        "",
        "ORDER BY t.id",
    );
    let found = read_as_member(db, (farm, reader), read, None, group_from_row).await?;
    Ok(found.map(|groups| groups.into_iter().flatten().collect()))
}

/// Removes a user from every farm and deletes the farms left without members.
pub async fn forget_member(tx: &mut Tx, user: UserId) -> Result<()> {
    sqlx::query("DELETE FROM ration_members WHERE user_id = $1")
        .bind(user.get())
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM ration_farms WHERE NOT EXISTS (SELECT 1 FROM ration_members m WHERE m.farm_id = ration_farms.id)").execute(&mut **tx).await?;
    Ok(())
}

/// What operators count on the admin page (`GET /api/v1/admin/stats`).
pub async fn counts<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    db: E,
) -> platform::Result<Vec<(&'static str, i64)>> {
    platform::db::counts(
        db,
        &[
            ("farms", "ration_farms"),
            ("feeds", "ration_feeds"),
            ("animal_groups", "ration_animal_groups"),
            ("formulations", "ration_formulations"),
        ],
    )
    .await
}
