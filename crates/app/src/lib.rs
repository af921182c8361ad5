#![forbid(unsafe_code)]
//! Balai's use-cases. HTML handlers, the REST API, the CLI and background jobs all call these
//! methods, and authorisation is decided here from the [`Actor`], so every interface obeys the
//! same rules.

mod actor;
mod api_tokens;
pub mod assist;
mod audit;
mod auth;
mod calendar;
mod csv_input;
pub mod dashboard;
pub mod demo;
mod demo_history;
mod error;
pub mod forum;
mod import_rows;
pub mod kinerja;
pub mod letters;
pub mod messages;
pub mod news;
mod nik;
mod offices;
pub mod ppid;
pub mod readiness;
mod regions;
pub mod reports;
mod residents;
pub mod subscriptions;
pub mod survey;
pub mod training;
mod users;

use std::sync::Arc;

use balai_store::Store;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub use actor::{Actor, ResidentUser, StaffUser};
pub use api_tokens::ApiTokenListing;
pub use audit::AuditEntry;
pub use auth::{LoginOutcome, SESSION_COOKIE_BYTES};
pub use calendar::HolidayImportReport;
pub use error::{AppError, AppResult, FieldError};
pub use nik::NikInfo;
pub use offices::NewOfficeInput;
pub use regions::{ImportReport, RegionTree, RegionView, VillageProfileInput, VillageView};
pub use residents::{PendingResident, ResidentLogin, SignUpInput};
pub use users::{CreatedUser, NewStaffInput};

/// Where "now" comes from: the system clock in production, a fixed one in tests.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        truncate_to_micros(Utc::now())
    }
}

/// A clock that stands still until moved, for tests.
pub struct FixedClock(std::sync::Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        FixedClock(std::sync::Mutex::new(truncate_to_micros(at)))
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Both databases keep microseconds; truncating once keeps stored and hashed times identical.
fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// Settings the use-cases need.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The public address of this installation, put in the verification QR of letters.
    pub public_url: String,
    /// The region this installation serves (its home page), e.g. Kabupaten Ciamis `32.07`.
    pub home_region: Option<balai_domain::wilayah::KodeWilayah>,
    /// Offset of local time from UTC: WIB is +7, WITA +8, WIT +9. Dates (deadlines) are local.
    pub utc_offset: FixedOffset,
    /// How long a staff session lasts.
    pub session_ttl: chrono::Duration,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            public_url: "http://127.0.0.1:8080".into(),
            home_region: None,
            utc_offset: FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC")),
            session_ttl: chrono::Duration::hours(12),
        }
    }
}

#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: Arc<AppConfig>,
    letters: Option<letters::LetterServices>,
    documents: Option<Arc<dyn balai_domain::dokumen::DocumentRenderer>>,
    cache: Arc<ReadCache>,
}

/// How long rarely changed settings read on every request (the holiday calendar, report
/// categories) are kept. Changes made through this process clear them at once; changes made
/// elsewhere (the command line, another instance) arrive within this time.
const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// A value kept for [`CACHE_TTL`] (real time, whatever the app's clock says).
struct Cached<T>(std::sync::RwLock<Option<(std::time::Instant, T)>>);

impl<T: Clone> Cached<T> {
    fn new() -> Self {
        Cached(std::sync::RwLock::new(None))
    }

    fn get(&self) -> Option<T> {
        let slot = self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.as_ref().filter(|(at, _)| at.elapsed() < CACHE_TTL).map(|(_, v)| v.clone())
    }

    /// The value however old, and whether it is still fresh.
    fn get_even_stale(&self) -> Option<(T, bool)> {
        let slot = self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.as_ref().map(|(at, v)| (v.clone(), at.elapsed() < CACHE_TTL))
    }

    fn put(&self, value: T) {
        *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((std::time::Instant::now(), value));
    }

    fn clear(&self) {
        *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

/// How long a village portal's public page data is kept (for visitors, who see the same page).
/// Changes made through this process clear it at once; other instances show them within this.
const PORTAL_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// Values per key (a village code) kept for [`PORTAL_TTL`]; at most a few thousand keys.
struct KeyedCache<V>(std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, V)>>);

impl<V: Clone> KeyedCache<V> {
    fn new() -> Self {
        KeyedCache(std::sync::Mutex::new(std::collections::HashMap::new()))
    }

