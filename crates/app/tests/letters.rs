//! The letter flow through the use-cases, with the real Typst renderer: register import, a
//! walk-in request, review, signing with gapless numbering, the PDF's text, verification and
//! revocation; on whichever database `TEST_DATABASE_URL` names.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;

use balai_app::demo::seed_demo;
use balai_app::letters::{CertifiedSignRequest, CertifiedSigner, LetterServices, MasterKey, NewRequestInput};
use balai_app::{Actor, App, AppConfig, AppError, FixedClock, StaffUser};
use balai_domain::surat::catalogue::FieldKind;
use balai_domain::surat::state::{RequestAction, RequestState};
use balai_domain::wilayah::KodeWilayah;
use balai_store::testing::{TestDatabase, fresh_store};
use chrono::{TimeZone, Utc};

const DESA: &str = "32.07.06.2001";

const REGISTER: &str = "nik,no_kk,nama,tempat_lahir,tanggal_lahir,jenis_kelamin,agama,status_kawin,pekerjaan,alamat,rt,rw
3207061205900011,3207060101200001,Budi Pratama,Ciamis,1990-05-12,L,Islam,Kawin,Petani,Dusun Sukamulya,001,002
3207065208950012,3207060101200001,Siti Aminah,Ciamis,12-08-1995,P,Islam,Kawin,Mengurus Rumah Tangga,Dusun Sukamulya,001,002
";

async fn app() -> (App, TestDatabase) {
    app_with(None).await
}

async fn app_with(certified_signer: Option<Arc<dyn CertifiedSigner>>) -> (App, TestDatabase) {
    let (store, db) = fresh_store().await;
    // 09:00 WIB, Monday 23 November 2026.
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).single().expect("time")));
    let config = AppConfig { home_region: Some(KodeWilayah::parse("32.07").expect("code")), ..Default::default() };
    let services = LetterServices {
        renderer: Arc::new(balai_letters::TypstRenderer::new()),
        master_key: MasterKey::from_bytes([42; 32]),
        certified_signer,
    };
    let app = App::new(store, clock, config).with_letters(services);
    seed_demo(&app).await.expect("seed");
    (app, db)
}

async fn staff(app: &App, username: &str) -> Actor {
    let user = app.store().user_by_username(username).await.expect("lookup").expect("exists");
    Actor::Staff(StaffUser::from(user))
}

