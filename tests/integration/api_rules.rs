//! Every transition: the allowed actor succeeds; wrong actors, wrong states and bad values are
//! refused with the right status and leave the database as it was.

use serde_json::{Value, json};

use crate::common::{ANALISTA_INSS, EQUIPE_CONECTA, GESTOR_PRATA, GESTOR_PRATA_2, TestApp};

const USUARIO_TESTE: &str = "862.351.990-66";
const ANALISTA_MDS: &str = "390.533.447-05";

async fn status_of(r: reqwest::Response) -> (u16, Value) {
    let s = r.status().as_u16();
    let body = r.json().await.unwrap_or(Value::Null);
    (s, body)
}

/// Asserts the call is refused with `status` and that nothing changed in the database.
async fn refused(
    app: &TestApp,
    status: u16,
    call: impl std::future::Future<Output = reqwest::Response>,
) -> Value {
    let before = app.snapshot().await;
    let (got, body) = status_of(call.await).await;
    assert_eq!(got, status, "{body}");
    assert_eq!(
        app.snapshot().await,
        before,
        "a refused action changed the database: {body}"
    );
    body
}

async fn new_draft(app: &TestApp, api: &str, kind: &str) -> i64 {
    let token = app.token(GESTOR_PRATA).await;
    let body = app.draft_body(api, kind, 100_000).await;
    let r = app.api_post("/api/v1/requests", &token, &body).await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn in_review(app: &TestApp) -> i64 {
    let id = new_draft(app, "API BPC", "adhesion").await;
    let token = app.token(GESTOR_PRATA).await;
    assert_eq!(
        app.api_post(
            &format!("/api/v1/requests/{id}/release"),
            &token,
            &json!({})
        )
        .await
        .status(),
        200
    );
    assert_eq!(app.api_sign(id, GESTOR_PRATA).await.status(), 200);
    assert_eq!(app.api_sign(id, GESTOR_PRATA_2).await.status(), 200);
    id
}

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
async fn signing_rules() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "API BPC", "adhesion").await;
    let gestor = app.token(GESTOR_PRATA).await;
    // Not before release.
    let colleague = app.token(USUARIO_TESTE).await;
    let s: Value = app
        .api_post("/api/v1/signing-sessions", &gestor, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let sid = s["id"].as_i64().unwrap();
    assert_eq!(s["masked_mobile"], "+55 (61) 91***-**11");
    let code = app.last_sms_code(GESTOR_PRATA).await;
    refused(
        &app,
        409,
        app.api_post(
            &format!("/api/v1/requests/{id}/sign"),
            &gestor,
            &json!({"signing_session_id": sid}),
        ),
    )
    .await;
    app.api_post(
        &format!("/api/v1/requests/{id}/release"),
        &gestor,
        &json!({}),
    )
    .await;
    // An unauthorised session does not sign.
    refused(
        &app,
        403,
        app.api_post(
            &format!("/api/v1/requests/{id}/sign"),
            &gestor,
            &json!({"signing_session_id": sid}),
        ),
    )
    .await;
    // Someone who is not a named signer cannot sign.
    refused(
        &app,
        403,
        app.api_post(
            &format!("/api/v1/requests/{id}/sign"),
            &colleague,
            &json!({"signing_session_id": sid}),
        ),
    )
    .await;
    // Wrong code: the remaining attempts are counted.
    let auth = format!("/api/v1/signing-sessions/{sid}/authorize");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (st, body) = status_of(app.api_post(&auth, &gestor, &json!({"code": wrong})).await).await;
    assert_eq!(st, 422);
    assert_eq!(
        body["errors"][0]["message"],
        "Código incorreto. Restam 4 tentativa(s)."
    );
    // Another user cannot use my session.
    refused(
        &app,
        404,
        app.api_post(&auth, &colleague, &json!({"code": code})),
    )
    .await;
    // Right code authorises; a stale DSI digest is refused; then it signs.
    assert_eq!(
        app.api_post(&auth, &gestor, &json!({"code": code}))
            .await
            .status(),
        200
    );
    refused(
        &app,
        409,
        app.api_post(
            &format!("/api/v1/requests/{id}/sign"),
            &gestor,
            &json!({"signing_session_id": sid, "dsi_sha256": "00"}),
        ),
    )
    .await;
    assert_eq!(
        app.api_post(
            &format!("/api/v1/requests/{id}/sign"),
            &gestor,
            &json!({"signing_session_id": sid})
        )
        .await
        .status(),
        200
    );
    // Not twice.
    refused(
        &app,
        409,
        app.api_post(
            &format!("/api/v1/requests/{id}/sign"),
            &gestor,
            &json!({"signing_session_id": sid}),
        ),
    )
    .await;
    // The codes are stored hashed.
    let stored: String = sqlx::query_scalar("SELECT code_hash FROM signing_sessions WHERE id = $1")
        .bind(sid)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(!stored.contains(&code));
}

#[tokio::test]
async fn five_wrong_codes_void_the_session_and_sessions_are_limited_per_hour() {
    let app = TestApp::spawn().await;
    let lead = app.token(GESTOR_PRATA_2).await;
    let s: Value = app
        .api_post("/api/v1/signing-sessions", &lead, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let sid = s["id"].as_i64().unwrap();
    let code = app.last_sms_code(GESTOR_PRATA_2).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let auth = format!("/api/v1/signing-sessions/{sid}/authorize");
    for _ in 0..4 {
        assert_eq!(
            app.api_post(&auth, &lead, &json!({"code": wrong}))
                .await
                .status(),
            422
        );
    }
    let (st, body) = status_of(app.api_post(&auth, &lead, &json!({"code": wrong})).await).await;
    assert_eq!(st, 409, "{body}");
    // Void: even the right code no longer works.
    assert_eq!(
        app.api_post(&auth, &lead, &json!({"code": code}))
            .await
            .status(),
        409
    );
    // A new session may start at once; five per hour in all.
    for _ in 0..4 {
        assert_eq!(
            app.api_post("/api/v1/signing-sessions", &lead, &json!({}))
                .await
                .status(),
            201
        );
    }
    let r = app
        .api_post("/api/v1/signing-sessions", &lead, &json!({}))
        .await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    // Resending at once is refused by the cooldown.
    let r = app
        .api_post(
            &format!("/api/v1/signing-sessions/{}/resend", sid + 1),
            &lead,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 429);
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
            &json!({"requested_volume": "200.000"}),
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

#[tokio::test]
async fn an_adhesion_cannot_be_released_over_a_granted_one() {
    let app = TestApp::spawn().await;
    let id = in_review(&app).await;
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
    let again = new_draft(&app, "API BPC", "adhesion").await;
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
}
