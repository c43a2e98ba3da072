//! `/api/v1/requests…`: the lifecycle over JSON, on the same services as the HTML UI.

use adesao_domain::{Volume, VolumeError};
use adesao_services::requests::{ListQuery, PatchInput, actor_of};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::auth::ApiUser;
use super::extract::{ApiJson, ApiPath, ApiQuery, OptionalJson, integer};
use super::problem::Problem;
use super::schemas;
use super::views::{EventView, ListItemView, Page, RequestView};
use crate::state::AppState;

type ApiResult<T> = Result<T, Problem>;

/// The list's filters (as the UI's), and its page.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParamsQuery {
    /// A request number, `NNNNNN/AAAA`.
    #[param(schema_with = schemas::request_number)]
    number: Option<String>,
    #[serde(rename = "type")]
    #[param(schema_with = schemas::request_type)]
    request_type: Option<String>,
    #[param(schema_with = schemas::request_status)]
    status: Option<String>,
    #[param(schema_with = schemas::id)]
    requester_id: Option<i64>,
    #[param(schema_with = schemas::id)]
    provider_id: Option<i64>,
    #[param(schema_with = schemas::id)]
    api_id: Option<i64>,
    /// 1 to 1,000,000; past the last page the answer is 404.
    #[param(schema_with = schemas::page)]
    page: Option<i64>,
    /// 1 to 100 (default 20).
    #[param(schema_with = schemas::per_page)]
    per_page: Option<i64>,
    /// As the UI's "Mostrar": `proprias` (the caller's organization's requests, the default of
    /// managers), `cedente` (to its APIs) or `todas` (program admins only; 403 otherwise).
    #[param(schema_with = schemas::show)]
    show: Option<String>,
}

impl ListParamsQuery {
    /// The query judged for `actor`, as the list and the reports take it.
    pub fn judge(
        self,
        actor: &adesao_domain::access::Actor,
    ) -> Result<adesao_services::requests::ListParams, adesao_services::ServiceError> {
        ListQuery {
            show: self.show,
            number: self.number,
            request_type: self.request_type,
            status: self.status,
            requester_id: self.requester_id,
            provider_id: self.provider_id,
            api_id: self.api_id,
            page: self.page,
            per_page: self.per_page,
        }
        .judge(actor, 20)
    }
}

/// The requests the caller may see, newest activity first, filtered.
#[utoipa::path(get, path = "/requests", operation_id = "listRequests", tag = "requests",
    security(("bearer" = [])), params(ListParamsQuery),
    responses((status = 200, body = Page<ListItemView>), (status = 403, body = Problem),
        (status = 404, description = "A page past the last", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiQuery(q): ApiQuery<ListParamsQuery>,
) -> ApiResult<Json<Page<ListItemView>>> {
    let actor = actor_of(&account);
    let params = q.judge(&actor)?;
    let page = state.requests.list(&actor, &params).await?;
    Ok(Json(Page::new(
        page.items.iter().map(ListItemView::from).collect(),
        page.total,
        page.page,
        page.per_page,
    )))
}

/// The body of Incluir (`POST`): the fields a draft needs.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequestBody {
    #[schema(schema_with = schemas::id, required = true)]
    #[serde(default, deserialize_with = "integer::option")]
    api_id: Option<i64>,
    #[serde(rename = "type")]
    #[schema(schema_with = schemas::request_type, required = true)]
    request_type: Option<String>,
    #[schema(schema_with = schemas::id, required = true)]
    #[serde(default, deserialize_with = "integer::option")]
    it_director_id: Option<i64>,
    #[schema(schema_with = schemas::id, required = true)]
    #[serde(default, deserialize_with = "integer::option")]
    technical_lead_id: Option<i64>,
    #[schema(schema_with = schemas::volume, required = true)]
    requested_volume: Option<Value>,
    /// The six sections of the LGPD template; each may stay empty in a draft.
    purpose: Option<PurposeBody>,
}

