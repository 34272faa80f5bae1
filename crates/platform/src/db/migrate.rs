//! Migrations: each app brings its own list, one entry per version with a text per dialect,
//! recorded under the app's name so apps never collide.

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{Db, Dialect};

/// One schema change, written once per dialect.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
    /// Checksums of texts this version had once, in released code, before it was edited by
    /// mistake. A ledger holding one of them is accepted: the edit's effect must be repeated,
    /// idempotently, by a later migration, so both kinds of database end up the same.
    pub earlier: &'static [&'static str],
}

impl Migration {
    fn sql(&self, dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Sqlite => self.sqlite,
            Dialect::Postgres => self.postgres,
        }
    }

    /// What the ledger records of the text for `dialect`, to notice later edits.
    pub fn checksum(&self, dialect: Dialect) -> String {
        format!("{:x}", Sha256::digest(self.sql(dialect).as_bytes()))
    }
}

/// Declares a migration whose files are `migrations/{sqlite,postgres}/<file>` in the calling crate.
#[macro_export]
macro_rules! migration {
    ($version:literal, $name:literal) => {
        $crate::migration!($version, $name, earlier = [])
    };
    ($version:literal, $name:literal, earlier = [$($earlier:literal),* $(,)?]) => {
        $crate::db::Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/migrations/sqlite/",
                $name,
                ".sql"
            )),
            postgres: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/migrations/postgres/",
                $name,
                ".sql"
            )),
            earlier: &[$($earlier),*],
        }
    };
}

const LEDGER: &str = "CREATE TABLE IF NOT EXISTS maru_migrations (
    app TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at BIGINT NOT NULL,
    PRIMARY KEY (app, version)
)";

/// Applies `app`'s pending migrations in order, each in its own transaction. A migration that
/// was applied and then edited is refused rather than silently skipped.
pub async fn migrate(db: &Db, app: &str, migrations: &[Migration]) -> anyhow::Result<usize> {
    sqlx::query(LEDGER).execute(db.writer()).await?;
    let applied = sqlx::query("SELECT version, checksum FROM maru_migrations WHERE app = $1")
        .bind(app)
        .fetch_all(db.writer())
        .await?;
    let applied: std::collections::HashMap<i64, String> = applied
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let mut count = 0;
    for m in migrations {
        let sql = m.sql(db.dialect());
        let checksum = m.checksum(db.dialect());
        if let Some(existing) = applied.get(&m.version) {
            anyhow::ensure!(
                *existing == checksum || m.earlier.contains(&existing.as_str()),
                "migration {app}/{} ({}) changed after it was applied; add a new migration instead",
                m.version,
                m.name
            );
            continue;
        }
        let mut tx = db.begin().await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .map_err(|e| anyhow::anyhow!("migration {app}/{}: {e}", m.name))?;
        sqlx::query("INSERT INTO maru_migrations (app, version, name, checksum, applied_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(app)
            .bind(m.version)
            .bind(m.name)
            .bind(checksum)
            .bind(chrono::Utc::now().timestamp_micros())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &'static str, earlier: &'static [&'static str]) -> [Migration; 1] {
        [Migration {
            version: 1,
            name: "0001_t",
            sqlite: sql,
            postgres: sql,
            earlier,
        }]
    }

    #[tokio::test]
    async fn an_edited_migration_is_refused_unless_its_old_text_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(&url, None, 2).await.unwrap();
        let first = "CREATE TABLE t (id INTEGER PRIMARY KEY)";
        assert_eq!(migrate(&db, "t", &one(first, &[])).await.unwrap(), 1);
        assert_eq!(migrate(&db, "t", &one(first, &[])).await.unwrap(), 0);

        let edited = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)";
        let refused = migrate(&db, "t", &one(edited, &[])).await.unwrap_err();
        assert!(refused.to_string().contains("changed after it was applied"));

        let old = format!("{:x}", Sha256::digest(first.as_bytes()));
        let earlier: &'static [&'static str] = Box::leak(Box::new([old.leak() as &str]));
        assert_eq!(migrate(&db, "t", &one(edited, earlier)).await.unwrap(), 0);
    }
}
