//! Access already granted to a requester for an API, with its current yearly volume.

use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::{StoreResult, time};

pub async fn current_volume(
    conn: &mut AnyConnection,
    requester_id: i64,
    api_id: i64,
) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT current_volume FROM api_access WHERE requester_id = $1 AND api_id = $2",
    )
    .bind(requester_id)
    .bind(api_id)
    .fetch_optional(conn)
    .await?)
}

/// Records a grant: the authorized volume becomes the current one.
pub async fn grant(
    conn: &mut AnyConnection,
    requester_id: i64,
    api_id: i64,
    volume: i64,
    request_id: i64,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO api_access (requester_id, api_id, current_volume, granted_request_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (requester_id, api_id) DO UPDATE SET \
         current_volume = excluded.current_volume, granted_request_id = excluded.granted_request_id, \
         updated_at = excluded.updated_at",
    )
    .bind(requester_id)
    .bind(api_id)
    .bind(volume)
    .bind(request_id)
    .bind(time::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}
