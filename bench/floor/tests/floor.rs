//! The floor answers what bench/run asks of it (`cargo test -p adesao-bench-floor`).

use std::process::{Child, Command};
use std::time::Duration;

struct Floor(Child);

impl Drop for Floor {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_floor_lists_and_finds_requests() {
    let dir = std::env::temp_dir().join(format!("adesao-floor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("floor.db").display());
    let port = 20_000 + std::process::id() % 20_000;
    let _floor = Floor(
        Command::new(env!("CARGO_BIN_EXE_adesao-bench-floor"))
            .args([url.as_str(), &format!("127.0.0.1:{port}")])
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..200 {
        if http.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the floor started");
    let list: serde_json::Value = http
        .get(format!(
            "{base}/requests?requester_id=1&status=provider_review"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
    assert_eq!(list["items"], serde_json::json!([]));
    for path in ["/requests/1", "/requests/1/history"] {
        let status = http
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{path}");
    }
    let bad = http
        .get(format!("{base}/requests?status=nada"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 500);
    std::fs::remove_dir_all(&dir).ok();
}
