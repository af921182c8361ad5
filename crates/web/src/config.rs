//! Configuration: typed defaults, then `balai.toml`, then `BALAI_*` environment variables.
//! Any secret may come from a file named by `BALAI_<NAME>_FILE` (for container secrets).

use std::net::{IpAddr, SocketAddr};
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
    /// This installation's public address, as residents reach it: printed in letters'
    /// verification QR codes, Open311 links and messages. Empty: derived from `listen`.
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
    /// `text` (the default; colours only on a terminal) or `json` (one object per line).
    pub log_format: String,
    /// When set, `/metrics` answers only requests with `Authorization: Bearer TOKEN` (a secret).
    pub metrics_token: String,
    /// When set, `/metrics` is served on this address only (e.g. `127.0.0.1:9100` for a
    /// Prometheus on the same host) and no longer on `listen`.
    pub metrics_listen: String,
}

/// Each setting with what it means, in `balai.toml`'s order, for `balai config`.
const SETTINGS: [(&str, &str); 18] = [
    ("database_url", "sqlite://PATH (embedded, the default) or postgres://USER:PASS@HOST/DB"),
    ("listen", "Address to listen on"),
    ("public_url", "The address residents reach (QR codes, Open311, messages); empty: derived from listen"),
    ("home_region", "The region whose villages the home page lists, e.g. 32.07"),
    ("utc_offset_hours", "Local time: 7 (WIB), 8 (WITA) or 9 (WIT)"),
    ("session_hours", "Hours a staff session lasts"),
    ("secure_cookies", "Secure cookies and HSTS: set when served over HTTPS"),
    ("behind_proxy", "Trust the last X-Forwarded-For address (only behind your own reverse proxy)"),
    ("max_connections", "Database connections per app instance"),
    ("secret_key_file", "The installation's secret key (created at first start; shared by all instances)"),
    ("smtp_url", "Outgoing email: smtp://HOST:PORT, smtp://USER:PASS@HOST:587?tls=required or smtps://...; empty: off"),
    ("smtp_from", "Sender of outgoing email, e.g. Desa Sukamulya <layanan@sukamulya.desa.id>"),
    ("wa_gateway_url", "WhatsApp/SMS gateway receiving {channel, to, message} as JSON; empty: off"),
    ("wa_gateway_token", "Sent to the gateway as a bearer token"),
    ("outbox_poll_seconds", "How often an idle outbox worker looks for due messages"),
    ("log_format", "text or json"),
    ("metrics_token", "When set, /metrics needs Authorization: Bearer TOKEN"),
    ("metrics_listen", "When set, /metrics is served on this address only"),
];

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
            public_url: String::new(),
            secret_key_file: PathBuf::from("balai-data/secret.key"),
            smtp_url: String::new(),
            smtp_from: String::new(),
            wa_gateway_url: String::new(),
            wa_gateway_token: String::new(),
            outbox_poll_seconds: 2,
            log_format: "text".into(),
            metrics_token: String::new(),
            metrics_listen: String::new(),
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
            .field("log_format", &self.log_format)
            .field("metrics_token", &if self.metrics_token.is_empty() { "" } else { "***" })
            .field("metrics_listen", &self.metrics_listen)
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
        if let Some(v) = get("BALAI_LOG_FORMAT")? {
            self.log_format = v;
        }
        if let Some(v) = get("BALAI_METRICS_TOKEN")? {
            self.metrics_token = v;
        }
        if let Some(v) = get("BALAI_METRICS_LISTEN")? {
            self.metrics_listen = v;
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
        let public_url = self.public_url.trim();
        if !(public_url.is_empty() || public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid("public_url must start with http:// or https://".into()));
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err(ConfigError::Invalid(format!("log_format `{}` must be text or json", self.log_format)));
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

    /// The address QR codes, Open311 links and messages carry: `public_url`, or else where
    /// Balai listens (every address: the loopback one, with a warning at start).
    pub fn effective_public_url(&self) -> String {
        let set = self.public_url.trim().trim_end_matches('/');
        if !set.is_empty() {
            return set.to_string();
        }
        match self.listen.parse::<SocketAddr>() {
            Ok(addr) if addr.ip().is_unspecified() => format!("http://127.0.0.1:{}", addr.port()),
            Ok(addr) => format!("http://{addr}"),
            Err(_) => format!("http://{}", self.listen.trim()),
        }
    }

    /// Why residents may not reach the public address, to print at start: `public_url` left to
    /// be derived while listening on every address, or an address (not a proxy's host name)
    /// that is not where Balai listens.
    pub fn public_url_warning(&self) -> Option<String> {
        let listen = self.listen.parse::<SocketAddr>().ok()?;
        let public = self.effective_public_url();
        if self.public_url.trim().is_empty() {
            return listen.ip().is_unspecified().then(|| {
                format!(
                    "public_url is not set and Balai listens on every address ({listen}): QR codes, Open311 links \
                     and messages will say {public}, which other devices cannot open. Set public_url \
                     (BALAI_PUBLIC_URL) to the address residents use."
                )
            });
        }
        let (host, port) = host_and_port(&public)?;
        let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
            IpAddr::from([127, 0, 0, 1])
        } else {
            // A host name: a reverse proxy or DNS in front of Balai, whose address may well differ.
            host.trim_matches(['[', ']']).parse().ok()?
        };
        let unreachable = ip.is_loopback() && !listen.ip().is_loopback();
        let elsewhere = port != listen.port() || !(listen.ip().is_unspecified() || listen.ip() == ip);
        (unreachable || elsewhere).then(|| {
            format!(
                "public_url {public} does not match the listen address {listen}: QR codes, Open311 links and \
                 messages will point at {public}. Set public_url to the address residents use, or leave it \
                 empty to derive it from listen."
            )
        })
    }

    /// `balai config`: every setting as `balai.toml` lines with what it means, secrets hidden.
    /// Of the defaults, a sample `balai.toml`.
    pub fn to_toml(&self) -> String {
        let secret = |v: &str| if v.is_empty() { String::new() } else { "***".to_string() };
        let mut out = String::new();
        for (key, meaning) in SETTINGS {
            let value = match key {
                "database_url" => toml_string(&balai_store::redact_url(&self.database_url)),
                "listen" => toml_string(&self.listen),
                "public_url" => toml_string(&self.public_url),
                "home_region" => self.home_region.as_deref().map(toml_string).unwrap_or_default(),
                "utc_offset_hours" => self.utc_offset_hours.to_string(),
                "session_hours" => self.session_hours.to_string(),
                "secure_cookies" => self.secure_cookies.to_string(),
                "behind_proxy" => self.behind_proxy.to_string(),
                "max_connections" => self.max_connections.to_string(),
                "secret_key_file" => toml_string(&self.secret_key_file.display().to_string()),
                "smtp_url" => toml_string(&balai_store::redact_url(&self.smtp_url)),
                "smtp_from" => toml_string(&self.smtp_from),
                "wa_gateway_url" => toml_string(&balai_store::redact_url(&self.wa_gateway_url)),
                "wa_gateway_token" => toml_string(&secret(&self.wa_gateway_token)),
                "outbox_poll_seconds" => self.outbox_poll_seconds.to_string(),
                "log_format" => toml_string(&self.log_format),
                "metrics_token" => toml_string(&secret(&self.metrics_token)),
                _ => toml_string(&self.metrics_listen),
            };
            out.push_str(&format!("# {meaning}\n"));
            if value.is_empty() {
                out.push_str(&format!("# {key} = \n"));
            } else {
                out.push_str(&format!("{key} = {value}\n"));
            }
            if key == "public_url" && self.public_url.trim().is_empty() {
                out.push_str(&format!("# (now: {})\n", self.effective_public_url()));
            }
        }
        out
    }

    pub fn app_config(&self) -> balai_app::AppConfig {
        balai_app::AppConfig {
            public_url: self.effective_public_url(),
            home_region: self.home_region.as_deref().and_then(|c| balai_domain::wilayah::KodeWilayah::parse(c).ok()),
            utc_offset: chrono::FixedOffset::east_opt(self.utc_offset_hours * 3600)
                .unwrap_or_else(|| balai_app::AppConfig::default().utc_offset),
            session_ttl: chrono::Duration::hours(self.session_hours),
        }
    }
}

