//! Administration pages of the program team (issue 10): organizations, users and their roles,
//! the API catalogue, onboarding from CSV, the audit, and the outbox. Each refusal of the
//! services shows beside its field, with the error summary at the top, and changes nothing.

pub mod apis;
pub mod audit;
pub mod import;
pub mod organizations;
pub mod outbox;
pub mod users;

use std::collections::{BTreeMap, HashMap};

use adesao_domain::FieldIssue;
use adesao_services::admin::{Paged, Paging};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::{FormError, Layout};

/// The sections of the administration, as its tabs show them (admin_nav.html).
pub const NAV: [(&str, &str); 6] = [
    ("/admin/orgaos", "Órgãos"),
    ("/admin/usuarios", "Usuários"),
    ("/admin/apis", "APIs"),
    ("/admin/importacao", "Importar CSV"),
    ("/admin/auditoria", "Auditoria"),
    ("/admin/mensagens", "Mensagens"),
];

/// The tabs of the administration with the current one marked.
pub struct Tabs {
    pub current: &'static str,
}

impl Tabs {
    pub fn items(&self) -> &'static [(&'static str, &'static str)] {
        &NAV
    }
}

/// A form's values by name, as posted (every field a string; a checkbox is there when ticked).
pub type Posted = BTreeMap<String, String>;

pub fn text(posted: &Posted, name: &str) -> String {
    posted.get(name).cloned().unwrap_or_default()
}

pub fn ticked(posted: &Posted, name: &str) -> bool {
    posted.contains_key(name)
}

/// The refusals of a form: the summary at the top, and each message beside its field.
#[derive(Debug, Default)]
pub struct Issues {
    pub summary: Vec<FormError>,
    by_field: HashMap<String, String>,
}

/// The id of a field on the page: issue fields such as `roles.manager` become `roles-manager`.
pub fn field_id(field: &str) -> String {
    field.replace('.', "-")
}

impl Issues {
    pub fn from(issues: Vec<FieldIssue>) -> Self {
        let mut out = Self::default();
        for i in issues {
            out.add(i.field, i.message);
        }
        out
    }

    pub fn add(&mut self, field: &str, message: String) {
        let id = field_id(field);
        self.summary.push(FormError::field(&id, message.clone()));
        self.by_field
            .entry(id)
            .and_modify(|m| {
                m.push(' ');
                m.push_str(&message);
            })
            .or_insert(message);
    }

    /// The message of the field with this id, if it has one.
    pub fn of(&self, id: &str) -> Option<String> {
        self.by_field.get(id).cloned()
    }
}

/// The page of a list as the query string asks (`pagina`), a page past the last showing the
/// last.
pub fn paging(pagina: &str) -> Paging {
    Paging {
        page: Some(adesao_services::requests::ListPage::clamp_page(
            pagina.trim().parse().unwrap_or(1),
        )),
        per_page: None,
        past_the_end_shows_last: true,
    }
}

/// The links of a list's pages (pager.html).
pub struct Pager {
    pub prev: Option<String>,
    pub next: Option<String>,
    /// "12 órgãos · página 1 de 2".
    pub summary: String,
}

impl Pager {
    /// `base` is the list's address; `query` its filters (without the page).
    pub fn new<T>(
        base: &str,
        query: &[(&str, &str)],
        found: &Paged<T>,
        noun: (&str, &str),
    ) -> Self {
        let link = |n: i64| {
            let mut pairs: Vec<(&str, String)> = query
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (*k, (*v).to_owned()))
                .collect();
            pairs.push(("pagina", n.to_string()));
            format!(
                "{base}?{}",
                serde_html_form::to_string(&pairs).unwrap_or_default()
            )
        };
        let count = match found.total {
            1 => format!("1 {}", noun.0),
            n => format!("{} {}", crate::format::count(n.max(0) as u64), noun.1),
        };
        Self {
            prev: (found.page > 1).then(|| link(found.page - 1)),
            next: (found.page < found.pages()).then(|| link(found.page + 1)),
            summary: format!("{count} · página {} de {}", found.page, found.pages()),
        }
    }
}

/// The query of the administration lists: the search text and the page.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
    pub pagina: String,
    pub msg: String,
}

/// What a list says after a change (`?msg=`).
pub fn flash(msg: &str) -> Option<&'static str> {
    match msg {
        "incluido" => Some("Cadastro incluído."),
        "alterado" => Some("Alterações salvas."),
        "desativado" => Some("Cadastro desativado."),
        "reativado" => Some("Cadastro reativado."),
        "modelo" => Some("Modelo enviado."),
        "importado" => Some("Importação concluída."),
        _ => None,
    }
}

/// "Tem certeza?" before a deactivation (admin_confirm.html).
#[derive(Template, WebTemplate)]
#[template(path = "admin_confirm.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub title: String,
    pub message: String,
    pub action: String,
    pub button: &'static str,
    pub back: String,
    pub csrf_token: String,
    pub errors: Vec<FormError>,
}
