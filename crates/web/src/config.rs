//! Configuration: typed defaults, then `balai.toml`, then `BALAI_*` environment variables.
//! Any secret may come from a file named by `BALAI_<NAME>_FILE` (for container secrets).

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://PATH` (embedded, the default) or `postgres://USER:PASS@HOST/DB`.
    pub database_url: String,
    /// Address to listen on.
    pub listen: String,
    /// The region whose villages the home page lists, e.g. `32.07` (Kabupaten Ciamis).
    pub home_region: Option<String>,
    /// Hours east of UTC for local dates: 7 (WIB), 8 (WITA) or 9 (WIT).
    pub utc_offset_hours: i32,
    /// Hours a staff session lasts.
    pub session_hours: i64,
    /// Mark cookies `Secure` and send HSTS: set when served over HTTPS.
    pub secure_cookies: bool,
    /// Trust the last address in `X-Forwarded-For` (only behind your own reverse proxy).
    pub behind_proxy: bool,
    /// Database connections per app instance.
    pub max_connections: u32,
    /// This installation's public address, printed in letters' verification QR codes.
    pub public_url: String,
    /// The installation's secret key (32 bytes): village signing keys derive from it. Created
    /// (mode 0600) at first start when missing. Several instances must share the same file.
    pub secret_key_file: PathBuf,
    /// Outgoing email: `smtp://HOST:PORT` (plain, e.g. a local relay),
    /// `smtp://USER:PASS@HOST:587?tls=required` (STARTTLS) or `smtps://USER:PASS@HOST:465` (TLS).
    /// Empty: email is off (queued email waits and is retried, then given up).
    pub smtp_url: String,
    /// The sender of outgoing email, e.g. `Desa Sukamulya <layanan@sukamulya.desa.id>`.
    pub smtp_from: String,
    /// The WhatsApp/SMS gateway: Balai POSTs `{"channel", "to", "message"}` as JSON. Empty: off.
    pub wa_gateway_url: String,
    /// Sent to the gateway as `Authorization: Bearer TOKEN` (a secret).
    pub wa_gateway_token: String,
    /// How often an idle outbox worker looks for due messages.
    pub outbox_poll_seconds: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://balai-data/balai.db".into(),
            listen: "127.0.0.1:8080".into(),
            home_region: None,
            utc_offset_hours: 7,
            session_hours: 12,
            secure_cookies: false,
            behind_proxy: false,
            max_connections: 8,
            public_url: "http://127.0.0.1:8080".into(),
            secret_key_file: PathBuf::from("balai-data/secret.key"),
            smtp_url: String::new(),
            smtp_from: String::new(),
            wa_gateway_url: String::new(),
            wa_gateway_token: String::new(),
            outbox_poll_seconds: 2,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &balai_store::redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("home_region", &self.home_region)
            .field("utc_offset_hours", &self.utc_offset_hours)
            .field("session_hours", &self.session_hours)
            .field("secure_cookies", &self.secure_cookies)
            .field("behind_proxy", &self.behind_proxy)
            .field("max_connections", &self.max_connections)
            .field("public_url", &self.public_url)
            .field("secret_key_file", &self.secret_key_file)
            .field("smtp_url", &balai_store::redact_url(&self.smtp_url))
            .field("smtp_from", &self.smtp_from)
            .field("wa_gateway_url", &balai_store::redact_url(&self.wa_gateway_url))
            .field("wa_gateway_token", &if self.wa_gateway_token.is_empty() { "" } else { "***" })
            .field("outbox_poll_seconds", &self.outbox_poll_seconds)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("config file {0} is not valid: {1}")]
    Parse(PathBuf, String),
    #[error("environment variable {0}: {1}")]
    Env(String, String),
    #[error("{0}")]
    Invalid(String),
}

