use crate::common::{DEMO_PASSWORD, GESTOR_PRATA, GESTOR_PRATA_2, TestApp, csrf_token_in};

#[tokio::test]
async fn pages_need_a_login_and_come_back_after_it() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let response = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login");

    let response = browser.get(app.url("/termos?x=1")).send().await.unwrap();
    assert_eq!(response.status(), 200, "the terms are public");

    let token = app.login_form_token(&browser).await;
    let response = browser
        .post(app.url("/login"))
        .form(&[
            ("cpf", GESTOR_PRATA),
            ("password", DEMO_PASSWORD),
            ("csrf_token", &token),
            ("next", "/termos"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/termos");
}

#[tokio::test]
async fn login_with_cpf_formatted_or_bare_opens_a_session() {
    let app = TestApp::spawn().await;
    for cpf in [GESTOR_PRATA, "21359115854"] {
        let browser = app.browser();
        let response = app.post_login(&browser, cpf, DEMO_PASSWORD).await;
        assert_eq!(response.status(), 303, "{cpf}");
        assert_eq!(response.headers()["location"], "/");
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("adesao_session="))
            .expect("session cookie");
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/")
        );

        let home = browser
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(home.contains("Gestor Prata"), "header shows the user");
        assert!(
            home.contains("UFV - Universidade Federal de Viçosa"),
            "header shows the organization"
        );
        assert!(home.contains(">Sair<") || home.contains("Sair</button>"));
        assert!(
            home.contains("href=\"/solicitacoes\""),
            "home leads to Solicitação de Adesão"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 2);
    // Only a hash of the cookie's token is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert!(stored.iter().all(|h| h.len() == 64));
}

#[tokio::test]
async fn secure_cookies_when_configured() {
    let app = TestApp::spawn_with(|c| c.cookie_secure = true).await;
    let response = reqwest::get(app.url("/login")).await.unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-adesao_login_csrf="), "{cookie}");
    assert!(cookie.contains("Secure"));
    assert!(response.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let wrong = app.post_login(&browser, GESTOR_PRATA, "errada").await;
    assert_eq!(wrong.status(), 401);
    let wrong_html = wrong.text().await.unwrap();
    assert!(wrong_html.contains("CPF ou senha incorretos."));
    assert!(
        wrong_html.contains("value=\"213.591.158-54\""),
        "keeps what was typed"
    );
    assert!(
        !wrong_html.contains("value=\"errada\""),
        "never echoes the password"
    );

    let unknown = app.post_login(&browser, "111.444.777-35", "errada").await;
    assert_eq!(unknown.status(), 401);
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("CPF ou senha incorretos.")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(
        browser.get(app.url("/")).send().await.unwrap().status(),
        303
    );
}

#[tokio::test]
async fn invalid_cpf_and_missing_password_are_reported_next_to_their_fields() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let response = app
        .post_login(&browser, "123.456.789-00", DEMO_PASSWORD)
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"cpf-error\""));
    assert!(html.contains("CPF inválido: verifique os dígitos."));
    assert!(html.contains("href=\"#cpf\""), "summary links to the field");
    assert!(html.contains("aria-invalid=\"true\""));

    let response = app.post_login(&browser, GESTOR_PRATA, "").await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"password-error\"") && html.contains("Informe a senha."));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM auth_failures").await,
        0,
        "typos are not guesses"
    );
}

#[tokio::test]
async fn failed_logins_are_rate_limited_per_cpf() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for _ in 0..5 {
        assert_eq!(
            app.post_login(&browser, GESTOR_PRATA, "errada")
                .await
                .status(),
            401
        );
    }
    // Even the right password is refused while the CPF is locked.
    let response = app.post_login(&browser, GESTOR_PRATA, DEMO_PASSWORD).await;
    assert_eq!(response.status(), 429);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Muitas tentativas de acesso sem sucesso. Aguarde 15 minuto(s)"),
        "{html}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    // The API shares the limit.
    let api = app.request_token(GESTOR_PRATA, DEMO_PASSWORD).await;
    assert_eq!(api.status(), 429);
    assert_eq!(api.headers()["retry-after"], "900");
    // Another CPF from the same address is still let in.
    assert_eq!(
        app.post_login(&browser, GESTOR_PRATA_2, DEMO_PASSWORD)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn failed_logins_are_rate_limited_per_address() {
    let app = TestApp::spawn().await;
    // 30 failures spread over CPFs that exist nowhere, 5 per CPF at most.
    let cpfs = [
        "111.444.777-35",
        "529.982.247-25",
        "390.533.447-05",
        "713.882.654-00",
        "045.134.689-04",
        "862.351.990-66",
    ];
    let browser = app.browser();
    for i in 0..30 {
        let r = app
            .post_login(&browser, cpfs[i % cpfs.len()], "errada")
            .await;
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    let r = app.post_login(&browser, GESTOR_PRATA, DEMO_PASSWORD).await;
    assert_eq!(
        r.status(),
        429,
        "the address is locked even for a fresh CPF"
    );
}

#[tokio::test]
async fn a_successful_login_forgets_the_cpf_failures() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for _ in 0..4 {
        app.post_login(&browser, GESTOR_PRATA, "errada").await;
    }
    assert_eq!(
        app.post_login(&browser, GESTOR_PRATA, DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    for _ in 0..4 {
        assert_eq!(
            app.post_login(&app.browser(), GESTOR_PRATA, "errada")
                .await
                .status(),
            401
        );
    }
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    let home = browser
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token_in(&home).unwrap();
    let response = browser
        .post(app.url("/logout"))
        .form(&[("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?saiu=1");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(
        browser.get(app.url("/")).send().await.unwrap().status(),
        303
    );
    let page = browser
        .get(app.url("/login?saiu=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Você saiu do sistema."));
}

#[tokio::test]
async fn a_logged_in_user_opening_login_goes_home() {
    let app = TestApp::spawn().await;
    let browser = app.logged_in(GESTOR_PRATA).await;
    let response = browser.get(app.url("/login")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
}

#[tokio::test]
async fn login_page_is_accessible_markup() {
    let app = TestApp::spawn().await;
    let html = reqwest::get(app.url("/login"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"pt-BR\">"));
    assert!(html.contains("<label for=\"cpf\">CPF</label>") && html.contains("id=\"cpf\""));
    assert!(
        html.contains("<label for=\"password\">Senha</label>") && html.contains("id=\"password\"")
    );
    assert!(html.contains("href=\"#main-content\""), "skip link");
    assert!(html.contains("Termos de uso e de política de privacidade"));
}
