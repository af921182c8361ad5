//! Residents' own accounts: sign-up with NIK and a phone number or e-mail address, sign-in, and the
//! village's confirmation of the NIK against its population register.

use balai_domain::contact::{normalize_email, normalize_phone};
use balai_domain::nik::Nik;
use balai_domain::roles::{Permission, Target};
use balai_domain::throttle::LoginThrottle;
use balai_domain::wilayah::KodeWilayah;
use balai_store::outbox::NewMessage;
use balai_store::residents::{NewResident, Resident, ResidentDecision};
use serde_json::json;

use crate::auth::{dummy_hash, new_token, token_hash, verify_password};
use crate::users::hash_password;
use crate::{Actor, App, AppError, AppResult, FieldError, ResidentUser};

/// What a resident types to sign up.
#[derive(Debug, Clone, Default)]
pub struct SignUpInput {
    pub village: String,
    pub nik: String,
    pub full_name: String,
    pub phone: String,
    pub email: String,
    pub password: String,
    pub password_confirm: String,
}

#[derive(Debug, Clone)]
pub struct ResidentLogin {
    /// For the resident's session cookie; only its hash is stored.
    pub token: String,
    pub resident: ResidentUser,
}

/// A sign-up waiting for the village, with what the register says about its NIK.
#[derive(Debug, Clone)]
pub struct PendingResident {
    pub resident: ResidentUser,
    pub signed_up_on: chrono::NaiveDate,
    /// The register's name for this NIK when the NIK is registered in this village.
    pub register_name: Option<String>,
}

pub const MIN_PASSWORD_CHARS: usize = 8;

impl App {
    /// Creates a resident's account (waiting for the village's confirmation) and signs them in.
    pub async fn sign_up_resident(&self, input: SignUpInput, ip: &str) -> AppResult<ResidentLogin> {
        let mut errors = Vec::new();
        let village = match KodeWilayah::parse(&input.village) {
            Ok(code) => match self.store.region(&code).await? {
                Some(r) if r.level.is_village() => Some(code),
                _ => None,
            },
            Err(_) => None,
        };
        if village.is_none() {
            errors.push(FieldError::new("village", "Pilih desa atau kelurahan tempat Anda terdaftar."));
        }
        let nik = match Nik::parse(&input.nik) {
            Ok(nik) => Some(nik),
            Err(e) => {
                errors.push(FieldError::new("nik", e.message_id()));
                None
            }
        };
        let full_name = input.full_name.split_whitespace().collect::<Vec<_>>().join(" ");
        if full_name.is_empty() {
            errors.push(FieldError::new("full_name", "Tuliskan nama lengkap Anda sesuai KTP."));
        } else if full_name.chars().count() > 100 || full_name.chars().any(char::is_control) {
            errors.push(FieldError::new("full_name", "Nama paling panjang 100 huruf."));
        }
        let phone = match input.phone.trim() {
            "" => String::new(),
            p => normalize_phone(p).unwrap_or_else(|e| {
                errors.push(FieldError::new("phone", e));
                String::new()
            }),
        };
        let email = match input.email.trim() {
            "" => String::new(),
            e => normalize_email(e).unwrap_or_else(|message| {
                errors.push(FieldError::new("email", message));
                String::new()
            }),
        };
        if input.phone.trim().is_empty() && input.email.trim().is_empty() {
            errors.push(FieldError::new(
                "phone",
                "Isi nomor HP (WhatsApp) atau alamat email, agar kabar permohonan sampai kepada Anda.",
            ));
        }
        if input.password.chars().count() < MIN_PASSWORD_CHARS {
            errors.push(FieldError::new("password", "Kata sandi paling sedikit 8 karakter."));
        } else if input.password != input.password_confirm {
            errors.push(FieldError::new("password_confirm", "Kedua kata sandi tidak sama. Ketik ulang."));
        }
        let (Some(village), Some(nik)) = (village, nik) else { return Err(AppError::Invalid(errors)) };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        if self.store.resident_by_nik(nik.as_str()).await?.is_some() {
            return Err(AppError::invalid(
                "nik",
                "NIK ini sudah punya akun. Silakan masuk; jika bukan Anda yang mendaftar, laporkan ke kantor desa.",
            ));
        }
        let password_hash = hash_password(input.password).await?;
        let now = self.now();
        let new = NewResident {
            nik: nik.as_str().to_string(),
            village_code: village.as_str().to_string(),
            full_name: full_name.clone(),
            phone,
            email,
            password_hash,
            created_at: now,
        };
        let topic = format!("warga:{}", nik.as_str());
        let messages = messages_to(
            &new.phone,
            &new.email,
            "Pendaftaran akun Balai diterima",
            &format!(
                "Halo {full_name}, pendaftaran akun Anda diterima. Kantor desa akan mencocokkan NIK Anda dengan data \
                 penduduk; setelah itu Anda dapat mengajukan surat secara daring."
            ),
            &topic,
        );
        let audit = self.audit_event(
            &Actor::Anonymous { ip: ip.to_string() },
            "resident.sign_up",
            format!("wilayah:{}/warga:{}", village.as_str(), nik.masked()),
            json!({"ip": ip}),
        );
        match self.store.create_resident(&new, &messages, audit).await {
            Err(balai_store::StoreError::Conflict(_)) => {
                return Err(AppError::invalid("nik", "NIK ini sudah punya akun. Silakan masuk."));
            }
            other => other?,
        };
        self.resident_login(nik.as_str(), &input.password_confirm, ip).await
    }

