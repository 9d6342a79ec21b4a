//! Proposals (usulan): a village's correction of the registry, carried
//! through the workflow of [`padu_core::proposal`] with a version for
//! optimistic locking and a timeline of every step.
//!
//! Every change of state goes through [`ProposalState::apply`] inside the
//! transaction that writes it, for each proposal of a bulk action too, and
//! appends both a timeline event and an audit entry in that transaction. A
//! step names the version its caller saw; if the proposal has moved since,
//! the step fails with [`StoreError::Stale`] instead of overwriting anything.
//! Nothing here is ever deleted.

use chrono::{DateTime, Utc};
use padu_core::proposal::{
    Action, Actor as WorkflowActor, Ratification, check_draft, check_finalise,
};
use padu_core::{
    Change, CutOff, DeactivationReason, MediaType, Period, ProposalKind, ProposalState, RegionCode,
    RegistryPerson, Step, Text, TransitionError, ZoneMap,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::audit_log::{NewAuditEntry, insert_audit};
use crate::columns::{Columns, list};
use crate::error::StoreError;
use crate::members::Actor;
use crate::members::{person_json, write_version};
use crate::rows::PersonRow;
use crate::scope::Scope;
use crate::tx::{Tx, on_tx};
use crate::{Store, with_pool};

/// A proposal as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// Its number.
    pub proposal_id: i64,
    /// What it does (with a deactivation's reason).
    pub change: Change,
    /// Where it stands in the workflow.
    pub state: ProposalState,
    /// Incremented by every change; steps and edits name the version they saw.
    pub version: i64,
    /// The village it is about: the person's village, or where a new household lives.
    pub kode_wilayah: RegionCode,
    /// The member concerned; `None` for an addition.
    pub id_art: Option<String>,
    /// The household concerned, if any.
    pub id_keluarga: Option<String>,
    /// The fields before, as the operator saw them (an object; `None` for an addition).
    pub before: Option<Value>,
    /// The fields after, as proposed (an object).
    pub after: Value,
    /// The operator's explanation.
    pub note: Option<String>,
    /// The period it was sent in, then the one it was fixed in.
    pub period: Option<Period>,
    /// Whether it reached Pusdatin after its region's cut-off and so fell into the next period.
    pub late: bool,
    /// Who drafted it.
    pub created_by: i64,
    /// When it was drafted.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A proposal being drafted.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal {
    /// What it does.
    pub change: Change,
    /// The village; for a proposal about an existing member it must be the member's village.
    pub kode_wilayah: RegionCode,
    /// The member concerned (required unless the change adds someone).
    pub id_art: Option<String>,
    /// The household concerned, if any.
    pub id_keluarga: Option<String>,
    /// The fields before, as the operator saw them.
    pub before: Option<Value>,
    /// The fields after.
    pub after: Value,
    /// The operator's explanation.
    pub note: Option<String>,
}

/// One entry of a proposal's timeline.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProposalEvent {
    /// Its id (events are shown in this order).
    pub proposal_event_id: i64,
    /// The step's code (`submit`, `ratify`, ...), or `create` and `edit`.
    pub step: String,
    /// The state before (none for `create`).
    pub from_state: Option<String>,
    /// The state after.
    pub to_state: String,
    /// The proposal's version after the event.
    pub version: i64,
    /// Who took the step.
    pub username: String,
    /// Their display name.
    pub display_name: String,
    /// Their role code.
    pub role: String,
    /// The reason of a return or rejection, or the note of an edit.
    pub reason: Option<String>,
    /// What else the step carried (the ratification document, the period).
    pub detail: Option<String>,
    /// When.
    pub occurred_at: DateTime<Utc>,
}

/// Who takes a step, when, and the calendar that decides a period.
#[derive(Debug, Clone, Copy)]
pub struct StepContext<'a> {
    /// The account, for the timeline and the audit trail.
    pub actor: &'a Actor,
    /// Its role and region, for the workflow's rules.
    pub workflow: WorkflowActor,
    /// The server's clock (a fixed instant in tests).
    pub at: DateTime<Utc>,
    /// The monthly cut-off.
    pub cut_off: CutOff,
    /// Which time zone each region keeps.
    pub zones: &'a ZoneMap,
}

/// What an attachment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentPurpose {
    /// The signed scan of the minutes (berita acara) or SPTJM; ratification needs one.
    RatificationScan,
    /// Any other evidence (a death certificate, a photo of the house).
    Evidence,
}

impl AttachmentPurpose {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentPurpose::RatificationScan => "PINDAIAN_PENGESAHAN",
            AttachmentPurpose::Evidence => "BUKTI",
        }
    }
}

/// A file being attached.
#[derive(Debug, Clone, Copy)]
pub struct NewAttachment<'a> {
    /// What it is for.
    pub purpose: AttachmentPurpose,
    /// The name the uploader's file had.
    pub file_name: &'a str,
    /// What [`padu_core::check_evidence`] found the content to be.
    pub media: MediaType,
    /// The content.
    pub bytes: &'a [u8],
}

/// An attachment, without its content.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttachmentInfo {
    /// Its id.
    pub proposal_attachment_id: i64,
    /// `PINDAIAN_PENGESAHAN` or `BUKTI`.
    pub purpose: String,
    /// The uploaded file's name (shown only).
    pub file_name: String,
    /// The MIME type decided from the content.
    pub media_type: String,
    /// Its size.
    pub size_bytes: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Who uploaded it.
    pub username: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A member's status in force, when a finalised proposal set one.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberStatus {
    /// Whether the member is active.
    pub active: bool,
    /// Why not, as a `DeactivationReason` code.
    pub deactivation_reason: Option<String>,
    /// The finalised proposal that set it.
    pub proposal_id: Option<i64>,
    /// Since when.
    pub valid_from: DateTime<Utc>,
}

