//! The list of requests (seed 1.1/1.11): scoped, filtered, newest first, one page at a time.
//!
//! Built for a million rows: the filters match the indexes of the `requests` table, the page is
//! chosen on `requests` alone (`id`s only) and joined to names afterwards, and the total is read
//! from the kept counts, so no page costs a scan of the whole table.

use adesao_domain::{RequestNumber, RequestStatus, RequestType, Volume};
use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{StoreError, StoreResult, requests, time};

/// Which requests a user may list (SPEC §3 and the "Mostrar" filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Requests filed by this organization.
    Requester(i64),
    /// Requests for this organization's APIs, from provider review on.
    Provider(i64),
    /// Everything (program admins).
    All,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub number: Option<RequestNumber>,
    pub request_type: Option<RequestType>,
    pub status: Option<RequestStatus>,
    pub requester_id: Option<i64>,
    pub provider_id: Option<i64>,
    pub api_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub id: i64,
    pub number: RequestNumber,
    pub request_type: RequestType,
    pub status: RequestStatus,
    pub requester_id: i64,
    pub requester_name: String,
    pub requester_acronym: String,
    pub api_id: i64,
    pub api_name: String,
    pub provider_id: i64,
    pub provider_name: String,
    pub provider_acronym: String,
    pub current_volume: u64,
    pub requested_volume: Volume,
    pub authorized_volume: Option<Volume>,
    pub last_event_at: Timestamp,
}

enum Arg {
    Int(i64),
    Text(String),
}

/// Conditions joined with AND, and their arguments numbered from `$1`.
#[derive(Default)]
struct Where {
    conditions: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    /// Adds a condition whose single `?` stands for `arg`.
    fn arg(&mut self, sql: &str, arg: Arg) {
        self.args.push(arg);
        self.conditions
            .push(sql.replace('?', &format!("${}", self.args.len())));
    }
}

/// The WHERE clause and its arguments, numbered from `$1`.
fn where_clause(scope: Scope, filter: &Filter) -> (String, Vec<Arg>) {
    let mut w = Where::default();
    match scope {
        Scope::Requester(org) => w.arg("r.requester_id = ?", Arg::Int(org)),
        Scope::Provider(org) => {
            w.arg("r.provider_id = ?", Arg::Int(org));
            w.conditions
                .push(format!("r.status IN ({})", visible_to_provider()));
        }
        Scope::All => {}
    }
    if let Some(n) = &filter.number {
        w.arg("r.number = ?", Arg::Text(n.to_string()));
    }
    if let Some(t) = filter.request_type {
        w.arg("r.request_type = ?", Arg::Text(t.code().to_owned()));
    }
    if let Some(s) = filter.status {
        w.arg("r.status = ?", Arg::Text(s.code().to_owned()));
    }
    if let Some(id) = filter.requester_id {
        w.arg("r.requester_id = ?", Arg::Int(id));
    }
    if let Some(id) = filter.provider_id {
        w.arg("r.provider_id = ?", Arg::Int(id));
    }
    if let Some(id) = filter.api_id {
        w.arg("r.api_id = ?", Arg::Int(id));
    }
    let clause = if w.conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", w.conditions.join(" AND "))
    };
    (clause, w.args)
}

fn visible_to_provider() -> String {
    RequestStatus::ALL
        .iter()
        .filter(|s| s.visible_to_provider())
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for arg in args {
        q = match arg {
            Arg::Int(i) => q.bind(i),
            Arg::Text(t) => q.bind(t),
        };
    }
    q
}

/// One page, newest activity first.
pub async fn page(
    conn: &mut AnyConnection,
    scope: Scope,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<ListRow>> {
    select(conn, scope, filter, offset, limit).await
}

/// A row of the reports: the request's own columns only. The names come from the organization
/// and API tables, which a report reads once ([`crate::organizations::names`],
/// [`crate::apis::names`]): joining them here would move the same few strings through the
/// driver a million times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub id: i64,
    pub number: RequestNumber,
    pub request_type: RequestType,
    pub status: RequestStatus,
    pub requester_id: i64,
    pub api_id: i64,
    pub provider_id: i64,
    pub current_volume: u64,
    pub requested_volume: Volume,
    pub authorized_volume: Option<Volume>,
    pub last_event_at: Timestamp,
}

