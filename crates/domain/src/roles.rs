//! Staff roles, the region or office each grant is scoped to, and what each role may do.
//!
//! The app decides who the actor is and what the target is; this module only answers whether
//! a set of grants allows a permission on a target.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::wilayah::{KodeWilayah, Level};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    OperatorDesa,
    SekretarisDesa,
    KepalaDesa,
    PpidDesa,
    AtasanPpid,
    AdminKecamatan,
    AdminKabupaten,
    PenghubungOpd,
    Evaluator,
    /// The regency's PPID utama: sees every village's information register and annual report.
    PpidUtama,
    /// A kader digital who files letter requests, reports and information requests for residents
    /// of their village (the elderly, those without a phone) with the resident's recorded consent.
    Pendamping,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::OperatorDesa,
        Role::SekretarisDesa,
        Role::KepalaDesa,
        Role::PpidDesa,
        Role::AtasanPpid,
        Role::AdminKecamatan,
        Role::AdminKabupaten,
        Role::PenghubungOpd,
        Role::Evaluator,
        Role::PpidUtama,
        Role::Pendamping,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::OperatorDesa => "operator_desa",
            Role::SekretarisDesa => "sekretaris_desa",
            Role::KepalaDesa => "kepala_desa",
            Role::PpidDesa => "ppid_desa",
            Role::AtasanPpid => "atasan_ppid",
            Role::AdminKecamatan => "admin_kecamatan",
            Role::AdminKabupaten => "admin_kabupaten",
            Role::PenghubungOpd => "penghubung_opd",
            Role::Evaluator => "evaluator",
            Role::PpidUtama => "ppid_utama",
            Role::Pendamping => "pendamping",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Role::OperatorDesa => "Operator Desa",
            Role::SekretarisDesa => "Sekretaris Desa",
            Role::KepalaDesa => "Kepala Desa",
            Role::PpidDesa => "PPID Desa",
            Role::AtasanPpid => "Atasan PPID",
            Role::AdminKecamatan => "Admin Kecamatan",
            Role::AdminKabupaten => "Admin Koordinator Kabupaten (Diskominfo)",
            Role::PenghubungOpd => "Admin Penghubung OPD",
            Role::Evaluator => "Evaluator",
            Role::PpidUtama => "PPID Utama Kabupaten",
            Role::Pendamping => "Pendamping Warga (Kader Digital)",
        }
    }

    /// What the role may do within its scope.
    pub fn permissions(&self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::OperatorDesa => &[
                ViewRegion,
                EditVillageProfile,
                ViewStaff,
                ManageRegister,
                ProcessLetters,
                CoordinateReports,
                HandleReports,
                PublishNews,
            ],
            // The secretary signs "a.n." (on behalf of) the head of the village; the head is the
            // village PPID's superior (atasan PPID) unless someone else is named.
            Role::SekretarisDesa | Role::KepalaDesa => &[
                ViewRegion,
                EditVillageProfile,
                ViewStaff,
                ManageRegister,
                ProcessLetters,
                SignLetters,
                CoordinateReports,
                HandleReports,
                ViewInformation,
                AnswerKeberatan,
                PublishNews,
                ViewEvaluation,
            ],
            // The village PPID keeps the DIP and answers information requests.
            Role::PpidDesa => &[ViewRegion, ViewStaff, HandleReports, ViewInformation, ManageInformation, PublishNews],
            Role::AtasanPpid => &[ViewRegion, ViewStaff, ViewInformation, AnswerKeberatan],
            Role::PpidUtama => &[ViewRegion, ViewStaff, ViewInformation],
            Role::AdminKecamatan | Role::Evaluator => &[ViewRegion, ViewStaff, ViewAudit, ViewEvaluation],
            // The regency administers, but does not handle villages' letters or see their registers.
            Role::AdminKabupaten => &ADMIN_PERMISSIONS,
            Role::PenghubungOpd => &[ViewRegion, HandleReports],
            // A pendamping files for residents; it sees no register, queue or report of others.
            Role::Pendamping => &[ViewRegion, AssistResidents],
        }
    }

    /// Whether `scope` is the right kind for this role.
    pub fn fits_scope(&self, scope: &Scope) -> bool {
        match (self, scope) {
            (Role::PenghubungOpd, Scope::Office(slug)) => !slug.trim().is_empty(),
            (Role::PenghubungOpd, Scope::Wilayah(_)) | (_, Scope::Office(_)) => false,
            (role, Scope::Wilayah(code)) => {
                let level = code.level();
                match role {
                    Role::AdminKecamatan => level == Level::Kecamatan,
                    Role::AdminKabupaten | Role::PpidUtama => {
                        matches!(level, Level::Provinsi | Level::Kabupaten | Level::Kota)
                    }
                    Role::Evaluator => true,
                    _ => level.is_village(),
                }
            }
        }
    }

    /// The scope this role needs, in English, for error messages.
    fn needs(&self) -> &'static str {
        match self {
            Role::AdminKecamatan => "a kecamatan",
            Role::AdminKabupaten | Role::PpidUtama => "a kabupaten, kota or provinsi",
            Role::Evaluator => "a region",
            Role::PenghubungOpd => "an office",
            _ => "a village (desa, kelurahan or desa adat)",
        }
    }

    /// The scope this role needs, in Bahasa Indonesia.
    fn needs_id(&self) -> &'static str {
        match self {
            Role::AdminKecamatan => "sebuah kecamatan",
            Role::AdminKabupaten | Role::PpidUtama => "sebuah kabupaten, kota atau provinsi",
            Role::Evaluator => "sebuah wilayah",
            Role::PenghubungOpd => "sebuah OPD/instansi",
            _ => "sebuah desa, kelurahan atau desa adat",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown role '{0}' (valid roles: operator_desa, sekretaris_desa, kepala_desa, ppid_desa, \
     atasan_ppid, admin_kecamatan, admin_kabupaten, penghubung_opd, evaluator, ppid_utama, pendamping)"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim();
        Role::ALL.into_iter().find(|r| r.as_str() == word).ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// Where a grant applies: a region (and everything inside it) or one office, by slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Wilayah(KodeWilayah),
    Office(String),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Wilayah(code) => write!(f, "{} {code}", code.level()),
            Scope::Office(slug) => write!(f, "office '{slug}'"),
        }
    }
}

