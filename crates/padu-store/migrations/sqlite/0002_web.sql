-- Padu web application, SQLite dialect: accounts, sessions, API tokens, sign-in attempts,
-- the append-only audit log, each person's latest finding, name-search tokens and comments.
-- Booleans are integers 0/1 on both backends so the same queries bind the same types.

create table app_user (
    app_user_id integer primary key,
    username text not null,
    display_name text not null,
    role text not null,
    -- The compact region code of the user's scope, or 'nasional'. Never empty: an empty
    -- scope must not be read as the whole country (see Scope in padu-store).
    scope text not null check (scope <> ''),
    password_hash text not null,
    must_change_password integer not null default 1,
    lang text not null default 'id',
    phone text,
    disabled_at text,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    constraint app_user_username_key unique (username)
);

create table user_session (
    user_session_id integer primary key,
    -- SHA-256 of the cookie's token: a copy of this table lets nobody sign in.
    token_hash text not null,
    app_user_id integer not null references app_user (app_user_id),
    csrf_token text not null,
    ip text,
    user_agent text,
    expires_at text not null,
    last_seen_at text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    constraint user_session_token_hash_key unique (token_hash)
);
create index user_session_app_user_idx on user_session (app_user_id);

create table api_token (
    api_token_id integer primary key,
    app_user_id integer not null references app_user (app_user_id),
    name text not null,
    token_hash text not null,
    created_by integer,
    last_used_at text,
    revoked_at text,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    constraint api_token_token_hash_key unique (token_hash)
);

create table login_attempt (
    login_attempt_id integer primary key,
    username text not null,
    ip text not null,
    succeeded integer not null,
    attempted_at text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
create index login_attempt_username_idx on login_attempt (username, attempted_at);
create index login_attempt_ip_idx on login_attempt (ip, attempted_at);

create table audit_log (
    audit_log_id integer primary key,
    occurred_at text not null,
    app_user_id integer,
    username text,
    ip text,
    action text not null,
    kode_wilayah text,
    entity text,
    entity_id text,
    before_value text,
    after_value text,
    reason text,
    detail text,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
create index audit_log_region_idx on audit_log (kode_wilayah, audit_log_id);
create index audit_log_user_idx on audit_log (app_user_id, audit_log_id);
create index audit_log_entity_idx on audit_log (entity, entity_id, audit_log_id);

-- The application may only append to the audit log: any update or delete is refused by the database itself.
create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;

-- The latest finding for each registry person: from the last verification run that covered them,
-- or from an operator's re-check saved with a correction. Lists filter on it.
create table person_finding (
    person_finding_id integer primary key,
    id_art text not null,
    verification_run_id integer,
    source text not null check (source in ('run', 'recheck')),
    status text not null,
    flags text not null,
    flag_ganda integer not null,
    flag_meninggal integer not null,
    flag_pindah integer not null,
    flag_nik_beda_identitas integer not null,
    tindakan text not null,
    nik_usulan text,
    skor real,
    id_kelompok_ganda text,
    id_art_utama text,
    keterangan text not null,
    found_at text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    constraint person_finding_id_art_key unique (id_art)
);
create index person_finding_group_idx on person_finding (id_kelompok_ganda);

-- The model a verification run learnt (JSON), so a single record can be re-checked with the same weights.
alter table verification_run add column model text;

-- Who changed a version of a person through the application, and why (null for imports).
alter table person add column changed_by_app_user_id integer;
alter table person add column change_reason text;
alter table person_history add column changed_by_app_user_id integer;
alter table person_history add column change_reason text;

-- Members listed per village in name order, keyset-paginated on (kode_wilayah, nama, id_art).
create index person_region_name_idx on person (kode_wilayah, nama, id_art);
create index person_no_kk_idx on person (no_kk);
create index household_region_id_idx on household (kode_wilayah, id_keluarga);

-- Name search: one row per phonetic token of a person's normalised name, kept by the application
-- (the normalisation rules are the matcher's). content_hash says which version the tokens were made from.
create table person_name_token (
    person_name_token_id integer primary key,
    person_id integer not null,
    token text not null,
    kode_wilayah text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
create index person_name_token_lookup_idx on person_name_token (token, kode_wilayah, person_id);
create index person_name_token_person_idx on person_name_token (person_id);

create table person_search (
    person_id integer primary key,
    name_key text not null,
    content_hash integer not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Comments on a household by anyone who may read it (a district officer's remarks, a verifier's questions).
create table household_comment (
    household_comment_id integer primary key,
    id_keluarga text not null,
    app_user_id integer not null references app_user (app_user_id),
    body text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
create index household_comment_household_idx on household_comment (id_keluarga, household_comment_id);
