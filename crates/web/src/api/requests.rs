//! `/api/v1/requests…`: the lifecycle over JSON, on the same services as the HTML UI.

use adesao_domain::{LegalBasis, RequestStatus, RequestType, Volume, VolumeError};
use adesao_services::requests::{PurposePatch, RequestPatch, Show, actor_of};
use adesao_store::request_list::Filter;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::auth::ApiUser;
use super::json::ApiJson;
use super::problem::{FieldError, Problem};
use super::views::{EventView, ListItemView, Page, RequestView};
use crate::state::AppState;

type ApiResult<T> = Result<T, Problem>;

#[derive(Deserialize, Default, utoipa::IntoParams)]
pub struct ListQuery {
    number: Option<String>,
    #[serde(rename = "type")]
    request_type: Option<String>,
    status: Option<String>,
    requester_id: Option<i64>,
    provider_id: Option<i64>,
    api_id: Option<i64>,
    /// 1 to 1,000,000.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    /// 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
    /// `proprias`, `cedente` or `todas` (as the UI's "Mostrar").
    show: Option<String>,
}

pub(super) fn bad_query(field: &str, message: &str) -> Problem {
    let mut p = Problem::validation(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }]);
    p.status = 400;
    p.title = "Requisição malformada";
    p
}

/// The requests the caller may see, newest activity first, filtered.
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Page<ListItemView>), (status = 400, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Page<ListItemView>>> {
    let Query(q) = query
        .map_err(|_| Problem::new(StatusCode::BAD_REQUEST, "Parâmetros de consulta inválidos."))?;
    let actor = actor_of(&account);
    if q.number
        .as_deref()
        .is_some_and(adesao_domain::text::has_control_characters)
    {
        return Err(bad_query(
            "number",
            "Número inválido: use o formato 000001/2026.",
        ));
    }
    let filter = Filter {
        number: q
            .number
            .filter(|n| !n.trim().is_empty())
            .map(|n| n.trim().to_owned()),
        request_type: parse_opt::<RequestType>(q.request_type.as_deref())
            .map_err(|_| bad_query("type", "Tipo inválido: use adhesion ou volume_change."))?,
        status: parse_opt::<RequestStatus>(q.status.as_deref())
            .map_err(|_| bad_query("status", "Situação inválida."))?,
        requester_id: q.requester_id,
        provider_id: q.provider_id,
        api_id: q.api_id,
    };
    let show = match q.show.as_deref() {
        None | Some("") => Show::default_for(&actor),
        Some(code) => {
            Show::parse(code).ok_or_else(|| bad_query("show", "Use proprias, cedente ou todas."))?
        }
    };
    let (page, per_page) = super::paging(q.page, q.per_page, 20)?;
    let page = state
        .requests
        .list(&actor, show, &filter, page, per_page)
        .await?;
    Ok(Json(Page {
        items: page.items.iter().map(ListItemView::from).collect(),
        total: page.total,
        total_is_lower_bound: page.total_is_capped(),
        page: page.page,
        per_page: page.per_page,
    }))
}

fn parse_opt<T: std::str::FromStr>(s: Option<&str>) -> Result<Option<T>, ()> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| ()),
    }
}

/// The body of POST and PATCH. Codes and volumes are read loosely so that a wrong value is
/// reported by field (422) rather than as a malformed body.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    api_id: Option<i64>,
    #[serde(rename = "type")]
    request_type: Option<String>,
    it_director_id: Option<i64>,
    technical_lead_id: Option<i64>,
    /// A number, or text such as "1.000.000".
    #[schema(value_type = Option<u64>)]
    requested_volume: Option<Value>,
    purpose: Option<PurposeBody>,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurposeBody {
    legal_bases: Option<Vec<String>>,
    legal_basis_other: Option<String>,
    data_usage: Option<String>,
    public_policies: Option<String>,
    legal_provision: Option<String>,
    citizen_results: Option<String>,
    retention: Option<String>,
}

