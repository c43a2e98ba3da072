//! Signing: who may sign, the SMS authorisation and its limits.

use serde_json::{Value, json};

use crate::common::{GESTOR_PRATA, GESTOR_PRATA_2, TestApp, new_draft, refused, status_of};

const USUARIO_TESTE: &str = "862.351.990-66";

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
        "Código incorreto. Restam 4 tentativas."
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
