//! The proposal (usulan) workflow: which state a correction is in, which
//! step moves it on, and who may take that step where.
//!
//! A village operator drafts a correction and submits it to the village
//! deliberation (Musdes/Muskel), which ratifies it with signed minutes or an
//! SPTJM. The regency social office (Dinsos) verifies it or returns it to the
//! village with a reason; the head of office approves it; the office sends it
//! to Pusdatin, which fixes it into a monthly period or rejects it with a
//! reason. A returned proposal is corrected by the village and goes through
//! the deliberation again, so no step is ever skipped.
//!
//! [`ProposalState::apply`] is the one rule: storage calls it before every
//! change of state (and the same for every proposal of a bulk action), so a
//! handler cannot move a proposal any other way.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::access::Role;
use crate::lang::{Lang, Localized};
use crate::period::Period;
use crate::region::RegionCode;

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProposalState {
    /// Being written by the village operator; only they see it move.
    Draft,
    /// Submitted to the village deliberation (Musdes/Muskel).
    Diajukan,
    /// Ratified by the village: minutes or an SPTJM are attached.
    DisahkanDesa,
    /// Checked by the Dinsos verifier.
    DiverifikasiDinsos,
    /// Sent back to the village with a reason, to be corrected and submitted again.
    Dikembalikan,
    /// Approved by the head of the Dinsos.
    DisetujuiDinsos,
    /// Sent to Pusdatin.
    DikirimPusdatin,
    /// Fixed into a monthly period by Pusdatin (final).
    Ditetapkan,
    /// Rejected by Pusdatin with a reason (final).
    DitolakPusdatin,
}

impl ProposalState {
    /// Every state, in workflow order.
    pub const ALL: [ProposalState; 9] = [
        ProposalState::Draft,
        ProposalState::Diajukan,
        ProposalState::DisahkanDesa,
        ProposalState::DiverifikasiDinsos,
        ProposalState::Dikembalikan,
        ProposalState::DisetujuiDinsos,
        ProposalState::DikirimPusdatin,
        ProposalState::Ditetapkan,
        ProposalState::DitolakPusdatin,
    ];