/// Which proposals a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalFilter {
    /// Only proposals in this state.
    pub state: Option<ProposalState>,
    /// Only proposals about this member.
    pub id_art: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ProposalRow {
    proposal_id: i64,
    kind: String,
    state: String,
    version: i64,
    kode_wilayah: String,
    id_art: Option<String>,
    id_keluarga: Option<String>,
    deactivation_reason: Option<String>,
    before_value: Option<String>,
    after_value: String,
    note: Option<String>,
    period: Option<String>,
    late: i64,
    created_by: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ProposalRow {
    fn into_proposal(self) -> Result<Proposal, StoreError> {
        let bad = |column, e: String| StoreError::decode("proposal", column, e);
        let kind: ProposalKind = self.kind.parse().map_err(|e| bad("kind", format!("{e}")))?;
        let reason = self
            .deactivation_reason
            .as_deref()
            .map(str::parse::<DeactivationReason>)
            .transpose()
            .map_err(|e| bad("deactivation_reason", e.to_string()))?;
        let json = |column, s: &str| -> Result<Value, StoreError> {
            serde_json::from_str(s).map_err(|e| bad(column, e.to_string()))
        };
        Ok(Proposal {
            proposal_id: self.proposal_id,
            change: Change::from_parts(kind, reason)
                .map_err(|e| bad("deactivation_reason", e.to_string()))?,
            state: self
                .state
                .parse()
                .map_err(|e| bad("state", format!("{e}")))?,
            version: self.version,
            kode_wilayah: RegionCode::parse(&self.kode_wilayah)
                .map_err(|e| bad("kode_wilayah", e.to_string()))?,
            id_art: self.id_art,
            id_keluarga: self.id_keluarga,
            before: self
                .before_value
                .as_deref()
                .map(|s| json("before_value", s))
                .transpose()?,
            after: json("after_value", &self.after_value)?,
            note: self.note,
            period: self
                .period
                .as_deref()
                .map(str::parse::<Period>)
                .transpose()
                .map_err(|e| bad("period", e.to_string()))?,
            late: self.late != 0,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The columns every read of a proposal selects.
macro_rules! select_proposal {
    () => {
        "select proposal_id, kind, state, version, kode_wilayah, id_art, id_keluarga, \
         deactivation_reason, before_value, after_value, note, period, late, created_by, \
         created_at, updated_at from proposal "
    };
}

/// One proposal ($1) if its village lies in $2..$3.
const ONE: &str = concat!(
    select_proposal!(),
    "where proposal_id = $1 and kode_wilayah >= $2 and kode_wilayah < $3"
);

/// The proposals in $1..$2, optionally in state $3 and about member $4, newest first, at most $5.
const LIST: &str = concat!(
    select_proposal!(),
    "where kode_wilayah >= $1 and kode_wilayah < $2 \
     and ($3 is null or state = $3) and ($4 is null or id_art = $4) \
     order by proposal_id desc limit $5"
);

const EVENTS: &str = "select e.proposal_event_id, e.step, e.from_state, e.to_state, e.version, \
    u.username, u.display_name, u.role, e.reason, e.detail, e.occurred_at \
    from proposal_event e join app_user u on u.app_user_id = e.app_user_id \
    join proposal p on p.proposal_id = e.proposal_id \
    where e.proposal_id = $1 and p.kode_wilayah >= $2 and p.kode_wilayah < $3 \
    order by e.proposal_event_id";

/// The attachments of proposal $1 if it lies in $2..$3 (without their content).
const ATTACHMENTS: &str = "select a.proposal_attachment_id, a.purpose, a.file_name, a.media_type, \
    a.size_bytes, a.sha256, u.username, a.created_at from proposal_attachment a \
    join app_user u on u.app_user_id = a.uploaded_by \
    join proposal p on p.proposal_id = a.proposal_id \
    where a.proposal_id = $1 and p.kode_wilayah >= $2 and p.kode_wilayah < $3 \
    order by a.proposal_attachment_id";

/// One attachment's content ($2 of proposal $1, in $3..$4).
const ATTACHMENT_DATA: &str = "select a.data from proposal_attachment a \
    join proposal p on p.proposal_id = a.proposal_id \
    where a.proposal_id = $1 and a.proposal_attachment_id = $2 \
    and p.kode_wilayah >= $3 and p.kode_wilayah < $4";

const INSERT_ATTACHMENT: &str = "insert into proposal_attachment (proposal_id, purpose, file_name, \
    media_type, size_bytes, sha256, data, uploaded_by, created_at, updated_at) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning proposal_attachment_id";

/// Signed scans of proposal $1 uploaded since it was last returned: a returned
/// proposal goes through the deliberation again, so the earlier minutes do not count.
/// A signed scan of minutes that list the proposal counts the same way.
const HAS_SCAN: &str = "select (select count(*) from proposal_attachment a \
    where a.proposal_id = $1 and a.purpose = 'PINDAIAN_PENGESAHAN' \
    and not exists (select 1 from proposal_event e where e.proposal_id = a.proposal_id \
    and e.step = 'return' and e.occurred_at >= a.created_at)) \
    + (select count(*) from ratification_proposal rp \
    join ratification r on r.ratification_id = rp.ratification_id \
    where rp.proposal_id = $1 and r.scan_data is not null \
    and not exists (select 1 from proposal_event e where e.proposal_id = rp.proposal_id \
    and e.step = 'return' and e.occurred_at >= r.scanned_at))";

/// An unfinished proposal about member $1.
const OPEN_FOR_MEMBER: &str = "select proposal_id from proposal where id_art = $1 \
    and state not in ('DITETAPKAN', 'DITOLAK_PUSDATIN') order by proposal_id limit 1";

/// Every member in $1..$2 with an unfinished proposal.
const OPEN_BY_MEMBER: &str = "select id_art, min(proposal_id) from proposal \
    where kode_wilayah >= $1 and kode_wilayah < $2 and id_art is not null \
    and state not in ('DITETAPKAN', 'DITOLAK_PUSDATIN') group by id_art";

/// The current record of member $1.
static CURRENT_PERSON: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select person_id, version, {person} from person where id_art = $1",
        person = list::<PersonRow>("")
    )
});

/// Closes the status range in force of person $2 at $1.
const CLOSE_STATUS: &str = "update person_status set valid_to = $1, updated_at = $1 where person_id = $2 and valid_to is null";

const INSERT_STATUS: &str = "insert into person_status (person_id, active, deactivation_reason, \
    proposal_id, valid_from, created_at, updated_at) values ($1, $2, $3, $4, $5, $5, $5)";

/// The status in force of member $1 in $2..$3.
const STATUS_IN_FORCE: &str = "select s.active <> 0 as active, s.deactivation_reason, s.proposal_id, \
    s.valid_from from person_status s join person p on p.person_id = s.person_id \
    where p.id_art = $1 and p.kode_wilayah >= $2 and p.kode_wilayah < $3 and s.valid_to is null";

/// Members in $1..$2 whose status in force is inactive, and why.
const INACTIVE_IN: &str = "select p.id_art, s.deactivation_reason from person_status s \
    join person p on p.person_id = s.person_id \
    where p.kode_wilayah >= $1 and p.kode_wilayah < $2 and s.valid_to is null and s.active = 0";

const MEMBER_VILLAGE: &str = "select kode_wilayah from person \
    where id_art = $1 and kode_wilayah >= $2 and kode_wilayah < $3";

const INSERT: &str = "insert into proposal (kind, state, version, kode_wilayah, id_art, \
    id_keluarga, deactivation_reason, before_value, after_value, note, late, created_by, \
    updated_by, created_at, updated_at) \
    values ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10, $11, $11) returning proposal_id";

const INSERT_EVENT: &str = "insert into proposal_event (proposal_id, step, from_state, to_state, \
    version, app_user_id, reason, detail, occurred_at, created_at, updated_at) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9)";

/// Moves proposal $7 from version $8 on; no row changes if it is no longer at $8.
const UPDATE_STATE: &str = "update proposal set state = $1, version = version + 1, period = $2, \
    late = $3, updated_by = $4, updated_at = $5 where proposal_id = $6 and version = $7";

/// Replaces what proposal $5 proposes, from version $6 on.
const UPDATE_CONTENT: &str = "update proposal set after_value = $1, note = $2, \
    version = version + 1, updated_by = $3, updated_at = $4 where proposal_id = $5 and version = $6";

/// The JSON text of a value, for a text column.
fn json_text(v: &Value) -> String {
    v.to_string()
}

/// The workflow's refusal as a store error; outside the scope is "not found".
fn refused(e: TransitionError) -> StoreError {
    match e {
        TransitionError::OutsideScope => StoreError::NotFound,
        other => StoreError::Transition(other),
    }
}

impl Store {
    /// Drafts a proposal and records its creation, in one transaction.
    ///
    /// The actor must be allowed to propose ([`check_draft`]) in the
    /// proposal's village; a proposal about an existing member must name a
    /// member of that village in `scope` ([`StoreError::NotFound`] otherwise).
    pub async fn create_proposal(
        &self,
        scope: Scope,
        ctx: &StepContext<'_>,
        new: &NewProposal,
    ) -> Result<Proposal, StoreError> {
        let mut tx = Tx::begin(&self.pool).await?;
        match create_in(&mut tx, scope, ctx, new).await {
            Ok(p) => {
                tx.commit().await?;
                Ok(p)
            }
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }

    /// Drafts many proposals in one transaction, all or nothing; the first
    /// that fails is named by its member in [`StoreError::InBulkMember`].
    pub async fn create_proposals(
        &self,
        scope: Scope,
        ctx: &StepContext<'_>,
        news: &[NewProposal],
    ) -> Result<Vec<Proposal>, StoreError> {
        let mut tx = Tx::begin(&self.pool).await?;
        let mut done = Vec::with_capacity(news.len());
        for new in news {
            match create_in(&mut tx, scope, ctx, new).await {
                Ok(p) => done.push(p),
                Err(e) => {
                    tx.rollback().await?;
                    return Err(StoreError::InBulkMember {
                        id_art: new.id_art.clone().unwrap_or_default(),
                        source: Box::new(e),
                    });
                }
            }
        }
        tx.commit().await?;
        Ok(done)
    }

    /// The members in `scope` with an unfinished proposal, and that proposal's number.
    pub async fn open_proposals(
        &self,
        scope: Scope,
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        let (lo, hi) = scope.range();
        let rows: Vec<(String, i64)> = with_pool!(&self.pool, p => sqlx::query_as(OPEN_BY_MEMBER)
            .bind(&lo)
            .bind(&hi)
            .fetch_all(p)
            .await?);
        Ok(rows.into_iter().collect())
    }

    /// One proposal in `scope` ([`StoreError::NotFound`] outside it).
    pub async fn proposal(&self, scope: Scope, proposal_id: i64) -> Result<Proposal, StoreError> {
        let (lo, hi) = scope.range();
        let row: Option<ProposalRow> = with_pool!(&self.pool, p => sqlx::query_as(ONE)
            .bind(proposal_id)
            .bind(&lo)
            .bind(&hi)
            .fetch_optional(p)
            .await?);
        row.ok_or(StoreError::NotFound)?.into_proposal()
    }

    /// The proposals in `scope` that `filter` selects, newest first, at most `limit`.
    pub async fn proposals(
        &self,
        scope: Scope,
        filter: &ProposalFilter,
        limit: u32,
    ) -> Result<Vec<Proposal>, StoreError> {
        let (lo, hi) = scope.range();
        let rows: Vec<ProposalRow> = with_pool!(&self.pool, p => sqlx::query_as(LIST)
            .bind(&lo)
            .bind(&hi)
            .bind(filter.state.map(ProposalState::as_str))
            .bind(&filter.id_art)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?);
        rows.into_iter().map(ProposalRow::into_proposal).collect()
    }

    /// A proposal's timeline in `scope`, oldest first (empty outside the scope).
    pub async fn proposal_events(
        &self,
        scope: Scope,
        proposal_id: i64,
    ) -> Result<Vec<ProposalEvent>, StoreError> {
        let (lo, hi) = scope.range();
        Ok(with_pool!(&self.pool, p => sqlx::query_as(EVENTS)
            .bind(proposal_id)
            .bind(&lo)
            .bind(&hi)
            .fetch_all(p)
            .await?))
    }

    /// Changes what a draft or returned proposal proposes, if it is still at `expected_version`.
    pub async fn edit_proposal(
        &self,
        scope: Scope,
        ctx: &StepContext<'_>,
        proposal_id: i64,
        expected_version: i64,
        after: &Value,
        note: Option<&str>,
    ) -> Result<Proposal, StoreError> {
        let mut tx = Tx::begin(&self.pool).await?;
        let p = fetch_one(&mut tx, scope, proposal_id).await?;
        if p.version != expected_version {
            tx.rollback().await?;
            return Err(StoreError::Stale {
                current_version: p.version,
            });
        }
        if let Err(e) = p.state.check_edit(&ctx.workflow, p.kode_wilayah) {
            tx.rollback().await?;
            return Err(refused(e));
        }
        let checked = check_proposed_values(
            &mut tx,
            p.change,
            p.id_art.as_deref(),
            (p.id_keluarga.as_deref(), p.kode_wilayah),
            after,
            ctx.at.date_naive(),
        )
        .await;
        if let Err(e) = checked {
            tx.rollback().await?;
            return Err(e);
        }
        let after_text = json_text(after);
        let n = on_tx!(&mut tx, c => sqlx::query(UPDATE_CONTENT)
            .bind(&after_text)
            .bind(note)
            .bind(ctx.actor.app_user_id)
            .bind(ctx.at)
            .bind(proposal_id)
            .bind(expected_version)
            .execute(&mut *c)
            .await?
            .rows_affected());
        if n == 0 {
            tx.rollback().await?;
            return Err(self.stale(scope, proposal_id).await);
        }
        insert_event(
            &mut tx,
            proposal_id,
            "edit",
            Some(p.state),
            p.state,
            expected_version + 1,
            ctx,
            note,
            None,
        )
        .await?;
        let entry = NewAuditEntry {
            kode_wilayah: Some(p.kode_wilayah.compact()),
            entity: Some("proposal".into()),
            entity_id: Some(proposal_id.to_string()),
            before_value: Some(json_text(&p.after)),
            after_value: Some(after_text),
            reason: note.map(str::to_string),
            ..NewAuditEntry::by(ctx.actor, ctx.at, "proposal.edit")
        };
        insert_audit(&mut tx, &entry).await?;
        let stored = fetch_one(&mut tx, scope, proposal_id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Takes one workflow step on a proposal that is still at `expected_version`.
    ///
    /// [`StoreError::NotFound`] outside the scope, [`StoreError::Stale`] when
    /// it moved since the caller read it, [`StoreError::Transition`] when the
    /// workflow refuses the step.
    pub async fn take_proposal_step(
        &self,
        scope: Scope,
        ctx: &StepContext<'_>,
        proposal_id: i64,
        expected_version: i64,
        action: &Action,
    ) -> Result<Proposal, StoreError> {
        let mut tx = Tx::begin(&self.pool).await?;
        match step_one(&mut tx, scope, ctx, proposal_id, expected_version, action).await {
            Ok(p) => {
                tx.commit().await?;
                Ok(p)
            }
            Err(e) => {
                tx.rollback().await?;
                Err(match e {
                    StoreError::Stale { .. } => self.stale(scope, proposal_id).await,
                    other => other,
                })
            }
        }
    }

    /// Takes the same step on many proposals, each at the version given, all or nothing.
    ///
    /// Every proposal goes through the same checks as
    /// [`take_proposal_step`](Self::take_proposal_step); the first that fails
    /// rolls everything back and is named in [`StoreError::InBulk`].
    pub async fn take_proposal_steps(
        &self,
        scope: Scope,
        ctx: &StepContext<'_>,
        items: &[(i64, i64)],
        action: &Action,
    ) -> Result<Vec<Proposal>, StoreError> {
        let mut tx = Tx::begin(&self.pool).await?;
        let mut done = Vec::with_capacity(items.len());
        for (id, version) in items {
            match step_one(&mut tx, scope, ctx, *id, *version, action).await {
                Ok(p) => done.push(p),
                Err(e) => {
                    tx.rollback().await?;
                    let e = match e {
                        StoreError::Stale { .. } => self.stale(scope, *id).await,
                        other => other,
                    };
                    return Err(StoreError::InBulk {
                        proposal_id: *id,
                        source: Box::new(e),
                    });
                }
            }
        }
        tx.commit().await?;
        Ok(done)
    }

    /// Attaches evidence to a proposal in `scope` that is not final, and records it.
    ///
    /// `media` is what [`padu_core::check_evidence`] found the content to be;
    /// only the village operator attaches (as only they draft).
    pub async fn add_proposal_attachment(
        &self,
        scope: Scope,
        ctx: &StepContext<'_>,
        proposal_id: i64,
        file: &NewAttachment<'_>,
    ) -> Result<AttachmentInfo, StoreError> {
        let NewAttachment {
            purpose,
            file_name,
            media,
            bytes,
        } = *file;
        let mut tx = Tx::begin(&self.pool).await?;
        let p = fetch_one(&mut tx, scope, proposal_id).await?;
        if let Err(e) = check_draft(&ctx.workflow, p.kode_wilayah) {
            tx.rollback().await?;
            return Err(refused(e));
        }
        if p.state.is_final() {
            tx.rollback().await?;
            return Err(StoreError::Transition(TransitionError::NotEditable {
                state: p.state,
            }));
        }
        let sha = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        let name: String = file_name.chars().take(200).collect();
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(INSERT_ATTACHMENT)
            .bind(proposal_id)
            .bind(purpose.as_str())
            .bind(&name)
            .bind(media.mime())
            .bind(size)
            .bind(&sha)
            .bind(bytes)
            .bind(ctx.actor.app_user_id)
            .bind(ctx.at)
            .fetch_one(&mut *c)
            .await?);
        let detail = format!(
            "attachment={id}; purpose={}; file={name}; type={}; bytes={size}",
            purpose.as_str(),
            media.mime()
        );
        insert_event(
            &mut tx,
            proposal_id,
            "attach",
            Some(p.state),
            p.state,
            p.version,
            ctx,
            None,
            Some(&detail),
        )
        .await?;
        let entry = NewAuditEntry {
            kode_wilayah: Some(p.kode_wilayah.compact()),
            entity: Some("proposal".into()),
            entity_id: Some(proposal_id.to_string()),
            after_value: Some(serde_json::json!({ "sha256": sha, "bytes": size }).to_string()),
            detail: Some(detail),
            ..NewAuditEntry::by(ctx.actor, ctx.at, "proposal.attach")
        };
        insert_audit(&mut tx, &entry).await?;
        tx.commit().await?;
        let all = self.proposal_attachments(scope, proposal_id).await?;
        all.into_iter()
            .find(|a| a.proposal_attachment_id == id)
            .ok_or(StoreError::NotFound)
    }

    /// A proposal's attachments in `scope` (empty outside it), without their content.
    pub async fn proposal_attachments(
        &self,
        scope: Scope,
        proposal_id: i64,
    ) -> Result<Vec<AttachmentInfo>, StoreError> {
        let (lo, hi) = scope.range();
        Ok(with_pool!(&self.pool, p => sqlx::query_as(ATTACHMENTS)
            .bind(proposal_id)
            .bind(&lo)
            .bind(&hi)
            .fetch_all(p)
            .await?))
    }

    /// One attachment with its content; [`StoreError::NotFound`] outside `scope`.
    pub async fn proposal_attachment(
        &self,
        scope: Scope,
        proposal_id: i64,
        attachment_id: i64,
    ) -> Result<(AttachmentInfo, Vec<u8>), StoreError> {
        let info = self
            .proposal_attachments(scope, proposal_id)
            .await?
            .into_iter()
            .find(|a| a.proposal_attachment_id == attachment_id)
            .ok_or(StoreError::NotFound)?;
        let (lo, hi) = scope.range();
        let data: Vec<u8> = with_pool!(&self.pool, p => sqlx::query_scalar(ATTACHMENT_DATA)
            .bind(proposal_id)
            .bind(attachment_id)
            .bind(&lo)
            .bind(&hi)
            .fetch_one(p)
            .await?);
        Ok((info, data))
    }

    /// A member's status in force, if a finalised proposal set one (none: active since import).
    pub async fn member_status(
        &self,
        scope: Scope,
        id_art: &str,
    ) -> Result<Option<MemberStatus>, StoreError> {
        let (lo, hi) = scope.range();
        Ok(with_pool!(&self.pool, p => sqlx::query_as(STATUS_IN_FORCE)
            .bind(id_art)
            .bind(&lo)
            .bind(&hi)
            .fetch_optional(p)
            .await?))
    }

    /// The members in `scope` whose status in force is inactive, with the
    /// deactivation reason's code (for lists that show every member's status).
    pub async fn inactive_members(
        &self,
        scope: Scope,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let (lo, hi) = scope.range();
        let rows: Vec<(String, Option<String>)> = with_pool!(&self.pool, p => sqlx::query_as(INACTIVE_IN)
                .bind(&lo)
                .bind(&hi)
                .fetch_all(p)
                .await?);
        Ok(rows
            .into_iter()
            .map(|(id, r)| (id, r.unwrap_or_default()))
            .collect())
    }

    /// The stale-version error with the version the proposal has now.
    async fn stale(&self, scope: Scope, proposal_id: i64) -> StoreError {
        match self.proposal(scope, proposal_id).await {
            Ok(p) => StoreError::Stale {
                current_version: p.version,
            },
            Err(e) => e,
        }
    }
}

/// Drafts one proposal inside the caller's transaction (see [`Store::create_proposal`]).
async fn create_in(
    tx: &mut Tx,
    scope: Scope,
    ctx: &StepContext<'_>,
    new: &NewProposal,
) -> Result<Proposal, StoreError> {
    if !scope.contains(new.kode_wilayah) {
        return Err(StoreError::NotFound);
    }
    check_draft(&ctx.workflow, new.kode_wilayah).map_err(refused)?;
    let (lo, hi) = scope.range();
    if new.change.kind().needs_member() {
        let Some(id_art) = &new.id_art else {
            return Err(StoreError::NotFound);
        };
        let village: Option<String> = on_tx!(tx, c => sqlx::query_scalar(MEMBER_VILLAGE)
            .bind(id_art)
            .bind(&lo)
            .bind(&hi)
            .fetch_optional(&mut *c)
            .await?);
        if village.as_deref() != Some(new.kode_wilayah.compact().as_str()) {
            return Err(StoreError::NotFound);
        }
    }
    check_proposed_values(
        tx,
        new.change,
        new.id_art.as_deref(),
        (new.id_keluarga.as_deref(), new.kode_wilayah),
        &new.after,
        ctx.at.date_naive(),
    )
    .await?;
    if let Some(id_art) = &new.id_art {
        let open: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(OPEN_FOR_MEMBER)
            .bind(id_art)
            .fetch_optional(&mut *c)
            .await?);
        if let Some(proposal_id) = open {
            return Err(StoreError::Transition(TransitionError::AlreadyProposed {
                proposal_id,
            }));
        }
    }
    let kode = new.kode_wilayah.compact();
    let before = new.before.as_ref().map(json_text);
    let after = json_text(&new.after);
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(INSERT)
        .bind(new.change.kind().as_str())
        .bind(ProposalState::Draft.as_str())
        .bind(&kode)
        .bind(&new.id_art)
        .bind(&new.id_keluarga)
        .bind(new.change.deactivation_reason().map(DeactivationReason::as_str))
        .bind(&before)
        .bind(&after)
        .bind(&new.note)
        .bind(ctx.actor.app_user_id)
        .bind(ctx.at)
        .fetch_one(&mut *c)
        .await?);
    insert_event(
        tx,
        id,
        "create",
        None,
        ProposalState::Draft,
        1,
        ctx,
        new.note.as_deref(),
        None,
    )
    .await?;
    let entry = NewAuditEntry {
        kode_wilayah: Some(kode),
        entity: Some("proposal".into()),
        entity_id: Some(id.to_string()),
        before_value: before,
        after_value: Some(after),
        reason: new.note.clone(),
        detail: Some(format!("kind={}", new.change.kind())),
        ..NewAuditEntry::by(ctx.actor, ctx.at, "proposal.create")
    };
    insert_audit(tx, &entry).await?;
    fetch_one(tx, scope, id).await
}

/// `person` with a correction's or move's proposed values (the `after` object) in place.
///
/// The one check of proposed values: made when a proposal is drafted, when it
/// is edited and when Pusdatin finalises it, so a value that cannot go into
/// the registry is refused as soon as it is written.
fn with_proposed_values(
    person: &RegistryPerson,
    after: &Value,
    today: chrono::NaiveDate,
) -> Result<RegistryPerson, StoreError> {
    let fields: BTreeMap<String, String> = after
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default();
    padu_core::apply_fields(person, &fields, today)
        .map_err(|e| StoreError::Transition(TransitionError::ValueRejected(e)))
}

/// Checks the proposed values of a correction or move about `id_art` against its current record.
async fn check_proposed_values(
    tx: &mut Tx,
    change: Change,
    id_art: Option<&str>,
    household: (Option<&str>, RegionCode),
    after: &Value,
    today: chrono::NaiveDate,
) -> Result<(), StoreError> {
    if let Change::AddMember | Change::AddHousehold = change {
        return addition(tx, change, household.0, household.1, after, today)
            .await
            .map(drop);
    }
    let (Change::CorrectFields | Change::Move, Some(id_art)) = (change, id_art) else {
        return Ok(());
    };
    let row: Option<CurrentPerson> = on_tx!(tx, c => sqlx::query_as(CURRENT_PERSON.as_str())
        .bind(id_art)
        .fetch_optional(&mut *c)
        .await?);
    let current = row.ok_or(StoreError::NotFound)?.person.into_person(today)?;
    with_proposed_values(&current, after, today).map(drop)
}

/// The household an addition joins: its No KK, village and address.
#[derive(sqlx::FromRow)]
struct HouseholdRow {
    no_kk: String,
    kode_wilayah: String,
    alamat: Option<String>,
    rt: Option<String>,
    rw: Option<String>,
}

const HOUSEHOLD: &str =
    "select no_kk, kode_wilayah, alamat, rt, rw from household where id_keluarga = $1";

/// The fields an addition must give.
const ADDITION_REQUIRED: [&str; 3] = ["nama", "jenis_kelamin", "tgl_lahir"];

/// The record an addition proposes: for a new member, the household's No KK,
/// address and village with the proposed values over them; for a new
/// household, the proposed values alone (its head). Checked the way a
/// correction is (`apply_fields`), and the household must lie in the
/// proposal's village.
async fn addition(
    tx: &mut Tx,
    change: Change,
    id_keluarga: Option<&str>,
    village: RegionCode,
    after: &Value,
    today: chrono::NaiveDate,
) -> Result<RegistryPerson, StoreError> {
    let rejected = |field: &str, id: &str, en: &str| {
        StoreError::Transition(TransitionError::ValueRejected(padu_core::FieldValueError {
            field: field.to_string(),
            message: id.to_string(),
            message_en: en.to_string(),
        }))
    };
    let given = after.as_object();
    for field in ADDITION_REQUIRED {
        let present = given
            .and_then(|o| o.get(field))
            .and_then(Value::as_str)
            .is_some_and(|v| !v.trim().is_empty());
        if !present {
            return Err(rejected(
                field,
                "wajib diisi untuk anggota baru",
                "is required for a new member",
            ));
        }
    }
    let mut base = RegistryPerson {
        id_art: Text::default(),
        id_keluarga: None,
        no_kk: padu_core::IdField::Missing,
        nik: padu_core::IdField::Missing,
        nama: Text::default(),
        jenis_kelamin: padu_core::Sex::L,
        tempat_lahir: None,
        tgl_lahir: today,
        hubungan_keluarga: None,
        nama_ibu_kandung: None,
        alamat: None,
        rt: None,
        rw: None,
        kode_wilayah: village,
        extra: Vec::new(),
    };
    match (change, id_keluarga) {
        (Change::AddMember, Some(k)) => {
            let h: Option<HouseholdRow> = on_tx!(tx, c => sqlx::query_as(HOUSEHOLD)
                .bind(k)
                .fetch_optional(&mut *c)
                .await?);
            let h = h
                .filter(|h| h.kode_wilayah == village.compact())
                .ok_or(StoreError::NotFound)?;
            base.id_keluarga = Some(k.into());
            base.no_kk = padu_core::IdField::parse_kk(&h.no_kk);
            base.alamat = h.alamat.map(Text::from);
            base.rt = h.rt.map(Text::from);
            base.rw = h.rw.map(Text::from);
        }
        (Change::AddMember, None) => return Err(StoreError::NotFound),
        (Change::AddHousehold, _) => {
            base.hubungan_keluarga = Some(padu_core::Relation::Kepala);
        }
        _ => {}
    }
    let p = with_proposed_values(&base, after, today)?;
    if p.kode_wilayah != village {
        return Err(rejected(
            "kode_wilayah",
            "anggota baru diusulkan di desa/kelurahan usulan ini",
            "a new member is proposed in the proposal's village",
        ));
    }
    Ok(p)
}

/// A new member's `id_art`, a new household's `id_keluarga`: from the proposal's number.
fn new_ids(proposal_id: i64) -> (String, String) {
    (
        format!("ARTU{proposal_id:09}"),
        format!("KELU{proposal_id:09}"),
    )
}

/// Inserts a person as version 1, valid from $1, written by $2 for reason $3.
static INSERT_PERSON: LazyLock<[String; 2]> = LazyLock::new(|| {
    let cols = crate::columns::columns::<PersonRow>();
    let names = list::<PersonRow>("");
    let scalars: Vec<String> = (0..cols.len()).map(|i| format!("${}", i + 4)).collect();
    let arrays: Vec<String> = cols
        .iter()
        .zip(4..)
        .map(|(c, i)| format!("${i}::{}", c.sql.postgres_array()))
        .collect();
    let tail = "1, $1, $2, $3, $1, $1";
    let head = format!(
        "insert into person ({names}, version, valid_from, changed_by_app_user_id, change_reason, \
         created_at, updated_at)"
    );
    [
        format!("{head} values ({}, {tail})", scalars.join(", ")),
        format!(
            "{head} select u.*, {tail} from unnest({}) as u",
            arrays.join(", ")
        ),
    ]
});

const INSERT_HOUSEHOLD: &str = "insert into household (id_keluarga, no_kk, kode_wilayah, alamat, \
    rt, rw, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7)";

/// Puts a finalised addition into the registry: the new household (for a
/// new household) and the new member, version 1 from now.
async fn insert_addition(
    tx: &mut Tx,
    p: &Proposal,
    ctx: &StepContext<'_>,
) -> Result<String, StoreError> {
    let today = ctx.at.date_naive();
    let mut person = addition(
        tx,
        p.change,
        p.id_keluarga.as_deref(),
        p.kode_wilayah,
        &p.after,
        today,
    )
    .await?;
    let (id_art, new_household) = new_ids(p.proposal_id);
    person.id_art = id_art.as_str().into();
    if p.change == Change::AddHousehold {
        person.id_keluarga = Some(new_household.as_str().into());
        on_tx!(tx, c => sqlx::query(INSERT_HOUSEHOLD)
            .bind(&new_household)
            .bind(person.no_kk.to_cell())
            .bind(person.kode_wilayah.compact())
            .bind(person.alamat.as_deref())
            .bind(person.rt.as_deref())
            .bind(person.rw.as_deref())
            .bind(ctx.at)
            .execute(&mut *c)
            .await
            .map(drop)?);
    }
    let reason = format!("usulan #{}", p.proposal_id);
    let row = PersonRow::from_person(&person);
    match &mut tx.conn {
        crate::tx::Conn::Sqlite(t) => {
            let q = sqlx::query(INSERT_PERSON[0].as_str())
                .bind(ctx.at)
                .bind(ctx.actor.app_user_id)
                .bind(&reason);
            row.bind_row(q).execute(&mut **t).await?;
        }
        crate::tx::Conn::Postgres(t) => {
            let q = sqlx::query(INSERT_PERSON[1].as_str())
                .bind(ctx.at)
                .bind(ctx.actor.app_user_id)
                .bind(&reason);
            PersonRow::bind_arrays(vec![row], q)
                .execute(&mut **t)
                .await?;
        }
    }
    let entry = NewAuditEntry {
        kode_wilayah: Some(person.kode_wilayah.compact()),
        entity: Some("person".into()),
        entity_id: Some(id_art.clone()),
        after_value: Some(person_json(&person)),
        reason: Some(reason),
        detail: Some(format!("proposal_id={}", p.proposal_id)),
        ..NewAuditEntry::by(ctx.actor, ctx.at, "member.create")
    };
    insert_audit(tx, &entry).await?;
    Ok(match p.change {
        Change::AddHousehold => format!("new household {new_household}, member {id_art}"),
        _ => format!("new member {id_art}"),
    })
}

#[derive(sqlx::FromRow)]
struct CurrentPerson {
    person_id: i64,
    version: i64,
    #[sqlx(flatten)]
    person: PersonRow,
}

/// Puts a finalised proposal into the registry, inside the step's transaction:
/// a correction or a move becomes the member's next version (the previous one
/// goes to the history, valid until now); a deactivation or reactivation
/// closes the member's status range in force and opens the next. Returns a
/// line for the timeline.
async fn apply_change(
    tx: &mut Tx,
    p: &Proposal,
    ctx: &StepContext<'_>,
) -> Result<String, StoreError> {
    if let Change::AddMember | Change::AddHousehold = p.change {
        return insert_addition(tx, p, ctx).await;
    }
    let Some(id_art) = &p.id_art else {
        return Err(StoreError::NotFound);
    };
    let row: Option<CurrentPerson> = on_tx!(tx, c => sqlx::query_as(CURRENT_PERSON.as_str())
        .bind(id_art)
        .fetch_optional(&mut *c)
        .await?);
    let current = row.ok_or(StoreError::NotFound)?;
    let today = ctx.at.date_naive();
    let reason = format!("usulan #{}", p.proposal_id);
    match p.change {
        Change::CorrectFields | Change::Move => {
            let before = current.person.into_person(today)?;
            let after = with_proposed_values(&before, &p.after, today)?;
            let written = write_version(
                tx,
                current.person_id,
                current.version,
                &after,
                ctx.actor.app_user_id,
                &reason,
                ctx.at,
            )
            .await?;
            if !written {
                return Err(StoreError::Stale {
                    current_version: current.version,
                });
            }
            let entry = NewAuditEntry {
                kode_wilayah: Some(after.kode_wilayah.compact()),
                entity: Some("person".into()),
                entity_id: Some(id_art.clone()),
                before_value: Some(person_json(&before)),
                after_value: Some(person_json(&after)),
                reason: Some(reason),
                detail: Some(format!("proposal_id={}", p.proposal_id)),
                ..NewAuditEntry::by(ctx.actor, ctx.at, "member.update")
            };
            insert_audit(tx, &entry).await?;
            // A move leaves the old village's counts too.
            tx.touch(&before.kode_wilayah.compact(), ctx.at);
            Ok(format!("registry version {}", current.version + 1))
        }
        Change::Deactivate(_) | Change::Reactivate => {
            let active = matches!(p.change, Change::Reactivate);
            on_tx!(tx, c => sqlx::query(CLOSE_STATUS)
                .bind(ctx.at)
                .bind(current.person_id)
                .execute(&mut *c)
                .await
                .map(drop)?);
            on_tx!(tx, c => sqlx::query(INSERT_STATUS)
                .bind(current.person_id)
                .bind(i64::from(active))
                .bind(p.change.deactivation_reason().map(DeactivationReason::as_str))
                .bind(p.proposal_id)
                .bind(ctx.at)
                .execute(&mut *c)
                .await
                .map(drop)?);
            Ok(if active {
                "member active".into()
            } else {
                "member inactive".into()
            })
        }
        Change::AddMember | Change::AddHousehold => unreachable!("additions return above"),
    }
}

/// Reads one proposal inside a transaction.
async fn fetch_one(tx: &mut Tx, scope: Scope, proposal_id: i64) -> Result<Proposal, StoreError> {
    let (lo, hi) = scope.range();
    let row: Option<ProposalRow> = on_tx!(tx, c => sqlx::query_as(ONE)
        .bind(proposal_id)
        .bind(&lo)
        .bind(&hi)
        .fetch_optional(&mut *c)
        .await?);
    row.ok_or(StoreError::NotFound)?.into_proposal()
}

/// Checks and writes one step inside the caller's transaction.
async fn step_one(
    tx: &mut Tx,
    scope: Scope,
    ctx: &StepContext<'_>,
    proposal_id: i64,
    expected_version: i64,
    action: &Action,
) -> Result<Proposal, StoreError> {
    let p = fetch_one(tx, scope, proposal_id).await?;
    if p.version != expected_version {
        return Err(StoreError::Stale {
            current_version: p.version,
        });
    }
    // Whether the signed scan is attached is a fact of the database, not the caller's word.
    let checked;
    let action = match action {
        Action::Ratify(doc) => {
            let scans: i64 = on_tx!(tx, c => sqlx::query_scalar(HAS_SCAN)
                .bind(proposal_id)
                .fetch_one(&mut *c)
                .await?);
            checked = Action::Ratify(Ratification {
                kind: doc.kind,
                signed_scan_attached: scans > 0,
            });
            &checked
        }
        other => other,
    };
    let next = p
        .state
        .apply(action, &ctx.workflow, p.kode_wilayah)
        .map_err(refused)?;
    let (period, late, detail) = match action {
        Action::Send => {
            let zone = ctx.zones.zone(p.kode_wilayah).ok_or_else(|| {
                StoreError::decode("proposal", "kode_wilayah", "no time zone for the region")
            })?;
            let period = ctx.cut_off.period_of(ctx.at, zone);
            let late = ctx.cut_off.missed(ctx.at, zone);
            let detail = format!("period={period}; zone={}; late={late}", zone.as_str());
            (Some(period), late, Some(detail))
        }
        Action::Finalise(into) => {
            check_finalise(p.period, *into).map_err(refused)?;
            if crate::periods::is_finalised(tx, *into).await? {
                return Err(StoreError::Transition(TransitionError::PeriodClosed {
                    period: *into,
                }));
            }
            let applied = apply_change(tx, &p, ctx).await?;
            (
                Some(*into),
                p.late,
                Some(format!("period={into}; {applied}")),
            )
        }
        Action::Ratify(doc) => (
            p.period,
            p.late,
            Some(format!(
                "document={}",
                serde_json::to_value(doc.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            )),
        ),
        _ => (p.period, p.late, None),
    };
    let reason = match action {
        Action::Return(r) | Action::Reject(r) => Some(r.as_str()),
        _ => None,
    };
    let n = on_tx!(tx, c => sqlx::query(UPDATE_STATE)
        .bind(next.as_str())
        .bind(period.map(|p| p.to_string()))
        .bind(i64::from(late))
        .bind(ctx.actor.app_user_id)
        .bind(ctx.at)
        .bind(proposal_id)
        .bind(expected_version)
        .execute(&mut *c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(StoreError::Stale {
            current_version: expected_version + 1,
        });
    }
    let step: Step = action.step();
    insert_event(
        tx,
        proposal_id,
        step.as_str(),
        Some(p.state),
        next,
        expected_version + 1,
        ctx,
        reason,
        detail.as_deref(),
    )
    .await?;
    let entry = NewAuditEntry {
        kode_wilayah: Some(p.kode_wilayah.compact()),
        entity: Some("proposal".into()),
        entity_id: Some(proposal_id.to_string()),
        before_value: Some(serde_json::json!({ "state": p.state.as_str() }).to_string()),
        after_value: Some(serde_json::json!({ "state": next.as_str() }).to_string()),
        reason: reason.map(str::to_string),
        detail: detail.clone(),
        ..NewAuditEntry::by(ctx.actor, ctx.at, &format!("proposal.{}", step.as_str()))
    };
    insert_audit(tx, &entry).await?;
    fetch_one(tx, scope, proposal_id).await
}

/// Appends one timeline event.
#[expect(
    clippy::too_many_arguments,
    reason = "one column each; called from three places"
)]
async fn insert_event(
    tx: &mut Tx,
    proposal_id: i64,
    step: &str,
    from: Option<ProposalState>,
    to: ProposalState,
    version: i64,
    ctx: &StepContext<'_>,
    reason: Option<&str>,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    on_tx!(tx, c => sqlx::query(INSERT_EVENT)
        .bind(proposal_id)
        .bind(step)
        .bind(from.map(ProposalState::as_str))
        .bind(to.as_str())
        .bind(version)
        .bind(ctx.actor.app_user_id)
        .bind(reason)
        .bind(detail)
        .bind(ctx.at)
        .execute(&mut *c)
        .await
        .map(drop)?);
    Ok(())
}
