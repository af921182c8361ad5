//! Citizen pages: the home page listing the regency's villages, region and village pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use balai_app::news::PostView;
use balai_app::{RegionTree, RegionView, VillageView};
use balai_domain::wilayah::Region;

use super::berita::{LinkPreview, absolute, photo_path};
use crate::extract::{Layout, Visitor};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/wilayah/{code}", get(region))
        .route("/desa/{code}", get(village))
        .route("/desa/{code}/layanan", get(services))
        .route("/desa/{code}/kinerja", get(figures))
        .route("/wilayah/{code}/kinerja", get(figures))
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    tree: Option<RegionTree>,
    top: Vec<Region>,
    /// The newest posts of the regency's villages.
    news: Vec<balai_app::news::RegionalPost>,
}

async fn home(State(state): State<AppState>, visitor: Visitor) -> Result<HomePage, WebError> {
    let tree = state.app.home_tree().await?;
    let top = if tree.is_none() { state.app.top_regions().await? } else { Vec::new() };
    let news = if tree.is_some() { state.app.regional_news().await? } else { Vec::new() };
    Ok(HomePage { layout: visitor.layout(), tree, top, news })
}

#[derive(Template, WebTemplate)]
#[template(path = "region.html")]
struct RegionPage {
    layout: Layout,
    view: RegionView,
}

async fn region(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
) -> Result<RegionPage, WebError> {
    Ok(RegionPage { layout: visitor.layout(), view: state.app.region_view(&code).await? })
}

#[derive(Template, WebTemplate)]
#[template(path = "village.html")]
struct VillagePage {
    layout: Layout,
    view: VillageView,
    /// The three newest posts of its portal.
    news: Vec<PostView>,
    online_letters: Vec<balai_domain::surat::catalogue::LetterTypeSpec>,
    preview: LinkPreview,
}

async fn village(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
) -> Result<VillagePage, WebError> {
    let balai_app::news::VillagePortal { view, news, online_letters } = state.app.village_page(&code).await?;
    let name = view.region.title();
    let mut preview = LinkPreview::new(
        &state,
        name.clone(),
        format!("Layanan surat daring, pengaduan, informasi publik dan berita {name}."),
        &format!("/desa/{}", view.region.code),
    );
    preview.image = news.iter().find_map(photo_path).map(|p| absolute(&state, &p));
    Ok(VillagePage { layout: visitor.layout(), view, news, online_letters, preview })
}

#[derive(Template, WebTemplate)]
#[template(path = "village_services.html")]
struct ServicesPage {
    layout: Layout,
    view: VillageView,
    /// The letter types the village offers, each with its published standar pelayanan.
    types: Vec<balai_app::letters::LetterType>,
    /// The complaint channel's and information requests' standar.
    others: Vec<balai_app::letters::ServiceStandard>,
    preview: LinkPreview,
}

/// The village's services with the six published components of their standar pelayanan
/// (UU 25/2009 Ps 21, domain.md §7): the start page a resident needs before asking.
async fn services(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
) -> Result<ServicesPage, WebError> {
    let view = state.app.village_view(&code).await?;
    let types = state.app.letter_catalogue(&view.region.code).await?.into_iter().filter(|t| t.active).collect();
    let name = view.region.title();
    let preview = LinkPreview::new(
        &state,
        format!("Layanan dan standar pelayanan {name}"),
        format!("Persyaratan, prosedur, jangka waktu dan biaya setiap layanan {name}."),
        &format!("/desa/{}/layanan", view.region.code),
    );
    let others = state.app.service_standards(&view.region.code).await?;
    Ok(ServicesPage { layout: visitor.layout(), view, types, others, preview })
}

#[derive(Template, WebTemplate)]
#[template(path = "kinerja.html")]
struct FiguresPage {
    layout: Layout,
    f: balai_app::kinerja::ServiceFigures,
    until: String,
    reports_since: String,
    preview: LinkPreview,
}

impl FiguresPage {
    /// "87 %" or "—" when there is nothing to measure.
    fn pct(&self, part: &i64, whole: &i64) -> String {
        balai_app::kinerja::percent(*part, *whole).map_or_else(|| "—".into(), |p| format!("{p} %"))
    }

    /// Information requests answered on time, of those answered.
    fn information_on_time(&self) -> String {
        let i = &self.f.information;
        self.pct(&(i.on_time as i64), &((i.on_time + i.late) as i64))
    }

    fn pct_f(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "—".to_string(), |v| format!("{v:.0} %"))
    }

    fn days(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "—".to_string(), |v| format!("{v:.1}").replace('.', ","))
    }

    /// The page of the region itself.
    fn home(&self) -> String {
        let code = &self.f.region.code;
        if self.f.region.level.is_village() { format!("/desa/{code}") } else { format!("/wilayah/{code}") }
    }
}

/// A village's or region's service figures this year (the portal's "kinerja layanan").
async fn figures(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
) -> Result<FiguresPage, WebError> {
    let f = state.app.service_figures(&code).await?;
    let name = f.region.title();
    let path = if f.region.level.is_village() {
        format!("/desa/{}/kinerja", f.region.code)
    } else {
        format!("/wilayah/{}/kinerja", f.region.code)
    };
    let preview = LinkPreview::new(
        &state,
        format!("Kinerja layanan {name} tahun {}", f.year),
        format!("Surat, pengaduan dan permohonan informasi di {name}: berapa yang selesai tepat waktu."),
        &path,
    );
    Ok(FiguresPage {
        layout: visitor.layout(),
        until: balai_domain::calendar::format_tanggal(f.until),
        reports_since: balai_domain::calendar::format_tanggal(f.reports_since),
        f,
        preview,
    })
}
