-- Minutes of a village deliberation (berita acara Musdes/Muskel) or an SPTJM, postgres dialect:
-- what was decided, where and when, by whom, the proposals it ratified and the signed scan.
-- A proposal linked to minutes whose scan is uploaded counts as having its signed scan.

create table ratification (
    ratification_id bigint generated always as identity primary key,
    -- The village (compact 10 digits): the scope of every read.
    kode_wilayah text not null,
    -- RatificationKind code: MUSDES, MUSKEL or SPTJM.
    kind text not null,
    -- The document's number as the village writes it.
    number text not null,
    -- YYYY-MM-DD.
    held_on text not null,
    place text not null,
    -- One attendee per line ("Nama — unsur").
    attendees text not null,
    -- One signatory per line ("Nama — jabatan").
    signatories text not null,
    note text,
    -- The signed scan: PDF, JPEG or PNG, judged by content; null until uploaded.
    scan_file_name text,
    scan_media_type text,
    scan_size_bytes bigint,
    scan_sha256 text,
    scan_data bytea,
    scanned_at timestamptz,
    scanned_by bigint references app_user (app_user_id),
    created_by bigint not null references app_user (app_user_id),
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint ratification_number_key unique (kode_wilayah, number)
);

create table ratification_proposal (
    ratification_id bigint not null references ratification (ratification_id),
    proposal_id bigint not null references proposal (proposal_id),
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (ratification_id, proposal_id)
);
create index ratification_proposal_proposal on ratification_proposal (proposal_id);