pub fn volume_from_json(v: &Value) -> Result<Volume, VolumeError> {
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(u) => Volume::new(u),
            None => Err(VolumeError::NotANumber),
        },
        Value::String(s) => Volume::parse(s),
        Value::Null => Err(VolumeError::Empty),
        _ => Err(VolumeError::NotANumber),
    }
}

fn patch_of(body: RequestBody) -> Result<RequestPatch, Problem> {
    let mut errors = Vec::new();
    let request_type = match body.request_type.as_deref() {
        None => None,
        Some(code) => match code.parse::<RequestType>() {
            Ok(t) => Some(t),
            Err(_) => {
                errors.push(FieldError {
                    field: "type".into(),
                    message: "Tipo inválido: use adhesion ou volume_change.".into(),
                });
                None
            }
        },
    };
    let purpose = body.purpose.unwrap_or_default();
    let legal_bases = match purpose.legal_bases {
        None => None,
        Some(codes) => {
            let parsed: Result<Vec<LegalBasis>, _> =
                codes.iter().map(|c| c.parse::<LegalBasis>()).collect();
            match parsed {
                Ok(v) => Some(v),
                Err(_) => {
                    errors.push(FieldError {
                        field: "legal_bases".into(),
                        message: "Hipótese inválida: use public_policy, legal_obligation ou other."
                            .into(),
                    });
                    None
                }
            }
        }
    };
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    Ok(RequestPatch {
        api_id: body.api_id,
        request_type,
        it_director_id: body.it_director_id,
        technical_lead_id: body.technical_lead_id,
        requested_volume: body.requested_volume.as_ref().map(volume_from_json),
        purpose: PurposePatch {
            legal_bases,
            legal_basis_other: purpose.legal_basis_other,
            data_usage: purpose.data_usage,
            public_policies: purpose.public_policies,
            legal_provision: purpose.legal_provision,
            citizen_results: purpose.citizen_results,
            retention: purpose.retention,
        },
    })
}

async fn detail_json(
    state: &AppState,
    actor: &adesao_domain::access::Actor,
    id: i64,
) -> ApiResult<RequestView> {
    let detail = state.requests.detail(actor, id).await?;
    Ok(RequestView::from(&detail))
}

/// Incluir: a new draft, numbered NNNNNN/AAAA.
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", security(("bearer" = [])), request_body = RequestBody,
    responses((status = 201, body = RequestView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiJson(body): ApiJson<RequestBody>,
) -> ApiResult<Response> {
    let actor = actor_of(&account);
    let created = state.requests.create(&actor, patch_of(body)?, None).await?;
    let view = detail_json(&state, &actor, created.id).await?;
    let mut response = (StatusCode::CREATED, Json(view)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/requests/{}", created.id)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// One request with its signatures, attachments and the caller's possible actions.
#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RequestView), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<RequestView>> {
    Ok(Json(detail_json(&state, &actor_of(&account), id).await?))
}

/// Alterar (any subset of fields). After release it returns the request to draft and voids signatures.
#[utoipa::path(patch, path = "/api/v1/requests/{id}", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RequestBody,
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RequestBody>,
) -> ApiResult<Json<RequestView>> {
    let actor = actor_of(&account);
    state.requests.update(&actor, id, patch_of(body)?).await?;
    Ok(Json(detail_json(&state, &actor, id).await?))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    comment: Option<String>,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    #[schema(value_type = Option<u64>)]
    authorized_volume: Option<Value>,
    comment: Option<String>,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseBody {
    justification: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    signing_session_id: Option<i64>,
    /// Optional: the `sha256` of `GET …/dsi` the client showed; refused (409) if it changed.
    dsi_sha256: Option<String>,
}

/// A body that may be absent altogether (`release`, `cancel`, `grant` take an optional comment).
pub struct OptionalJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for OptionalJson<T>
where
    T: serde::de::DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        let empty = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v == "0")
            || (!req.headers().contains_key(header::CONTENT_TYPE)
                && !req.headers().contains_key(header::TRANSFER_ENCODING));
        if empty {
            return Ok(OptionalJson(T::default()));
        }
        let ApiJson(value) = ApiJson::<T>::from_request(req, state).await?;
        Ok(OptionalJson(value))
    }
}

