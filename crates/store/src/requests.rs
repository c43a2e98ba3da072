//! Solicitações: numbering, content, status moves under an optimistic lock, and the list.

use adesao_domain::purpose::TEXT_FIELDS;
use adesao_domain::{
    Cnpj, Cpf, LegalBasis, Purpose, RequestNumber, RequestStatus, RequestType, Volume,
};
use jiff::Timestamp;
use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{StoreError, StoreResult, time};

/// An organization as shown beside a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef {
    pub id: i64,
    pub name: String,
    pub acronym: String,
    pub cnpj: Cnpj,
}

/// A user as shown beside a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRef {
    pub id: i64,
    pub name: String,
    pub cpf: Cpf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: i64,
    pub number: RequestNumber,
    pub request_type: RequestType,
    pub status: RequestStatus,
    pub api_id: i64,
    pub api_name: String,
    pub requester: OrgRef,
    pub provider: OrgRef,
    pub it_director: UserRef,
    pub technical_lead: UserRef,
    pub requested_volume: Volume,
    /// What is already granted to the requester for the API (0 before the first adhesion).
    pub current_volume: u64,
    pub authorized_volume: Option<Volume>,
    pub purpose: Purpose,
    pub copied_from_id: Option<i64>,
    pub created_by: i64,
    pub created_at: Timestamp,
    pub last_event_at: Timestamp,
    pub version: i64,
}

/// The content a manager writes (Incluir / Alterar).
#[derive(Debug, Clone)]
pub struct Content<'a> {
    pub request_type: RequestType,
    pub api_id: i64,
    pub provider_id: i64,
    pub it_director_id: i64,
    pub technical_lead_id: i64,
    pub requested_volume: Volume,
    pub current_volume: u64,
    pub purpose: &'a Purpose,
}

const SELECT: &str = "SELECT r.id, r.number, r.request_type, r.status, r.api_id, a.name AS api_name, \
    rq.id AS rq_id, rq.name AS rq_name, rq.acronym AS rq_acronym, rq.cnpj AS rq_cnpj, \
    pv.id AS pv_id, pv.name AS pv_name, pv.acronym AS pv_acronym, pv.cnpj AS pv_cnpj, \
    d.id AS d_id, d.name AS d_name, d.cpf AS d_cpf, t.id AS t_id, t.name AS t_name, t.cpf AS t_cpf, \
    r.requested_volume, r.current_volume, r.authorized_volume, \
    r.basis_public_policy, r.basis_legal_obligation, r.basis_other, r.basis_other_text, \
    r.data_usage, r.public_policies, r.legal_provision, r.citizen_results, r.retention, \
    r.copied_from_id, r.created_by, r.created_at, r.last_event_at, r.version \
    FROM requests r \
    JOIN apis a ON a.id = r.api_id \
    JOIN organizations rq ON rq.id = r.requester_id \
    JOIN organizations pv ON pv.id = r.provider_id \
    JOIN users d ON d.id = r.it_director_id \
    JOIN users t ON t.id = r.technical_lead_id";

