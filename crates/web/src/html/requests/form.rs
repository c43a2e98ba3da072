//! 1.3 choose the API, 1.4–1.6 the form (Incluir), and Alterar.

use adesao_domain::access::{self, Action};
use adesao_domain::purpose::{LEGAL_BASES_TITLE, SECTIONS, TEXT_FIELDS};
use adesao_domain::{FieldIssue, LegalBasis, RequestType, Role, Volume};
use adesao_services::ServiceError;
use adesao_services::requests::catalogue::CatalogueEntry;
use adesao_services::requests::{PatchInput, RequestPatch, actor_of};
use adesao_store::requests::Request;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::csrf::CsrfForm;
use crate::html::extract::{PagePath, PageQuery};
use crate::html::{FormError, Layout, PageError};
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "choose_api.html")]
pub struct ChooseApiPage {
    layout: Layout,
    errors: Vec<FormError>,
    apis: Vec<(i64, String)>,
}

/// 1.3 — Selecione a API desejada.
pub async fn choose_api(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    access::check_create(&actor_of(&user.account)).map_err(ServiceError::from)?;
    Ok(choose_api_page(&state, &user, Vec::new())
        .await?
        .into_response())
}

async fn choose_api_page(
    state: &AppState,
    user: &CurrentUser,
    errors: Vec<FormError>,
) -> Result<ChooseApiPage, ServiceError> {
    let entries = state.requests.catalogue().await?;
    Ok(ChooseApiPage {
        layout: Layout::for_user(user),
        errors,
        apis: entries
            .iter()
            .map(|e| (e.api.id, format!("{} ({})", e.api.name, e.provider.acronym)))
            .collect(),
    })
}

/// What the user typed, kept as typed so a refused form comes back as it was.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RequestForm {
    pub api_id: String,
    pub request_type: String,
    pub it_director_id: String,
    pub technical_lead_id: String,
    pub requested_volume: String,
    pub legal_bases: Vec<String>,
    pub legal_basis_other: String,
    pub data_usage: String,
    pub public_policies: String,
    pub legal_provision: String,
    pub citizen_results: String,
    pub retention: String,
    /// Alterar volumetria: the granted request the form was filled from.
    pub a_partir_de: String,
    pub it_director_error: Option<String>,
    pub technical_lead_error: Option<String>,
    pub request_type_error: Option<String>,
    pub volume_error: Option<String>,
    pub legal_bases_error: Option<String>,
    pub legal_basis_other_error: Option<String>,
}

impl RequestForm {
    fn of_request(r: &Request) -> Self {
        let mut form = Self {
            api_id: r.api_id.to_string(),
            request_type: r.request_type.code().to_owned(),
            it_director_id: r.it_director.id.to_string(),
            technical_lead_id: r.technical_lead.id.to_string(),
            requested_volume: r.requested_volume.to_string(),
            legal_bases: r
                .purpose
                .legal_bases
                .iter()
                .map(|b| b.code().to_owned())
                .collect(),
            ..Self::default()
        };
        for (field, text) in r.purpose.texts() {
            if let Some(slot) = form.text_mut(field) {
                *slot = text.to_owned();
            }
        }
        form
    }

    /// The input for the service, which judges the codes as it does the API's. Values that
    /// cannot even be read (an id that is not a number) become `None`, which the service
    /// reports as "select from the list".
    fn patch(&self) -> Result<RequestPatch, ServiceError> {
        let id = |s: &str| s.trim().parse::<i64>().ok();
        PatchInput {
            api_id: id(&self.api_id),
            request_type: Some(self.request_type.clone()),
            it_director_id: id(&self.it_director_id),
            technical_lead_id: id(&self.technical_lead_id),
            requested_volume: Some(Volume::parse(&self.requested_volume)),
            legal_bases: Some(self.legal_bases.clone()),
            texts: TEXT_FIELDS
                .into_iter()
                .map(|field| (field, self.section_value(field).to_owned()))
                .collect(),
        }
        .judge()
    }

    /// The form's own field for a purpose text (the form posts them by these names).
    fn text_mut(&mut self, field: &str) -> Option<&mut String> {
        Some(match field {
            "legal_basis_other" => &mut self.legal_basis_other,
            "data_usage" => &mut self.data_usage,
            "public_policies" => &mut self.public_policies,
            "legal_provision" => &mut self.legal_provision,
            "citizen_results" => &mut self.citizen_results,
            "retention" => &mut self.retention,
            _ => return None,
        })
    }

