//! Administration over the JSON API (issue 10): organizations, users and their role periods,
//! the API catalogue, the audit, and who may reach any of it.

use serde_json::{Value, json};

use crate::common::*;

const SGD_ADMIN: &str = EQUIPE_CONECTA;

async fn admin_token(app: &TestApp) -> String {
    app.token(SGD_ADMIN).await
}

async fn org_id(app: &TestApp, acronym: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM organizations WHERE acronym = $1")
        .bind(acronym)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// A new organization through the API; its id.
pub async fn new_org(app: &TestApp, token: &str, acronym: &str, cnpj: &str) -> i64 {
    let r = app
        .api_post(
            "/api/v1/admin/organizations",
            token,
            &json!({"name": format!("Órgão {acronym}"), "acronym": acronym, "cnpj": cnpj}),
        )
        .await;
    let (status, body) = status_of(r).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

/// A new user through the API with `password`; their id.
pub async fn new_user(
    app: &TestApp,
    token: &str,
    org: i64,
    cpf: &str,
    name: &str,
    roles: Value,
    password: &str,
) -> i64 {
    let r = app
        .api_post(
            "/api/v1/admin/users",
            token,
            &json!({
                "cpf": cpf, "name": name, "email": "pessoa@orgao.gov.br",
                "mobile": "(61) 91234-5678", "organization_id": org, "roles": roles,
                "password": password,
            }),
        )
        .await;
    let (status, body) = status_of(r).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn message_of<'a>(body: &'a Value, field: &str) -> &'a str {
    body["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == field))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error for {field}: {body}"))
}

fn yesterday(app: &TestApp) -> String {
    (app.clock.today() - jiff::Span::new().days(1)).to_string()
}