fn code<T: std::str::FromStr>(row: &AnyRow, column: &'static str) -> StoreResult<T>
where
    T::Err: std::fmt::Display,
{
    let text: String = row.try_get(column)?;
    text.parse().map_err(|e| StoreError::corrupt(column, e))
}

fn timestamp(row: &AnyRow, column: &'static str) -> StoreResult<Timestamp> {
    let text: String = row.try_get(column)?;
    time::from_db(column, &text)
}

fn flag(row: &AnyRow, column: &str) -> StoreResult<bool> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

fn org(row: &AnyRow, p: &str) -> StoreResult<OrgRef> {
    let cnpj: String = row.try_get(format!("{p}_cnpj").as_str())?;
    Ok(OrgRef {
        id: row.try_get(format!("{p}_id").as_str())?,
        name: row.try_get(format!("{p}_name").as_str())?,
        acronym: row.try_get(format!("{p}_acronym").as_str())?,
        cnpj: Cnpj::parse(&cnpj).map_err(|e| StoreError::corrupt("organizations.cnpj", e))?,
    })
}

fn user(row: &AnyRow, p: &str) -> StoreResult<UserRef> {
    let cpf: String = row.try_get(format!("{p}_cpf").as_str())?;
    Ok(UserRef {
        id: row.try_get(format!("{p}_id").as_str())?,
        name: row.try_get(format!("{p}_name").as_str())?,
        cpf: Cpf::parse(&cpf).map_err(|e| StoreError::corrupt("users.cpf", e))?,
    })
}

/// A number of a row read back, as the type it was stored from.
pub(crate) fn request_number(row: &AnyRow) -> StoreResult<RequestNumber> {
    let text: String = row.try_get("number")?;
    RequestNumber::parse(&text).map_err(|e| StoreError::corrupt("requests.number", e))
}

pub(crate) fn volume(row: &AnyRow, column: &'static str) -> StoreResult<Volume> {
    let n: i64 = row.try_get(column)?;
    u64::try_from(n)
        .ok()
        .and_then(|n| Volume::new(n).ok())
        .ok_or_else(|| StoreError::corrupt(column, n))
}

pub(crate) fn optional_volume(row: &AnyRow, column: &'static str) -> StoreResult<Option<Volume>> {
    let n: Option<i64> = row.try_get(column)?;
    n.map(|n| {
        u64::try_from(n)
            .ok()
            .and_then(|n| Volume::new(n).ok())
            .ok_or_else(|| StoreError::corrupt(column, n))
    })
    .transpose()
}

pub(crate) fn count(row: &AnyRow, column: &'static str) -> StoreResult<u64> {
    let n: i64 = row.try_get(column)?;
    u64::try_from(n).map_err(|_| StoreError::corrupt(column, n))
}

/// The column of each purpose text (`TEXT_FIELDS`): the field's own name, but for the other
/// legal basis, stored beside its flag.
fn purpose_column(field: &str) -> &str {
    if field == "legal_basis_other" {
        "basis_other_text"
    } else {
        field
    }
}

fn purpose(
    row: &AnyRow,
    legal_bases: std::collections::BTreeSet<LegalBasis>,
) -> StoreResult<Purpose> {
    let mut purpose = Purpose {
        legal_bases,
        ..Purpose::default()
    };
    for field in TEXT_FIELDS {
        let text: String = row.try_get(purpose_column(field))?;
        if let Some(slot) = purpose.text_mut(field) {
            *slot = text;
        }
    }
    Ok(purpose)
}

fn from_row(row: &AnyRow) -> StoreResult<Request> {
    let mut legal_bases = std::collections::BTreeSet::new();
    for (column, basis) in [
        ("basis_public_policy", LegalBasis::PublicPolicy),
        ("basis_legal_obligation", LegalBasis::LegalObligation),
        ("basis_other", LegalBasis::Other),
    ] {
        if flag(row, column)? {
            legal_bases.insert(basis);
        }
    }
    Ok(Request {
        id: row.try_get("id")?,
        number: request_number(row)?,
        request_type: code(row, "request_type")?,
        status: code(row, "status")?,
        api_id: row.try_get("api_id")?,
        api_name: row.try_get("api_name")?,
        requester: org(row, "rq")?,
        provider: org(row, "pv")?,
        it_director: user(row, "d")?,
        technical_lead: user(row, "t")?,
        requested_volume: volume(row, "requested_volume")?,
        current_volume: count(row, "current_volume")?,
        authorized_volume: optional_volume(row, "authorized_volume")?,
        purpose: purpose(row, legal_bases)?,
        copied_from_id: row.try_get("copied_from_id")?,
        created_by: row.try_get("created_by")?,
        created_at: timestamp(row, "created_at")?,
        last_event_at: timestamp(row, "last_event_at")?,
        version: row.try_get("version")?,
    })
}

/// Takes the next number of `year`. Run inside the creating transaction: the counter row stays
/// locked until commit (so numbers are unique under concurrency) and a rollback returns the
/// number (so there are no gaps).
pub async fn next_sequence(conn: &mut AnyConnection, year: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO request_number_sequences (year, last_value) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last_value = request_number_sequences.last_value + 1 \
         RETURNING last_value",
    )
    .bind(year)
    .fetch_one(conn)
    .await?)
}

/// The content columns, in the order [`bind_content`] binds them (`$1` to `$16`): ten, then
/// the purpose's texts.
fn content_columns() -> Vec<&'static str> {
    let mut columns = vec![
        "request_type",
        "api_id",
        "provider_id",
        "it_director_id",
        "technical_lead_id",
        "requested_volume",
        "current_volume",
        "basis_public_policy",
        "basis_legal_obligation",
        "basis_other",
    ];
    columns.extend(TEXT_FIELDS.map(purpose_column));
    columns
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds the content as `$1` to `$16` (see [`content_columns`]).
fn bind_content<'q>(q: AnyQuery<'q>, content: &Content<'q>) -> AnyQuery<'q> {
    let p = content.purpose;
    let mut q = q
        .bind(content.request_type.code())
        .bind(content.api_id)
        .bind(content.provider_id)
        .bind(content.it_director_id)
        .bind(content.technical_lead_id)
        .bind(content.requested_volume.get() as i64)
        .bind(content.current_volume as i64)
        .bind(i64::from(p.legal_bases.contains(&LegalBasis::PublicPolicy)))
        .bind(i64::from(
            p.legal_bases.contains(&LegalBasis::LegalObligation),
        ))
        .bind(i64::from(p.legal_bases.contains(&LegalBasis::Other)));
    for (_, text) in p.texts() {
        q = q.bind(text);
    }
    q
}

