//! The audit of the administration: /admin/auditoria.

use adesao_services::admin::{AuditQuery, actions};
use adesao_services::requests::actor_of;
use adesao_store::audit::{Entity, Entry};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Pager, Tabs, paging};
use crate::format;
use crate::html::extract::PageQuery;
use crate::html::{FormError, Layout, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;

const TABS: Tabs = Tabs {
    current: "/admin/auditoria",
};

/// How each field reads on the page.
fn field_label(field: &str) -> &str {
    match field {
        "name" => "Nome",
        "acronym" => "Sigla",
        "cnpj" => "CNPJ",
        "provides_apis" => "Fornece APIs",
        "active" => "Ativo",
        "cpf" => "CPF",
        "email" => "E-mail",
        "mobile" => "Celular",
        "organization" => "Órgão",
        "roles" => "Papéis",
        "password" => "Senha",
        "provider" => "Órgão cedente",
        "description" => "Descrição",
        "accepting_requests" => "Recebe novas solicitações",
        "requirements" => "Anexos pedidos",
        "model.form" => "Modelo do Formulário",
        "model.official_letter" => "Modelo do Ofício",
        "model.other" => "Modelo de Outro",
        other => other,
    }
}

pub struct EntryRow {
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub link: String,
    pub action: &'static str,
    pub changes: Vec<String>,
}

impl From<&Entry> for EntryRow {
    fn from(e: &Entry) -> Self {
        let base = match e.entity {
            Entity::Organization => "/admin/orgaos",
            Entity::User => "/admin/usuarios",
            Entity::Api => "/admin/apis",
        };
        let value = |v: &Option<String>| match v.as_deref() {
            None | Some("") => "(vazio)".to_owned(),
            Some(v) => v.to_owned(),
        };
        Self {
            at: format::datetime(e.at),
            actor: e.actor_name.clone(),
            entity: match &e.entity_name {
                Some(name) => format!("{}: {name}", e.entity.label()),
                None => e.entity.label().to_owned(),
            },
            link: format!("{base}/{}", e.entity_id),
            action: actions::label(&e.action),
            changes: e
                .changes
                .iter()
                .map(|c| match (&c.before, c.field.as_str()) {
                    (_, "password") => "Senha redefinida".to_owned(),
                    (None, _) => format!("{}: {}", field_label(&c.field), value(&c.after)),
                    (Some(_), _) => format!(
                        "{}: {} → {}",
                        field_label(&c.field),
                        value(&c.before),
                        value(&c.after)
                    ),
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Query {
    entidade: String,
    id: String,
    autor: String,
    pagina: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_audit.html")]
pub struct AuditPage {
    layout: Layout,
    tabs: Tabs,
    errors: Vec<FormError>,
    entidade: String,
    id: String,
    autor: String,
    entities: Vec<(&'static str, &'static str)>,
    actors: Vec<(String, String)>,
    rows: Vec<EntryRow>,
    pager: Pager,
}

pub async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    PageQuery(q): PageQuery<Query>,
) -> Result<Response, PageError> {
    let actor = actor_of(&me.account);
    let number = |s: &str| -> Result<Option<i64>, PageError> {
        match s.trim() {
            "" => Ok(None),
            t => t
                .parse()
                .map(Some)
                .map_err(|_| PageError::BadRequest("O filtro tem um valor inválido.".into())),
        }
    };
    let query = AuditQuery {
        entity: Some(q.entidade.clone()).filter(|e| !e.trim().is_empty()),
        entity_id: number(&q.id)?,
        actor_id: number(&q.autor)?,
    };
    let found = state
        .admin
        .audit(&actor, &query, &paging(&q.pagina))
        .await?;
    let actors = state
        .admin
        .audit_actors(&actor)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    Ok(AuditPage {
        layout: Layout::for_user(&me),
        tabs: TABS,
        errors: Vec::new(),
        pager: Pager::new(
            "/admin/auditoria",
            &[
                ("entidade", &q.entidade),
                ("id", &q.id),
                ("autor", &q.autor),
            ],
            &found,
            ("alteração", "alterações"),
        ),
        rows: found.items.iter().map(EntryRow::from).collect(),
        entities: Entity::ALL.iter().map(|e| (e.code(), e.label())).collect(),
        actors,
        entidade: q.entidade,
        id: q.id,
        autor: q.autor,
    }
    .into_response())
}
