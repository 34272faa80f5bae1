//! Lists of listed questions: filters, orders, totals, and tag counts for trending.

use std::fmt::Write as _;

use platform::Result;
use platform::time::Timestamp;
use sqlx::{Any, Executor, Row};

use platform::db::placeholders;

use super::LISTED;
use crate::model::{Category, QuestionId};

/// How a list is ordered (seed 003's `sortBy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sort {
    /// Newest first.
    CreatedAt,
    /// Most answers plus likes first.
    Popularity,
    /// Urgent first, then newest.
    Urgent,
}

/// What a list is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ListFilter {
    pub region: Option<String>,
    pub category: Option<Category>,
    /// Questions carrying any of these.
    pub hashtags: Vec<String>,
}

/// Where a list reads from: the questions (alias `q`), or, when it names hashtags, the tag
/// index alone (alias `t`), which carries every column a list filters and sorts on.
struct Source {
    /// `FROM ... WHERE ...`, binding from `$1`.
    from_where: String,
    /// The question id column.
    id: &'static str,
    /// The table alias the sort columns live under.
    alias: &'static str,
    binds: Vec<String>,
}

impl ListFilter {
    fn source(&self) -> Source {
        let (alias, id, mut from_where, mut binds) = if self.hashtags.is_empty() {
            (
                "q",
                "q.id",
                format!("FROM ask_questions q WHERE {LISTED}"),
                Vec::new(),
            )
        } else {
            let sql = format!(
                "FROM ask_question_tags t WHERE t.tag IN ({})",
                placeholders(1, self.hashtags.len())
            );
            ("t", "t.question_id", sql, self.hashtags.clone())
        };
        if let Some(region) = &self.region {
            binds.push(region.clone());
            let _ = write!(from_where, " AND {alias}.region_code = ${}", binds.len());
        }
        if let Some(category) = self.category {
            binds.push(category.as_str().to_owned());
            let _ = write!(from_where, " AND {alias}.category = ${}", binds.len());
        }
        Source {
            from_where,
            id,
            alias,
            binds,
        }
    }
}

/// One page of listed question ids.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    db: E,
    filter: &ListFilter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> Result<Vec<QuestionId>> {
    let Source {
        from_where,
        id,
        alias: a,
        binds,
    } = filter.source();
    let order = match sort {
        Sort::CreatedAt => format!("{a}.created_at DESC, {id} DESC"),
        Sort::Popularity => format!("{a}.popularity DESC, {a}.created_at DESC, {id} DESC"),
        Sort::Urgent => format!("{a}.urgent DESC, {a}.created_at DESC, {id} DESC"),
    };
    let n = binds.len();
    // DISTINCT folds a question matching several tags into one row.
    let distinct = if a == "t" { "DISTINCT " } else { "" };
    let sql = format!(
        "SELECT {distinct}{id} AS id, {a}.created_at, {a}.popularity, {a}.urgent {from_where} ORDER BY {order} \
         LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        query = query.bind(b);
    }
    let rows = query.bind(limit).bind(offset).fetch_all(db).await?;
    rows.iter()
        .map(|r| Ok(QuestionId::from_raw(r.try_get("id")?)))
        .collect()
}

/// How many listed questions match.
pub async fn count<'e, E: Executor<'e, Database = Any>>(db: E, filter: &ListFilter) -> Result<i64> {
    let Source {
        from_where,
        id,
        alias,
        binds,
    } = filter.source();
    let counted = if alias == "t" {
        format!("COUNT(DISTINCT {id})")
    } else {
        "COUNT(*)".to_owned()
    };
    let sql = format!("SELECT {counted} AS n {from_where}");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        query = query.bind(b);
    }
    Ok(query.fetch_one(db).await?.try_get("n")?)
}

/// Tag use between `from` and `to` in listed questions, most used first; only the tags in
/// `only` when given.
pub async fn tag_counts<'e, E: Executor<'e, Database = Any>>(
    db: E,
    (from, to): (Timestamp, Timestamp),
    region: Option<&str>,
    only: Option<&[String]>,
    limit: i64,
) -> Result<Vec<(String, i64)>> {
    let mut sql = "SELECT t.tag, COUNT(*) AS n FROM ask_question_tags t WHERE t.created_at >= $1 AND t.created_at < $2"
        .to_owned();
    let mut binds: Vec<String> = Vec::new();
    if let Some(region) = region {
        binds.push(region.to_owned());
        sql.push_str(" AND t.region_code = $3");
    }
    if let Some(tags) = only {
        if tags.is_empty() {
            return Ok(Vec::new());
        }
        let _ = write!(
            sql,
            " AND t.tag IN ({})",
            placeholders(3 + binds.len(), tags.len())
        );
        binds.extend(tags.iter().cloned());
    }
    let _ = write!(
        sql,
        " GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT ${}",
        3 + binds.len()
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(from.micros())
        .bind(to.micros());
    for b in binds {
        query = query.bind(b);
    }
    query
        .bind(limit)
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("tag")?, r.try_get("n")?)))
        .collect()
}
