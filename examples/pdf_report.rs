//! Measures the typesetting of the PDF report (issue 12) at 100, 1,000 and 5,000 rows (the limit),
//! and the peak memory of the process while it does.
//!
//!     cargo run --release --example pdf_report [-- ROWS...]
//!
//! Each size is typeset three times from rows like the generated load's (long organization
//! names, every status), and the median is printed with the pages and the size of the file.
//! With PDF_REPORT_OUT=PREFIX each PDF is also written to PREFIX-ROWS.pdf.
//! This is the part of `GET /api/v1/reports/requests.pdf` that grows with the rows: reading
//! 5,000 rows from the database takes a few milliseconds.

use std::time::Instant;

use adesao_documents::report::{FilterUsed, RequestLine, RequestsReport, requests_pdf};
use adesao_domain::RequestStatus;

fn report(rows: usize) -> RequestsReport {
    let providers = [
        "INSS - Instituto Nacional do Seguro Social",
        "MGI - Ministério da Gestão e da Inovação em Serviços Públicos",
        "MDS - Ministério do Desenvolvimento e Assistência Social, Família e Combate à Fome",
    ];
    let apis = ["API BPC", "API CONSULTA SIAPE", "API CADUNICO SERVICOS"];
    RequestsReport {
        title: "Relatório de solicitações".into(),
        generated_by:
            "Equipe Conecta (MGI - Ministério da Gestão e da Inovação em Serviços Públicos)".into(),
        generated_at: "28/11/2026 10:59:02".into(),
        filters: vec![FilterUsed {
            label: "Mostrar".into(),
            value: "Todas".into(),
        }],
        columns: adesao_services::reports::COLUMNS.map(String::from).to_vec(),
        rows: (0..rows)
            .map(|i| {
                let status = RequestStatus::ALL[i % RequestStatus::ALL.len()];
                RequestLine {
                    number: format!("{:06}/2026", i + 1),
                    request_type: if i % 5 == 0 {
                        "Alteração de Volumetria"
                    } else {
                        "Adesão"
                    }
                    .into(),
                    requester: format!(
                        "ORG{} - Órgão de teste {} da Administração Pública Federal",
                        i % 50,
                        i % 50
                    ),
                    api: apis[i % 3].into(),
                    provider: providers[i % 3].into(),
                    status: status.label().into(),
                    current_volume: "0".into(),
                    requested_volume: adesao_domain::volume::format_thousands(
                        1_000 + (i as u64 * 7_919) % 10_000_000,
                    ),
                    authorized_volume: "—".into(),
                    last_event: "28/11/2026 10:59:02".into(),
                }
            })
            .collect(),
    }
}

/// A figure of /proc/self/status in MB: `VmHWM` (peak resident) or `VmRSS` (resident now).
fn status_mb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let sizes = if sizes.is_empty() {
        vec![
            100,
            1_000,
            adesao_services::reports::pdf::ROW_LIMIT as usize,
        ]
    } else {
        sizes
    };
    // The first document pays for parsing the fonts and the standard library once.
    let warm = Instant::now();
    requests_pdf(&report(1))?;
    println!(
        "first document (fonts, library): {:.0} ms",
        warm.elapsed().as_secs_f64() * 1e3
    );
    println!("| rows | median of 3 | pages | KiB | peak RSS of the process | RSS after |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for rows in sizes {
        let data = report(rows);
        let mut times = Vec::new();
        let mut pdf = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            pdf = requests_pdf(&data)?;
            times.push(start.elapsed());
        }
        times.sort();
        if let Ok(path) = std::env::var("PDF_REPORT_OUT") {
            std::fs::write(format!("{path}-{rows}.pdf"), &pdf)?;
        }
        let pages = lopdf::Document::load_mem(&pdf)
            .map(|d| d.get_pages().len())
            .unwrap_or(0);
        println!(
            "| {rows} | {:.2} s | {pages} | {} | {} MB | {} MB |",
            times[1].as_secs_f64(),
            pdf.len() / 1024,
            status_mb("VmHWM:"),
            status_mb("VmRSS:")
        );
    }
    Ok(())
}
