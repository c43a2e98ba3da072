//! Measures the outbox worker (issue 11): how fast 10,000 queued e-mails leave through a local
//! SMTP server, and the bookkeeping alone (the log transport), on a fresh database.
//!
//!     python3 tests/support/smtp_sink.py 2525 - &      # aiosmtpd (PyPI), discarding
//!     cargo run --release --example outbox_throughput -- smtp://127.0.0.1:2525 [MESSAGES] [DATABASE_URL]
//!
//! MESSAGES defaults to 10000; DATABASE_URL to a fresh SQLite file in the temp folder (a
//! `postgres://` URL must name an empty database). Each message is a realistic e-mail of the
//! lifecycle (a plain text of ~1 KB and its HTML alternative of ~4 KB). The worker runs as in
//! the server: rounds of 50 claimed under a lease, 4 sends in flight over a pool of reused
//! SMTP connections, one status update per message.

use std::time::Instant;

use adesao_notify::{EmailTransport, Notifier, PARALLEL_SENDS, RetryPolicy, SmsTransport, Smtp};
use adesao_store::outbox::{self, Channel, NewMessage};
use adesao_store::{Db, DbOptions};

async fn fresh_db(url: Option<&str>, label: &str) -> Db {
    let url = match url {
        Some(u) => u.to_owned(),
        None => {
            let path = std::env::temp_dir().join(format!(
                "adesao-outbox-bench-{}-{label}.db",
                std::process::id()
            ));
            let _ = std::fs::remove_file(&path);
            format!("sqlite://{}", path.display())
        }
    };
    let mut options = DbOptions::new(&url);
    options.max_connections = 4;
    let db = Db::connect(&options).await.expect("database");
    sqlx::query("DELETE FROM outbox")
        .execute(db.pool())
        .await
        .unwrap();
    db
}

async fn enqueue(db: &Db, n: usize) {
    let text = "Olá, Gestor Prata.\n\n".to_owned()
        + &"A solicitação abaixo foi liberada para assinatura. ".repeat(18);
    let html = "<!DOCTYPE html><html lang=\"pt-BR\"><body>".to_owned()
        + &"<p style=\"margin:0 0 16px 0;\">A solicitação abaixo foi <strong>liberada</strong>.</p>"
            .repeat(48) + "</body></html>";
    let mut tx = db.begin().await.unwrap();
    for i in 0..n {
        let to = format!("pessoa{i}@orgao.example");
        outbox::enqueue(
            &mut tx,
            &NewMessage {
                channel: Channel::Email,
                recipient: &to,
                subject: "Solicitação de adesão 000001/2026 aguarda sua assinatura",
                body: &text,
                html_body: Some(&html),
                delivered_body: None,
                request_id: None,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn run(db: &Db, email: EmailTransport, n: usize) -> f64 {
    let notifier = Notifier::new(db.clone(), email, SmsTransport::Log, RetryPolicy::default());
    let started = Instant::now();
    let sent = notifier.deliver_due().await.expect("delivery");
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(sent, n, "every message sent");
    secs
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let smtp_url = args
        .first()
        .expect("usage: outbox_throughput smtp://HOST:PORT [MESSAGES] [DATABASE_URL]");
    let n: usize = args.get(1).map_or(10_000, |s| s.parse().expect("MESSAGES"));
    let db_url = args.get(2).map(String::as_str);
    let backend = if db_url.is_some_and(|u| u.starts_with("postgres")) {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("{n} e-mails queued, {backend}, {PARALLEL_SENDS} in flight\n");
    println!("| transport | seconds | messages/s |");
    println!("|---|---:|---:|");
    for label in ["log", "smtp"] {
        let db = fresh_db(db_url, label).await;
        enqueue(&db, n).await;
        let email = if label == "smtp" {
            EmailTransport::Smtp(Box::new(
                Smtp::new(smtp_url, "Adesão <nao-responda@adesao.localhost>").expect("SMTP URL"),
            ))
        } else {
            EmailTransport::Log
        };
        let secs = run(&db, email, n).await;
        println!(
            "| {} | {secs:.2} | {:.0} |",
            if label == "log" {
                "log (bookkeeping only)"
            } else {
                "SMTP, local aiosmtpd"
            },
            n as f64 / secs
        );
        db.close().await;
    }
}