    /// The stored code, e.g. `DISAHKAN_DESA`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Draft => "DRAFT",
            ProposalState::Diajukan => "DIAJUKAN",
            ProposalState::DisahkanDesa => "DISAHKAN_DESA",
            ProposalState::DiverifikasiDinsos => "DIVERIFIKASI_DINSOS",
            ProposalState::Dikembalikan => "DIKEMBALIKAN",
            ProposalState::DisetujuiDinsos => "DISETUJUI_DINSOS",
            ProposalState::DikirimPusdatin => "DIKIRIM_PUSDATIN",
            ProposalState::Ditetapkan => "DITETAPKAN",
            ProposalState::DitolakPusdatin => "DITOLAK_PUSDATIN",
        }
    }

    /// The state's name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ProposalState::Draft, Lang::Id) => "Draf",
            (ProposalState::Draft, Lang::En) => "Draft",
            (ProposalState::Diajukan, Lang::Id) => "Diajukan ke Musdes/Muskel",
            (ProposalState::Diajukan, Lang::En) => "Submitted to the village meeting",
            (ProposalState::DisahkanDesa, Lang::Id) => "Disahkan desa/kelurahan",
            (ProposalState::DisahkanDesa, Lang::En) => "Ratified by the village",
            (ProposalState::DiverifikasiDinsos, Lang::Id) => "Diverifikasi Dinsos",
            (ProposalState::DiverifikasiDinsos, Lang::En) => "Verified by the social office",
            (ProposalState::Dikembalikan, Lang::Id) => "Dikembalikan ke desa",
            (ProposalState::Dikembalikan, Lang::En) => "Returned to the village",
            (ProposalState::DisetujuiDinsos, Lang::Id) => "Disetujui Kepala Dinsos",
            (ProposalState::DisetujuiDinsos, Lang::En) => "Approved by the head of office",
            (ProposalState::DikirimPusdatin, Lang::Id) => "Dikirim ke Pusdatin",
            (ProposalState::DikirimPusdatin, Lang::En) => "Sent to Pusdatin",
            (ProposalState::Ditetapkan, Lang::Id) => "Ditetapkan",
            (ProposalState::Ditetapkan, Lang::En) => "Finalised",
            (ProposalState::DitolakPusdatin, Lang::Id) => "Ditolak Pusdatin",
            (ProposalState::DitolakPusdatin, Lang::En) => "Rejected by Pusdatin",
        }
    }

    /// Whether nothing can happen to it any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ProposalState::Ditetapkan | ProposalState::DitolakPusdatin
        )
    }

    /// Whether the village may still change what it proposes (a draft, or a returned proposal).
    pub fn is_editable(self) -> bool {
        matches!(self, ProposalState::Draft | ProposalState::Dikembalikan)
    }

    /// The state `step` leads to from this one, if the workflow has that edge.
    ///
    /// Who may take it is [`Step::allowed_for`]; [`ProposalState::apply`] checks both.
    pub fn after(self, step: Step) -> Option<ProposalState> {
        use ProposalState as S;
        match (self, step) {
            (S::Draft, Step::Submit) | (S::Dikembalikan, Step::Resubmit) => Some(S::Diajukan),
            (S::Diajukan, Step::Ratify) => Some(S::DisahkanDesa),
            (S::DisahkanDesa, Step::Verify) => Some(S::DiverifikasiDinsos),
            (S::DisahkanDesa | S::DiverifikasiDinsos, Step::Return) => Some(S::Dikembalikan),
            (S::DiverifikasiDinsos, Step::Approve) => Some(S::DisetujuiDinsos),
            (S::DisetujuiDinsos, Step::Send) => Some(S::DikirimPusdatin),
            (S::DikirimPusdatin, Step::Finalise) => Some(S::Ditetapkan),
            (S::DikirimPusdatin, Step::Reject) => Some(S::DitolakPusdatin),
            _ => None,
        }
    }

    /// Takes `action` on a proposal about `region` for `actor`, or says why not.
    ///
    /// Checks, in order: the actor's scope holds the region (else
    /// [`TransitionError::OutsideScope`], which a caller shows as "not found"),
    /// the step exists from this state, the role may take it, and the step's
    /// evidence (ratification document, reason, period) is what it must be.
    pub fn apply(
        self,
        action: &Action,
        actor: &Actor,
        region: RegionCode,
    ) -> Result<ProposalState, TransitionError> {
        if !actor.reaches(region) {
            return Err(TransitionError::OutsideScope);
        }
        let step = action.step();
        let next = self
            .after(step)
            .ok_or(TransitionError::NotFromState { step, state: self })?;
        if !step.allowed_for(actor.role, self) {
            return Err(TransitionError::Role {
                step,
                role: actor.role,
            });
        }
        if let Action::Ratify(doc) = action
            && !doc.signed_scan_attached
        {
            return Err(TransitionError::UnsignedRatification);
        }
        Ok(next)
    }

    /// Checks that `actor` may change what a proposal in this state about `region` proposes.
    ///
    /// Only the village operator edits, and only a draft or a returned
    /// proposal: once submitted, the deliberation ratifies what it saw.
    pub fn check_edit(self, actor: &Actor, region: RegionCode) -> Result<(), TransitionError> {
        check_draft(actor, region)?;
        if self.is_editable() {
            Ok(())
        } else {
            Err(TransitionError::NotEditable { state: self })
        }
    }

    /// The steps `actor` could take now on a proposal about `region` (for buttons).
    pub fn available(self, actor: &Actor, region: RegionCode) -> Vec<Step> {
        if !actor.reaches(region) {
            return Vec::new();
        }
        Step::ALL
            .into_iter()
            .filter(|s| self.after(*s).is_some() && s.allowed_for(actor.role, self))
            .collect()
    }
}

impl fmt::Display for ProposalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that names no proposal state.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("status usulan {0:?} tidak dikenal")]
pub struct ProposalStateError(pub String);

impl Localized for ProposalStateError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => format!("unknown proposal state {:?}", self.0),
        }
    }
}

/// A text that names no workflow step.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("langkah usulan {0:?} tidak dikenal")]
pub struct StepError(pub String);

impl Localized for StepError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => format!("unknown proposal step {:?}", self.0),
        }
    }
}

