//! The outbox worker against a real SMTP server (issue 11): several workers on one database,
//! and a worker that died holding messages, never lose nor repeat one.

use std::time::Duration;

use adesao_notify::{EmailTransport, Notifier, RetryPolicy, SmsTransport, Smtp};
use adesao_store::outbox::{self, Channel, NewMessage};
use jiff::SignedDuration;

use crate::common::TestApp;
use crate::mail_servers::{FROM, SmsGateway, SmtpServer, python, send_to};

#[tokio::test]
async fn two_workers_on_one_database_never_send_the_same_message() {
    let Some(python) = python() else { return };
    let smtp = SmtpServer::start(&python).await;
    // The application's own worker stays out of the way: its first round, at start, finds
    // nothing, and the next is an hour later.
    let app = TestApp::spawn_with(|c| {
        c.demo_data = false;
        c.delivery_interval = Duration::from_secs(3600);
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut conn = app.db.acquire().await.unwrap();
    let total = 300;
    for i in 0..total {
        let to = format!("pessoa{i}@orgao.example");
        outbox::enqueue(
            &mut conn,
            &NewMessage {
                channel: Channel::Email,
                recipient: &to,
                subject: "Teste",
                body: "Corpo",
                html_body: Some("<p>Corpo</p>"),
                delivered_body: None,
                request_id: None,
            },
        )
        .await
        .unwrap();
    }
    drop(conn);
    let worker = || {
        Notifier::new(
            app.db.clone(),
            EmailTransport::Smtp(Box::new(Smtp::new(&smtp.url(), FROM).unwrap())),
            SmsTransport::Log,
            RetryPolicy::default(),
        )
    };
    let (a, b) = (worker(), worker());
    let (sent_a, sent_b) = tokio::join!(a.deliver_due(), b.deliver_due());
    let (sent_a, sent_b) = (sent_a.unwrap(), sent_b.unwrap());
    let errors: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT last_error FROM outbox WHERE last_error IS NOT NULL")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(sent_a + sent_b, total, "{sent_a} + {sent_b}");
    let received = smtp.wait_for(total, Duration::from_secs(30)).await;
    assert_eq!(received.len(), total);
    let ids: std::collections::HashSet<String> = received.iter().map(|m| m.message_id()).collect();
    assert_eq!(ids.len(), total, "each message once");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND attempts = 1")
            .await,
        total as i64
    );
}

#[tokio::test]
async fn messages_claimed_by_a_worker_that_died_are_sent_once_its_lease_ends() {
    let Some(python) = python() else { return };
    let smtp = SmtpServer::start(&python).await;
    let gateway = SmsGateway::start().await;
    let (smtp_url, gateway_url) = (smtp.url(), gateway.url.clone());
    let app = TestApp::spawn_with(move |c| {
        c.demo_data = false;
        send_to(c, &smtp_url, &gateway_url);
    })
    .await;
    // Another process claimed three messages under a lease of 2 s, then was killed before
    // sending them (kill -9: nothing of it runs any more, its claims stay in the table).
    let mut tx = app.db.begin().await.unwrap();
    for i in 0..3 {
        let to = format!("pessoa{i}@orgao.example");
        outbox::enqueue(
            &mut tx,
            &NewMessage {
                channel: Channel::Email,
                recipient: &to,
                subject: "Assunto",
                body: "Corpo",
                html_body: None,
                delivered_body: None,
                request_id: None,
            },
        )
        .await
        .unwrap();
    }
    let now = jiff::Timestamp::now();
    let claimed = outbox::claim_due(&mut tx, now, now + SignedDuration::from_secs(2), 10)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(claimed.len(), 3);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(smtp.received().is_empty(), "leased to the dead worker");
    let received = smtp.wait_for(3, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(received.len(), 3);
    assert_eq!(smtp.received().len(), 3, "once each");
}
