-- Name search checks, for each candidate person, whether they also carry the
-- query's other tokens: an index on (person_id, token) answers that with one
-- probe. Without it the planner may walk every row of a common token (SITI,
-- MUHAMMAD) per candidate; measured on 1M people that made a national search
-- take seconds (docs/benchmarks.md). It also covers lookups by person alone.
drop index person_name_token_person_idx;
create index person_name_token_person_token_idx on person_name_token (person_id, token);
