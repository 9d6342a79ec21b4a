//! The store as a handler sees it: every read and write narrowed to the signed-in user's region.
//!
//! A [`ScopedStore`] is made only by [`Ctx`](super::Ctx) from the session's
//! account (its constructor is private to `auth`), and it has no method that
//! takes a scope: the scope is its own. Records outside it are "not found".

use padu_core::{RegionCode, RegistryPerson, VerificationRow};

use crate::comment::CommentBody;
use padu_core::proposal::Action as StepAction;
use padu_store::{
    Actor, ApiToken, AuditEntry, AuditFilter, FindingCounts, HistoryEntry, Household,
    HouseholdComment, MemberCursor, MemberDetail, MemberFilter, MemberSummary, NameHit,
    NewAuditEntry, NewUser, Scope, Stats, Store, StoreError, User,
};
use padu_store::{
    AttachmentInfo, NewAttachment, NewProposal, Proposal, ProposalEvent, ProposalFilter,
    StepContext,
};

/// The store, narrowed to one user's region.
#[derive(Clone)]
pub struct ScopedStore {
    store: Store,
    scope: Scope,
    app_user_id: i64,
}

impl ScopedStore {
    pub(super) fn new(store: Store, user: &User) -> ScopedStore {
        ScopedStore {
            store,
            scope: user.scope,
            app_user_id: user.app_user_id,
        }
    }

    /// The region this handle sees.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Whether a region lies inside the scope.
    pub fn covers(&self, code: RegionCode) -> bool {
        self.scope.contains(code)
    }

    /// The same handle narrowed to a region inside the scope; a region
    /// outside it is "not found" (it can only narrow, never widen).
    pub fn narrowed(&self, region: RegionCode) -> Result<ScopedStore, StoreError> {
        if !self.scope.contains(region) {
            return Err(StoreError::NotFound);
        }
        Ok(ScopedStore {
            store: self.store.clone(),
            scope: Scope::Region(region),
            app_user_id: self.app_user_id,
        })
    }

    /// A page of members (see [`Store::members`]).
    pub async fn members(
        &self,
        filter: &MemberFilter,
        after: Option<&MemberCursor>,
        limit: u32,
    ) -> Result<Vec<MemberSummary>, StoreError> {
        self.store.members(self.scope, filter, after, limit).await
    }

    /// One member.
    pub async fn member(&self, id_art: &str) -> Result<MemberDetail, StoreError> {
        self.store.member(self.scope, id_art).await
    }

    /// One household with its members.
    pub async fn household(&self, id_keluarga: &str) -> Result<Household, StoreError> {
        self.store.household(self.scope, id_keluarga).await
    }

    /// Every version of a member.
    pub async fn history(&self, id_art: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        self.store.person_history(self.scope, id_art).await
    }

    /// Drafts a proposal (see [`Store::create_proposal`]).
    pub async fn create_proposal(
        &self,
        ctx: &StepContext<'_>,
        new: &NewProposal,
    ) -> Result<Proposal, StoreError> {
        self.store.create_proposal(self.scope, ctx, new).await
    }

    /// Drafts many proposals, all or nothing (see [`Store::create_proposals`]).
    pub async fn create_proposals(
        &self,
        ctx: &StepContext<'_>,
        news: &[NewProposal],
    ) -> Result<Vec<Proposal>, StoreError> {
        self.store.create_proposals(self.scope, ctx, news).await
    }

    /// The members with an unfinished proposal, and its number.
    pub async fn open_proposals(
        &self,
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        self.store.open_proposals(self.scope).await
    }

    /// The inactive members and their deactivation reasons.
    pub async fn inactive_members(
        &self,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        self.store.inactive_members(self.scope).await
    }

    /// A member's status set by a finalised proposal, if any.
    pub async fn member_status(
        &self,
        id_art: &str,
    ) -> Result<Option<padu_store::MemberStatus>, StoreError> {
        self.store.member_status(self.scope, id_art).await
    }

    /// The finalised periods (the list is national; what they hold is read scoped).
    pub async fn periods(&self) -> Result<Vec<padu_store::FinalisedPeriod>, StoreError> {
        self.store.periods().await
    }

    /// What changed in the scope between two finalised periods.
    pub async fn period_diff(
        &self,
        from: padu_core::Period,
        to: padu_core::Period,
    ) -> Result<Vec<padu_store::DiffLine>, StoreError> {
        self.store.period_diff(self.scope, from, to).await
    }

