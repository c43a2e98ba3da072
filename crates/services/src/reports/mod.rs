//! The list as files (seed 1.11, "Relatório CSV" and "Relatório PDF"): every row the user's list
//! holds under the same filters, read from the database a batch at a time.

use std::collections::HashMap;
use std::sync::Arc;

use adesao_domain::access::Actor;
use adesao_store::request_list::{self, Filter, ReportRow, Scope};
use adesao_store::{Db, apis, organizations};

use crate::ServiceError;
use crate::requests::{ListParams, RequestService};

pub mod csv;
pub mod pdf;

/// The columns of both reports, as SPEC §9 names them.
pub use adesao_documents::report::COLUMNS;

/// Rows read per query while a report streams.
pub const BATCH: i64 = 5_000;

/// The names a report's rows refer to by id, read once per report.
#[derive(Debug, Default)]
pub struct Names {
    organizations: HashMap<i64, String>,
    apis: HashMap<i64, String>,
}

impl Names {
    /// `ACRONYM - Name`, as the list shows it.
    pub fn organization(&self, id: i64) -> &str {
        self.organizations.get(&id).map_or("", String::as_str)
    }

    pub fn api(&self, id: i64) -> &str {
        self.apis.get(&id).map_or("", String::as_str)
    }
}

/// The rows of a report, a batch at a time, in the list's order (newest activity first).
pub struct ReportRows {
    db: Db,
    scope: Scope,
    filter: Filter,
    names: Arc<Names>,
    last: Option<ReportRow>,
    done: bool,
}

impl RequestService {
    /// Every row `actor`'s list shows under `params` (its filters and "Mostrar"; the page is
    /// ignored), to be read with [`ReportRows::next_batch`].
    pub async fn report_rows(
        &self,
        actor: &Actor,
        params: &ListParams,
    ) -> Result<ReportRows, ServiceError> {
        let mut conn = self.db().acquire().await?;
        let names = Names {
            organizations: organizations::names(&mut conn)
                .await?
                .into_iter()
                .map(|(id, acronym, name)| (id, organization(&acronym, &name)))
                .collect(),
            apis: apis::names(&mut conn).await?.into_iter().collect(),
        };
        Ok(ReportRows {
            db: self.db().clone(),
            scope: params.show.scope(actor),
            filter: params.filter.clone(),
            names: Arc::new(names),
            last: None,
            done: false,
        })
    }
}

impl ReportRows {
    /// The names the rows refer to.
    pub fn names(&self) -> Arc<Names> {
        Arc::clone(&self.names)
    }

    /// The next batch, or None after the last. Each batch is its own short read, so a long
    /// download holds no lock nor connection between batches; a request whose activity moves
    /// while it streams may then show twice or not at all, as in a list paged meanwhile.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<ReportRow>>, ServiceError> {
        if self.done {
            return Ok(None);
        }
        let mut conn = self.db.acquire().await?;
        let rows = request_list::report_batch(
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