impl FromStr for ProposalState {
    type Err = ProposalStateError;
    fn from_str(s: &str) -> Result<ProposalState, ProposalStateError> {
        let t = s.trim().to_ascii_uppercase();
        ProposalState::ALL
            .into_iter()
            .find(|p| p.as_str() == t)
            .ok_or_else(|| ProposalStateError(s.trim().to_string()))
    }
}

/// A move in the workflow, without its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The village operator submits a draft to the deliberation.
    Submit,
    /// The village operator records the deliberation's ratification.
    Ratify,
    /// The Dinsos verifier accepts it.
    Verify,
    /// The Dinsos verifier (or head of office) sends it back with a reason.
    Return,
    /// The village operator submits a corrected, returned proposal again.
    Resubmit,
    /// The head of the Dinsos approves it.
    Approve,
    /// The Dinsos (operator or head) sends it to Pusdatin.
    Send,
    /// Pusdatin fixes it into a period.
    Finalise,
    /// Pusdatin rejects it with a reason.
    Reject,
}

impl Step {
    /// Every step, in workflow order.
    pub const ALL: [Step; 9] = [
        Step::Submit,
        Step::Ratify,
        Step::Verify,
        Step::Return,
        Step::Resubmit,
        Step::Approve,
        Step::Send,
        Step::Finalise,
        Step::Reject,
    ];

    /// The code used in forms, the API and the audit trail, e.g. `ratify`.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Ratify => "ratify",
            Step::Verify => "verify",
            Step::Return => "return",
            Step::Resubmit => "resubmit",
            Step::Approve => "approve",
            Step::Send => "send",
            Step::Finalise => "finalise",
            Step::Reject => "reject",
        }
    }

    /// The button's text.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Step::Submit, Lang::Id) => "Ajukan ke Musdes/Muskel",
            (Step::Submit, Lang::En) => "Submit to the village meeting",
            (Step::Ratify, Lang::Id) => "Catat pengesahan desa",
            (Step::Ratify, Lang::En) => "Record the village ratification",
            (Step::Verify, Lang::Id) => "Verifikasi",
            (Step::Verify, Lang::En) => "Verify",
            (Step::Return, Lang::Id) => "Kembalikan ke desa",
            (Step::Return, Lang::En) => "Return to the village",
            (Step::Resubmit, Lang::Id) => "Ajukan ulang",
            (Step::Resubmit, Lang::En) => "Submit again",
            (Step::Approve, Lang::Id) => "Setujui",
            (Step::Approve, Lang::En) => "Approve",
            (Step::Send, Lang::Id) => "Kirim ke Pusdatin",
            (Step::Send, Lang::En) => "Send to Pusdatin",
            (Step::Finalise, Lang::Id) => "Tetapkan",
            (Step::Finalise, Lang::En) => "Finalise",
            (Step::Reject, Lang::Id) => "Tolak",
            (Step::Reject, Lang::En) => "Reject",
        }
    }

    /// Whether `role` may take this step on a proposal in state `from`.
    pub fn allowed_for(self, role: Role, from: ProposalState) -> bool {
        use Role as R;
        match self {
            Step::Submit | Step::Ratify | Step::Resubmit => role == R::OperatorDesa,
            Step::Verify => role == R::VerifikatorDinsos,
            // The verifier returns what the village ratified or what it verified;
            // the head of office returns what it was asked to approve.
            Step::Return => match from {
                ProposalState::DisahkanDesa => role == R::VerifikatorDinsos,
                ProposalState::DiverifikasiDinsos => {
                    matches!(role, R::VerifikatorDinsos | R::KepalaDinsos)
                }
                _ => false,
            },
            Step::Approve => role == R::KepalaDinsos,
            Step::Send => matches!(role, R::OperatorDinsos | R::KepalaDinsos),
            Step::Finalise | Step::Reject => role == R::Pusdatin,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Step {
    type Err = StepError;
    fn from_str(s: &str) -> Result<Step, StepError> {
        let t = s.trim().to_ascii_lowercase();
        Step::ALL
            .into_iter()
            .find(|p| p.as_str() == t)
            .ok_or_else(|| StepError(s.trim().to_string()))
    }
}

/// Why a proposal is returned or rejected: what the user wrote, trimmed, at least
/// [`Reason::MIN_CHARS`] characters (a reason the village can act on).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Reason(String);

/// A reason too short to act on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("tulis alasan minimal {min} karakter agar desa tahu apa yang harus diperbaiki", min = Reason::MIN_CHARS)]
pub struct ReasonError;

impl Localized for ReasonError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => format!(
                "write a reason of at least {} characters, so the village knows what to fix",
                Reason::MIN_CHARS
            ),
        }
    }
}

