//! The REST API, `/api/v1`: the letter operations of the staff pages for other systems (a
//! regency dashboard, a kiosk, a partner app). Staff authenticate with a bearer token made on
//! their account page; errors are JSON `{code, message}` (plus `fields` for invalid input).
//! The CSRF middleware leaves `/api/` alone: browsers never send these tokens by themselves.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use balai_app::letters::NewRequestInput;
use balai_app::{Actor, AppError, StaffUser};
use balai_domain::surat::state::RequestAction;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/desa/{code}/jenis-surat", get(catalogue))
        .route("/api/v1/desa/{code}/permohonan", get(queue).post(create))
        .route("/api/v1/permohonan/{id}", get(request))
        .route("/api/v1/permohonan/{id}/aksi", post(act))
        .route("/api/v1/permohonan/{id}/tandatangani", post(sign))
        .route("/api/v1/permohonan/{id}/surat.pdf", get(pdf))
        .route("/api/v1/verifikasi/{token}", get(verify))
        .route("/api/{*rest}", axum::routing::any(unknown))
}

/// An error as API clients get it.
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: &str) -> Self {
        ApiError { status, body: json!({"code": code, "message": message}) }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = match &e {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated | AppError::LoginFailed => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Invalid(_) | AppError::ImportRejected(..) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::LockedOut { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) | AppError::AlreadyDone(_) => StatusCode::CONFLICT,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::error!(code = e.code(), error = %e, "API request failed");
        }
        let mut body = json!({"code": e.code(), "message": e.user_message()});
        if let AppError::Invalid(errors) = &e {
            body["fields"] = errors.iter().map(|f| json!({"field": f.field, "message": f.message})).collect();
        }
        ApiError { status, body }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        response
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// The staff member behind the request's `Authorization: Bearer …` token.
pub struct ApiStaff(pub StaffUser);

impl ApiStaff {
    fn actor(&self) -> Actor {
        Actor::Staff(self.0.clone())
    }
}

impl FromRequestParts<AppState> for ApiStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(token) = token else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Sertakan token API di header Authorization: Bearer <token>.",
            ));
        };
        match state.app.authenticate_api(token).await? {
            Some(user) => Ok(ApiStaff(user)),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Token API tidak dikenal atau sudah dicabut.",
            )),
        }
    }
}

/// A JSON body; a body that is not JSON of the expected shape gets a JSON error.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                &format!("Isi permintaan harus JSON yang sesuai: {}", rejection.body_text()),
            )),
        }
    }
}

async fn unknown() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "Alamat API ini tidak ada.")
}

