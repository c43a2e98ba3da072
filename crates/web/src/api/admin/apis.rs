//! `/api/v1/admin/apis…`: the catalogue and its model files.

use adesao_domain::AttachmentKind;
use adesao_services::admin::{ApiDetail, ApiInput, RequirementInput};
use adesao_services::requests::actor_of;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{SearchQuery, created_at, page};
use crate::api::auth::ApiUser;
use crate::api::extract::{ApiJson, ApiMultipart, ApiPath, ApiQuery, integer, present};
use crate::api::me::OrganizationView;
use crate::api::problem::{FieldError, Problem};
use crate::api::schemas;
use crate::api::views::Page;
use crate::state::AppState;
use crate::upload::{self, UploadError};

#[derive(Serialize, ToSchema)]
pub struct AdminRequirementView {
    #[schema(schema_with = schemas::attachment_kind)]
    kind: AttachmentKind,
    mandatory: bool,
    has_model: bool,
    model_filename: Option<String>,
}

/// An API of the catalogue as the administration shows it (SPEC §11).
#[derive(Serialize, ToSchema)]
pub struct AdminApiView {
    id: i64,
    name: String,
    description: String,
    provider: OrganizationView,
    accepting_requests: bool,
    active: bool,
    attachment_requirements: Vec<AdminRequirementView>,
}

impl From<&ApiDetail> for AdminApiView {
    fn from(d: &ApiDetail) -> Self {
        Self {
            id: d.api.id,
            name: d.api.name.clone(),
            description: d.api.description.clone(),
            provider: OrganizationView {
                id: d.provider.id,
                name: d.provider.name.clone(),
                acronym: d.provider.acronym.clone(),
                cnpj: d.provider.cnpj.formatted(),
            },
            accepting_requests: d.api.accepting_requests,
            active: d.api.active,
            attachment_requirements: d
                .requirements
                .iter()
                .map(|r| AdminRequirementView {
                    kind: r.kind,
                    mandatory: r.mandatory,
                    has_model: r.model_filename.is_some(),
                    model_filename: r.model_filename.clone(),
                })
                .collect(),
        }
    }
}

/// An attachment an API asks for.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementBody {
    #[schema(schema_with = schemas::attachment_kind)]
    kind: String,
    mandatory: bool,
}

/// A new API: provider and name required.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiBody {
    /// An organization that provides APIs.
    #[schema(schema_with = schemas::id, required = true)]
    #[serde(default, deserialize_with = "integer::present")]
    provider_id: Option<i64>,
    /// Unique per provider.
    #[schema(schema_with = schemas::api_name, required = true)]
    #[serde(default, deserialize_with = "present::option")]
    name: Option<String>,
    #[schema(schema_with = schemas::description)]
    #[serde(default, deserialize_with = "present::option")]
    description: Option<String>,
    /// Whether new requests may be filed for it (default true).
    #[serde(default, deserialize_with = "present::option")]
    accepting_requests: Option<bool>,
    #[serde(default, deserialize_with = "present::option")]
    active: Option<bool>,
    /// What requests for it must attach (default none); each kind once.
    #[serde(default, deserialize_with = "present::option")]
    attachment_requirements: Option<Vec<RequirementBody>>,
}

/// Changes to an API: any subset; `attachment_requirements` replaces the whole set (kinds
/// kept keep their model file).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiChangesBody {
    #[schema(schema_with = schemas::id)]
    #[serde(default, deserialize_with = "integer::present")]
    provider_id: Option<i64>,
    #[schema(schema_with = schemas::api_name)]
    #[serde(default, deserialize_with = "present::option")]
    name: Option<String>,
    #[schema(schema_with = schemas::description)]
    #[serde(default, deserialize_with = "present::option")]
    description: Option<String>,
    #[serde(default, deserialize_with = "present::option")]
    accepting_requests: Option<bool>,
    #[serde(default, deserialize_with = "present::option")]
    active: Option<bool>,
    #[serde(default, deserialize_with = "present::option")]
    attachment_requirements: Option<Vec<RequirementBody>>,
}

fn requirements(list: Option<Vec<RequirementBody>>) -> Option<Vec<RequirementInput>> {
    list.map(|l| {
        l.into_iter()
            .map(|r| RequirementInput {
                kind: r.kind,
                mandatory: r.mandatory,
            })
            .collect()
    })
}

impl From<NewApiBody> for ApiInput {
    fn from(b: NewApiBody) -> Self {
        Self {
            provider_id: b.provider_id,
            name: b.name,
            description: b.description,
            accepting_requests: b.accepting_requests,
            active: b.active,
            requirements: requirements(b.attachment_requirements),
        }
    }
}

