//! Uploads of hostile PDFs through the API (issue 8): refused with the reason, nothing stored,
//! other users unaffected meanwhile, the server's memory flat; and the limits of a request.

use std::time::{Duration, Instant};

use adesao_documents::pdf::{hostile, sample, sample_of_size};
use serde_json::{Value, json};

use crate::attachments::{cadunico_draft, upload, upload_to};
use crate::common::{DEMO_PASSWORD, GESTOR_PRATA, TestApp, refused};

/// A manager of UFV other than Gestor Prata.
const USUARIO_TESTE_SGD: &str = "862.351.990-66";

/// The hostile files, with what the refusal must say.
fn bombs() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        (
            "array.pdf",
            hostile::object_stream_array(100_000_000),
            "passa de 1 MiB quando descompactado",
        ),
        (
            "xref.pdf",
            hostile::xref_stream(2_000_000),
            "passa de 1 MiB quando descompactado",
        ),
        (
            "flate.pdf",
            hostile::flate_bomb(10_000_000),
            "passa de 256 MiB quando descompactado",
        ),
        (
            "objetos.pdf",
            hostile::many_objects(200_001),
            "mais de 200.000 objetos internos",
        ),
        (
            "duas-vezes.pdf",
            hostile::double_flate(64 << 20),
            "passa de 32 MiB quando descompactado",
        ),
        (
            "senha.pdf",
            hostile::password_protected("segredo", 0),
            "protegido por senha",
        ),
    ]
}

#[tokio::test]
async fn bombs_are_refused_fast_with_the_reason_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    let id = cadunico_draft(&app, &token).await;
    for (name, bytes, reason) in bombs() {
        let started = Instant::now();
        let body = refused(&app, 422, upload(&app, &token, id, "form", name, bytes)).await;
        let took = started.elapsed();
        // The reason names the limit that fired, so the check ended before the 2.5 s kill.
        assert!(took < Duration::from_secs(3), "{name}: {took:?}");
        let detail = body["errors"][0]["message"].as_str().unwrap();
        assert_eq!(body["errors"][0]["field"], "file", "{name}");
        assert!(detail.contains(reason), "{name}: {detail}");
        assert_eq!(app.count("SELECT COUNT(*) FROM attachments").await, 0);
    }
}

