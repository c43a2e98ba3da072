//! The list as a CSV download, shared by the page's "Relatório CSV" button and
//! `GET /api/v1/reports/requests.csv`: streamed a batch at a time, so the first bytes leave at
//! once and memory stays flat whatever the number of rows.

use adesao_domain::access::Actor;
use adesao_services::reports::{self, ReportRows};
use adesao_services::requests::ListParams;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// The download of every row `actor`'s list holds under `params`.
pub fn csv(state: &AppState, actor: &Actor, params: &ListParams) -> Response {
    let rows = state.requests.report_rows(actor, params);
    let name = reports::csv::file_name(jiff::Timestamp::now());
    let body = Body::from_stream(futures_util::stream::unfold(
        Some((rows, true)),
        |state| async move {
            let (mut rows, first): (ReportRows, bool) = state?;
            if first {
                return match reports::csv::head() {
                    Ok(head) => Some((Ok(Bytes::from(head)), Some((rows, false)))),
                    Err(e) => Some((Err(failed(e)), None)),
                };
            }
            match rows.next_batch().await {
                Ok(None) => None,
                Ok(Some(batch)) => match reports::csv::rows(&batch) {
                    Ok(bytes) => Some((Ok(Bytes::from(bytes)), Some((rows, false)))),
                    Err(e) => Some((Err(failed(e)), None)),
                },
                // The status line has left: ending the body early is all that is left to do,
                // and the client sees an incomplete download rather than a short file.
                Err(e) => Some((Err(failed(e)), None)),
            }
        },
    ));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

fn failed(e: adesao_services::ServiceError) -> std::io::Error {
    tracing::error!(error = %e, "CSV report stopped");
    std::io::Error::other("report failed")
}
