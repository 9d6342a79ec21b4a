-- Padu store schema, PostgreSQL dialect.
-- kode_wilayah uses the "C" collation so its btree index orders digits bytewise and the scoped prefix range
-- (kode_wilayah >= '3276' and kode_wilayah < '3276:') is exact whatever the database's locale.
-- Identifier columns (id_art, nik, no_kk, id_keluarga) use "C" too: they are codes, not words, so they sort
-- bytewise exactly as on SQLite (exports come out in the same order on both backends) and compare faster.
-- Tables written in bulk carry no foreign keys: PostgreSQL checks a foreign key with one trigger call per row,
-- which measured at over half of the merge time of a 100,000-row change. The ids in those columns are written
-- only by the store's merge statements, in the transaction that creates the import_run they name, and nothing
-- is ever deleted (records are deactivated, never removed), so they cannot dangle.

create table import_run (
    import_run_id bigint generated always as identity primary key,
    kind text not null check (kind in ('registry', 'civil')),
    source text not null,
    new_count bigint not null default 0,
    changed_count bigint not null default 0,
    unchanged_count bigint not null default 0,
    started_at timestamptz not null,
    finished_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table person (
    person_id bigint generated always as identity primary key,
    id_art text collate "C" not null,
    id_keluarga text collate "C",
    no_kk text collate "C" not null,
    no_kk_error text,
    nik text collate "C" not null,
    nik_error text,
    nama text not null,
    jenis_kelamin text not null,
    tempat_lahir text,
    tgl_lahir date not null,
    hubungan_keluarga text,
    nama_ibu_kandung text,
    alamat text,
    rt text,
    rw text,
    kode_wilayah text collate "C" not null,
    extra text,
    content_hash bigint not null,
    version bigint not null default 1,
    valid_from timestamptz not null,
    import_run_id bigint,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint person_id_art_key unique (id_art)
);
create index person_kode_wilayah_idx on person (kode_wilayah, id_art);
create index person_nik_idx on person (nik);
create index person_id_keluarga_idx on person (id_keluarga);

create table person_history (
    person_history_id bigint generated always as identity primary key,
    person_id bigint not null,
    version bigint not null,
    id_art text collate "C" not null,
    id_keluarga text collate "C",
    no_kk text collate "C" not null,
    no_kk_error text,
    nik text collate "C" not null,
    nik_error text,
    nama text not null,
    jenis_kelamin text not null,
    tempat_lahir text,
    tgl_lahir date not null,
    hubungan_keluarga text,
    nama_ibu_kandung text,
    alamat text,
    rt text,
    rw text,
    kode_wilayah text collate "C" not null,
    extra text,
    content_hash bigint not null,
    valid_from timestamptz not null,
    valid_to timestamptz not null,
    import_run_id bigint,
    replaced_by_import_run_id bigint,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint person_history_version_key unique (person_id, version)
);

create table household (
    household_id bigint generated always as identity primary key,
    id_keluarga text collate "C" not null,
    no_kk text collate "C" not null,
    kode_wilayah text collate "C" not null,
    alamat text,
    rt text,
    rw text,
    import_run_id bigint,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint household_id_keluarga_key unique (id_keluarga)
);
create index household_kode_wilayah_idx on household (kode_wilayah);

create table civil_person (
    civil_person_id bigint generated always as identity primary key,
    nik text collate "C" not null,
    no_kk text collate "C" not null,
    no_kk_error text,
    nama text not null,
    jenis_kelamin text not null,
    tempat_lahir text,
    tgl_lahir date not null,
    nama_ibu_kandung text,
    alamat text,
    rt text,
    rw text,
    kode_wilayah text collate "C" not null,
    status_hidup text not null,
    tgl_meninggal date,
    content_hash bigint not null,
    import_run_id bigint,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint civil_person_nik_key unique (nik)
);
create index civil_person_kode_wilayah_idx on civil_person (kode_wilayah);

create table verification_run (
    verification_run_id bigint generated always as identity primary key,
    scope text not null,
    row_count bigint not null,
    summary text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table verification_result (
    verification_result_id bigint generated always as identity primary key,
    verification_run_id bigint not null,
    seq bigint not null,
    id_art text collate "C" not null,
    kode_wilayah text collate "C",
    status text not null,
    flags text not null,
    tindakan text not null,
    nik_usulan text,
    skor double precision,
    id_kelompok_ganda text collate "C",
    id_art_utama text collate "C",
    keterangan text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint verification_result_seq_key unique (verification_run_id, seq)
);
create index verification_result_region_idx on verification_result (verification_run_id, kode_wilayah);
