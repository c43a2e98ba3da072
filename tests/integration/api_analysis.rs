//! The provider's analysis and the program team's grant.

use serde_json::{Value, json};

use crate::common::{
    ANALISTA_INSS, EQUIPE_CONECTA, GESTOR_PRATA, TestApp, in_review, new_draft, refused, status_of,
};

const ANALISTA_MDS: &str = "390.533.447-05";

#[tokio::test]
async fn analysis_rules() {
    let app = TestApp::spawn().await;
    let id = in_review(&app).await;
    let approve = format!("/api/v1/requests/{id}/approve");
    let refuse = format!("/api/v1/requests/{id}/refuse");
    let inss = app.token(ANALISTA_INSS).await;
    // Only the provider's analysts.
    refused(
        &app,
        403,
        app.api_post(
            &approve,
            &app.token(GESTOR_PRATA).await,
            &json!({"authorized_volume": 10}),
        ),
    )
    .await;
    refused(
        &app,
        404,
        app.api_post(
            &approve,
            &app.token(ANALISTA_MDS).await,
            &json!({"authorized_volume": 10}),
        ),
    )
    .await;
    refused(
        &app,
        403,
        app.api_post(
            &approve,
            &app.token(EQUIPE_CONECTA).await,
            &json!({"authorized_volume": 10}),
        ),
    )
    .await;
    // Bad volumes.
    for v in [json!(0), json!(100_001), json!("abc"), json!(null)] {
        let p = refused(
            &app,
            422,
            app.api_post(&approve, &inss, &json!({"authorized_volume": v})),
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "authorized_volume");
    }
    // Refusal needs a justification of at most 4,000 characters.
    refused(
        &app,
        422,
        app.api_post(&refuse, &inss, &json!({"justification": "   "})),
    )
    .await;
    refused(
        &app,
        422,
        app.api_post(&refuse, &inss, &json!({"justification": "x".repeat(4001)})),
    )
    .await;
    // Grant only after approval.
    refused(
        &app,
        409,
        app.api_post(
            &format!("/api/v1/requests/{id}/grant"),
            &app.token(EQUIPE_CONECTA).await,
            &json!({}),
        ),
    )
    .await;
    let (st, body) = status_of(
        app.api_post(
            &refuse,
            &inss,
            &json!({"justification": "Falta o ofício assinado."}),
        )
        .await,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(body["status"], "refused");
    // The requester sees the justification in the history, and was told by e-mail.
    let gestor = app.token(GESTOR_PRATA).await;
    let history: Value = app
        .api_get(&format!("/api/v1/requests/{id}/history"), &gestor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history[0]["action"], "refused");
    assert_eq!(history[0]["comment"], "Falta o ofício assinado.");
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE body LIKE '%Justificativa: Falta o ofício assinado.%'").await, 3);
    // Final: no more analysis.
    refused(
        &app,
        409,
        app.api_post(&approve, &inss, &json!({"authorized_volume": 10})),
    )
    .await;
    // A new request from it, as a copy.
    let (st, copy) = status_of(
        app.api_post(&format!("/api/v1/requests/{id}/copy"), &gestor, &json!({}))
            .await,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(copy["status"], "draft");
    assert_eq!(copy["copied_from_id"], id);
    assert_eq!(copy["purpose"]["data_usage"], body["purpose"]["data_usage"]);
}

#[tokio::test]
async fn a_concurrent_second_approval_fails_cleanly() {
    let app = TestApp::spawn().await;
    let id = in_review(&app).await;
    let inss = app.token(ANALISTA_INSS).await;
    let path = format!("/api/v1/requests/{id}/approve");
    let calls = (0..6).map(|i| {
        let (app, inss, path) = (&app, &inss, &path);
        async move {
            app.api_post(path, inss, &json!({"authorized_volume": 1000 + i}))
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(calls).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM request_events WHERE action = 'approved'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE subject LIKE '%aprovada pelo cedente%'")
            .await,
        1
    );
}

#[tokio::test]
async fn an_adhesion_cannot_be_released_over_a_granted_one() {
    let app = TestApp::spawn().await;
    let id = in_review(&app).await;
    // Drafted while the first is still under analysis: the type was right then.
    let again = new_draft(&app, "API BPC", "adhesion").await;
    app.api_post(
        &format!("/api/v1/requests/{id}/approve"),
        &app.token(ANALISTA_INSS).await,
        &json!({"authorized_volume": 5000}),
    )
    .await;
    app.api_post(
        &format!("/api/v1/requests/{id}/grant"),
        &app.token(EQUIPE_CONECTA).await,
        &json!({}),
    )
    .await;
    let p = refused(
        &app,
        422,
        app.api_post(
            &format!("/api/v1/requests/{again}/release"),
            &app.token(GESTOR_PRATA).await,
            &json!({}),
        ),
    )
    .await;
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("já tem adesão deferida")
    );
    // A new draft of the wrong type is refused at once, while it is being written.
    let body = app.draft_body("API BPC", "adhesion", 100_000).await;
    let p = refused(
        &app,
        422,
        app.api_post("/api/v1/requests", &app.token(GESTOR_PRATA).await, &body),
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "request_type");
}
