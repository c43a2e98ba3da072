//! `TestApp`: the application under test, and helpers that later suites extend.

use std::sync::atomic::{AtomicU64, Ordering};

use adesao_store::Db;
use adesao_web::{Application, Config};
use reqwest::redirect::Policy;
use reqwest::{Client, Response};
use serde_json::{Value, json};

pub const DEMO_PASSWORD: &str = "adesao-demo";
/// Demo users of SPEC §12.
pub const GESTOR_PRATA: &str = "213.591.158-54";
pub const GESTOR_PRATA_2: &str = "240.596.684-00";
pub const ANALISTA_INSS: &str = "529.982.247-25";
pub const EQUIPE_CONECTA: &str = "045.134.689-04";

pub struct TestApp {
    pub address: String,
    pub db: Db,
    _database: TestDatabase,
}

impl TestApp {
    /// The application with demo data, as `cargo run` starts it.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// The application with configuration changed by `adjust`.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        if std::env::var_os("TEST_LOG").is_some() {
            adesao_web::init_tracing("info,sqlx=warn");
        }
        let database = TestDatabase::create().await;
        let mut config = Config::from_lookup(|_| None).expect("default configuration is valid");
        config.addr = "127.0.0.1:0".parse().unwrap();
        config.database_url = database.url.clone();
        config.db_max_connections = 4;
        adjust(&mut config);
        let app = Application::build(config)
            .await
            .expect("application starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let db = app.db().clone();
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            db,
            _database: database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A browser-like client: its own cookie jar, redirects not followed (tests look at them).
    pub fn browser(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    /// Opens the login page and returns the CSRF token of its form.
    pub async fn login_form_token(&self, browser: &Client) -> String {
        let html = browser
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        csrf_token_in(&html).expect("login form has a csrf_token field")
    }

    /// Posts the login form as a browser would (after opening it).
    pub async fn post_login(&self, browser: &Client, cpf: &str, password: &str) -> Response {
        let token = self.login_form_token(browser).await;
        browser
            .post(self.url("/login"))
            .form(&[("cpf", cpf), ("password", password), ("csrf_token", &token)])
            .send()
            .await
            .unwrap()
    }

    /// A browser logged in as `cpf` with the demo password.
    pub async fn logged_in(&self, cpf: &str) -> Client {
        let browser = self.browser();
        let response = self.post_login(&browser, cpf, DEMO_PASSWORD).await;
        assert_eq!(response.status(), 303, "login of {cpf} failed");
        browser
    }

    /// `POST /api/v1/auth/token`.
    pub async fn request_token(&self, cpf: &str, password: &str) -> Response {
        reqwest::Client::new()
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"cpf": cpf, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// A bearer token for a demo user.
    pub async fn token(&self, cpf: &str) -> String {
        let response = self.request_token(cpf, DEMO_PASSWORD).await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    pub async fn api_get(&self, path: &str, token: &str) -> Response {
        reqwest::Client::new()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// Runs a `SELECT COUNT(*)` (or any single-integer query) on the app's database.
    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.db.pool())
            .await
            .unwrap()
    }
}

/// The value of the first `csrf_token` hidden field of a page.
pub fn csrf_token_in(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// A database of this test's own, removed when the test ends.
struct TestDatabase {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(std::path::PathBuf),
    PostgresSchema { base_url: String, schema: String },
}

impl TestDatabase {
    async fn create() -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let unique = format!(
            "{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        match std::env::var("ADESAO_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(base_url) if base_url.starts_with("postgres") => {
                let schema = format!("t_{unique}");
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&base_url)
                    .await
                    .expect("ADESAO_TEST_DATABASE_URL answers");
                sqlx::query(&format!("CREATE SCHEMA {schema}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let sep = if base_url.contains('?') { '&' } else { '?' };
                let url = format!("{base_url}{sep}options[search_path]={schema}");
                Self {
                    url,
                    cleanup: Cleanup::PostgresSchema { base_url, schema },
                }
            }
            _ => {
                let path = std::env::temp_dir().join(format!("adesao-test-{unique}.db"));
                let url = format!("sqlite://{}", path.display());
                Self {
                    url,
                    cleanup: Cleanup::SqliteFile(path),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::PostgresSchema { base_url, schema } => {
                // Drop runs inside the test's runtime, which cannot block on itself: use a
                // thread with a runtime of its own.
                let (base_url, schema) = (base_url.clone(), schema.clone());
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        if let Ok(mut conn) =
                            <sqlx::PgConnection as sqlx::Connection>::connect(&base_url).await
                        {
                            let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                                .execute(&mut conn)
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}
