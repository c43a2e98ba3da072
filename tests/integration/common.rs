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
    /// The clock the application's services act at: `advance` it to let time pass.
    pub clock: adesao_services::Clock,
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
        // Uploads are checked by `adesao check-pdf` in a child process; the test binary is not
        // that program, so point at the one cargo built for these tests.
        config.child_program = env!("CARGO_BIN_EXE_adesao").into();
        // A key of the test's own: no key file is written beside the sources.
        config.signing_key = adesao_web::config::SigningKeySource::Key([0x5a; 32]);
        adjust(&mut config);
        let clock = config.clock.clone();
        let app = Application::build(config)
            .await
            .expect("application starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let db = app.db().clone();
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            db,
            clock,
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
        self.token_with(cpf, DEMO_PASSWORD).await
    }

    pub async fn token_with(&self, cpf: &str, password: &str) -> String {
        let response = self.request_token(cpf, password).await;
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

/// The attachment rules of a default configuration, with the PDF checker cargo built.
pub fn attachment_policy() -> adesao_services::requests::AttachmentPolicy {
    adesao_services::requests::AttachmentPolicy::new(
        adesao_documents::sandbox::PdfChecker::new(env!("CARGO_BIN_EXE_adesao"), 2),
        10 << 20,
    )
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
                // The application name lets the clean-up find this test's connections.
                let url = format!(
                    "{base_url}{sep}options[search_path]={schema}&application_name={schema}"
                );
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
                            // The test's runtime is gone, so its pooled connections were never
                            // closed (one may even hold a lock, its rollback unsent): end them.
                            let _ = sqlx::query(
                                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                                 WHERE application_name = $1 AND pid <> pg_backend_pid()",
                            )
                            .bind(&schema)
                            .execute(&mut conn)
                            .await;
                            let _ = sqlx::query("SET lock_timeout = '10s'")
                                .execute(&mut conn)
                                .await;
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

/// JSON API calls with a bearer token.
impl TestApp {
    pub async fn api_post(&self, path: &str, token: &str, body: &Value) -> Response {
        reqwest::Client::new()
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn api_patch(&self, path: &str, token: &str, body: &Value) -> Response {
        reqwest::Client::new()
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// The newest SMS code sent to a demo user (read from the outbox, as the log transport
    /// keeps it there).
    pub async fn last_sms_code(&self, cpf: &str) -> String {
        let digits: String = cpf.chars().filter(char::is_ascii_digit).collect();
        let body: String = sqlx::query_scalar(
            "SELECT o.body FROM outbox o JOIN users u ON u.mobile = o.recipient \
             WHERE o.channel = 'sms' AND u.cpf = $1 ORDER BY o.id DESC LIMIT 1",
        )
        .bind(digits)
        .fetch_one(self.db.pool())
        .await
        .expect("an SMS was queued");
        adesao_services::requests::signing::code_in_sms(&body).expect("the SMS has a code")
    }

    /// Id of a demo user by CPF.
    pub async fn user_id(&self, cpf: &str) -> i64 {
        let digits: String = cpf.chars().filter(char::is_ascii_digit).collect();
        sqlx::query_scalar("SELECT id FROM users WHERE cpf = $1")
            .bind(digits)
            .fetch_one(self.db.pool())
            .await
            .unwrap()
    }

    pub async fn api_id(&self, name: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM apis WHERE name = $1")
            .bind(name)
            .fetch_one(self.db.pool())
            .await
            .unwrap()
    }

    /// Signs request `id` through the API as `cpf`: new authorisation, code from the SMS (where
    /// the log transport keeps it), sign.
    pub async fn api_sign(&self, id: i64, cpf: &str) -> Response {
        self.api_sign_with(id, cpf, async || self.last_sms_code(cpf).await)
            .await
    }

    /// Signs request `id` as `cpf` with the code `code` finds once the authorisation started.
    pub async fn api_sign_with(
        &self,
        id: i64,
        cpf: &str,
        code: impl AsyncFnOnce() -> String,
    ) -> Response {
        let token = self.token(cpf).await;
        let session: Value = self
            .api_post("/api/v1/signing-sessions", &token, &json!({}))
            .await
            .json()
            .await
            .unwrap();
        let sid = session["id"].as_i64().unwrap();
        let code = code().await;
        let r = self
            .api_post(
                &format!("/api/v1/signing-sessions/{sid}/authorize"),
                &token,
                &json!({"code": code}),
            )
            .await;
        assert_eq!(r.status(), 200, "authorize");
        self.api_post(
            &format!("/api/v1/requests/{id}/sign"),
            &token,
            &json!({"signing_session_id": sid}),
        )
        .await
    }

    /// Waits (up to 5 s) until outbox message `id` has `status`; returns the last one read.
    pub async fn outbox_status(&self, id: i64, status: &str) -> String {
        let mut now = String::new();
        for _ in 0..50 {
            now = sqlx::query_scalar("SELECT status FROM outbox WHERE id = $1")
                .bind(id)
                .fetch_one(self.db.pool())
                .await
                .unwrap();
            if now == status {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        now
    }

    /// A full, valid draft body for `api` by the demo signers of UFV.
    pub async fn draft_body(&self, api: &str, kind: &str, volume: u64) -> Value {
        json!({
            "api_id": self.api_id(api).await,
            "type": kind,
            "it_director_id": self.user_id(GESTOR_PRATA).await,
            "technical_lead_id": self.user_id(GESTOR_PRATA_2).await,
            "requested_volume": volume,
            "purpose": complete_purpose(),
        })
    }

    /// The contents of every table a change may touch, row by row, to prove that a refused
    /// action changed nothing (a count would miss an update).
    pub async fn snapshot(&self) -> Vec<String> {
        use sqlx::{Column, Row};
        let mut out = Vec::new();
        for (table, order) in [
            ("requests", "id"),
            ("request_events", "id"),
            ("signatures", "id"),
            ("dsi_documents", "id"),
            ("signing_keys", "id"),
            ("outbox", "id"),
            ("api_access", "requester_id, api_id"),
            ("request_number_sequences", "year"),
            ("attachments", "id"),
            ("signing_sessions", "id"),
            ("organizations", "id"),
            ("users", "id"),
            ("user_roles", "user_id, role"),
            ("apis", "id"),
            ("api_attachment_requirements", "id"),
            ("audit_log", "id"),
        ] {
            let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY {order}"))
                .fetch_all(self.db.pool())
                .await
                .unwrap();
            for row in rows {
                let mut line = format!("{table}:");
                for (i, column) in row.columns().iter().enumerate() {
                    // The outbox worker runs beside the test: its bookkeeping of a delivery
                    // (status, attempts, lease, times, a code masked once sent) is not the
                    // doing of the action under test. Which messages exist, to whom and
                    // about what, is.
                    if table == "outbox" && DELIVERY_COLUMNS.contains(&column.name()) {
                        continue;
                    }
                    let value = if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                        format!("{v:?}")
                    } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                        format!("{v:?}")
                    } else if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
                        // Contents by their digest: a changed byte shows, a megabyte does not.
                        v.map(|b| hex_digest(&b)).unwrap_or_default()
                    } else {
                        "?".to_owned()
                    };
                    line.push_str(&format!(" {}={value}", column.name()));
                }
                out.push(line);
            }
        }
        out
    }
}

/// The outbox's columns that its worker changes.
const DELIVERY_COLUMNS: [&str; 8] = [
    "status",
    "attempts",
    "last_error",
    "next_attempt_at",
    "sent_at",
    "last_attempt_at",
    "body",
    "delivered_body",
];

fn hex_digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn complete_purpose() -> Value {
    json!({
        "legal_bases": ["public_policy"],
        "data_usage": "Validação de dados cadastrais dos estudantes beneficiários.",
        "public_policies": "Assistência estudantil (PNAES).",
        "legal_provision": "Decreto nº 7.234/2010.",
        "citizen_results": "O estudante não precisa apresentar comprovantes de benefício.",
        "retention": "Cinco anos, conforme a tabela de temporalidade do CONARQ."
    })
}

// Helpers of the rule tests (api_rules, api_signing, api_analysis).

pub async fn status_of(r: reqwest::Response) -> (u16, Value) {
    let s = r.status().as_u16();
    let body = r.json().await.unwrap_or(Value::Null);
    (s, body)
}

/// Asserts the call is refused with `status` and that nothing changed in the database.
pub async fn refused(
    app: &TestApp,
    status: u16,
    call: impl std::future::Future<Output = reqwest::Response>,
) -> Value {
    let before = app.snapshot().await;
    let (got, body) = status_of(call.await).await;
    assert_eq!(got, status, "{body}");
    assert_eq!(
        app.snapshot().await,
        before,
        "a refused action changed the database: {body}"
    );
    body
}

pub async fn new_draft(app: &TestApp, api: &str, kind: &str) -> i64 {
    let token = app.token(GESTOR_PRATA).await;
    let body = app.draft_body(api, kind, 100_000).await;
    let r = app.api_post("/api/v1/requests", &token, &body).await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

pub async fn in_review(app: &TestApp) -> i64 {
    let id = new_draft(app, "API BPC", "adhesion").await;
    let token = app.token(GESTOR_PRATA).await;
    assert_eq!(
        app.api_post(
            &format!("/api/v1/requests/{id}/release"),
            &token,
            &json!({})
        )
        .await
        .status(),
        200
    );
    assert_eq!(app.api_sign(id, GESTOR_PRATA).await.status(), 200);
    assert_eq!(app.api_sign(id, GESTOR_PRATA_2).await.status(), 200);
    id
}
