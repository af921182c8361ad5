//! Public information (PPID desa, UU 14/2008 and Perki 1/2018): the Daftar Informasi Publik
//! with its documents, information requests on their legal clocks with the written notice,
//! objections (keberatan) to the atasan PPID, and the PPID's annual report.

mod annual;
mod kit;
mod requests;

use balai_domain::contact::{clean_file_name, sniff_upload};
use balai_domain::dokumen::DocumentRenderer;
use balai_domain::lapor::Problem;
use balai_domain::ppid::{self, DipClass, DipInput};
use balai_domain::roles::{Permission, Target};
use balai_domain::surat::document::RenderError;
use balai_domain::wilayah::{KodeWilayah, Region};
use balai_store::ppid::{DipFileMeta, DipItem, InfoRequest, NewDipFile};
use serde_json::json;
use sha2::{Digest, Sha256};

pub use annual::{AnnualReport, ReportFormat};
pub(crate) use annual::{XLSX, tables_xlsx};
pub use kit::KitFormat;
pub use requests::{
    DecisionInput, InfoRequestInput, InfoRequestView, InfoSubmitted, KeberatanInput, KeberatanView, PpidRegister,
    RegisterRow,
};

use crate::{Actor, App, AppError, AppResult, FieldError};

/// A DIP item as a page shows it.
#[derive(Debug, Clone)]
pub struct DipItemView {
    pub item: DipItem,
    pub class: DipClass,
    /// Documents the viewer may download (none of an exempt item for the public).
    pub files: Vec<DipFileMeta>,
    /// A periodic item not refreshed in 6 months.
    pub stale: bool,
    pub exemption_label: String,
}

/// A village's PPID page: its DIP by class and the answers it published.
#[derive(Debug, Clone)]
pub struct DipPage {
    pub village: Region,
    pub ancestors: Vec<Region>,
    /// (class, its hint, items), in class order; every class is listed, empty or not.
    pub classes: Vec<(DipClass, Vec<DipItemView>)>,
    pub published: Vec<InfoRequest>,
    /// Whether the viewer keeps this DIP (staff links shown).
    pub may_manage: bool,
}

/// A checked upload for a DIP item.
#[derive(Debug, Clone)]
pub struct DipUpload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl App {
    /// Enables the PPID's printed documents (written notice, annual report) and the
    /// socialization kit.
    pub fn with_documents(mut self, renderer: std::sync::Arc<dyn DocumentRenderer>) -> Self {
        self.documents = Some(renderer);
        self
    }

