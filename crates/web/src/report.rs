//! The list as files, shared by the page's "Relatório CSV" and "Relatório PDF" buttons and
//! `GET /api/v1/reports/requests.{csv,pdf}`. The CSV streams a batch at a time, so the first
//! bytes leave at once and memory stays flat whatever the number of rows; the PDF is typeset off
//! the async runtime, a few at a time.

use adesao_domain::access::Actor;
use adesao_services::ServiceError;
use adesao_services::reports::{self, ReportRows};
use adesao_services::requests::ListParams;
use std::sync::Arc;

use adesao_store::accounts::Account;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// Batches read ahead of the one being written: the database is read on one core while the
/// previous batch is encoded and sent on the other.
const READ_AHEAD: usize = 2;

/// The download of every row `actor`'s list holds under `params`.
pub async fn csv(
    state: &AppState,
    actor: &Actor,
    params: &ListParams,
) -> Result<Response, ServiceError> {
    let mut rows: ReportRows = state.requests.report_rows(actor, params).await?;
    let names = rows.names();
    let name = reports::csv::file_name(jiff::Timestamp::now());
    let (tx, rx) = tokio::sync::mpsc::channel(READ_AHEAD);
    // Ends when the rows do, or when the client goes away (the body, and with it `rx`, is
    // dropped, so the next send fails).
    tokio::spawn(async move {
        loop {
            let batch = rows.next_batch().await;
            let last = !matches!(batch, Ok(Some(_)));
            if tx.send(batch).await.is_err() || last {
                break;
            }
        }
    });
    let head = futures_util::stream::once(async { reports::csv::head().map(Bytes::from) });
    let body = futures_util::stream::unfold(rx, move |mut rx| {
        let names = Arc::clone(&names);
        async move {
            let bytes = match rx.recv().await? {
                Ok(None) => return None,
                Ok(Some(batch)) => reports::csv::rows(&names, &batch).map(Bytes::from),
                Err(e) => Err(e),
            };
            Some((bytes, rx))
        }
    });
    let stream = futures_util::StreamExt::map(futures_util::StreamExt::chain(head, body), |r| {
        // The status line has left: ending the body early is all that is left to do, and the
        // client sees an incomplete download rather than a short file.
        r.map_err(failed)
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The PDF report of every row `account`'s list holds under `params` (up to the PDF's limit).
pub async fn pdf(
    state: &AppState,
    account: &Account,
    params: &ListParams,
) -> Result<Response, ServiceError> {
    let now = jiff::Timestamp::now();
    let bytes = state.requests.report_pdf(account, params, now).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", reports::pdf::file_name(now)),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// The DSI of request `number` as a PDF answer, for the browser's viewer
/// (`dsi-000002-2026.pdf` when saved).
pub fn dsi_pdf(number: adesao_domain::RequestNumber, pdf: Vec<u8>) -> Response {
    let name = format!("dsi-{}.pdf", number.to_string().replace('/', "-"));
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        pdf,
    )
        .into_response()
}

fn failed(e: ServiceError) -> std::io::Error {
    tracing::error!(error = %e, "CSV report stopped");
    std::io::Error::other("report failed")
}
