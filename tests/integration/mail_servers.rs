//! The real servers messages go to in tests: an SMTP server (aiosmtpd, PyPI, run by
//! `tests/support/smtp_sink.py`) and an HTTP endpoint standing for the SMS gateway, speaking
//! the webhook's published protocol.
//!
//! aiosmtpd is found through `ADESAO_TEST_PYTHON` (a Python with aiosmtpd installed, as `.ci/run`
//! makes) or a `python3` that can import it. Without either, the mail tests say so and pass,
//! unless `ADESAO_MAIL_REQUIRED=1` (CI), where they fail.

use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const FROM: &str = "Adesão <nao-responda@adesao.localhost>";

/// Points the application's e-mail at `smtp_url` and its SMS at `gateway_url`, with delivery
/// rounds and retries short enough for a test.
pub fn send_to(c: &mut adesao_web::Config, smtp_url: &str, gateway_url: &str) {
    c.email = adesao_notify::EmailTransport::Smtp(Box::new(
        adesao_notify::Smtp::new(smtp_url, FROM).unwrap(),
    ));
    c.sms = adesao_notify::SmsTransport::Webhook(
        adesao_notify::Webhook::new(gateway_url, GATEWAY_TOKEN).unwrap(),
    );
    c.retry = adesao_notify::RetryPolicy {
        first_delay: jiff::SignedDuration::from_millis(300),
        max_delay: jiff::SignedDuration::from_secs(1),
        ..adesao_notify::RetryPolicy::default()
    };
    c.delivery_interval = Duration::from_millis(200);
}

/// The Python that can run aiosmtpd, or None (the test is skipped) when mail tests are not
/// required.
pub fn python() -> Option<PathBuf> {
    let required = std::env::var_os("ADESAO_MAIL_REQUIRED").is_some();
    let candidates: Vec<PathBuf> = match std::env::var_os("ADESAO_TEST_PYTHON") {
        Some(p) => vec![p.into()],
        None => vec!["python3".into()],
    };
    for python in candidates {
        let ok = std::process::Command::new(&python)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(python);
        }
    }
    assert!(
        !required,
        "ADESAO_MAIL_REQUIRED is set but no Python with aiosmtpd was found (set ADESAO_TEST_PYTHON)"
    );
    eprintln!("skipped: no Python with aiosmtpd (set ADESAO_TEST_PYTHON); .ci/run runs this test");
    None
}

/// A free port on the loopback.
pub fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An e-mail as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub from: String,
    pub raw: String,
    /// Whether it came over TLS, and who authenticated.
    pub tls: bool,
    pub login: Option<String>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(self.raw.as_bytes())
            .expect("a MIME message")
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    pub fn html(&self) -> Option<String> {
        let parsed = self.parsed();
        (parsed.html_body_count() > 0)
            .then(|| parsed.body_html(0).map(|t| t.into_owned()))
            .flatten()
    }

    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_owned()
    }
}

pub struct SmtpServer {
    python: PathBuf,
    pub port: u16,
    file: PathBuf,
    /// TLS mode, certificate, key and login, when the server demands them.
    tls: Vec<String>,
    child: Option<Child>,
}

impl SmtpServer {
    /// Starts aiosmtpd on a free port.
    pub async fn start(python: &std::path::Path) -> Self {
        Self::start_with(python, Vec::new()).await
    }

    /// Starts aiosmtpd demanding TLS (`starttls` or `implicit`) with this certificate and key,
    /// and authentication as `login` (`user:password`).
    pub async fn start_tls(
        python: &std::path::Path,
        mode: &str,
        cert: &std::path::Path,
        key: &std::path::Path,
        login: &str,
    ) -> Self {
        let tls = vec![
            mode.to_owned(),
            cert.display().to_string(),
            key.display().to_string(),
            login.to_owned(),
        ];
        Self::start_with(python, tls).await
    }

    async fn start_with(python: &std::path::Path, tls: Vec<String>) -> Self {
        let file = std::env::temp_dir().join(format!(
            "adesao-smtp-{}-{}.jsonl",
            std::process::id(),
            free_port()
        ));
        let mut server = Self {
            python: python.to_path_buf(),
            port: free_port(),
            file,
            tls,
            child: None,
        };
        server.resume().await;
        server
    }

    /// (Re)starts the server on its port, keeping what it received.
    pub async fn resume(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut child = Command::new(&self.python)
            .arg(script)
            .arg(self.port.to_string())
            .arg(&self.file)
            .args(&self.tls)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("aiosmtpd starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("aiosmtpd ready in time")
            .unwrap();
        assert_eq!(ready.as_deref(), Some("ready"));
        self.child = Some(child);
    }

    /// Stops the server: connections are refused until [`resume`](Self::resume).
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.unwrap();
            child.wait().await.unwrap();
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        let text = std::fs::read_to_string(&self.file).unwrap_or_default();
        text.lines()
            .map(|line| {
                let v: Value = serde_json::from_str(line).unwrap();
                Received {
                    to: v["to"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t.as_str().unwrap().to_owned())
                        .collect(),
                    from: v["from"].as_str().unwrap().to_owned(),
                    raw: v["data"].as_str().unwrap().to_owned(),
                    tls: v["tls"].as_bool().unwrap_or(false),
                    login: v["login"].as_str().map(str::to_owned),
                }
            })
            .collect()
    }

    /// Waits until at least `n` messages arrived (at most `within`), and returns all of them.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n || tokio::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
    }
}

/// A POST the gateway received.
#[derive(Debug, Clone)]
pub struct Sms {
    pub to: String,
    pub message: String,
    pub authorization: String,
}

#[derive(Clone)]
struct GatewayState {
    received: Arc<Mutex<Vec<Sms>>>,
    answer: Arc<AtomicU16>,
}

/// The SMS gateway: records each POST and answers with the status it is told to.
pub struct SmsGateway {
    pub url: String,
    state: GatewayState,
}

pub const GATEWAY_TOKEN: &str = "token-do-gateway";

impl SmsGateway {
    pub async fn start() -> Self {
        let state = GatewayState {
            received: Arc::default(),
            answer: Arc::new(AtomicU16::new(202)),
        };
        async fn receive(
            State(state): State<GatewayState>,
            headers: HeaderMap,
            body: axum::body::Bytes,
        ) -> StatusCode {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let status = StatusCode::from_u16(state.answer.load(Ordering::SeqCst)).unwrap();
            if status.is_success() {
                state.received.lock().unwrap().push(Sms {
                    to: v["to"].as_str().unwrap_or_default().to_owned(),
                    message: v["message"].as_str().unwrap_or_default().to_owned(),
                    authorization: headers
                        .get("authorization")
                        .and_then(|h| h.to_str().ok())
                        .unwrap_or_default()
                        .to_owned(),
                });
            }
            status
        }
        let router = axum::Router::new()
            .route("/sms", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/sms", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self { url, state }
    }

    /// From now on, answer every POST with `status`.
    pub fn answer(&self, status: u16) {
        self.state.answer.store(status, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Sms> {
        self.state.received.lock().unwrap().clone()
    }

    /// The code of the newest SMS to `mobile`, waiting for it to arrive.
    pub async fn code_for(&self, mobile: &str, after: usize) -> String {
        for _ in 0..100 {
            let got: Vec<Sms> = self
                .received()
                .into_iter()
                .filter(|s| s.to == mobile)
                .collect();
            if got.len() > after {
                let last = got.last().unwrap();
                return adesao_services::requests::signing::code_in_sms(&last.message)
                    .expect("the SMS has a code");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no SMS reached the gateway for {mobile}");
    }
}
