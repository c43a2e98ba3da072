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

/// An application behind a trusted proxy on 127.0.0.1, so that tests can speak as several
/// clients (`X-Forwarded-For`), without the delays between failures (tested on their own).
async fn app_for_limits() -> TestApp {
    TestApp::spawn_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.auth.first_delay = jiff::SignedDuration::ZERO;
    })
    .await
}

/// The login form posted as a browser of client `ip` would.
async fn login_from(app: &TestApp, ip: &str, cpf: &str, password: &str) -> reqwest::Response {
    let browser = app.browser();
    let token = app.login_form_token(&browser).await;
    browser
        .post(app.url("/login"))
        .header("x-forwarded-for", ip)
        .form(&[("cpf", cpf), ("password", password), ("csrf_token", &token)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn failed_logins_lock_a_cpf_for_that_client_only() {
    let app = app_for_limits().await;
    for _ in 0..5 {
        let r = login_from(&app, "203.0.113.66", GESTOR_PRATA, "errada").await;
        assert_eq!(r.status(), 401);
    }
    // Even the right password is refused from the client that failed.
    let response = login_from(&app, "203.0.113.66", GESTOR_PRATA, DEMO_PASSWORD).await;
    assert_eq!(response.status(), 429);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(
            "Muitas tentativas de acesso sem sucesso. Aguarde 15 minutos e tente novamente."
        ),
        "{html}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    // The API shares the limit (the test client is 127.0.0.1 itself, a client of its own).
    let api = reqwest::Client::new()
        .post(app.url("/api/v1/auth/token"))
        .header("x-forwarded-for", "203.0.113.66")
        .json(&serde_json::json!({"cpf": GESTOR_PRATA, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 429);
    let wait: u64 = api.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((890..=900).contains(&wait), "{wait}");
    // Another CPF from that client is still let in...
    let r = login_from(&app, "203.0.113.66", GESTOR_PRATA_2, DEMO_PASSWORD).await;
    assert_eq!(r.status(), 303);
    // ...and so is the owner, from their own client: a stranger cannot lock them out.
    let r = login_from(&app, "198.51.100.7", GESTOR_PRATA, DEMO_PASSWORD).await;
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn a_client_header_is_believed_only_from_a_trusted_proxy() {
    // No trusted proxies: every request here comes from 127.0.0.1, whatever it claims.
    let app = TestApp::spawn_with(|c| c.auth.first_delay = jiff::SignedDuration::ZERO).await;
    for i in 0..5 {
        let r = login_from(&app, &format!("203.0.113.{i}"), GESTOR_PRATA, "errada").await;
        assert_eq!(r.status(), 401);
    }
    let r = login_from(&app, "198.51.100.7", GESTOR_PRATA, DEMO_PASSWORD).await;
    assert_eq!(
        r.status(),
        429,
        "a forged X-Forwarded-For does not make a new client"
    );
}

#[tokio::test]
async fn failures_from_many_clients_reach_the_cpf_ceiling() {
    let app = app_for_limits().await;
    // 25 failures from five clients: a guessing attack spread over addresses.
    for client in 1..=5 {
        for _ in 0..5 {
            let r = login_from(&app, &format!("203.0.113.{client}"), GESTOR_PRATA, "errada").await;
            assert_eq!(r.status(), 401);
        }
    }
    let r = login_from(&app, "198.51.100.7", GESTOR_PRATA, DEMO_PASSWORD).await;
    assert_eq!(r.status(), 429, "the CPF's own ceiling");
    let r = login_from(&app, "198.51.100.7", GESTOR_PRATA_2, DEMO_PASSWORD).await;
    assert_eq!(r.status(), 303, "other CPFs are not affected");
}

/// A browser that logged in as `cpf` from `client` and out again: it keeps only its device
/// cookie.
async fn known_browser(app: &TestApp, cpf: &str, client: &str) -> reqwest::Client {
    let browser = app.browser();
    let token = app.login_form_token(&browser).await;
    let r = browser
        .post(app.url("/login"))
        .header("x-forwarded-for", client)
        .form(&[
            ("cpf", cpf),
            ("password", DEMO_PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let home = browser
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token_in(&home).unwrap();
    let r = browser
        .post(app.url("/logout"))
        .form(&[("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    browser
}

/// The login form posted from `browser` as client `ip`.
async fn login_in(
    app: &TestApp,
    browser: &reqwest::Client,
    ip: &str,
    cpf: &str,
    password: &str,
) -> u16 {
    let token = app.login_form_token(browser).await;
    browser
        .post(app.url("/login"))
        .header("x-forwarded-for", ip)
        .form(&[("cpf", cpf), ("password", password), ("csrf_token", &token)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_browser_that_logged_in_is_remembered_by_a_device_cookie() {
    let app = app_for_limits().await;
    let r = login_from(&app, "198.51.100.7", GESTOR_PRATA, DEMO_PASSWORD).await;
    assert_eq!(r.status(), 303);
    let device = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("adesao_device="))
        .expect("a device cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Max-Age=31536000", "Path=/"] {
        assert!(device.contains(attribute), "{attribute} in {device}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM known_devices").await, 1);
    // The API remembers no device.
    app.token(GESTOR_PRATA).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM known_devices").await, 1);
}

#[tokio::test]
async fn the_owners_own_browser_is_never_locked_out_by_attacks_from_elsewhere() {
    let app = app_for_limits().await;
    let owner = known_browser(&app, GESTOR_PRATA, "198.51.100.7").await;
    // An attack from five clients reaches the CPF's ceiling...
    for client in 1..=5 {
        for _ in 0..5 {
            let r = login_from(&app, &format!("203.0.113.{client}"), GESTOR_PRATA, "errada").await;
            assert_eq!(r.status(), 401);
        }
    }
    let r = login_from(&app, "198.51.100.7", GESTOR_PRATA, DEMO_PASSWORD).await;
    assert_eq!(
        r.status(),
        429,
        "a browser that is not the owner's is refused"
    );
    // ...but the owner's browser still gets in, even from an attacking address.
    for client in ["198.51.100.7", "203.0.113.1"] {
        let status = login_in(&app, &owner, client, GESTOR_PRATA, DEMO_PASSWORD).await;
        assert_eq!(status, 303, "from {client}");
        let home = owner
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = csrf_token_in(&home).unwrap();
        owner
            .post(app.url("/logout"))
            .form(&[("csrf_token", &token)])
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_known_device_is_limited_itself_and_only_for_its_own_user() {
    let app = app_for_limits().await;
    // An attacker's browser is a known device — of the attacker's own user.
    let attacker = known_browser(&app, GESTOR_PRATA_2, "203.0.113.9").await;
    for _ in 0..5 {
        let status = login_in(&app, &attacker, "203.0.113.9", GESTOR_PRATA, "errada").await;
        assert_eq!(status, 401);
    }
    assert_eq!(
        login_in(&app, &attacker, "203.0.113.9", GESTOR_PRATA, "errada").await,
        429,
        "counted as any browser's attempts on another user's CPF"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM auth_failures WHERE bucket = 'cpf'")
            .await,
        5
    );
    // The owner's own device, guessing, is held to five attempts of its own.
    let owner = known_browser(&app, GESTOR_PRATA, "198.51.100.7").await;
    for i in 0..6 {
        let status = login_in(&app, &owner, "198.51.100.7", GESTOR_PRATA, "errada").await;
        assert_eq!(status, if i < 5 { 401 } else { 429 }, "attempt {i}");
    }
}

#[tokio::test]
async fn failed_logins_are_rate_limited_per_address() {
    let app = app_for_limits().await;
    // 30 failures spread over CPFs, 5 per CPF at most.
    let cpfs = [
        "111.444.777-35",
        "529.982.247-25",
        "390.533.447-05",
        "713.882.654-00",
        "045.134.689-04",
        "862.351.990-66",
    ];
    for i in 0..30 {
        let r = login_from(&app, "203.0.113.9", cpfs[i % cpfs.len()], "errada").await;
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    let r = login_from(&app, "203.0.113.9", GESTOR_PRATA, DEMO_PASSWORD).await;
    assert_eq!(
        r.status(),
        429,
        "the address is locked even for a fresh CPF"
    );
    let r = login_from(&app, "203.0.113.10", GESTOR_PRATA, DEMO_PASSWORD).await;
    assert_eq!(r.status(), 303, "other addresses are not");
}

#[tokio::test]
async fn a_successful_login_forgets_the_clients_failures() {
    let app = app_for_limits().await;
    for _ in 0..4 {
        login_from(&app, "203.0.113.9", GESTOR_PRATA, "errada").await;
    }
    let r = login_from(&app, "203.0.113.9", GESTOR_PRATA, DEMO_PASSWORD).await;
    assert_eq!(r.status(), 303);
    for _ in 0..4 {
        let r = login_from(&app, "203.0.113.9", GESTOR_PRATA, "errada").await;
        assert_eq!(r.status(), 401);
    }
}

#[tokio::test]
async fn each_failure_doubles_the_wait_before_the_next_attempt() {
    // The default policy: 1 s after the first failure, 2 s after the second. The margins are
    // almost a second each way, so a slow machine does not turn a wait into a pass.
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let attempt = |password: &'static str| {
        let (app, browser) = (&app, &browser);
        async move {
            app.post_login(browser, GESTOR_PRATA, password)
                .await
                .status()
        }
    };
    let pause = || tokio::time::sleep(std::time::Duration::from_millis(1_100));
    assert_eq!(attempt("errada").await, 401);
    let refused = app.post_login(&browser, GESTOR_PRATA, "errada").await;
    assert_eq!(
        refused.status(),
        429,
        "within a second of the first failure"
    );
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Aguarde 1 segundo e tente novamente."),
        "pt-BR, without \"segundo(s)\""
    );
    pause().await;
    assert_eq!(attempt("errada").await, 401);
    pause().await;
    assert_eq!(attempt(DEMO_PASSWORD).await, 429, "the second wait is 2 s");
    pause().await;
    assert_eq!(attempt(DEMO_PASSWORD).await, 303);
}

/// `n` attempts of `cpf` at once (the API and the form alike), with the right password at
/// position `right`, if any: how many answered 401, 429 and success.
async fn burst(app: &TestApp, n: usize, right: Option<usize>) -> (usize, usize, usize) {
    let mut tasks = Vec::new();
    for i in 0..n {
        let url = app.url("/api/v1/auth/token");
        let password = if Some(i) == right {
            DEMO_PASSWORD
        } else {
            "errada"
        };
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .json(&serde_json::json!({"cpf": GESTOR_PRATA, "password": password}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let (mut wrong, mut limited, mut ok) = (0, 0, 0);
    for t in tasks {
        match t.await.unwrap() {
            401 => wrong += 1,
            429 => limited += 1,
            201 => ok += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    (wrong, limited, ok)
}

#[tokio::test]
async fn parallel_guesses_get_no_more_checks_than_the_limit() {
    let app = TestApp::spawn_with(|c| c.auth.first_delay = jiff::SignedDuration::ZERO).await;
    let (wrong, limited, _) = burst(&app, 100, None).await;
    assert_eq!(wrong, 5, "exactly the limit of 5 was checked");
    assert_eq!(limited, 95);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM auth_failures WHERE bucket = 'cpf_client'")
            .await,
        5
    );
    // The right password after the burst is refused: the CPF is locked for this client.
    assert_eq!(
        app.request_token(GESTOR_PRATA, DEMO_PASSWORD)
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn with_the_delay_a_burst_gets_one_check() {
    let app = TestApp::spawn().await;
    let started = std::time::Instant::now();
    let (wrong, limited, ok) = burst(&app, 100, Some(60)).await;
    // The first check makes the others wait 1 s, a second one 2 s more: a burst that lasts
    // under 3 s gets at most two checks (here it lasts well under one).
    let allowed = if started.elapsed().as_secs_f64() < 3.0 {
        2
    } else {
        5
    };
    assert!(
        wrong + ok <= allowed,
        "{wrong} wrong and {ok} right checked"
    );
    assert_eq!(limited, 100 - wrong - ok);
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
