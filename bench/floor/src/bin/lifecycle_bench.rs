//! The whole lifecycle through the JSON API at a given concurrency (issue 15; run by `bench/run`):
//! create → release → signature of the IT director → signature of the technical lead → approve
//! (provider analyst) → grant (program admin), each a real request to a running server.
//!
//! ```sh
//! lifecycle_bench BASE_URL DATABASE_URL LIFECYCLES CONCURRENCY
//! ```
//!
//! Setup, not measured: as the demo's program admin it creates one organization per worker
//! through the admin API, with a manager who is also IT director and a technical lead; both log
//! in and authorise signing once (the SMS code is read from the server's outbox, as the tests
//! do: an authorisation is valid for ten minutes and several documents). Then each worker runs
//! its share of the lifecycles one after another, alternating between the two demo APIs that
//! need no attachment (a requester may hold one request per API and type in the pipeline), an
//! adhesion first and volume changes after it. Prints one JSON line: requests per second over
//! the whole run and, per step, how many, per second, p50 and p99.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Mutex;

const STEPS: [&str; 6] = [
    "create",
    "release",
    "sign (IT director)",
    "sign (technical lead)",
    "approve",
    "grant",
];
const PASSWORD: &str = "Lifecycle-bench-2026!tres-cores";
const ADMIN: &str = "045.134.689-04";
const ANALYSTS: [(&str, &str); 2] = [
    ("API BPC", "529.982.247-25"),
    ("API CONSULTA SIAPE", "713.882.654-00"),
];

/// Check digits of a CPF or CNPJ (mod 11 with the given weights).
fn with_check_digits(base: &str, weights: [&[u32]; 2]) -> String {
    let mut digits: Vec<u32> = base.bytes().map(|b| u32::from(b - b'0')).collect();
    for w in weights {
        let sum: u32 = digits.iter().zip(w).map(|(a, b)| a * b).sum();
        digits.push(if sum % 11 < 2 { 0 } else { 11 - sum % 11 });
    }
    digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap())
        .collect()
}

fn cpf(n: u64) -> String {
    with_check_digits(
        &format!("{:09}", 300_000_000 + n),
        [
            &[10, 9, 8, 7, 6, 5, 4, 3, 2],
            &[11, 10, 9, 8, 7, 6, 5, 4, 3, 2],
        ],
    )
}

fn cnpj(n: u64) -> String {
    with_check_digits(
        &format!("{:08}0001", 60_000_000 + n % 39_000_000),
        [
            &[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2],
            &[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2],
        ],
    )
}

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, token: &str, body: &Value) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        let r = req.json(body).send().await.expect("the server answers");
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    async fn post(&self, path: &str, token: &str, body: &Value) -> Value {
        self.call(reqwest::Method::POST, path, token, body).await
    }

    async fn get(&self, path: &str, token: &str) -> Value {
        self.call(reqwest::Method::GET, path, token, &Value::Null)
            .await
    }

    async fn token(&self, cpf: &str) -> String {
        let body = self
            .post(
                "/api/v1/auth/token",
                "",
                &json!({"cpf": cpf, "password": if cpf == ADMIN || ANALYSTS.iter().any(|a| a.1 == cpf) { "adesao-demo" } else { PASSWORD }}),
            )
            .await;
        body["token"].as_str().unwrap().to_owned()
    }
}

/// One worker's organization and people.
struct Requester {
    manager_id: i64,
    lead_id: i64,
    manager: String,
    lead: String,
    manager_session: i64,
    lead_session: i64,
}

async fn sms_code(pool: &sqlx::AnyPool, cpf: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT o.body FROM outbox o JOIN users u ON u.mobile = o.recipient \
         WHERE o.channel = 'sms' AND u.cpf = $1 ORDER BY o.id DESC LIMIT 1",
    )
    .bind(cpf.to_owned())
    .fetch_one(pool)
    .await
    .expect("an SMS was queued");
    adesao_services::requests::signing::code_in_sms(&body).expect("the SMS has a code")
}

