//! The PDF report: the list under its filters as a document to print or take to a meeting.
//! Its content is gathered here; `adesao_documents::report` lays it out.

use adesao_documents::report::{FilterUsed, RequestLine, RequestsReport};
use adesao_documents::typesetter::Job;
use adesao_domain::volume::format_thousands;
use adesao_store::accounts::Account;
use adesao_store::request_list::{self, ReportRow};
use jiff::Timestamp;

use super::{COLUMNS, Names};
use crate::ServiceError;
use crate::requests::{ListParams, RequestService, actor_of};

/// The most rows a PDF report holds. Typesetting takes about 0.4 s per thousand rows in a
/// release build (BENCHMARKS.md); above this the user is pointed to the CSV, which has no limit.
pub const ROW_LIMIT: i64 = 5_000;

/// `solicitacoes-2026-11-28.pdf`, dated in Brasília.
pub fn file_name(now: Timestamp) -> String {
    format!("solicitacoes-{}.pdf", crate::clock::local_date(now))
}

/// `28/11/2026 10:59:02`, in Brasília.
fn datetime(ts: Timestamp) -> String {
    ts.to_zoned_datetime(crate::clock::brasilia())
        .strftime("%d/%m/%Y %H:%M:%S")
        .to_string()
}

impl RequestService {
    /// The PDF report of `account`'s list under `params`, as [`Self::report_document`] gathers
    /// it; [`ServiceError::Busy`] when the typesetter stays busy.
    pub async fn report_pdf(
        &self,
        account: &Account,
        params: &ListParams,
        now: Timestamp,
    ) -> Result<Vec<u8>, ServiceError> {
        let document = self.report_document(account, params, now).await?;
        self.typeset(Job::RequestsReport(document)).await
    }

    /// What the PDF report of `account`'s list under `params` shows; a refusal that points to
    /// the CSV when the list holds more than [`ROW_LIMIT`] rows.
    pub async fn report_document(
        &self,
        account: &Account,
        params: &ListParams,
        now: Timestamp,
    ) -> Result<RequestsReport, ServiceError> {
        let actor = &actor_of(account);
        let scope = params.show.scope(actor);
        let matching = {
            let mut conn = self.db().acquire().await?;
            request_list::count(&mut conn, scope, &params.filter).await?
        };
        if matching > ROW_LIMIT {
            return Err(ServiceError::TooManyRows(format!(
                "A lista tem mais de {} solicitações, o máximo do Relatório PDF. Use os filtros \
                 para reduzi-la, ou baixe o Relatório CSV, que reúne todas.",
                format_thousands(ROW_LIMIT as u64)
            )));
        }
        let mut reader = self.report_rows(actor, params).await?;
        let names = reader.names();
        let mut rows = Vec::new();
        while let Some(batch) = reader.next_batch().await? {
            rows.extend(batch.iter().map(|r| line(&names, r)));
        }
        Ok(RequestsReport {
            title: "Relatório de solicitações".to_owned(),
            generated_by: format!(
                "{} ({})",
                account.user.name,
                super::organization(&account.organization.acronym, &account.organization.name)
            ),
            generated_at: datetime(now),
            filters: filters_used(&names, params),
            columns: COLUMNS.map(String::from).to_vec(),
            rows,
        })
    }
}

fn line(names: &Names, r: &ReportRow) -> RequestLine {
    RequestLine {
        number: r.number.to_string(),
        request_type: r.request_type.label().to_owned(),
        requester: names.organization(r.requester_id).to_owned(),
        api: names.api(r.api_id).to_owned(),
        provider: names.organization(r.provider_id).to_owned(),
        status: r.status.label().to_owned(),
        current_volume: format_thousands(r.current_volume),
        requested_volume: r.requested_volume.to_string(),
        authorized_volume: r
            .authorized_volume
            .map(|v| v.to_string())
            .unwrap_or_else(|| "—".to_owned()),
        last_event: datetime(r.last_event_at),
    }
}

/// The filters in force, as the list's page labels them.
fn filters_used(names: &Names, params: &ListParams) -> Vec<FilterUsed> {
    let f = &params.filter;
    let used = |label: &str, value: String| FilterUsed {
        label: label.to_owned(),
        value,
    };
    let mut out = vec![used("Mostrar", params.show.label().to_owned())];
    if let Some(n) = &f.number {
        out.push(used("Número", n.to_string()));
    }
    if let Some(t) = f.request_type {
        out.push(used("Tipo", t.label().to_owned()));
    }
    if let Some(s) = f.status {
        out.push(used("Situação", s.label().to_owned()));
    }
    if let Some(id) = f.requester_id {
        out.push(used("Órgão solicitante", names.organization(id).to_owned()));
    }
    if let Some(id) = f.provider_id {
        out.push(used("Órgão cedente", names.organization(id).to_owned()));
    }
    if let Some(id) = f.api_id {
        out.push(used("API", names.api(id).to_owned()));
    }
    out
}