    fn section_value(&self, field: &str) -> &str {
        match field {
            "legal_basis_other" => &self.legal_basis_other,
            "data_usage" => &self.data_usage,
            "public_policies" => &self.public_policies,
            "legal_provision" => &self.legal_provision,
            "citizen_results" => &self.citizen_results,
            "retention" => &self.retention,
            _ => "",
        }
    }
}

pub struct SectionField {
    id: &'static str,
    title: &'static str,
    guidance: &'static str,
    value: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "request_form.html")]
pub struct FormPage {
    layout: Layout,
    errors: Vec<FormError>,
    csrf_token: String,
    action: String,
    back: String,
    number: Option<String>,
    returns_to_draft: bool,
    api_id: i64,
    api_name: String,
    provider_name: String,
    directors: Vec<(String, String)>,
    leads: Vec<(String, String)>,
    /// The type, fixed by whether the organization already has access to the API.
    type_label: &'static str,
    type_reason: String,
    /// Alterar volumetria: the number of the granted request the form was filled from.
    filled_from: Option<String>,
    bases: Vec<(&'static str, &'static str, bool)>,
    legal_bases_title: &'static str,
    sections: Vec<SectionField>,
    f: RequestForm,
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    entry: &CatalogueEntry,
    mut f: RequestForm,
    issues: Vec<FieldIssue>,
    existing: Option<&Request>,
) -> Result<FormPage, ServiceError> {
    let actor = actor_of(&user.account);
    let people = state
        .requests
        .signatories(&actor, user.account.organization.id)
        .await?;
    let pick = |role: Role| -> Vec<(String, String)> {
        people
            .iter()
            .filter(|p| p.roles.contains(&role))
            .map(|p| {
                (
                    p.id.to_string(),
                    format!("{} (CPF {})", p.name, p.cpf.masked()),
                )
            })
            .collect()
    };
    let mut errors = Vec::new();
    let mut section_errors = std::collections::HashMap::new();
    for issue in issues {
        let target = match issue.field {
            "it_director_id" => &mut f.it_director_error,
            "technical_lead_id" => &mut f.technical_lead_error,
            "request_type" => &mut f.request_type_error,
            "requested_volume" => &mut f.volume_error,
            "legal_bases" => &mut f.legal_bases_error,
            "legal_basis_other" => &mut f.legal_basis_other_error,
            other => {
                section_errors.insert(other, issue.message.clone());
                errors.push(FormError::field(other, issue.message));
                continue;
            }
        };
        *target = Some(issue.message.clone());
        errors.push(FormError::field(issue.field, issue.message));
    }
    // Only one type can be right: a volume change once the organization has access to the
    // API, an adhesion before. The form says which and why, instead of a choice that the
    // service would refuse.
    let granted = state.requests.granted_volume(&actor, entry.api.id).await?;
    let request_type = if granted.is_some() {
        RequestType::VolumeChange
    } else {
        RequestType::Adhesion
    };
    f.request_type = request_type.code().to_owned();
    let type_label = request_type.label();
    let type_reason = match granted {
        Some(v) => format!(
            "Seu órgão já tem acesso a esta API, com volumetria autorizada de {v} chamadas por ano. Informe abaixo a nova volumetria anual."
        ),
        None => "Seu órgão ainda não tem acesso a esta API.".to_owned(),
    };
    let directors = pick(Role::ItDirector);
    let leads = pick(Role::TechnicalLead);
    // A fresh form with a single possible signer comes with that signer chosen.
    if existing.is_none() && errors.is_empty() {
        if f.it_director_id.is_empty() && directors.len() == 1 {
            f.it_director_id = directors[0].0.clone();
        }
        if f.technical_lead_id.is_empty() && leads.len() == 1 {
            f.technical_lead_id = leads[0].0.clone();
        }
    }
    let (action, back) = match existing {
        Some(r) => (
            format!("/solicitacoes/{}/alterar", r.id),
            format!("/solicitacoes/{}", r.id),
        ),
        None => ("/solicitacoes".to_owned(), "/solicitacoes/nova".to_owned()),
    };
    Ok(FormPage {
        layout: Layout::for_user(user),
        errors,
        csrf_token: user.csrf_token.clone(),
        action,
        back,
        number: existing.map(|r| r.number.to_string()),
        returns_to_draft: existing
            .is_some_and(|r| r.status == adesao_domain::RequestStatus::AwaitingSignatures),
        api_id: entry.api.id,
        api_name: entry.api.name.clone(),
        provider_name: entry.provider.name.clone(),
        directors,
        leads,
        type_label,
        type_reason,
        filled_from: None,
        bases: LegalBasis::ALL
            .iter()
            .map(|b| {
                (
                    b.code(),
                    b.label(),
                    f.legal_bases.iter().any(|c| c == b.code()),
                )
            })
            .collect(),
        legal_bases_title: LEGAL_BASES_TITLE,
        sections: SECTIONS
            .iter()
            .map(|s| SectionField {
                id: s.field,
                title: s.title,
                guidance: s.guidance,
                value: f.section_value(s.field).to_owned(),
                error: section_errors.remove(s.field),
            })
            .collect(),
        f,
    })
}

