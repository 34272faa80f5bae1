//! Raw records: batched appends, reads by series and by change number.

use std::collections::HashSet;

use platform::Result;
use platform::accounts::UserId;
use platform::db::Tx;
use platform::time::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor, Row};

use super::value_rows;
use crate::catalog::{Kind, Measurement, Series};

/// A record to append.
pub struct NewRecord<'a> {
    pub id: i64,
    pub m: &'a Measurement,
    pub detail: Option<String>,
    /// The sealed note.
    pub note: Option<Vec<u8>>,
    pub seq: i64,
    pub device_id: Option<&'a str>,
    pub modified_at: Timestamp,
}

const INSERT_COLUMNS: &str = "id, user_id, client_id, kind, at, start_at, end_at, utc_offset, value, \
     detail, note, source_device, source_app, seq, device_id, client_modified_at, created_at";
const WIDTH: usize = 17;
/// Rows per statement: under SQLite's 32,766 bound values and PostgreSQL's 65,535.
const CHUNK: usize = 1_000;

/// Appends `rows`, skipping any whose client id the user already used; returns, for each row,
/// whether it was new.
///
/// The statements return no rows: sending back a row per record cost a tenth of an import.
/// When a statement stores fewer rows than it was given, the ids assigned here tell which ones
/// it stored.
///
/// Rows with a second value (blood pressure) go in statements of their own that name `value2`:
/// a statement binding a NULL there was prepared on PostgreSQL with a parameter type that a
/// later number did not fit.
pub async fn insert_new(
    tx: &mut Tx,
    user: UserId,
    rows: &[NewRecord<'_>],
    now: Timestamp,
) -> Result<Vec<bool>> {
    let mut new = vec![false; rows.len()];
    let (pairs, singles): (Vec<usize>, Vec<usize>) =
        (0..rows.len()).partition(|&i| rows[i].m.value2.is_some());
    for (group, paired) in [(singles, false), (pairs, true)] {
        let (columns, width) = if paired {
            (format!("{INSERT_COLUMNS}, value2"), WIDTH + 1)
        } else {
            (INSERT_COLUMNS.to_owned(), WIDTH)
        };
        for chunk in super::chunks(&group, CHUNK) {
            let sql = format!(
                "INSERT INTO wellness_records ({columns}) VALUES {} \
                 ON CONFLICT (user_id, client_id) DO NOTHING",
                value_rows(tx, chunk.len(), width)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for &i in chunk {
                let r = &rows[i];
                q = bind_fields(q.bind(r.id).bind(user.get()), r).bind(now.micros());
                if let Some(v2) = r.m.value2 {
                    q = q.bind(v2);
                }
            }
            let stored = q.execute(&mut **tx).await?.rows_affected();
            // All of them stored, or none: nothing to ask.
            let ids = if stored == chunk.len() as u64 || stored == 0 {
                None
            } else {
                Some(existing_ids(tx, chunk.iter().map(|&i| rows[i].id)).await?)
            };
            for &i in chunk {
                new[i] = match &ids {
                    None => stored > 0,
                    Some(ids) => ids.contains(&rows[i].id),
                };
            }
        }
    }
    Ok(new)
}

/// Which of `ids` (at most a chunk of them) name stored records.
async fn existing_ids(
    tx: &mut Tx,
    ids: impl ExactSizeIterator<Item = i64>,
) -> Result<HashSet<i64>> {
    let sql = format!(
        "SELECT id FROM wellness_records WHERE id IN {}",
        value_rows(tx, 1, ids.len())
    );
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|r| r.try_get::<i64, _>(0).map_err(Into::into))
        .collect()
}

type Query<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>;

/// Binds a record's columns from `client_id` to `client_modified_at`, in the order both the
/// insert and the update name them.
fn bind_fields<'q>(q: Query<'q>, r: &'q NewRecord<'_>) -> Query<'q> {
    let m = r.m;
    q.bind(m.client_id.as_str())
        .bind(m.kind.as_str())
        .bind(m.at().micros())
        .bind(m.start.micros())
        .bind(m.end.micros())
        .bind(i64::from(m.utc_offset))
        .bind(m.value)
        .bind(r.detail.as_deref())
        .bind(r.note.as_deref())
        .bind(m.source.device.as_deref())
        .bind(m.source.app.as_deref())
        .bind(r.seq)
        .bind(r.device_id)
        .bind(r.modified_at.micros())
}