    /// Renders a document off the async threads (Typst is CPU-bound); `what` names it in errors.
    pub(crate) async fn render_document(
        &self,
        what: &'static str,
        render: impl FnOnce(&dyn DocumentRenderer) -> Result<Vec<u8>, RenderError> + Send + 'static,
    ) -> AppResult<Vec<u8>> {
        let renderer = self
            .documents
            .clone()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("document rendering is not configured")))?;
        tokio::task::spawn_blocking(move || render(renderer.as_ref()))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?
            .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering {what}: {e}")))
    }

    /// A village (desa or kelurahan) by code, with its ancestors; `NotFound` otherwise.
    pub async fn village_region(&self, code: &str) -> AppResult<(Region, Vec<Region>)> {
        let code = KodeWilayah::parse(code).map_err(|_| AppError::NotFound)?;
        let mut ancestors = self.store.region_with_ancestors(&code).await?;
        match ancestors.pop() {
            Some(r) if r.code == code && r.level.is_village() => Ok((r, ancestors)),
            _ => Err(AppError::NotFound),
        }
    }

    pub(crate) fn may_on_village(&self, actor: &Actor, permission: Permission, village: &str) -> bool {
        KodeWilayah::parse(village).is_ok_and(|code| actor.may(permission, &Target::Wilayah(&code)))
    }

    pub(crate) fn require_on_village(&self, actor: &Actor, permission: Permission, village: &str) -> AppResult<()> {
        let code = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(permission, &Target::Wilayah(&code))
    }

    /// The village's DIP as anyone sees it (staff who keep it see the documents of exempt
    /// items too), with the answers it chose to publish.
    /// The public's copy is kept a few seconds (see `PORTAL_TTL`): it is the same for everyone.
    pub async fn dip_page(&self, actor: &Actor, village: &str) -> AppResult<DipPage> {
        let insider = self.may_on_village(actor, Permission::ViewInformation, village);
        let may_manage = self.may_on_village(actor, Permission::ManageInformation, village);
        let public = !insider && !may_manage;
        if public && let Some(page) = self.cache.dip_pages.get(village) {
            return Ok(page);
        }
        let page = self.read_dip_page(village, insider, may_manage).await?;
        if public {
            self.cache.dip_pages.put(village, page.clone());
        }
        Ok(page)
    }

    async fn read_dip_page(&self, village: &str, insider: bool, may_manage: bool) -> AppResult<DipPage> {
        let (village, ancestors) = self.village_region(village).await?;
        let code = village.code.as_str().to_string();
        let today = self.today();
        let mut classes: Vec<(DipClass, Vec<DipItemView>)> = DipClass::ALL.iter().map(|c| (*c, Vec::new())).collect();
        let mut files = self.store.village_dip_files(&code).await?;
        for item in self.store.dip_items(&code).await? {
            let item_files = files.extract_if(.., |f| f.item_id == item.id).collect();
            let view = dip_item_view(item, item_files, insider, today)?;
            if let Some((_, list)) = classes.iter_mut().find(|(c, _)| *c == view.class) {
                list.push(view);
            }
        }
        let published = self.store.published_info_requests(&code, 20).await?;
        Ok(DipPage { village, ancestors, classes, published, may_manage })
    }

    /// The public items of a village's DIP, by id and title (for the request form's choice).
    pub async fn public_dip_titles(&self, village: &str) -> AppResult<(Region, Vec<(String, String)>)> {
        let (village, _) = self.village_region(village).await?;
        let items = self.store.dip_items(village.code.as_str()).await?;
        let public = items
            .into_iter()
            .filter(|i| i.class.parse::<DipClass>().is_ok_and(|c| c.is_public()))
            .map(|i| (i.id, i.title))
            .collect();
        Ok((village, public))
    }
}

/// An item as shown; `files` are all its documents, kept only where the viewer may see them.
fn dip_item_view(
    item: DipItem,
    files: Vec<DipFileMeta>,
    insider: bool,
    today: chrono::NaiveDate,
) -> AppResult<DipItemView> {
    let class = item.class.parse::<DipClass>().map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let files = if class.is_public() || insider { files } else { Vec::new() };
    let exemption_label = item
        .exemption
        .as_deref()
        .and_then(|e| e.parse::<ppid::Exemption>().ok())
        .map(|e| e.label().to_string())
        .unwrap_or_default();
    Ok(DipItemView { stale: ppid::berkala_stale(class, item.refreshed_on, today), class, files, exemption_label, item })
}

impl App {
    /// One DIP item. The consequence test of an exempt item is public (it says why it is
    /// withheld); its documents are not.
    pub async fn dip_item(&self, actor: &Actor, id: &str) -> AppResult<DipItemView> {
        let item = self.store.dip_item(id.trim()).await?.ok_or(AppError::NotFound)?;
        let insider = self.may_on_village(actor, Permission::ViewInformation, &item.village_code);
        let files = self.store.dip_files(&item.id).await?;
        dip_item_view(item, files, insider, self.today())
    }

