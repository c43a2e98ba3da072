use crate::common::{ANALISTA_INSS, DEMO_PASSWORD, GESTOR_PRATA, TestApp};
use serde_json::{Value, json};

async fn problem(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let ct = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(ct, "application/problem+json", "status {status}");
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn token_then_me() {
    let app = TestApp::spawn().await;
    let response = app.request_token("21359115854", DEMO_PASSWORD).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    let expires_at = body["expires_at"].as_str().unwrap();
    assert!(
        expires_at.ends_with('Z') && expires_at.len() == 20,
        "{expires_at}"
    );

    let me: Value = app.api_get("/api/v1/me", token).await.json().await.unwrap();
    assert_eq!(
        me,
        json!({
            "id": me["id"],
            "cpf": "213.591.158-54",
            "name": "Gestor Prata",
            "email": "gestor.prata@ufv.example",
            "organization": {
                "id": me["organization"]["id"],
                "name": "UFV - Universidade Federal de Viçosa",
                "acronym": "UFV",
                "cnpj": "25.944.455/0001-96"
            },
            "roles": ["manager", "it_director"]
        })
    );
    // Only a hash of the token is stored.
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_ne!(stored, token);
    assert_eq!(stored.len(), 64);
}

#[tokio::test]
async fn api_without_or_with_a_bad_token_is_401_problem_json() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let (status, body) = problem(client.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(body["status"], 401);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("Autenticação necessária")
    );

    let (status, body) = problem(app.api_get("/api/v1/me", "nao-e-um-token").await).await;
    assert_eq!(status, 401);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("Token inválido ou expirado")
    );

    let response = client
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(problem(response).await.0, 401);

    // A browser session cookie is not an API credential.
    let browser = app.logged_in(GESTOR_PRATA).await;
    assert_eq!(
        browser
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let token = app.token(ANALISTA_INSS).await;
    sqlx::query("UPDATE api_tokens SET expires_at = '2000-01-01T00:00:00.000000Z'")
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 401);
}

#[tokio::test]
async fn token_request_errors_are_pt_br_problems() {
    let app = TestApp::spawn().await;
    let (status, body) = problem(app.request_token(GESTOR_PRATA, "errada").await).await;
    assert_eq!(status, 401);
    assert_eq!(body["detail"], "CPF ou senha incorretos.");

    let (status, body) = problem(app.request_token("123", DEMO_PASSWORD).await).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"],
        json!([{"field": "cpf", "message": "O CPF deve ter 11 dígitos."}])
    );

    let (status, body) = problem(app.request_token(GESTOR_PRATA, "").await).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "password");

    let client = reqwest::Client::new();
    let (status, _) = problem(
        client
            .post(app.url("/api/v1/auth/token"))
            .header("content-type", "application/json")
            .body("{cpf:")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = problem(
        client
            .post(app.url("/api/v1/auth/token"))
            .body("cpf=1")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 415);
    let (status, body) = problem(
        client
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"cpf": 5}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        !body["detail"].as_str().unwrap().contains("invalid type"),
        "no serde English"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, 0);
}

#[tokio::test]
async fn unknown_api_paths_are_404_problems() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    let (status, body) = problem(app.api_get("/api/v1/nada", &token).await).await;
    assert_eq!(status, 404);
    assert_eq!(body["detail"], "Recurso não encontrado.");
    let (status, _) = problem(
        reqwest::Client::new()
            .delete(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 405);
}

/// Every rejection of every extractor is a pt-BR problem on the API and a pt-BR page on the
/// HTML side, never axum's English `text/plain`.
#[tokio::test]
async fn every_rejection_speaks_portuguese_in_the_skins_own_form() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    let client = reqwest::Client::new();
    let api = |method: reqwest::Method, path: &str| {
        client.request(method, app.url(path)).bearer_auth(&token)
    };
    let cases = [
        // A path value that is no id at all, and one past 64 bits.
        (
            api(
                reqwest::Method::POST,
                "/api/v1/requests/9223372036854775808/release",
            ),
            400,
        ),
        (api(reqwest::Method::GET, "/api/v1/requests/abc"), 400),
        // A query value of the wrong type.
        (api(reqwest::Method::GET, "/api/v1/requests?page=abc"), 400),
        // A body that is not JSON, JSON without its content type, JSON of the wrong shape.
        (
            api(reqwest::Method::POST, "/api/v1/requests")
                .header("content-type", "application/json")
                .body("{not json"),
            400,
        ),
        (
            api(reqwest::Method::POST, "/api/v1/requests").body("{}"),
            415,
        ),
        (
            api(reqwest::Method::POST, "/api/v1/requests")
                .header("content-type", "application/json")
                .body(r#"{"surprise": true}"#),
            422,
        ),
        // A multipart upload that is not multipart.
        (
            api(reqwest::Method::POST, "/api/v1/requests/1/attachments")
                .header("content-type", "text/plain")
                .body("x"),
            415,
        ),
        // No route, and a method the route does not take.
        (api(reqwest::Method::GET, "/api/v1/requests/1/nothing"), 404),
        (api(reqwest::Method::PUT, "/api/v1/requests"), 405),
    ];
    for (request, status) in cases {
        let r = request.send().await.unwrap();
        let url = r.url().to_string();
        assert_eq!(r.status().as_u16(), status, "{url}");
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{url}"
        );
        let body: serde_json::Value = r.json().await.unwrap();
        let detail = body["detail"].as_str().unwrap();
        assert!(
            !detail.contains("Failed") && !detail.contains("Invalid URL") && !detail.is_empty(),
            "{url}: {detail}"
        );
    }
    // The pages.
    let browser = app.logged_in(GESTOR_PRATA).await;
    for (method, path, status) in [
        (reqwest::Method::GET, "/solicitacoes/abc", 404),
        (
            reqwest::Method::GET,
            "/solicitacoes/99999999999999999999",
            404,
        ),
        (reqwest::Method::GET, "/solicitacoes?pagina=1&pagina=2", 400),
        (reqwest::Method::PUT, "/solicitacoes", 405),
        (reqwest::Method::GET, "/nada", 404),
    ] {
        let r = browser.request(method, app.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        let html = r.text().await.unwrap();
        assert!(html.contains("<html lang=\"pt-BR\">"), "{path}");
    }
}
