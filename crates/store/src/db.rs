use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor, Transaction};

use crate::{StoreError, StoreResult};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Which backend a database URL names, or why it names none.
    pub fn of_url(url: &str) -> StoreResult<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Url(
                "expected sqlite://PATH or postgres://USER@HOST/DATABASE".to_owned(),
            ))
        }
    }
}

#[derive(Debug, Clone)]
pub struct DbOptions {
    pub url: String,
    pub max_connections: u32,
}

impl DbOptions {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 8,
        }
    }
}

/// The connection pool and which backend is behind it.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects (creating a SQLite file and its folder if missing) and applies the migrations.
    pub async fn connect(options: &DbOptions) -> StoreResult<Self> {
        install_default_drivers();
        let backend = Backend::of_url(&options.url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(&options.url)?,
            Backend::Postgres => options.url.clone(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            // sqlx pings every connection it hands out: a round trip on PostgreSQL, a hand-off
            // to SQLite's thread, on every acquire, and a page acquires several (issue 15). A
            // connection used within the last half-minute is alive; one idle longer is checked,
            // and closed (another taken) when it does not answer.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > Duration::from_secs(30) {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers work during a write; foreign keys are off by default
                        // in SQLite; the busy timeout makes a writer wait for the lock instead of
                        // failing at once; mmap keeps a pool of connections from thrashing the
                        // page cache (see ARCHITECTURE.md).
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                             PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                             PRAGMA mmap_size = 268435456;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let db = Self { pool, backend };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> StoreResult<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A pooled connection for reads or single-statement writes.
    pub async fn acquire(&self) -> StoreResult<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a deferred transaction that read first and wrote later would fail with
    /// SQLITE_BUSY when another writer committed in between, instead of waiting its turn.
    pub async fn begin(&self) -> StoreResult<Transaction<'static, sqlx::Any>> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    /// Answers when the database answers (for `/healthz`).
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Fresh planner statistics after a bulk load (and, on PostgreSQL, the visibility map that
    /// autovacuum would have built, without which counts cannot come from indexes alone).
    ///
    /// On SQLite only the per-index averages are kept (`sqlite_stat1`), not the samples
    /// (`sqlite_stat4`, which the bundled SQLite gathers): with samples, SQLite plans a statement
    /// again each time a value bound to an indexed column changes, and the filtered list at a
    /// million rows served 7,700 pages a second instead of 16,900 (the floor, issue 15), for
    /// the same plans. `ANALYZE sqlite_schema` makes the planner read the statistics again.
    pub async fn analyze(&self) -> StoreResult<()> {
        match self.backend() {
            Backend::Sqlite => {
                let mut conn = self.acquire().await?;
                sqlx::query("ANALYZE").execute(&mut *conn).await?;
                let samples: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'",
                )
                .fetch_one(&mut *conn)
                .await?;
                if samples > 0 {
                    sqlx::query("DELETE FROM sqlite_stat4")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("ANALYZE sqlite_schema")
                        .execute(&mut *conn)
                        .await?;
                }
            }
            Backend::Postgres => {
                sqlx::query("VACUUM ANALYZE").execute(self.pool()).await?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates the folder of a SQLite file and asks sqlx to create the file itself.
fn prepare_sqlite_url(url: &str) -> StoreResult<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err(StoreError::Url("the SQLite URL names no file".to_owned()));
    }
    if path != ":memory:"
        && let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            StoreError::Url(format!("cannot create folder {}: {e}", parent.display()))
        })?;
    }
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if !params.iter().any(|p| p.starts_with("mode=")) {
        params.push("mode=rwc");
    }
    let url = format!("sqlite://{path}?{}", params.join("&"));
    // Validate early so a bad option fails with a clear message.
    sqlx::sqlite::SqliteConnectOptions::from_str(&url)
        .map_err(|e| StoreError::Url(e.to_string()))?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one integer a test's statement selects.
    async fn scalar(pool: &AnyPool, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .unwrap()
    }

    #[test]
    fn recognises_backends() {
        assert_eq!(
            Backend::of_url("sqlite://data/a.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::of_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::of_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::of_url("mysql://u@h/db").is_err());
    }

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = std::env::temp_dir().join(format!("adesao-url-{}", std::process::id()));
        let url = format!("sqlite://{}/sub/a.db", dir.display());
        let prepared = prepare_sqlite_url(&url).unwrap();
        assert!(prepared.ends_with("a.db?mode=rwc"), "{prepared}");
        assert!(dir.join("sub").is_dir());
        std::fs::remove_dir_all(dir).unwrap();
        assert_eq!(
            prepare_sqlite_url("sqlite://x.db?mode=ro").unwrap(),
            "sqlite://x.db?mode=ro"
        );
    }

    /// After a bulk load SQLite keeps the per-index averages but no samples (see `analyze`).
    #[tokio::test]
    async fn analyze_on_sqlite_keeps_averages_and_drops_samples() {
        let dir = std::env::temp_dir().join(format!("adesao-analyze-{}", std::process::id()));
        let db = Db::connect(&DbOptions {
            url: format!("sqlite://{}/a.db", dir.display()),
            max_connections: 1,
        })
        .await
        .unwrap();
        for i in 0..50 {
            sqlx::query(
                "INSERT INTO organizations (name, acronym, cnpj, created_at) VALUES ($1, $2, $3, 't')",
            )
            .bind(format!("Org {i}"))
            .bind(format!("O{i}"))
            .bind(format!("{i:014}"))
            .execute(db.pool())
            .await
            .unwrap();
        }
        db.analyze().await.unwrap();
        let count = |sql: &'static str| scalar(db.pool(), sql);
        assert!(count("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'organizations'").await > 0);
        assert_eq!(count("SELECT COUNT(*) FROM sqlite_stat4").await, 0);
        db.close().await;
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// Migration 5 rebuilds `apis` and `user_roles` on SQLite (it cannot alter them in place):
    /// on a database with data, every row survives, under the same ids, with the foreign keys
    /// whole.
    #[tokio::test]
    async fn the_sqlite_rebuild_of_migration_5_keeps_every_row() {
        let dir = std::env::temp_dir().join(format!("adesao-upgrade-{}", std::process::id()));
        let old = dir.join("migrations");
        std::fs::create_dir_all(&old).unwrap();
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
        for entry in std::fs::read_dir(&source).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if name.as_str() < "0005" {
                std::fs::copy(&path, old.join(&name)).unwrap();
            }
        }
        let url = format!("sqlite://{}/a.db?mode=rwc", dir.display());
        {
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .unwrap();
            sqlx::query("PRAGMA foreign_keys = ON")
                .execute(&pool)
                .await
                .unwrap();
            sqlx::migrate::Migrator::new(old.as_path())
                .await
                .unwrap()
                .run(&pool)
                .await
                .unwrap();
            for sql in [
                "INSERT INTO organizations VALUES (1, 'Universidade', 'UFV', '25944455000196', 1, 't'), \
                 (2, 'Instituto', 'INSS', '29979036000140', 1, 't')",
                "INSERT INTO users VALUES (1, 1, '21359115854', 'Gestor', 'g@ufv.br', '+5561912345678', 'h', 1, 't')",
                "INSERT INTO user_roles VALUES (1, 'manager'), (1, 'it_director'), (1, 'technical_lead')",
                "INSERT INTO apis VALUES (7, 2, 'API BPC', 'd', 1, 't')",
                "INSERT INTO api_attachment_requirements VALUES (3, 7, 'form', 1, 'm.odt', 'x', X'0102')",
                "INSERT INTO requests (id, number, number_year, number_sequence, request_type, status, api_id, \
                 requester_id, provider_id, it_director_id, technical_lead_id, requested_volume, created_by, \
                 created_at, last_event_at) VALUES (5, '000001/2026', 2026, 1, 'adhesion', 'granted', 7, 1, 2, 1, 1, \
                 10, 1, 't', 't')",
                "INSERT INTO api_access VALUES (1, 7, 10, 5, 't')",
            ] {
                sqlx::query(sql).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
        let db = Db::connect(&DbOptions {
            url: url.clone(),
            max_connections: 1,
        })
        .await
        .expect("migration 5 applies on a database with data");
        let count = |sql: &'static str| scalar(db.pool(), sql);
        assert_eq!(
            count("SELECT COUNT(*) FROM apis WHERE id = 7 AND accepting_requests = 1").await,
            1
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM api_attachment_requirements WHERE id = 3 AND api_id = 7")
                .await,
            1
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM user_roles WHERE user_id = 1 AND starts_on IS NULL").await,
            3
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM requests WHERE api_id = 7").await,
            1
        );
        // Migration 10 counts the requests already there.
        assert_eq!(
            count(
                "SELECT n FROM request_counts WHERE requester_id = 1 AND provider_id = 2 \
                 AND api_id = 7 AND request_type = 'adhesion' AND status = 'granted'"
            )
            .await,
            1
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM organizations WHERE provides_apis = 1").await,
            1
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM pragma_foreign_key_check").await,
            0
        );
        // The new uniqueness: per provider.
        sqlx::query("INSERT INTO apis (provider_id, name, created_at) VALUES (1, 'API BPC', 't')")
            .execute(db.pool())
            .await
            .unwrap();
        assert!(
            sqlx::query(
                "INSERT INTO apis (provider_id, name, created_at) VALUES (2, 'API BPC', 't')"
            )
            .execute(db.pool())
            .await
            .is_err()
        );
        db.close().await;
        std::fs::remove_dir_all(dir).unwrap();
    }
}