impl Scope {
    /// Indonesian description, e.g. "Kecamatan 32.07.01" or "OPD dinkes".
    fn describe_id(&self) -> String {
        match self {
            Scope::Wilayah(code) => format!("{} {code}", code.level().label()),
            Scope::Office(slug) => format!("OPD '{slug}'"),
        }
    }
}

/// A role given a scope of the wrong kind.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("role {role} needs {needs}, but was given {scope}", needs = .role.needs())]
pub struct ScopeMismatch {
    pub role: Role,
    pub scope: Scope,
}

impl ScopeMismatch {
    pub fn message_id(&self) -> String {
        format!(
            "Peran {} harus dikaitkan dengan {}, bukan {}.",
            self.role.label(),
            self.role.needs_id(),
            self.scope.describe_id()
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    ViewRegion,
    EditVillageProfile,
    ViewStaff,
    ManageStaff,
    ManageOffices,
    ViewAudit,
    ManageHolidays,
    /// Keep the population register (personal data).
    ManageRegister,
    /// Check letter requests: verify, return for correction, refuse.
    ProcessLetters,
    /// Sign letters (kepala desa, or the secretary on their behalf).
    SignLetters,
    /// Verify incoming reports and dispose them to an office or a village (the koordinator).
    CoordinateReports,
    /// Answer and close the reports disposed to one's office or village.
    HandleReports,
    /// See the information request register, objections and the PPID's reports.
    ViewInformation,
    /// Keep the Daftar Informasi Publik and decide information requests (the PPID).
    ManageInformation,
    /// Answer objections (keberatan) as the PPID's superior.
    AnswerKeberatan,
    /// File letter requests, reports and information requests on behalf of a resident of the
    /// village, with the resident's consent (the pendamping).
    AssistResidents,
    /// Publish and withdraw the village portal's news and announcements.
    PublishNews,
    /// See the evaluation dashboard (service figures per village, office and month).
    ViewEvaluation,
    /// Score villages' STOPE e-readiness and run the capability programme (training sessions,
    /// attendance, aparatur lists, outputs): the regency's facilitators.
    AssessReadiness,
}

const ADMIN_PERMISSIONS: [Permission; 10] = [
    Permission::ViewRegion,
    Permission::EditVillageProfile,
    Permission::ViewStaff,
    Permission::ManageStaff,
    Permission::ManageOffices,
    Permission::ViewAudit,
    Permission::ManageHolidays,
    Permission::CoordinateReports,
    Permission::ViewEvaluation,
    Permission::AssessReadiness,
];

impl Permission {
    pub const ALL: [Permission; 19] = [
        Permission::ViewRegion,
        Permission::EditVillageProfile,
        Permission::ViewStaff,
        Permission::ManageStaff,
        Permission::ManageOffices,
        Permission::ViewAudit,
        Permission::ManageHolidays,
        Permission::ManageRegister,
        Permission::ProcessLetters,
        Permission::SignLetters,
        Permission::CoordinateReports,
        Permission::HandleReports,
        Permission::ViewInformation,
        Permission::ManageInformation,
        Permission::AnswerKeberatan,
        Permission::AssistResidents,
        Permission::PublishNews,
        Permission::ViewEvaluation,
        Permission::AssessReadiness,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Permission::ViewRegion => "view_region",
            Permission::EditVillageProfile => "edit_village_profile",
            Permission::ViewStaff => "view_staff",
            Permission::ManageStaff => "manage_staff",
            Permission::ManageOffices => "manage_offices",
            Permission::ViewAudit => "view_audit",
            Permission::ManageHolidays => "manage_holidays",
            Permission::ManageRegister => "manage_register",
            Permission::ProcessLetters => "process_letters",
            Permission::SignLetters => "sign_letters",
            Permission::CoordinateReports => "coordinate_reports",
            Permission::HandleReports => "handle_reports",
            Permission::ViewInformation => "view_information",
            Permission::ManageInformation => "manage_information",
            Permission::AnswerKeberatan => "answer_keberatan",
            Permission::AssistResidents => "assist_residents",
            Permission::PublishNews => "publish_news",
            Permission::ViewEvaluation => "view_evaluation",
            Permission::AssessReadiness => "assess_readiness",
        }
    }
}

/// What an action is done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    Wilayah(&'a KodeWilayah),
    /// An office (OPD) by slug, with the regency it belongs to.
    Office {
        slug: &'a str,
        regency: &'a KodeWilayah,
    },
}

