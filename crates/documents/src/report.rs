//! "Relatório PDF" (seed 1.11): the list of requests as an A4 landscape document, its header
//! row repeated on every page, "Página N de M" at the foot. The texts arrive formatted (dates,
//! volumes, labels in pt-BR): this module only lays them out.

use serde::{Deserialize, Serialize};

use crate::typeset::{self, Template, TypesetError};

const TEMPLATE: Template = Template {
    name: "requests-report",
    markup: include_str!("../templates/requests-report.typ"),
};

/// The columns of the reports (the CSV's too), as SPEC §9 names them.
pub const COLUMNS: [&str; 10] = [
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

/// What the report shows above and in its table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestsReport {
    pub title: String,
    /// Who asked for it, e.g. "Maria Souza (UFV - Universidade Federal de Viçosa)".
    pub generated_by: String,
    /// When, as `dd/mm/aaaa hh:mm:ss` in Brasília.
    pub generated_at: String,
    /// The list's filters in force, by their labels on the page.
    pub filters: Vec<FilterUsed>,
    pub columns: Vec<String>,
    pub rows: Vec<RequestLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FilterUsed {
    pub label: String,
    pub value: String,
}

/// One request, one line of the table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestLine {
    pub number: String,
    pub request_type: String,
    pub requester: String,
    pub api: String,
    pub provider: String,
    pub status: String,
    pub current_volume: String,
    pub requested_volume: String,
    pub authorized_volume: String,
    pub last_event: String,
}

#[derive(Serialize)]
struct Data<'a> {
    #[serde(flatten)]
    report: &'a RequestsReport,
    count: String,
}

/// The PDF. CPU-bound (about half a second per thousand rows) and memory-hungry (about 160 KB
/// a row while it runs): the server calls it through [`crate::typesetter::Typesetter`].
pub fn requests_pdf(report: &RequestsReport) -> Result<Vec<u8>, TypesetError> {
    let count = report.rows.len();
    let data = Data {
        report,
        count: format!(
            "{count} {}",
            if count == 1 {
                "solicitação"
            } else {
                "solicitações"
            }
        ),
    };
    typeset::render(TEMPLATE, &data)
}

/// A one-line report, to try a typesetter with.
pub fn sample() -> RequestsReport {
    RequestsReport {
        title: "Relatório de solicitações".into(),
        generated_by: "Adesão".into(),
        generated_at: "01/01/2026 00:00:00".into(),
        filters: Vec::new(),
        columns: vec!["Número".into()],
        rows: vec![RequestLine {
            number: "000001/2026".into(),
            request_type: "Adesão".into(),
            requester: "Órgão".into(),
            api: "API".into(),
            provider: "Órgão".into(),
            status: "Em elaboração".into(),
            current_volume: "0".into(),
            requested_volume: "1.000".into(),
            authorized_volume: "—".into(),
            last_event: "01/01/2026 00:00:00".into(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: usize, requester: &str) -> RequestLine {
        RequestLine {
            number: format!("{n:06}/2026"),
            request_type: "Adesão".into(),
            requester: requester.into(),
            api: "API CONSULTA SIAPE".into(),
            provider: "MGI - Ministério da Gestão e da Inovação em Serviços Públicos".into(),
            status: "Em análise pelo órgão cedente".into(),
            current_volume: "0".into(),
            requested_volume: "1.200.000".into(),
            authorized_volume: String::new(),
            last_event: "28/11/2026 10:59:02".into(),
        }
    }

    fn report(rows: Vec<RequestLine>) -> RequestsReport {
        RequestsReport {
            title: "Relatório de solicitações".into(),
            generated_by: "Gestor Prata (UFV - Universidade Federal de Viçosa)".into(),
            generated_at: "28/11/2026 10:59:02".into(),
            filters: vec![FilterUsed {
                label: "Situação".into(),
                value: "Em análise pelo órgão cedente".into(),
            }],
            columns: COLUMNS.map(String::from).to_vec(),
            rows,
        }
    }

    #[test]
    fn a_report_is_a_pdf_of_several_pages() {
        let rows = (1..=120)
            .map(|n| line(n, "UFV - Universidade Federal de Viçosa"))
            .collect();
        let pdf = requests_pdf(&report(rows)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        assert!(doc.get_pages().len() >= 3, "{}", doc.get_pages().len());
    }

    #[test]
    fn an_empty_list_is_a_one_page_report() {
        let pdf = requests_pdf(&report(Vec::new())).unwrap();
        assert_eq!(
            lopdf::Document::load_mem(&pdf).unwrap().get_pages().len(),
            1
        );
    }

    #[test]
    fn markup_in_the_data_is_text() {
        // Typst markup and code in a name must come out as typed, never run.
        let rows = vec![line(1, "#panic(\"x\") *negrito* $x^2$ = [ ] \\ <l> @ref")];
        requests_pdf(&report(rows)).unwrap();
    }
}
