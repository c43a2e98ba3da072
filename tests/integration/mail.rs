//! E-mail and SMS that really leave (issue 11): the application configured with a real SMTP
//! server (aiosmtpd) and an SMS gateway endpoint delivers each message of SPEC §8 to the right
//! people, with the right content and link; nothing is lost or sent twice when the mail
//! server is down; a permanent refusal ends `failed`, visible to the admins, who can retry it.

use std::time::Duration;

use adesao_store::outbox::{self, Channel, NewMessage};
use serde_json::{Value, json};

use crate::common::{
    ANALISTA_INSS, EQUIPE_CONECTA, GESTOR_PRATA, GESTOR_PRATA_2, TestApp, new_draft,
};
use crate::mail_servers::{GATEWAY_TOKEN, Received, SmsGateway, SmtpServer, python, send_to};

const PUBLIC_URL: &str = "https://adesao.test";
const MOBILE_PRATA: &str = "+5561911110011";
const MOBILE_PRATA_2: &str = "+5561911110022";

/// The servers and the application sending to them, or None when aiosmtpd is missing (and
/// not required).
async fn servers() -> Option<(SmtpServer, SmsGateway, TestApp)> {
    let python = python()?;
    let smtp = SmtpServer::start(&python).await;
    let gateway = SmsGateway::start().await;
    let (smtp_url, gateway_url) = (smtp.url(), gateway.url.clone());
    let app = TestApp::spawn_with(move |c| {
        send_to(c, &smtp_url, &gateway_url);
        c.public_url = format!("{PUBLIC_URL}/");
    })
    .await;
    Some((smtp, gateway, app))
}

/// Signs through the API with the code the gateway received.
async fn sign(app: &TestApp, gateway: &SmsGateway, id: i64, cpf: &str, mobile: &str) {
    let before = gateway.received().iter().filter(|s| s.to == mobile).count();
    let r = app
        .api_sign_with(id, cpf, async || gateway.code_for(mobile, before).await)
        .await;
    assert_eq!(r.status(), 200, "sign with the gateway's code");
}

async fn post_ok(app: &TestApp, cpf: &str, path: &str, body: Value) {
    let token = app.token(cpf).await;
    let r = app.api_post(path, &token, &body).await;
    assert_eq!(r.status(), 200, "{path}");
}

/// The e-mails sent to `address`, oldest first.
fn to<'a>(received: &'a [Received], address: &str) -> Vec<&'a Received> {
    received
        .iter()
        .filter(|m| m.to.iter().any(|t| t == address))
        .collect()
}

