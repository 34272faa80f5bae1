//! Reads run on the calling thread (SQLite).
//!
//! sqlx's SQLite driver gives every connection a thread of its own and sends each statement
//! there and its rows back. For the short indexed reads that serve a request, that hand-off
//! cost more than SQLite did: a 20-row read measured 103 µs of CPU through the pool and 23 µs
//! on the calling thread. [`Reader`] therefore runs a read on a connection of its own, right
//! where it is awaited, and hands back the same [`AnyRow`]s the pool would, so every store runs
//! unchanged on either. A read holds its worker thread while it runs, tens of microseconds for
//! the indexed reads of a request; long reads (search rebuilds, operators' figures, aggregates
//! over many rows) go to [`super::Db::scan`] instead, where they wait without holding one.
//!
//! The rows are built exactly as sqlx's own SQLite driver builds them for `Any` (integers as
//! `BigInt`, reals as `Double`, by the value's storage class), so a store cannot tell the two
//! apart; the values it binds are taken the same way too, `$N` naming the Nth.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use futures::future::{BoxFuture, FutureExt};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt, stream};
use rusqlite::config::DbConfig;
use rusqlite::types::{ToSqlOutput, ValueRef};
use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo, AnyTypeInfoKind};
use sqlx::{Any, AnyPool, Either, Error, Execute, Executor, SqlStr};
use sqlx_core::any::{AnyColumn, AnyValue, AnyValueKind};
use sqlx_core::ext::ustr::UStr;

/// Prepared statements kept per connection: every distinct read text of the hot paths.
const STATEMENT_CACHE: usize = 256;

/// Where reads go: SQLite connections used in place, or a pool (PostgreSQL, and SQLite reads
/// that need sqlx's own handling).
#[derive(Debug, Clone)]
pub struct Reader {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Inline(Arc<Connections>),
    Pool(AnyPool),
}

/// Idle read connections to one SQLite file. A read holds one only while it runs, never across
/// an `.await`, so there are about as many as threads that read at once.
struct Connections {
    path: PathBuf,
    pragmas: &'static str,
    idle: Mutex<Vec<rusqlite::Connection>>,
    /// For queries sent without arguments, which may hold several statements.
    pool: AnyPool,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Reader {
    /// Reads of the SQLite file at `path`, each connection set up with `pragmas`; `pool` takes
    /// what cannot run in place.
    pub(super) fn inline(path: PathBuf, pragmas: &'static str, pool: AnyPool) -> Self {
        Self {
            kind: Kind::Inline(Arc::new(Connections {
                path,
                pragmas,
                idle: Mutex::new(Vec::new()),
                pool,
            })),
        }
    }

    pub(super) fn pool(pool: AnyPool) -> Self {
        Self {
            kind: Kind::Pool(pool),
        }
    }
}

impl Connections {
    /// Runs `statement` on an idle connection (opening one when none is idle), at most `limit`
    /// rows.
    fn read(&self, statement: &Statement, limit: Option<usize>) -> Result<Vec<AnyRow>, Error> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open().map_err(driver)?,
        };
        let rows = statement.run_on(&conn, limit).map_err(driver);
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(conn);
        rows
    }

    fn open(&self) -> rusqlite::Result<rusqlite::Connection> {
        open(&self.path, self.pragmas)
    }
}

/// A read connection to the SQLite file at `path`, set up with `pragmas`.
fn open(path: &std::path::Path, pragmas: &str) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(pragmas)?;
    // A read connection never writes: a store that tried would fail loudly, not race the
    // one writer.
    conn.execute_batch("PRAGMA query_only = ON")?;
    // SQLite (3.51 here) plans a `LIMIT $n` (and any STAT4 range) with the bound value, and marks
    // such a statement to be prepared again whenever that parameter is bound anew: every
    // paged read was parsed and planned at each run, a fifth of a profile page's CPU. With
    // the planner stability guarantee a cached statement keeps its one plan.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// One statement to run in place: its text, its arguments, and whether to keep it prepared
