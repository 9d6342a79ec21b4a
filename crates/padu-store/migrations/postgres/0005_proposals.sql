-- Proposals (usulan), PostgreSQL dialect: a correction's before and after values, its state in the
-- workflow with a version for optimistic locking, and the timeline of every step taken.
-- Rows are never deleted: a rejected proposal and its events stay as the record of what happened.

create table proposal (
    proposal_id bigint generated always as identity primary key,
    -- ProposalKind code, e.g. UBAH_DATA, NONAKTIF.
    kind text not null,
    -- ProposalState code; changed only through ProposalState::apply (padu-store proposals.rs).
    state text not null,
    -- Incremented by every change; a step names the version it saw (optimistic locking).
    version bigint not null default 1,
    -- The compact 10-digit village code the proposal is about: the scope of every read.
    kode_wilayah text collate "C" not null,
    -- The member concerned; null when the proposal adds a member or a household.
    id_art text collate "C",
    id_keluarga text collate "C",
    -- DeactivationReason code, for kind NONAKTIF.
    deactivation_reason text,
    -- JSON objects of the fields before and after, as the village operator proposed them.
    before_value text,
    after_value text not null,
    -- The operator's explanation of the correction.
    note text,
    -- YYYY-MM: the period the proposal belongs to once sent to Pusdatin, then the one it was fixed in.
    period text,
    -- 1 when it reached Pusdatin after its region's cut-off, so it fell into the next period.
    late bigint not null default 0,
    created_by bigint not null references app_user (app_user_id),
    updated_by bigint not null references app_user (app_user_id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index proposal_kode_wilayah_idx on proposal (kode_wilayah, state);
create index proposal_id_art_idx on proposal (id_art);

create table proposal_event (
    proposal_event_id bigint generated always as identity primary key,
    proposal_id bigint not null references proposal (proposal_id),
    -- Step code (SUBMIT, RATIFY, ...), or CREATE and EDIT for the village's own changes.
    step text not null,
    from_state text,
    to_state text not null,
    -- The proposal's version after this event.
    version bigint not null,
    app_user_id bigint not null references app_user (app_user_id),
    -- The reason of a return or rejection, or the note of an edit.
    reason text,
    -- What else the step carried, e.g. the ratification document kind or the period.
    detail text,
    occurred_at timestamptz not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index proposal_event_proposal_idx on proposal_event (proposal_id, proposal_event_id);

-- Evidence for a proposal: the signed scan of the minutes or SPTJM, photos. Kept in the
-- database so a backup holds it and scope checks cover it; never served outside the scope.
create table proposal_attachment (
    proposal_attachment_id bigint generated always as identity primary key,
    proposal_id bigint not null references proposal (proposal_id),
    -- PINDAIAN_PENGESAHAN (the signed minutes or SPTJM) or BUKTI (any other evidence).
    purpose text not null,
    -- The name the uploader's file had; shown, never used as a path.
    file_name text not null,
    -- Decided from the content, not the name: application/pdf, image/jpeg or image/png.
    media_type text not null,
    size_bytes bigint not null,
    sha256 text not null,
    data bytea not null,
    uploaded_by bigint not null references app_user (app_user_id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index proposal_attachment_proposal_idx on proposal_attachment (proposal_id);

-- Whether a member is active, as validity ranges: a finalised deactivation or reactivation
-- closes the range in force (valid_to) and opens the next. No row means active since import.
create table person_status (
    person_status_id bigint generated always as identity primary key,
    person_id bigint not null references person (person_id),
    active bigint not null,
    -- DeactivationReason code when inactive.
    deactivation_reason text,
    -- The finalised proposal that changed it.
    proposal_id bigint references proposal (proposal_id),
    valid_from timestamptz not null,
    -- Null while in force.
    valid_to timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index person_status_person_idx on person_status (person_id, valid_from);

-- Finalised monthly periods. The registry "as of" a period is every record version valid at
-- finalised_at (person and person_history are validity ranges), so a period costs one row here,
-- not a copy of the registry.
create table period (
    -- YYYY-MM.
    period text collate "C" primary key,
    finalised_at timestamptz not null,
    finalised_by bigint not null references app_user (app_user_id),
    -- Active members in the registry as of the period, counted when it was finalised.
    people bigint not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index person_valid_from_idx on person (valid_from);
create index person_history_valid_idx on person_history (valid_from, valid_to);

-- When an operator can be reached, shown in the operator directory beside the phone number.
alter table app_user add column working_hours text;
