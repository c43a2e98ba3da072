//! Rules that must hold when many people act at the same instant (issue 8): 100 parallel
//! attempts at each, on SQLite and, where the race lived, on PostgreSQL.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::common::{
    ANALISTA_INSS, EQUIPE_CONECTA, GESTOR_PRATA, GESTOR_PRATA_2, TestApp, in_review, new_draft,
};

/// The application with a pool as large as production's default and more, so that many
/// transactions really run at once.
async fn racing_app() -> TestApp {
    TestApp::spawn_with(|c| c.db_max_connections = 20).await
}

/// An authorised signing session of `cpf` (one per signer serves many documents for ten
/// minutes, and new sessions are limited to five an hour).
async fn authorised_session(app: &TestApp, token: &str, cpf: &str) -> i64 {
    let s: Value = app
        .api_post("/api/v1/signing-sessions", token, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let sid = s["id"].as_i64().unwrap();
    let code = app.last_sms_code(cpf).await;
    let r = app
        .api_post(
            &format!("/api/v1/signing-sessions/{sid}/authorize"),
            token,
            &json!({"code": code}),
        )
        .await;
    assert_eq!(r.status(), 200);
    sid
}

async fn statuses(
    calls: impl IntoIterator<Item = impl Future<Output = reqwest::Response>>,
) -> Vec<u16> {
    join_all(calls)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect()
}

fn tally(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// Grants the BPC adhesion of UFV, so that volume changes can follow.
async fn granted_adhesion(app: &TestApp) -> i64 {
    let id = in_review(app).await;
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/approve"),
            &app.token(ANALISTA_INSS).await,
            &json!({"authorized_volume": 5000}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/grant"),
            &app.token(EQUIPE_CONECTA).await,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    id
}

#[tokio::test]
async fn of_a_hundred_volume_changes_released_at_once_one_enters_the_pipeline() {
    let app = racing_app().await;
    let granted = granted_adhesion(&app).await;
    let token = app.token(GESTOR_PRATA).await;
    let mut drafts = Vec::new();
    for _ in 0..100 {
        drafts.push(new_draft(&app, "API BPC", "volume_change").await);
    }
    let got = statuses(drafts.iter().map(|id| {
        let (app, token) = (&app, &token);
        async move {
            app.api_post(&format!("/api/v1/requests/{id}/release"), token, &json!({}))
                .await
        }
    }))
    .await;
    assert_eq!(tally(&got, 200), 1, "{got:?}");
    assert_eq!(tally(&got, 409), 99, "{got:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM requests WHERE status = 'awaiting_signatures'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM request_events WHERE action = 'released'")
            .await,
        2,
        "the adhesion's release and one volume change's"
    );
    let access: i64 = sqlx::query_scalar("SELECT granted_request_id FROM api_access")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(access, granted);
}

#[tokio::test]
async fn an_adhesion_released_while_another_is_granted_never_gets_through() {
    let app = racing_app().await;
    let gestor = app.token(GESTOR_PRATA).await;
    let conecta = app.token(EQUIPE_CONECTA).await;
    let approved = {
        let id = in_review(&app).await;
        app.api_post(
            &format!("/api/v1/requests/{id}/approve"),
            &app.token(ANALISTA_INSS).await,
            &json!({"authorized_volume": 5000}),
        )
        .await;
        id
    };
    let mut drafts = Vec::new();
    for _ in 0..99 {
        drafts.push(new_draft(&app, "API BPC", "adhesion").await);
    }
    // The grant of the approved adhesion among 99 releases of others, all at once.
    let (grant_path, empty) = (format!("/api/v1/requests/{approved}/grant"), json!({}));
    let grant = app.api_post(&grant_path, &conecta, &empty);
    let releases = drafts.iter().map(|id| {
        let (app, gestor) = (&app, &gestor);
        async move {
            app.api_post(
                &format!("/api/v1/requests/{id}/release"),
                gestor,
                &json!({}),
            )
            .await
        }
    });
    let (grant, released) = tokio::join!(grant, statuses(releases));
    assert_eq!(grant.status(), 200);
    // Before the grant: in the pipeline (409); after it: already granted (422).
    assert_eq!(
        tally(&released, 409) + tally(&released, 422),
        99,
        "{released:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM requests WHERE status = 'awaiting_signatures'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_hundred_signing_starts_at_once_open_five() {
    let app = racing_app().await;
    let token = app.token(GESTOR_PRATA).await;
    let got = statuses((0..100).map(|_| {
        let (app, token) = (&app, &token);
        async move {
            app.api_post("/api/v1/signing-sessions", token, &json!({}))
                .await
        }
    }))
    .await;
    assert_eq!(tally(&got, 201), 5, "{got:?}");
    assert_eq!(tally(&got, 429), 95, "{got:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM signing_sessions").await, 5);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE channel = 'sms'")
            .await,
        5
    );
}

#[tokio::test]
async fn a_hundred_wrong_codes_at_once_count_five_attempts() {
    let app = racing_app().await;
    let token = app.token(GESTOR_PRATA).await;
    let s: Value = app
        .api_post("/api/v1/signing-sessions", &token, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let sid = s["id"].as_i64().unwrap();
    let right = app.last_sms_code(GESTOR_PRATA).await;
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let path = format!("/api/v1/signing-sessions/{sid}/authorize");
    let got = statuses((0..100).map(|_| {
        let (app, token, path, wrong) = (&app, &token, &path, &wrong);
        async move { app.api_post(path, token, &json!({"code": wrong})).await }
    }))
    .await;
    assert_eq!(
        tally(&got, 422),
        4,
        "four wrong codes leave attempts: {got:?}"
    );
    assert_eq!(tally(&got, 409), 96, "the fifth voids the session: {got:?}");
    let (attempts, voided): (i64, Option<String>) =
        sqlx::query_as("SELECT attempts, voided_at FROM signing_sessions WHERE id = $1")
            .bind(sid)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(attempts, 5);
    assert!(voided.is_some());
    // The right code no longer opens it.
    let r = app.api_post(&path, &token, &json!({"code": right})).await;
    assert_eq!(r.status(), 409);
}

#[tokio::test]
async fn both_officials_signing_at_the_same_instant_both_sign() {
    let app = racing_app().await;
    let gestor = app.token(GESTOR_PRATA).await;
    let lead = app.token(GESTOR_PRATA_2).await;
    let inss = app.token(ANALISTA_INSS).await;
    let gestor_session = authorised_session(&app, &gestor, GESTOR_PRATA).await;
    let lead_session = authorised_session(&app, &lead, GESTOR_PRATA_2).await;
    for round in 0..10 {
        let id = new_draft(&app, "API BPC", "adhesion").await;
        let r = app
            .api_post(
                &format!("/api/v1/requests/{id}/release"),
                &gestor,
                &json!({}),
            )
            .await;
        assert_eq!(r.status(), 200);
        let path = format!("/api/v1/requests/{id}/sign");
        let (as_gestor, as_lead) = (
            json!({"signing_session_id": gestor_session}),
            json!({"signing_session_id": lead_session}),
        );
        let (a, b) = tokio::join!(
            app.api_post(&path, &gestor, &as_gestor),
            app.api_post(&path, &lead, &as_lead),
        );
        assert_eq!(
            (a.status().as_u16(), b.status().as_u16()),
            (200, 200),
            "round {round}"
        );
        let request: Value = app
            .api_get(&format!("/api/v1/requests/{id}"), &gestor)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(request["status"], "provider_review", "round {round}");
        assert_eq!(request["signatures"].as_array().unwrap().len(), 2);
        // Out of the pipeline, so that the next round's adhesion may be released.
        let r = app
            .api_post(
                &format!("/api/v1/requests/{id}/refuse"),
                &inss,
                &json!({"justification": "Rodada de teste."}),
            )
            .await;
        assert_eq!(r.status(), 200);
    }
}