/// (sqlx's `persistent`, true unless the query said otherwise).
struct Statement {
    sql: SqlStr,
    args: AnyArguments,
    persistent: bool,
}

/// What a query was sent as.
enum Sent {
    Statement(Statement),
    /// A plain text without arguments, which may hold several statements: for the pool.
    Text(SqlStr),
}

impl Statement {
    fn run_on(
        &self,
        conn: &rusqlite::Connection,
        limit: Option<usize>,
    ) -> rusqlite::Result<Vec<AnyRow>> {
        let sql = self.sql.as_str();
        if self.persistent {
            run(&mut *conn.prepare_cached(sql)?, &self.args, limit)
        } else {
            run(&mut conn.prepare(sql)?, &self.args, limit)
        }
    }
}

impl Sent {
    fn of<'q, E: Execute<'q, Any>>(mut query: E) -> Result<Self, Error> {
        let args = query.take_arguments().map_err(Error::Encode)?;
        let persistent = query.persistent();
        let sql = query.sql();
        Ok(match args {
            Some(args) => Sent::Statement(Statement {
                sql,
                args,
                persistent,
            }),
            None => Sent::Text(sql),
        })
    }
}

fn run(
    statement: &mut rusqlite::Statement<'_>,
    args: &AnyArguments,
    limit: Option<usize>,
) -> rusqlite::Result<Vec<AnyRow>> {
    bind(statement, &args.values.0)?;
    let columns: Vec<UStr> = statement
        .column_names()
        .into_iter()
        .map(UStr::new)
        .collect();
    let names: Arc<sqlx_core::HashMap<UStr, usize>> = Arc::new(
        columns
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), i))
            .collect(),
    );
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while limit.is_none_or(|limit| out.len() < limit) {
        let Some(row) = rows.next()? else { break };
        let mut any = AnyRow {
            column_names: names.clone(),
            columns: Vec::with_capacity(columns.len()),
            values: Vec::with_capacity(columns.len()),
        };
        for (ordinal, name) in columns.iter().enumerate() {
            let kind = value(row.get_ref(ordinal)?);
            any.columns.push(AnyColumn {
                ordinal,
                name: name.clone(),
                type_info: AnyTypeInfo {
                    kind: type_of(&kind),
                },
            });
            any.values.push(AnyValue { kind });
        }
        out.push(any);
    }
    Ok(out)
}

/// Binds `values` as sqlx does: a parameter named `$N` or `?N` takes the Nth value, an
/// unnamed `?` the next; parameters past the values stay NULL.
fn bind(statement: &mut rusqlite::Statement<'_>, values: &[AnyValueKind]) -> rusqlite::Result<()> {
    let mut next = 0;
    for index in 1..=statement.parameter_count() {
        let n = if let Some(name) = statement.parameter_name(index) {
            name.strip_prefix(['$', '?'])
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| rusqlite::Error::InvalidParameterName(name.to_owned()))?
        } else {
            next += 1;
            next
        };
        let Some(value) = n.checked_sub(1).and_then(|i| values.get(i)) else {
            break;
        };
        statement.raw_bind_parameter(index, Bound(value))?;
    }
    Ok(())
}

/// A value sqlx encoded, as SQLite takes it.
struct Bound<'a>(&'a AnyValueKind);

impl rusqlite::ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            AnyValueKind::Null(_) => ValueRef::Null,
            AnyValueKind::Bool(b) => ValueRef::Integer(i64::from(*b)),
            AnyValueKind::SmallInt(i) => ValueRef::Integer(i64::from(*i)),
            AnyValueKind::Integer(i) => ValueRef::Integer(i64::from(*i)),
            AnyValueKind::BigInt(i) => ValueRef::Integer(*i),
            AnyValueKind::Real(r) => ValueRef::Real(f64::from(*r)),
            AnyValueKind::Double(d) => ValueRef::Real(*d),
            AnyValueKind::Text(t) => ValueRef::Text(t.as_bytes()),
            AnyValueKind::TextSlice(t) => ValueRef::Text(t.as_bytes()),
            AnyValueKind::Blob(b) => ValueRef::Blob(b),
            other => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    format!("no SQLite value for {other:?}").into(),
                ));
            }
        }))
    }
}