/// Up to `limit` rows in the list's order that come after `after` (from the first when None):
/// the reports read every matching row this way, a batch at a time, each batch an index range
/// however deep into the list it is (an OFFSET would rescan what came before).
pub async fn report_batch(
    conn: &mut AnyConnection,
    scope: Scope,
    filter: &Filter,
    after: Option<&ReportRow>,
    limit: i64,
) -> StoreResult<Vec<ReportRow>> {
    let (mut clause, mut args) = where_clause(scope, filter);
    if let Some(last) = after {
        let n = args.len();
        let keyset = format!("(r.last_event_at, r.id) < (${}, ${})", n + 1, n + 2);
        clause = if clause.is_empty() {
            format!("WHERE {keyset}")
        } else {
            format!("{clause} AND {keyset}")
        };
        args.push(Arg::Text(time::to_db(last.last_event_at)));
        args.push(Arg::Int(last.id));
    }
    // The batch comes back as one text, a line per request: through sqlx, every row costs an
    // allocation per column and a hand-off between the database's thread and ours, which made
    // the export four times slower than SQLite itself. No column here holds user text (ids,
    // codes, numbers, a timestamp), so ',' and '\n' cannot occur inside a field.
    let n = args.len();
    let sql = format!(
        "SELECT string_agg(CAST(r.id AS TEXT) || ',' || r.number || ',' || r.request_type || ',' \
         || r.status || ',' || CAST(r.requester_id AS TEXT) || ',' || CAST(r.api_id AS TEXT) \
         || ',' || CAST(r.provider_id AS TEXT) || ',' || CAST(r.current_volume AS TEXT) || ',' \
         || CAST(r.requested_volume AS TEXT) || ',' || COALESCE(CAST(r.authorized_volume AS TEXT), '') \
         || ',' || r.last_event_at, ${} ORDER BY r.last_event_at DESC, r.id DESC) \
         FROM (SELECT {REPORT_COLUMNS} FROM requests r {clause} \
         ORDER BY r.last_event_at DESC, r.id DESC LIMIT ${}) r",
        n + 1,
        n + 2
    );
    args.push(Arg::Text("\n".to_owned()));
    args.push(Arg::Int(limit));
    let row = bind_all(sqlx::query(&sql), args).fetch_one(conn).await?;
    let packed: Option<&str> = row.try_get(0)?;
    packed
        .unwrap_or_default()
        .lines()
        .map(parse_report_line)
        .collect()
}

/// What a report reads of each request: all in the index `requests_report` (migration 0011), so
/// an unfiltered batch never reads the table.
const REPORT_COLUMNS: &str = "r.id, r.number, r.request_type, r.status, r.requester_id, r.api_id, \
     r.provider_id, r.current_volume, r.requested_volume, r.authorized_volume, r.last_event_at";

/// One line of [`report_batch`]'s packed batch.
fn parse_report_line(line: &str) -> StoreResult<ReportRow> {
    let corrupt = |column: &'static str| StoreError::corrupt(column, line);
    let mut fields = line.split(',');
    let mut next = |column: &'static str| fields.next().ok_or_else(|| corrupt(column));
    let int = |text: &str, column: &'static str| -> StoreResult<i64> {
        text.parse().map_err(|_| corrupt(column))
    };
    let count = |text: &str, column: &'static str| -> StoreResult<u64> {
        text.parse().map_err(|_| corrupt(column))
    };
    let volume = |text: &str, column: &'static str| -> StoreResult<Volume> {
        Volume::new(count(text, column)?).map_err(|_| corrupt(column))
    };
    let id = int(next("requests.id")?, "requests.id")?;
    let number = RequestNumber::parse(next("requests.number")?)
        .map_err(|e| StoreError::corrupt("requests.number", e))?;
    let request_type = next("requests.request_type")?
        .parse()
        .map_err(|e| StoreError::corrupt("requests.request_type", e))?;
    let status = next("requests.status")?
        .parse()
        .map_err(|e| StoreError::corrupt("requests.status", e))?;
    let requester_id = int(next("requests.requester_id")?, "requests.requester_id")?;
    let api_id = int(next("requests.api_id")?, "requests.api_id")?;
    let provider_id = int(next("requests.provider_id")?, "requests.provider_id")?;
    let current_volume = count(next("requests.current_volume")?, "requests.current_volume")?;
    let requested_volume = volume(
        next("requests.requested_volume")?,
        "requests.requested_volume",
    )?;
    let authorized_volume = match next("requests.authorized_volume")? {
        "" => None,
        text => Some(volume(text, "requests.authorized_volume")?),
    };
    let last_event_at = time::from_db("requests.last_event_at", next("requests.last_event_at")?)?;
    Ok(ReportRow {
        id,
        number,
        request_type,
        status,
        requester_id,
        api_id,
        provider_id,
        current_volume,
        requested_volume,
        authorized_volume,
        last_event_at,
    })
}

