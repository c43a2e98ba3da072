//! The two migration folders (SQLite and PostgreSQL) are kept in step by hand: this reads back
//! what each creates, from each database's own catalogue, and compares tables, columns,
//! nullability, keys and indexes. It needs both databases, so it runs where
//! ADESAO_TEST_DATABASE_URL names a PostgreSQL server (as in `.ci/run`), and says so otherwise.

use std::collections::{BTreeMap, BTreeSet};

use adesao_domain::RequestStatus;
use adesao_store::{Db, DbOptions};
use sqlx::AnyPool;

use crate::common::TestApp;

#[derive(Debug, Default, PartialEq, Eq)]
struct Catalogue {
    /// table → column → nullable
    columns: BTreeMap<String, BTreeMap<String, bool>>,
    /// table → primary key columns
    primary_keys: BTreeMap<String, Vec<String>>,
    /// (table, columns) of every unique constraint or unique index without a condition
    unique: BTreeSet<(String, Vec<String>)>,
    /// named indexes: name → (table, unique, columns, partial)
    indexes: BTreeMap<String, (String, bool, Vec<String>, bool)>,
    /// the condition of each partial index, as the database prints it
    predicates: BTreeMap<String, String>,
}

async fn strings(pool: &AnyPool, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql).fetch_all(pool).await.unwrap()
}

async fn sqlite_catalogue(pool: &AnyPool) -> Catalogue {
    let mut c = Catalogue::default();
    let tables = strings(
        pool,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '_sqlx%' ORDER BY name",
    )
    .await;
    for table in tables {
        let cols: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
            "SELECT name, \"notnull\", pk FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .fetch_all(pool)
        .await
        .unwrap();
        let mut pk: Vec<(i64, String)> = Vec::new();
        let entry = c.columns.entry(table.clone()).or_default();
        for (name, notnull, key) in cols {
            // An INTEGER PRIMARY KEY is the rowid: never null, whatever the pragma says.
            entry.insert(name.clone(), notnull == 0 && key == 0);
            if key > 0 {
                pk.push((key, name));
            }
        }
        pk.sort();
        c.primary_keys
            .insert(table.clone(), pk.into_iter().map(|(_, n)| n).collect());
        let indexes: Vec<(String, i64, String, i64)> = sqlx::query_as(&format!(
            "SELECT name, \"unique\", origin, partial FROM pragma_index_list('{table}')"
        ))
        .fetch_all(pool)
        .await
        .unwrap();
        for (name, unique, origin, partial) in indexes {
            let columns = strings(
                pool,
                &format!("SELECT name FROM pragma_index_info('{name}') ORDER BY seqno"),
            )
            .await;
            match origin.as_str() {
                "pk" => {}
                "u" => {
                    c.unique.insert((table.clone(), columns));
                }
                _ => {
                    if unique == 1 && partial == 0 {
                        c.unique.insert((table.clone(), columns.clone()));
                    }
                    c.indexes.insert(
                        name.clone(),
                        (table.clone(), unique == 1, columns, partial == 1),
                    );
                    if partial == 1 {
                        let sql: String = sqlx::query_scalar(
                            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1",
                        )
                        .bind(&name)
                        .fetch_one(pool)
                        .await
                        .unwrap();
                        let predicate = sql.split_once(" WHERE ").map(|(_, p)| p).unwrap_or("");
                        c.predicates.insert(name, predicate.to_owned());
                    }
                }
            }
        }
    }
    c
}

async fn postgres_catalogue(pool: &AnyPool) -> Catalogue {
    let mut c = Catalogue::default();
    let cols: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, column, nullable) in cols {
        c.columns
            .entry(table)
            .or_default()
            .insert(column, nullable == "YES");
    }
    let indexes: Vec<(String, String, i64, i64, i64, String, String)> = sqlx::query_as(
        "SELECT i.relname::text, t.relname::text, \
                CASE WHEN ix.indisunique THEN 1 ELSE 0 END, \
                CASE WHEN ix.indisprimary THEN 1 ELSE 0 END, \
                CASE WHEN ix.indpred IS NULL THEN 0 ELSE 1 END, \
                array_to_string(array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord), ','), \
                COALESCE(pg_get_expr(ix.indpred, ix.indrelid), '') \
         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = current_schema() AND t.relname NOT LIKE '_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let constraint_indexes = strings(
        pool,
        "SELECT conname::text FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE n.nspname = current_schema() AND c.contype IN ('u', 'p')",
    )
    .await;
    for (name, table, unique, primary, partial, columns, predicate) in indexes {
        let columns: Vec<String> = columns.split(',').map(str::to_owned).collect();
        if primary == 1 {
            c.primary_keys.insert(table, columns);
            continue;
        }
        if unique == 1 && partial == 0 {
            c.unique.insert((table.clone(), columns.clone()));
        }
        if constraint_indexes.contains(&name) {
            continue;
        }
        c.indexes
            .insert(name.clone(), (table, unique == 1, columns, partial == 1));
        if partial == 1 {
            c.predicates.insert(name, predicate);
        }
    }
    // Tables without a primary key (none today) would have no entry: give every table one.
    for table in c.columns.keys() {
        c.primary_keys.entry(table.clone()).or_default();
    }
    c
}

/// The status codes a printed condition names, in order of appearance.
fn statuses_in(predicate: &str) -> BTreeSet<String> {
    RequestStatus::ALL
        .iter()
        .map(|s| s.code())
        .filter(|code| predicate.contains(&format!("'{code}'")))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn both_databases_get_the_same_schema() {
    let app = TestApp::spawn().await;
    if app.db.backend_name() != "PostgreSQL" {
        eprintln!(
            "migrations: skipped (set ADESAO_TEST_DATABASE_URL to a PostgreSQL database to compare both)"
        );
        return;
    }
    let path = std::env::temp_dir().join(format!("adesao-catalogue-{}.db", std::process::id()));
    let sqlite = Db::connect(&DbOptions::new(format!("sqlite://{}", path.display())))
        .await
        .unwrap();
    let lite = sqlite_catalogue(sqlite.pool()).await;
    let pg = postgres_catalogue(app.db.pool()).await;
    sqlite.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    // What is compared is there at all (a query that read nothing would compare equal).
    assert!(lite.columns.len() >= 15, "{:?}", lite.columns.keys());
    assert_eq!(lite.columns["requests"].len(), pg.columns["requests"].len());
    assert!(
        lite.unique
            .contains(&("users".to_owned(), vec!["cpf".to_owned()]))
    );
    assert!(pg.indexes.contains_key("requests_requester_recent"));
    assert_eq!(lite.columns, pg.columns, "tables, columns and nullability");
    assert_eq!(lite.primary_keys, pg.primary_keys, "primary keys");
    assert_eq!(lite.unique, pg.unique, "unique constraints");
    let shape = |c: &Catalogue| {
        c.indexes
            .iter()
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    assert_eq!(shape(&lite), shape(&pg), "indexes");
    // The partial index of the pipeline rule names the same statuses on both, and they are the
    // ones the domain says are in the pipeline.
    let pipeline: BTreeSet<String> = RequestStatus::ALL
        .iter()
        .filter(|s| s.in_pipeline())
        .map(|s| s.code().to_owned())
        .collect();
    for c in [&lite, &pg] {
        let predicate = &c.predicates["requests_one_in_pipeline"];
        assert_eq!(statuses_in(predicate), pipeline, "{predicate}");
    }
}