#[tokio::test]
async fn others_keep_working_while_bombs_are_checked() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    let id = cadunico_draft(&app, &token).await;
    let other = app.token(USUARIO_TESTE_SGD).await;
    // Twelve hostile files at once, six times the checking slots of this machine's two cores.
    let mut uploads = Vec::new();
    for (name, bytes, _) in bombs().into_iter().chain(bombs()) {
        let task = upload_to(app.url(""), token.clone(), id, "form", name, bytes);
        uploads.push(tokio::spawn(async move { task.await.status().as_u16() }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Meanwhile another user writes, and the health check answers.
    let started = Instant::now();
    let body = app.draft_body("API BPC", "adhesion", 1_000).await;
    let r = app.api_post("/api/v1/requests", &other, &body).await;
    assert_eq!(r.status(), 201);
    let health = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a write and a health check took {:?} beside the checks",
        started.elapsed()
    );
    assert!(
        uploads.iter().any(|u| !u.is_finished()),
        "the checks were still running: the write was done beside them, not after"
    );
    for u in uploads {
        assert_eq!(u.await.unwrap(), 422);
    }
}

#[tokio::test]
async fn a_request_holds_at_most_twenty_attachments() {
    let app = TestApp::spawn().await;
    let token = app.token(GESTOR_PRATA).await;
    let id = cadunico_draft(&app, &token).await;
    for i in 0..20 {
        let r = upload(&app, &token, id, "other", &format!("{i}.pdf"), sample("x")).await;
        assert_eq!(r.status(), 201, "attachment {i}");
    }
    let body = refused(
        &app,
        409,
        upload(&app, &token, id, "other", "21.pdf", sample("x")),
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("já tem 20 anexos, o máximo permitido"),
        "{body}"
    );
    // Removing one makes room again.
    let list: Value = app
        .api_get(&format!("/api/v1/requests/{id}/attachments"), &token)
        .await
        .json()
        .await
        .unwrap();
    let first = list[0]["id"].as_i64().unwrap();
    let r = reqwest::Client::new()
        .delete(app.url(&format!("/api/v1/requests/{id}/attachments/{first}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = upload(&app, &token, id, "other", "21.pdf", sample("x")).await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn a_request_holds_at_most_five_uploads_worth_of_bytes() {
    let app = TestApp::spawn_with(|c| c.max_upload_bytes = 1024 * 1024).await;
    let token = app.token(GESTOR_PRATA).await;
    let id = cadunico_draft(&app, &token).await;
    for i in 0..5 {
        let r = upload(
            &app,
            &token,
            id,
            "other",
            &format!("{i}.pdf"),
            sample_of_size("x", 1_000_000),
        )
        .await;
        assert_eq!(r.status(), 201, "attachment {i}");
    }
    let body = refused(
        &app,
        409,
        upload(
            &app,
            &token,
            id,
            "other",
            "6.pdf",
            sample_of_size("x", 1_000_000),
        ),
    )
    .await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("podem somar até 5 MiB; com este arquivo, somariam 5,8 MiB"),
        "{detail}"
    );
    // A small one still fits.
    let r = upload(&app, &token, id, "other", "7.pdf", sample("x")).await;
    assert_eq!(r.status(), 201);
}

/// The resident memory of a process, from /proc: (now, peak), in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The server as its own process (the real binary), so that its memory is its own.
struct ServerProcess {
    child: std::process::Child,
    url: String,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn server_process() -> ServerProcess {
    let dir = std::env::temp_dir().join(format!("adesao-rss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_adesao"))
        .env("ADESAO_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "ADESAO_DATABASE_URL",
            format!("sqlite://{}/adesao.db", dir.display()),
        )
        .env("ADESAO_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = ServerProcess {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _dir: TempDir(dir),
    };
    for _ in 0..200 {
        if let Ok(r) = reqwest::get(format!("{}/healthz", server.url)).await
            && r.status() == 200
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not start");
}

#[tokio::test]
async fn the_servers_memory_stays_flat_while_bombs_are_checked() {
    let server = server_process().await;
    let client = reqwest::Client::new();
    let token: Value = client
        .post(format!("{}/api/v1/auth/token", server.url))
        .json(&json!({"cpf": GESTOR_PRATA, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    let apis: Value = client
        .get(format!("{}/api/v1/apis", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cadunico = apis
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "API CADUNICO SERVICOS")
        .unwrap()["id"]
        .clone();
    let signatories: Value = client
        .get(format!("{}/api/v1/organizations/1/signatories", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let director = signatories[0]["id"].clone();
    let lead = signatories[signatories.as_array().unwrap().len() - 1]["id"].clone();
    let draft: Value = client
        .post(format!("{}/api/v1/requests", server.url))
        .bearer_auth(&token)
        .json(
            &json!({"api_id": cadunico, "type": "adhesion", "it_director_id": director,
            "technical_lead_id": lead, "requested_volume": 1000}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = draft["id"].as_i64().expect("a draft");
    let send = |name: &'static str, bytes: Vec<u8>| {
        let (url, token, client) = (server.url.clone(), token.clone(), client.clone());
        async move {
            let form = reqwest::multipart::Form::new().text("kind", "other").part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
            client
                .post(format!("{url}/api/v1/requests/{id}/attachments"))
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Warm up: a real upload, so that the baseline includes a checked file.
    assert_eq!(send("real.pdf", sample("x")).await, 201);
    let (baseline, _) = memory_kib(server.child.id());
    for _round in 0..3 {
        let mut pending = Vec::new();
        for (name, bytes, _) in bombs() {
            pending.push(tokio::spawn(send(name, bytes)));
        }
        for p in pending {
            assert_eq!(p.await.unwrap(), 422);
        }
    }
    let (_, peak) = memory_kib(server.child.id());
    eprintln!("server RSS: {baseline} KiB after start, peak {peak} KiB through 12 bombs");
    // Four uploads in flight, each buffered once or twice (up to 10 MiB apiece), over the
    // baseline: never the gigabytes a parse in this process took.
    assert!(
        peak < baseline + 128 * 1024,
        "peak {peak} KiB, baseline {baseline} KiB"
    );
}