impl Reason {
    /// The fewest characters a reason has.
    pub const MIN_CHARS: usize = 5;

    /// Checks what the user typed.
    pub fn parse(s: &str) -> Result<Reason, ReasonError> {
        let t = s.trim();
        if t.chars().count() < Reason::MIN_CHARS {
            return Err(ReasonError);
        }
        Ok(Reason(t.to_string()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The document by which a village ratified its proposals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RatificationKind {
    /// Minutes (berita acara) of a village deliberation (Musyawarah Desa).
    Musdes,
    /// Minutes of an urban-village deliberation (Musyawarah Kelurahan).
    Muskel,
    /// A statement of absolute responsibility (Surat Pernyataan Tanggung Jawab Mutlak).
    Sptjm,
}

/// What [`Step::Ratify`] carries: which document, and whether its signed scan is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratification {
    /// Minutes or SPTJM.
    pub kind: RatificationKind,
    /// Whether the signed, scanned document is attached (it must be).
    pub signed_scan_attached: bool,
}

/// A step with the evidence it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// See [`Step::Submit`].
    Submit,
    /// See [`Step::Ratify`].
    Ratify(Ratification),
    /// See [`Step::Verify`].
    Verify,
    /// See [`Step::Return`].
    Return(Reason),
    /// See [`Step::Resubmit`].
    Resubmit,
    /// See [`Step::Approve`].
    Approve,
    /// See [`Step::Send`].
    Send,
    /// See [`Step::Finalise`]: into this period.
    Finalise(Period),
    /// See [`Step::Reject`].
    Reject(Reason),
}

impl Action {
    /// The step, without its evidence.
    pub fn step(&self) -> Step {
        match self {
            Action::Submit => Step::Submit,
            Action::Ratify(_) => Step::Ratify,
            Action::Verify => Step::Verify,
            Action::Return(_) => Step::Return,
            Action::Resubmit => Step::Resubmit,
            Action::Approve => Step::Approve,
            Action::Send => Step::Send,
            Action::Finalise(_) => Step::Finalise,
            Action::Reject(_) => Step::Reject,
        }
    }
}

/// Who acts: a role and the region it works in (`None`: the whole country).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The role.
    pub role: Role,
    /// The region; `None` is national.
    pub region: Option<RegionCode>,
}

impl Actor {
    /// Whether a proposal about `region` lies within the actor's region.
    pub fn reaches(&self, region: RegionCode) -> bool {
        self.region.is_none_or(|r| r.contains(region))
    }
}

/// Checks that `actor` may draft a new proposal about `region`.
pub fn check_draft(actor: &Actor, region: RegionCode) -> Result<(), TransitionError> {
    if !actor.reaches(region) {
        return Err(TransitionError::OutsideScope);
    }
    if actor.role.can(crate::access::Permission::Propose) {
        Ok(())
    } else {
        Err(TransitionError::MayNotPropose { role: actor.role })
    }
}

/// Checks the period Pusdatin fixes a proposal into: not one before the period it was sent in.
pub fn check_finalise(sent: Option<Period>, into: Period) -> Result<(), TransitionError> {
    match sent {
        Some(sent) if into < sent => Err(TransitionError::PeriodBeforeSending { into, sent }),
        _ => Ok(()),
    }
}

/// Why a step was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    /// The proposal is outside the actor's region (shown as "not found").
    #[error("usulan tidak ditemukan")]
    OutsideScope,
    /// The workflow has no such step from this state.
    #[error("langkah \"{}\" tidak dapat dilakukan pada usulan berstatus {}", step.label(Lang::Id), state.label(Lang::Id))]
    NotFromState {
        /// The step tried.
        step: Step,
        /// The state the proposal is in.
        state: ProposalState,
    },
    /// The role may not take this step.
    #[error("peran {} tidak berwenang untuk langkah \"{}\"", role.label(Lang::Id), step.label(Lang::Id))]
    Role {
        /// The step tried.
        step: Step,
        /// The actor's role.
        role: Role,
    },
    /// Ratification without the signed document.
    #[error(
        "lampirkan pindaian berita acara atau SPTJM yang sudah ditandatangani sebelum mencatat pengesahan"
    )]
    UnsignedRatification,
    /// The proposal is no longer a draft or returned, so what it proposes is fixed.
    #[error("usulan berstatus {} tidak dapat diubah lagi", state.label(Lang::Id))]
    NotEditable {
        /// The state it is in.
        state: ProposalState,
    },
    /// The role does not draft proposals.
    #[error("peran {} tidak membuat atau mengubah usulan; itu tugas operator desa/kelurahan", role.label(Lang::Id))]
    MayNotPropose {
        /// The actor's role.
        role: Role,
    },
    /// A proposed value cannot go into the registry (checked again when Pusdatin finalises).
    #[error("nilai usulan tidak dapat dimasukkan ke DTKS: {0}")]
    ValueRejected(crate::change::FieldValueError),
    /// The period is already finalised.
    #[error("periode {period} sudah ditetapkan; tetapkan usulan ini pada periode berikutnya")]
    PeriodClosed {
        /// The period asked for.
        period: Period,
    },
    /// The member already has a proposal that is not finished.
    #[error(
        "anggota ini sudah punya usulan yang belum selesai (#{proposal_id}); lanjutkan usulan itu"
    )]
    AlreadyProposed {
        /// The open proposal.
        proposal_id: i64,
    },
    /// Finalising into a period before the one the proposal was sent in.
    #[error(
        "usulan dikirim untuk periode {sent} dan tidak dapat ditetapkan pada periode {into} yang lebih awal"
    )]
    PeriodBeforeSending {
        /// The period asked for.
        into: Period,
        /// The period it was sent in.
        sent: Period,
    },
}

