//! Measures the PDF check against the hostile files of issue 8, through the real checking
//! process, and the memory of a real server while they are uploaded. Prints a table.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example pdf_bombs            # uses target/release/adesao
//! cargo run --release --example pdf_bombs -- PATH    # another adesao binary
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use adesao_documents::pdf::{hostile, sample, sample_of_size};
use adesao_documents::sandbox::{CheckError, PdfChecker};
use serde_json::{Value, json};

fn files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("real, one page", sample("Ofício assinado")),
        (
            "real, 9 MB of page data",
            sample_of_size("Ofício", 9_000_000),
        ),
        (
            "object stream, one array of 25 M values",
            hostile::object_stream_array(25_000_000),
        ),
        (
            "object stream, one array of 100 M values",
            hostile::object_stream_array(100_000_000),
        ),
        ("xref stream, 2 M entries", hostile::xref_stream(2_000_000)),
        (
            "xref stream, 140 k entries (within limits)",
            hostile::xref_stream(140_000),
        ),
        (
            "xref table, 100 k broken entries",
            hostile::bad_xref_table(100_000),
        ),
        ("arrays nested 400 k deep", hostile::nested_arrays(400_000)),
        (
            "flate bomb, 10 MB -> 10 GB",
            hostile::flate_bomb(10_000_000),
        ),
        ("200,001 objects", hostile::many_objects(200_001)),
        (
            "deflated twice, 64 MiB inside",
            hostile::double_flate(64 << 20),
        ),
        (
            "200,001 objects, encrypted (no password to open)",
            hostile::password_protected("", 200_001),
        ),
        (
            "locked by a password",
            hostile::password_protected("segredo", 0),
        ),
    ]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let program = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/release/adesao"));
    anyhow::ensure!(
        program.exists(),
        "{} not found: run `cargo build --release` first",
        program.display()
    );
    let checker = PdfChecker::new(&program, 1);
    println!("## The check, one file at a time ({})\n", program.display());
    println!("| file | size | verdict | time | checker's peak RSS |");
    println!("|---|---:|---|---:|---:|");
    for (name, bytes) in files() {
        let started = Instant::now();
        let result = checker.check(&bytes).await;
        let took = started.elapsed();
        let (verdict, rss) = match result {
            Ok(report) => (
                "accepted".to_owned(),
                report
                    .peak_rss_kib
                    .map_or("?".into(), |k| format!("{} MB", k / 1024)),
            ),
            Err(CheckError::Refused(p)) => (format!("refused: {p:?}"), "-".into()),
            Err(e) => (format!("error: {e}"), "-".into()),
        };
        println!(
            "| {name} | {:.1} KB | {verdict} | {} ms | {rss} |",
            bytes.len() as f64 / 1024.0,
            took.as_millis()
        );
    }
    server_memory(&program).await
}

/// Starts `adesao serve` on a fresh SQLite file and uploads every file above, four at a time,
/// three rounds, printing the server's resident memory before and at its peak.
async fn server_memory(program: &PathBuf) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("adesao-bombs-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let mut server = std::process::Command::new(program)
        .env("ADESAO_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "ADESAO_DATABASE_URL",
            format!("sqlite://{}/a.db", dir.display()),
        )
        .env("ADESAO_LOG", "error")
        .spawn()?;
    let client = reqwest::Client::new();
    let result = async {
        for _ in 0..100 {
            if client.get(format!("{url}/healthz")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let token: Value = client
            .post(format!("{url}/api/v1/auth/token"))
            .json(&json!({"cpf": "213.591.158-54", "password": "adesao-demo"}))
            .send()
            .await?
            .json()
            .await?;
        let token = token["token"].as_str().unwrap_or_default().to_owned();
        let draft: Value = client
            .post(format!("{url}/api/v1/requests"))
            .bearer_auth(&token)
            .json(
                &json!({"api_id": 2, "type": "adhesion", "it_director_id": 1,
                "technical_lead_id": 2, "requested_volume": 1000}),
            )
            .send()
            .await?
            .json()
            .await?;
        let id = draft["id"].as_i64().unwrap_or_default();
        let upload = |name: &'static str, bytes: Vec<u8>| {
            let form = reqwest::multipart::Form::new().text("kind", "other").part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
            client
                .post(format!("{url}/api/v1/requests/{id}/attachments"))
                .bearer_auth(&token)
                .multipart(form)
                .send()
        };
        println!("\n## The server (`adesao serve`), uploads four at a time, three rounds\n");
        println!("| uploads | accepted | time | RSS before | peak RSS | peak anonymous RSS |");
        println!("|---|---:|---:|---:|---:|---:|");
        let hostile: Vec<(&'static str, Vec<u8>)> = files()
            .into_iter()
            .filter(|(name, _)| !name.starts_with("real"))
            .collect();
        for (label, set) in [("hostile files only", hostile), ("all files", files())] {
            let before = memory_kib(server.id())?;
            let sampler = Sampler::start(server.id());
            let started = Instant::now();
            let mut accepted = 0;
            for _ in 0..3 {
                for chunk in set.chunks(4) {
                    let sends = chunk
                        .iter()
                        .map(|(name, bytes)| upload(name, bytes.clone()));
                    for r in futures_util::future::join_all(sends).await {
                        accepted += usize::from(r?.status() == 201);
                    }
                }
            }
            let took = started.elapsed();
            let (peak_rss, peak_anon) = sampler.stop();
            println!(
                "| {label} ({}) | {accepted} | {:.1} s | {} MB | {} MB | {} MB |",
                set.len() * 3,
                took.as_secs_f64(),
                before.rss / 1024,
                peak_rss / 1024,
                peak_anon / 1024
            );
        }
        anyhow::Ok(())
    }
    .await;
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

struct Memory {
    rss: u64,
    anon: u64,
}

/// VmRSS and RssAnon of a process, in KiB (RSS counts the database file's pages that SQLite
/// maps into memory; the anonymous part is the process's own heap).
fn memory_kib(pid: u32) -> anyhow::Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    Ok(Memory {
        rss: field("VmRSS:"),
        anon: field("RssAnon:"),
    })
}

/// Reads a process's memory every 10 ms until stopped; keeps the peaks.
struct Sampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<(u64, u64)>,
}

impl Sampler {
    fn start(pid: u32) -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let (mut rss, mut anon) = (0, 0);
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(m) = memory_kib(pid) {
                    rss = rss.max(m.rss);
                    anon = anon.max(m.anon);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            (rss, anon)
        });
        Self { stop, thread }
    }

    fn stop(self) -> (u64, u64) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap_or((0, 0))
    }
}