/// `CROSS JOIN` fixes the join order on SQLite: the ids of the page drive the joins. With a
/// plain JOIN, SQLite 3.46 noticed that the outer ORDER BY matches an index of `requests` and
/// scanned the whole table through it instead (100 ms at 100k rows instead of 1 ms).
async fn select(
    conn: &mut AnyConnection,
    scope: Scope,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<ListRow>> {
    let (clause, args) = where_clause(scope, filter);
    // LIMIT and OFFSET are written into the text, not bound: PostgreSQL plans a prepared
    // statement afresh on every execution (0.9 ms here, more than running it) until a generic
    // plan, made once, costs no more than the custom ones. With a bound LIMIT the generic plan
    // cannot know that a page is 20 rows, so it never did; with the numbers in the text it does
    // after five executions, and a filtered page went from 2,100 to 7,800 req/s (the floor at 1M
    // rows, issue 15). They are integers the service bounded, never text from a user; each page
    // size and number is a statement of its own in sqlx's per-connection cache.
    let (limit, offset) = (limit.max(0), offset.max(0));
    let sql = format!(
        "SELECT r.id, r.number, r.request_type, r.status, r.requester_id, rq.name AS requester_name, \
         rq.acronym AS requester_acronym, r.api_id, a.name AS api_name, r.provider_id, \
         pv.name AS provider_name, pv.acronym AS provider_acronym, r.current_volume, \
         r.requested_volume, r.authorized_volume, r.last_event_at \
         FROM (SELECT r.id FROM requests r {clause} ORDER BY r.last_event_at DESC, r.id DESC \
               LIMIT {limit} OFFSET {offset}) p \
         CROSS JOIN requests r \
         JOIN organizations rq ON rq.id = r.requester_id \
         JOIN organizations pv ON pv.id = r.provider_id \
         JOIN apis a ON a.id = r.api_id \
         WHERE r.id = p.id \
         ORDER BY r.last_event_at DESC, r.id DESC"
    );
    let rows = bind_all(sqlx::query(&sql), args).fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            let parse = |column: &'static str| -> StoreResult<String> { Ok(row.try_get(column)?) };
            let last: String = row.try_get("last_event_at")?;
            Ok(ListRow {
                id: row.try_get("id")?,
                number: requests::request_number(row)?,
                request_type: parse("request_type")?
                    .parse()
                    .map_err(|e| StoreError::corrupt("requests.request_type", e))?,
                status: parse("status")?
                    .parse()
                    .map_err(|e| StoreError::corrupt("requests.status", e))?,
                requester_id: row.try_get("requester_id")?,
                requester_name: row.try_get("requester_name")?,
                requester_acronym: row.try_get("requester_acronym")?,
                api_id: row.try_get("api_id")?,
                api_name: row.try_get("api_name")?,
                provider_id: row.try_get("provider_id")?,
                provider_name: row.try_get("provider_name")?,
                provider_acronym: row.try_get("provider_acronym")?,
                current_volume: requests::count(row, "current_volume")?,
                requested_volume: requests::volume(row, "requested_volume")?,
                authorized_volume: requests::optional_volume(row, "authorized_volume")?,
                last_event_at: time::from_db("requests.last_event_at", &last)?,
            })
        })
        .collect()
}

/// How many requests match, exactly. Without a number, every filter is a column of the kept
/// counts (migration 0010), so the total is a sum over a few hundred of their rows however many
/// requests there are; a number names at most one request, which its unique index finds.
pub async fn count(conn: &mut AnyConnection, scope: Scope, filter: &Filter) -> StoreResult<i64> {
    let (clause, args) = where_clause(scope, filter);
    let sql = if filter.number.is_some() {
        format!("SELECT COUNT(*) FROM requests r {clause}")
    } else {
        // PostgreSQL sums BIGINTs as NUMERIC, which the Any driver cannot decode.
        format!("SELECT CAST(COALESCE(SUM(r.n), 0) AS BIGINT) FROM request_counts r {clause}")
    };
    let row = bind_all(sqlx::query(&sql), args).fetch_one(conn).await?;
    Ok(row.try_get(0)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let filter = Filter {
            status: Some(RequestStatus::Draft),
            api_id: Some(3),
            ..Filter::default()
        };
        let (clause, args) = where_clause(Scope::Provider(2), &filter);
        assert_eq!(
            clause,
            "WHERE r.provider_id = $1 AND r.status IN ('provider_review', 'refused', 'approved', 'granted') \
             AND r.status = $2 AND r.api_id = $3"
        );
        assert_eq!(args.len(), 3);
        assert_eq!(where_clause(Scope::All, &Filter::default()).0, "");
    }
}
