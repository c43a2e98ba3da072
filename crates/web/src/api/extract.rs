//! Extractors of the API whose every refusal is problem+json in pt-BR, never axum's English
//! `text/plain`: the path, the query, a JSON body (required or optional) and a multipart body.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::problem::Problem;

/// A JSON body.
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
                    "O JSON não tem a forma esperada: verifique os nomes, os tipos e os campos obrigatórios.",
                ))
            }
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
            Err(_) => Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "O corpo da requisição não é um JSON válido.",
            )),
        }
    }
}

/// A JSON body that may be absent altogether (the optional comment of a transition): no body,
/// or an empty one, is `T::default()`.
pub struct OptionalJson<T>(pub T);

impl<S, T> FromRequest<S> for OptionalJson<T>
where
    T: DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let empty = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v == "0")
            || (!req.headers().contains_key(header::CONTENT_TYPE)
                && !req.headers().contains_key(header::TRANSFER_ENCODING));
        if empty {
            return Ok(OptionalJson(T::default()));
        }
        // `null` is as good as no body.
        let ApiJson(value) = ApiJson::<Option<T>>::from_request(req, state).await?;
        Ok(OptionalJson(value.unwrap_or_default()))
    }
}

/// The parameters of the path (`/requests/{id}`): a value of the wrong type is a 400.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(e) => {
                tracing::debug!(error = %e.body_text(), "malformed path");
                Err(Problem::new(
                    StatusCode::BAD_REQUEST,
                    "O endereço tem um identificador inválido: use o número que a API informou.",
                ))
            }
        }
    }
}

/// The query string: a parameter of the wrong type is a 400.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(e) => {
                tracing::debug!(error = %e.body_text(), "malformed query");
                Err(Problem::new(
                    StatusCode::BAD_REQUEST,
                    "Parâmetros de consulta inválidos: verifique os nomes e os tipos dos valores.",
                ))
            }
        }
    }
}

/// A `multipart/form-data` body.
pub struct ApiMultipart(pub Multipart);

impl<S> FromRequest<S> for ApiMultipart
where
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        match Multipart::from_request(req, state).await {
            Ok(m) => Ok(ApiMultipart(m)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
            Err(_) => Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Envie o anexo como multipart/form-data, com os campos kind e file.",
            )),
        }
    }
}

fn too_large() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "O corpo da requisição é grande demais.",
    )
}

/// Serde helpers for JSON integers: JSON has one number type, so `7.0` is the integer 7 to a
/// client (and to JSON Schema), though not to serde's `i64`.
pub mod integer {
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    /// The integer a JSON number stands for, if it stands for one.
    pub fn of(value: &Value) -> Option<i64> {
        match value {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            }),
            _ => None,
        }
    }

    /// For an optional integer field; a value that is not a whole number is a refusal of the
    /// body's shape (422), as serde's own would be.
    pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(v) => of(&v)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("expected an integer")),
        }
    }

    /// As [`option`], for a field that may be left out but not sent as `null` (use with
    /// `#[serde(default)]`).
    pub fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Err(serde::de::Error::custom("null")),
            Some(v) => of(&v)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("expected an integer")),
        }
    }
}

/// For a field that may be left out (`#[serde(default)]`) but not sent as `null`: the schema
/// says what the field is, and `null` is not one (422, like any other wrong type).
pub mod present {
    use serde::{Deserialize, Deserializer};

    pub fn option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        match Option::<T>::deserialize(d)? {
            None => Err(serde::de::Error::custom("null")),
            some => Ok(some),
        }
    }
}