    /// Signs a resident in with NIK and password; throttled like staff sign-in.
    pub async fn resident_login(&self, nik: &str, password: &str, ip: &str) -> AppResult<ResidentLogin> {
        let nik: String = nik.chars().filter(char::is_ascii_digit).collect();
        let now = self.now();
        let throttle = LoginThrottle::default();
        let account_key = format!("warga:{nik}");
        let ip_key = format!("ip:{ip}");
        for key in [&account_key, &ip_key] {
            let failures = self.store.login_failures(key, now - throttle.window).await?;
            if let Some(until) = throttle.locked_until(&failures, now) {
                return Err(AppError::LockedOut { until });
            }
        }
        let resident = self.store.resident_by_nik(&nik).await?;
        let stored_hash = match &resident {
            Some(r) => r.password_hash.clone(),
            None => dummy_hash().await?,
        };
        let matches = verify_password(password.to_string(), stored_hash).await?;
        match resident {
            Some(resident) if matches => {
                self.store.clear_login_failures(&account_key).await?;
                let token = new_token();
                let resident = ResidentUser::from(resident);
                let audit = self.audit_event(
                    &Actor::Resident(resident.clone()),
                    "resident.login",
                    format!("warga:{}", resident.id),
                    json!({"ip": ip}),
                );
                self.store
                    .create_resident_session(&token_hash(&token), resident.id, now + self.config.session_ttl, audit)
                    .await?;
                Ok(ResidentLogin { token, resident })
            }
            _ => {
                let actor = Actor::Anonymous { ip: ip.to_string() };
                let masked = Nik::parse(&nik).map(|n| n.masked()).unwrap_or_else(|_| "?".into());
                let event = self.audit_event(&actor, "resident.login_failed", format!("warga:{masked}"), json!({}));
                self.store.record_login_failure(&[account_key, ip_key], event).await?;
                Err(AppError::LoginFailed)
            }
        }
    }