/// A stored record.
#[derive(Debug, Clone)]
pub struct RecordRow {
    pub id: i64,
    pub client_id: String,
    pub kind: Kind,
    pub start: Timestamp,
    pub end: Timestamp,
    pub utc_offset: i32,
    pub value: f64,
    pub value2: Option<f64>,
    pub detail: Option<String>,
    pub note: Option<Vec<u8>>,
    pub source_device: Option<String>,
    pub source_app: Option<String>,
    pub seq: i64,
    pub device_id: Option<String>,
    pub modified_at: Timestamp,
    pub deleted: bool,
}

impl RecordRow {
    /// The instant rollups file it under (see [`Measurement::at`]).
    pub fn at(&self) -> Timestamp {
        if self.kind == Kind::Sleep {
            self.end
        } else {
            self.start
        }
    }
}

const COLUMNS: &str = "id, client_id, kind, start_at, end_at, utc_offset, value, value2, detail, note, \
     source_device, source_app, seq, device_id, client_modified_at, deleted";

fn row(r: &AnyRow) -> Result<RecordRow> {
    let kind: String = r.try_get("kind")?;
    Ok(RecordRow {
        id: r.try_get("id")?,
        client_id: r.try_get("client_id")?,
        kind: Kind::parse(&kind)
            .ok_or_else(|| platform::Error::internal(anyhow::anyhow!("unknown kind {kind}")))?,
        start: Timestamp::from_micros(r.try_get("start_at")?),
        end: Timestamp::from_micros(r.try_get("end_at")?),
        utc_offset: r.try_get::<i64, _>("utc_offset")? as i32,
        value: r.try_get("value")?,
        value2: r.try_get("value2")?,
        detail: r.try_get("detail")?,
        note: r.try_get("note")?,
        source_device: r.try_get("source_device")?,
        source_app: r.try_get("source_app")?,
        seq: r.try_get("seq")?,
        device_id: r.try_get("device_id")?,
        modified_at: Timestamp::from_micros(r.try_get("client_modified_at")?),
        deleted: r.try_get::<i64, _>("deleted")? != 0,
    })
}

/// Live records of the given kinds in `[from, to)`, newest first, at most `limit`.
pub async fn records<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
    kinds: &[Kind],
    from: Timestamp,
    to: Timestamp,
    limit: i64,
) -> Result<Vec<RecordRow>> {
    let names: Vec<String> = kinds.iter().map(|k| format!("'{}'", k.as_str())).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM wellness_records WHERE user_id = $1 AND kind IN ({}) \
         AND at >= $2 AND at < $3 AND deleted = 0 ORDER BY at DESC, id DESC LIMIT $4",
        names.join(", ")
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(user.get())
        .bind(from.micros())
        .bind(to.micros())
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter().map(row).collect()
}

/// The values of `series` in `[from, to)`, oldest first, at most `limit`.
pub async fn series_values<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
    series: Series,
    from: Timestamp,
    to: Timestamp,
    limit: i64,
) -> Result<Vec<(Timestamp, f64)>> {
    let column = if series == Series::Diastolic {
        "value2"
    } else {
        "value"
    };
    let sql = format!(
        "SELECT at, {column} AS v FROM wellness_records WHERE user_id = $1 AND kind = $2 \
         AND at >= $3 AND at < $4 AND deleted = 0 ORDER BY at, id LIMIT $5"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(user.get())
        .bind(series.kind().as_str())
        .bind(from.micros())
        .bind(to.micros())
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                Timestamp::from_micros(r.try_get("at")?),
                r.try_get::<Option<f64>, _>("v")?.unwrap_or_default(),
            ))
        })
        .collect()
}