#[derive(Deserialize)]
pub struct NewQuery {
    api_id: Option<String>,
    /// Alterar volumetria: the granted request whose purpose fills the form.
    a_partir_de: Option<String>,
}

/// 1.4 — the form for the chosen API.
pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    PageQuery(q): PageQuery<NewQuery>,
) -> Result<Response, PageError> {
    access::check_create(&actor_of(&user.account)).map_err(ServiceError::from)?;
    let Some(api_id) = q.api_id.as_deref().and_then(|s| s.parse::<i64>().ok()) else {
        let errors = vec![FormError::field("api_id", "Selecione a API necessária.")];
        let page = choose_api_page(&state, &user, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let entry = state.requests.catalogue_entry(api_id).await?;
    if !entry.api.is_open() || !entry.provider.active {
        let errors = vec![FormError::field(
            "api_id",
            adesao_services::requests::CLOSED_API,
        )];
        let page = choose_api_page(&state, &user, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut f = RequestForm::default();
    let mut filled_from = None;
    if let Some(from) = q.a_partir_de.as_deref().and_then(|s| s.parse::<i64>().ok()) {
        let granted = state
            .requests
            .detail(&actor_of(&user.account), from)
            .await?;
        let r = &granted.request;
        if r.status == adesao_domain::RequestStatus::Granted && r.api_id == api_id {
            f = RequestForm::of_request(r);
            f.requested_volume = String::new();
            f.a_partir_de = r.id.to_string();
            filled_from = Some(r.number.to_string());
        }
    }
    let mut page = form_page(&state, &user, &entry, f, Vec::new(), None).await?;
    page.filled_from = filled_from;
    Ok(page.into_response())
}

/// 1.6 — Incluir.
pub async fn create(
    State(state): State<AppState>,
    CsrfForm { user, form }: CsrfForm<RequestForm>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let created = match form.patch() {
        Ok(patch) => state.requests.create(&actor, patch, None).await,
        Err(e) => Err(e),
    };
    let issues = match created {
        Ok(request) => {
            let to = format!("/solicitacoes/{}?msg=incluida", request.id);
            return Ok(Redirect::to(&to).into_response());
        }
        Err(e) => e.into_issues()?,
    };
    let api_id = form
        .api_id
        .parse::<i64>()
        .map_err(|_| PageError::BadRequest("Selecione a API necessária.".into()))?;
    let entry = state.requests.catalogue_entry(api_id).await?;
    let page = form_page(&state, &user, &entry, form, issues, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Alterar — the form filled with the request.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let detail = state.requests.detail_for(&actor, id, Action::Edit).await?;
    let entry = state
        .requests
        .catalogue_entry(detail.request.api_id)
        .await?;
    let f = RequestForm::of_request(&detail.request);
    let page = form_page(&state, &user, &entry, f, Vec::new(), Some(&detail.request)).await?;
    Ok(page.into_response())
}

/// Alterar — saving.
pub async fn update(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    CsrfForm { user, form }: CsrfForm<RequestForm>,
) -> Result<Response, PageError> {
    let actor = actor_of(&user.account);
    let updated = match form.patch() {
        Ok(patch) => state.requests.update(&actor, id, patch).await,
        Err(e) => Err(e),
    };
    let issues = match updated {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/solicitacoes/{id}?msg=alterada")).into_response());
        }
        Err(e) => e.into_issues()?,
    };
    let detail = state.requests.detail(&actor, id).await?;
    let entry = state
        .requests
        .catalogue_entry(detail.request.api_id)
        .await?;
    let page = form_page(&state, &user, &entry, form, issues, Some(&detail.request)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