/// The body of Alterar (`PATCH`): any subset of the fields.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestChangesBody {
    #[schema(schema_with = schemas::nullable_id)]
    #[serde(default, deserialize_with = "integer::option")]
    api_id: Option<i64>,
    #[serde(rename = "type")]
    #[schema(schema_with = schemas::request_type)]
    request_type: Option<String>,
    #[schema(schema_with = schemas::nullable_id)]
    #[serde(default, deserialize_with = "integer::option")]
    it_director_id: Option<i64>,
    #[schema(schema_with = schemas::nullable_id)]
    #[serde(default, deserialize_with = "integer::option")]
    technical_lead_id: Option<i64>,
    #[schema(schema_with = schemas::volume)]
    requested_volume: Option<Value>,
    purpose: Option<PurposeBody>,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurposeBody {
    #[schema(schema_with = schemas::nullable_legal_bases)]
    legal_bases: Option<Vec<String>>,
    /// Required before release when `legal_bases` holds `other`.
    #[schema(schema_with = schemas::section)]
    legal_basis_other: Option<String>,
    #[schema(schema_with = schemas::section)]
    data_usage: Option<String>,
    #[schema(schema_with = schemas::section)]
    public_policies: Option<String>,
    #[schema(schema_with = schemas::section)]
    legal_provision: Option<String>,
    #[schema(schema_with = schemas::section)]
    citizen_results: Option<String>,
    #[schema(schema_with = schemas::section)]
    retention: Option<String>,
}

/// A volume as JSON carries it: a whole number of calls. Anything else is refused by field
/// (the body is read as JSON values so that a wrong type is named, not a broken body).
fn volume(v: Option<Value>) -> Option<Result<Volume, VolumeError>> {
    v.map(|v| match v {
        Value::Null => Err(VolumeError::Empty),
        Value::Number(n) if n.as_u64().is_some() => Volume::new(n.as_u64().unwrap_or(0)),
        other => match integer::of(&other) {
            Some(n) if n < 1 => Err(VolumeError::Zero),
            Some(n) => Volume::new(n as u64),
            None if other.as_f64().is_some_and(|f| f > 9.0e15) => Err(VolumeError::TooLarge),
            None => Err(VolumeError::NotANumber),
        },
    })
}

/// What a body says, in the terms the services judge for both skins.
fn input(
    api_id: Option<i64>,
    request_type: Option<String>,
    it_director_id: Option<i64>,
    technical_lead_id: Option<i64>,
    requested_volume: Option<Value>,
    purpose: Option<PurposeBody>,
) -> PatchInput {
    let purpose = purpose.unwrap_or_default();
    PatchInput {
        api_id,
        request_type,
        it_director_id,
        technical_lead_id,
        requested_volume: volume(requested_volume),
        legal_bases: purpose.legal_bases.clone(),
        texts: purpose.texts(),
    }
}

impl PurposeBody {
    /// The texts given (absent and `null` leave the field as it is).
    fn texts(self) -> Vec<(&'static str, String)> {
        [
            ("legal_basis_other", self.legal_basis_other),
            ("data_usage", self.data_usage),
            ("public_policies", self.public_policies),
            ("legal_provision", self.legal_provision),
            ("citizen_results", self.citizen_results),
            ("retention", self.retention),
        ]
        .into_iter()
        .filter_map(|(field, text)| text.map(|t| (field, t)))
        .collect()
    }
}

pub(super) async fn detail_json(
    state: &AppState,
    actor: &adesao_domain::access::Actor,
    id: i64,
) -> ApiResult<Json<RequestView>> {
    let detail = state.requests.detail(actor, id).await?;
    Ok(Json(RequestView::from(&detail)))
}

/// Incluir: a new draft, numbered NNNNNN/AAAA.
#[utoipa::path(post, path = "/requests", operation_id = "createRequest", tag = "requests",
    security(("bearer" = [])), request_body = NewRequestBody,
    responses((status = 201, body = RequestView, headers(("Location" = String, description = "The new request"))),
        (status = 403, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiJson(body): ApiJson<NewRequestBody>,
) -> ApiResult<Response> {
    let actor = actor_of(&account);
    let patch = input(
        body.api_id,
        body.request_type,
        body.it_director_id,
        body.technical_lead_id,
        body.requested_volume,
        body.purpose,
    )
    .judge()?;
    let created = state.requests.create(&actor, patch, None).await?;
    let view = detail_json(&state, &actor, created.id).await?;
    let mut response = (StatusCode::CREATED, view).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/requests/{}", created.id)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// One request with its signatures, attachments and the caller's possible actions.
#[utoipa::path(get, path = "/requests/{id}", operation_id = "getRequest", tag = "requests",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = RequestView)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RequestView>> {
    detail_json(&state, &actor_of(&account), id).await
}

/// Alterar (any subset of fields). After release it returns the request to draft and voids
/// its signatures.
#[utoipa::path(patch, path = "/requests/{id}", operation_id = "updateRequest", tag = "requests",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)), request_body = RequestChangesBody,
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RequestChangesBody>,
) -> ApiResult<Json<RequestView>> {
    let actor = actor_of(&account);
    let patch = input(
        body.api_id,
        body.request_type,
        body.it_director_id,
        body.technical_lead_id,
        body.requested_volume,
        body.purpose,
    )
    .judge()?;
    state.requests.update(&actor, id, patch).await?;
    detail_json(&state, &actor, id).await
}