async fn authorised_session(api: &Api, pool: &sqlx::AnyPool, token: &str, cpf: &str) -> i64 {
    let session = api
        .post("/api/v1/signing-sessions", token, &json!({}))
        .await;
    let id = session["id"].as_i64().unwrap();
    let code = sms_code(pool, cpf).await;
    api.post(
        &format!("/api/v1/signing-sessions/{id}/authorize"),
        token,
        &json!({"code": code}),
    )
    .await;
    id
}

async fn setup(api: &Api, pool: &sqlx::AnyPool, admin: &str, worker: u64, run: u64) -> Requester {
    let n = run * 100 + worker;
    let org = api
        .post(
            "/api/v1/admin/organizations",
            admin,
            &json!({"name": format!("Órgão de carga {n}"), "acronym": format!("CARGA{n}"), "cnpj": cnpj(n)}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let mut ids = Vec::new();
    for (k, roles) in [
        json!([{"role": "manager"}, {"role": "it_director"}]),
        json!([{"role": "technical_lead"}]),
    ]
    .into_iter()
    .enumerate()
    {
        let person = cpf(n * 2 + k as u64);
        let mobile = format!("(61) 9{:04}-{:04}", n % 10_000, 1000 + k);
        let id = api
            .post(
                "/api/v1/admin/users",
                admin,
                &json!({"cpf": person, "name": format!("Pessoa de carga {n}-{k}"),
                    "email": format!("carga{n}-{k}@orgao.gov.br"), "mobile": mobile,
                    "organization_id": org, "roles": roles, "password": PASSWORD}),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        ids.push((id, person));
    }
    let manager = api.token(&ids[0].1).await;
    let lead = api.token(&ids[1].1).await;
    Requester {
        manager_session: authorised_session(api, pool, &manager, &ids[0].1).await,
        lead_session: authorised_session(api, pool, &lead, &ids[1].1).await,
        manager_id: ids[0].0,
        lead_id: ids[1].0,
        manager,
        lead,
    }
}

type Timings = Arc<Mutex<Vec<Vec<Duration>>>>;

async fn timed<F: std::future::Future<Output = Value>>(
    timings: &Timings,
    step: usize,
    f: F,
) -> Value {
    let started = Instant::now();
    let out = f.await;
    timings.lock().await[step].push(started.elapsed());
    out
}

/// Runs `count` lifecycles for `who`, one after another; `volume` is what each of the two APIs
/// has granted so far (0: none, so the next request is an adhesion).
async fn lifecycles(
    api: Arc<Api>,
    who: Arc<Requester>,
    apis: Arc<Vec<(i64, String)>>,
    admin: Arc<String>,
    (count, mut volume): (usize, [u64; 2]),
    timings: Timings,
) -> [u64; 2] {
    for _ in 0..count {
        let k = usize::from(volume[0] > volume[1]);
        let (api_id, analyst) = &apis[k];
        let kind = if volume[k] == 0 {
            "adhesion"
        } else {
            "volume_change"
        };
        volume[k] += 1_000;
        let body = json!({"api_id": api_id, "type": kind, "it_director_id": who.manager_id,
            "technical_lead_id": who.lead_id, "requested_volume": volume[k], "purpose": {
            "legal_bases": ["public_policy"],
            "data_usage": "Validação de dados cadastrais dos beneficiários.",
            "public_policies": "Assistência estudantil (PNAES).",
            "legal_provision": "Decreto nº 7.234/2010.",
            "citizen_results": "O cidadão não precisa apresentar comprovantes.",
            "retention": "Cinco anos, conforme a tabela de temporalidade do CONARQ."}});
        let created = timed(
            &timings,
            0,
            api.post("/api/v1/requests", &who.manager, &body),
        )
        .await;
        let id = created["id"].as_i64().unwrap();
        let path = |action: &str| format!("/api/v1/requests/{id}/{action}");
        timed(
            &timings,
            1,
            api.post(&path("release"), &who.manager, &json!({})),
        )
        .await;
        timed(
            &timings,
            2,
            api.post(
                &path("sign"),
                &who.manager,
                &json!({"signing_session_id": who.manager_session}),
            ),
        )
        .await;
        timed(
            &timings,
            3,
            api.post(
                &path("sign"),
                &who.lead,
                &json!({"signing_session_id": who.lead_session}),
            ),
        )
        .await;
        timed(
            &timings,
            4,
            api.post(
                &path("approve"),
                analyst,
                &json!({"authorized_volume": volume[k]}),
            ),
        )
        .await;
        timed(&timings, 5, api.post(&path("grant"), &admin, &json!({}))).await;
    }
    volume
}

fn new_timings() -> Timings {
    Arc::new(Mutex::new(vec![Vec::new(); STEPS.len()]))
}

/// Runs each worker's share of `total` lifecycles at once; returns the workers' volumes.
async fn run_all(
    api: &Arc<Api>,
    people: &[Arc<Requester>],
    apis: &Arc<Vec<(i64, String)>>,
    admin: &Arc<String>,
    (total, volumes): (usize, Vec<[u64; 2]>),
    timings: &Timings,
) -> Vec<[u64; 2]> {
    let n = people.len();
    let mut tasks = Vec::new();
    for (w, (who, volume)) in people.iter().zip(volumes).enumerate() {
        let count = total / n + usize::from(w < total % n);
        tasks.push(tokio::spawn(lifecycles(
            api.clone(),
            who.clone(),
            apis.clone(),
            admin.clone(),
            (count, volume),
            timings.clone(),
        )));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("a worker panicked"));
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, database_url, total, concurrency] = &args[..] else {
        eprintln!("usage: lifecycle_bench BASE_URL DATABASE_URL LIFECYCLES CONCURRENCY");
        std::process::exit(2);
    };
    let total: usize = total.parse().expect("LIFECYCLES is a number");
    let concurrency: usize = concurrency.parse().expect("CONCURRENCY is a number");
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database_url)
        .await
        .expect("the database opens");
    let api = Arc::new(Api {
        base: base.clone(),
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .unwrap(),
    });
    // A run number keeps organizations, CPFs and CNPJs unique when the database is reused.
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        % 900_000;
    let admin = Arc::new(api.token(ADMIN).await);
    let catalogue = api.get("/api/v1/apis", &admin).await;
    let mut apis = Vec::new();
    for (name, analyst) in ANALYSTS {
        let id = catalogue
            .as_array()
            .or_else(|| catalogue["items"].as_array())
            .expect("the catalogue is a list")
            .iter()
            .find(|a| a["name"] == name)
            .and_then(|a| a["id"].as_i64())
            .expect("the demo API exists");
        apis.push((id, api.token(analyst).await));
    }
    let apis = Arc::new(apis);
    let mut people = Vec::new();
    for worker in 0..concurrency as u64 {
        people.push(Arc::new(setup(&api, &pool, &admin, worker, run).await));
    }
    // A warm-up lifecycle per worker, not measured: an official's first signature makes their
    // key and certificate (a second of CPU, once in their life), which would otherwise weigh
    // on the first lifecycles of the run.
    let warm = Instant::now();
    let volumes = vec![[0, 0]; concurrency];
    let volumes = run_all(
        &api,
        &people,
        &apis,
        &admin,
        (concurrency, volumes),
        &new_timings(),
    )
    .await;
    eprintln!(
        "warm-up: {concurrency} lifecycles, 2 × {concurrency} first signatures, in {:.1} s",
        warm.elapsed().as_secs_f64()
    );
    let timings = new_timings();
    let started = Instant::now();
    run_all(&api, &people, &apis, &admin, (total, volumes), &timings).await;
    let wall = started.elapsed().as_secs_f64();
    let mut timings = timings.lock().await;
    let mut steps = Vec::new();
    let mut requests = 0;
    for (name, times) in STEPS.iter().zip(timings.iter_mut()) {
        times.sort();
        requests += times.len();
        steps.push(
            json!({"name": name, "count": times.len(), "per_s": times.len() as f64 / wall,
            "p50_ms": percentile(times, 0.5), "p99_ms": percentile(times, 0.99)}),
        );
    }
    println!(
        "{}",
        json!({"lifecycles": total, "concurrency": concurrency, "seconds": wall,
            "requests_per_s": requests as f64 / wall, "lifecycles_per_s": total as f64 / wall,
            "steps": steps})
    );
}
