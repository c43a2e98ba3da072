//! Every transition: the allowed actor succeeds; wrong actors, wrong states and bad values are
//! refused with the right status and leave the database as it was.

use serde_json::{Value, json};

use crate::common::{
    ANALISTA_INSS, EQUIPE_CONECTA, GESTOR_PRATA, GESTOR_PRATA_2, TestApp, new_draft, refused,
    status_of,
};

const USUARIO_TESTE: &str = "862.351.990-66";

#[tokio::test]
async fn creation_is_for_managers_with_valid_fields() {
    let app = TestApp::spawn().await;
    let lead = app.token(GESTOR_PRATA_2).await;
    let body = app.draft_body("API BPC", "adhesion", 1000).await;
    refused(&app, 403, app.api_post("/api/v1/requests", &lead, &body)).await;

    let gestor = app.token(GESTOR_PRATA).await;
    let problem = refused(
        &app,
        422,
        app.api_post(
            "/api/v1/requests",
            &gestor,
            &json!({"api_id": 999, "type": "adhesion", "it_director_id": app.user_id(ANALISTA_INSS).await,
                    "requested_volume": 0}),
        ),
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec![
            "api_id",
            "it_director_id",
            "technical_lead_id",
            "requested_volume"
        ]
    );
    assert_eq!(
        problem["errors"][0]["message"],
        "A API escolhida não existe no catálogo."
    );
    assert!(
        problem["errors"][1]["message"]
            .as_str()
            .unwrap()
            .contains("não é Dirigente de TI ativo do seu órgão")
    );

    let mut bad_type = body.clone();
    bad_type["type"] = json!("upgrade");
    refused(
        &app,
        422,
        app.api_post("/api/v1/requests", &gestor, &bad_type),
    )
    .await;
    let mut change = body.clone();
    change["type"] = json!("volume_change");
    let problem = refused(
        &app,
        422,
        app.api_post("/api/v1/requests", &gestor, &change),
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "request_type");
    let mut unknown = body.clone();
    unknown["colour"] = json!("blue");
    refused(
        &app,
        422,
        app.api_post("/api/v1/requests", &gestor, &unknown),
    )
    .await;
}

#[tokio::test]
async fn numbers_are_gapless_and_unique_under_concurrent_creation() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    let body = app.draft_body("API BPC", "adhesion", 1000).await;
    let mut invalid = body.clone();
    invalid["requested_volume"] = json!(-1);
    let calls = (0..24).map(|i| {
        let b = if i % 4 == 3 {
            invalid.clone()
        } else {
            body.clone()
        };
        let (app, token) = (&app, &token);
        async move {
            app.api_post("/api/v1/requests", token, &b)
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(calls).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 18);
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 6);
    let mut sequences: Vec<i64> =
        sqlx::query_scalar("SELECT number_sequence FROM requests ORDER BY number_sequence")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    sequences.dedup();
    assert_eq!(
        sequences,
        (1..=18).collect::<Vec<i64>>(),
        "refused creations give their number back"
    );
}

#[tokio::test]
async fn release_rules() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "API BPC", "adhesion").await;
    let path = format!("/api/v1/requests/{id}/release");
    // Another organization's manager does not even see it; the provider not before review.
    refused(
        &app,
        404,
        app.api_post(&path, &app.token(ANALISTA_INSS).await, &json!({})),
    )
    .await;
    refused(
        &app,
        404,
        app.api_get(
            &format!("/api/v1/requests/{id}"),
            &app.token(ANALISTA_INSS).await,
        ),
    )
    .await;
    // A colleague without the manager role sees it but may not release it.
    refused(
        &app,
        403,
        app.api_post(&path, &app.token(GESTOR_PRATA_2).await, &json!({})),
    )
    .await;
    // Another manager of the same organization may.
    let colleague = app.token(USUARIO_TESTE).await;
    assert_eq!(
        app.api_post(&path, &colleague, &json!({})).await.status(),
        200
    );
    // Not twice.
    let problem = refused(&app, 409, app.api_post(&path, &colleague, &json!({}))).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Aguardando assinatura")
    );
    // A second adhesion for the same API cannot enter the pipeline meanwhile.
    let second = new_draft(&app, "API BPC", "adhesion").await;
    let problem = refused(
        &app,
        409,
        app.api_post(
            &format!("/api/v1/requests/{second}/release"),
            &colleague,
            &json!({}),
        ),
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Já existe a solicitação")
    );
}

