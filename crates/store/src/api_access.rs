//! Access already granted to a requester for an API, with its current yearly volume.

use jiff::Timestamp;
use sqlx::AnyConnection;

use adesao_domain::Volume;

use crate::{StoreError, StoreResult, time};

pub async fn current_volume(
    conn: &mut AnyConnection,
    requester_id: i64,
    api_id: i64,
) -> StoreResult<Option<Volume>> {
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT current_volume FROM api_access WHERE requester_id = $1 AND api_id = $2",
    )
    .bind(requester_id)
    .bind(api_id)
    .fetch_optional(conn)
    .await?;
    n.map(|n| {
        u64::try_from(n)
            .ok()
            .and_then(|n| Volume::new(n).ok())
            .ok_or_else(|| StoreError::corrupt("api_access.current_volume", n))
    })
    .transpose()
}

/// Records a grant: the authorized volume becomes the current one.
pub async fn grant(
    conn: &mut AnyConnection,
    requester_id: i64,
    api_id: i64,
    volume: Volume,
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
    .bind(volume.get() as i64)
    .bind(request_id)
    .bind(time::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}