async fn catalogue(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Response> {
    let village = state.app.village_view(&code).await?;
    let catalogue = state.app.letter_catalogue(&village.region.code).await?;
    let types: Vec<Value> =
        catalogue.into_iter().filter(|t| t.active).map(|t| serde_json::to_value(t.spec).unwrap_or_default()).collect();
    Ok(axum::Json(json!({"village": code, "letter_types": types})).into_response())
}

async fn queue(State(state): State<AppState>, staff: ApiStaff, Path(code): Path<String>) -> ApiResult<Response> {
    let items = state.app.letter_queue(&staff.actor(), &code).await?;
    let items: Vec<Value> = items
        .into_iter()
        .map(|i| {
            json!({
                "id": i.request.id,
                "letter_type": i.request.letter_type,
                "letter_type_name": i.type_name,
                "state": i.state.as_str(),
                "channel": i.request.channel,
                "received_at": i.request.received_at,
                "due_on": i.request.due_on,
                "sla": i.sla,
                "person_name": i.person_name,
            })
        })
        .collect();
    Ok(axum::Json(json!({"requests": items})).into_response())
}

#[derive(Deserialize)]
struct NewRequestBody {
    letter_type: String,
    nik: String,
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

async fn create(
    State(state): State<AppState>,
    staff: ApiStaff,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<NewRequestBody>,
) -> ApiResult<Response> {
    let input = NewRequestInput { letter_type: body.letter_type, nik: body.nik, fields: body.fields };
    let request = state.app.create_walk_in_request(&staff.actor(), &code, input).await?;
    let body = json!({"id": request.id, "state": request.state, "due_on": request.due_on});
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

async fn request(State(state): State<AppState>, staff: ApiStaff, Path(id): Path<String>) -> ApiResult<Response> {
    let view = state.app.letter_request(&staff.actor(), &id).await?;
    let body = json!({
        "id": view.request.id,
        "village_code": view.request.village_code,
        "letter_type": view.request.letter_type,
        "letter_type_name": view.letter_type.name,
        "state": view.state.as_str(),
        "state_label": view.state.label(),
        "channel": view.request.channel,
        "fields": view.request.fields,
        "note": view.request.note,
        "received_at": view.request.received_at,
        "due_on": view.request.due_on,
        "sla": view.sla,
        "person": {"nama": view.person.nama, "nik": view.person.nik, "no_kk": view.person.no_kk},
        "events": view.events.iter().map(|e| json!({
            "at": e.at, "action": e.action, "from": e.from_state, "to": e.to_state, "note": e.note,
        })).collect::<Vec<_>>(),
        "attachments": view.attachments.iter().map(|a| json!({
            "id": a.id, "requirement": a.requirement, "file_name": a.file_name, "content_type": a.content_type,
            "size_bytes": a.size_bytes, "sha256": a.sha256, "replaced": a.replaced,
        })).collect::<Vec<_>>(),
        "messages": view.messages.iter().map(|m| json!({
            "channel": m.channel, "status": m.status, "attempts": m.attempts, "subject": m.subject,
        })).collect::<Vec<_>>(),
        "letter": view.letter.as_ref().map(|l| letter_json(&state, l)),
    });
    Ok(axum::Json(body).into_response())
}

fn letter_json(state: &AppState, l: &balai_store::letters::IssuedLetter) -> Value {
    json!({
        "number": l.number,
        "issued_on": l.issued_on,
        "signer_name": l.signer_name,
        "pdf_sha256": l.pdf_sha256,
        "verification_url": format!("{}/v/{}", state.app.config().public_url.trim_end_matches('/'), l.token),
        "revoked": l.revoked_at.is_some(),
    })
}

#[derive(Deserialize)]
struct ActionBody {
    action: String,
    #[serde(default)]
    note: String,
}

async fn act(
    State(state): State<AppState>,
    staff: ApiStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActionBody>,
) -> ApiResult<Response> {
    let Ok(action) = body.action.parse::<RequestAction>() else {
        return Err(AppError::invalid("action", "Tindakan tidak dikenal.").into());
    };
    let actor = staff.actor();
    state.app.act_on_request(&actor, &id, action, &body.note).await?;
    let view = state.app.letter_request(&actor, &id).await?;
    Ok(axum::Json(json!({"id": id, "state": view.state.as_str()})).into_response())
}

async fn sign(State(state): State<AppState>, staff: ApiStaff, Path(id): Path<String>) -> ApiResult<Response> {
    let letter = state.app.sign_request(&staff.actor(), &id).await?;
    Ok((StatusCode::CREATED, axum::Json(letter_json(&state, &letter))).into_response())
}

async fn pdf(State(state): State<AppState>, staff: ApiStaff, Path(id): Path<String>) -> ApiResult<Response> {
    let (_, bytes) = state.app.letter_pdf_for_request(&staff.actor(), &id).await?;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], bytes).into_response())
}

#[derive(Deserialize)]
struct VerifyQuery {
    s: Option<String>,
}

async fn verify(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<VerifyQuery>,
) -> ApiResult<Response> {
    let v = state.app.verify_letter(&token, q.s.as_deref()).await?;
    let valid = v.signature_valid && v.qr_signature_valid != Some(false) && !v.revoked;
    Ok(axum::Json(json!({
        "status": if v.revoked { "revoked" } else if valid { "valid" } else { "invalid" },
        "number": v.number,
        "letter_type": v.letter_type,
        "issued_on": v.issued_on,
        "village": v.village,
        "name": v.masked_name,
        "signer": v.signer_name,
        "signer_title": v.signer_title,
        "revoke_reason": v.revoke_reason,
        "pdf_sha256": v.pdf_sha256,
    }))
    .into_response())
}