fn value(value: ValueRef<'_>) -> AnyValueKind {
    match value {
        ValueRef::Null => AnyValueKind::Null(AnyTypeInfoKind::Null),
        ValueRef::Integer(i) => AnyValueKind::BigInt(i),
        ValueRef::Real(r) => AnyValueKind::Double(r),
        ValueRef::Text(t) => AnyValueKind::Text(Arc::new(String::from_utf8_lossy(t).into_owned())),
        ValueRef::Blob(b) => AnyValueKind::Blob(Arc::new(b.to_vec())),
    }
}

fn type_of(kind: &AnyValueKind) -> AnyTypeInfoKind {
    match kind {
        AnyValueKind::BigInt(_) => AnyTypeInfoKind::BigInt,
        AnyValueKind::Double(_) => AnyTypeInfoKind::Double,
        AnyValueKind::Text(_) => AnyTypeInfoKind::Text,
        AnyValueKind::Blob(_) => AnyTypeInfoKind::Blob,
        _ => AnyTypeInfoKind::Null,
    }
}

fn driver(e: rusqlite::Error) -> Error {
    Error::AnyDriverError(Box::new(e))
}

impl<'c> Executor<'c> for &'c Reader {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        let connections = match &self.kind {
            Kind::Pool(pool) => return pool.fetch_many(query),
            Kind::Inline(connections) => connections,
        };
        match Sent::of(query) {
            Ok(Sent::Statement(statement)) => {
                stream::once(async move { connections.read(&statement, None) })
                    .map_ok(|rows| {
                        stream::iter(rows.into_iter().map(|row| Ok(Either::Right(row)))).chain(
                            stream::once(async { Ok(Either::Left(AnyQueryResult::default())) }),
                        )
                    })
                    .try_flatten()
                    .boxed()
            }
            Ok(Sent::Text(sql)) => connections.pool.fetch_many(sql),
            Err(e) => stream::once(async { Err(e) }).boxed(),
        }
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<AnyRow>, Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        let connections = match &self.kind {
            Kind::Pool(pool) => return pool.fetch_optional(query),
            Kind::Inline(connections) => connections,
        };
        async move {
            match Sent::of(query)? {
                Sent::Statement(statement) => Ok(connections.read(&statement, Some(1))?.pop()),
                Sent::Text(sql) => connections.pool.fetch_optional(sql).await,
            }
        }
        .boxed()
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, Result<AnyStatement, Error>>
    where
        'c: 'e,
    {
        match &self.kind {
            Kind::Pool(pool) => pool.prepare_with(sql, parameters),
            Kind::Inline(connections) => connections.pool.prepare_with(sql, parameters),
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Row;

    use super::super::Db;

    async fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(&url, None, 2).await.unwrap();
        sqlx::query(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB, note TEXT)",
        )
        .execute(db.writer())
        .await
        .unwrap();
        for (id, name, score) in [(1u8, "하나", 1.5), (2, "둘", 2.5), (3, "셋", -0.25)] {
            sqlx::query("INSERT INTO t (id, name, score, data) VALUES ($1, $2, $3, $4)")
                .bind(i64::from(id))
                .bind(name)
                .bind(score)
                .bind(vec![id, 0, 255])
                .execute(db.writer())
                .await
                .unwrap();
        }
        (dir, db)
    }

    /// A cached statement with a bound `LIMIT` keeps its plan from one run to the next.
    #[tokio::test]
    async fn a_paged_statement_is_prepared_once() {
        let (dir, _db) = db().await;
        let conn = super::open(&dir.path().join("t.db"), "").unwrap();
        for limit in 1..=3i64 {
            let mut statement = conn
                .prepare_cached("SELECT id FROM t WHERE id > ?1 ORDER BY id LIMIT ?2")
                .unwrap();
            let ids: Vec<i64> = statement
                .query_map((0i64, limit), |row| row.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(ids.len(), usize::try_from(limit).unwrap());
            assert_eq!(
                statement.get_status(rusqlite::StatementStatus::RePrepare),
                0
            );
        }
    }

    /// The same query through the pool and in place gives rows that decode the same, column
    /// by column, by name and by position.
    #[tokio::test]
    async fn rows_read_in_place_match_the_pools() {
        let (_dir, db) = db().await;
        let sql = "SELECT id, name, score, data, note, id * 2 AS twice, $2 AS second, $1 AS first \
                   FROM t WHERE id >= $1 ORDER BY id";
        let read = |rows: Vec<sqlx::any::AnyRow>| {
            rows.iter()
                .map(|r| {
                    (
                        r.try_get::<i64, _>("id").unwrap(),
                        r.try_get::<String, _>(1).unwrap(),
                        r.try_get::<f64, _>("score").unwrap(),
                        r.try_get::<Vec<u8>, _>("data").unwrap(),
                        r.try_get::<Option<String>, _>("note").unwrap(),
                        r.try_get::<i64, _>("twice").unwrap(),
                        r.try_get::<String, _>("second").unwrap(),
                        r.try_get::<i64, _>("first").unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let query = || sqlx::query(sql).bind(2i64).bind("두 번째");
        let pooled = read(query().fetch_all(db.scan()).await.unwrap());
        let inline = read(query().fetch_all(db.reader()).await.unwrap());
        assert_eq!(pooled.len(), 2);
        assert_eq!(pooled, inline);
        assert_eq!(inline[0].1, "둘");
        assert_eq!(inline[0].6, "두 번째");
    }

    #[tokio::test]
    async fn one_row_none_and_null_binds() {
        let (_dir, db) = db().await;
        let first = sqlx::query("SELECT name FROM t ORDER BY id")
            .fetch_optional(db.reader())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.try_get::<String, _>(0).unwrap(), "하나");
        let once: String = sqlx::query("SELECT name FROM t WHERE id = $1")
            .bind(3i64)
            .persistent(false)
            .fetch_one(db.reader())
            .await
            .unwrap()
            .get(0);
        assert_eq!(once, "셋");
        let none = sqlx::query("SELECT name FROM t WHERE id = $1")
            .bind(9i64)
            .fetch_optional(db.reader())
            .await
            .unwrap();
        assert!(none.is_none());
        let missing = sqlx::query("SELECT name FROM t WHERE id = $1")
            .bind(9i64)
            .fetch_one(db.reader())
            .await;
        assert!(matches!(missing, Err(sqlx::Error::RowNotFound)));
        let nulls: i64 = sqlx::query("SELECT COUNT(*) FROM t WHERE note IS $1")
            .bind(None::<String>)
            .fetch_one(db.reader())
            .await
            .unwrap()
            .get(0);
        assert_eq!(nulls, 3);
        let flagged: i64 = sqlx::query("SELECT COUNT(*) FROM t WHERE (id = 1) = $1")
            .bind(true)
            .fetch_one(db.reader())
            .await
            .unwrap()
            .get(0);
        assert_eq!(flagged, 1);
    }

    /// A read connection refuses writes, a bad statement is an error, and a text sent without
    /// arguments (which may hold several statements) still runs, on the pool.
    #[tokio::test]
    async fn writes_errors_and_plain_texts() {
        let (_dir, db) = db().await;
        let write = sqlx::query("DELETE FROM t WHERE id = $1")
            .bind(1i64)
            .execute(db.reader())
            .await;
        assert!(write.is_err());
        let bad = sqlx::query("SELECT nothing FROM t WHERE id = $1")
            .bind(1i64)
            .fetch_all(db.reader())
            .await;
        assert!(bad.is_err());
        let rows = sqlx::raw_sql("SELECT 1; SELECT name FROM t")
            .fetch_all(db.reader())
            .await
            .unwrap();
        assert_eq!(rows.len(), 4);
        let left: i64 = sqlx::query("SELECT COUNT(*) FROM t WHERE id > $1")
            .bind(0i64)
            .fetch_one(db.reader())
            .await
            .unwrap()
            .get(0);
        assert_eq!(left, 3);
    }
}