/// A TOML basic string: quoted, with backslashes, quotes and control characters escaped.
fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `http://host:port/...` → (host, port), the port defaulting by scheme.
fn host_and_port(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let default = if scheme.eq_ignore_ascii_case("https") { 443 } else { 80 };
    match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => Some((host.to_string(), port.parse().ok()?)),
        _ => Some((authority.to_string(), default)),
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

    #[test]
    fn the_public_address_follows_listen_unless_set() {
        let with = |vars: &[(&str, &str)]| Config::load(None, &env_of(vars)).expect("load");
        assert_eq!(with(&[]).effective_public_url(), "http://127.0.0.1:8080");
        assert_eq!(with(&[]).public_url_warning(), None);
        let lan = with(&[("BALAI_LISTEN", "192.168.1.20:9000")]);
        assert_eq!(lan.effective_public_url(), "http://192.168.1.20:9000");
        assert_eq!(lan.app_config().public_url, "http://192.168.1.20:9000");
        assert_eq!(lan.public_url_warning(), None);
        let every = with(&[("BALAI_LISTEN", "0.0.0.0:9000")]);
        assert_eq!(every.effective_public_url(), "http://127.0.0.1:9000");
        assert!(every.public_url_warning().expect("warned").contains("public_url is not set"));
        let v6 = with(&[("BALAI_LISTEN", "[::1]:9000")]);
        assert_eq!(v6.effective_public_url(), "http://[::1]:9000");

        // Set: kept as written (without a trailing slash); a host name is a proxy's business.
        let proxied = with(&[("BALAI_LISTEN", "127.0.0.1:8080"), ("BALAI_PUBLIC_URL", "https://desa.example.id/")]);
        assert_eq!(proxied.effective_public_url(), "https://desa.example.id");
        assert_eq!(proxied.public_url_warning(), None);
        for (listen, public) in [
            ("0.0.0.0:9000", "http://127.0.0.1:8080"),
            ("0.0.0.0:9000", "http://127.0.0.1:9000"),
            ("192.168.1.20:9000", "http://192.168.1.21:9000"),
            ("127.0.0.1:9000", "http://localhost:8080"),
        ] {
            let config = with(&[("BALAI_LISTEN", listen), ("BALAI_PUBLIC_URL", public)]);
            let warning = config.public_url_warning().unwrap_or_else(|| panic!("{listen} {public}"));
            assert!(warning.contains("does not match the listen address"), "{warning}");
        }
        for (listen, public) in [("0.0.0.0:9000", "http://192.168.1.20:9000"), ("127.0.0.1:80", "http://localhost")] {
            let config = with(&[("BALAI_LISTEN", listen), ("BALAI_PUBLIC_URL", public)]);
            assert_eq!(config.public_url_warning(), None, "{listen} {public}");
        }
        assert!(Config::load(None, &env_of(&[("BALAI_PUBLIC_URL", "desa.example.id")])).is_err());
    }

    #[test]
    fn config_prints_every_setting_as_a_loadable_sample_with_secrets_hidden() {
        let sample = Config::default().to_toml();
        for (key, _) in SETTINGS {
            assert!(sample.contains(&format!("\n{key} = ")) || sample.contains(&format!("# {key} = ")), "{key}");
        }
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("balai.toml");
        std::fs::write(&file, &sample).expect("write");
        let loaded = Config::load(Some(&file), &env_of(&[])).expect("the sample loads");
        assert_eq!(format!("{loaded:?}"), format!("{:?}", Config::default()));

        let config = Config::load(
            None,
            &env_of(&[
                ("BALAI_DATABASE_URL", "postgres://balai:s3cret@db/balai"),
                ("BALAI_WA_GATEWAY_URL", "https://gw.example.org/kirim"),
                ("BALAI_WA_GATEWAY_TOKEN", "t0ken"),
                ("BALAI_METRICS_TOKEN", "m3trics"),
                ("BALAI_LOG_FORMAT", "json"),
            ]),
        )
        .expect("load");
        let printed = config.to_toml();
        for secret in ["s3cret", "t0ken", "m3trics"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("database_url = \"postgres://balai:***@db/balai\""), "{printed}");
        assert!(printed.contains("log_format = \"json\"") && printed.contains("# (now: http://127.0.0.1:8080)"));
        assert!(Config::load(None, &env_of(&[("BALAI_LOG_FORMAT", "xml")])).is_err());
    }
}