fn check_content(mail: &Received, id: i64, number: &str, what: &str) {
    let link = format!("{PUBLIC_URL}/solicitacoes/{id}");
    let text = mail.text();
    assert!(mail.subject().contains(number), "{}", mail.subject());
    for expected in [
        link.as_str(),
        number,
        "API BPC",
        "INSS - Instituto Nacional do Seguro Social",
        "UFV - Universidade Federal de Viçosa",
        "O que fazer:",
        what,
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let html = mail.html().expect("an HTML alternative");
    assert!(html.contains("<html lang=\"pt-BR\">"), "{html}");
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    assert!(html.contains("#1351b4"), "gov.br blue");
    assert!(
        !html.contains("<img") && !html.contains("src=") && !html.contains("<link"),
        "no external resources"
    );
    assert_eq!(mail.from, "nao-responda@adesao.localhost");
    assert!(mail.raw.contains("Adesão") || mail.raw.contains("=?utf-8?"));
}

#[tokio::test]
async fn a_lifecycle_delivers_every_message_to_its_people_through_smtp_and_the_gateway() {
    let Some((smtp, gateway, app)) = servers().await else {
        return;
    };

    let id = new_draft(&app, "API BPC", "adhesion").await;
    post_ok(
        &app,
        GESTOR_PRATA,
        &format!("/api/v1/requests/{id}/release"),
        json!({}),
    )
    .await;
    let number: String = app
        .api_get(
            &format!("/api/v1/requests/{id}"),
            &app.token(GESTOR_PRATA).await,
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    sign(&app, &gateway, id, GESTOR_PRATA, MOBILE_PRATA).await;
    sign(&app, &gateway, id, GESTOR_PRATA_2, MOBILE_PRATA_2).await;
    post_ok(
        &app,
        ANALISTA_INSS,
        &format!("/api/v1/requests/{id}/approve"),
        json!({"authorized_volume": 50_000, "comment": "De acordo."}),
    )
    .await;
    post_ok(
        &app,
        EQUIPE_CONECTA,
        &format!("/api/v1/requests/{id}/grant"),
        json!({}),
    )
    .await;

    // Release: both signers; signed: the provider's analyst; approved: the program team;
    // granted: the requester's two managers and the signers, once each (Prata is both).
    let received = smtp.wait_for(7, Duration::from_secs(30)).await;
    let addresses = |r: &[Received]| {
        let mut a: Vec<String> = r.iter().flat_map(|m| m.to.clone()).collect();
        a.sort();
        a
    };
    assert_eq!(
        addresses(&received),
        [
            "analista@inss.example",
            "conecta@sgd.example",
            "gestor.prata2@ufv.example",
            "gestor.prata2@ufv.example",
            "gestor.prata@ufv.example",
            "gestor.prata@ufv.example",
            "usuario.teste@ufv.example",
        ]
    );
    let prata = to(&received, "gestor.prata@ufv.example");
    check_content(prata[0], id, &number, "Dirigente de TI");
    assert!(prata[0].text().contains("aguarda") || prata[0].subject().contains("assinatura"));
    assert!(
        prata[0].text().contains("vale por 5 minutos"),
        "{}",
        prata[0].text()
    );
    let prata2 = to(&received, "gestor.prata2@ufv.example");
    check_content(prata2[0], id, &number, "Responsável Técnico");
    let analyst = to(&received, "analista@inss.example");
    check_content(analyst[0], id, &number, "Aprovar");
    assert!(analyst[0].text().contains("até 4.000 caracteres"));
    let admin = to(&received, "conecta@sgd.example");
    check_content(admin[0], id, &number, "Deferir");
    assert!(
        admin[0]
            .text()
            .contains("Volumetria anual autorizada: 50.000.")
    );
    assert!(admin[0].text().contains("De acordo."));
    for granted in [
        prata[1],
        prata2[1],
        to(&received, "usuario.teste@ufv.example")[0],
    ] {
        check_content(granted, id, &number, "O acesso à API foi liberado");
    }
    let ids: std::collections::HashSet<String> = received.iter().map(|m| m.message_id()).collect();
    assert_eq!(ids.len(), 7, "each message once");

    // The SMS: to each signer's mobile, with the gateway's token, nothing but the code, its
    // validity and the system's name; once delivered, the outbox masks the code.
    let sms = gateway.received();
    assert_eq!(sms.len(), 2);
    for s in &sms {
        assert_eq!(s.authorization, format!("Bearer {GATEWAY_TOKEN}"));
        assert!(
            s.message
                .starts_with("Adesão gov.br: seu código de autorização")
        );
        assert!(s.message.contains("Válido por 5 minutos"));
    }
    let admin_token = app.token(EQUIPE_CONECTA).await;
    let listed: Value = app
        .api_get("/api/v1/admin/outbox?channel=sms", &admin_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 2);
    for m in listed["items"].as_array().unwrap() {
        assert_eq!(m["status"], "sent", "{m}");
        let body = m["body"].as_str().unwrap();
        assert!(body.contains("é ******."), "{body}");
        assert_eq!(
            adesao_services::requests::signing::code_in_sms(body),
            None,
            "no code left in {body}"
        );
    }
    let emails: Value = app
        .api_get(
            "/api/v1/admin/outbox?channel=email&status=sent",
            &admin_token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(emails["total"], 7);
    assert_eq!(emails["items"][0]["has_html"], true);
}

#[tokio::test]
async fn a_refusal_tells_the_requester_team_why() {
    let Some((smtp, gateway, app)) = servers().await else {
        return;
    };
    let id = new_draft(&app, "API BPC", "adhesion").await;
    post_ok(
        &app,
        GESTOR_PRATA,
        &format!("/api/v1/requests/{id}/release"),
        json!({}),
    )
    .await;
    sign(&app, &gateway, id, GESTOR_PRATA, MOBILE_PRATA).await;
    sign(&app, &gateway, id, GESTOR_PRATA_2, MOBILE_PRATA_2).await;
    post_ok(
        &app,
        ANALISTA_INSS,
        &format!("/api/v1/requests/{id}/refuse"),
        json!({"justification": "Finalidade <sem> base legal & incompleta."}),
    )
    .await;
    let received = smtp.wait_for(6, Duration::from_secs(30)).await;
    let refusals: Vec<&Received> = received
        .iter()
        .filter(|m| m.subject().contains("recusada"))
        .collect();
    let mut who: Vec<String> = refusals.iter().flat_map(|m| m.to.clone()).collect();
    who.sort();
    assert_eq!(
        who,
        [
            "gestor.prata2@ufv.example",
            "gestor.prata@ufv.example",
            "usuario.teste@ufv.example"
        ]
    );
    for m in refusals {
        assert!(
            m.text()
                .contains("Justificativa: Finalidade <sem> base legal & incompleta.")
        );
        let html = m.html().unwrap();
        assert!(
            html.contains("Finalidade &#60;sem&#62; base legal &#38; incompleta.")
                && !html.contains("<sem>"),
            "escaped in HTML: {html}"
        );
        assert!(m.text().contains("Nova Solicitação"));
    }
}

#[tokio::test]
async fn with_the_mail_server_down_messages_wait_and_arrive_once_when_it_is_back() {
    let Some((mut smtp, gateway, app)) = servers().await else {
        return;
    };

    let id = new_draft(&app, "API BPC", "adhesion").await;
    post_ok(
        &app,
        GESTOR_PRATA,
        &format!("/api/v1/requests/{id}/release"),
        json!({}),
    )
    .await;
    assert_eq!(smtp.wait_for(2, Duration::from_secs(30)).await.len(), 2);

    // Down in the middle of the lifecycle: signing, approval and grant go on.
    smtp.stop().await;
    sign(&app, &gateway, id, GESTOR_PRATA, MOBILE_PRATA).await;
    sign(&app, &gateway, id, GESTOR_PRATA_2, MOBILE_PRATA_2).await;
    post_ok(
        &app,
        ANALISTA_INSS,
        &format!("/api/v1/requests/{id}/approve"),
        json!({"authorized_volume": 1_000}),
    )
    .await;
    post_ok(
        &app,
        EQUIPE_CONECTA,
        &format!("/api/v1/requests/{id}/grant"),
        json!({}),
    )
    .await;

    // The worker tries, fails, and keeps them pending with the reason.
    let admin = app.token(EQUIPE_CONECTA).await;
    let mut waiting = Value::Null;
    for _ in 0..100 {
        waiting = app
            .api_get("/api/v1/admin/outbox?channel=email&status=pending", &admin)
            .await
            .json()
            .await
            .unwrap();
        let tried = waiting["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["attempts"].as_i64().unwrap() >= 2)
            .count();
        if waiting["total"] == 5 && tried == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(waiting["total"], 5, "{waiting}");
    for m in waiting["items"].as_array().unwrap() {
        assert!(m["attempts"].as_i64().unwrap() >= 2, "{m}");
        let error = m["last_error"].as_str().unwrap();
        assert!(error.contains("servidor de e-mail"), "{error}");
        assert!(m["next_attempt_at"].is_string());
    }
    assert_eq!(smtp.received().len(), 2, "nothing arrived while down");

    smtp.resume().await;
    let received = smtp.wait_for(7, Duration::from_secs(30)).await;
    // A few more rounds: nothing else may arrive.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let received_later = smtp.received();
    assert_eq!(received.len(), 7);
    assert_eq!(received_later.len(), 7, "none twice");
    let ids: std::collections::HashSet<String> =
        received_later.iter().map(|m| m.message_id()).collect();
    assert_eq!(ids.len(), 7);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND status = 'sent'")
            .await,
        7
    );
}

#[tokio::test]
async fn a_permanent_refusal_ends_failed_with_its_reason_and_an_admin_can_send_it_again() {
    let Some((_smtp, gateway, app)) = servers().await else {
        return;
    };
    let admin = app.token(EQUIPE_CONECTA).await;

    // The gateway refuses (HTTP 400): failed after one attempt.
    gateway.answer(400);
    let token = app.token(GESTOR_PRATA).await;
    let r = app
        .api_post("/api/v1/signing-sessions", &token, &json!({}))
        .await;
    assert_eq!(r.status(), 201);
    // And the mail server refuses a mailbox (550).
    let mut conn = app.db.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &NewMessage {
            channel: Channel::Email,
            recipient: "ninguem@recusa.example",
            subject: "Assunto",
            body: "Corpo",
            html_body: None,
            delivered_body: None,
            request_id: None,
        },
    )
    .await
    .unwrap();
    drop(conn);
    let mut failed = Value::Null;
    for _ in 0..100 {
        failed = app
            .api_get("/api/v1/admin/outbox?status=failed", &admin)
            .await
            .json()
            .await
            .unwrap();
        // The page and its total are two statements: wait until both show the two messages.
        if failed["total"] == 2 && failed["items"].as_array().is_some_and(|i| i.len() == 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed["total"], 2, "{failed}");
    let items = failed["items"].as_array().unwrap();
    let email = items.iter().find(|m| m["channel"] == "email").unwrap();
    assert_eq!(email["attempts"], 1, "a permanent refusal is not retried");
    assert!(
        email["last_error"].as_str().unwrap().contains("550"),
        "{email}"
    );
    let sms = items.iter().find(|m| m["channel"] == "sms").unwrap();
    assert_eq!(sms["attempts"], 1);
    assert!(
        sms["last_error"].as_str().unwrap().contains("HTTP 400"),
        "{sms}"
    );
    let sms_id = sms["id"].as_i64().unwrap();

    // Only program admins read or retry the outbox; only a failed message can be retried.
    let manager = app.token(GESTOR_PRATA).await;
    assert_eq!(
        app.api_get("/api/v1/admin/outbox", &manager).await.status(),
        403
    );
    crate::common::refused(
        &app,
        403,
        app.api_post(
            &format!("/api/v1/admin/outbox/{sms_id}/retry"),
            &manager,
            &json!({}),
        ),
    )
    .await;
    crate::common::refused(
        &app,
        404,
        app.api_post("/api/v1/admin/outbox/999999/retry", &admin, &json!({})),
    )
    .await;
    let bad = crate::common::refused(
        &app,
        422,
        app.api_get("/api/v1/admin/outbox?status=lost", &admin),
    )
    .await;
    assert!(bad.to_string().contains("Situação"), "{bad}");
    for query in ["status=", "channel=", "channel=fax"] {
        crate::common::refused(
            &app,
            422,
            app.api_get(&format!("/api/v1/admin/outbox?{query}"), &admin),
        )
        .await;
    }

    gateway.answer(202);
    let r = app
        .api_post(
            &format!("/api/v1/admin/outbox/{sms_id}/retry"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let code = gateway.code_for(MOBILE_PRATA, 0).await;
    assert_eq!(code.len(), 6);
    let status = app.outbox_status(sms_id, "sent").await;
    assert_eq!(status, "sent");
    let again = app
        .api_post(
            &format!("/api/v1/admin/outbox/{sms_id}/retry"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(again.status(), 409, "a sent message is not sent again");
}
