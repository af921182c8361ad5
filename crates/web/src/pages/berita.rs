//! A village portal's news and announcements: the public list and post pages (with link-preview
//! tags for WhatsApp and Facebook), the photos, and the staff page that publishes and withdraws.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balai_app::news::{NewsPage, PhotoUpload, PostView};
use balai_app::{AppError, FieldError};
use balai_domain::berita::{PostInput, PostKind};
use balai_domain::wilayah::Region;

use super::warga::field_error;
use crate::extract::{ClientIp, Form, Layout, Staff, UploadForm, Visitor};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/staf/desa/{code}/berita", get(staff_page).post(publish))
        .layer(DefaultBodyLimit::max(6 * 1024 * 1024));
    Router::new()
        .merge(uploads)
        .route("/desa/{code}/berita", get(list))
        .route("/desa/{code}/berita/{id}", get(show))
        .route("/berita/foto/{id}", get(photo))
        .route("/staf/desa/{code}/berita/{id}/tarik", post(withdraw))
}

/// What a shared link previews (Open Graph): absolute addresses, as WhatsApp and Facebook need.
pub struct LinkPreview {
    pub title: String,
    pub description: String,
    pub url: String,
    /// Absolute address of a picture, if the page has one.
    pub image: Option<String>,
    /// `website` or `article`.
    pub kind: &'static str,
}

impl LinkPreview {
    pub fn new(state: &AppState, title: String, description: String, path: &str) -> Self {
        LinkPreview { title, description, url: absolute(state, path), image: None, kind: "website" }
    }
}

pub fn absolute(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.app.config().public_url.trim_end_matches('/'))
}

/// The photo address of a post, if it has one.
pub fn photo_path(post: &PostView) -> Option<String> {
    post.post.photo_id.as_ref().map(|id| format!("/berita/foto/{id}"))
}

// ---- public ----

#[derive(Template, WebTemplate)]
#[template(path = "berita_list.html")]
struct ListPage {
    layout: Layout,
    page: NewsPage,
    dates: Vec<String>,
    preview: LinkPreview,
}

async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
) -> Result<ListPage, WebError> {
    let page = state.app.news_page(&visitor.actor(&ip), &code, 30).await?;
    let dates = page.posts.iter().map(|p| state.app.format_time(p.post.published_at)).collect();
    let mut preview = LinkPreview::new(
        &state,
        format!("Berita dan pengumuman {}", page.village.title()),
        format!("Kabar terbaru dari {}.", page.village.title()),
        &format!("/desa/{}/berita", page.village.code),
    );
    preview.image = page.posts.iter().find_map(photo_path).map(|p| absolute(&state, &p));
    Ok(ListPage { layout: visitor.layout(), page, dates, preview })
}

#[derive(Template, WebTemplate)]
#[template(path = "berita_post.html")]
struct PostPage {
    layout: Layout,
    village: Region,
    ancestors: Vec<Region>,
    post: PostView,
    published: String,
    photo: Option<String>,
    preview: LinkPreview,
}

async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((code, id)): Path<(String, String)>,
) -> Result<PostPage, WebError> {
    let (village, ancestors, post) = state.app.news_post(&code, &id).await?;
    let photo = photo_path(&post);
    let preview = LinkPreview {
        title: post.post.title.clone(),
        description: post.excerpt.clone(),
        url: absolute(&state, &format!("/desa/{}/berita/{}", village.code, post.post.id)),
        image: photo.as_ref().map(|p| absolute(&state, p)),
        kind: "article",
    };
    Ok(PostPage {
        layout: visitor.layout(),
        published: state.app.format_time(post.post.published_at),
        village,
        ancestors,
        photo,
        post,
        preview,
    })
}

async fn photo(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, WebError> {
    let jpeg = state.app.news_photo(&id).await?;
    // A photo's address never changes content; an hour's caching keeps a withdrawn post's photo
    // from lingering long in browsers.
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "public, max-age=3600")], jpeg).into_response())
}

// ---- staff ----

#[derive(Template, WebTemplate)]
#[template(path = "staff_berita.html")]
struct StaffPage {
    layout: Layout,
    errors: Vec<FieldError>,
    village: Region,
    posts: Vec<(PostView, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    v: PostInput,
    /// Whether "send to subscribers" is ticked.
    broadcast: bool,
    /// How many active subscribers a broadcast would reach.
    subscribers: i64,
}

impl StaffPage {
    fn error(&self, name: &str) -> String {
        field_error(&self.errors, name)
    }
}

async fn staff_view(
    state: &AppState,
    staff: &Staff,
    code: &str,
    v: PostInput,
    broadcast: bool,
    errors: Vec<FieldError>,
) -> Result<StaffPage, WebError> {
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let page = state.app.news_page(&actor, code, 100).await?;
    if !page.may_publish {
        // As elsewhere in the staff pages: what one may not touch does not exist for them.
        return Err(AppError::NotFound.into());
    }
    let posts = page.posts.into_iter().map(|p| {
        let when = state.app.format_time(p.post.published_at);
        (p, when)
    });
    Ok(StaffPage {
        layout: staff.visitor.layout(),
        errors,
        village: page.village,
        posts: posts.collect(),
        kinds: PostKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        v,
        broadcast,
        subscribers: state.app.active_subscribers(code).await?,
    })
}

async fn staff_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<StaffPage, WebError> {
    let v = PostInput { kind: PostKind::Berita.as_str().into(), ..PostInput::default() };
    staff_view(&state, &staff, &code, v, false, Vec::new()).await
}

async fn publish(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    form: UploadForm,
) -> Result<Response, WebError> {
    let field = |name: &str| form.fields.get(name).cloned().unwrap_or_default();
    let input = PostInput {
        kind: field("kind"),
        title: field("title"),
        body: field("body"),
        photo_caption: field("photo_caption"),
    };
    let photo = form.files.into_iter().find(|u| u.requirement == "foto" && !u.bytes.is_empty());
    let broadcast = field("broadcast") == "1";
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let photo = photo.map(|u| PhotoUpload { bytes: u.bytes });
    match state.app.publish_post(&actor, &code, &input, photo, broadcast).await {
        Ok(post) => Ok(Redirect::to(&format!("/desa/{code}/berita/{}", post.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = staff_view(&state, &staff, &code, input, broadcast, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn withdraw(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, id)): Path<(String, String)>,
    Form(_): Form<std::collections::BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = balai_app::Actor::Staff(staff.user.clone());
    match state.app.withdraw_post(&actor, &code, &id).await {
        Ok(()) | Err(AppError::Invalid(_)) => Ok(Redirect::to(&format!("/staf/desa/{code}/berita")).into_response()),
        Err(e) => Err(e.into()),
    }
}
