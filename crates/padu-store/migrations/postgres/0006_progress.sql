-- Progress counts for the dashboard, postgres dialect. Kept by padu-store progress.rs in the
-- transaction that changes the records they count, so a dashboard reads a few rows instead of
-- counting millions, and still equals a direct count.

-- What the latest full verification run asked for, kept when an operator's re-check replaces the
-- finding: a finding is "resolved" against what the run found, not against itself.
alter table person_finding add column run_tindakan text;
alter table person_finding add column run_found_at timestamptz;
update person_finding set run_tindakan = tindakan, run_found_at = found_at where source = 'run';
update person_finding set run_tindakan = (
        select r.tindakan from verification_result r where r.id_art = person_finding.id_art
        order by r.verification_run_id desc limit 1),
    run_found_at = found_at
    where source = 'recheck';

-- One row per region with records: '' (national), province (2 digits), regency (4), district (6),
-- village (10). A village row is recounted from its records; the rows above it move by the
-- village's change (delta), both in the same transaction.
create table region_progress (
    kode_wilayah text collate "C" primary key,
    -- Active members (no inactive status in force).
    people bigint not null default 0,
    -- Members whose latest verification run asked for a correction or a deactivation.
    findings bigint not null default 0,
    -- Of those: corrected (a re-check now finds nothing), deactivated, or fixed by a finalised proposal.
    resolved bigint not null default 0,
    -- Of those not resolved: with a proposal under way.
    in_progress bigint not null default 0,
    -- Proposals per state.
    usulan_draft bigint not null default 0,
    usulan_diajukan bigint not null default 0,
    usulan_disahkan_desa bigint not null default 0,
    usulan_diverifikasi_dinsos bigint not null default 0,
    usulan_dikembalikan bigint not null default 0,
    usulan_disetujui_dinsos bigint not null default 0,
    usulan_dikirim_pusdatin bigint not null default 0,
    usulan_ditetapkan bigint not null default 0,
    usulan_ditolak_pusdatin bigint not null default 0,
    updated_at timestamptz not null
);

-- The counts at the end of each day (WIB) on which they changed, per region: the progress chart.
create table region_progress_daily (
    kode_wilayah text collate "C" not null,
    -- YYYY-MM-DD in WIB.
    day text not null,
    people bigint not null,
    findings bigint not null,
    resolved bigint not null,
    in_progress bigint not null,
    updated_at timestamptz not null,
    primary key (kode_wilayah, day)
);