impl Localized for TransitionError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::Id) => self.to_string(),
            (TransitionError::OutsideScope, Lang::En) => "proposal not found".into(),
            (TransitionError::NotFromState { step, state }, Lang::En) => format!(
                "\"{}\" cannot be done on a proposal that is {}",
                step.label(Lang::En),
                state.label(Lang::En)
            ),
            (TransitionError::Role { step, role }, Lang::En) => format!(
                "the role {} may not \"{}\"",
                role.label(Lang::En),
                step.label(Lang::En)
            ),
            (TransitionError::UnsignedRatification, Lang::En) => {
                "attach the signed scan of the minutes or SPTJM before recording the ratification"
                    .into()
            }
            (TransitionError::NotEditable { state }, Lang::En) => format!(
                "a proposal that is {} can no longer be changed",
                state.label(Lang::En)
            ),
            (TransitionError::MayNotPropose { role }, Lang::En) => format!(
                "the role {} does not draft or change proposals; village operators do",
                role.label(Lang::En)
            ),
            (TransitionError::ValueRejected(e), Lang::En) => format!(
                "a proposed value cannot go into the registry: {}",
                e.message(Lang::En)
            ),
            (TransitionError::PeriodClosed { period }, Lang::En) => format!(
                "period {period} is already finalised; finalise this proposal in the next period"
            ),
            (TransitionError::AlreadyProposed { proposal_id }, Lang::En) => format!(
                "this member already has an unfinished proposal (#{proposal_id}); carry on with that one"
            ),
            (TransitionError::PeriodBeforeSending { into, sent }, Lang::En) => format!(
                "the proposal was sent for period {sent} and cannot be finalised in the earlier period {into}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use ProposalState as S;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("test region")
    }

    fn village() -> RegionCode {
        code("32.76.01.1001")
    }

    /// Each role at its level over the test village, and the same roles elsewhere.
    fn actors() -> Vec<Actor> {
        let here = village();
        let away = code("33.01.02.2003");
        let mut all = Vec::new();
        for base in [here, away] {
            for role in Role::ALL {
                let region = role
                    .scope_level()
                    .map(|l| base.truncate(l).expect("deep enough"));
                all.push(Actor { role, region });
            }
        }
        all
    }

    fn ratified() -> Action {
        Action::Ratify(Ratification {
            kind: RatificationKind::Musdes,
            signed_scan_attached: true,
        })
    }

    fn reason() -> Reason {
        Reason::parse("NIK tidak sesuai KK").unwrap()
    }

    fn actions() -> Vec<Action> {
        vec![
            Action::Submit,
            ratified(),
            Action::Ratify(Ratification {
                kind: RatificationKind::Sptjm,
                signed_scan_attached: false,
            }),
            Action::Verify,
            Action::Return(reason()),
            Action::Resubmit,
            Action::Approve,
            Action::Send,
            Action::Finalise(Period::new(2026, 10).unwrap()),
            Action::Reject(reason()),
        ]
    }

    fn actor(role: Role) -> Actor {
        Actor {
            role,
            region: role.scope_level().map(|l| village().truncate(l).unwrap()),
        }
    }

    #[test]
    fn only_the_village_operator_drafts_and_only_drafts_or_returned_proposals_change() {
        let v = village();
        assert_eq!(check_draft(&actor(Role::OperatorDesa), v), Ok(()));
        assert_eq!(
            check_draft(&actor(Role::KepalaDinsos), v),
            Err(TransitionError::MayNotPropose {
                role: Role::KepalaDinsos
            })
        );
        let elsewhere = Actor {
            role: Role::OperatorDesa,
            region: Some(code("33.01.01.2001")),
        };
        assert_eq!(
            check_draft(&elsewhere, v),
            Err(TransitionError::OutsideScope)
        );
        let desa = actor(Role::OperatorDesa);
        for s in S::ALL {
            let ok = s.check_edit(&desa, v).is_ok();
            assert_eq!(ok, matches!(s, S::Draft | S::Dikembalikan), "{s}");
        }
        let oct = Period::new(2026, 10).unwrap();
        assert!(check_finalise(Some(oct), oct.next()).is_ok());
        assert!(check_finalise(None, oct).is_ok());
        let e = check_finalise(Some(oct.next()), oct).unwrap_err();
        assert!(e.to_string().contains("2026-11") && e.message(Lang::En).contains("2026-10"));
    }

    #[test]
    fn the_whole_way_from_draft_to_a_period() {
        let v = village();
        let mut s = S::Draft;
        for (who, action, expect) in [
            (Role::OperatorDesa, Action::Submit, S::Diajukan),
            (Role::OperatorDesa, ratified(), S::DisahkanDesa),
            (
                Role::VerifikatorDinsos,
                Action::Verify,
                S::DiverifikasiDinsos,
            ),
            (Role::KepalaDinsos, Action::Approve, S::DisetujuiDinsos),
            (Role::OperatorDinsos, Action::Send, S::DikirimPusdatin),
            (
                Role::Pusdatin,
                Action::Finalise(Period::new(2026, 10).unwrap()),
                S::Ditetapkan,
            ),
        ] {
            s = s.apply(&action, &actor(who), v).unwrap();
            assert_eq!(s, expect);
        }
        assert!(s.is_final());
        assert!(
            S::Ditetapkan
                .available(&actor(Role::Pusdatin), v)
                .is_empty()
        );
    }

    #[test]
    fn a_returned_proposal_goes_through_the_village_meeting_again() {
        let v = village();
        let s = S::DisahkanDesa
            .apply(
                &Action::Return(reason()),
                &actor(Role::VerifikatorDinsos),
                v,
            )
            .unwrap();
        assert_eq!(s, S::Dikembalikan);
        assert!(s.is_editable());
        let s = s
            .apply(&Action::Resubmit, &actor(Role::OperatorDesa), v)
            .unwrap();
        assert_eq!(s, S::Diajukan, "back to the deliberation, not to Dinsos");
        assert_eq!(
            s.apply(&Action::Verify, &actor(Role::VerifikatorDinsos), v),
            Err(TransitionError::NotFromState {
                step: Step::Verify,
                state: S::Diajukan
            })
        );
    }

    #[test]
    fn refusals_say_why_in_both_languages() {
        let v = village();
        let e = S::Diajukan
            .apply(&Action::Approve, &actor(Role::KepalaDinsos), v)
            .unwrap_err();
        assert!(e.to_string().contains("Diajukan ke Musdes/Muskel"), "{e}");
        let e = S::DiverifikasiDinsos
            .apply(&Action::Approve, &actor(Role::VerifikatorDinsos), v)
            .unwrap_err();
        assert_eq!(
            e.message(Lang::En),
            "the role Social office verifier may not \"Approve\""
        );
        let e = S::Diajukan
            .apply(
                &Action::Ratify(Ratification {
                    kind: RatificationKind::Muskel,
                    signed_scan_attached: false,
                }),
                &actor(Role::OperatorDesa),
                v,
            )
            .unwrap_err();
        assert_eq!(e, TransitionError::UnsignedRatification);
        let elsewhere = Actor {
            role: Role::OperatorDesa,
            region: Some(code("32.76.01.1002")),
        };
        assert_eq!(
            S::Draft.apply(&Action::Submit, &elsewhere, v),
            Err(TransitionError::OutsideScope)
        );
        assert!(Reason::parse("  ok  ").is_err());
        assert!(ReasonError.message(Lang::En).contains("at least 5"));
    }

    /// The whole table: every state, step and role, inside the scope.
    #[test]
    fn exactly_these_roles_take_exactly_these_steps() {
        let expected: &[(S, Step, &[Role], S)] = &[
            (S::Draft, Step::Submit, &[Role::OperatorDesa], S::Diajukan),
            (
                S::Diajukan,
                Step::Ratify,
                &[Role::OperatorDesa],
                S::DisahkanDesa,
            ),
            (
                S::DisahkanDesa,
                Step::Verify,
                &[Role::VerifikatorDinsos],
                S::DiverifikasiDinsos,
            ),
            (
                S::DisahkanDesa,
                Step::Return,
                &[Role::VerifikatorDinsos],
                S::Dikembalikan,
            ),
            (
                S::DiverifikasiDinsos,
                Step::Return,
                &[Role::VerifikatorDinsos, Role::KepalaDinsos],
                S::Dikembalikan,
            ),
            (
                S::DiverifikasiDinsos,
                Step::Approve,
                &[Role::KepalaDinsos],
                S::DisetujuiDinsos,
            ),
            (
                S::DisetujuiDinsos,
                Step::Send,
                &[Role::OperatorDinsos, Role::KepalaDinsos],
                S::DikirimPusdatin,
            ),
            (
                S::Dikembalikan,
                Step::Resubmit,
                &[Role::OperatorDesa],
                S::Diajukan,
            ),
            (
                S::DikirimPusdatin,
                Step::Finalise,
                &[Role::Pusdatin],
                S::Ditetapkan,
            ),
            (
                S::DikirimPusdatin,
                Step::Reject,
                &[Role::Pusdatin],
                S::DitolakPusdatin,
            ),
        ];
        let v = village();
        for from in S::ALL {
            for action in actions() {
                for role in Role::ALL {
                    let step = action.step();
                    let got = from.apply(&action, &actor(role), v);
                    let row = expected
                        .iter()
                        .find(|(f, s, roles, _)| *f == from && *s == step && roles.contains(&role));
                    let unsigned = matches!(
                        action,
                        Action::Ratify(Ratification {
                            signed_scan_attached: false,
                            ..
                        })
                    );
                    match row {
                        Some((_, _, _, to)) if !unsigned => {
                            assert_eq!(got, Ok(*to), "{from} {step} by {role}")
                        }
                        _ => assert!(got.is_err(), "{from} {step} by {role} must be refused"),
                    }
                    assert_eq!(
                        from.available(&actor(role), v).contains(&step),
                        row.is_some(),
                        "{from} {step} by {role}: buttons agree with the rules"
                    );
                }
            }
        }
    }

    #[test]
    fn codes_round_trip() {
        for s in S::ALL {
            assert_eq!(s.as_str().parse::<S>(), Ok(s));
            assert_eq!(s.as_str().to_lowercase().parse::<S>(), Ok(s));
        }
        for s in Step::ALL {
            assert_eq!(s.as_str().parse::<Step>(), Ok(s));
        }
        assert!("SELESAI".parse::<S>().is_err());
        let e = "lompat".parse::<Step>().unwrap_err();
        assert_eq!(e.to_string(), "langkah usulan \"lompat\" tidak dikenal");
        assert_eq!(e.message(Lang::En), "unknown proposal step \"lompat\"");
    }

    /// The states a proposal passes, in order, from its last (re)start to `to`.
    fn required_before(to: S) -> &'static [S] {
        match to {
            S::Draft | S::Dikembalikan | S::Diajukan => &[],
            S::DisahkanDesa => &[S::Diajukan],
            S::DiverifikasiDinsos => &[S::Diajukan, S::DisahkanDesa],
            S::DisetujuiDinsos => &[S::Diajukan, S::DisahkanDesa, S::DiverifikasiDinsos],
            S::DikirimPusdatin | S::Ditetapkan | S::DitolakPusdatin => &[
                S::Diajukan,
                S::DisahkanDesa,
                S::DiverifikasiDinsos,
                S::DisetujuiDinsos,
            ],
        }
    }

    /// One move of a random walk: with `valid`, one of the moves the rules
    /// accept (so walks reach the far states), otherwise any actor and action.
    fn pick(state: S, a: usize, b: usize, valid: bool) -> (Actor, Action) {
        let who = actors();
        let what = actions();
        if valid {
            let accepted: Vec<(Actor, Action)> = who
                .iter()
                .flat_map(|w| what.iter().map(move |x| (*w, x.clone())))
                .filter(|(w, x)| state.apply(x, w, village()).is_ok())
                .collect();
            if !accepted.is_empty() {
                return accepted[(a * 31 + b) % accepted.len()].clone();
            }
        }
        (who[a % who.len()], what[b % what.len()].clone())
    }

    /// Walks `moves` from a draft, checking every step; returns the states reached.
    fn walk(moves: &[(usize, usize, bool)]) -> Result<Vec<S>, String> {
        let v = village();
        let mut state = S::Draft;
        let mut reached = vec![state];
        let mut since_restart: Vec<S> = Vec::new();
        for &(a, b, valid) in moves {
            let (actor, action) = pick(state, a, b, valid);
            match state.apply(&action, &actor, v) {
                Ok(next) => {
                    let step = action.step();
                    let fail =
                        |why: &str| Err(format!("{state} -{step}-> {next} by {actor:?}: {why}"));
                    if !actor.reaches(v) {
                        return fail("acted outside its region");
                    }
                    if state.is_final() {
                        return fail("a final proposal moved");
                    }
                    if state.after(step) != Some(next) || !step.allowed_for(actor.role, state) {
                        return fail("not an edge this role may take");
                    }
                    if next == S::Diajukan {
                        since_restart.clear();
                    }
                    if let Some(missing) = required_before(next)
                        .iter()
                        .find(|n| !since_restart.contains(n) && **n != next)
                    {
                        return fail(&format!("skipped {missing}"));
                    }
                    since_restart.push(next);
                    reached.push(next);
                    state = next;
                }
                Err(TransitionError::OutsideScope) if actor.reaches(v) => {
                    return Err(format!("{actor:?} refused inside its region"));
                }
                Err(_) => {}
            }
        }
        Ok(reached)
    }

    #[test]
    fn random_walks_reach_every_state() {
        // A fixed xorshift, so the coverage is the same on every run.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            usize::try_from(x % 1_000).expect("small")
        };
        let mut seen = std::collections::HashSet::new();
        for _ in 0..300 {
            let moves: Vec<_> = (0..40).map(|_| (next(), next(), next() % 4 != 0)).collect();
            seen.extend(walk(&moves).unwrap());
        }
        for s in S::ALL {
            assert!(seen.contains(&s), "no walk reached {s}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Any sequence of actions by anyone, in any order: every accepted move
        /// is an edge of the workflow taken by a role allowed to take it, inside
        /// its region; no state is reached without the ones before it; nothing
        /// moves a final proposal; nobody is refused for scope inside their region.
        #[test]
        fn no_sequence_of_actions_breaks_the_rules(
            moves in proptest::collection::vec((0usize..1_000, 0usize..1_000, proptest::bool::ANY), 0..60)
        ) {
            if let Err(e) = walk(&moves) {
                prop_assert!(false, "{}", e);
            }
        }
    }
}