    fn get(&self, key: &str) -> Option<V> {
        let map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(key).filter(|(at, _)| at.elapsed() < PORTAL_TTL).map(|(_, v)| v.clone())
    }

    fn put(&self, key: &str, value: V) {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= 10_000 {
            map.clear();
        }
        map.insert(key.to_string(), (std::time::Instant::now(), value));
    }

    fn clear(&self) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

struct ReadCache {
    calendar: Cached<balai_domain::calendar::WorkingCalendar>,
    report_categories: Cached<Vec<balai_store::reports::ReportCategory>>,
    /// Figures over a whole year of reports: a minute old at most is fresh enough.
    scoreboard: Cached<reports::Scoreboard>,
    /// The newest posts of all the home region's villages, for the regency's portal.
    regional_news: Cached<Vec<news::RegionalPost>>,
    /// A village page's data and newest posts, as every visitor sees them.
    village_pages: KeyedCache<news::VillagePortal>,
    /// A village's PPID page as the public sees it.
    dip_pages: KeyedCache<ppid::DipPage>,
    /// Set while one task recomputes the scoreboard (others keep serving the previous one).
    scoreboard_refreshing: std::sync::atomic::AtomicBool,
    /// The evaluation dashboard's summed year per regency.
    dashboard: dashboard::FactsCache,
    /// The IKM pages' summed answers per region and period (fresh as the dashboard's sums).
    survey_sums: survey::SurveySumsCache,
    /// Regions looked up by code (every report names one); imports clear it.
    regions: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, balai_domain::wilayah::Region)>>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: AppConfig) -> Self {
        let cache = Arc::new(ReadCache {
            calendar: Cached::new(),
            report_categories: Cached::new(),
            scoreboard: Cached::new(),
            regional_news: Cached::new(),
            village_pages: KeyedCache::new(),
            dip_pages: KeyedCache::new(),
            scoreboard_refreshing: Default::default(),
            dashboard: Default::default(),
            survey_sums: Default::default(),
            regions: Default::default(),
        });
        App { store, clock, config: Arc::new(config), letters: None, documents: None, cache }
    }

    /// Enables issuing letters: a renderer and the installation's secret key.
    pub fn with_letters(mut self, services: letters::LetterServices) -> Self {
        self.letters = Some(services);
        self
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today's date where the installation is (deadlines count local days).
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.config.utc_offset).date_naive()
    }

    /// A moment as the UI writes it, in the installation's zone: "5 Desember 2026, 21.27 WIB".
    pub fn format_time(&self, at: DateTime<Utc>) -> String {
        balai_domain::calendar::format_waktu(at, self.config.utc_offset)
    }

    /// Whether the database answers, for health checks.
    pub async fn healthy(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    /// A region by code, from the cache when it was read in the last minute.
    /// Something a public portal page shows changed (a post, the DIP, a profile, regions):
    /// this process's copies of those pages are dropped.
    fn portal_changed(&self) {
        self.cache.regional_news.clear();
        self.cache.village_pages.clear();
        self.cache.dip_pages.clear();
    }

    async fn cached_region(
        &self,
        code: &balai_domain::wilayah::KodeWilayah,
    ) -> AppResult<Option<balai_domain::wilayah::Region>> {
        {
            let regions = self.cache.regions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((at, region)) = regions.get(code.as_str())
                && at.elapsed() < CACHE_TTL
            {
                return Ok(Some(region.clone()));
            }
        }
        let region = self.store.region(code).await?;
        if let Some(region) = &region {
            let mut regions = self.cache.regions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if regions.len() > 100_000 {
                regions.clear();
            }
            regions.insert(code.as_str().to_string(), (std::time::Instant::now(), region.clone()));
        }
        Ok(region)
    }

    fn audit_event(
        &self,
        actor: &Actor,
        action: &str,
        object: String,
        details: serde_json::Value,
    ) -> balai_store::AuditEvent {
        // Every change is audited: the dashboard's figures are no longer current.
        self.cache.dashboard.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        balai_store::AuditEvent {
            at: self.now(),
            actor: actor.audit_name(),
            action: action.to_string(),
            object,
            details,
        }
    }
}
