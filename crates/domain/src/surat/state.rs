//! The life of a letter request (domain.md §4): which action moves it from which state, and
//! who may take that action. Only the transitions in [`TRANSITIONS`] exist; everything else is
//! refused with a [`TransitionError`] that says why.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where a letter request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Submitted by the resident (or entered at the counter), not yet picked up.
    Diajukan,
    /// Being reviewed by the operator.
    Diperiksa,
    /// Returned to the resident to fix data or attachments.
    PerluPerbaikan,
    /// Verified; waiting for the kepala desa (or the official acting a.n./u.b.) to sign.
    MenungguTandaTangan,
    /// Signed and numbered: ready to download or collect. The service clock stops here.
    Selesai,
    /// Collected at the office.
    Diambil,
    /// Refused, with a reason.
    Ditolak,
    /// Withdrawn by the resident before it was verified.
    Dibatalkan,
}

impl RequestState {
    pub const ALL: [RequestState; 8] = [
        RequestState::Diajukan,
        RequestState::Diperiksa,
        RequestState::PerluPerbaikan,
        RequestState::MenungguTandaTangan,
        RequestState::Selesai,
        RequestState::Diambil,
        RequestState::Ditolak,
        RequestState::Dibatalkan,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            RequestState::Diajukan => "diajukan",
            RequestState::Diperiksa => "diperiksa",
            RequestState::PerluPerbaikan => "perlu_perbaikan",
            RequestState::MenungguTandaTangan => "menunggu_tanda_tangan",
            RequestState::Selesai => "selesai",
            RequestState::Diambil => "diambil",
            RequestState::Ditolak => "ditolak",
            RequestState::Dibatalkan => "dibatalkan",
        }
    }

    /// Indonesian label for residents.
    pub fn label(&self) -> &'static str {
        match self {
            RequestState::Diajukan => "Diajukan",
            RequestState::Diperiksa => "Sedang diperiksa",
            RequestState::PerluPerbaikan => "Perlu perbaikan",
            RequestState::MenungguTandaTangan => "Menunggu tanda tangan",
            RequestState::Selesai => "Selesai — surat terbit",
            RequestState::Diambil => "Sudah diambil",
            RequestState::Ditolak => "Ditolak",
            RequestState::Dibatalkan => "Dibatalkan",
        }
    }

    /// No action leads anywhere from here. `Selesai` is not final: the letter can still be
    /// marked as collected.
    pub fn is_final(&self) -> bool {
        matches!(self, RequestState::Diambil | RequestState::Ditolak | RequestState::Dibatalkan)
    }

    /// The state as it ends "Permohonan yang sudah …" in messages.
    fn past_phrase(&self) -> &'static str {
        match self {
            RequestState::Diajukan => "diajukan",
            RequestState::Diperiksa => "sedang diperiksa",
            RequestState::PerluPerbaikan => "dikembalikan untuk perbaikan",
            RequestState::MenungguTandaTangan => "diverifikasi dan menunggu tanda tangan",
            RequestState::Selesai => "selesai",
            RequestState::Diambil => "diambil",
            RequestState::Ditolak => "ditolak",
            RequestState::Dibatalkan => "dibatalkan",
        }
    }
}

impl fmt::Display for RequestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown request state '{0}' (expected one of: diajukan, diperiksa, perlu_perbaikan, menunggu_tanda_tangan, \
     selesai, diambil, ditolak, dibatalkan)"
)]
pub struct UnknownRequestState(pub String);

impl FromStr for RequestState {
    type Err = UnknownRequestState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim();
        RequestState::ALL.into_iter().find(|st| st.as_str() == word).ok_or_else(|| UnknownRequestState(s.to_string()))
    }
}

/// What someone does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestAction {
    Periksa,
    MintaPerbaikan,
    KirimPerbaikan,
    Verifikasi,
    Tolak,
    Tandatangani,
    Serahkan,
    Batalkan,
}