/// An optional comment, recorded in the history.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    #[schema(schema_with = schemas::comment)]
    comment: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    /// At most the requested volume.
    #[schema(schema_with = schemas::volume, required = true)]
    authorized_volume: Option<Value>,
    #[schema(schema_with = schemas::comment)]
    comment: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseBody {
    #[schema(schema_with = schemas::justification, required = true)]
    justification: Option<String>,
}

/// Liberar para Assinatura: every rule of release checked; both signers are e-mailed.
#[utoipa::path(post, path = "/requests/{id}/release", operation_id = "releaseRequest", tag = "requests",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    request_body(content = Option<CommentBody>, description = "Optional"),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn release(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(body): OptionalJson<CommentBody>,
) -> ApiResult<Json<RequestView>> {
    let actor = actor_of(&account);
    state
        .requests
        .release(&actor, id, body.comment.as_deref())
        .await?;
    detail_json(&state, &actor, id).await
}

/// Cancelar, while a draft or awaiting signatures.
#[utoipa::path(post, path = "/requests/{id}/cancel", operation_id = "cancelRequest", tag = "requests",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    request_body(content = Option<CommentBody>, description = "Optional"),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(body): OptionalJson<CommentBody>,
) -> ApiResult<Json<RequestView>> {
    let actor = actor_of(&account);
    state
        .requests
        .cancel(&actor, id, body.comment.as_deref())
        .await?;
    detail_json(&state, &actor, id).await
}

/// Deferir (program admins): the access is released; the authorized volume becomes current.
#[utoipa::path(post, path = "/requests/{id}/grant", operation_id = "grantRequest", tag = "requests",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    request_body(content = Option<CommentBody>, description = "Optional"),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn grant(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(body): OptionalJson<CommentBody>,
) -> ApiResult<Json<RequestView>> {
    let actor = actor_of(&account);
    state
        .requests
        .grant(&actor, id, body.comment.as_deref())
        .await?;
    detail_json(&state, &actor, id).await
}

/// Nova Solicitação: a new draft copied from a refused request (the answer is the copy).
#[utoipa::path(post, path = "/requests/{id}/copy", operation_id = "copyRequest", tag = "requests",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn copy(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RequestView>> {
    let actor = actor_of(&account);
    let copy = state.requests.copy(&actor, id).await?;
    detail_json(&state, &actor, copy.id).await
}

/// Aprovar (provider analysts), with the authorized yearly volume.
#[utoipa::path(post, path = "/requests/{id}/approve", operation_id = "approveRequest", tag = "requests",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)), request_body = ApproveBody,
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ApproveBody>,
) -> ApiResult<Json<RequestView>> {
    let actor = actor_of(&account);
    let volume = volume(body.authorized_volume).unwrap_or(Err(VolumeError::Empty));
    state
        .requests
        .approve(&actor, id, volume, body.comment.as_deref())
        .await?;
    detail_json(&state, &actor, id).await
}

/// Recusar (provider analysts), with a justification the requester sees.
#[utoipa::path(post, path = "/requests/{id}/refuse", operation_id = "refuseRequest", tag = "requests",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)), request_body = RefuseBody,
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn refuse(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RefuseBody>,
) -> ApiResult<Json<RequestView>> {
    let actor = actor_of(&account);
    state
        .requests
        .refuse(&actor, id, body.justification.as_deref().unwrap_or(""))
        .await?;
    detail_json(&state, &actor, id).await
}

/// The history, newest first.
#[utoipa::path(get, path = "/requests/{id}/history", operation_id = "getRequestHistory", tag = "requests",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Vec<EventView>)))]
pub async fn history(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<EventView>>> {
    let history = state.requests.history(&actor_of(&account), id).await?;
    Ok(Json(history.iter().map(EventView::from).collect()))
}
