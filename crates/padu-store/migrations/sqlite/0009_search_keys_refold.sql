-- The matcher's phonetic key now folds Y before a vowel (and DY before a
-- vowel) to J, as the pre-1972 spelling wrote it (YUSUF / JUSUF, LIDYA /
-- LIDJA). Name search reads keys made by that function, so the keys stored
-- by the old one are dropped here; the server's name indexer rebuilds them
-- for every person it finds without keys, as after an import.
delete from person_name_token;
delete from person_search;
