//! Staff pages: the staff home with the user's scope, a village's office profile, offices and
//! staff accounts. Every decision about who may see or change what is made in `App`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_app::{
    Actor, AppError, AuditEntry, FieldError, NewOfficeInput, NewStaffInput, VillageProfileInput, VillageView,
};
use balai_domain::roles::{Permission, Role, Scope};
use balai_store::{Office, UserRecord};
use serde::Deserialize;

use super::warga::field_error;
use super::{FormField, form_fields};
use crate::extract::{Form, Layout, Staff};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staf", get(home))
        .route("/staf/desa/{code}", get(village).post(save_village))
        .route("/staf/opd", get(offices).post(create_office))
        .route("/staf/pengguna", get(users).post(create_user))
        .route("/staf/token", get(tokens).post(create_token))
        .route("/staf/pesan", get(outbox))
        .route("/staf/token/cabut", axum::routing::post(revoke_token))
}

struct ScopeLine {
    role: String,
    scope: String,
    link: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_home.html")]
struct HomePage {
    layout: Layout,
    user: balai_app::StaffUser,
    scopes: Vec<ScopeLine>,
    can_manage: bool,
    /// The evaluation pages the user may open: (label, link).
    dashboards: Vec<(String, String)>,
}

async fn home(State(state): State<AppState>, staff: Staff) -> Result<HomePage, WebError> {
    let mut scopes = Vec::new();
    let mut dashboards = Vec::new();
    for grant in &staff.user.grants {
        let permissions = grant.role.permissions();
        let evaluates = permissions.contains(&Permission::ViewEvaluation);
        if let Scope::Wilayah(code) = &grant.scope
            && (evaluates || permissions.contains(&Permission::AssessReadiness))
            && let Some(r) = state.app.store().region(code).await.map_err(AppError::from)?
        {
            if evaluates {
                dashboards.push((format!("Dasbor evaluasi {}", r.title()), format!("/staf/evaluasi/{code}")));
            }
            dashboards.push((format!("Kesiapan e-government (STOPE) {}", r.title()), format!("/staf/stope/{code}")));
            dashboards
                .push((format!("Program peningkatan kapabilitas {}", r.title()), format!("/staf/pelatihan/{code}")));
        }
        let (scope, link) = match &grant.scope {
            Scope::Wilayah(code) => match state.app.store().region(code).await.map_err(AppError::from)? {
                // A pendamping's work is assisted filing; the village's staff page is not theirs.
                Some(r) if r.level.is_village() && grant.role == Role::Pendamping => {
                    (format!("{} ({code})", r.title()), format!("/staf/desa/{code}/pendamping"))
                }
                Some(r) if r.level.is_village() => (format!("{} ({code})", r.title()), format!("/staf/desa/{code}")),
                Some(r) => (format!("{} ({code})", r.title()), format!("/wilayah/{code}")),
                None => (code.to_string(), String::new()),
            },
            Scope::Office(slug) => match state.app.store().office(slug).await.map_err(AppError::from)? {
                Some(o) => (o.name, String::new()),
                None => (slug.clone(), String::new()),
            },
        };
        scopes.push(ScopeLine { role: grant.role.label().to_string(), scope, link });
    }
    let can_manage = staff.user.grants.iter().any(|g| g.role == Role::AdminKabupaten);
    dashboards.dedup();
    Ok(HomePage { layout: staff.visitor.layout(), user: staff.user, scopes, can_manage, dashboards })
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_village.html")]
struct VillagePage {
    layout: Layout,
    errors: Vec<FieldError>,
    view: VillageView,
    can_edit: bool,
    can_process: bool,
    saved: bool,
    fields: Vec<FormField>,
    /// The maklumat pelayanan in its text area.
    maklumat: String,
    /// The text area holds the model wording because the village has published none.
    maklumat_default: bool,
    maklumat_error: String,
    staff: Vec<(String, String, String)>,
    audit: Vec<AuditEntry>,
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

#[derive(Deserialize, Default)]
struct ProfileForm {
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    head_name: String,
    #[serde(default)]
    maklumat: String,
}

async fn village_page(
    state: &AppState,
    staff: Staff,
    code: &str,
    input: Option<(ProfileForm, Vec<FieldError>)>,
    saved: bool,
) -> Result<VillagePage, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let (view, people, audit) = state.app.staff_village_view(&actor, code).await?;
    let can_edit = state.app.may_edit_village(&actor, code);
    let can_process = balai_domain::wilayah::KodeWilayah::parse(code).is_ok_and(|k| {
        actor.may(balai_domain::roles::Permission::ProcessLetters, &balai_domain::roles::Target::Wilayah(&k))
    });
    let (form, errors) = input.unwrap_or_else(|| {
        let p = &view.profile;
        (
            ProfileForm {
                address: p.address.clone(),
                phone: p.phone.clone(),
                email: p.email.clone(),
                head_name: p.head_name.clone(),
                maklumat: p.maklumat.clone(),
            },
            Vec::new(),
        )
    });
    let fields = form_fields(
        &[
            ("address", "Alamat kantor", "Jalan, nomor, kecamatan, kode pos.", &form.address),
            ("phone", "Telepon kantor", "Contoh: 0265 771234", &form.phone),
            ("email", "Email kantor", "", &form.email),
            ("head_name", "Nama kepala desa/lurah", "", &form.head_name),
        ],
        &errors,
    );
    let maklumat_error = field_error(&errors, "maklumat");
    Ok(VillagePage {
        layout: staff.visitor.layout(),
        maklumat_default: form.maklumat.is_empty(),
        maklumat: if form.maklumat.is_empty() {
            balai_domain::surat::catalogue::maklumat_baku().to_string()
        } else {
            form.maklumat
        },
        maklumat_error,
        errors,
        view,
        can_edit,
        can_process,
        saved,
        fields,
        staff: staff_rows(&people),
        audit,
    })
}

async fn village(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<VillagePage, WebError> {
    village_page(&state, staff, &code, None, q.saved.is_some()).await
}

async fn save_village(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(form): Form<ProfileForm>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let input = VillageProfileInput {
        address: form.address.clone(),
        phone: form.phone.clone(),
        email: form.email.clone(),
        head_name: form.head_name.clone(),
        maklumat: form.maklumat.clone(),
    };
    match state.app.update_village_profile(&actor, &code, input).await {
        Ok(()) => Ok(Redirect::to(&format!("/staf/desa/{code}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = village_page(&state, staff, &code, Some((form, errors)), false).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The field errors of a refused form; a refusal for lack of authority is shown on `field`.
fn field_errors(error: AppError, field: &'static str, forbidden: &str) -> Vec<FieldError> {
    match error {
        AppError::Invalid(errors) => errors,
        _ => vec![FieldError::new(field, forbidden)],
    }
}

fn staff_rows(people: &[UserRecord]) -> Vec<(String, String, String)> {
    people
        .iter()
        .map(|u| {
            let roles: Vec<&str> = u.grants.iter().map(|g| g.role.label()).collect();
            (u.full_name.clone(), u.username.clone(), roles.join(", "))
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_offices.html")]
struct OfficesPage {
    layout: Layout,
    errors: Vec<FieldError>,
    offices: Vec<Office>,
    fields: Vec<FormField>,
    created: String,
}

#[derive(Deserialize, Default)]
struct OfficeForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    regency: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    created: Option<String>,
}

async fn offices_page(
    state: &AppState,
    staff: Staff,
    form: OfficeForm,
    errors: Vec<FieldError>,
) -> Result<OfficesPage, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let regions = state.app.managed_regions(&actor)?;
    let regency = if form.regency.is_empty() { regions[0].to_string() } else { form.regency.clone() };
    let fields = form_fields(
        &[
            ("name", "Nama OPD", "Contoh: Dinas Pekerjaan Umum dan Penataan Ruang", &form.name),
            (
                "slug",
                "Kode singkat",
                "Huruf kecil dan tanda hubung, misalnya dinas-pupr. Kosongkan untuk dibuat dari nama.",
                &form.slug,
            ),
            ("regency", "Kode kabupaten/kota", "Contoh: 32.07", &regency),
            ("address", "Alamat", "", &form.address),
            ("phone", "Telepon", "", &form.phone),
            ("email", "Email", "", &form.email),
        ],
        &errors,
    );
    Ok(OfficesPage {
        layout: staff.visitor.layout(),
        errors,
        offices: state.app.offices().await?,
        fields,
        created: form.created.unwrap_or_default(),
    })
}

async fn offices(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<OfficeForm>,
) -> Result<OfficesPage, WebError> {
    let form = OfficeForm { created: q.created, ..Default::default() };
    offices_page(&state, staff, form, Vec::new()).await
}

async fn create_office(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<OfficeForm>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    state.app.managed_regions(&actor)?;
    let input = NewOfficeInput {
        name: form.name.clone(),
        slug: form.slug.clone(),
        regency: form.regency.clone(),
        address: form.address.clone(),
        phone: form.phone.clone(),
        email: form.email.clone(),
    };
    match state.app.create_office(&actor, input).await {
        Ok(office) => Ok(Redirect::to(&format!("/staf/opd?created={}", office.slug)).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Forbidden)) => {
            let errors =
                field_errors(e, "regency", "Anda hanya dapat menambah OPD di kabupaten/kota wilayah kerja Anda.");
            let page = offices_page(&state, staff, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_users.html")]
struct UsersPage {
    layout: Layout,
    errors: Vec<FieldError>,
    staff: Vec<(String, String, String)>,
    fields: Vec<FormField>,
    roles: Vec<(&'static str, &'static str)>,
    created: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    nip: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope: String,
}

async fn users_page(
    state: &AppState,
    staff: Staff,
    form: UserForm,
    errors: Vec<FieldError>,
    created: Option<(String, String)>,
) -> Result<UsersPage, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    state.app.managed_regions(&actor)?;
    let people = state.app.visible_staff(&actor).await?;
    let fields = form_fields(
        &[
            ("username", "Nama pengguna", "3–32 huruf kecil, angka, titik. Contoh: operator.sukamulya", &form.username),
            ("full_name", "Nama lengkap", "", &form.full_name),
            ("email", "Email", "Boleh dikosongkan.", &form.email),
            ("nip", "NIP", "18 angka; kosongkan bila bukan ASN.", &form.nip),
            ("role", "Peran", "", &form.role),
            (
                "scope",
                "Wilayah atau OPD",
                "Kode wilayah (mis. 32.07.06.2001) atau kode OPD untuk Admin Penghubung OPD.",
                &form.scope,
            ),
        ],
        &errors,
    );
    let roles = Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect();
    Ok(UsersPage { layout: staff.visitor.layout(), errors, staff: staff_rows(&people), fields, roles, created })
}

async fn users(State(state): State<AppState>, staff: Staff) -> Result<UsersPage, WebError> {
    users_page(&state, staff, UserForm::default(), Vec::new(), None).await
}

async fn create_user(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<UserForm>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let input = NewStaffInput {
        username: form.username.clone(),
        full_name: form.full_name.clone(),
        email: form.email.clone(),
        nip: form.nip.clone(),
        password: String::new(),
        grants: vec![(form.role.clone(), form.scope.clone())],
    };
    match state.app.create_staff(&actor, input).await {
        Ok(user) => {
            let created = Some((user.username, user.generated_password.unwrap_or_default()));
            Ok(users_page(&state, staff, UserForm::default(), Vec::new(), created).await?.into_response())
        }
        Err(e @ (AppError::Invalid(_) | AppError::Forbidden)) => {
            let errors = field_errors(e, "scope", "Anda hanya dapat membuat akun untuk wilayah kerja Anda.");
            let page = users_page(&state, staff, form, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_tokens.html")]
struct TokensPage {
    layout: Layout,
    errors: Vec<balai_app::FieldError>,
    /// Shown once, right after it is made.
    new_token: String,
    /// (id, name, created, revoked)
    tokens: Vec<(String, String, String, bool)>,
}

async fn tokens_page(
    state: &AppState,
    staff: Staff,
    new_token: String,
    errors: Vec<balai_app::FieldError>,
) -> Result<TokensPage, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let offset = state.app.config().utc_offset;
    let tokens = state
        .app
        .api_tokens(&actor)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name, balai_domain::calendar::format_waktu(t.created_at, offset), t.revoked))
        .collect();
    Ok(TokensPage { layout: staff.visitor.layout(), errors, new_token, tokens })
}

async fn tokens(State(state): State<AppState>, staff: Staff) -> Result<TokensPage, WebError> {
    tokens_page(&state, staff, String::new(), Vec::new()).await
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    id: String,
}

async fn create_token(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    match state.app.create_api_token(&actor, &staff.user.username, &form.name).await {
        Ok(token) => Ok(tokens_page(&state, staff, token, Vec::new()).await?.into_response()),
        Err(AppError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, tokens_page(&state, staff, String::new(), errors).await?)
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    state.app.revoke_api_token(&Actor::Staff(staff.user.clone()), &form.id).await?;
    Ok(Redirect::to("/staf/token").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_outbox.html")]
struct OutboxPage {
    layout: Layout,
    overview: balai_app::messages::OutboxOverview,
    offset: chrono::FixedOffset,
}

impl OutboxPage {
    fn when(&self, m: &balai_store::outbox::OutboxMessage) -> String {
        balai_domain::calendar::format_waktu(m.created_at, self.offset)
    }

    fn channel(&self, m: &balai_store::outbox::OutboxMessage) -> &'static str {
        match m.channel.as_str() {
            "email" => "Email",
            "whatsapp" => "WhatsApp",
            "sms" => "SMS",
            _ => "lainnya",
        }
    }

    /// "terkirim", "menunggu (dicoba 2 kali)", "gagal setelah 6 kali dicoba".
    fn status(&self, m: &balai_store::outbox::OutboxMessage) -> String {
        match (m.status.as_str(), m.attempts) {
            ("sent", _) => "terkirim".into(),
            ("pending", 0) => "menunggu".into(),
            ("pending", n) => format!("menunggu (dicoba {n} kali)"),
            ("failed", n) => format!("gagal setelah {n} kali dicoba"),
            (other, _) => other.to_string(),
        }
    }
}

async fn outbox(State(state): State<AppState>, staff: Staff) -> Result<OutboxPage, WebError> {
    let overview = state.app.outbox_overview(&Actor::Staff(staff.user.clone())).await?;
    Ok(OutboxPage { layout: staff.visitor.layout(), overview, offset: state.app.config().utc_offset })
}