    /// The scope's registry as of a finalised period, row by row.
    pub async fn export_period<F, E>(&self, period: padu_core::Period, sink: F) -> Result<u64, E>
    where
        F: FnMut(padu_store::SnapshotRow) -> Result<(), E>,
        E: From<StoreError>,
    {
        self.store.export_period(self.scope, period, sink).await
    }

    /// The operators this user may call (see [`Store::directory`]).
    pub async fn directory(&self) -> Result<Vec<padu_store::DirectoryEntry>, StoreError> {
        self.store.directory(self.scope).await
    }

    /// Sets an account's phone and working hours (an admin's job).
    pub async fn set_user_contact(
        &self,
        app_user_id: i64,
        phone: Option<&str>,
        working_hours: Option<&str>,
    ) -> Result<(), StoreError> {
        self.store
            .set_user_contact(self.scope, app_user_id, phone, working_hours)
            .await
    }

    /// An account's working hours.
    pub async fn working_hours(&self, app_user_id: i64) -> Result<Option<String>, StoreError> {
        self.store.working_hours(self.scope, app_user_id).await
    }

    /// One proposal.
    pub async fn proposal(&self, proposal_id: i64) -> Result<Proposal, StoreError> {
        self.store.proposal(self.scope, proposal_id).await
    }

    /// Proposals, newest first.
    pub async fn proposals(
        &self,
        filter: &ProposalFilter,
        limit: u32,
    ) -> Result<Vec<Proposal>, StoreError> {
        self.store.proposals(self.scope, filter, limit).await
    }

    /// A proposal's timeline.
    pub async fn proposal_events(
        &self,
        proposal_id: i64,
    ) -> Result<Vec<ProposalEvent>, StoreError> {
        self.store.proposal_events(self.scope, proposal_id).await
    }

    /// Changes a draft or returned proposal (see [`Store::edit_proposal`]).
    pub async fn edit_proposal(
        &self,
        ctx: &StepContext<'_>,
        proposal_id: i64,
        expected_version: i64,
        after: &serde_json::Value,
        note: Option<&str>,
    ) -> Result<Proposal, StoreError> {
        self.store
            .edit_proposal(self.scope, ctx, proposal_id, expected_version, after, note)
            .await
    }

    /// Takes one workflow step (see [`Store::take_proposal_step`]).
    pub async fn take_proposal_step(
        &self,
        ctx: &StepContext<'_>,
        proposal_id: i64,
        expected_version: i64,
        action: &StepAction,
    ) -> Result<Proposal, StoreError> {
        self.store
            .take_proposal_step(self.scope, ctx, proposal_id, expected_version, action)
            .await
    }

    /// Takes one step on many proposals, all or nothing.
    pub async fn take_proposal_steps(
        &self,
        ctx: &StepContext<'_>,
        items: &[(i64, i64)],
        action: &StepAction,
    ) -> Result<Vec<Proposal>, StoreError> {
        self.store
            .take_proposal_steps(self.scope, ctx, items, action)
            .await
    }

    /// Attaches evidence to a proposal.
    pub async fn add_proposal_attachment(
        &self,
        ctx: &StepContext<'_>,
        proposal_id: i64,
        file: &NewAttachment<'_>,
    ) -> Result<AttachmentInfo, StoreError> {
        self.store
            .add_proposal_attachment(self.scope, ctx, proposal_id, file)
            .await
    }

    /// A proposal's attachments (without content).
    pub async fn proposal_attachments(
        &self,
        proposal_id: i64,
    ) -> Result<Vec<AttachmentInfo>, StoreError> {
        self.store
            .proposal_attachments(self.scope, proposal_id)
            .await
    }

    /// One attachment with its content.
    pub async fn proposal_attachment(
        &self,
        proposal_id: i64,
        attachment_id: i64,
    ) -> Result<(AttachmentInfo, Vec<u8>), StoreError> {
        self.store
            .proposal_attachment(self.scope, proposal_id, attachment_id)
            .await
    }

    /// Saves a correction (see [`Store::update_member`]).
    pub async fn update_member(
        &self,
        expected_version: i64,
        person: &RegistryPerson,
        actor: &Actor,
        reason: &str,
        recheck: Option<&VerificationRow>,
    ) -> Result<MemberDetail, StoreError> {
        self.store
            .update_member(self.scope, expected_version, person, actor, reason, recheck)
            .await
    }

    /// The comments on a household in the scope.
    pub async fn household_comments(
        &self,
        id_keluarga: &str,
    ) -> Result<Vec<HouseholdComment>, StoreError> {
        self.store.household_comments(self.scope, id_keluarga).await
    }

