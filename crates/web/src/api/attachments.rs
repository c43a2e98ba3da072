//! `/api/v1/requests/{id}/attachments…` and the model files of the catalogue.

use adesao_domain::AttachmentKind;
use adesao_services::requests::actor_of;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::auth::ApiUser;
use super::extract::{ApiMultipart, ApiPath};
use super::problem::{FieldError, Problem};
use super::schemas;
use super::views::AttachmentView;
use crate::format::rfc3339;
use crate::state::AppState;
use crate::upload::{self, UploadError};

/// The attachments of a request (metadata).
#[utoipa::path(get, path = "/requests/{id}/attachments", operation_id = "listAttachments", tag = "attachments",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Vec<AttachmentView>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<AttachmentView>>, Problem> {
    let detail = state.requests.detail(&actor_of(&account), id).await?;
    Ok(Json(
        detail
            .attachments
            .iter()
            .map(AttachmentView::from)
            .collect(),
    ))
}

pub fn upload_problem(e: UploadError) -> Problem {
    let message = e.message();
    match e {
        UploadError::TooLarge { .. } => Problem::new(StatusCode::PAYLOAD_TOO_LARGE, message),
        UploadError::MissingFile => Problem::validation(vec![FieldError {
            field: "file".into(),
            message,
        }]),
        UploadError::CsrfFirst | UploadError::Malformed => {
            Problem::new(StatusCode::BAD_REQUEST, message)
        }
    }
}

/// The multipart body of Anexar. (Read by `upload::read`; the derive is for the document, and
/// `deny_unknown_fields` makes it say that no other field is expected.)
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UploadForm {
    /// A kind the request's API asks for.
    #[schema(schema_with = schemas::attachment_kind)]
    kind: String,
    /// The signed document, a PDF (judged by its content).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Anexar: `multipart/form-data` with `kind` (`form`, `official_letter`, `other`) and `file`
/// (a PDF, checked by content within limits; at most ADESAO_MAX_UPLOAD_BYTES; a request holds at
/// most 20 attachments, together at most five times that size).
#[utoipa::path(post, path = "/requests/{id}/attachments", operation_id = "uploadAttachment", tag = "attachments",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 503, description = "Every PDF checking slot is busy: try again after Retry-After", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<(StatusCode, Json<AttachmentView>), Problem> {
    let upload = upload::read(multipart, state.max_upload_bytes, false)
        .await
        .map_err(upload_problem)?;
    let meta = state
        .requests
        .add_attachment(
            &actor_of(&account),
            id,
            upload.kind,
            &upload.filename,
            &upload.content,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(AttachmentView::from(&meta))))
}

/// Baixar: the PDF, byte for byte.
#[utoipa::path(get, path = "/requests/{id}/attachments/{aid}", operation_id = "downloadAttachment", tag = "attachments",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1), ("aid" = i64, Path, minimum = 1)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>)))]
pub async fn download(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath((id, aid)): ApiPath<(i64, i64)>,
) -> Result<Response, Problem> {
    let (meta, content) = state
        .requests
        .attachment(&actor_of(&account), id, aid)
        .await?;
    Ok(upload::download(&meta.filename, "application/pdf", content))
}

/// Remover: while the request is a draft.
#[utoipa::path(delete, path = "/requests/{id}/attachments/{aid}", operation_id = "deleteAttachment", tag = "attachments",
    security(("bearer" = [])), params(("id" = i64, Path, minimum = 1), ("aid" = i64, Path, minimum = 1)),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(account): ApiUser,
    ApiPath((id, aid)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, Problem> {
    state
        .requests
        .remove_attachment(&actor_of(&account), id, aid)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ModelPath {
    /// The API.
    #[param(minimum = 1)]
    id: i64,
    #[param(schema_with = schemas::attachment_kind)]
    kind: String,
}

/// The model file of an API's attachment requirement, to fill in and sign: an OpenDocument file
/// (such as `.odt`), a PDF or a Word `.docx`, as the program team uploaded it.
#[utoipa::path(get, path = "/apis/{id}/models/{kind}", operation_id = "downloadModel", tag = "catalogue",
    security(("bearer" = [])),
    params(ModelPath),
    responses((status = 200, content(
        (Vec<u8> = "application/vnd.oasis.opendocument.text"),
        (Vec<u8> = "application/vnd.oasis.opendocument.text-template"),
        (Vec<u8> = "application/vnd.oasis.opendocument.spreadsheet"),
        (Vec<u8> = "application/vnd.oasis.opendocument.spreadsheet-template"),
        (Vec<u8> = "application/vnd.oasis.opendocument.presentation"),
        (Vec<u8> = "application/vnd.oasis.opendocument.graphics"),
        (Vec<u8> = "application/pdf"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ))))]
pub async fn model(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
    ApiPath(ModelPath { id: api_id, kind }): ApiPath<ModelPath>,
) -> Result<Response, Problem> {
    let kind: AttachmentKind = kind.parse().map_err(|_| Problem::not_found())?;
    let (filename, media_type, content) = state.requests.model_file(api_id, kind).await?;
    Ok(model_download(&filename, &media_type, content))
}

/// Model files are `.odt`: keep their own name (not the PDF sanitiser's).
pub fn model_download(filename: &str, media_type: &str, content: Vec<u8>) -> Response {
    upload::download(filename, media_type, content).into_response()
}

impl From<&adesao_store::attachments::AttachmentMeta> for AttachmentView {
    fn from(a: &adesao_store::attachments::AttachmentMeta) -> Self {
        Self {
            id: a.id,
            kind: a.kind,
            filename: a.filename.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
            uploaded_at: rfc3339(a.uploaded_at),
        }
    }
}
