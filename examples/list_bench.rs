//! Measures the request list (SPEC §9, issue 3) on a generated database.
//!
//!     cargo run --release --example list_bench -- [REQUESTS] [DATABASE_URL]
//!
//! REQUESTS defaults to 100000; DATABASE_URL to a fresh SQLite file in the temp folder (a
//! `postgres://` URL must name an empty database). The requests are spread over 50 requester
//! organizations, the three demo APIs (so three providers), every status and two years of
//! activity, with a fixed pseudo-random sequence so runs are comparable. Each scenario runs the
//! list exactly as the UI and the API do (`RequestService::list`: capped count + one page) and
//! prints the median and 95th percentile.

use std::time::{Duration, Instant};

use adesao_domain::access::Actor;
use adesao_domain::{RequestStatus, Role};
use adesao_services::requests::{AttachmentPolicy, ListParams, RequestService, Show};
use adesao_store::request_list::Filter;
use adesao_store::{Db, DbOptions};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let total: usize = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let path = std::env::temp_dir().join(format!("adesao-bench-{}.db", std::process::id()));
    let url = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| format!("sqlite://{}", path.display()));
    let db = Db::connect(&DbOptions::new(&url)).await?;
    adesao_services::demo::load_if_empty(&db).await?;

    let started = Instant::now();
    adesao_store::load::generate(&db, total).await?;
    println!(
        "generated {total} requests in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        db.backend_name()
    );
    db.analyze().await?;

    // Lists only: the PDF checker of uploads is never called here.
    let checker = adesao_documents::sandbox::PdfChecker::current_exe()?;
    let service = RequestService::new(db.clone(), AttachmentPolicy::new(checker, 10 << 20));
    let ufv = Actor {
        user_id: 1,
        organization_id: 1,
        roles: vec![Role::Manager, Role::ItDirector],
    };
    let inss = Actor {
        user_id: 4,
        organization_id: 2,
        roles: vec![Role::ProviderAnalyst],
    };
    let admin = Actor {
        user_id: 7,
        organization_id: 5,
        roles: vec![Role::ProgramAdmin],
    };
    let some_number: String = sqlx::query_scalar("SELECT number FROM requests WHERE id = 4242")
        .fetch_one(db.pool())
        .await?;

    println!(
        "\n{:<58} {:>10} {:>10} {:>8}",
        "scenario (20 per page)", "median ms", "p95 ms", "total"
    );
    let by_status = Filter {
        status: Some(RequestStatus::ProviderReview),
        ..Filter::default()
    };
    let by_number = Filter {
        number: Some(adesao_domain::RequestNumber::parse(&some_number)?),
        ..Filter::default()
    };
    let by_api_status = Filter {
        api_id: Some(2),
        status: Some(RequestStatus::Granted),
        ..Filter::default()
    };
    let scenarios: Vec<(&str, &Actor, Show, Filter, i64)> = vec![
        (
            "requester UFV, no filter, page 1",
            &ufv,
            Show::OwnOrganization,
            Filter::default(),
            1,
        ),
        (
            "requester UFV, status = provider_review",
            &ufv,
            Show::OwnOrganization,
            by_status.clone(),
            1,
        ),
        (
            "provider INSS (its APIs), page 1",
            &inss,
            Show::OwnApis,
            Filter::default(),
            1,
        ),
        (
            "provider INSS, status = provider_review",
            &inss,
            Show::OwnApis,
            by_status.clone(),
            1,
        ),
        (
            "program admin, all, page 1",
            &admin,
            Show::All,
            Filter::default(),
            1,
        ),
        (
            "program admin, all, page 50",
            &admin,
            Show::All,
            Filter::default(),
            50,
        ),
        (
            "program admin, status = provider_review",
            &admin,
            Show::All,
            by_status,
            1,
        ),
        (
            "program admin, API 2 + status = granted",
            &admin,
            Show::All,
            by_api_status,
            1,
        ),
        ("program admin, by number", &admin, Show::All, by_number, 1),
    ];
    for (name, actor, show, filter, page) in scenarios {
        let mut times = Vec::new();
        let mut count = 0;
        for _ in 0..30 {
            let t = Instant::now();
            let params = ListParams {
                show,
                filter: filter.clone(),
                page,
                per_page: 20,
                past_the_end_shows_last: true,
            };
            let result = service.list(actor, &params).await?;
            times.push(t.elapsed());
            count = result.total;
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let total = count.to_string();
        println!(
            "{name:<58} {:>10.2} {:>10.2} {:>8}",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 95 / 100]),
            total
        );
    }
    db.close().await;
    if args.get(2).is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    Ok(())
}
