//! The list as files (seed 1.11, "Relatório CSV"): every row the user's list holds under the
//! same filters, read from the database a batch at a time, and the CSV that Brazilian
//! spreadsheets open as they are (UTF-8 with BOM, `;`, CRLF, RFC 4180 quoting).

use adesao_domain::access::Actor;
use adesao_store::Db;
use adesao_store::request_list::{self, Filter, ListRow, Scope};
use jiff::Timestamp;

use crate::ServiceError;
use crate::requests::{ListParams, RequestService};

/// Rows read per query while a report streams.
pub const BATCH: i64 = 2_000;

/// The rows of a report, a batch at a time, in the list's order (newest activity first).
pub struct ReportRows {
    db: Db,
    scope: Scope,
    filter: Filter,
    last: Option<ListRow>,
    done: bool,
}

impl RequestService {
    /// Every row `actor`'s list shows under `params` (its filters and "Mostrar"; the page is
    /// ignored), to be read with [`ReportRows::next_batch`].
    pub fn report_rows(&self, actor: &Actor, params: &ListParams) -> ReportRows {
        ReportRows {
            db: self.db().clone(),
            scope: params.show.scope(actor),
            filter: params.filter.clone(),
            last: None,
            done: false,
        }
    }
}

impl ReportRows {
    /// The next batch, or None after the last. Each batch is its own short read, so a long
    /// download holds no lock nor connection between batches; a request whose activity moves
    /// while it streams may then show twice or not at all, as in a list paged meanwhile.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<ListRow>>, ServiceError> {
        if self.done {
            return Ok(None);
        }
        let mut conn = self.db.acquire().await?;
        let rows = request_list::batch_after(
            &mut conn,
            self.scope,
            &self.filter,
            self.last.as_ref(),
            BATCH,
        )
        .await?;
        self.done = (rows.len() as i64) < BATCH;
        self.last = rows.last().cloned();
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(rows))
    }
}

/// An organization as the list shows it: `ACRONYM - Name` (the name alone when it already
/// starts so).
pub fn organization(acronym: &str, name: &str) -> String {
    if acronym.is_empty() || name.starts_with(&format!("{acronym} - ")) {
        name.to_owned()
    } else {
        format!("{acronym} - {name}")
    }
}

/// The CSV report.
pub mod csv {
    use super::*;

    pub const HEADER: [&str; 10] = [
        "Número",
        "Tipo",
        "Órgão solicitante",
        "API",
        "Órgão cedente",
        "Situação",
        "Volumetria atual",
        "Volumetria anual solicitada",
        "Volumetria autorizada",
        "Último andamento",
    ];

    /// `solicitacoes-2026-11-28.csv`, dated in Brasília.
    pub fn file_name(now: Timestamp) -> String {
        format!("solicitacoes-{}.csv", crate::clock::local_date(now))
    }

    fn writer() -> ::csv::Writer<Vec<u8>> {
        ::csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(::csv::Terminator::CRLF)
            .quote_style(::csv::QuoteStyle::Necessary)
            .from_writer(Vec::new())
    }

    fn finish(w: ::csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ServiceError> {
        w.into_inner()
            .map_err(|e| ServiceError::Internal(format!("csv: {e}")))
    }

    /// The byte-order mark (so Excel reads UTF-8) and the header row.
    pub fn head() -> Result<Vec<u8>, ServiceError> {
        let mut w = writer();
        w.write_record(HEADER)
            .map_err(|e| ServiceError::Internal(format!("csv: {e}")))?;
        let mut out = "\u{feff}".as_bytes().to_vec();
        out.extend(finish(w)?);
        Ok(out)
    }

    /// The rows, as lines of the file.
    pub fn rows(rows: &[ListRow]) -> Result<Vec<u8>, ServiceError> {
        let zone = crate::clock::brasilia();
        let mut w = writer();
        for r in rows {
            let t = r.last_event_at.to_zoned_datetime(zone.clone());
            let when = format!(
                "{:02}/{:02}/{:04} {:02}:{:02}:{:02}",
                t.day(),
                t.month(),
                t.year(),
                t.hour(),
                t.minute(),
                t.second()
            );
            let record = [
                r.number.to_string(),
                r.request_type.label().to_owned(),
                cell(&organization(&r.requester_acronym, &r.requester_name)),
                cell(&r.api_name),
                cell(&organization(&r.provider_acronym, &r.provider_name)),
                r.status.label().to_owned(),
                // Plain integers, so the spreadsheet keeps them numbers.
                r.current_volume.to_string(),
                r.requested_volume.get().to_string(),
                r.authorized_volume
                    .map(|v| v.get().to_string())
                    .unwrap_or_default(),
                when,
            ];
            w.write_record(&record)
                .map_err(|e| ServiceError::Internal(format!("csv: {e}")))?;
        }
        finish(w)
    }

    /// A text a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
    /// carriage return) is prefixed with `'`, as OWASP recommends against CSV injection; the
    /// cell then shows the text as typed.
    pub fn cell(text: &str) -> String {
        if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{text}")
        } else {
            text.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_plain_text_kept() {
        assert_eq!(
            csv::cell("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        for bad in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv::cell(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(csv::cell("UFV - Viçosa"), "UFV - Viçosa");
    }

    #[test]
    fn organizations_read_as_in_the_list() {
        assert_eq!(
            organization("UFV", "UFV - Universidade Federal de Viçosa"),
            "UFV - Universidade Federal de Viçosa"
        );
        assert_eq!(
            organization("INSS", "Instituto Nacional do Seguro Social"),
            "INSS - Instituto Nacional do Seguro Social"
        );
    }

    #[test]
    fn the_head_has_the_bom_and_the_columns() {
        let head = String::from_utf8(csv::head().unwrap()).unwrap();
        assert!(head.starts_with('\u{feff}'));
        assert!(head.ends_with("Último andamento\r\n"));
        assert_eq!(head.matches(';').count(), 9);
    }
}