impl From<ApiChangesBody> for ApiInput {
    fn from(b: ApiChangesBody) -> Self {
        Self {
            provider_id: b.provider_id,
            name: b.name,
            description: b.description,
            accepting_requests: b.accepting_requests,
            active: b.active,
            requirements: requirements(b.attachment_requirements),
        }
    }
}

/// Every API, open or not, whose name or provider contains `q`, by name.
#[utoipa::path(get, path = "/admin/apis", operation_id = "listAdminApis", tag = "admin",
    security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = Page<AdminApiView>), (status = 403, body = Problem),
        (status = 404, description = "A page past the last", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<Page<AdminApiView>>, Problem> {
    let found = state
        .admin
        .apis(&actor_of(&account), q.q.as_deref(), &q.paging())
        .await?;
    Ok(Json(page(found, |a| AdminApiView::from(a))))
}

/// Adds an API to the catalogue (name unique per provider: 409).
#[utoipa::path(post, path = "/admin/apis", operation_id = "createApi", tag = "admin",
    security(("bearer" = [])), request_body = NewApiBody,
    responses((status = 201, body = AdminApiView, headers(("Location" = String))),
        (status = 403, body = Problem), (status = 409, description = "The provider has an API of that name", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiJson(body): ApiJson<NewApiBody>,
) -> Result<Response, Problem> {
    let created = state
        .admin
        .create_api(&actor_of(&account), &body.into())
        .await?;
    Ok((
        StatusCode::CREATED,
        created_at(format!("/admin/apis/{}", created.api.id)),
        Json(AdminApiView::from(&created)),
    )
        .into_response())
}

#[utoipa::path(get, path = "/admin/apis/{id}", operation_id = "getAdminApi", tag = "admin",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = AdminApiView), (status = 403, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AdminApiView>, Problem> {
    let api = state.admin.api(&actor_of(&account), id).await?;
    Ok(Json(AdminApiView::from(&api)))
}

/// Changes an API. Closed (`accepting_requests: false`) or inactive, it is no longer offered
/// for new requests and its drafts cannot be released; its requests stay readable.
#[utoipa::path(patch, path = "/admin/apis/{id}", operation_id = "updateApi", tag = "admin",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)), request_body = ApiChangesBody,
    responses((status = 200, body = AdminApiView), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ApiChangesBody>,
) -> Result<Json<AdminApiView>, Problem> {
    let api = state
        .admin
        .update_api(&actor_of(&account), id, &body.into())
        .await?;
    Ok(Json(AdminApiView::from(&api)))
}

/// The multipart body of a model file. (Read by `upload::read`; the derive is for the
/// document.)
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ModelForm {
    /// An ODF document (such as `.odt`), a PDF or a Word `.docx`, judged by its content.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The API and the kind of attachment whose model is sent.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ModelPath {
    #[param(minimum = 1)]
    id: i64,
    #[param(schema_with = schemas::attachment_kind)]
    kind: String,
}

pub fn model_upload_problem(e: UploadError) -> Problem {
    match e {
        UploadError::MissingFile => Problem::validation(vec![FieldError {
            field: "file".into(),
            message: "Selecione o arquivo do modelo (ODF, PDF ou Word).".into(),
        }]),
        other => crate::api::attachments::upload_problem(other),
    }
}

/// Sets or replaces the model file users download for an attachment the API asks for.
#[utoipa::path(put, path = "/admin/apis/{id}/models/{kind}", operation_id = "setApiModel", tag = "admin",
    security(("bearer" = [])),
    params(ModelPath),
    request_body(content = ModelForm, content_type = "multipart/form-data"),
    responses((status = 200, body = AdminApiView), (status = 403, body = Problem),
        (status = 503, description = "Every PDF checking slot is busy: try again after Retry-After", body = Problem)))]
pub async fn set_model(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(path): ApiPath<ModelPath>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<Json<AdminApiView>, Problem> {
    let actor = actor_of(&account);
    // Refused before the file is read.
    adesao_services::admin::require_admin(&actor)?;
    let (id, kind) = (
        path.id,
        path.kind
            .parse::<AttachmentKind>()
            .map_err(|_| Problem::not_found())?,
    );
    let upload = upload::read(multipart, state.max_upload_bytes, false)
        .await
        .map_err(model_upload_problem)?;
    let api = state
        .admin
        .set_model(&actor, id, kind, &upload.filename, &upload.content)
        .await?;
    Ok(Json(AdminApiView::from(&api)))
}
