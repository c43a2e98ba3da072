//! The binary as an operator starts it, with `ADESAO_SMTP_URL` for a server that demands TLS
//! (STARTTLS on a submission port, or implicit TLS) and authentication: the credentials come
//! from the URL, the server's certificate is checked against the trust store (here a test CA
//! through `SSL_CERT_FILE`), and the e-mails arrive encrypted and authenticated.

use std::process::Stdio;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use serde_json::{Value, json};
use tokio::process::Command;

use crate::common::{GESTOR_PRATA, complete_purpose};
use crate::mail_servers::{SmtpServer, free_port, python};

/// A CA and a certificate for `localhost` signed by it, written as PEM files in `dir`:
/// (ca.pem, cert.pem, key.pem).
fn certificates(dir: &std::path::Path) -> [std::path::PathBuf; 3] {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Adesão test CA");
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let paths = [
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    ];
    std::fs::write(&paths[0], ca.pem()).unwrap();
    std::fs::write(&paths[1], cert.pem()).unwrap();
    std::fs::write(&paths[2], key.serialize_pem()).unwrap();
    paths
}

async fn wait_healthy(client: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start");
}

/// As Gestor Prata, through the API: a draft for API BPC, released (two e-mails, one per signer).
async fn release_a_request(client: &reqwest::Client, base: &str) {
    let token: Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"cpf": GESTOR_PRATA, "password": crate::common::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    let get = |path: String| {
        let (client, token) = (client.clone(), token.clone());
        async move {
            client
                .get(path)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let me = get(format!("{base}/api/v1/me")).await;
    let apis = get(format!("{base}/api/v1/apis")).await;
    let api = apis
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "API BPC")
        .unwrap()["id"]
        .clone();
    let org = me["organization"]["id"].as_i64().unwrap();
    let signers = get(format!("{base}/api/v1/organizations/{org}/signatories")).await;
    let with_role = |role: &str| {
        signers
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["roles"].as_array().unwrap().iter().any(|r| r == role))
            .unwrap()["id"]
            .clone()
    };
    let created: Value = client
        .post(format!("{base}/api/v1/requests"))
        .bearer_auth(&token)
        .json(&json!({
            "api_id": api,
            "type": "adhesion",
            "it_director_id": with_role("it_director"),
            "technical_lead_id": with_role("technical_lead"),
            "requested_volume": 1000,
            "purpose": complete_purpose(),
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().expect("created");
    let r = client
        .post(format!("{base}/api/v1/requests/{id}/release"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn the_binary_sends_over_starttls_and_implicit_tls_with_the_url_s_credentials() {
    let Some(python) = python() else { return };
    let dir = std::env::temp_dir().join(format!("adesao-smtp-tls-{}", free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    let [ca, cert, key] = certificates(&dir);
    // A password with characters that must be percent-encoded in the URL.
    let login = "adesao:s3nh@/forte";
    for (mode, url) in [
        (
            "starttls",
            "smtp://adesao:s3nh%40%2Fforte@localhost:{port}?tls=required",
        ),
        (
            "implicit",
            "smtps://adesao:s3nh%40%2Fforte@localhost:{port}",
        ),
    ] {
        let smtp = SmtpServer::start_tls(&python, mode, &cert, &key, login).await;
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let _server = Command::new(env!("CARGO_BIN_EXE_adesao"))
            .env("ADESAO_ADDR", format!("127.0.0.1:{port}"))
            .env(
                "ADESAO_DATABASE_URL",
                format!("sqlite://{}", dir.join(format!("{mode}.db")).display()),
            )
            .env(
                "ADESAO_SMTP_URL",
                url.replace("{port}", &smtp.port.to_string()),
            )
            .env("ADESAO_MAIL_FROM", "Adesão <nao-responda@orgao.example>")
            .env("ADESAO_PUBLIC_URL", "https://adesao.test")
            .env("SSL_CERT_FILE", &ca)
            .env("ADESAO_LOG", "warn")
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("adesao starts");
        let client = reqwest::Client::new();
        wait_healthy(&client, &base).await;
        release_a_request(&client, &base).await;
        let received = smtp.wait_for(2, Duration::from_secs(30)).await;
        if received.len() < 2 {
            let db = adesao_store::Db::connect(&adesao_store::DbOptions::new(format!(
                "sqlite://{}",
                dir.join(format!("{mode}.db")).display()
            )))
            .await
            .unwrap();
            let errors: Vec<Option<String>> = sqlx::query_scalar("SELECT last_error FROM outbox")
                .fetch_all(db.pool())
                .await
                .unwrap();
            panic!(
                "{mode}: {} received; the outbox says {errors:?}",
                received.len()
            );
        }
        for m in &received {
            assert!(m.tls, "{mode}: encrypted");
            assert_eq!(m.login.as_deref(), Some("adesao"), "{mode}: authenticated");
            assert_eq!(m.from, "nao-responda@orgao.example");
            assert!(
                m.text().contains("https://adesao.test/solicitacoes/"),
                "{mode}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
