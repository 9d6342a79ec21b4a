-- Name search, second shape (docs/benchmarks.md, "The web application under load").
-- A person's normalised name is looked up whole first, so person_search carries the
-- village code and an index on (name_key, kode_wilayah). person_name_token now also
-- holds every pair of a name's tokens ("A B", in byte order): a query of two common
-- tokens (SITI AMINAH) reads the few people having both instead of walking every
-- SITI. The index is rebuilt from scratch by the server's name indexer.
delete from person_name_token;
delete from person_search;
alter table person_search add column kode_wilayah text collate "C" not null default '';
create index person_search_name_idx on person_search (name_key, kode_wilayah, person_id);
