//! The REST API, `/api/v1`: the letter operations of the staff pages for other systems (a
//! regency dashboard, a kiosk, a partner app). Staff authenticate with a bearer token made on
//! their account page; errors are JSON `{code, message}` (plus `fields` for invalid input).
//! The CSRF middleware leaves `/api/` alone: browsers never send these tokens by themselves.
//!
//! Every route is registered through `utoipa_axum`'s `routes!` from its handler's
//! `#[utoipa::path]`, so the OpenAPI 3.1 document at `/api/v1/openapi.json` lists exactly the
//! routes served, with the response types the handlers return.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use balai_app::letters::NewRequestInput;
use balai_app::{Actor, AppError, StaffUser};
use balai_domain::calendar::SlaState;
use balai_domain::surat::state::RequestAction;
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Balai API",
        description = "Layanan surat desa untuk sistem lain: katalog jenis surat, antrean, permohonan, \
                       tindakan, tanda tangan, PDF dan verifikasi. Token API dibuat di halaman akun petugas \
                       (/staf/token) dan dikirim sebagai Authorization: Bearer <token>."
    ),
    modifiers(&BearerToken),
    tags((name = "surat", description = "Permohonan dan surat desa"))
)]
struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("balai_…").build()),
        );
    }
}

/// The documented routes and their OpenAPI document, from the same handlers.
fn documented() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(catalogue))
        .routes(routes!(queue, create))
        .routes(routes!(request))
        .routes(routes!(act))
        .routes(routes!(sign))
        .routes(routes!(pdf))
        .routes(routes!(verify))
        .split_for_parts()
}

static OPENAPI_JSON: LazyLock<String> =
    LazyLock::new(|| documented().1.to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")));

pub fn routes() -> Router<AppState> {
    documented().0.route(OPENAPI_PATH, axum::routing::get(openapi)).route("/api/{*rest}", axum::routing::any(unknown))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON.as_str()).into_response()
}

/// An error as API clients get it.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable: `unauthenticated`, `forbidden`, `not_found`, `invalid_input`, `invalid_json`, `already_done`, `conflict`, `unavailable`, `internal`.
    code: String,
    /// In Indonesian, for people.
    message: String,
    /// With `invalid_input`: what is wrong with which field.
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<Vec<FieldErrorBody>>,
}

#[derive(Serialize, ToSchema)]
struct FieldErrorBody {
    field: String,
    message: String,
}

pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: &str) -> Self {
        ApiError { status, body: ErrorBody { code: code.into(), message: message.into(), fields: None } }
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
        let fields = match &e {
            AppError::Invalid(errors) => Some(
                errors.iter().map(|f| FieldErrorBody { field: f.field.clone(), message: f.message.clone() }).collect(),
            ),
            _ => None,
        };
        ApiError { status, body: ErrorBody { code: e.code().into(), message: e.user_message(), fields } }
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
        let token = crate::security::bearer_token(&parts.headers).map(str::trim);
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

/// The letter types a village offers.
#[derive(Serialize, ToSchema)]
struct Catalogue {
    village: String,
    /// Each active type's specification: slug, name, fields, required attachments, deadline.
    #[schema(value_type = Vec<Object>)]
    letter_types: Vec<Value>,
}

#[utoipa::path(
    get, path = "/api/v1/desa/{code}/jenis-surat", tag = "surat",
    params(("code" = String, Path, description = "Kode wilayah desa, mis. 32.07.06.2001")),
    responses(
        (status = 200, description = "Jenis surat yang dapat diminta", body = Catalogue),
        (status = 404, description = "Desa tidak dikenal", body = ErrorBody),
    )
)]
async fn catalogue(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<axum::Json<Catalogue>> {
    let village = state.app.village_view(&code).await?;
    let catalogue = state.app.letter_catalogue(&village.region.code).await?;
    let letter_types =
        catalogue.into_iter().filter(|t| t.active).map(|t| serde_json::to_value(t.spec).unwrap_or_default()).collect();
    Ok(axum::Json(Catalogue { village: code, letter_types }))
}

/// A village's open letter requests.
#[derive(Serialize, ToSchema)]
struct Queue {
    requests: Vec<QueueEntry>,
}

#[derive(Serialize, ToSchema)]
struct QueueEntry {
    id: String,
    letter_type: String,
    letter_type_name: String,
    state: String,
    /// `loket` or `online`.
    channel: String,
    received_at: DateTime<Utc>,
    due_on: NaiveDate,
    /// `tepat_waktu`, `mendekati_tenggat` or `terlambat`.
    #[schema(value_type = String)]
    sla: SlaState,
    person_name: String,
}

#[utoipa::path(
    get, path = "/api/v1/desa/{code}/permohonan", tag = "surat", security(("bearer" = [])),
    params(("code" = String, Path, description = "Kode wilayah desa")),
    responses(
        (status = 200, description = "Antrean permohonan desa", body = Queue),
        (status = 401, description = "Tanpa token atau token dicabut", body = ErrorBody),
        (status = 404, description = "Desa tidak dikenal atau di luar wilayah kerja", body = ErrorBody),
    )
)]
async fn queue(
    State(state): State<AppState>,
    staff: ApiStaff,
    Path(code): Path<String>,
) -> ApiResult<axum::Json<Queue>> {
    let items = state.app.letter_queue(&staff.actor(), &code).await?;
    let requests = items
        .into_iter()
        .map(|i| QueueEntry {
            id: i.request.id,
            letter_type: i.request.letter_type,
            letter_type_name: i.type_name,
            state: i.state.as_str().to_string(),
            channel: i.request.channel,
            received_at: i.request.received_at,
            due_on: i.request.due_on,
            sla: i.sla,
            person_name: i.person_name,
        })
        .collect();
    Ok(axum::Json(Queue { requests }))
}

