use thiserror::Error;

pub type AppResult<T> = Result<T, AppError>;

/// A problem with one form field, said in Indonesian so that the page can show it beside the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// Every way a use-case can fail. `code()` is stable (API clients and tests match on it);
/// `user_message()` is the Indonesian sentence shown to people; `Display` is for logs.
#[derive(Debug, Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("wrong username or password")]
    LoginFailed,
    #[error("login locked until {until}")]
    LockedOut { until: chrono::DateTime<chrono::Utc> },
    #[error("conflict: {0}")]
    Conflict(String),
    /// Someone (or an earlier click) already did it; the message says what, in Indonesian.
    #[error("already done: {0}")]
    AlreadyDone(String),
    #[error("rejected import: {0} bad rows")]
    ImportRejected(usize, Vec<String>),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The server's disk is full: the change was not stored; the person may try again later.
    #[error("storage full: {0}")]
    StorageFull(String),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Invalid(_) => "invalid_input",
            AppError::LoginFailed => "login_failed",
            AppError::LockedOut { .. } => "locked_out",
            AppError::Conflict(_) => "conflict",
            AppError::AlreadyDone(_) => "already_done",
            AppError::ImportRejected(..) => "import_rejected",
            AppError::Unavailable(_) => "unavailable",
            AppError::StorageFull(_) => "storage_full",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn user_message(&self) -> String {
        match self {
            AppError::NotFound => "Halaman atau data yang Anda cari tidak ada.".into(),
            AppError::Unauthenticated => "Silakan masuk terlebih dahulu.".into(),
            AppError::Forbidden => "Anda tidak berwenang melakukan ini.".into(),
            AppError::Invalid(errors) if errors.len() == 1 => errors[0].message.clone(),
            AppError::Invalid(_) => "Ada isian yang perlu diperbaiki.".into(),
            AppError::LoginFailed => "Nama pengguna atau kata sandi salah.".into(),
            AppError::LockedOut { .. } => {
                "Terlalu banyak percobaan masuk yang gagal. Akun ini dikunci sementara; coba lagi 15 menit lagi.".into()
            }
            AppError::Conflict(_) => "Data itu sudah ada.".into(),
            AppError::AlreadyDone(message) => message.clone(),
            AppError::ImportRejected(n, _) => format!("Impor ditolak: {n} baris bermasalah; tidak ada yang disimpan."),
            AppError::Unavailable(_) => "Layanan sedang tidak tersedia. Silakan coba beberapa saat lagi.".into(),
            AppError::StorageFull(_) => {
                "Penyimpanan server penuh, sehingga kiriman Anda belum tersimpan. Silakan coba lagi nanti atau \
                 hubungi kantor desa."
                    .into()
            }
            AppError::Internal(_) => "Terjadi kesalahan pada sistem. Silakan coba lagi.".into(),
        }
    }
}

impl From<balai_store::StoreError> for AppError {
    fn from(err: balai_store::StoreError) -> Self {
        use balai_store::StoreError;
        match err {
            StoreError::Unavailable(e) => AppError::Unavailable(e.to_string()),
            StoreError::StorageFull(e) => AppError::StorageFull(e.to_string()),
            StoreError::Conflict(what) => AppError::Conflict(what),
            StoreError::NotFound(_) => AppError::NotFound,
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}
