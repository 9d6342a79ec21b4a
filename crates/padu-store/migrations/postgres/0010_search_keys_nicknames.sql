-- The matcher no longer folds the nicknames WAWAN, MAMAT and MEMET onto
-- one full name each (WAWAN stands for GUNAWAN and SETIAWAN as much as for
-- HERMAWAN). Name search reads keys made by the normaliser, so the keys
-- stored by the old one are dropped here; the server's name indexer
-- rebuilds them for every person it finds without keys, as after an import.
delete from person_name_token;
delete from person_search;
