-- Padu store schema, SQLite dialect.
-- Timestamps are RFC 3339 text in UTC, dates are ISO 8601 text (YYYY-MM-DD): the forms sqlx's chrono codecs write and read.
-- kode_wilayah is the compact 10-digit village code; scoped reads use the index with a prefix range, never LIKE.
-- Tables written in bulk carry no foreign keys, as in the PostgreSQL schema (see there for why): their ids are
-- written only by the store's merge statements, and nothing is ever deleted.

create table import_run (
    import_run_id integer primary key,
    kind text not null check (kind in ('registry', 'civil')),
    source text not null,
    new_count integer not null default 0,
    changed_count integer not null default 0,
    unchanged_count integer not null default 0,
    started_at text not null,
    finished_at text,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table person (
    person_id integer primary key,
    id_art text not null,
    id_keluarga text,
    no_kk text not null,
    no_kk_error text,
    nik text not null,
    nik_error text,
    nama text not null,
    jenis_kelamin text not null,
    tempat_lahir text,
    tgl_lahir text not null,
    hubungan_keluarga text,
    nama_ibu_kandung text,
    alamat text,
    rt text,
    rw text,
    kode_wilayah text not null,
    extra text,
    content_hash integer not null,
    version integer not null default 1,
    valid_from text not null,
    import_run_id integer,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    constraint person_id_art_key unique (id_art)
);
create index person_kode_wilayah_idx on person (kode_wilayah, id_art);
create index person_nik_idx on person (nik);
create index person_id_keluarga_idx on person (id_keluarga);

create table person_history (
    person_history_id integer primary key,
    person_id integer not null,
    version integer not null,
    id_art text not null,
    id_keluarga text,
    no_kk text not null,
    no_kk_error text,
    nik text not null,
    nik_error text,
    nama text not null,
    jenis_kelamin text not null,
    tempat_lahir text,
    tgl_lahir text not null,
    hubungan_keluarga text,
    nama_ibu_kandung text,
    alamat text,
    rt text,
    rw text,
    kode_wilayah text not null,
    extra text,
    content_hash integer not null,
    valid_from text not null,
    valid_to text not null,
    import_run_id integer,
    replaced_by_import_run_id integer,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    constraint person_history_version_key unique (person_id, version)
);

create table household (
    household_id integer primary key,
    id_keluarga text not null,
    no_kk text not null,
    kode_wilayah text not null,
    alamat text,
    rt text,
    rw text,
    import_run_id integer,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    constraint household_id_keluarga_key unique (id_keluarga)
);
create index household_kode_wilayah_idx on household (kode_wilayah);

create table civil_person (
    civil_person_id integer primary key,
    nik text not null,
    no_kk text not null,
    no_kk_error text,
    nama text not null,
    jenis_kelamin text not null,
    tempat_lahir text,
    tgl_lahir text not null,
    nama_ibu_kandung text,
    alamat text,
    rt text,
    rw text,
    kode_wilayah text not null,
    status_hidup text not null,
    tgl_meninggal text,
    content_hash integer not null,
    import_run_id integer,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    constraint civil_person_nik_key unique (nik)
);
create index civil_person_kode_wilayah_idx on civil_person (kode_wilayah);

create table verification_run (
    verification_run_id integer primary key,
    scope text not null,
    row_count integer not null,
    summary text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table verification_result (
    verification_result_id integer primary key,
    verification_run_id integer not null,
    seq integer not null,
    id_art text not null,
    kode_wilayah text,
    status text not null,
    flags text not null,
    tindakan text not null,
    nik_usulan text,
    skor real,
    id_kelompok_ganda text,
    id_art_utama text,
    keterangan text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    constraint verification_result_seq_key unique (verification_run_id, seq)
);
create index verification_result_region_idx on verification_result (verification_run_id, kode_wilayah);
