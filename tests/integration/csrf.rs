use crate::common::{DEMO_PASSWORD, GESTOR_PRATA, GESTOR_PRATA_2, TestApp, csrf_token_in};

#[tokio::test]
async fn login_without_the_form_token_is_refused_and_opens_no_session() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    // No cookie, no token: a forged cross-site post.
    let response = browser
        .post(app.url("/login"))
        .form(&[("cpf", GESTOR_PRATA), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("O formulário expirou")
    );

    // A token that is not the one of this browser's cookie.
    app.login_form_token(&browser).await;
    let response = browser
        .post(app.url("/login"))
        .form(&[
            ("cpf", GESTOR_PRATA),
            ("password", DEMO_PASSWORD),
            ("csrf_token", "0000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn login_from_another_origin_is_refused() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let token = app.login_form_token(&browser).await;
    let response = browser
        .post(app.url("/login"))
        .header("origin", "https://evil.example")
        .form(&[
            ("cpf", GESTOR_PRATA),
            ("password", DEMO_PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn logout_without_the_session_token_is_refused_and_keeps_the_session() {
    let app = TestApp::spawn().await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    for body in [vec![], vec![("csrf_token", "forjado")]] {
        let response = browser
            .post(app.url("/logout"))
            .form(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("O formulário expirou")
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(
        browser.get(app.url("/")).send().await.unwrap().status(),
        200
    );
}

#[tokio::test]
async fn the_token_of_one_session_does_not_serve_another() {
    let app = TestApp::spawn().await;
    let alice = app.logged_in(GESTOR_PRATA).await;
    let bob = app.logged_in(GESTOR_PRATA_2).await;
    let alice_token = csrf_token_in(
        &alice
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let response = bob
        .post(app.url("/logout"))
        .form(&[("csrf_token", &alice_token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 2);
}