    /// Adds (no `id`) or changes a DIP item of the village. Saving a periodic item counts as
    /// refreshing it.
    pub async fn save_dip_item(
        &self,
        actor: &Actor,
        village: &str,
        id: Option<&str>,
        input: &DipInput,
    ) -> AppResult<String> {
        let (village, _) = self.village_region(village).await?;
        let code = village.code.as_str().to_string();
        self.require_on_village(actor, Permission::ManageInformation, &code)?;
        let checked = ppid::check_dip(input).map_err(problems)?;
        let now = self.now();
        let existing = match id {
            Some(id) => {
                let item = self.store.dip_item(id).await?.ok_or(AppError::NotFound)?;
                if item.village_code != code {
                    return Err(AppError::NotFound);
                }
                Some(item)
            }
            None => None,
        };
        let item = DipItem {
            id: existing.as_ref().map_or_else(crate::reports::random_file_id, |i| i.id.clone()),
            village_code: code.clone(),
            class: checked.class.as_str().into(),
            title: checked.title,
            summary: checked.summary,
            holder: checked.holder,
            responsible: checked.responsible,
            made_when_where: checked.made_when_where,
            form: checked.form.as_str().into(),
            retention: checked.retention,
            consequence_test: checked.consequence_test,
            exemption: checked.exemption.map(|e| e.as_str().to_string()),
            created_at: existing.as_ref().map_or(now, |i| i.created_at),
            updated_at: now,
            refreshed_on: self.today(),
        };
        let audit = self.audit_event(
            actor,
            if existing.is_some() { "dip.update" } else { "dip.create" },
            format!("wilayah:{code}/dip:{}", item.id),
            json!({"class": item.class, "title": item.title}),
        );
        self.store.save_dip_item(&item, audit).await?;
        self.portal_changed();
        Ok(item.id)
    }

    /// Attaches a document (PDF, JPEG or PNG, at most 5 MB, checked by content) to a DIP item.
    pub async fn add_dip_file(&self, actor: &Actor, item_id: &str, upload: DipUpload) -> AppResult<String> {
        let item = self.store.dip_item(item_id).await?.ok_or(AppError::NotFound)?;
        self.require_on_village(actor, Permission::ManageInformation, &item.village_code)?;
        let kind = sniff_upload(&upload.bytes).map_err(|e| AppError::invalid("berkas", e.message_id()))?;
        let meta = DipFileMeta {
            id: crate::reports::random_file_id(),
            item_id: item.id.clone(),
            file_name: clean_file_name(&upload.file_name, kind),
            content_type: kind.content_type().into(),
            size_bytes: upload.bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(&upload.bytes)),
            created_at: self.now(),
        };
        let audit = self.audit_event(
            actor,
            "dip.file_add",
            format!("wilayah:{}/dip:{}", item.village_code, item.id),
            json!({"file": meta.id, "name": meta.file_name, "bytes": meta.size_bytes, "sha256": meta.sha256}),
        );
        let id = meta.id.clone();
        self.store.add_dip_file(&NewDipFile { meta, data: upload.bytes }, audit).await?;
        self.portal_changed();
        Ok(id)
    }

    /// A DIP document. A document of an exempt item is `NotFound` to anyone but the village's
    /// PPID staff, however its address was found.
    pub async fn dip_file(&self, actor: &Actor, file_id: &str) -> AppResult<(DipFileMeta, Vec<u8>)> {
        let (meta, bytes) = self.store.dip_file(file_id.trim()).await?.ok_or(AppError::NotFound)?;
        let item = self.store.dip_item(&meta.item_id).await?.ok_or(AppError::NotFound)?;
        let public = item.class.parse::<DipClass>().is_ok_and(|c| c.is_public());
        if !public && !self.may_on_village(actor, Permission::ViewInformation, &item.village_code) {
            return Err(AppError::NotFound);
        }
        Ok((meta, bytes))
    }
}

/// Domain problems as field errors.
fn problems(list: Vec<Problem>) -> AppError {
    AppError::Invalid(list.into_iter().map(|p| FieldError::new(p.field, p.message)).collect())
}