/// A request entered for a resident at the counter.
#[derive(Deserialize, ToSchema)]
struct NewRequestBody {
    /// A slug from the village's catalogue, e.g. `sktm`.
    letter_type: String,
    /// The resident's NIK (16 digits), who must be in the village's register.
    nik: String,
    /// The type's fields by name.
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
struct Created {
    id: String,
    state: String,
    due_on: NaiveDate,
}

#[utoipa::path(
    post, path = "/api/v1/desa/{code}/permohonan", tag = "surat", security(("bearer" = [])),
    params(("code" = String, Path, description = "Kode wilayah desa")),
    request_body = NewRequestBody,
    responses(
        (status = 201, description = "Permohonan dicatat", body = Created),
        (status = 400, description = "Bukan JSON yang sesuai", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "Isian tidak valid, per field", body = ErrorBody),
    )
)]
async fn create(
    State(state): State<AppState>,
    staff: ApiStaff,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<NewRequestBody>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    let input = NewRequestInput { letter_type: body.letter_type, nik: body.nik, fields: body.fields };
    let request = state.app.create_walk_in_request(&staff.actor(), &code, input).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: request.id, state: request.state, due_on: request.due_on })))
}

/// One request with everything the village's staff see.
#[derive(Serialize, ToSchema)]
struct RequestDetail {
    id: String,
    village_code: String,
    letter_type: String,
    letter_type_name: String,
    state: String,
    state_label: String,
    channel: String,
    #[schema(value_type = Object)]
    fields: Value,
    note: String,
    received_at: DateTime<Utc>,
    due_on: NaiveDate,
    #[schema(value_type = String)]
    sla: SlaState,
    person: Person,
    events: Vec<Event>,
    attachments: Vec<Attachment>,
    messages: Vec<Message>,
    letter: Option<Letter>,
}

#[derive(Serialize, ToSchema)]
struct Person {
    nama: String,
    nik: String,
    no_kk: String,
}

#[derive(Serialize, ToSchema)]
struct Event {
    at: DateTime<Utc>,
    action: String,
    from: String,
    to: String,
    note: String,
}

#[derive(Serialize, ToSchema)]
struct Attachment {
    id: String,
    requirement: String,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    replaced: bool,
}

#[derive(Serialize, ToSchema)]
struct Message {
    channel: String,
    status: String,
    attempts: i32,
    subject: String,
}

/// A signed letter.
#[derive(Serialize, ToSchema)]
struct Letter {
    number: String,
    issued_on: NaiveDate,
    signer_name: String,
    pdf_sha256: String,
    /// The address in the letter's QR code.
    verification_url: String,
    revoked: bool,
}

impl Letter {
    fn of(state: &AppState, l: &balai_store::letters::IssuedLetter) -> Letter {
        Letter {
            number: l.number.clone(),
            issued_on: l.issued_on,
            signer_name: l.signer_name.clone(),
            pdf_sha256: l.pdf_sha256.clone(),
            verification_url: format!("{}/v/{}", state.app.config().public_url.trim_end_matches('/'), l.token),
            revoked: l.revoked_at.is_some(),
        }
    }
}