    /// The resident a session token belongs to, if valid and unexpired.
    pub async fn authenticate_resident(&self, token: &str) -> AppResult<Option<ResidentUser>> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        Ok(self.store.session_resident(&token_hash(token), self.now()).await?.map(ResidentUser::from))
    }

    pub async fn resident_logout(&self, actor: &Actor, token: &str) -> AppResult<()> {
        let event = self.audit_event(actor, "resident.logout", actor.audit_name(), json!({}));
        self.store.delete_resident_session(&token_hash(token), event).await?;
        Ok(())
    }

    /// Sign-ups of a village waiting for confirmation, with the register's name for each NIK.
    pub async fn pending_residents(&self, actor: &Actor, village: &str) -> AppResult<Vec<PendingResident>> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ManageRegister, &Target::Wilayah(&village))?;
        let mut out = Vec::new();
        for resident in self.store.residents_of_village(village.as_str(), Some("menunggu"), 200).await? {
            let register_name = self
                .store
                .penduduk_by_nik(&resident.nik)
                .await?
                .filter(|p| p.village_code == village.as_str())
                .map(|p| p.nama);
            out.push(PendingResident {
                signed_up_on: resident.created_at.with_timezone(&self.config.utc_offset).date_naive(),
                resident: ResidentUser::from(resident),
                register_name,
            });
        }
        Ok(out)
    }

    /// The village confirms a sign-up (its NIK must be in the village's register) or refuses it
    /// with a reason. The resident is told either way.
    pub async fn decide_resident(&self, actor: &Actor, resident_id: i64, confirm: bool, note: &str) -> AppResult<()> {
        let resident = self.store.resident(resident_id).await?.ok_or(AppError::NotFound)?;
        let village = KodeWilayah::parse(&resident.village_code).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ManageRegister, &Target::Wilayah(&village))?;
        if resident.status != "menunggu" {
            return Err(AppError::AlreadyDone("Pendaftaran ini sudah diputuskan sebelumnya.".into()));
        }
        let note = note.trim();
        let (status, penduduk_id, subject, body) = if confirm {
            let person = self
                .store
                .penduduk_by_nik(&resident.nik)
                .await?
                .filter(|p| p.village_code == resident.village_code)
                .ok_or_else(|| {
                    AppError::invalid(
                        "confirm",
                        "NIK ini tidak ada di data penduduk desa. Tambahkan dulu ke data penduduk, atau minta warga \
                         datang ke kantor desa membawa KTP dan KK.",
                    )
                })?;
            (
                "terverifikasi",
                Some(person.id),
                "Akun Balai Anda sudah dikonfirmasi",
                format!(
                    "Halo {}, NIK Anda sudah dicocokkan dengan data penduduk desa. Sekarang Anda dapat mengajukan surat \
                     secara daring.",
                    resident.full_name
                ),
            )
        } else {
            if note.is_empty() {
                return Err(AppError::invalid("note", "Tuliskan alasannya agar warga tahu apa yang harus dilakukan."));
            }
            (
                "ditolak",
                None,
                "Pendaftaran akun Balai belum dapat dikonfirmasi",
                format!("Halo {}, pendaftaran Anda belum dapat dikonfirmasi: {note}", resident.full_name),
            )
        };
        let decision = ResidentDecision {
            resident_id,
            from_status: resident.status.clone(),
            status: status.to_string(),
            penduduk_id,
            note: note.to_string(),
            at: self.now(),
            messages: messages_to(&resident.phone, &resident.email, subject, &body, &resident_topic(&resident)),
        };
        let audit = self.audit_event(
            actor,
            if confirm { "resident.confirm" } else { "resident.refuse" },
            format!("wilayah:{}/warga:{}", resident.village_code, resident.id),
            json!({"note": note}),
        );
        self.store.decide_resident(&decision, audit).await.map_err(|e| match e {
            balai_store::StoreError::Conflict(_) => {
                AppError::AlreadyDone("Pendaftaran ini sudah diputuskan sebelumnya.".into())
            }
            other => other.into(),
        })
    }

    /// The resident's account as it is now (the session copy may predate the village's decision).
    pub async fn current_resident(&self, actor: &Actor) -> AppResult<ResidentUser> {
        let Actor::Resident(r) = actor else { return Err(AppError::Unauthenticated) };
        self.store.resident(r.id).await?.map(ResidentUser::from).ok_or(AppError::Unauthenticated)
    }
}

fn resident_topic(resident: &Resident) -> String {
    format!("warga:{}", resident.nik)
}

/// One message per channel the resident gave: e-mail, and WhatsApp for a phone number.
pub(crate) fn messages_to(phone: &str, email: &str, subject: &str, body: &str, topic: &str) -> Vec<NewMessage> {
    let mut out = Vec::new();
    if !email.is_empty() {
        out.push(NewMessage {
            channel: "email".into(),
            recipient: email.to_string(),
            subject: subject.to_string(),
            body: body.to_string(),
            topic: topic.to_string(),
        });
    }
    if !phone.is_empty() {
        out.push(NewMessage {
            channel: "whatsapp".into(),
            recipient: phone.to_string(),
            subject: subject.to_string(),
            body: format!("{subject}. {body}"),
            topic: topic.to_string(),
        });
    }
    out
}