#[tokio::test]
async fn only_program_admins_reach_the_administration() {
    let app = TestApp::spawn().await;
    let manager = app.token(GESTOR_PRATA).await;
    let analyst = app.token(ANALISTA_INSS).await;
    let admin = admin_token(&app).await;
    let ufv = org_id(&app, "UFV").await;
    for path in [
        "/api/v1/admin/organizations",
        "/api/v1/admin/users",
        "/api/v1/admin/apis",
        "/api/v1/admin/audit",
        &format!("/api/v1/admin/organizations/{ufv}"),
        "/api/v1/admin/import/model.csv",
    ] {
        for token in [&manager, &analyst] {
            let (status, body) = status_of(app.api_get(path, token).await).await;
            assert_eq!(status, 403, "{path}: {body}");
            assert!(body["detail"].as_str().unwrap().contains("equipe Conecta"));
        }
        assert_eq!(app.api_get(path, &admin).await.status(), 200, "{path}");
    }
    refused(
        &app,
        403,
        app.api_post(
            "/api/v1/admin/organizations",
            &manager,
            &json!({"name": "X", "acronym": "X", "cnpj": "11.222.333/0001-81"}),
        ),
    )
    .await;
    refused(
        &app,
        403,
        app.api_patch(
            &format!("/api/v1/admin/organizations/{ufv}"),
            &manager,
            &json!({"active": false}),
        ),
    )
    .await;
    // Managers read their own organization's people, and nobody else's (404, not 403).
    let people: Value = app
        .api_get(&format!("/api/v1/organizations/{ufv}/people"), &manager)
        .await
        .json()
        .await
        .unwrap();
    assert!(people.as_array().unwrap().len() >= 3, "{people}");
    let inss = org_id(&app, "INSS").await;
    assert_eq!(
        app.api_get(&format!("/api/v1/organizations/{inss}/people"), &manager)
            .await
            .status(),
        404
    );
    // An analyst of INSS is no manager of it: 404 too.
    assert_eq!(
        app.api_get(&format!("/api/v1/organizations/{inss}/people"), &analyst)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn organizations_are_created_searched_and_refused_by_field() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let id = new_org(&app, &admin, "ANPD", "11.222.333/0001-81").await;
    let org: Value = app
        .api_get(&format!("/api/v1/admin/organizations/{id}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(org["cnpj"], "11.222.333/0001-81");
    assert_eq!(org["provides_apis"], false);
    assert_eq!(org["active"], true);

    for (q, expected) in [("anpd", "ANPD"), ("viçosa", "UFV"), ("25.944.455", "UFV")] {
        let page: Value = app
            .api_get(&format!("/api/v1/admin/organizations?q={q}"), &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 1, "{q}: {page}");
        assert_eq!(page["items"][0]["acronym"], expected);
    }
    assert_eq!(
        app.api_get("/api/v1/admin/organizations?page=9", &admin)
            .await
            .status(),
        404
    );

    // Bad values: each named, in Portuguese, and nothing changes.
    let body = refused(
        &app,
        422,
        app.api_post(
            "/api/v1/admin/organizations",
            &admin,
            &json!({"name": "  ", "acronym": "", "cnpj": "11.222.333/0001-82"}),
        ),
    )
    .await;
    assert_eq!(fields(&body), ["name", "acronym", "cnpj"]);
    assert_eq!(message_of(&body, "name"), "Informe o nome do órgão.");
    // A duplicate CNPJ, however it is written: 409 beside the field.
    let body = refused(
        &app,
        409,
        app.api_post(
            "/api/v1/admin/organizations",
            &admin,
            &json!({"name": "Outra", "acronym": "OUT", "cnpj": "25944455000196"}),
        ),
    )
    .await;
    assert_eq!(fields(&body), ["cnpj"]);
    assert!(message_of(&body, "cnpj").contains("UFV"), "{body}");
    // The alphanumeric CNPJ is accepted and stored normalised.
    let r = app
        .api_post(
            "/api/v1/admin/organizations",
            &admin,
            &json!({"name": "Órgão Alfa", "acronym": "ALFA", "cnpj": "12.abc.345/01de-35"}),
        )
        .await;
    let (status, body) = status_of(r).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["cnpj"], "12.ABC.345/01DE-35");
}

#[tokio::test]
async fn an_inactive_organization_cannot_log_in_and_open_tokens_stop_at_once() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let manager = app.token(GESTOR_PRATA).await;
    let id = new_draft(&app, "API BPC", "adhesion").await;
    let ufv = org_id(&app, "UFV").await;
    let r = app
        .api_patch(
            &format!("/api/v1/admin/organizations/{ufv}"),
            &admin,
            &json!({"active": false}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.api_get("/api/v1/me", &manager).await.status(), 401);
    assert_eq!(
        app.request_token(GESTOR_PRATA, DEMO_PASSWORD)
            .await
            .status(),
        401
    );
    // Its history stays readable.
    assert_eq!(
        app.api_get(&format!("/api/v1/requests/{id}"), &admin)
            .await
            .status(),
        200
    );
    let audit: Value = app
        .api_get(
            &format!("/api/v1/admin/audit?entity=organization&entity_id={ufv}"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["items"][0]["action"], "deactivated");
    assert_eq!(
        audit["items"][0]["changes"],
        json!([{"field": "active", "before": "sim", "after": "não"}])
    );
    // Reactivated, its people log in again (once the delay of the failure above has passed).
    app.clock.advance(jiff::SignedDuration::from_secs(5));
    app.api_patch(
        &format!("/api/v1/admin/organizations/{ufv}"),
        &admin,
        &json!({"active": true}),
    )
    .await;
    assert_eq!(
        app.request_token(GESTOR_PRATA, DEMO_PASSWORD)
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn users_are_created_with_a_first_password_and_bad_values_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let ufv = org_id(&app, "UFV").await;
    let id = new_user(
        &app,
        &admin,
        ufv,
        "111.444.777-35",
        "Maria Nova",
        json!([{"role": "technical_lead", "starts_on": "2020-01-01", "ends_on": null}]),
        "jabuticaba varanda fusca azul",
    )
    .await;
    let token = app
        .token_with("111.444.777-35", "jabuticaba varanda fusca azul")
        .await;
    let me: Value = app
        .api_get("/api/v1/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], id);
    assert_eq!(me["roles"], json!(["technical_lead"]));

    let body = refused(
        &app,
        422,
        app.api_post(
            "/api/v1/admin/users",
            &admin,
            &json!({
                "cpf": "111.444.777-36", "name": "", "email": "maria@", "mobile": "123",
                "organization_id": 999999,
                "roles": [{"role": "chefe"}, {"role": "manager", "starts_on": "2026-05-01", "ends_on": "2026-04-30"}],
                "password": "123456",
            }),
        ),
    )
    .await;
    let got = fields(&body);
    for field in [
        "cpf",
        "name",
        "email",
        "mobile",
        "organization_id",
        "roles",
        "roles.manager",
        "password",
    ] {
        assert!(got.contains(&field.to_owned()), "{field}: {body}");
    }
    assert!(message_of(&body, "roles.manager").contains("término deve ser igual ou posterior"));
    assert!(message_of(&body, "roles").contains("Papel desconhecido"));
    assert!(message_of(&body, "password").contains("ao menos 10 caracteres"));

    // A CPF already registered: 409, whatever its punctuation.
    let body = refused(
        &app,
        409,
        app.api_post(
            "/api/v1/admin/users",
            &admin,
            &json!({
                "cpf": "21359115854", "name": "Outro", "email": "o@ufv.br",
                "mobile": "(61) 91234-5678", "organization_id": ufv, "roles": [],
                "password": "jabuticaba varanda fusca azul",
            }),
        ),
    )
    .await;
    assert_eq!(fields(&body), ["cpf"]);
    // A weak password is explained in Portuguese.
    let body = refused(
        &app,
        422,
        app.api_patch(
            &format!("/api/v1/admin/users/{id}"),
            &admin,
            &json!({"password": "password123"}),
        ),
    )
    .await;
    assert!(
        message_of(&body, "password").contains("fácil de adivinhar"),
        "{body}"
    );
}

#[tokio::test]
async fn deactivation_or_a_new_password_ends_sessions_and_tokens_at_once() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let prata = app.user_id(GESTOR_PRATA).await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    let token = app.token(GESTOR_PRATA).await;
    let r = app
        .api_patch(
            &format!("/api/v1/admin/users/{prata}"),
            &admin,
            &json!({"password": "cavalo bateria grampo correto"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 401);
    let page = browser.get(app.url("/solicitacoes")).send().await.unwrap();
    assert_eq!(page.status(), 303, "the browser session ended too");
    assert!(
        page.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    let token = app
        .token_with(GESTOR_PRATA, "cavalo bateria grampo correto")
        .await;
    let audit: Value = app
        .api_get(
            &format!("/api/v1/admin/audit?entity=user&entity_id={prata}"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["items"][0]["action"], "password_set");
    let text = audit.to_string();
    assert!(
        !text.contains("cavalo") && !text.contains("argon2"),
        "{text}"
    );

    let r = app
        .api_patch(
            &format!("/api/v1/admin/users/{prata}"),
            &admin,
            &json!({"active": false}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 401);
    assert_eq!(
        app.request_token(GESTOR_PRATA, "cavalo bateria grampo correto")
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn the_last_program_admin_keeps_the_role_and_nobody_locks_themselves_out() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let me = app.user_id(SGD_ADMIN).await;
    let sgd = org_id(&app, "SGD").await;
    for body in [
        json!({"active": false}),
        json!({"roles": []}),
        json!({"roles": [{"role": "program_admin", "ends_on": yesterday(&app)}]}),
    ] {
        refused(
            &app,
            409,
            app.api_patch(&format!("/api/v1/admin/users/{me}"), &admin, &body),
        )
        .await;
    }
    refused(
        &app,
        422,
        app.api_patch(
            &format!("/api/v1/admin/users/{me}"),
            &admin,
            &json!({"password": "cavalo bateria grampo correto"}),
        ),
    )
    .await;
    refused(
        &app,
        409,
        app.api_patch(
            &format!("/api/v1/admin/organizations/{sgd}"),
            &admin,
            &json!({"active": false}),
        ),
    )
    .await;
    // With a second admin, either may take the role from the other.
    let second = new_user(
        &app,
        &admin,
        sgd,
        "111.444.777-35",
        "Segunda Admin",
        json!([{"role": "program_admin"}]),
        "jabuticaba varanda fusca azul",
    )
    .await;
    let second_token = app
        .token_with("111.444.777-35", "jabuticaba varanda fusca azul")
        .await;
    let r = app
        .api_patch(
            &format!("/api/v1/admin/users/{me}"),
            &second_token,
            &json!({"roles": []}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Now the second is the last one.
    refused(
        &app,
        409,
        app.api_patch(
            &format!("/api/v1/admin/users/{second}"),
            &second_token,
            &json!({"active": false}),
        ),
    )
    .await;
}

#[tokio::test]
async fn a_role_whose_period_ended_stops_counting_at_once() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let prata = app.user_id(GESTOR_PRATA).await;
    let ufv = org_id(&app, "UFV").await;
    let manager = app.token(GESTOR_PRATA).await;
    // A request released while Gestor Prata is Dirigente de TI.
    let id = new_draft(&app, "API BPC", "adhesion").await;
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/release"),
            &manager,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // His mandate as Dirigente de TI ended yesterday; he stays a manager.
    let r = app
        .api_patch(
            &format!("/api/v1/admin/users/{prata}"),
            &admin,
            &json!({"roles": [{"role": "manager"}, {"role": "it_director", "ends_on": yesterday(&app)}]}),
        )
        .await;
    let (status, body) = status_of(r).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["current_roles"], json!(["manager"]));
    // No longer offered as a signer, on the token he already had.
    let signers: Value = app
        .api_get(
            &format!("/api/v1/organizations/{ufv}/signatories"),
            &manager,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        signers.as_array().unwrap().iter().all(|s| s["id"] != prata),
        "{signers}"
    );
    let me: Value = app
        .api_get("/api/v1/me", &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["roles"], json!(["manager"]));
    // He cannot sign the request that names him, and the request says it needs a new signer.
    let (status, body) = status_of(app.api_sign(id, GESTOR_PRATA).await).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("não exerce mais"));
    let request: Value = app
        .api_get(&format!("/api/v1/requests/{id}"), &manager)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        request["signer_problems"][0]
            .as_str()
            .unwrap()
            .contains("Gestor Prata"),
        "{request}"
    );
    // Nor can a new draft name him.
    let body = app.draft_body("API CONSULTA SIAPE", "adhesion", 10).await;
    let (status, body) = status_of(app.api_post("/api/v1/requests", &manager, &body).await).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["it_director_id"]);
}

#[tokio::test]
async fn the_catalogue_is_administered_and_a_closed_api_is_not_offered() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let inss = org_id(&app, "INSS").await;
    let ufv = org_id(&app, "UFV").await;
    let r = app
        .api_post(
            "/api/v1/admin/apis",
            &admin,
            &json!({"provider_id": inss, "name": "API CNIS", "description": "Vínculos e remunerações.",
                    "attachment_requirements": [{"kind": "form", "mandatory": true}]}),
        )
        .await;
    let (status, api) = status_of(r).await;
    assert_eq!(status, 201, "{api}");
    let api_id = api["id"].as_i64().unwrap();
    assert_eq!(
        api["attachment_requirements"],
        json!([{"kind": "form", "mandatory": true, "has_model": false, "model_filename": null}])
    );
    // Unique per provider, whatever the case; another provider may reuse the name.
    let body = refused(
        &app,
        409,
        app.api_post(
            "/api/v1/admin/apis",
            &admin,
            &json!({"provider_id": inss, "name": "api cnis"}),
        ),
    )
    .await;
    assert_eq!(fields(&body), ["name"]);
    // Accents and other non-ASCII letters are compared without case too (SQLite's LOWER
    // folds only ASCII: this once answered 500 for the same name and 201 for another case).
    let r = app
        .api_post(
            "/api/v1/admin/apis",
            &admin,
            &json!({"provider_id": inss, "name": "API Previdência ÇÃO"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    for name in ["API Previdência ÇÃO", "api previdência ção"] {
        let body = refused(
            &app,
            409,
            app.api_post(
                "/api/v1/admin/apis",
                &admin,
                &json!({"provider_id": inss, "name": name}),
            ),
        )
        .await;
        assert_eq!(fields(&body), ["name"], "{name}");
    }
    let mds = org_id(&app, "MDS").await;
    let r = app
        .api_post(
            "/api/v1/admin/apis",
            &admin,
            &json!({"provider_id": mds, "name": "API CNIS"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    // A provider must provide APIs; kinds must be known.
    let body = refused(
        &app,
        422,
        app.api_post(
            "/api/v1/admin/apis",
            &admin,
            &json!({"provider_id": ufv, "name": "API UFV",
                    "attachment_requirements": [{"kind": "selfie", "mandatory": true}]}),
        ),
    )
    .await;
    assert_eq!(fields(&body), ["provider_id", "requirements"]);

    // The model: an ODT by content, whatever it is called; an executable is refused.
    let odt = adesao_documents::odt::text_document("Formulário CNIS", &["Preencha."]);
    let r = put_model(&app, &admin, api_id, "form", "formulario.exe", odt).await;
    let (status, body) = status_of(r).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["attachment_requirements"][0]["model_filename"],
        "formulario.exe.odt"
    );
    let before = app.snapshot().await;
    let r = put_model(
        &app,
        &admin,
        api_id,
        "form",
        "modelo.odt",
        b"MZ\x90\x00 not a model".to_vec(),
    )
    .await;
    let (status, body) = status_of(r).await;
    assert_eq!(status, 415, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("ODF"));
    assert_eq!(app.snapshot().await, before);
    let r = put_model(
        &app,
        &admin,
        api_id,
        "official_letter",
        "oficio.pdf",
        b"%PDF-1.4".to_vec(),
    )
    .await;
    assert_eq!(r.status(), 422, "the API asks for no Ofício");

    // Offered in the catalogue while open; closed, not offered, and a draft cannot use it.
    let manager = app.token(GESTOR_PRATA).await;
    let offered = |list: &Value| list.as_array().unwrap().iter().any(|a| a["id"] == api_id);
    let list: Value = app
        .api_get("/api/v1/apis", &manager)
        .await
        .json()
        .await
        .unwrap();
    assert!(offered(&list));
    let mut body = app.draft_body("API BPC", "adhesion", 1000).await;
    body["api_id"] = json!(api_id);
    let (status, draft) = status_of(app.api_post("/api/v1/requests", &manager, &body).await).await;
    assert_eq!(status, 201, "{draft}");
    let r = app
        .api_patch(
            &format!("/api/v1/admin/apis/{api_id}"),
            &admin,
            &json!({"accepting_requests": false}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let list: Value = app
        .api_get("/api/v1/apis", &manager)
        .await
        .json()
        .await
        .unwrap();
    assert!(!offered(&list));
    let (status, refusal) =
        status_of(app.api_post("/api/v1/requests", &manager, &body).await).await;
    assert_eq!(status, 422);
    assert!(message_of(&refusal, "api_id").contains("não está recebendo"));
    let draft_id = draft["id"].as_i64().unwrap();
    let (status, refusal) = status_of(
        app.api_post(
            &format!("/api/v1/requests/{draft_id}/release"),
            &manager,
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(fields(&refusal).contains(&"api_id".to_owned()), "{refusal}");
    // Its requests stay readable.
    assert_eq!(
        app.api_get(&format!("/api/v1/requests/{draft_id}"), &manager)
            .await
            .status(),
        200
    );
}

async fn put_model(
    app: &TestApp,
    token: &str,
    api: i64,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    reqwest::Client::new()
        .put(app.url(&format!("/api/v1/admin/apis/{api}/models/{kind}")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_audit_records_who_changed_what_and_filters_by_entity_and_actor() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let id = new_org(&app, &admin, "ANPD", "11.222.333/0001-81").await;
    app.api_patch(
        &format!("/api/v1/admin/organizations/{id}"),
        &admin,
        &json!({"name": "Autoridade Nacional de Proteção de Dados", "provides_apis": true}),
    )
    .await;
    let me = app.user_id(SGD_ADMIN).await;
    let audit: Value = app
        .api_get(
            &format!("/api/v1/admin/audit?entity=organization&actor_id={me}"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["total"], 2, "{audit}");
    let newest = &audit["items"][0];
    assert_eq!(newest["action"], "updated");
    assert_eq!(newest["actor"]["id"], me);
    assert_eq!(newest["entity_id"], id);
    assert_eq!(
        newest["changes"],
        json!([
            {"field": "name", "before": "Órgão ANPD", "after": "Autoridade Nacional de Proteção de Dados"},
            {"field": "provides_apis", "before": "não", "after": "sim"},
        ])
    );
    assert_eq!(audit["items"][1]["action"], "created");
    let none: Value = app
        .api_get("/api/v1/admin/audit?entity=api", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["total"], 0);
    assert_eq!(
        app.api_get("/api/v1/admin/audit?entity=planet", &admin)
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn everyone_changes_their_own_password_knowing_the_current_one() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA_2).await;
    let body = refused(
        &app,
        422,
        app.api_post(
            "/api/v1/me/password",
            &token,
            &json!({"current_password": "errada", "new_password": "cavalo bateria grampo correto"}),
        ),
    )
    .await;
    assert_eq!(
        message_of(&body, "current_password"),
        "A senha atual não confere."
    );
    let body = refused(
        &app,
        422,
        app.api_post(
            "/api/v1/me/password",
            &token,
            &json!({"current_password": DEMO_PASSWORD, "new_password": "gestorprata2"}),
        ),
    )
    .await;
    assert!(
        message_of(&body, "new_password").contains("fácil de adivinhar"),
        "{body}"
    );
    // The wrong password above delays the next attempt (as at login).
    app.clock.advance(jiff::SignedDuration::from_secs(5));
    let r = app
        .api_post(
            "/api/v1/me/password",
            &token,
            &json!({"current_password": DEMO_PASSWORD, "new_password": "cavalo bateria grampo correto"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 401);
    assert_eq!(
        app.request_token(GESTOR_PRATA_2, DEMO_PASSWORD)
            .await
            .status(),
        401
    );
    app.clock.advance(jiff::SignedDuration::from_secs(5));
    app.token_with(GESTOR_PRATA_2, "cavalo bateria grampo correto")
        .await;
}

#[tokio::test]
async fn wrong_current_passwords_are_rate_limited_like_logins() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA_2).await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let r = app
            .api_post(
                "/api/v1/me/password",
                &token,
                &json!({"current_password": "errada", "new_password": "cavalo bateria grampo correto"}),
            )
            .await;
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses[0], 422);
    assert!(statuses.contains(&429), "{statuses:?}");
}