/// A transition: `release`, `cancel`, `grant`, `copy` (optional `{"comment"}`), `approve`
/// (`{"authorized_volume", "comment"}`), `refuse` (`{"justification"}`), `sign`
/// (`{"signing_session_id", "dsi_sha256"}`).
#[utoipa::path(post, path = "/api/v1/requests/{id}/{action}", tag = "requests", security(("bearer" = [])),
    params(("id" = i64, Path), ("action" = String, Path, description = "release | cancel | approve | refuse | grant | copy | sign")),
    request_body(content = serde_json::Value, description = "CommentBody, ApproveBody, RefuseBody or SignBody, by action"),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn transition(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    Path((id, action)): Path<(i64, String)>,
    request: axum::extract::Request,
) -> ApiResult<Json<RequestView>> {
    let actor = actor_of(&account);
    let s = &state.requests;
    match action.as_str() {
        "release" | "cancel" | "grant" | "copy" => {
            let OptionalJson(body) =
                OptionalJson::<CommentBody>::from_request(request, &()).await?;
            let comment = body.comment.as_deref();
            let result = match action.as_str() {
                "release" => s.release(&actor, id, comment).await?,
                "cancel" => s.cancel(&actor, id, comment).await?,
                "grant" => s.grant(&actor, id, comment).await?,
                _ => s.copy(&actor, id).await?,
            };
            Ok(Json(detail_json(&state, &actor, result.id).await?))
        }
        "approve" => {
            let OptionalJson(body) =
                OptionalJson::<ApproveBody>::from_request(request, &()).await?;
            let volume = body
                .authorized_volume
                .as_ref()
                .map(volume_from_json)
                .unwrap_or(Err(VolumeError::Empty));
            s.approve(&actor, id, volume, body.comment.as_deref())
                .await?;
            Ok(Json(detail_json(&state, &actor, id).await?))
        }
        "refuse" => {
            let OptionalJson(body) = OptionalJson::<RefuseBody>::from_request(request, &()).await?;
            s.refuse(&actor, id, body.justification.as_deref().unwrap_or(""))
                .await?;
            Ok(Json(detail_json(&state, &actor, id).await?))
        }
        "sign" => {
            let ApiJson(body) = ApiJson::<SignBody>::from_request(request, &()).await?;
            let session = body.signing_session_id.ok_or_else(|| {
                Problem::validation(vec![FieldError {
                    field: "signing_session_id".into(),
                    message: "Informe a autorização de assinatura (signing_session_id).".into(),
                }])
            })?;
            s.sign(&actor, id, session, body.dsi_sha256.as_deref())
                .await?;
            Ok(Json(detail_json(&state, &actor, id).await?))
        }
        _ => Err(Problem::not_found()),
    }
}

use axum::extract::FromRequest;

/// The history, newest first.
#[utoipa::path(get, path = "/api/v1/requests/{id}/history", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<EventView>), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<EventView>>> {
    let detail = state.requests.detail(&actor_of(&account), id).await?;
    Ok(Json(detail.history.iter().map(EventView::from).collect()))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DsiView {
    number: String,
    text: String,
    sha256: String,
}

/// The DSI's canonical text and the SHA-256 a signature covers.
#[utoipa::path(get, path = "/api/v1/requests/{id}/dsi", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = DsiView), (status = 404, body = Problem)))]
pub async fn dsi(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<DsiView>> {
    let detail = state.requests.detail(&actor_of(&account), id).await?;
    let text = detail.dsi.to_text();
    let sha256 = adesao_services::requests::signing::dsi_sha256(&detail.dsi);
    Ok(Json(DsiView {
        number: detail.request.number.clone(),
        text,
        sha256,
    }))
}