impl RequestAction {
    pub const ALL: [RequestAction; 8] = [
        RequestAction::Periksa,
        RequestAction::MintaPerbaikan,
        RequestAction::KirimPerbaikan,
        RequestAction::Verifikasi,
        RequestAction::Tolak,
        RequestAction::Tandatangani,
        RequestAction::Serahkan,
        RequestAction::Batalkan,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            RequestAction::Periksa => "periksa",
            RequestAction::MintaPerbaikan => "minta_perbaikan",
            RequestAction::KirimPerbaikan => "kirim_perbaikan",
            RequestAction::Verifikasi => "verifikasi",
            RequestAction::Tolak => "tolak",
            RequestAction::Tandatangani => "tandatangani",
            RequestAction::Serahkan => "serahkan",
            RequestAction::Batalkan => "batalkan",
        }
    }

    /// Indonesian label, as on a button.
    pub fn label(&self) -> &'static str {
        match self {
            RequestAction::Periksa => "Mulai periksa",
            RequestAction::MintaPerbaikan => "Kembalikan untuk perbaikan",
            RequestAction::KirimPerbaikan => "Kirim perbaikan",
            RequestAction::Verifikasi => "Verifikasi",
            RequestAction::Tolak => "Tolak",
            RequestAction::Tandatangani => "Tandatangani",
            RequestAction::Serahkan => "Tandai sudah diambil",
            RequestAction::Batalkan => "Batalkan",
        }
    }
}

impl fmt::Display for RequestAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown request action '{0}' (expected one of: periksa, minta_perbaikan, kirim_perbaikan, verifikasi, tolak, \
     tandatangani, serahkan, batalkan)"
)]
pub struct UnknownRequestAction(pub String);

impl FromStr for RequestAction {
    type Err = UnknownRequestAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim();
        RequestAction::ALL.into_iter().find(|a| a.as_str() == word).ok_or_else(|| UnknownRequestAction(s.to_string()))
    }
}

/// Who takes an action. The app maps a user's roles onto a party; this module only knows the
/// three sides of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The resident who asked for the letter.
    Pemohon,
    /// The operator or the sekretaris desa, reviewing.
    Operator,
    /// The kepala desa, or the official acting for them (a.n./u.b.).
    Penandatangan,
}

impl Party {
    pub const ALL: [Party; 3] = [Party::Pemohon, Party::Operator, Party::Penandatangan];