/// Plausible values for every field of a letter type.
async fn filled_fields(app: &App, slug: &str) -> BTreeMap<String, String> {
    let village = KodeWilayah::parse(DESA).expect("code");
    let catalogue = app.letter_catalogue(&village).await.expect("catalogue");
    let spec = &catalogue.iter().find(|t| t.spec.slug == slug).expect("type").spec;
    spec.fields
        .iter()
        .map(|f| {
            let value = match &f.kind {
                FieldKind::Date => "2026-11-01".to_string(),
                FieldKind::Number => "2".to_string(),
                FieldKind::Rupiah => "2500000".to_string(),
                FieldKind::Choice(options) => options[0].clone(),
                _ => format!("Isian {}", f.label),
            };
            (f.name.clone(), value)
        })
        .collect()
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("surat.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = Command::new("pdftotext")
        .args(["-layout", path.to_str().expect("utf8"), "-"])
        .output()
        .expect("pdftotext must be installed (apt-get install poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn a_walk_in_sktm_is_reviewed_signed_numbered_and_verifiable() {
    let (app, _db) = app().await;
    let operator = staff(&app, "operator.sukamulya").await;
    let kades = staff(&app, "kades.sukamulya").await;
    let report = app.import_penduduk(&operator, DESA, "penduduk.csv", REGISTER.as_bytes()).await.expect("import");
    assert_eq!((report.rows_read, report.inserted), (2, 2));

    // A NIK not in the register, and a missing required field, are refused with clear words.
    let mut fields = filled_fields(&app, "sktm").await;
    let unknown =
        NewRequestInput { letter_type: "sktm".into(), nik: "3207061205900009".into(), fields: fields.clone() };
    match app.create_walk_in_request(&operator, DESA, unknown).await {
        Err(AppError::Invalid(errors)) => {
            assert!(errors.iter().any(|e| e.field == "nik" && e.message.contains("tidak terdaftar")))
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    let required = app
        .letter_catalogue(&KodeWilayah::parse(DESA).expect("code"))
        .await
        .expect("catalogue")
        .into_iter()
        .find(|t| t.spec.slug == "sktm")
        .and_then(|t| t.spec.fields.into_iter().find(|f| f.required && f.name == "keperluan"))
        .expect("SKTM has a required field");
    let mut missing = fields.clone();
    missing.insert(required.name.clone(), String::new());
    let input = NewRequestInput { letter_type: "sktm".into(), nik: "3207061205900011".into(), fields: missing };
    assert!(matches!(app.create_walk_in_request(&operator, DESA, input).await, Err(AppError::Invalid(_))));

    fields.insert(required.name.clone(), "Pendaftaran beasiswa <script>alert(1)</script> O'Neil".into());
    let input = NewRequestInput { letter_type: "sktm".into(), nik: "3207 0612 0590 0011".into(), fields };
    let request = app.create_walk_in_request(&operator, DESA, input).await.expect("create");
    assert_eq!(request.state, "diajukan");
    assert_eq!(request.due_on.to_string(), "2026-11-24", "one working day");

    // Staff of another village cannot see it.
    let other = staff(&app, "operator.cikoneng").await;
    assert!(matches!(app.letter_request(&other, &request.id).await, Err(AppError::NotFound)));
    // Returning for correction needs a reason.
    assert!(matches!(
        app.act_on_request(&operator, &request.id, RequestAction::MintaPerbaikan, " ").await,
        Err(AppError::Invalid(_))
    ));
    app.act_on_request(&operator, &request.id, RequestAction::Verifikasi, "").await.expect("verify");
    let view = app.letter_request(&operator, &request.id).await.expect("view");
    assert_eq!(view.state, RequestState::MenungguTandaTangan);
    assert_eq!(
        view.events.iter().map(|e| e.to_state.as_str()).collect::<Vec<_>>(),
        ["diajukan", "diperiksa", "menunggu_tanda_tangan"]
    );

    // The operator may not sign; the head of the village does, once.
    assert!(matches!(app.sign_request(&operator, &request.id).await, Err(AppError::NotFound)));
    let letter = app.sign_request(&kades, &request.id).await.expect("sign");
    assert_eq!(letter.number, "400.9.14/001/2001/XI/2026");
    assert!(matches!(app.sign_request(&kades, &request.id).await, Err(AppError::AlreadyDone(_))), "a double click");
    let (_, pdf) = app.letter_pdf_for_request(&operator, &request.id).await.expect("pdf");
    let text = pdf_text(&pdf);
    for expected in [
        "400.9.14/001/2001/XI/2026",
        "Budi Pratama",
        "Dadang Sukmana (demo)",
        "3207061205900011",
        "<script>alert(1)</script> O'Neil",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }

    // Verification: valid with the stored signature; a forged QR signature is caught.
    let v = app.verify_letter(&letter.token, None).await.expect("verify");
    assert!(v.signature_valid && !v.revoked);
    assert_eq!((v.number.as_str(), v.masked_name.as_str()), ("400.9.14/001/2001/XI/2026", "B*** P******"));
    assert_eq!(app.verify_letter(&letter.token, Some("AAAA")).await.expect("verify").qr_signature_valid, Some(false));
    assert!(matches!(app.verify_letter("tidak-ada-token-seperti-ini", None).await, Err(AppError::NotFound)));

    // The next letter of the village takes the next number.
    let fields = filled_fields(&app, "domisili").await;
    let second = NewRequestInput { letter_type: "domisili".into(), nik: "3207065208950012".into(), fields };
    let second = app.create_walk_in_request(&operator, DESA, second).await.expect("create");
    app.act_on_request(&operator, &second.id, RequestAction::Verifikasi, "").await.expect("verify");
    let results = app.sign_requests(&kades, &[second.id.clone(), request.id.clone()]).await;
    assert!(results[0].1.as_ref().is_ok_and(|l| l.number.contains("/002/2001/XI/2026")), "{results:?}");
    assert!(results[1].1.is_err(), "already signed");

    // Revocation shows on the verification page.
    app.revoke_letter(&kades, &request.id, "Data penghasilan keliru").await.expect("revoke");
    let v = app.verify_letter(&letter.token, None).await.expect("verify");
    assert!(v.revoked && v.revoke_reason == "Data penghasilan keliru");
    assert!(app.verify_audit(&Actor::System).await.expect("read").is_ok(), "audit chain intact");
}

#[tokio::test]
async fn register_imports_are_checked_row_by_row() {
    let (app, _db) = app().await;
    let operator = staff(&app, "operator.sukamulya").await;
    let bad = "nik,no_kk,nama,tanggal_lahir,jenis_kelamin\n\
               3207061205900001,3207060101200001,Budi,1990-05-12,L\n\
               320706120590,3207060101200001,Pendek,,\n\
               3207061205900001,3207060101200001,Budi Lagi,,\n\
               3207063213900003,3207060101200001,Tanggal Salah,,\n\
               3207061205900004,12,KK Pendek,31-02-1990,X\n";
    match app.import_penduduk(&operator, DESA, "bad.csv", bad.as_bytes()).await {
        Err(AppError::ImportRejected(_, lines)) => {
            let all = lines.join("\n");
            for expected in [
                "bad.csv: line 3: NIK",
                "bad.csv: line 4: NIK 3207********0001 already appears on line 2",
                "bad.csv: line 5: NIK",
                "bad.csv: line 6: No. KK",
                "bad.csv: line 6: tanggal_lahir",
                "bad.csv: line 6: jenis_kelamin",
            ] {
                assert!(all.contains(expected), "{expected} not in:\n{all}");
            }
        }
        other => panic!("expected rejection, got {other:?}"),
    }
    assert_eq!(app.store().count_penduduk(DESA).await.expect("count"), 4, "nothing written (4 demo residents)");
    // The register is the village's own: another village's operator and the regency admin are refused.
    for username in ["operator.cikoneng", "admin.ciamis", "camat.cihaurbeuti"] {
        let actor = staff(&app, username).await;
        assert!(
            matches!(app.import_penduduk(&actor, DESA, "p.csv", REGISTER.as_bytes()).await, Err(AppError::NotFound)),
            "{username}"
        );
    }
    app.import_penduduk(&operator, DESA, "p.csv", REGISTER.as_bytes()).await.expect("import");
    assert_eq!(app.search_penduduk(&operator, DESA, "siti").await.expect("search").len(), 1);
    assert!(matches!(
        app.search_penduduk(&staff(&app, "operator.cikoneng").await, DESA, "siti").await,
        Err(AppError::NotFound)
    ));
}

/// Stands in for a certified e-signature service (none can run here): appends a PDF comment
/// naming the signer, or fails when told to.
struct AppendingSigner {
    fail: bool,
}

impl CertifiedSigner for AppendingSigner {
    fn sign_pdf(
        &self,
        request: CertifiedSignRequest,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<u8>, String>> + Send + '_>> {
        Box::pin(async move {
            if self.fail {
                return Err("service unreachable".into());
            }
            let mut pdf = request.pdf;
            pdf.extend_from_slice(format!("\n%certified {} {}\n", request.signer_id, request.letter_number).as_bytes());
            Ok(pdf)
        })
    }
}

async fn request_awaiting_signature(app: &App) -> String {
    let operator = staff(app, "operator.sukamulya").await;
    let fields = filled_fields(app, "domisili").await;
    let input = NewRequestInput { letter_type: "domisili".into(), nik: "3207061205900001".into(), fields };
    let request = app.create_walk_in_request(&operator, DESA, input).await.expect("create");
    app.act_on_request(&operator, &request.id, RequestAction::Verifikasi, "").await.expect("verify");
    request.id
}

#[tokio::test]
async fn a_certified_signature_service_signs_the_pdf_before_the_village_does() {
    let (app, _db) = app_with(Some(Arc::new(AppendingSigner { fail: false }))).await;
    let kades = staff(&app, "kades.sukamulya").await;
    let id = request_awaiting_signature(&app).await;
    let letter = app.sign_request(&kades, &id).await.expect("sign");
    let (_, pdf) = app.letter_pdf_for_request(&kades, &id).await.expect("pdf");
    let tail = String::from_utf8_lossy(&pdf[pdf.len() - 80..]).into_owned();
    assert!(tail.contains(&format!("%certified Dadang Sukmana (demo) {}", letter.number)), "{tail}");
    assert_eq!(
        letter.pdf_sha256,
        balai_domain::surat::canonical::pdf_sha256(&pdf),
        "the hash covers the certified PDF"
    );
    assert!(app.verify_letter(&letter.token, None).await.expect("verify").signature_valid);

    // When the service fails, nothing is issued and the number is not used up.
    let (app, _db) = app_with(Some(Arc::new(AppendingSigner { fail: true }))).await;
    let kades = staff(&app, "kades.sukamulya").await;
    let id = request_awaiting_signature(&app).await;
    assert!(app.sign_request(&kades, &id).await.is_err());
    let view = app.letter_request(&kades, &id).await.expect("view");
    assert_eq!((view.state, view.letter.is_none()), (RequestState::MenungguTandaTangan, true));
}

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00 photo of a KTP";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n photo of a KK";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n";

fn upload(requirement: &str, name: &str, bytes: &[u8]) -> balai_app::letters::Upload {
    balai_app::letters::Upload { requirement: requirement.into(), file_name: name.into(), bytes: bytes.to_vec() }
}

fn field_errors(result: Result<impl std::fmt::Debug, AppError>) -> Vec<(String, String)> {
    match result {
        Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn signed_up(app: &App, nik: &str, name: &str) -> Actor {
    let input = balai_app::SignUpInput {
        village: DESA.into(),
        nik: nik.into(),
        full_name: name.into(),
        phone: "0812-3456-7890".into(),
        email: "budi@contoh.id".into(),
        password: "rahasia-sekali".into(),
        password_confirm: "rahasia-sekali".into(),
    };
    Actor::Resident(app.sign_up_resident(input, "127.0.0.1").await.expect("sign up").resident)
}

#[tokio::test]
async fn a_resident_requests_an_sktm_online_fixes_it_and_downloads_the_signed_letter() {
    let (app, _db) = app().await;
    let operator = staff(&app, "operator.sukamulya").await;
    let kades = staff(&app, "kades.sukamulya").await;
    app.import_penduduk(&operator, DESA, "penduduk.csv", REGISTER.as_bytes()).await.expect("import");

    // Sign-up: bad input is refused field by field; a NIK cannot sign up twice.
    let bad = balai_app::SignUpInput {
        village: DESA.into(),
        nik: "1234".into(),
        full_name: " ".into(),
        password: "short".into(),
        ..Default::default()
    };
    let fields: Vec<String> =
        field_errors(app.sign_up_resident(bad, "127.0.0.1").await).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["nik", "full_name", "phone", "password"]);
    let budi = signed_up(&app, "3207061205900011", "Budi  Pratama").await;
    let twice = balai_app::SignUpInput {
        village: DESA.into(),
        nik: "3207061205900011".into(),
        full_name: "Orang Lain".into(),
        email: "lain@contoh.id".into(),
        password: "rahasia-sekali".into(),
        password_confirm: "rahasia-sekali".into(),
        ..Default::default()
    };
    assert_eq!(field_errors(app.sign_up_resident(twice, "127.0.0.2").await)[0].0, "nik");
    let login = app.resident_login("3207 0612 0590 0011", "rahasia-sekali", "127.0.0.1").await.expect("login");
    assert_eq!(login.resident.full_name, "Budi Pratama");
    assert!(matches!(app.resident_login("3207061205900011", "salah", "127.0.0.1").await, Err(AppError::LoginFailed)));

    // Not confirmed yet: no online requests.
    let sktm = filled_fields(&app, "sktm").await;
    let early = app.create_online_request(&budi, "sktm", sktm.clone(), vec![]).await;
    assert_eq!(field_errors(early)[0].0, "account");

    // The village confirms the NIK against its register.
    let pending = app.pending_residents(&operator, DESA).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].register_name.as_deref(), Some("Budi Pratama"));
    assert!(matches!(app.pending_residents(&budi, DESA).await, Err(AppError::NotFound)), "residents see no list");
    app.decide_resident(&operator, pending[0].resident.id, true, "").await.expect("confirm");
    let again = app.decide_resident(&operator, pending[0].resident.id, true, "").await;
    assert!(matches!(again, Err(AppError::AlreadyDone(_))), "{again:?}");
    let budi = Actor::Resident(app.current_resident(&budi).await.expect("reload"));

    // Missing and fake attachments are refused, and nothing is stored.
    let missing = app.create_online_request(&budi, "sktm", sktm.clone(), vec![upload("ktp", "ktp.jpg", JPEG)]).await;
    let missing: Vec<String> = field_errors(missing).into_iter().map(|(f, _)| f).collect();
    assert_eq!(missing, ["lampiran_kk", "lampiran_pengantar_rt_rw"]);
    let fake = vec![
        upload("ktp", "ktp.jpg", JPEG),
        upload("kk", "kk.png", PNG),
        upload("pengantar_rt_rw", "pengantar.pdf", b"<html><script>alert(1)</script></html>"),
    ];
    let fake = field_errors(app.create_online_request(&budi, "sktm", sktm.clone(), fake).await);
    assert_eq!(fake[0].0, "lampiran_pengantar_rt_rw");
    assert!(fake[0].1.contains("isi berkas diperiksa"), "{fake:?}");
    assert!(app.resident_requests(&budi).await.expect("list").is_empty(), "nothing half-written");

    let files = vec![
        upload("ktp", "../KTP Budi.jpeg", JPEG),
        upload("kk", "kk.png", PNG),
        upload("pengantar_rt_rw", "pengantar.pdf", PDF),
    ];
    let request = app.create_online_request(&budi, "sktm", sktm.clone(), files).await.expect("request");
    assert_eq!((request.channel.as_str(), request.resident_id.is_some()), ("online", true));
    let mine = app.resident_request(&budi, &request.id).await.expect("view");
    assert_eq!(mine.view.attachments.len(), 3);
    assert_eq!(mine.view.attachments[0].file_name, "KTP Budi.jpg");
    assert!(mine.may_cancel && !mine.may_correct);

    // Someone else (another resident, staff of another village) cannot open it by its id.
    app.import_penduduk(&operator, DESA, "p.csv", REGISTER.as_bytes()).await.expect("again");
    let siti = signed_up(&app, "3207065208950012", "Siti Aminah").await;
    assert!(matches!(app.resident_request(&siti, &request.id).await, Err(AppError::NotFound)));
    let file_id = mine.view.attachments[0].id.clone();
    assert!(matches!(app.request_attachment(&siti, &request.id, &file_id).await, Err(AppError::NotFound)));
    let other_operator = staff(&app, "operator.cikoneng").await;
    assert!(matches!(app.request_attachment(&other_operator, &request.id, &file_id).await, Err(AppError::NotFound)));
    let (meta, bytes) = app.request_attachment(&operator, &request.id, &file_id).await.expect("staff sees it");
    assert_eq!((meta.content_type.as_str(), bytes.as_slice()), ("image/jpeg", JPEG));

    // The operator returns it; the resident fixes a field and replaces the KTP photo.
    app.act_on_request(&operator, &request.id, RequestAction::MintaPerbaikan, "Foto KTP buram").await.expect("return");
    let mine = app.resident_request(&budi, &request.id).await.expect("view");
    assert_eq!(mine.view.state, RequestState::PerluPerbaikan);
    assert_eq!(mine.view.request.note, "Foto KTP buram");
    assert!(mine.may_correct);
    let mut fixed = sktm.clone();
    fixed.insert("keperluan".into(), "Beasiswa O'Brien <script>x</script> Cisontról".into());
    app.resubmit_request(&budi, &request.id, fixed, vec![upload("ktp", "ktp-baru.jpg", JPEG)]).await.expect("fix");
    let again = app.resubmit_request(&budi, &request.id, sktm.clone(), vec![]).await;
    assert!(matches!(again, Err(AppError::AlreadyDone(_))), "{again:?}");

    // Verified and signed; the resident downloads the PDF; the letter verifies.
    app.act_on_request(&operator, &request.id, RequestAction::Verifikasi, "").await.expect("verify");
    assert!(matches!(app.cancel_request(&budi, &request.id).await, Err(AppError::AlreadyDone(_))));
    let letter = app.sign_request(&kades, &request.id).await.expect("sign");
    let (downloaded, pdf) = app.resident_letter_pdf(&budi, &request.id).await.expect("pdf");
    assert_eq!(downloaded.number, letter.number);
    let text = pdf_text(&pdf);
    assert!(text.contains("Budi Pratama") && text.contains(&letter.number), "{text}");
    assert!(text.contains("Cisontról"), "{text}");
    assert!(matches!(app.resident_letter_pdf(&siti, &request.id).await, Err(AppError::NotFound)));
    assert!(app.verify_letter(&letter.token, None).await.expect("verify").signature_valid);

    let mine = app.resident_request(&budi, &request.id).await.expect("view");
    assert_eq!(mine.view.state, RequestState::Selesai);
    let current: Vec<&str> =
        mine.view.attachments.iter().filter(|a| !a.replaced).map(|a| a.file_name.as_str()).collect();
    assert_eq!(current.len(), 3);
    assert!(current.contains(&"ktp-baru.jpg"));
    let actions: Vec<&str> = mine.view.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["ajukan", "periksa", "minta_perbaikan", "kirim_perbaikan", "verifikasi", "tandatangani"]);

    // Every change the resident should hear about queued one e-mail and one WhatsApp message.
    let messages = app.letter_request(&operator, &request.id).await.expect("staff view").messages;
    let subjects: Vec<&str> = messages.iter().filter(|m| m.channel == "email").map(|m| m.subject.as_str()).collect();
    assert_eq!(subjects.len(), 5, "{subjects:?}");
    assert!(subjects[0].starts_with("Permohonan Surat Keterangan Tidak Mampu diterima"), "{subjects:?}");
    assert!(
        subjects[4].starts_with("Surat Surat Keterangan Tidak Mampu sudah terbit") || subjects[4].contains("terbit")
    );
    assert_eq!(messages.iter().filter(|m| m.channel == "whatsapp").count(), 5);
    assert!(messages.iter().all(|m| m.status == "pending"));
}

#[tokio::test]
async fn a_resident_can_withdraw_a_request_before_it_is_verified() {
    let (app, _db) = app().await;
    let operator = staff(&app, "operator.sukamulya").await;
    app.import_penduduk(&operator, DESA, "penduduk.csv", REGISTER.as_bytes()).await.expect("import");
    let budi = signed_up(&app, "3207061205900011", "Budi Pratama").await;
    let id = app.pending_residents(&operator, DESA).await.expect("pending")[0].resident.id;
    app.decide_resident(&operator, id, true, "").await.expect("confirm");
    let budi = Actor::Resident(app.current_resident(&budi).await.expect("reload"));
    let files =
        vec![upload("ktp", "k.jpg", JPEG), upload("kk", "kk.png", PNG), upload("pengantar_rt_rw", "p.pdf", PDF)];
    let sktm = filled_fields(&app, "sktm").await;
    let request = app.create_online_request(&budi, "sktm", sktm, files).await.expect("request");
    app.cancel_request(&budi, &request.id).await.expect("cancel");
    let view = app.resident_request(&budi, &request.id).await.expect("view");
    assert_eq!(view.view.state, RequestState::Dibatalkan);
    assert!(!view.may_cancel && !view.may_correct);
    assert!(app.letter_queue(&operator, DESA).await.expect("queue").iter().all(|q| q.request.id != request.id));

    // A refused sign-up needs a reason and leaves the resident unable to request.
    let siti = signed_up(&app, "3207065208950012", "Siti Aminah").await;
    let siti_id = app.pending_residents(&operator, DESA).await.expect("pending")[0].resident.id;
    assert_eq!(field_errors(app.decide_resident(&operator, siti_id, false, " ").await)[0].0, "note");
    app.decide_resident(&operator, siti_id, false, "Data KK belum diperbarui").await.expect("refuse");
    let siti = Actor::Resident(app.current_resident(&siti).await.expect("reload"));
    let refused = app.create_online_request(&siti, "sktm", BTreeMap::new(), vec![]).await;
    assert_eq!(field_errors(refused)[0].0, "account");
}

/// Every default letter type, issued end to end, reads as its golden text (pdftotext -layout).
/// After an intended change: `BALAI_UPDATE_GOLDEN=1 cargo test -p balai-app --test letters golden`
/// and review the diff of `tests/golden/`.
#[tokio::test]
async fn golden_text_of_every_default_letter_type() {
    let (app, _db) = app().await;
    let operator = staff(&app, "operator.sukamulya").await;
    let kades = staff(&app, "kades.sukamulya").await;
    app.import_penduduk(&operator, DESA, "penduduk.csv", REGISTER.as_bytes()).await.expect("import");
    let village = KodeWilayah::parse(DESA).expect("code");
    let slugs: Vec<String> =
        app.letter_catalogue(&village).await.expect("catalogue").into_iter().map(|t| t.spec.slug).collect();
    assert_eq!(slugs.len(), 10);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("BALAI_UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for slug in &slugs {
        let fields = filled_fields(&app, slug).await;
        let input = NewRequestInput { letter_type: slug.clone(), nik: "3207061205900011".into(), fields };
        let request = app.create_walk_in_request(&operator, DESA, input).await.expect("create");
        app.act_on_request(&operator, &request.id, RequestAction::Verifikasi, "").await.expect("verify");
        app.sign_request(&kades, &request.id).await.expect("sign");
        let (_, pdf) = app.letter_pdf_for_request(&operator, &request.id).await.expect("pdf");
        // The QR's address (random token, signature) is printed under the code: compare up to it.
        let full = pdf_text(&pdf);
        assert!(full.contains("Dadang Sukmana (demo)"), "{slug}: signer missing:\n{full}");
        let text = full.split("Pindai untuk memeriksa").next().unwrap_or_default().to_string();
        let path = dir.join(format!("{slug}.txt"));
        if update {
            std::fs::create_dir_all(&dir).expect("dir");
            std::fs::write(&path, &text).expect("write golden");
        } else {
            let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!("cannot read {} ({e}); create it with BALAI_UPDATE_GOLDEN=1", path.display())
            });
            if expected != text {
                mismatches.push(format!("{slug}:\n--- expected\n{expected}\n--- got\n{text}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "letters differ from their golden text:\n{}", mismatches.join("\n"));
}

#[tokio::test]
async fn a_pendamping_files_for_an_elderly_resident_with_recorded_consent() {
    use balai_app::assist::AssistInput;
    let (app, _db) = app().await;
    let pendamping = staff(&app, "pendamping.sukamulya").await;
    let operator = staff(&app, "operator.sukamulya").await;
    let kades = staff(&app, "kades.sukamulya").await;
    // Onah Rohanah, born 1948, is in the demo register and has no account.
    let onah = |method: &str, witness: &str, confirmed: bool| AssistInput {
        nik: "3207065704480004".into(),
        consent_confirmed: confirmed,
        consent_method: method.into(),
        witness: witness.into(),
        phone: "0813-2222-3333".into(),
        ..Default::default()
    };
    let sktm = filled_fields(&app, "sktm").await;
    let files =
        || vec![upload("ktp", "ktp.jpg", JPEG), upload("kk", "kk.png", PNG), upload("pengantar_rt_rw", "rt.pdf", PDF)];

    // No consent, spoken consent without a witness, a resident of another register: refused,
    // field by field, with the letter's own errors alongside; nothing written.
    let mut bad_fields = sktm.clone();
    bad_fields.remove("keperluan");
    let refused = field_errors(
        app.assisted_letter_request(&pendamping, DESA, &onah("", "", false), "sktm", bad_fields, files()).await,
    );
    let names: Vec<&str> = refused.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(names, ["persetujuan", "cara_persetujuan"], "{refused:?}");
    let refused = field_errors(
        app.assisted_letter_request(&pendamping, DESA, &onah("lisan", " ", true), "sktm", sktm.clone(), files()).await,
    );
    assert_eq!(refused[0].0, "saksi");
    let stranger = AssistInput { nik: "3207061205900099".into(), ..onah("tanda_tangan", "", true) };
    let refused =
        field_errors(app.assisted_letter_request(&pendamping, DESA, &stranger, "sktm", sktm.clone(), files()).await);
    assert!(refused[0].0 == "nik" && refused[0].1.contains("tidak terdaftar"), "{refused:?}");
    let no_contact = AssistInput { phone: String::new(), ..onah("cap_jempol", "", true) };
    let refused =
        field_errors(app.assisted_letter_request(&pendamping, DESA, &no_contact, "sktm", sktm.clone(), files()).await);
    assert_eq!(refused[0].0, "phone");
    // A pendamping of Sukamulya cannot file in Cikoneng; an operator is not a pendamping.
    let elsewhere = app
        .assisted_letter_request(
            &pendamping,
            "32.07.02.2001",
            &onah("cap_jempol", "", true),
            "sktm",
            sktm.clone(),
            files(),
        )
        .await;
    assert!(matches!(elsewhere, Err(AppError::NotFound)), "{elsewhere:?}");
    let not_pendamping = app
        .assisted_letter_request(&operator, DESA, &onah("cap_jempol", "", true), "sktm", sktm.clone(), files())
        .await;
    assert!(matches!(not_pendamping, Err(AppError::NotFound)), "{not_pendamping:?}");
    assert!(app.assisted_filings(&operator, DESA).await.expect("list").is_empty(), "nothing half-written");
    assert!(app.letter_queue(&operator, DESA).await.expect("queue").is_empty());

    // With a thumbprint consent the request is filed for her and shows who assisted.
    let request = app
        .assisted_letter_request(&pendamping, DESA, &onah("cap_jempol", "", true), "sktm", sktm.clone(), files())
        .await
        .expect("filed");
    assert_eq!((request.channel.as_str(), request.resident_id), ("pendamping", None));
    let view = app.letter_request(&operator, &request.id).await.expect("staff view");
    assert_eq!(view.person.nama, "Onah Rohanah");
    let assistance = view.assistance.expect("assistance shown to staff");
    assert_eq!(
        (assistance.pendamping.as_str(), assistance.consent_method.as_str()),
        ("pendamping.sukamulya", "cap_jempol")
    );
    assert_eq!(view.events[0].note, "Diajukan melalui pendamping");
    // Her messages go to the recorded contact and tell her where to ask (she has no account).
    assert_eq!(view.messages.len(), 1);
    assert_eq!(
        (view.messages[0].channel.as_str(), view.messages[0].recipient.as_str()),
        ("whatsapp", "+6281322223333")
    );
    assert!(view.messages[0].body.contains("pendamping Anda atau kantor desa"), "{}", view.messages[0].body);
    // The audit trail names the pendamping and the consent.
    let audit = app.store().audit_recent(&format!("wilayah:{DESA}/surat:{}", request.id), 5).await.expect("audit");
    let details: serde_json::Value = serde_json::from_str(&audit[0].details).expect("json");
    assert_eq!(
        (details["assisted_by"].as_str(), details["consent"].as_str()),
        (Some("pendamping.sukamulya"), Some("cap_jempol"))
    );
    assert!(audit[0].actor.ends_with("pendamping.sukamulya"));

    // The village handles it as any request; she hears when it is signed.
    app.act_on_request(&operator, &request.id, RequestAction::Verifikasi, "").await.expect("verify");
    app.sign_request(&kades, &request.id).await.expect("sign");
    let messages = app.letter_request(&operator, &request.id).await.expect("view").messages;
    let last = messages.last().expect("message");
    assert!(last.subject.contains("sudah terbit") && last.body.contains("diambil di kantor desa"), "{last:?}");
    assert!(messages.iter().all(|m| m.recipient == "+6281322223333"));

    // A report and an information request for her, in her name from the register.
    let report = balai_app::reports::NewReportInput {
        kind: "pengaduan".into(),
        category: "pekerjaan-umum-dan-penataan-ruang".into(),
        title: "Jalan ke Dusun Cibodas berlubang".into(),
        description: "Lubang besar di depan rumah RT 003, berbahaya bagi pejalan kaki lanjut usia.".into(),
        idempotency_key: "assist-report-1".into(),
        ..Default::default()
    };
    let lisan = onah("lisan", "Cucu (cucu kandung)", true);
    let submitted = app.assisted_report(&pendamping, DESA, &lisan, report, vec![]).await.expect("report");
    let filed = app.store().report(submitted.code.as_str()).await.expect("load").expect("stored");
    assert_eq!(
        (filed.reporter_name.as_str(), filed.channel.as_str(), filed.region_code.as_str()),
        ("Onah Rohanah", "pendamping", DESA)
    );
    let info = balai_app::ppid::InfoRequestInput {
        information: "Rincian penyaluran BLT Dana Desa 2026 untuk Dusun Cibodas".into(),
        purpose: "Mengetahui jadwal penyaluran".into(),
        obtain_method: "melihat".into(),
        delivery_method: "ambil_langsung".into(),
        idempotency_key: "assist-info-1".into(),
        ..Default::default()
    };
    let asked = app.assisted_info_request(&pendamping, DESA, &lisan, info).await;
    let asked = match asked {
        Ok(a) => a,
        Err(e) => panic!("info request: {e:?}"),
    };
    let ppid = staff(&app, "ppid.sukamulya").await;
    let view = app.staff_info_request(&ppid, asked.code.as_str()).await.expect("ppid view");
    assert_eq!(view.request.requester_name, "Onah Rohanah");
    assert!(view.request.requester_address.contains("RT 003/RW 001"), "{}", view.request.requester_address);
    assert_eq!(view.assistance.map(|a| a.consent_witness), Some("Cucu (cucu kandung)".to_string()));
    // The requester's own page (by tracking code) does not show the assistance record.
    assert!(app.track_info_request(asked.code.as_str()).await.expect("track").assistance.is_none());

    // The pendamping's list has all three; the operator sees them too, another village none.
    let kinds: Vec<&str> =
        app.assisted_filings(&pendamping, DESA).await.expect("list").iter().map(|f| f.kind).collect::<Vec<_>>();
    assert_eq!(kinds.len(), 3);
    assert!(kinds.contains(&"surat") && kinds.contains(&"laporan") && kinds.contains(&"informasi"));
    assert_eq!(app.assisted_filings(&operator, DESA).await.expect("list").len(), 3);
    let cikoneng = staff(&app, "operator.cikoneng").await;
    assert!(matches!(app.assisted_filings(&cikoneng, DESA).await, Err(AppError::NotFound)));
}