/// A role held within a scope. Build it with [`RoleGrant::new`]; a grant whose scope does not
/// fit its role (built by hand or loaded from old data) allows nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoleGrant {
    pub role: Role,
    pub scope: Scope,
}

impl RoleGrant {
    pub fn new(role: Role, scope: Scope) -> Result<RoleGrant, ScopeMismatch> {
        if role.fits_scope(&scope) { Ok(RoleGrant { role, scope }) } else { Err(ScopeMismatch { role, scope }) }
    }

    /// Whether `target` lies inside this grant's scope.
    fn covers(&self, target: &Target) -> bool {
        match (&self.scope, target) {
            (Scope::Wilayah(scope), Target::Wilayah(code)) => code.is_within(scope),
            // An office belongs to its regency, so only grants covering that regency reach it.
            (Scope::Wilayah(scope), Target::Office { regency, .. }) => regency.is_within(scope),
            (Scope::Office(own), Target::Office { slug, .. }) => own == slug,
            (Scope::Office(_), Target::Wilayah(_)) => false,
        }
    }

    pub fn allows(&self, perm: Permission, target: &Target) -> bool {
        self.role.fits_scope(&self.scope) && self.role.permissions().contains(&perm) && self.covers(target)
    }
}

/// Whether any of `grants` allows `perm` on `target`.
pub fn any_allows(grants: &[RoleGrant], perm: Permission, target: &Target) -> bool {
    grants.iter().any(|g| g.allows(perm, target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    fn k(s: &str) -> KodeWilayah {
        KodeWilayah::parse(s).expect("valid code in test")
    }

    fn grant(role: Role, scope: &str) -> RoleGrant {
        let scope = match KodeWilayah::parse(scope) {
            Ok(code) => Scope::Wilayah(code),
            Err(_) => Scope::Office(scope.to_string()),
        };
        RoleGrant::new(role, scope).expect("fitting scope in test")
    }

    #[test]
    fn role_strings() {
        let names: Vec<&str> = Role::ALL.iter().map(Role::as_str).collect();
        assert_eq!(
            names,
            [
                "operator_desa",
                "sekretaris_desa",
                "kepala_desa",
                "ppid_desa",
                "atasan_ppid",
                "admin_kecamatan",
                "admin_kabupaten",
                "penghubung_opd",
                "evaluator",
                "ppid_utama",
                "pendamping"
            ]
        );
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        let err = "lurah".parse::<Role>().expect_err("unknown");
        assert!(err.to_string().contains("operator_desa"));
        assert!(err.to_string().contains("evaluator"));
        assert_eq!(Role::AdminKabupaten.label(), "Admin Koordinator Kabupaten (Diskominfo)");
        assert_eq!(Role::PenghubungOpd.label(), "Admin Penghubung OPD");
        assert_eq!(Role::PpidDesa.label(), "PPID Desa");
    }

    #[test]
    fn grants_need_the_right_scope() {
        let w = |s: &str| Scope::Wilayah(k(s));
        let office = || Scope::Office("dinkes".to_string());
        let desa_roles = [Role::OperatorDesa, Role::SekretarisDesa, Role::KepalaDesa, Role::PpidDesa, Role::AtasanPpid];
        // (role, scope, accepted)
        let mut cases = Vec::new();
        for role in desa_roles {
            cases.extend([
                (role, w("32.07.01.2001"), true),
                (role, w("32.07.01.1001"), true),
                (role, w("91.03.01.3001"), true),
                (role, w("32.07.01"), false),
                (role, w("32.07"), false),
                (role, office(), false),
            ]);
        }
        cases.extend([
            (Role::AdminKecamatan, w("32.07.01"), true),
            (Role::AdminKecamatan, w("32.07.01.2001"), false),
            (Role::AdminKecamatan, w("32.07"), false),
            (Role::AdminKecamatan, office(), false),
            (Role::AdminKabupaten, w("32.07"), true),
            (Role::AdminKabupaten, w("32.73"), true),
            (Role::AdminKabupaten, w("32"), true),
            (Role::AdminKabupaten, w("32.07.01"), false),
            (Role::AdminKabupaten, office(), false),
            (Role::Evaluator, w("32"), true),
            (Role::Evaluator, w("32.07.01.2001"), true),
            (Role::Evaluator, office(), false),
            (Role::PenghubungOpd, office(), true),
            (Role::PenghubungOpd, Scope::Office("  ".to_string()), false),
            (Role::PenghubungOpd, w("32.07"), false),
        ]);
        for (role, scope, accepted) in cases {
            let result = RoleGrant::new(role, scope.clone());
            assert_eq!(result.is_ok(), accepted, "{role} on {scope}");
            if let Err(e) = result {
                assert_eq!(e.scope, scope);
                assert!(!e.message_id().is_empty());
            }
        }

        let e = RoleGrant::new(Role::OperatorDesa, w("32.07.01")).expect_err("kecamatan");
        assert_eq!(
            e.to_string(),
            "role operator_desa needs a village (desa, kelurahan or desa adat), but was given \
             kecamatan 32.07.01"
        );
        assert_eq!(
            e.message_id(),
            "Peran Operator Desa harus dikaitkan dengan sebuah desa, kelurahan atau desa adat, \
             bukan Kecamatan 32.07.01."
        );
    }

    /// The whole matrix: every role, every permission, targets inside and outside the scope.
    #[test]
    fn permission_matrix() {
        let desa = k("32.07.01.2001");
        let other_desa = k("32.07.01.2002");
        let kecamatan = k("32.07.01");
        let other_kecamatan_desa = k("32.07.02.2001");
        let kabupaten = k("32.07");
        let other_kabupaten = k("32.08");
        let dinkes = Target::Office { slug: "dinkes", regency: &kabupaten };
        let pupr = Target::Office { slug: "pupr", regency: &kabupaten };
        let far_office = Target::Office { slug: "dinkes", regency: &other_kabupaten };
        let targets: [(&str, Target); 9] = [
            ("desa", Target::Wilayah(&desa)),
            ("other_desa", Target::Wilayah(&other_desa)),
            ("kecamatan", Target::Wilayah(&kecamatan)),
            ("other_kecamatan_desa", Target::Wilayah(&other_kecamatan_desa)),
            ("kabupaten", Target::Wilayah(&kabupaten)),
            ("other_kabupaten", Target::Wilayah(&other_kabupaten)),
            ("dinkes", dinkes),
            ("pupr", pupr),
            ("far_office", far_office),
        ];
        // Which targets each grant reaches, and the permissions it has there.
        let operator_perms: &[Permission] = &[
            ViewRegion,
            EditVillageProfile,
            ViewStaff,
            ManageRegister,
            ProcessLetters,
            CoordinateReports,
            HandleReports,
            PublishNews,
        ];
        let village_perms: &[Permission] = &[
            ViewRegion,
            EditVillageProfile,
            ViewStaff,
            ManageRegister,
            ProcessLetters,
            SignLetters,
            CoordinateReports,
            HandleReports,
            ViewInformation,
            AnswerKeberatan,
            PublishNews,
            ViewEvaluation,
        ];
        let read_perms: &[Permission] = &[ViewRegion, ViewStaff, ViewAudit, ViewEvaluation];
        let rows: Vec<(RoleGrant, &[&str], &[Permission])> = vec![
            (grant(Role::OperatorDesa, "32.07.01.2001"), &["desa"], operator_perms),
            (grant(Role::SekretarisDesa, "32.07.01.2001"), &["desa"], village_perms),
            (grant(Role::KepalaDesa, "32.07.01.2001"), &["desa"], village_perms),
            (
                grant(Role::PpidDesa, "32.07.01.2001"),
                &["desa"],
                &[ViewRegion, ViewStaff, HandleReports, ViewInformation, ManageInformation, PublishNews],
            ),
            (
                grant(Role::AtasanPpid, "32.07.01.2001"),
                &["desa"],
                &[ViewRegion, ViewStaff, ViewInformation, AnswerKeberatan],
            ),
            (
                grant(Role::PpidUtama, "32.07"),
                &["desa", "other_desa", "kecamatan", "other_kecamatan_desa", "kabupaten", "dinkes", "pupr"],
                &[ViewRegion, ViewStaff, ViewInformation],
            ),
            (grant(Role::AdminKecamatan, "32.07.01"), &["desa", "other_desa", "kecamatan"], read_perms),
            (
                grant(Role::AdminKabupaten, "32.07"),
                &["desa", "other_desa", "kecamatan", "other_kecamatan_desa", "kabupaten", "dinkes", "pupr"],
                &ADMIN_PERMISSIONS,
            ),
            (
                grant(Role::AdminKabupaten, "32"),
                &[
                    "desa",
                    "other_desa",
                    "kecamatan",
                    "other_kecamatan_desa",
                    "kabupaten",
                    "other_kabupaten",
                    "dinkes",
                    "pupr",
                    "far_office",
                ],
                &ADMIN_PERMISSIONS,
            ),
            (grant(Role::PenghubungOpd, "dinkes"), &["dinkes", "far_office"], &[ViewRegion, HandleReports]),
            (
                grant(Role::Evaluator, "32.07"),
                &["desa", "other_desa", "kecamatan", "other_kecamatan_desa", "kabupaten", "dinkes", "pupr"],
                read_perms,
            ),
            (grant(Role::Evaluator, "32.07.01.2001"), &["desa"], read_perms),
            (grant(Role::Pendamping, "32.07.01.2001"), &["desa"], &[ViewRegion, AssistResidents]),
        ];
        for (g, reached, perms) in &rows {
            for (name, target) in &targets {
                for perm in Permission::ALL {
                    let expected = reached.contains(name) && perms.contains(&perm);
                    assert_eq!(g.allows(perm, target), expected, "{} on {:?} {perm:?} -> {name}", g.role, g.scope);
                }
            }
        }
    }

    #[test]
    fn operator_cannot_touch_the_neighbours() {
        let operator = [grant(Role::OperatorDesa, "32.07.01.2001")];
        for other in ["32.07.01.2002", "32.07.01"] {
            let code = k(other);
            for perm in [EditVillageProfile, ViewRegion] {
                assert!(!any_allows(&operator, perm, &Target::Wilayah(&code)), "{other}");
            }
        }
        let own = k("32.07.01.2001");
        assert!(any_allows(&operator, EditVillageProfile, &Target::Wilayah(&own)));
    }

    #[test]
    fn several_grants_and_hand_built_misfits() {
        let grants = [grant(Role::OperatorDesa, "32.07.01.2001"), grant(Role::AdminKecamatan, "32.07.02")];
        let desa = k("32.07.01.2001");
        let other = k("32.07.02.2005");
        assert!(any_allows(&grants, EditVillageProfile, &Target::Wilayah(&desa)));
        assert!(any_allows(&grants, ViewAudit, &Target::Wilayah(&other)));
        assert!(!any_allows(&grants, EditVillageProfile, &Target::Wilayah(&other)));
        assert!(!any_allows(&[], ViewRegion, &Target::Wilayah(&desa)));

        // Public fields allow building a grant that `new` would refuse; it allows nothing.
        let misfit = RoleGrant { role: Role::OperatorDesa, scope: Scope::Wilayah(k("32")) };
        assert!(!misfit.allows(ViewRegion, &Target::Wilayah(&desa)));
    }
}
