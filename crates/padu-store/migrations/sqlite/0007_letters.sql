-- Letters (surat) from a regency's social office to its villages, sqlite dialect: numbered per
-- office and year, each recipient village with the records it must fix (a snapshot of their
-- findings when the letter was written), tracked against the letter's deadline.

create table letter (
    letter_id integer primary key,
    -- The letter number as printed, e.g. 400.9/007/Dinsos/XII/2026.
    number text not null unique,
    -- The issuing office's region (a regency or city, compact 4 digits).
    kode_wilayah text not null,
    -- The filing code printed first in the number (kode klasifikasi arsip), e.g. 400.9.
    classification text not null,
    -- The letter's place in the office's count of the year.
    sequence integer not null,
    year integer not null,
    -- YYYY-MM-DD, as printed.
    letter_date text not null,
    subject text not null,
    body text not null,
    -- The instant the villages' corrections are counted to (the end of the deadline day, local time).
    deadline text not null,
    signatory_name text not null,
    signatory_title text not null,
    -- The signatory's employee number (NIP), if printed.
    signatory_id text,
    created_by integer not null references app_user (app_user_id),
    created_at text not null,
    updated_at text not null,
    constraint letter_sequence_key unique (kode_wilayah, year, sequence)
);

create table letter_recipient (
    letter_id integer not null references letter (letter_id),
    -- The village (compact 10 digits): the scope of a village's reads.
    kode_wilayah text not null,
    -- How many records were attached for it.
    items integer not null,
    created_at text not null,
    updated_at text not null,
    primary key (letter_id, kode_wilayah)
);
create index letter_recipient_village on letter_recipient (kode_wilayah);

create table letter_item (
    letter_id integer not null references letter (letter_id),
    kode_wilayah text not null,
    id_art text not null,
    -- The finding as it stood when the letter was written.
    status text not null,
    flags text not null,
    tindakan text not null,
    keterangan text not null,
    created_at text not null,
    updated_at text not null,
    primary key (letter_id, id_art)
);
create index letter_item_village on letter_item (letter_id, kode_wilayah);
