//! What expires, expires on time (SPEC §7 and the README): an SMS code after 5 minutes, an
//! authorisation to sign after 10, a browser session after 2 hours without activity, an API
//! token after 12 hours. The application's clock is moved forward instead of waiting.

use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::common::{GESTOR_PRATA, GESTOR_PRATA_2, TestApp, new_draft};

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

async fn start_session(app: &TestApp, token: &str, cpf: &str) -> (i64, String) {
    let s: Value = app
        .api_post("/api/v1/signing-sessions", token, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    (s["id"].as_i64().unwrap(), app.last_sms_code(cpf).await)
}

async fn authorize(app: &TestApp, token: &str, sid: i64, code: &str) -> (u16, Value) {
    let r = app
        .api_post(
            &format!("/api/v1/signing-sessions/{sid}/authorize"),
            token,
            &json!({"code": code}),
        )
        .await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_sms_code_is_good_for_five_minutes() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    let (sid, code) = start_session(&app, &token, GESTOR_PRATA).await;
    app.clock.advance(mins(4) + SignedDuration::from_secs(50));
    assert_eq!(authorize(&app, &token, sid, &code).await.0, 200);

    let (sid, code) = start_session(&app, &token, GESTOR_PRATA).await;
    app.clock.advance(mins(5) + SignedDuration::from_secs(1));
    let (status, body) = authorize(&app, &token, sid, &code).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("O código expirou"),
        "{body}"
    );
}

#[tokio::test]
async fn an_authorisation_signs_for_ten_minutes() {
    let app = TestApp::spawn().await;
    let gestor = app.token(GESTOR_PRATA).await;
    let lead = app.token(GESTOR_PRATA_2).await;
    let id = new_draft(&app, "API BPC", "adhesion").await;
    let r = app
        .api_post(
            &format!("/api/v1/requests/{id}/release"),
            &gestor,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let sign = |token: String, sid: i64| {
        let app = &app;
        async move {
            app.api_post(
                &format!("/api/v1/requests/{id}/sign"),
                &token,
                &json!({"signing_session_id": sid}),
            )
            .await
            .status()
            .as_u16()
        }
    };
    // Both authorise now; the lead signs at 9:50, the director tries at 10:01.
    let (gestor_sid, code) = start_session(&app, &gestor, GESTOR_PRATA).await;
    assert_eq!(authorize(&app, &gestor, gestor_sid, &code).await.0, 200);
    let (lead_sid, code) = start_session(&app, &lead, GESTOR_PRATA_2).await;
    assert_eq!(authorize(&app, &lead, lead_sid, &code).await.0, 200);
    app.clock.advance(mins(9) + SignedDuration::from_secs(50));
    assert_eq!(sign(lead.clone(), lead_sid).await, 200);
    app.clock.advance(SignedDuration::from_secs(11));
    assert_eq!(sign(gestor.clone(), gestor_sid).await, 403);
    // A new authorisation signs again.
    let (sid, code) = start_session(&app, &gestor, GESTOR_PRATA).await;
    assert_eq!(authorize(&app, &gestor, sid, &code).await.0, 200);
    assert_eq!(sign(gestor, sid).await, 200);
}

#[tokio::test]
async fn a_browser_session_ends_after_two_idle_hours_and_activity_extends_it() {
    let app = TestApp::spawn().await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    let home = |browser: &reqwest::Client| {
        let url = app.url("/");
        let browser = browser.clone();
        async move { browser.get(url).send().await.unwrap().status().as_u16() }
    };
    app.clock.advance(mins(119));
    assert_eq!(home(&browser).await, 200, "within two hours");
    // That visit slid the expiry: another 1h59 later the session is still alive.
    app.clock.advance(mins(119));
    assert_eq!(home(&browser).await, 200, "activity keeps it alive");
    app.clock.advance(mins(121));
    assert_eq!(home(&browser).await, 303, "two idle hours end it");
}

#[tokio::test]
async fn an_api_token_lasts_twelve_hours() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    app.clock.advance(mins(12 * 60 - 1));
    assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 200);
    app.clock.advance(mins(2));
    assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 401);
}