pub async fn insert(
    conn: &mut AnyConnection,
    number: &adesao_domain::RequestNumber,
    requester_id: i64,
    content: &Content<'_>,
    copied_from_id: Option<i64>,
    created_by: i64,
    now: Timestamp,
) -> StoreResult<i64> {
    let placeholders: Vec<String> = (1..=16).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO requests ({}, number, number_year, number_sequence, status, requester_id, \
         copied_from_id, created_by, created_at, last_event_at) \
         VALUES ({}, $17, $18, $19, 'draft', $20, $21, $22, $23, $23) RETURNING id",
        content_columns().join(", "),
        placeholders.join(", ")
    );
    let id = bind_content(sqlx::query(&sql), content)
        .bind(number.to_string())
        .bind(i64::from(number.year()))
        .bind(i64::from(number.sequence()))
        .bind(requester_id)
        .bind(copied_from_id)
        .bind(created_by)
        .bind(time::to_db(now))
        .fetch_one(conn)
        .await?
        .try_get(0)?;
    Ok(id)
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<Request>> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find_by_number(
    conn: &mut AnyConnection,
    number: &str,
) -> StoreResult<Option<Request>> {
    let sql = format!("{SELECT} WHERE r.number = $1");
    let row = sqlx::query(&sql).bind(number).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// Claims the request for a change: bumps its version if it is still `expected_version`.
/// Returns false when someone else changed it meanwhile (the caller answers 409). Run it as the
/// first write of the transaction, so that the row lock is held from there to the commit.
pub async fn lock_version(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: i64,
    now: Timestamp,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE requests SET version = version + 1, last_event_at = $1 WHERE id = $2 AND version = $3",
    )
    .bind(time::to_db(now))
    .bind(id)
    .bind(expected_version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    status: RequestStatus,
) -> StoreResult<()> {
    sqlx::query("UPDATE requests SET status = $1 WHERE id = $2")
        .bind(status.code())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_authorized_volume(
    conn: &mut AnyConnection,
    id: i64,
    volume: Volume,
) -> StoreResult<()> {
    sqlx::query("UPDATE requests SET authorized_volume = $1 WHERE id = $2")
        .bind(volume.get() as i64)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the content (Alterar). The status is not touched here.
pub async fn update_content(
    conn: &mut AnyConnection,
    id: i64,
    content: &Content<'_>,
) -> StoreResult<()> {
    let sets: Vec<String> = content_columns()
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let sql = format!("UPDATE requests SET {} WHERE id = $17", sets.join(", "));
    bind_content(sqlx::query(&sql), content)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Another request of the same requester, API and type that is in the pipeline (awaiting
/// signatures, in provider review or approved); its number, if any.
pub async fn pipeline_conflict(
    conn: &mut AnyConnection,
    requester_id: i64,
    api_id: i64,
    request_type: RequestType,
    except_id: i64,
) -> StoreResult<Option<(i64, String)>> {
    let in_pipeline: Vec<String> = RequestStatus::ALL
        .iter()
        .filter(|s| s.in_pipeline())
        .map(|s| format!("'{}'", s.code()))
        .collect();
    let sql = format!(
        "SELECT id, number FROM requests WHERE api_id = $1 AND requester_id = $2 AND request_type = $3 \
         AND status IN ({}) AND id <> $4 LIMIT 1",
        in_pipeline.join(", ")
    );
    Ok(sqlx::query_as(&sql)
        .bind(api_id)
        .bind(requester_id)
        .bind(request_type.code())
        .bind(except_id)
        .fetch_optional(conn)
        .await?)
}

/// Requests awaiting signatures that name `user_id` as a signer, oldest first.
pub async fn awaiting_signature_of(
    conn: &mut AnyConnection,
    user_id: i64,
) -> StoreResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM requests WHERE status = 'awaiting_signatures' \
         AND (it_director_id = $1 OR technical_lead_id = $1) ORDER BY last_event_at",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

/// The requests made from `id` by Nova Solicitação a partir desta (id, number), oldest first.
pub async fn copies_of(conn: &mut AnyConnection, id: i64) -> StoreResult<Vec<(i64, String)>> {
    Ok(
        sqlx::query_as("SELECT id, number FROM requests WHERE copied_from_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(conn)
            .await?,
    )
}

/// The number of request `id`.
pub async fn number_of(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT number FROM requests WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}
