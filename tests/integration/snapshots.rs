//! Snapshots of what outsiders rely on, so that a change to any of them is a visible decision
//! in review: the OpenAPI document (the contract of integrators) and the messages each event of
//! the lifecycle sends.

use serde_json::{Value, json};

use crate::common::{ANALISTA_INSS, EQUIPE_CONECTA, GESTOR_PRATA, TestApp, in_review};

#[tokio::test]
async fn the_openapi_document() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    insta::assert_json_snapshot!(doc);
}

#[tokio::test]
async fn the_messages_of_each_event() {
    let app = TestApp::spawn().await;
    // Release, both signatures (two SMS and the e-mails to the analysts), approval, grant.
    let granted = in_review(&app).await;
    let inss = app.token(ANALISTA_INSS).await;
    let conecta = app.token(EQUIPE_CONECTA).await;
    for (path, token, body) in [
        (
            "approve",
            &inss,
            json!({"authorized_volume": 50_000, "comment": "De acordo."}),
        ),
        ("grant", &conecta, json!({})),
    ] {
        let r = app
            .api_post(&format!("/api/v1/requests/{granted}/{path}"), token, &body)
            .await;
        assert_eq!(r.status(), 200, "{path}");
    }
    // A refusal, with its justification.
    let refused = {
        let token = app.token(GESTOR_PRATA).await;
        let body = app.draft_body("API BPC", "volume_change", 80_000).await;
        let created: Value = app
            .api_post("/api/v1/requests", &token, &body)
            .await
            .json()
            .await
            .unwrap();
        let id = created["id"].as_i64().unwrap();
        app.api_post(
            &format!("/api/v1/requests/{id}/release"),
            &token,
            &json!({}),
        )
        .await;
        app.api_sign(id, GESTOR_PRATA).await;
        app.api_sign(id, crate::common::GESTOR_PRATA_2).await;
        id
    };
    let r = app
        .api_post(
            &format!("/api/v1/requests/{refused}/refuse"),
            &inss,
            &json!({"justification": "Falta a previsão legal da nova volumetria."}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let messages: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT channel, recipient, subject, body FROM outbox ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    let text: Vec<String> = messages
        .iter()
        .map(|(channel, to, subject, body)| {
            format!("[{channel}] para {to}\nAssunto: {subject}\n{body}\n")
        })
        .collect();
    insta::with_settings!({filters => vec![
        // The year of the request numbers, and the random codes of the SMS.
        (r"/\d{4}\b", "/AAAA"),
        (r"\b\d{6}\b", "NNNNNN"),
    ]}, {
        insta::assert_snapshot!(text.join("\n---\n"));
    });
}