#[tokio::test]
async fn cadunico_cannot_be_released_without_its_mandatory_attachments() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "API CADUNICO SERVICOS", "adhesion").await;
    let problem = refused(
        &app,
        422,
        app.api_post(
            &format!("/api/v1/requests/{id}/release"),
            &app.token(GESTOR_PRATA).await,
            &json!({}),
        ),
    )
    .await;
    let messages: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        vec![
            "Anexe o documento obrigatório: Formulário.",
            "Anexe o documento obrigatório: Ofício."
        ]
    );
}

#[tokio::test]
async fn altering_after_release_returns_to_draft_and_voids_signatures() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "API BPC", "adhesion").await;
    let gestor = app.token(GESTOR_PRATA).await;
    app.api_post(
        &format!("/api/v1/requests/{id}/release"),
        &gestor,
        &json!({}),
    )
    .await;
    assert_eq!(app.api_sign(id, GESTOR_PRATA).await.status(), 200);
    let (st, body) = status_of(
        app.api_patch(
            &format!("/api/v1/requests/{id}"),
            &gestor,
            &json!({"requested_volume": 200_000}),
        )
        .await,
    )
    .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["status"], "draft");
    assert_eq!(body["requested_volume"], 200000);
    assert_eq!(body["signatures"], json!([]));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM signatures WHERE voided_at IS NOT NULL")
            .await,
        1
    );
    let history: Value = app
        .api_get(&format!("/api/v1/requests/{id}/history"), &gestor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history[0]["action"], "returned_to_draft");
    assert_eq!(
        history[0]["comment"],
        "Assinaturas já realizadas foram anuladas."
    );
    // A bad value in a PATCH changes nothing.
    refused(
        &app,
        422,
        app.api_patch(
            &format!("/api/v1/requests/{id}"),
            &gestor,
            &json!({"requested_volume": 0}),
        ),
    )
    .await;
}

#[tokio::test]
async fn cancel_and_visibility() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "API CONSULTA SIAPE", "adhesion").await;
    let gestor = app.token(GESTOR_PRATA).await;
    // The provider's analyst lists nothing while it is a draft.
    let sgp = app.token("713.882.654-00").await;
    let list: Value = app
        .api_get("/api/v1/requests?show=cedente", &sgp)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
    // Nor its detail or its history (which reads only what decides who may see it).
    for path in [
        format!("/api/v1/requests/{id}"),
        format!("/api/v1/requests/{id}/history"),
    ] {
        refused(&app, 404, app.api_get(&path, &sgp)).await;
    }
    refused(
        &app,
        404,
        app.api_get("/api/v1/requests/99999/history", &gestor),
    )
    .await;
    let history: Value = app
        .api_get(
            &format!("/api/v1/requests/{id}/history"),
            &app.token(EQUIPE_CONECTA).await,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history[0]["action"], "created");
    // The program team sees everything.
    let all: Value = app
        .api_get("/api/v1/requests", &app.token(EQUIPE_CONECTA).await)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 1);
    let (st, body) = status_of(
        app.api_post(
            &format!("/api/v1/requests/{id}/cancel"),
            &gestor,
            &json!({"comment": "Duplicada"}),
        )
        .await,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(body["status"], "cancelled");
    refused(
        &app,
        409,
        app.api_post(
            &format!("/api/v1/requests/{id}/release"),
            &gestor,
            &json!({}),
        ),
    )
    .await;
    refused(
        &app,
        409,
        app.api_patch(
            &format!("/api/v1/requests/{id}"),
            &gestor,
            &json!({"requested_volume": 5}),
        ),
    )
    .await;
    // Unknown ids and actions.
    refused(&app, 404, app.api_get("/api/v1/requests/99999", &gestor)).await;
    refused(
        &app,
        404,
        app.api_post(
            &format!("/api/v1/requests/{id}/explode"),
            &gestor,
            &json!({}),
        ),
    )
    .await;
}