/// The oldest (or, with `newest`, the newest) value of `series` in `[from, to)`.
pub async fn edge_value<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
    series: Series,
    (from, to): (Timestamp, Timestamp),
    newest: bool,
) -> Result<Option<f64>> {
    let column = if series == Series::Diastolic {
        "value2"
    } else {
        "value"
    };
    let order = if newest { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT {column} AS v FROM wellness_records WHERE user_id = $1 AND kind = $2 \
         AND at >= $3 AND at < $4 AND deleted = 0 ORDER BY at {order}, id {order} LIMIT 1"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(user.get())
        .bind(series.kind().as_str())
        .bind(from.micros())
        .bind(to.micros())
        .fetch_optional(db)
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<Option<f64>, _>("v")?,
        None => None,
    })
}

/// The newest live record of each kind.
pub async fn latest_per_kind<'e>(
    db: impl Executor<'e, Database = Any> + Copy,
    user: UserId,
    kinds: &[Kind],
) -> Result<Vec<RecordRow>> {
    let mut out = Vec::new();
    for kind in kinds {
        let sql = format!(
            "SELECT {COLUMNS} FROM wellness_records WHERE user_id = $1 AND kind = $2 AND deleted = 0 \
             ORDER BY at DESC, id DESC LIMIT 1"
        );
        if let Some(r) = sqlx::query(AssertSqlSafe(sql))
            .bind(user.get())
            .bind(kind.as_str())
            .fetch_optional(db)
            .await?
        {
            out.push(row(&r)?);
        }
    }
    Ok(out)
}

/// Who a live record belongs to.
pub async fn record_owner<'e>(
    db: impl Executor<'e, Database = Any>,
    id: i64,
) -> Result<Option<UserId>> {
    let row = sqlx::query("SELECT user_id FROM wellness_records WHERE id = $1 AND deleted = 0")
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(|r| Ok(UserId::from_raw(r.try_get("user_id")?)))
        .transpose()
}

/// A live record of `user` by id.
pub async fn record<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
    id: i64,
) -> Result<Option<RecordRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM wellness_records WHERE user_id = $1 AND id = $2 AND deleted = 0"
    );
    let r = sqlx::query(AssertSqlSafe(sql))
        .bind(user.get())
        .bind(id)
        .fetch_optional(db)
        .await?;
    r.as_ref().map(row).transpose()
}

pub async fn record_by_client<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
    client_id: &str,
) -> Result<Option<RecordRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM wellness_records WHERE user_id = $1 AND client_id = $2");
    let r = sqlx::query(AssertSqlSafe(sql))
        .bind(user.get())
        .bind(client_id)
        .fetch_optional(db)
        .await?;
    r.as_ref().map(row).transpose()
}

/// Overwrites a record in place (a sync update or delete), with a new change number.
pub async fn replace_record(
    tx: &mut Tx,
    user: UserId,
    r: &NewRecord<'_>,
    deleted: bool,
) -> Result<()> {
    let m = r.m;
    // A second value only when there is one (see `insert_new` on binding NULL numbers).
    let value2 = if m.value2.is_some() { "$17" } else { "NULL" };
    let sql = format!(
        "UPDATE wellness_records SET kind = $3, at = $4, start_at = $5, end_at = $6, utc_offset = $7, \
         value = $8, value2 = {value2}, detail = $9, note = $10, source_device = $11, source_app = $12, \
         seq = $13, device_id = $14, client_modified_at = $15, deleted = $16 \
         WHERE user_id = $1 AND client_id = $2"
    );
    let mut q =
        bind_fields(sqlx::query(AssertSqlSafe(sql)).bind(user.get()), r).bind(i64::from(deleted));
    if let Some(v2) = m.value2 {
        q = q.bind(v2);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Records (tombstones included) changed after change number `after`, oldest change first.
pub async fn changes_since<'e>(
    db: impl Executor<'e, Database = Any>,
    user: UserId,
    after: i64,
    limit: i64,
) -> Result<Vec<RecordRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM wellness_records WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(user.get())
        .bind(after)
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter().map(row).collect()
}