    /// Adds a comment to a household in the scope (see [`Store::add_household_comment`]).
    pub async fn add_household_comment(
        &self,
        id_keluarga: &str,
        actor: &Actor,
        body: &CommentBody,
    ) -> Result<HouseholdComment, StoreError> {
        self.store
            .add_household_comment(self.scope, id_keluarga, actor, body.as_str())
            .await
    }

    /// Counts of the latest findings, in the whole scope or a region inside it.
    pub async fn finding_counts(
        &self,
        region: Option<RegionCode>,
    ) -> Result<FindingCounts, StoreError> {
        self.store.finding_counts(self.narrow(region)?).await
    }

    /// Records minutes with the proposals they ratify (see [`Store::create_ratification`]).
    pub async fn create_ratification(
        &self,
        actor: &Actor,
        at: chrono::DateTime<chrono::Utc>,
        new: &padu_store::NewRatification,
    ) -> Result<padu_store::RatificationRecord, StoreError> {
        self.store
            .create_ratification(self.scope, actor, at, new)
            .await
    }

    /// The minutes of the villages in view, newest first.
    pub async fn ratifications(
        &self,
        limit: u32,
    ) -> Result<Vec<padu_store::RatificationRecord>, StoreError> {
        self.store.ratifications(self.scope, limit).await
    }

    /// One set of minutes in view.
    pub async fn ratification(
        &self,
        ratification_id: i64,
    ) -> Result<padu_store::RatificationRecord, StoreError> {
        self.store.ratification(self.scope, ratification_id).await
    }

    /// Stores the signed scan of minutes in view.
    pub async fn attach_ratification_scan(
        &self,
        actor: &Actor,
        at: chrono::DateTime<chrono::Utc>,
        ratification_id: i64,
        scan: &padu_store::ScanFile<'_>,
    ) -> Result<padu_store::RatificationRecord, StoreError> {
        self.store
            .attach_ratification_scan(self.scope, actor, at, ratification_id, scan)
            .await
    }

    /// The signed scan of minutes in view: name, media type, bytes.
    pub async fn ratification_scan(
        &self,
        ratification_id: i64,
    ) -> Result<(String, String, Vec<u8>), StoreError> {
        self.store
            .ratification_scan(self.scope, ratification_id)
            .await
    }

    /// Writes a letter from the office of the scope's regency (see [`Store::create_letter`]).
    pub async fn create_letter(
        &self,
        actor: &Actor,
        at: chrono::DateTime<chrono::Utc>,
        new: &padu_store::NewLetter,
    ) -> Result<padu_store::Letter, StoreError> {
        self.store.create_letter(self.scope, actor, at, new).await
    }

    /// The letters issued in the scope or addressed to a village in it, newest first.
    pub async fn letters(&self, limit: u32) -> Result<Vec<padu_store::Letter>, StoreError> {
        self.store.letters(self.scope, limit).await
    }

    /// One letter in view.
    pub async fn letter(&self, letter_id: i64) -> Result<padu_store::Letter, StoreError> {
        self.store.letter(self.scope, letter_id).await
    }