#[utoipa::path(
    get, path = "/api/v1/permohonan/{id}", tag = "surat", security(("bearer" = [])),
    params(("id" = String, Path, description = "Nomor acak permohonan")),
    responses(
        (status = 200, description = "Permohonan dan riwayatnya", body = RequestDetail),
        (status = 401, body = ErrorBody),
        (status = 404, description = "Tidak ada atau di luar wilayah kerja", body = ErrorBody),
    )
)]
async fn request(
    State(state): State<AppState>,
    staff: ApiStaff,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<RequestDetail>> {
    let view = state.app.letter_request(&staff.actor(), &id).await?;
    let letter = view.letter.as_ref().map(|l| Letter::of(&state, l));
    let r = view.request;
    Ok(axum::Json(RequestDetail {
        id: r.id,
        village_code: r.village_code,
        letter_type: r.letter_type,
        letter_type_name: view.letter_type.name,
        state: view.state.as_str().to_string(),
        state_label: view.state.label().to_string(),
        channel: r.channel,
        fields: r.fields,
        note: r.note,
        received_at: r.received_at,
        due_on: r.due_on,
        sla: view.sla,
        person: Person { nama: view.person.nama, nik: view.person.nik, no_kk: view.person.no_kk },
        events: view
            .events
            .into_iter()
            .map(|e| Event { at: e.at, action: e.action, from: e.from_state, to: e.to_state, note: e.note })
            .collect(),
        attachments: view
            .attachments
            .into_iter()
            .map(|a| Attachment {
                id: a.id,
                requirement: a.requirement,
                file_name: a.file_name,
                content_type: a.content_type,
                size_bytes: a.size_bytes,
                sha256: a.sha256,
                replaced: a.replaced,
            })
            .collect(),
        messages: view
            .messages
            .into_iter()
            .map(|m| Message { channel: m.channel, status: m.status, attempts: m.attempts, subject: m.subject })
            .collect(),
        letter,
    }))
}

/// A step in the request's flow.
#[derive(Deserialize, ToSchema)]
struct ActionBody {
    /// `verifikasi`, `minta_perbaikan`, `tolak` or `serahkan`.
    action: String,
    /// The reason, for a return or a refusal.
    #[serde(default)]
    note: String,
}

#[derive(Serialize, ToSchema)]
struct StateBody {
    id: String,
    state: String,
}

#[utoipa::path(
    post, path = "/api/v1/permohonan/{id}/aksi", tag = "surat", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ActionBody,
    responses(
        (status = 200, description = "Tindakan dicatat", body = StateBody),
        (status = 401, body = ErrorBody),
        (status = 409, description = "Tidak bisa dari keadaan ini", body = ErrorBody),
        (status = 422, description = "Tindakan tidak dikenal atau alasan kosong", body = ErrorBody),
    )
)]
async fn act(
    State(state): State<AppState>,
    staff: ApiStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActionBody>,
) -> ApiResult<axum::Json<StateBody>> {
    let Ok(action) = body.action.parse::<RequestAction>() else {
        return Err(AppError::invalid("action", "Tindakan tidak dikenal.").into());
    };
    let actor = staff.actor();
    state.app.act_on_request(&actor, &id, action, &body.note).await?;
    let view = state.app.letter_request(&actor, &id).await?;
    Ok(axum::Json(StateBody { id, state: view.state.as_str().to_string() }))
}

#[utoipa::path(
    post, path = "/api/v1/permohonan/{id}/tandatangani", tag = "surat", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 201, description = "Surat bernomor dan ditandatangani", body = Letter),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Bukan penandatangan desa", body = ErrorBody),
        (status = 409, body = ErrorBody),
    )
)]
async fn sign(
    State(state): State<AppState>,
    staff: ApiStaff,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, axum::Json<Letter>)> {
    let letter = state.app.sign_request(&staff.actor(), &id).await?;
    Ok((StatusCode::CREATED, axum::Json(Letter::of(&state, &letter))))
}

#[utoipa::path(
    get, path = "/api/v1/permohonan/{id}/surat.pdf", tag = "surat", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "PDF surat", content_type = "application/pdf"),
        (status = 401, body = ErrorBody),
        (status = 404, description = "Belum ditandatangani atau tidak ada", body = ErrorBody),
    )
)]
async fn pdf(State(state): State<AppState>, staff: ApiStaff, Path(id): Path<String>) -> ApiResult<Response> {
    let (_, bytes) = state.app.letter_pdf_for_request(&staff.actor(), &id).await?;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], bytes).into_response())
}

#[derive(Deserialize)]
struct VerifyQuery {
    s: Option<String>,
}

/// What anyone holding a letter may check (domain.md §4): no personal data beyond the masked name.
#[derive(Serialize, ToSchema)]
struct VerificationBody {
    /// `valid`, `invalid` or `revoked`.
    status: String,
    number: String,
    letter_type: String,
    issued_on: NaiveDate,
    village: String,
    name: String,
    signer: String,
    signer_title: String,
    revoke_reason: String,
    pdf_sha256: String,
}

#[utoipa::path(
    get, path = "/api/v1/verifikasi/{token}", tag = "surat",
    params(
        ("token" = String, Path, description = "Dari alamat di kode QR surat"),
        ("s" = Option<String>, Query, description = "Tanda tangan yang dibawa kode QR, bila ada"),
    ),
    responses(
        (status = 200, description = "Hasil pemeriksaan", body = VerificationBody),
        (status = 404, description = "Token tidak dikenal", body = ErrorBody),
    )
)]
async fn verify(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<VerifyQuery>,
) -> ApiResult<axum::Json<VerificationBody>> {
    let v = state.app.verify_letter(&token, q.s.as_deref()).await?;
    let valid = v.signature_valid && v.qr_signature_valid != Some(false) && !v.revoked;
    Ok(axum::Json(VerificationBody {
        status: if v.revoked {
            "revoked"
        } else if valid {
            "valid"
        } else {
            "invalid"
        }
        .to_string(),
        number: v.number,
        letter_type: v.letter_type,
        issued_on: v.issued_on,
        village: v.village,
        name: v.masked_name,
        signer: v.signer_name,
        signer_title: v.signer_title,
        revoke_reason: v.revoke_reason,
        pdf_sha256: v.pdf_sha256,
    }))
}