    pub fn as_str(&self) -> &'static str {
        match self {
            Party::Pemohon => "pemohon",
            Party::Operator => "operator",
            Party::Penandatangan => "penandatangan",
        }
    }

    /// Indonesian label.
    pub fn label(&self) -> &'static str {
        match self {
            Party::Pemohon => "Pemohon",
            Party::Operator => "Operator desa",
            Party::Penandatangan => "Penandatangan (kepala desa atau pejabat yang ditunjuk)",
        }
    }

    /// The party as it ends "hanya dapat dilakukan oleh …".
    fn by_phrase(&self) -> &'static str {
        match self {
            Party::Pemohon => "pemohon",
            Party::Operator => "operator desa",
            Party::Penandatangan => "kepala desa atau pejabat yang menandatangani",
        }
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One allowed step: `from` –`action` by `by`→ `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transition {
    pub from: RequestState,
    pub action: RequestAction,
    pub by: Party,
    pub to: RequestState,
}

const fn t(from: RequestState, action: RequestAction, by: Party, to: RequestState) -> Transition {
    Transition { from, action, by, to }
}

/// Every transition that exists, and no other.
pub const TRANSITIONS: &[Transition] = {
    use Party::*;
    use RequestAction::*;
    use RequestState::*;
    &[
        t(Diajukan, Periksa, Operator, Diperiksa),
        t(Diperiksa, Verifikasi, Operator, MenungguTandaTangan),
        t(Diperiksa, MintaPerbaikan, Operator, PerluPerbaikan),
        t(Diperiksa, Tolak, Operator, Ditolak),
        t(PerluPerbaikan, KirimPerbaikan, Pemohon, Diperiksa),
        t(MenungguTandaTangan, Tandatangani, Penandatangan, Selesai),
        // The signer may refuse to sign, with a reason.
        t(MenungguTandaTangan, Tolak, Penandatangan, Ditolak),
        t(Selesai, Serahkan, Operator, Diambil),
        // The resident may withdraw until the request is verified.
        t(Diajukan, Batalkan, Pemohon, Dibatalkan),
        t(Diperiksa, Batalkan, Pemohon, Dibatalkan),
        t(PerluPerbaikan, Batalkan, Pemohon, Dibatalkan),
    ]
};

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TransitionError {
    /// The request is in a final state; nothing can happen to it any more.
    #[error("request is already {state}; no action is possible (tried {action})")]
    Closed { state: RequestState, action: RequestAction },
    /// The action exists from this state, but another party takes it.
    #[error("{action} on a request in state {state} is taken by {expected}, not {by}")]
    WrongParty { state: RequestState, action: RequestAction, by: Party, expected: Party },
    /// The action does not exist from this state, whoever takes it.
    #[error("{action} is not possible on a request in state {state}")]
    NotAllowed { state: RequestState, action: RequestAction },
}

impl TransitionError {
    /// Explanation for people, in Bahasa Indonesia.
    pub fn message_id(&self) -> String {
        match *self {
            TransitionError::Closed { state, action: RequestAction::Batalkan }
            | TransitionError::NotAllowed { state, action: RequestAction::Batalkan } => {
                format!("Permohonan yang sudah {} tidak dapat dibatalkan.", state.past_phrase())
            }
            TransitionError::Closed { state, .. } => format!(
                "Permohonan ini sudah {}; tidak ada tindakan lain yang dapat dilakukan. Bila masih memerlukan \
                 surat, silakan ajukan permohonan baru.",
                state.past_phrase()
            ),
            TransitionError::WrongParty { action, expected, .. } => format!(
                "Tindakan \"{}\" pada permohonan ini hanya dapat dilakukan oleh {}.",
                action.label(),
                expected.by_phrase()
            ),
            TransitionError::NotAllowed { state, action } => format!(
                "Tindakan \"{}\" tidak dapat dilakukan pada permohonan berstatus \"{}\".",
                action.label(),
                state.label()
            ),
        }
    }
}

/// The state `action` by `by` leads to from `from`, or why it is refused.
pub fn next_state(from: RequestState, action: RequestAction, by: Party) -> Result<RequestState, TransitionError> {
    if let Some(step) = TRANSITIONS.iter().find(|s| s.from == from && s.action == action && s.by == by) {
        return Ok(step.to);
    }
    if from.is_final() {
        return Err(TransitionError::Closed { state: from, action });
    }
    match TRANSITIONS.iter().find(|s| s.from == from && s.action == action) {
        Some(step) => Err(TransitionError::WrongParty { state: from, action, by, expected: step.by }),
        None => Err(TransitionError::NotAllowed { state: from, action }),
    }
}

/// Whether the action must come with a written reason (the resident is told what to fix, or
/// why the request was refused).
pub fn requires_reason(action: RequestAction) -> bool {
    matches!(action, RequestAction::MintaPerbaikan | RequestAction::Tolak)
}

/// What `by` may do from `from`, in the order of [`TRANSITIONS`].
pub fn allowed_actions(from: RequestState, by: Party) -> Vec<RequestAction> {
    TRANSITIONS.iter().filter(|s| s.from == from && s.by == by).map(|s| s.action).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    use Party::*;
    use RequestAction::*;
    use RequestState::*;

    /// The transitions of domain.md §4, written out independently of `TRANSITIONS`.
    const EXPECTED: [(RequestState, RequestAction, Party, RequestState); 11] = [
        (Diajukan, Periksa, Operator, Diperiksa),
        (Diperiksa, MintaPerbaikan, Operator, PerluPerbaikan),
        (PerluPerbaikan, KirimPerbaikan, Pemohon, Diperiksa),
        (Diperiksa, Verifikasi, Operator, MenungguTandaTangan),
        (Diperiksa, Tolak, Operator, Ditolak),
        (MenungguTandaTangan, Tandatangani, Penandatangan, Selesai),
        (MenungguTandaTangan, Tolak, Penandatangan, Ditolak),
        (Selesai, Serahkan, Operator, Diambil),
        (Diajukan, Batalkan, Pemohon, Dibatalkan),
        (Diperiksa, Batalkan, Pemohon, Dibatalkan),
        (PerluPerbaikan, Batalkan, Pemohon, Dibatalkan),
    ];

    #[test]
    fn strings_round_trip() {
        for s in RequestState::ALL {
            assert_eq!(s.as_str().parse::<RequestState>(), Ok(s));
            assert!(!s.label().is_empty());
        }
        for a in RequestAction::ALL {
            assert_eq!(a.as_str().parse::<RequestAction>(), Ok(a));
            assert!(!a.label().is_empty());
        }
        assert_eq!(" diperiksa ".parse::<RequestState>(), Ok(Diperiksa));
        assert!("Diperiksa".parse::<RequestState>().is_err());
        assert!("selesai ".parse::<RequestAction>().is_err());
        let strings: HashSet<&str> = RequestState::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(strings.len(), 8);
    }

    #[test]
    fn serde_uses_snake_case() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as DeError, StrDeserializer};
        for s in RequestState::ALL {
            let d: StrDeserializer<'_, DeError> = s.as_str().into_deserializer();
            assert_eq!(RequestState::deserialize(d), Ok(s));
        }
        for a in RequestAction::ALL {
            let d: StrDeserializer<'_, DeError> = a.as_str().into_deserializer();
            assert_eq!(RequestAction::deserialize(d), Ok(a));
        }
        for p in Party::ALL {
            let d: StrDeserializer<'_, DeError> = p.as_str().into_deserializer();
            assert_eq!(Party::deserialize(d), Ok(p));
        }
    }

    #[test]
    fn labels_for_residents() {
        let labels: Vec<&str> = RequestState::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(
            labels,
            [
                "Diajukan",
                "Sedang diperiksa",
                "Perlu perbaikan",
                "Menunggu tanda tangan",
                "Selesai — surat terbit",
                "Sudah diambil",
                "Ditolak",
                "Dibatalkan"
            ]
        );
        let actions: Vec<&str> = RequestAction::ALL.iter().map(|a| a.label()).collect();
        assert_eq!(
            actions,
            [
                "Mulai periksa",
                "Kembalikan untuk perbaikan",
                "Kirim perbaikan",
                "Verifikasi",
                "Tolak",
                "Tandatangani",
                "Tandai sudah diambil",
                "Batalkan"
            ]
        );
    }

    #[test]
    fn final_states() {
        let finals: Vec<RequestState> = RequestState::ALL.into_iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals, [Diambil, Ditolak, Dibatalkan]);
        // Final exactly when nothing leads out.
        for s in RequestState::ALL {
            let has_exit = TRANSITIONS.iter().any(|t| t.from == s);
            assert_eq!(s.is_final(), !has_exit, "{s}");
        }
    }

    #[test]
    fn table_matches_the_domain() {
        let table: HashSet<_> = TRANSITIONS.iter().map(|t| (t.from, t.action, t.by, t.to)).collect();
        let expected: HashSet<_> = EXPECTED.into_iter().collect();
        assert_eq!(table, expected);
        assert_eq!(TRANSITIONS.len(), EXPECTED.len(), "no duplicates");
    }

    #[test]
    fn every_triple_is_allowed_or_refused_as_listed() {
        let mut allowed = 0;
        let mut refused = 0;
        for from in RequestState::ALL {
            for action in RequestAction::ALL {
                for by in Party::ALL {
                    let expected = EXPECTED.iter().find(|e| e.0 == from && e.1 == action && e.2 == by).map(|e| e.3);
                    let got = next_state(from, action, by);
                    match expected {
                        Some(to) => {
                            assert_eq!(got, Ok(to), "{from} -{action}({by})");
                            allowed += 1;
                        }
                        None => {
                            let err = got.expect_err("should be refused");
                            // The error names the right reason.
                            let exists_for_someone = EXPECTED.iter().any(|e| e.0 == from && e.1 == action);
                            match err {
                                TransitionError::Closed { state, action: a } => {
                                    assert!(from.is_final());
                                    assert_eq!((state, a), (from, action));
                                }
                                TransitionError::WrongParty { state, action: a, by: b, expected } => {
                                    assert!(exists_for_someone && !from.is_final());
                                    assert_eq!((state, a, b), (from, action, by));
                                    assert!(EXPECTED.iter().any(|e| e.0 == from && e.1 == action && e.2 == expected));
                                }
                                TransitionError::NotAllowed { state, action: a } => {
                                    assert!(!exists_for_someone && !from.is_final());
                                    assert_eq!((state, a), (from, action));
                                }
                            }
                            assert!(!err.message_id().is_empty());
                            assert!(!err.to_string().is_empty());
                            refused += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(allowed, 11);
        assert_eq!(refused, 8 * 8 * 3 - 11);
    }

    #[test]
    fn messages() {
        assert_eq!(
            next_state(Selesai, Batalkan, Pemohon).map_err(|e| e.message_id()),
            Err("Permohonan yang sudah selesai tidak dapat dibatalkan.".to_string())
        );
        assert_eq!(
            next_state(MenungguTandaTangan, Batalkan, Pemohon).map_err(|e| e.message_id()),
            Err("Permohonan yang sudah diverifikasi dan menunggu tanda tangan tidak dapat dibatalkan.".to_string())
        );
        assert_eq!(
            next_state(Ditolak, Batalkan, Pemohon).map_err(|e| e.message_id()),
            Err("Permohonan yang sudah ditolak tidak dapat dibatalkan.".to_string())
        );
        assert_eq!(
            next_state(Diperiksa, Verifikasi, Pemohon).map_err(|e| e.message_id()),
            Err("Tindakan \"Verifikasi\" pada permohonan ini hanya dapat dilakukan oleh operator desa.".to_string())
        );
        assert_eq!(
            next_state(MenungguTandaTangan, Tolak, Operator).map_err(|e| e.message_id()),
            Err("Tindakan \"Tolak\" pada permohonan ini hanya dapat dilakukan oleh kepala desa atau pejabat yang \
                 menandatangani."
                .to_string())
        );
        assert_eq!(
            next_state(Diajukan, Tandatangani, Penandatangan).map_err(|e| e.message_id()),
            Err("Tindakan \"Tandatangani\" tidak dapat dilakukan pada permohonan berstatus \"Diajukan\".".to_string())
        );
        let closed = next_state(Diambil, Serahkan, Operator).expect_err("closed");
        assert!(closed.message_id().starts_with("Permohonan ini sudah diambil;"));
        assert_eq!(closed.to_string(), "request is already diambil; no action is possible (tried serahkan)");
    }

    #[test]
    fn reasons() {
        let needing: Vec<RequestAction> = RequestAction::ALL.into_iter().filter(|a| requires_reason(*a)).collect();
        assert_eq!(needing, [MintaPerbaikan, Tolak]);
    }

    #[test]
    fn allowed_actions_table() {
        let cases: [(RequestState, Party, &[RequestAction]); 9] = [
            (Diajukan, Operator, &[Periksa]),
            (Diajukan, Pemohon, &[Batalkan]),
            (Diperiksa, Operator, &[Verifikasi, MintaPerbaikan, Tolak]),
            (Diperiksa, Pemohon, &[Batalkan]),
            (PerluPerbaikan, Pemohon, &[KirimPerbaikan, Batalkan]),
            (MenungguTandaTangan, Penandatangan, &[Tandatangani, Tolak]),
            (MenungguTandaTangan, Pemohon, &[]),
            (Selesai, Operator, &[Serahkan]),
            (Diambil, Operator, &[]),
        ];
        for (from, by, expected) in cases {
            assert_eq!(allowed_actions(from, by), expected, "{from} by {by}");
        }
        // Consistent with next_state for every pair.
        for from in RequestState::ALL {
            for by in Party::ALL {
                let allowed = allowed_actions(from, by);
                for action in RequestAction::ALL {
                    assert_eq!(allowed.contains(&action), next_state(from, action, by).is_ok());
                }
            }
        }
    }

    #[test]
    fn every_state_is_reachable_from_diajukan() {
        let mut seen: HashSet<RequestState> = HashSet::from([Diajukan]);
        let mut frontier = vec![Diajukan];
        while let Some(s) = frontier.pop() {
            for t in TRANSITIONS.iter().filter(|t| t.from == s) {
                if seen.insert(t.to) {
                    frontier.push(t.to);
                }
            }
        }
        assert_eq!(seen.len(), RequestState::ALL.len());
    }

    fn any_state() -> impl Strategy<Value = RequestState> {
        proptest::sample::select(RequestState::ALL.to_vec())
    }

    fn any_step() -> impl Strategy<Value = (RequestAction, Party)> {
        (proptest::sample::select(RequestAction::ALL.to_vec()), proptest::sample::select(Party::ALL.to_vec()))
    }

    proptest! {
        #[test]
        fn no_sequence_leaves_a_final_state(
            start in any_state(),
            steps in proptest::collection::vec(any_step(), 0..40),
        ) {
            let mut state = start;
            let mut was_final = state.is_final();
            for (action, by) in steps {
                match next_state(state, action, by) {
                    Ok(to) => {
                        prop_assert!(!was_final, "{} left final state {}", action, state);
                        let step = Transition { from: state, action, by, to };
                        prop_assert!(TRANSITIONS.contains(&step));
                        state = to;
                    }
                    Err(_) => prop_assert_eq!(was_final, state.is_final()),
                }
                was_final = was_final || state.is_final();
                prop_assert_eq!(was_final, state.is_final());
            }
        }
    }
}