impl Config {
    /// Loads the configuration. `explicit` is a `--config` path, which must exist; without it,
    /// `./balai.toml` is read when present.
    pub fn load(explicit: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut config = match explicit {
            Some(path) => Self::from_file(path)?,
            None if Path::new("balai.toml").exists() => Self::from_file(Path::new("balai.toml"))?,
            None => Config::default(),
        };
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.into(), e))?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse(path.into(), e.to_string()))
    }

    fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        // `NAME` or, for secrets kept in files, `NAME_FILE`.
        let get = |name: &str| -> Result<Option<String>, ConfigError> {
            if let Some(v) = env(name) {
                return Ok(Some(v));
            }
            match env(&format!("{name}_FILE")) {
                Some(path) => std::fs::read_to_string(&path)
                    .map(|s| Some(s.trim_end_matches(['\n', '\r']).to_string()))
                    .map_err(|e| ConfigError::Env(format!("{name}_FILE"), format!("cannot read {path}: {e}"))),
                None => Ok(None),
            }
        };
        let parse = |name: &str, value: String| -> Result<i64, ConfigError> {
            value.trim().parse().map_err(|_| ConfigError::Env(name.into(), format!("`{value}` is not a whole number")))
        };
        let flag = |name: &str, value: String| -> Result<bool, ConfigError> {
            match value.trim() {
                "1" | "true" | "yes" => Ok(true),
                "0" | "false" | "no" => Ok(false),
                other => Err(ConfigError::Env(name.into(), format!("`{other}` is not true or false"))),
            }
        };
        if let Some(v) = get("BALAI_DATABASE_URL")? {
            self.database_url = v;
        }
        if let Some(v) = get("BALAI_LISTEN")? {
            self.listen = v;
        }
        if let Some(v) = get("BALAI_HOME_REGION")? {
            self.home_region = Some(v);
        }
        if let Some(v) = get("BALAI_UTC_OFFSET_HOURS")? {
            self.utc_offset_hours = parse("BALAI_UTC_OFFSET_HOURS", v)? as i32;
        }
        if let Some(v) = get("BALAI_SESSION_HOURS")? {
            self.session_hours = parse("BALAI_SESSION_HOURS", v)?;
        }
        if let Some(v) = get("BALAI_SECURE_COOKIES")? {
            self.secure_cookies = flag("BALAI_SECURE_COOKIES", v)?;
        }
        if let Some(v) = get("BALAI_BEHIND_PROXY")? {
            self.behind_proxy = flag("BALAI_BEHIND_PROXY", v)?;
        }
        if let Some(v) = get("BALAI_PUBLIC_URL")? {
            self.public_url = v;
        }
        if let Some(v) = env("BALAI_SECRET_KEY_FILE") {
            self.secret_key_file = PathBuf::from(v);
        }
        if let Some(v) = get("BALAI_MAX_CONNECTIONS")? {
            self.max_connections = parse("BALAI_MAX_CONNECTIONS", v)? as u32;
        }
        if let Some(v) = get("BALAI_SMTP_URL")? {
            self.smtp_url = v;
        }
        if let Some(v) = get("BALAI_SMTP_FROM")? {
            self.smtp_from = v;
        }
        if let Some(v) = get("BALAI_WA_GATEWAY_URL")? {
            self.wa_gateway_url = v;
        }
        if let Some(v) = get("BALAI_WA_GATEWAY_TOKEN")? {
            self.wa_gateway_token = v;
        }
        if let Some(v) = get("BALAI_OUTBOX_POLL_SECONDS")? {
            let seconds = parse("BALAI_OUTBOX_POLL_SECONDS", v)?;
            self.outbox_poll_seconds = u64::try_from(seconds)
                .map_err(|_| ConfigError::Env("BALAI_OUTBOX_POLL_SECONDS".into(), "must not be negative".into()))?;
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        balai_store::backend_of(&self.database_url).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if let Some(code) = &self.home_region {
            balai_domain::wilayah::KodeWilayah::parse(code)
                .map_err(|e| ConfigError::Invalid(format!("home_region `{code}`: {e}")))?;
        }
        if !(-12..=14).contains(&self.utc_offset_hours) {
            return Err(ConfigError::Invalid("utc_offset_hours must be between -12 and 14".into()));
        }
        if !(1..=24 * 30).contains(&self.session_hours) {
            return Err(ConfigError::Invalid("session_hours must be between 1 and 720".into()));
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid("public_url must start with http:// or https://".into()));
        }
        if self.max_connections == 0 {
            return Err(ConfigError::Invalid("max_connections must be at least 1".into()));
        }
        if !(1..=3600).contains(&self.outbox_poll_seconds) {
            return Err(ConfigError::Invalid("outbox_poll_seconds must be between 1 and 3600".into()));
        }
        // The same checks the outbox worker makes (URLs, sender address), at start-up.
        balai_app::messages::Deliverer::new(&self.delivery_settings())
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        Ok(())
    }

    /// Reads the installation's secret key, creating it (mode 0600) when missing.
    pub fn load_or_create_secret_key(&self) -> Result<[u8; 32], ConfigError> {
        let path = &self.secret_key_file;
        let read_err = |e: std::io::Error| ConfigError::Read(path.clone(), e);
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(read_err)?;
            let bytes = hex::decode(text.trim()).map_err(|_| {
                ConfigError::Invalid(format!("{}: the secret key must be 64 hex digits", path.display()))
            })?;
            return bytes.try_into().map_err(|_| {
                ConfigError::Invalid(format!("{}: the secret key must be 64 hex digits", path.display()))
            });
        }
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(read_err)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(read_err)?;
        std::io::Write::write_all(&mut file, format!("{}\n", hex::encode(key)).as_bytes()).map_err(read_err)?;
        Ok(key)
    }

    /// Where the outbox worker sends messages.
    pub fn delivery_settings(&self) -> balai_app::messages::DeliverySettings {
        balai_app::messages::DeliverySettings {
            smtp_url: self.smtp_url.clone(),
            smtp_from: self.smtp_from.clone(),
            gateway_url: self.wa_gateway_url.clone(),
            gateway_token: self.wa_gateway_token.clone(),
            send_timeout: std::time::Duration::from_secs(30),
        }
    }

    /// How the outbox worker polls (the retry schedule is the built-in one).
    pub fn worker_options(&self) -> balai_app::messages::WorkerOptions {
        balai_app::messages::WorkerOptions {
            poll_interval: std::time::Duration::from_secs(self.outbox_poll_seconds),
            ..balai_app::messages::WorkerOptions::default()
        }
    }

    pub fn app_config(&self) -> balai_app::AppConfig {
        balai_app::AppConfig {
            public_url: self.public_url.clone(),
            home_region: self.home_region.as_deref().and_then(|c| balai_domain::wilayah::KodeWilayah::parse(c).ok()),
            utc_offset: chrono::FixedOffset::east_opt(self.utc_offset_hours * 3600)
                .unwrap_or_else(|| balai_app::AppConfig::default().utc_offset),
            session_ttl: chrono::Duration::hours(self.session_hours),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn file_then_env_override_defaults() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("balai.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nhome_region = \"32.07\"\n").expect("write");
        let config = Config::load(Some(&file), &env_of(&[("BALAI_LISTEN", "127.0.0.1:7000")])).expect("load");
        assert_eq!(config.listen, "127.0.0.1:7000");
        assert_eq!(config.home_region.as_deref(), Some("32.07"));
        assert_eq!(config.database_url, "sqlite://balai-data/balai.db");
    }

    #[test]
    fn secrets_come_from_files_and_debug_redacts_them() {
        let dir = tempfile::tempdir().expect("tmp");
        let secret = dir.path().join("db-url");
        std::fs::write(&secret, "postgres://balai:s3cret@db.internal/balai\n").expect("write");
        let config = Config::load(
            Some(&write_empty(dir.path())),
            &env_of(&[("BALAI_DATABASE_URL_FILE", secret.to_str().expect("utf8"))]),
        )
        .expect("load");
        assert_eq!(config.database_url, "postgres://balai:s3cret@db.internal/balai");
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("postgres://balai:***@db.internal/balai"), "{debug}");
    }

    #[test]
    fn rejects_unknown_database_schemes_and_bare_paths() {
        for url in ["mysql://x/y", "balai.db", "/var/lib/balai.db", ""] {
            let err = Config::load(None, &env_of(&[("BALAI_DATABASE_URL", url)])).expect_err(url);
            assert!(err.to_string().contains("unsupported database URL"), "{url}: {err}");
        }
    }

    #[test]
    fn rejects_bad_values_and_unknown_keys() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("balai.toml");
        std::fs::write(&file, "lisen = \"x\"\n").expect("write");
        assert!(matches!(Config::load(Some(&file), &env_of(&[])), Err(ConfigError::Parse(..))));
        assert!(Config::load(None, &env_of(&[("BALAI_SECURE_COOKIES", "maybe")])).is_err());
        assert!(Config::load(None, &env_of(&[("BALAI_HOME_REGION", "99.99")])).is_err());
        assert!(Config::load(Some(&dir.path().join("missing.toml")), &env_of(&[])).is_err());
    }

    #[test]
    fn message_channels_come_from_file_and_env_and_secrets_stay_hidden() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("balai.toml");
        std::fs::write(
            &file,
            "smtp_url = \"smtp://kirim:p4ss@mail.example.org:587?tls=required\"\n\
             smtp_from = \"Desa Sukamulya <layanan@sukamulya.desa.id>\"\n\
             outbox_poll_seconds = 5\n",
        )
        .expect("write");
        let token = dir.path().join("wa-token");
        std::fs::write(&token, "t0ken-rahasia\n").expect("write");
        let config = Config::load(
            Some(&file),
            &env_of(&[
                ("BALAI_WA_GATEWAY_URL", "https://gateway.example.org/kirim"),
                ("BALAI_WA_GATEWAY_TOKEN_FILE", token.to_str().expect("utf8")),
            ]),
        )
        .expect("load");
        assert_eq!(config.wa_gateway_token, "t0ken-rahasia");
        assert_eq!(config.worker_options().poll_interval, std::time::Duration::from_secs(5));
        let settings = config.delivery_settings();
        assert_eq!(settings.gateway_url, "https://gateway.example.org/kirim");
        assert_eq!(settings.smtp_from, "Desa Sukamulya <layanan@sukamulya.desa.id>");
        for debug in [format!("{config:?}"), format!("{settings:?}")] {
            assert!(!debug.contains("t0ken-rahasia") && !debug.contains("p4ss"), "{debug}");
        }
        assert_eq!(Config::default().outbox_poll_seconds, 2);
        assert!(Config::default().smtp_url.is_empty(), "email is off unless configured");
    }

    #[test]
    fn rejects_bad_message_channel_settings() {
        for vars in [
            vec![("BALAI_SMTP_URL", "mail.example.org:25")],
            vec![("BALAI_SMTP_URL", "smtp://127.0.0.1:25")],
            vec![("BALAI_SMTP_URL", "smtp://127.0.0.1:25"), ("BALAI_SMTP_FROM", "bukan alamat")],
            vec![("BALAI_WA_GATEWAY_URL", "gateway.example.org")],
            vec![("BALAI_OUTBOX_POLL_SECONDS", "0")],
            vec![("BALAI_OUTBOX_POLL_SECONDS", "-1")],
        ] {
            assert!(Config::load(None, &env_of(&vars)).is_err(), "{vars:?}");
        }
        let fine = [("BALAI_SMTP_URL", "smtp://127.0.0.1:25"), ("BALAI_SMTP_FROM", "balai@desa.id")];
        Config::load(None, &env_of(&fine)).expect("plain SMTP on a local relay");
    }

    fn write_empty(dir: &Path) -> PathBuf {
        let file = dir.join("empty.toml");
        std::fs::write(&file, "").expect("write");
        file
    }
}
