//! Serialising concurrent transactions on a key: the guard of every "count, then write" and
//! "check, then move" rule (rate limits, the pipeline of requests, transitions of one request).
//!
//! PostgreSQL runs transactions side by side at READ COMMITTED: two of them may both count four
//! failed logins and both insert the fifth. [`serialize_on`] takes a transaction-scoped advisory
//! lock on the key, so the second waits for the first to commit; since each statement at READ
//! COMMITTED reads what is committed when it starts, the second then sees the first's rows.
//! SQLite needs nothing: [`crate::Db::begin`] takes the database's only write lock at `BEGIN`.

use sqlx::AnyConnection;

use crate::StoreResult;

/// Holds the lock on `key` until the transaction on `conn` ends. Call it inside a transaction
/// opened by [`crate::Db::begin`], before the reads the rule depends on.
pub async fn serialize_on(conn: &mut AnyConnection, key: &str) -> StoreResult<()> {
    if conn.backend_name() == "PostgreSQL" {
        // A 64-bit hash of the key names the lock; a collision only serialises two unrelated
        // keys, which costs a wait and never correctness.
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS l")
            .bind(key)
            .execute(conn)
            .await?;
    }
    Ok(())
}
