//! `/api/v1/admin/…`: the administration of the programme (program admins only; 403 for
//! anyone else), on the same services as the HTML pages.

pub mod apis;
pub mod audit;
pub mod import;
pub mod organizations;
pub mod outbox;
pub mod users;

use adesao_services::admin::{Paged, Paging};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schemas;
use super::views::Page;

/// Search and page of an administration list.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Text to look for (see each list for where).
    #[param(schema_with = schemas::search)]
    q: Option<String>,
    /// 1 to 1,000,000; past the last page the answer is 404.
    #[param(schema_with = schemas::page)]
    page: Option<i64>,
    /// 1 to 100 (default 20).
    #[param(schema_with = schemas::per_page)]
    per_page: Option<i64>,
}

impl SearchQuery {
    fn paging(&self) -> Paging {
        Self::paging_of(self.page, self.per_page)
    }

    /// The API's paging: a page past the last is 404.
    fn paging_of(page: Option<i64>, per_page: Option<i64>) -> Paging {
        Paging {
            page,
            per_page,
            past_the_end_shows_last: false,
        }
    }
}

/// A page of the services as the API's list shape.
fn page<T, V: ToSchema>(found: Paged<T>, view: impl Fn(&T) -> V) -> Page<V> {
    Page::new(
        found.items.iter().map(view).collect(),
        found.total,
        found.page,
        found.per_page,
    )
}

/// An organization as the administration shows it (SPEC §11).
#[derive(Serialize, ToSchema)]
pub struct AdminOrganizationView {
    pub id: i64,
    pub name: String,
    pub acronym: String,
    pub cnpj: String,
    pub provides_apis: bool,
    pub active: bool,
}

impl From<&adesao_store::organizations::Organization> for AdminOrganizationView {
    fn from(o: &adesao_store::organizations::Organization) -> Self {
        Self {
            id: o.id,
            name: o.name.clone(),
            acronym: o.acronym.clone(),
            cnpj: o.cnpj.formatted(),
            provides_apis: o.provides_apis,
            active: o.active,
        }
    }
}

/// `Location` of something just created.
fn created_at(path: String) -> [(axum::http::HeaderName, String); 1] {
    [(
        axum::http::header::LOCATION,
        format!("{}{path}", super::BASE),
    )]
}
