//! Hostile input that once reached the database or the headers (issue 8): control characters,
//! page numbers at the edge of 64 bits, bodies at the size the rules allow, cookies that would
//! not go away, tokens that could not be revoked, and an SMS sent for a request nobody may sign.

use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};

use crate::common::{
    ANALISTA_INSS, DEMO_PASSWORD, EQUIPE_CONECTA, GESTOR_PRATA, TestApp, complete_purpose,
    csrf_token_in, new_draft, refused,
};
use crate::html_lifecycle::{page, post};

const PURPOSE_TEXTS: [&str; 6] = [
    "legal_basis_other",
    "data_usage",
    "public_policies",
    "legal_provision",
    "citizen_results",
    "retention",
];

#[tokio::test]
async fn control_characters_in_any_text_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let gestor = app.token(GESTOR_PRATA).await;
    let id = new_draft(&app, "API BPC", "adhesion").await;
    for bad in ["a\u{0}b", "\u{1b}[31m", "fim\u{7f}"] {
        for field in PURPOSE_TEXTS {
            // Creating...
            let mut body = app.draft_body("API BPC", "adhesion", 1000).await;
            body["purpose"][field] = json!(bad);
            let p = refused(&app, 422, app.api_post("/api/v1/requests", &gestor, &body)).await;
            assert_eq!(p["errors"][0]["field"], field, "{p}");
            assert!(
                p["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("caracteres de controle"),
                "{p}"
            );
            // ...and changing.
            let patch = json!({"purpose": {field: bad}});
            refused(
                &app,
                422,
                app.api_patch(&format!("/api/v1/requests/{id}"), &gestor, &patch),
            )
            .await;
        }
        // Comments of the transitions, and the justification of a refusal.
        let comment = json!({"comment": bad});
        for action in ["release", "cancel"] {
            refused(
                &app,
                422,
                app.api_post(
                    &format!("/api/v1/requests/{id}/{action}"),
                    &gestor,
                    &comment,
                ),
            )
            .await;
        }
        // The list's number filter.
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/requests"))
            .query(&[("number", bad)])
            .bearer_auth(&gestor)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{bad:?}");
    }
    // In review: the analyst's justification and comment.
    let review = crate::common::in_review(&app).await;
    let inss = app.token(ANALISTA_INSS).await;
    refused(
        &app,
        422,
        app.api_post(
            &format!("/api/v1/requests/{review}/refuse"),
            &inss,
            &json!({"justification": "Falta\u{0} documento"}),
        ),
    )
    .await;
    refused(
        &app,
        422,
        app.api_post(
            &format!("/api/v1/requests/{review}/approve"),
            &inss,
            &json!({"authorized_volume": 10, "comment": "ok\u{0}"}),
        ),
    )
    .await;
    // The login form: a CPF with a NUL is an invalid CPF, a password with one a wrong password.
    let browser = app.browser();
    assert_eq!(
        app.post_login(&browser, "213.591.158-54\u{0}", DEMO_PASSWORD)
            .await
            .status(),
        422
    );
    assert_eq!(
        app.request_token(GESTOR_PRATA, "adesao-demo\u{0}")
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn control_characters_in_the_html_form_are_refused_next_to_their_field() {
    let app = TestApp::spawn().await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    let bpc = app.api_id("API BPC").await.to_string();
    let director = app.user_id(GESTOR_PRATA).await.to_string();
    let lead = app.user_id(crate::common::GESTOR_PRATA_2).await.to_string();
    let before = app.snapshot().await;
    let (status, _, html) = post(
        &app,
        &browser,
        &format!("/solicitacoes/nova/formulario?api_id={bpc}"),
        "/solicitacoes",
        &[
            ("api_id", &bpc),
            ("request_type", "adhesion"),
            ("it_director_id", &director),
            ("technical_lead_id", &lead),
            ("requested_volume", "1000"),
            ("data_usage", "Validação\u{0} de dados"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("caracteres de controle"), "{html}");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn page_numbers_at_the_edge_of_64_bits_are_refused_or_clamped() {
    let app = TestApp::spawn().await;
    let admin = app.token(EQUIPE_CONECTA).await;
    for path in ["/api/v1/requests", "/api/v1/admin/outbox"] {
        for page in ["9223372036854775807", "1000001", "0", "-1"] {
            let r = app.api_get(&format!("{path}?page={page}"), &admin).await;
            assert_eq!(r.status(), 422, "{path}?page={page}");
            let p: Value = r.json().await.unwrap();
            assert_eq!(p["errors"][0]["field"], "page");
            assert!(
                p["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("1.000.000")
            );
        }
        let r = app.api_get(&format!("{path}?page=abc"), &admin).await;
        assert_eq!(r.status(), 400, "{path}: not a number at all");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    // A filter sent empty is a value outside its set, not "no filter".
    for query in [
        "/api/v1/requests?status=",
        "/api/v1/requests?type=",
        "/api/v1/requests?number=",
        "/api/v1/requests?show=",
        "/api/v1/admin/audit?entity=",
        "/api/v1/admin/outbox?channel=",
    ] {
        let r = app.api_get(query, &admin).await;
        assert_eq!(r.status(), 422, "{query}");
    }
    let r = app
        .api_get("/api/v1/admin/outbox?page=1000000", &admin)
        .await;
    assert_eq!(
        r.status(),
        404,
        "the outbox counts its pages, as the other administration lists"
    );
    // Past the last page: the API says where the list ends; the page shows its last page.
    let r = app.api_get("/api/v1/requests?page=1000000", &admin).await;
    assert_eq!(r.status(), 404);
    let p: Value = r.json().await.unwrap();
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("a lista tem 1 página"),
        "{p}"
    );
    let browser = app.logged_in(EQUIPE_CONECTA).await;
    for path in [
        "/solicitacoes?pagina=9223372036854775807",
        "/admin/mensagens?pagina=9223372036854775807",
    ] {
        page(&app, &browser, path).await;
    }
}

/// The bodies of a request whose six texts hold 10,000 characters each, every one of them the
/// costliest to send: accepted, through the form and the API.
#[tokio::test]
async fn the_longest_texts_the_rules_allow_fit_the_body_limit() {
    let app = TestApp::spawn().await;
    // JSON: every character an astral one, written as a surrogate pair of escapes (12 bytes).
    let gestor = app.token(GESTOR_PRATA).await;
    let mut body = app.draft_body("API BPC", "adhesion", 1000).await;
    body["purpose"]["legal_bases"] = json!(["public_policy", "other"]);
    for field in PURPOSE_TEXTS {
        body["purpose"][field] = json!("PLACEHOLDER");
    }
    let escaped = "\\ud83d\\ude00".repeat(10_000);
    let text = body.to_string().replace("PLACEHOLDER", &escaped);
    assert!(text.len() > 700_000, "{}", text.len());
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&gestor)
        .header("content-type", "application/json")
        .body(text)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(
        created["purpose"]["retention"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        10_000
    );
    // A form: five sections of accented text and the other basis in emoji, percent-encoded.
    let browser = app.logged_in(GESTOR_PRATA).await;
    let bpc = app.api_id("API BPC").await.to_string();
    let director = app.user_id(GESTOR_PRATA).await.to_string();
    let lead = app.user_id(crate::common::GESTOR_PRATA_2).await.to_string();
    let accented = "ç".repeat(10_000);
    let emoji = "😀".repeat(10_000);
    let mut fields: Vec<(&str, &str)> = vec![
        ("api_id", &bpc),
        ("request_type", "adhesion"),
        ("it_director_id", &director),
        ("technical_lead_id", &lead),
        ("requested_volume", "1000"),
        ("legal_bases", "other"),
        ("legal_basis_other", &emoji),
    ];
    for field in &PURPOSE_TEXTS[1..] {
        fields.push((field, &accented));
    }
    let (status, location, _) = post(
        &app,
        &browser,
        &format!("/solicitacoes/nova/formulario?api_id={bpc}"),
        "/solicitacoes",
        &fields,
    )
    .await;
    assert_eq!(status, 303, "{location}");
    // One text over the limit is refused by field; a body over the limit with 413.
    body["purpose"]["retention"] = json!("a".repeat(10_001));
    for field in PURPOSE_TEXTS {
        if field != "retention" {
            body["purpose"][field] = json!("texto");
        }
    }
    refused(&app, 422, app.api_post("/api/v1/requests", &gestor, &body)).await;
    let huge = format!("{{\"api_id\": 1, \"x\": \"{}\"}}", "a".repeat(1024 * 1024));
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&gestor)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let home = page(&app, &browser, "/").await;
    let token = csrf_token_in(&home).unwrap();
    let r = browser
        .post(app.url("/solicitacoes"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("data_usage", &"a".repeat(1024 * 1024)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert!(r.text().await.unwrap().contains("passa do tamanho máximo"));
}

fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn with_secure_cookies_sair_deletes_the_cookie_as_a_secure_one() {
    let app = TestApp::spawn_with(|c| c.cookie_secure = true).await;
    // A client without a cookie jar: Secure cookies do not travel over this test's plain HTTP,
    // so the test carries them by hand, as a browser over HTTPS would.
    let client = app.browser();
    let login_page = client.get(app.url("/login")).send().await.unwrap();
    let csrf_cookie = set_cookies(&login_page)[0]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = csrf_token_in(&login_page.text().await.unwrap()).unwrap();
    let r = client
        .post(app.url("/login"))
        .header(COOKIE, &csrf_cookie)
        .form(&[
            ("cpf", GESTOR_PRATA),
            ("password", DEMO_PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookies = set_cookies(&r);
    let removal = cookies
        .iter()
        .find(|c| c.starts_with("__Host-adesao_login_csrf="))
        .expect("the login form's cookie is deleted");
    assert!(
        removal.contains("Secure") && removal.contains("Max-Age=0"),
        "{removal}"
    );
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-adesao_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let home = client
        .get(app.url("/"))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token_in(&home).unwrap();
    let r = client
        .post(app.url("/logout"))
        .header(COOKIE, &session)
        .form(&[("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookies = set_cookies(&r);
    let removal = cookies
        .iter()
        .find(|c| c.starts_with("__Host-adesao_session="))
        .expect("Sair deletes the session cookie");
    for attribute in ["Secure", "Path=/", "Max-Age=0", "HttpOnly"] {
        assert!(removal.contains(attribute), "{attribute} in {removal}");
    }
}

#[tokio::test]
async fn an_api_token_can_be_revoked_by_its_holder() {
    let app = TestApp::spawn().await;
    let first = app.token(GESTOR_PRATA).await;
    let second = app.token(GESTOR_PRATA).await;
    let r = reqwest::Client::new()
        .delete(app.url("/api/v1/auth/token"))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.api_get("/api/v1/me", &first).await.status(), 401);
    assert_eq!(
        app.api_get("/api/v1/me", &second).await.status(),
        200,
        "only the token used is revoked"
    );
    let r = reqwest::Client::new()
        .delete(app.url("/api/v1/auth/token"))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        401,
        "a revoked token cannot act, not even to revoke"
    );
    let r = reqwest::Client::new()
        .delete(app.url("/api/v1/auth/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn a_password_change_ends_every_session_and_token_of_the_user() {
    // Without the delay after a failure: the old password is tried right before the new one.
    let app = TestApp::spawn_with(|c| c.auth.first_delay = jiff::SignedDuration::ZERO).await;
    let token = app.token(GESTOR_PRATA).await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    let other = app.token(ANALISTA_INSS).await;
    let auth = adesao_services::AuthService::new(app.db.clone(), Default::default());
    let user = app.user_id(GESTOR_PRATA).await;
    // A login that verified the old password just before the change opens nothing after it.
    let attempt = adesao_services::Attempt {
        client: "192.0.2.1",
        device: None,
        remember_device: false,
    };
    let raced = auth
        .authenticate(GESTOR_PRATA, DEMO_PASSWORD, &attempt)
        .await
        .unwrap();
    assert!(
        auth.set_password(user, "outra-senha-forte-2026")
            .await
            .unwrap()
    );
    assert!(auth.open_session(&raced).await.unwrap().is_none());
    assert!(auth.issue_token(&raced).await.unwrap().is_none());
    assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 401);
    let r = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 303, "the browser session is over");
    assert_eq!(app.api_get("/api/v1/me", &other).await.status(), 200);
    assert_eq!(
        app.request_token(GESTOR_PRATA, DEMO_PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.request_token(GESTOR_PRATA, "outra-senha-forte-2026")
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn assinar_checks_the_request_before_any_sms_leaves() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "API BPC", "adhesion").await;
    let gestor = app.token(GESTOR_PRATA).await;
    app.api_post(
        &format!("/api/v1/requests/{id}/release"),
        &gestor,
        &json!({}),
    )
    .await;
    let analyst = app.logged_in(ANALISTA_INSS).await;
    let home = page(&app, &analyst, "/").await;
    let token = csrf_token_in(&home).unwrap();
    for target in [999_999, id] {
        let before = app.snapshot().await;
        let r = analyst
            .post(app.url(&format!("/solicitacoes/{target}/assinar")))
            .form(&[("csrf_token", token.as_str()), ("dsi_sha256", "abc")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "request {target}");
        assert_eq!(app.snapshot().await, before);
        assert_eq!(app.count("SELECT COUNT(*) FROM signing_sessions").await, 0);
    }
    // The signer: whatever is posted as the digest, the redirect is one well-formed path.
    let signer = app.logged_in(GESTOR_PRATA).await;
    let home = page(&app, &signer, "/").await;
    let token = csrf_token_in(&home).unwrap();
    for hostile in ["abc&solicitacao=42#x", "abc\r\nSet-Cookie: x=1"] {
        let r = signer
            .post(app.url(&format!("/solicitacoes/{id}/assinar")))
            .form(&[("csrf_token", token.as_str()), ("dsi_sha256", hostile)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap();
        assert!(
            location.starts_with("/autorizacao/")
                && location.ends_with(&format!("?solicitacao={id}&dsi=")),
            "{location}"
        );
    }
    // With an authorisation open, a post without the digest of what was read signs nothing.
    let s: Value = app
        .api_post("/api/v1/signing-sessions", &gestor, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let code = app.last_sms_code(GESTOR_PRATA).await;
    let r = app
        .api_post(
            &format!("/api/v1/signing-sessions/{}/authorize", s["id"]),
            &gestor,
            &json!({"code": code}),
        )
        .await;
    assert_eq!(r.status(), 200);
    for digest in ["", "abc&solicitacao=42#x"] {
        let r = signer
            .post(app.url(&format!("/solicitacoes/{id}/assinar")))
            .form(&[("csrf_token", token.as_str()), ("dsi_sha256", digest)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409, "{digest:?}");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Abra o documento novamente")
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM signatures").await, 0);
    }
    // The purpose still holds what it held: nothing else was touched on the way.
    let request: Value = app
        .api_get(&format!("/api/v1/requests/{id}"), &gestor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        request["purpose"]["data_usage"],
        complete_purpose()["data_usage"]
    );
}
