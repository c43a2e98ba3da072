//! The floor of the benchmarks (`bench/run`): the statements the application runs for a page —
//! the same `adesao_store` functions, so the same SQL on the same pool settings — behind a bare
//! axum router that answers JSON. No session or token, no authorization, no service rules, no
//! templates: what our stack (axum, sqlx, SQLite or PostgreSQL) cannot go below. Every figure
//! of the application is printed beside this one's.
//!
//! ```sh
//! adesao-bench-floor DATABASE_URL 127.0.0.1:18091
//! GET /requests?requester_id=1&status=provider_review&page=1   the list (count + page)
//! GET /requests/{id}                                           the detail's statements
//! GET /requests/{id}/history                                   the history's statements
//! ```

use std::net::SocketAddr;

use adesao_domain::RequestStatus;
use adesao_store::request_list::{self, Filter, Scope};
use adesao_store::{Db, DbOptions, apis, attachments, events, requests, signatures};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

const PER_PAGE: i64 = 20;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(addr)) = (args.next(), args.next()) else {
        eprintln!("usage: adesao-bench-floor DATABASE_URL ADDR");
        std::process::exit(2);
    };
    let addr: SocketAddr = addr.parse().expect("ADDR is IP:PORT");
    let db = Db::connect(&DbOptions::new(url))
        .await
        .expect("the database opens");
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/requests", get(list))
        .route("/requests/{id}", get(detail))
        .route("/requests/{id}/history", get(history))
        .with_state(db);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("the address is free");
    axum::serve(listener, app).await.expect("serves");
}

#[derive(Deserialize)]
struct ListQuery {
    /// The requester's own list (`Scope::Requester`), as its managers see it; else all.
    scope_requester: Option<i64>,
    requester_id: Option<i64>,
    status: Option<String>,
    page: Option<i64>,
}

struct Failed(String);

impl IntoResponse for Failed {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, self.0).into_response()
    }
}

impl<E: std::fmt::Display> From<E> for Failed {
    fn from(e: E) -> Self {
        Failed(e.to_string())
    }
}

async fn list(State(db): State<Db>, Query(q): Query<ListQuery>) -> Result<Json<Value>, Failed> {
    let scope = q.scope_requester.map_or(Scope::All, Scope::Requester);
    let filter = Filter {
        requester_id: q.requester_id,
        status: match q.status.as_deref() {
            Some(code) => Some(code.parse::<RequestStatus>()?),
            None => None,
        },
        ..Filter::default()
    };
    let page = q.page.unwrap_or(1).max(1);
    let mut conn = db.acquire().await?;
    let total = request_list::count(&mut conn, scope, &filter).await?;
    let rows =
        request_list::page(&mut conn, scope, &filter, (page - 1) * PER_PAGE, PER_PAGE).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "number": r.number.to_string(), "type": r.request_type.code(),
                "status": r.status.code(),
                "requester": {"id": r.requester_id, "name": r.requester_name, "acronym": r.requester_acronym},
                "api": {"id": r.api_id, "name": r.api_name},
                "provider": {"id": r.provider_id, "name": r.provider_name, "acronym": r.provider_acronym},
                "current_volume": r.current_volume, "requested_volume": r.requested_volume.get(),
                "authorized_volume": r.authorized_volume.map(|v| v.get()),
                "last_event_at": r.last_event_at.to_string(),
            })
        })
        .collect();
    Ok(Json(json!({
        "items": items, "total": total, "total_is_lower_bound": false,
        "page": page, "per_page": PER_PAGE,
    })))
}

fn event_json(e: &events::Event) -> Value {
    json!({
        "at": e.at.to_string(), "actor": {"id": e.actor_id, "name": e.actor_name},
        "action": e.action, "from": e.from_status.map(|s| s.code()),
        "to": e.to_status.map(|s| s.code()), "comment": e.comment,
    })
}

/// The statements of `RequestService::detail` (request, signatures, copies, origin, history,
/// attachments, the API's requirements) without its access check.
async fn detail(State(db): State<Db>, Path(id): Path<i64>) -> Result<Response, Failed> {
    let mut conn = db.acquire().await?;
    let Some(r) = requests::find(&mut conn, id).await? else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let signatures = signatures::valid_for(&mut conn, id).await?;
    let origin = match r.copied_from_id {
        Some(from) => requests::number_of(&mut conn, from).await?,
        None => None,
    };
    let copies = requests::copies_of(&mut conn, id).await?;
    let history = events::of_request(&mut conn, id).await?;
    let files = attachments::of_request(&mut conn, id).await?;
    let requirements = apis::requirements(&mut conn, r.api_id).await?;
    Ok(Json(json!({
        "id": r.id, "number": r.number.to_string(), "type": r.request_type.code(),
        "status": r.status.code(), "api": {"id": r.api_id, "name": r.api_name},
        "requester": {"id": r.requester.id, "name": r.requester.name, "acronym": r.requester.acronym},
        "provider": {"id": r.provider.id, "name": r.provider.name, "acronym": r.provider.acronym},
        "it_director": {"id": r.it_director.id, "name": r.it_director.name},
        "technical_lead": {"id": r.technical_lead.id, "name": r.technical_lead.name},
        "requested_volume": r.requested_volume.get(), "current_volume": r.current_volume,
        "authorized_volume": r.authorized_volume.map(|v| v.get()),
        "purpose": {"data_usage": r.purpose.data_usage, "public_policies": r.purpose.public_policies,
            "legal_provision": r.purpose.legal_provision, "citizen_results": r.purpose.citizen_results,
            "retention": r.purpose.retention},
        "created_at": r.created_at.to_string(), "last_event_at": r.last_event_at.to_string(),
        "origin": origin, "copies": copies,
        "signatures": signatures.iter().map(|s| json!({"role": s.role.code(), "signer": s.signer_name,
            "signed_at": s.signed_at.to_string()})).collect::<Vec<_>>(),
        "history": history.iter().map(event_json).collect::<Vec<_>>(),
        "attachments": files.iter().map(|a| json!({"id": a.id, "kind": a.kind.code(),
            "filename": a.filename, "size": a.size})).collect::<Vec<_>>(),
        "requirements": requirements.iter().map(|q| json!({"kind": q.kind.code(),
            "mandatory": q.mandatory})).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// The statements of `GET /api/v1/requests/{id}/history`: the request (whose scope decides who
/// may see it), its signatures (the facts of that decision) and its events.
async fn history(State(db): State<Db>, Path(id): Path<i64>) -> Result<Response, Failed> {
    let mut conn = db.acquire().await?;
    if requests::find(&mut conn, id).await?.is_none() {
        return Ok(StatusCode::NOT_FOUND.into_response());
    }
    signatures::valid_for(&mut conn, id).await?;
    let history = events::of_request(&mut conn, id).await?;
    Ok(Json(history.iter().map(event_json).collect::<Vec<_>>()).into_response())
}