    /// The progress of a letter's recipients in view, as of `min(now, deadline)`.
    pub async fn letter_progress(
        &self,
        letter: &padu_store::Letter,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<padu_store::RecipientProgress>, StoreError> {
        self.store.letter_progress(self.scope, letter, now).await
    }

    /// The records a letter attached for a village in view.
    pub async fn letter_items(
        &self,
        letter: &padu_store::Letter,
        village: RegionCode,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<padu_store::LetterItem>, StoreError> {
        self.store
            .letter_items(self.scope, letter, village, now)
            .await
    }

    /// The kept progress counts of the scope, or of a region inside it.
    pub async fn progress(
        &self,
        region: Option<RegionCode>,
    ) -> Result<padu_store::ProgressCounts, StoreError> {
        self.store.progress(self.scope, self.narrow(region)?).await
    }

    /// The regions a dashboard ranks below the scope (or a region inside it), with their counts.
    pub async fn progress_children(
        &self,
        region: Option<RegionCode>,
    ) -> Result<Vec<padu_store::RegionProgress>, StoreError> {
        self.store
            .progress_children(self.scope, self.narrow(region)?)
            .await
    }

    /// The daily progress history of the scope (or a region inside it) since `since`.
    pub async fn progress_history(
        &self,
        region: Option<RegionCode>,
        since: chrono::NaiveDate,
    ) -> Result<Vec<padu_store::ProgressDay>, StoreError> {
        self.store
            .progress_history(self.scope, self.narrow(region)?, since)
            .await
    }

    /// People and households per region below the scope, or below a region inside it.
    pub async fn stats(&self, region: Option<RegionCode>) -> Result<Stats, StoreError> {
        self.store.stats(self.narrow(region)?).await
    }

    /// People within the scope (or a region inside it) whose normalised name is exactly `name_key`.
    pub async fn search_exact_name(
        &self,
        region: Option<RegionCode>,
        name_key: &str,
        limit: u32,
    ) -> Result<Vec<NameHit>, StoreError> {
        self.store
            .search_exact_name(self.scope, region, name_key, limit)
            .await
    }

    /// Name search within the scope (or a region inside it).
    pub async fn search_names(
        &self,
        region: Option<RegionCode>,
        tokens: &[String],
        limit: u32,
    ) -> Result<Vec<NameHit>, StoreError> {
        self.store
            .search_names(self.scope, region, tokens, limit)
            .await
    }

    /// Audit entries about the scope.
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.store.audit_entries(self.scope, filter, limit).await
    }

    /// Audit entries about a region inside the scope (the whole scope when `None`).
    pub async fn audit_entries_in(
        &self,
        region: Option<RegionCode>,
        filter: &AuditFilter,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let scope = self.narrow(region)?;
        self.store.audit_entries(scope, filter, limit).await
    }

    /// The audit entries about one member (its edits in Padu), newest first.
    pub async fn changes_of(
        &self,
        id_art: &str,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let filter = AuditFilter {
            entity: Some(("person".into(), id_art.to_string())),
            ..AuditFilter::default()
        };
        self.audit_entries(&filter, limit).await
    }

    /// Appends an audit entry; its region must lie in the scope (or be the user's own, national).
    pub async fn audit(&self, entry: &NewAuditEntry) -> Result<(), StoreError> {
        self.store.append_audit(entry).await
    }

    /// The accounts of the scope.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        self.store.users(self.scope).await
    }

    /// One account of the scope.
    pub async fn user(&self, app_user_id: i64) -> Result<User, StoreError> {
        self.store.user(self.scope, app_user_id).await
    }

    /// Creates an account inside the scope.
    pub async fn create_user(&self, new: &NewUser) -> Result<User, StoreError> {
        self.store.create_user(self.scope, new).await
    }

    /// Disables or re-enables an account of the scope (never one's own).
    pub async fn set_user_disabled(
        &self,
        app_user_id: i64,
        disabled: bool,
    ) -> Result<(), StoreError> {
        if app_user_id == self.app_user_id {
            return Err(StoreError::OutOfScope);
        }
        self.store
            .set_user_disabled(self.scope, app_user_id, disabled)
            .await
    }

    /// Sets an account's password hash (an admin's reset: it must be changed at next sign-in).
    pub async fn reset_password(
        &self,
        app_user_id: i64,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        self.store
            .set_password(self.scope, app_user_id, password_hash, true, None)
            .await
    }

    /// Changes the signed-in user's own password, keeping the current session.
    pub async fn change_own_password(
        &self,
        password_hash: &str,
        keep_session: Option<i64>,
    ) -> Result<(), StoreError> {
        self.store
            .set_password(
                self.scope,
                self.app_user_id,
                password_hash,
                false,
                keep_session,
            )
            .await
    }

    /// Sets the signed-in user's page language.
    pub async fn set_own_lang(&self, lang: padu_core::Lang) -> Result<(), StoreError> {
        self.store.set_user_lang(self.app_user_id, lang).await
    }

    /// Issues an API token for an account of the scope.
    pub async fn create_api_token(
        &self,
        app_user_id: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiToken, StoreError> {
        self.store
            .create_api_token(
                self.scope,
                app_user_id,
                name,
                token_hash,
                Some(self.app_user_id),
            )
            .await
    }

    /// The API tokens of an account of the scope.
    pub async fn api_tokens(&self, app_user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        self.store.api_tokens(self.scope, app_user_id).await
    }

    /// Revokes an API token of an account of the scope.
    pub async fn revoke_api_token(
        &self,
        app_user_id: i64,
        api_token_id: i64,
    ) -> Result<(), StoreError> {
        self.store
            .revoke_api_token(self.scope, app_user_id, api_token_id)
            .await
    }

    /// The scope itself, or a region inside it; a region outside is not found.
    fn narrow(&self, region: Option<RegionCode>) -> Result<Scope, StoreError> {
        match region {
            None => Ok(self.scope),
            Some(r) if self.scope.contains(r) => Ok(Scope::Region(r)),
            Some(_) => Err(StoreError::NotFound),
        }
    }
}
