//! A JSON body extractor whose refusals are problem+json in pt-BR, not axum's plain text.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::problem::Problem;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Envie o corpo em JSON, com Content-Type: application/json.",
            )),
            // serde's own text is English and names Rust types: keep it in the logs only.
            Err(JsonRejection::JsonDataError(e)) => {
                tracing::debug!(error = %e.body_text(), "JSON body of the wrong shape");
                Err(Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "O JSON não tem a forma esperada: verifique os nomes e os tipos dos campos.",
                ))
            }
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "O corpo da requisição é grande demais.",
            )),
            Err(_) => Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "O corpo da requisição não é um JSON válido.",
            )),
        }
    }
}
