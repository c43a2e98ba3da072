use serde_json::{Value, json};

use crate::common::{ANALISTA_INSS, EQUIPE_CONECTA, GESTOR_PRATA, GESTOR_PRATA_2, TestApp};

async fn json_of(r: reqwest::Response, status: u16) -> Value {
    let got = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

#[tokio::test]
async fn the_seed_walkthrough_through_the_api() {
    let app = TestApp::spawn().await;
    let gestor = app.token(GESTOR_PRATA).await;

    // 1.3 the catalogue
    let apis = json_of(app.api_get("/api/v1/apis", &gestor).await, 200).await;
    let bpc = apis
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "API BPC")
        .unwrap();
    assert_eq!(bpc["provider"]["acronym"], "INSS");

    // 1.4 the signers of the organization
    let me = json_of(app.api_get("/api/v1/me", &gestor).await, 200).await;
    let signers = json_of(
        app.api_get(
            &format!(
                "/api/v1/organizations/{}/signatories",
                me["organization"]["id"]
            ),
            &gestor,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(signers.as_array().unwrap().len(), 2);

    // 1.6 Incluir
    let body = app.draft_body("API BPC", "adhesion", 100_000).await;
    let created = json_of(app.api_post("/api/v1/requests", &gestor, &body).await, 201).await;
    let id = created["id"].as_i64().unwrap();
    let year = adesao_services::requests::local_year(jiff::Timestamp::now());
    assert_eq!(created["number"], format!("000001/{year}"));
    assert_eq!(created["status"], "draft");
    assert_eq!(created["current_volume"], 0);
    assert_eq!(created["actions"], json!(["edit", "release", "cancel"]));

    // 1.7 Liberar para Assinatura
    let released = json_of(
        app.api_post(
            &format!("/api/v1/requests/{id}/release"),
            &gestor,
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(released["status"], "awaiting_signatures");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND subject LIKE '%aguarda sua assinatura'").await,
        2,
        "both signers are told"
    );

    // 1.8–1.10 both officials sign
    let after_first = json_of(app.api_sign(id, GESTOR_PRATA).await, 200).await;
    assert_eq!(after_first["status"], "awaiting_signatures");
    assert_eq!(after_first["signatures"].as_array().unwrap().len(), 1);
    let after_second = json_of(app.api_sign(id, GESTOR_PRATA_2).await, 200).await;
    assert_eq!(after_second["status"], "provider_review");
    let signatures = after_second["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 2);
    let dsi = json_of(
        app.api_get(&format!("/api/v1/requests/{id}/dsi"), &gestor)
            .await,
        200,
    )
    .await;
    assert!(
        signatures.iter().all(|s| s["dsi_sha256"] == dsi["sha256"]),
        "signed the DSI as it stands"
    );
    assert!(
        dsi["text"]
            .as_str()
            .unwrap()
            .contains("Documento de Solicitação de Interoperabilidade nº")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Nova solicitação%para análise'")
            .await,
        1
    );

    // 1.12 the provider approves
    let analyst = app.token(ANALISTA_INSS).await;
    let approved = json_of(
        app.api_post(
            &format!("/api/v1/requests/{id}/approve"),
            &analyst,
            &json!({"authorized_volume": 80000}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["authorized_volume"], 80000);

    // program release: Deferida
    let admin = app.token(EQUIPE_CONECTA).await;
    let granted = json_of(
        app.api_post(&format!("/api/v1/requests/{id}/grant"), &admin, &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(granted["status"], "granted");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE subject LIKE '%acesso à API liberado'")
            .await,
        3
    );

    let list = json_of(app.api_get("/api/v1/requests", &gestor).await, 200).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["status"], "granted");
    assert_eq!(list["items"][0]["authorized_volume"], 80000);

    // History, newest first
    let history = json_of(
        app.api_get(&format!("/api/v1/requests/{id}/history"), &gestor)
            .await,
        200,
    )
    .await;
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "granted",
            "approved",
            "sent_to_provider",
            "signed",
            "signed",
            "released",
            "created"
        ]
    );

    // A volume change on top of the granted adhesion starts from the granted volume.
    let change = app.draft_body("API BPC", "volume_change", 150_000).await;
    let second = json_of(
        app.api_post("/api/v1/requests", &gestor, &change).await,
        201,
    )
    .await;
    assert_eq!(second["number"], format!("000002/{year}"));
    assert_eq!(second["current_volume"], 80000);
    let sid = second["id"].as_i64().unwrap();
    json_of(
        app.api_post(
            &format!("/api/v1/requests/{sid}/release"),
            &gestor,
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    json_of(app.api_sign(sid, GESTOR_PRATA).await, 200).await;
    json_of(app.api_sign(sid, GESTOR_PRATA_2).await, 200).await;
    json_of(
        app.api_post(
            &format!("/api/v1/requests/{sid}/approve"),
            &analyst,
            &json!({"authorized_volume": 150000}),
        )
        .await,
        200,
    )
    .await;
    json_of(
        app.api_post(&format!("/api/v1/requests/{sid}/grant"), &admin, &json!({}))
            .await,
        200,
    )
    .await;
    let current: i64 = app.count("SELECT current_volume FROM api_access").await;
    assert_eq!(current, 150_000);
}
