use adesao_store::outbox::{self, Channel, NewMessage};

use crate::common::TestApp;

#[tokio::test]
async fn the_running_app_delivers_queued_messages_through_the_outbox() {
    let app = TestApp::spawn().await;
    let mut conn = app.db.acquire().await.unwrap();
    let id = outbox::enqueue(
        &mut conn,
        &NewMessage {
            channel: Channel::Sms,
            recipient: "+5561911110011",
            subject: "",
            body: "Código de autorização: 123456",
            html_body: None,
            delivered_body: Some("Código de autorização: ******"),
            request_id: None,
        },
    )
    .await
    .unwrap();
    drop(conn);
    let status = app.outbox_status(id, "sent").await;
    assert_eq!(status, "sent");
    let mut conn = app.db.acquire().await.unwrap();
    let (listed, _) = outbox::list(&mut conn, &outbox::Filter::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].attempts, 1);
    assert!(listed[0].sent_at.is_some());
    assert_eq!(
        listed[0].body, "Código de autorização: 123456",
        "the body stays for admins while the log transport holds it"
    );
}

#[tokio::test]
async fn a_claimed_message_is_not_claimed_twice_and_failures_are_rescheduled() {
    let app = TestApp::spawn_with(|c| c.demo_data = false).await;
    let mut conn = app.db.acquire().await.unwrap();
    let message = NewMessage {
        channel: Channel::Email,
        recipient: "a@b.example",
        subject: "Assunto",
        body: "Corpo",
        html_body: None,
        delivered_body: None,
        request_id: None,
    };
    // Due only in half an hour (set in the enqueuing transaction), so the app's own worker
    // leaves it alone during the test.
    let mut tx = app.db.begin().await.unwrap();
    let id = outbox::enqueue(&mut tx, &message).await.unwrap();
    let due = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(30);
    sqlx::query("UPDATE outbox SET next_attempt_at = $1 WHERE id = $2")
        .bind(adesao_store::time::to_db(due))
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
    let lease = later + jiff::SignedDuration::from_mins(5);
    let first = outbox::claim_due(&mut conn, later, lease, 10)
        .await
        .unwrap();
    assert_eq!(first.iter().map(|m| m.id).collect::<Vec<_>>(), vec![id]);
    let second = outbox::claim_due(&mut conn, later, lease, 10)
        .await
        .unwrap();
    assert!(second.is_empty(), "leased until {lease}");

    let retry_at = lease + jiff::SignedDuration::from_secs(30);
    let now = jiff::Timestamp::now();
    outbox::mark_attempt_failed(&mut conn, id, "connection refused", now, Some(retry_at))
        .await
        .unwrap();
    let m = &outbox::list(&mut conn, &outbox::Filter::default(), 0, 1)
        .await
        .unwrap()
        .0[0];
    assert_eq!((m.attempts, m.status), (1, outbox::DeliveryStatus::Pending));
    assert_eq!(m.last_error.as_deref(), Some("connection refused"));
    outbox::mark_attempt_failed(&mut conn, id, "gave up", now, None)
        .await
        .unwrap();
    let m = &outbox::list(&mut conn, &outbox::Filter::default(), 0, 1)
        .await
        .unwrap()
        .0[0];
    assert_eq!((m.attempts, m.status), (2, outbox::DeliveryStatus::Failed));
}
