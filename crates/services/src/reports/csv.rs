//! The CSV report: what Brazilian spreadsheets open as it is (UTF-8 with BOM, `;`, CRLF,
//! RFC 4180 quoting, formulas neutralised).

use adesao_store::request_list::ReportRow;
use jiff::Timestamp;

use super::{COLUMNS, Names};
use crate::ServiceError;

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
    w.write_record(COLUMNS)
        .map_err(|e| ServiceError::Internal(format!("csv: {e}")))?;
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(finish(w)?);
    Ok(out)
}

/// The rows, as lines of the file.
pub fn rows(names: &Names, rows: &[ReportRow]) -> Result<Vec<u8>, ServiceError> {
    use std::fmt::Write;
    let zone = crate::clock::brasilia();
    let mut w = writer();
    // One buffer per kind of cell, reused: a million-row report formats ten million cells.
    let [
        mut number,
        mut when,
        mut current,
        mut requested,
        mut authorized,
    ] = std::array::from_fn(|_| String::new());
    let fail = |e: ::csv::Error| ServiceError::Internal(format!("csv: {e}"));
    for r in rows {
        let t = r.last_event_at.to_zoned_datetime(zone.clone());
        for buffer in [
            &mut number,
            &mut when,
            &mut current,
            &mut requested,
            &mut authorized,
        ] {
            buffer.clear();
        }
        let _ = write!(number, "{}", r.number);
        let _ = write!(
            when,
            "{:02}/{:02}/{:04} {:02}:{:02}:{:02}",
            t.day(),
            t.month(),
            t.year(),
            t.hour(),
            t.minute(),
            t.second()
        );
        // Plain integers, so the spreadsheet keeps them numbers.
        let _ = write!(current, "{}", r.current_volume);
        let _ = write!(requested, "{}", r.requested_volume.get());
        if let Some(v) = r.authorized_volume {
            let _ = write!(authorized, "{}", v.get());
        }
        w.write_field(&number).map_err(fail)?;
        w.write_field(r.request_type.label()).map_err(fail)?;
        w.write_field(&*cell(names.organization(r.requester_id)))
            .map_err(fail)?;
        w.write_field(&*cell(names.api(r.api_id))).map_err(fail)?;
        w.write_field(&*cell(names.organization(r.provider_id)))
            .map_err(fail)?;
        w.write_field(r.status.label()).map_err(fail)?;
        w.write_field(&current).map_err(fail)?;
        w.write_field(&requested).map_err(fail)?;
        w.write_field(&authorized).map_err(fail)?;
        w.write_field(&when).map_err(fail)?;
        w.write_record(None::<&[u8]>).map_err(fail)?;
    }
    finish(w)
}

/// A text a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) is prefixed with `'`, as OWASP recommends against CSV injection; the
/// cell then shows the text as typed.
pub fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}
