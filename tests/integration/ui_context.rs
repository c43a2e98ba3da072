//! Issue 14: refusals shown where the user was, confirmations before irreversible actions, the
//! copy of a refused request, "Alterar volumetria", the home page's counts and the Número filter.

use serde_json::{Value, json};

use crate::attachments::upload;
use crate::common::{
    ANALISTA_INSS, EQUIPE_CONECTA, GESTOR_PRATA, TestApp, csrf_token_in, in_review, new_draft,
    refused,
};
use crate::html_lifecycle::{page, post};

/// A request of Gestor Prata for API BPC, granted with 90.000.
async fn granted(app: &TestApp) -> i64 {
    let id = granted_ready(app).await;
    let conecta = app.token(EQUIPE_CONECTA).await;
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/grant"),
            &conecta,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    id
}

/// A draft of Gestor Prata for API BPC, released for signature.
async fn released(app: &TestApp) -> i64 {
    let id = new_draft(app, "API BPC", "adhesion").await;
    let token = app.token(GESTOR_PRATA).await;
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/release"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    id
}

/// The status and body of a form post whose page refuses it (no redirect), the database
/// unchanged.
async fn refused_form(
    app: &TestApp,
    browser: &reqwest::Client,
    token_page: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let html = page(app, browser, token_page).await;
    let token = csrf_token_in(&html).unwrap();
    let mut body: Vec<(&str, &str)> = vec![("csrf_token", &token)];
    body.extend_from_slice(fields);
    let before = app.snapshot().await;
    let r = browser
        .post(app.url(path))
        .form(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    assert_eq!(app.snapshot().await, before, "refused, yet changed: {text}");
    (status, text)
}

#[tokio::test]
async fn a_release_conflict_stays_on_the_request_and_links_to_the_other() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    let first = new_draft(&app, "API BPC", "adhesion").await;
    let second = new_draft(&app, "API BPC", "adhesion").await;
    let r = app
        .api_post(
            &format!("/api/v1/requests/{first}/release"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // The API names the other request by its address.
    let body = refused(
        &app,
        409,
        app.api_post(
            &format!("/api/v1/requests/{second}/release"),
            &token,
            &json!({}),
        ),
    )
    .await;
    assert_eq!(body["related_request"], format!("/api/v1/requests/{first}"));

    let browser = app.logged_in(GESTOR_PRATA).await;
    let detail = format!("/solicitacoes/{second}");
    let (status, html) =
        refused_form(&app, &browser, &detail, &format!("{detail}/liberar"), &[]).await;
    assert_eq!(status, 409);
    assert!(html.contains("Ação não realizada."), "{html}");
    assert!(html.contains(&format!("<a href=\"/solicitacoes/{first}\">")));
    assert!(
        html.contains("Liberar para Assinatura"),
        "the request's own page"
    );
    assert!(
        html.contains("Sair") && !html.contains(">Entrar<"),
        "logged-in header"
    );
}

#[tokio::test]
async fn error_pages_keep_the_logged_in_header_and_a_way_back() {
    let app = TestApp::spawn().await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    let r = browser
        .get(app.url("/solicitacoes/987654"))
        .header("referer", app.url("/solicitacoes?situacao=draft"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let html = r.text().await.unwrap();
    assert!(html.contains("Página não encontrada"));
    assert!(
        html.contains("Gestor Prata") && html.contains("Sair"),
        "{html}"
    );
    assert!(
        html.contains("href=\"/solicitacoes?situacao=draft\""),
        "back to where it came from"
    );
    // A referer of another site is not offered.
    let r = browser
        .get(app.url("/nada"))
        .header("referer", "https://evil.example/x")
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(!html.contains("evil.example"));
    // Without a session, the public header.
    let html = reqwest::get(app.url("/nada"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Entrar") && !html.contains("Sair"));
}

#[tokio::test]
async fn cancel_grant_and_remove_ask_first_on_a_page_that_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    let id = new_draft(&app, "API BPC", "adhesion").await;
    let r = upload(
        &app,
        &token,
        id,
        "other",
        "oficio.pdf",
        adesao_documents::pdf::sample("x"),
    )
    .await;
    assert_eq!(r.status(), 201);
    let aid: i64 = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let browser = app.logged_in(GESTOR_PRATA).await;
    let before = app.snapshot().await;
    let cancel = page(&app, &browser, &format!("/solicitacoes/{id}/cancelar")).await;
    assert!(
        cancel.contains("Cancelar a solicitação") && cancel.contains("Sim, cancelar a solicitação")
    );
    assert!(cancel.contains(&format!("action=\"/solicitacoes/{id}/cancelar\"")));
    let remove = page(
        &app,
        &browser,
        &format!("/solicitacoes/{id}/anexos/{aid}/remover"),
    )
    .await;
    assert!(remove.contains("Remover o anexo oficio.pdf?"));
    assert_eq!(app.snapshot().await, before, "asking changes nothing");
    // The detail page carries the same confirmations as dialogs, its buttons link to them.
    let detail = page(&app, &browser, &format!("/solicitacoes/{id}")).await;
    assert!(detail.contains("data-confirm=\"confirmar-cancelamento\""));
    assert!(detail.contains(&format!("id=\"confirmar-remocao-{aid}\"")));
    // Not offered where the action is not possible: 409 / 404, nothing changed.
    for (path, status) in [
        (format!("/solicitacoes/{id}/deferir"), 403),
        (
            format!("/solicitacoes/{id}/anexos/{}/remover", aid + 99),
            404,
        ),
    ] {
        let r = browser.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), status, "{path}");
    }
    // Confirmed, it is done with the reason given.
    let (status, location, _) = post(
        &app,
        &browser,
        &format!("/solicitacoes/{id}/cancelar"),
        &format!("/solicitacoes/{id}/cancelar"),
        &[("comment", "Pedido em duplicidade.")],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, &*format!("/solicitacoes/{id}?msg=cancelada"))
    );
    let detail = page(&app, &browser, &format!("/solicitacoes/{id}")).await;
    assert!(detail.contains("Cancelada por Usuário Teste") || detail.contains("Cancelada por "));
    assert!(detail.contains("Pedido em duplicidade."));
    // The history is in Portuguese: no action codes.
    assert!(detail.contains("Anexo incluído por"), "{detail}");
    assert!(!detail.contains("attachment_added"));

    // Deferir asks the programme team too.
    let ready = granted_ready(&app).await;
    let conecta = app.logged_in(EQUIPE_CONECTA).await;
    let grant = page(&app, &conecta, &format!("/solicitacoes/{ready}/deferir")).await;
    assert!(
        grant.contains("Sim, deferir") && grant.contains("90.000"),
        "{grant}"
    );
}

/// A request approved with 90.000, waiting for the grant.
async fn granted_ready(app: &TestApp) -> i64 {
    let id = in_review(app).await;
    let inss = app.token(ANALISTA_INSS).await;
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/approve"),
            &inss,
            &json!({"authorized_volume": 90000}),
        )
        .await;
    assert_eq!(r.status(), 200);
    id
}

#[tokio::test]
async fn a_copy_of_a_refused_request_keeps_its_attachments_and_its_origin() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    let id = new_draft(&app, "API BPC", "adhesion").await;
    for name in ["um.pdf", "dois.pdf"] {
        let r = upload(
            &app,
            &token,
            id,
            "other",
            name,
            adesao_documents::pdf::sample(name),
        )
        .await;
        assert_eq!(r.status(), 201);
    }
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/release"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.api_sign(id, GESTOR_PRATA).await.status(), 200);
    assert_eq!(
        app.api_sign(id, crate::common::GESTOR_PRATA_2)
            .await
            .status(),
        200
    );
    let inss = app.token(ANALISTA_INSS).await;
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/refuse"),
            &inss,
            &json!({"justification": "Falta o ofício do dirigente."}),
        )
        .await;
    assert_eq!(r.status(), 200);

    let browser = app.logged_in(GESTOR_PRATA).await;
    let detail = page(&app, &browser, &format!("/solicitacoes/{id}")).await;
    assert!(detail.contains("id=\"refusal-note\""));
    assert!(detail.contains("Justificativa: Falta o ofício do dirigente."));
    let (status, location, _) = post(
        &app,
        &browser,
        &format!("/solicitacoes/{id}"),
        &format!("/solicitacoes/{id}/copiar"),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    let copy: i64 = location
        .trim_start_matches("/solicitacoes/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let files: Vec<(String, String)> = sqlx::query_as(
        "SELECT filename, sha256 FROM attachments WHERE request_id = $1 ORDER BY id",
    )
    .bind(copy)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let originals: Vec<(String, String)> = sqlx::query_as(
        "SELECT filename, sha256 FROM attachments WHERE request_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(files, originals, "the copy has the same files");
    let number: String = sqlx::query_scalar("SELECT number FROM requests WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let copy_page = page(&app, &browser, &format!("/solicitacoes/{copy}")).await;
    assert!(copy_page.contains(&format!(
        "Criada a partir da solicitação <a href=\"/solicitacoes/{id}\">{number}</a>"
    )));
    assert!(
        copy_page.contains("com 2 anexos copiados"),
        "the history says so"
    );
    let origin = page(&app, &browser, &format!("/solicitacoes/{id}")).await;
    assert!(
        origin.contains(&format!("<a href=\"/solicitacoes/{copy}\">")),
        "links back"
    );
}

#[tokio::test]
async fn alterar_volumetria_comes_filled_from_the_granted_request() {
    let app = TestApp::spawn().await;
    let id = granted(&app).await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    let detail = page(&app, &browser, &format!("/solicitacoes/{id}"))
        .await
        .replace("&#38;", "&");
    let api = app.api_id("API BPC").await;
    let link = format!("/solicitacoes/nova/formulario?api_id={api}&a_partir_de={id}");
    assert!(
        detail.contains(&link),
        "Alterar volumetria is offered: {detail}"
    );
    let form = page(&app, &browser, &link).await;
    assert!(form.contains("name=\"request_type\" value=\"volume_change\""));
    assert!(form.contains("volumetria autorizada de 90.000"));
    assert!(
        form.contains("vêm da solicitação"),
        "it says where it was filled from"
    );
    assert!(
        form.contains("Validação de dados cadastrais"),
        "the purpose comes filled"
    );
    // An adhesion to an API the organization already has is refused while the form is open.
    let token = app.token(GESTOR_PRATA).await;
    let body = app.draft_body("API BPC", "adhesion", 5000).await;
    let problem = refused(&app, 422, app.api_post("/api/v1/requests", &token, &body)).await;
    assert!(
        problem.to_string().contains("Alteração de Volumetria"),
        "{problem}"
    );
    // A fresh form for that API is a volume change too.
    let fresh = page(
        &app,
        &browser,
        &format!("/solicitacoes/nova/formulario?api_id={api}"),
    )
    .await;
    assert!(fresh.contains("name=\"request_type\" value=\"volume_change\""));
}

#[tokio::test]
async fn home_counts_what_awaits_each_user_and_the_number_filter_takes_short_forms() {
    let app = TestApp::spawn().await;
    let id = in_review(&app).await;
    let _draft = new_draft(&app, "API CONSULTA SIAPE", "adhesion").await;
    let inss = app.logged_in(ANALISTA_INSS).await;
    let home = page(&app, &inss, "/").await.replace("&#38;", "&");
    assert!(
        home.contains("href=\"/solicitacoes?mostrar=cedente&situacao=provider_review\"><span class=\"app-count\">1</span> solicitação em análise<"),
        "{home}"
    );
    let gestor = app.logged_in(GESTOR_PRATA).await;
    let home = page(&app, &gestor, "/").await;
    assert!(
        home.contains("<span class=\"app-count\">1</span> solicitação em elaboração"),
        "{home}"
    );
    assert!(
        home.contains("<span class=\"app-count\">0</span> assinaturas pendentes"),
        "{home}"
    );

    let number: String = sqlx::query_scalar("SELECT number FROM requests WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let (seq, year) = number.split_once('/').unwrap();
    let short = seq.trim_start_matches('0');
    for typed in [short.to_owned(), format!("{short}/{year}"), number.clone()] {
        let query = format!("numero={}", typed.replace('/', "%2F"));
        let list = page(&app, &gestor, &format!("/solicitacoes?{query}")).await;
        assert!(
            list.contains("1 solicitação") && list.contains(&number),
            "{typed}"
        );
    }
    let r = gestor
        .get(app.url("/solicitacoes?numero=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!("como 3, 3/{year} ou 000003/{year}")),
        "{html}"
    );
}

#[tokio::test]
async fn the_code_screen_keeps_the_signer_on_it_when_refused() {
    let app = TestApp::spawn().await;
    let id = released(&app).await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    let sign_page = page(&app, &browser, &format!("/solicitacoes/{id}/assinar")).await;
    let sha = sign_page
        .split("name=\"dsi_sha256\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (status, location, _) = post(
        &app,
        &browser,
        &format!("/solicitacoes/{id}/assinar"),
        &format!("/solicitacoes/{id}/assinar"),
        &[("dsi_sha256", &sha)],
    )
    .await;
    assert_eq!(status, 303);
    let session: i64 = location
        .trim_start_matches("/autorizacao/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let screen = page(&app, &browser, &location).await;
    assert!(screen.contains("data-countdown=\""), "{screen}");
    // Too soon: the same screen, the wait in words, the code field still there.
    let id_text = id.to_string();
    let (status, html) = refused_form(
        &app,
        &browser,
        &location,
        &format!("/autorizacao/{session}/reenviar"),
        &[("solicitacao", &id_text), ("dsi", &sha)],
    )
    .await;
    assert_eq!(status, 429);
    assert!(
        html.contains("para pedir outro código.") && html.contains("id=\"code\""),
        "{html}"
    );
    assert!(!html.contains("(s)"), "plurals, not (s)");
    // Five wrong codes: the screen says so and offers a new authorisation.
    let code = app.last_sms_code(GESTOR_PRATA).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut last = String::new();
    for _ in 0..5 {
        let (_, _, body) = post(
            &app,
            &browser,
            &location,
            &format!("/autorizacao/{session}"),
            &[("code", wrong), ("solicitacao", &id_text), ("dsi", &sha)],
        )
        .await;
        last = body;
    }
    assert!(last.contains("As tentativas se esgotaram"), "{last}");
    assert!(last.contains("Iniciar nova autorização") && !last.contains("id=\"code\""));
    assert!(last.contains(&format!("action=\"/solicitacoes/{id}/assinar\"")));
}

#[tokio::test]
async fn the_messages_page_searches_recipient_and_subject() {
    let app = TestApp::spawn().await;
    let _id = in_review(&app).await;
    let conecta = app.logged_in(EQUIPE_CONECTA).await;
    let all = page(&app, &conecta, "/admin/mensagens").await;
    assert!(all.contains("gestor.prata@ufv.example") && all.contains("analista@inss.example"));
    let found = page(&app, &conecta, "/admin/mensagens?busca=ANALISTA%40inss").await;
    assert!(found.contains("analista@inss.example"), "{found}");
    assert!(
        !found.contains("gestor.prata@ufv.example"),
        "only what matches"
    );
    assert!(
        found.contains("value=\"ANALISTA@inss\""),
        "the words stay in the field"
    );
    // LIKE's wildcards are taken literally; control characters are left out.
    for literal in ["%25", "_", "a%00b"] {
        let r = conecta
            .get(app.url(&format!("/admin/mensagens?busca={literal}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{literal}");
        assert!(
            r.text().await.unwrap().contains("Nenhuma mensagem."),
            "{literal}"
        );
    }
    let token = app.token(EQUIPE_CONECTA).await;
    let r = app
        .api_get("/api/v1/admin/outbox?search=analista", &token)
        .await;
    let body: Value = r.json().await.unwrap();
    assert!(
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["recipient"] == "analista@inss.example"),
        "{body}"
    );
}

#[tokio::test]
async fn a_refused_signature_stays_on_the_document() {
    let app = TestApp::spawn().await;
    let id = released(&app).await;
    let token = app.token(GESTOR_PRATA).await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    let sign = format!("/solicitacoes/{id}/assinar");
    // An authorisation first, so the post goes straight to signing; the digest the page
    // showed is missing.
    let s: Value = app
        .api_post("/api/v1/signing-sessions", &token, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let code = app.last_sms_code(GESTOR_PRATA).await;
    let r = app
        .api_post(
            &format!("/api/v1/signing-sessions/{}/authorize", s["id"]),
            &token,
            &json!({"code": code}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let (status, html) = refused_form(&app, &browser, &sign, &sign, &[("dsi_sha256", "")]).await;
    assert_eq!(status, 409);
    assert!(html.contains("Não foi possível confirmar qual versão do documento"));
    assert!(
        html.contains("Escolha como assinar"),
        "still the document's page: {html}"
    );
}
