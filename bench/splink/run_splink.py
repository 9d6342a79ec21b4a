#!/usr/bin/env python3
"""Verify a registry against a civil-registry extract with Splink (DuckDB backend).

    run_splink.py DIR OUT.csv [--threshold 0.9] [--threads N] [--seed 42]

DIR holds civil.csv and registry.csv in Padu's interchange format
(shared/spec/interchange.md). OUT.csv gets one row per registry row, in input
order, in the format of the verification result (the same columns as
truth.csv), so that it can be scored exactly like Padu's own output.

The pipeline is what a competent Splink user would write, not a port of Padu:

1. load both CSVs as text with DuckDB and normalise minimally (uppercase,
   trim, collapse spaces, both date formats, sex spellings, NIKs that are not
   16 digits or are survey placeholders set to NULL, dots removed from region
   codes and the regency/district prefixes split out);
2. link registry -> civil (`link_only`) and deduplicate the registry
   (`dedupe_only`) with the same comparisons, each model trained on its own
   data: prior from deterministic rules, u from random sampling, m by EM on two
   blocking rules; predict at the threshold;
3. cluster the dedupe predictions (connected components at the threshold);
4. turn the best civil match per registry row and the clusters into statuses,
   flags, actions and proposed NIKs (rules in `RESULT_SQL`).

stdout ends with one JSON line: {"tool":"splink", "wall_s", "peak_rss_mb",
"link_pairs", "dedupe_pairs", "stages": {...}, ...}. Splink's own log goes
to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import time
from pathlib import Path

import duckdb
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

# Reads every column as text: identity numbers must never become numbers, and
# Excel-mangled values ("3.27601E+15") must survive to be reported as invalid.
READ = "read_csv({path}, header=true, all_varchar=true, auto_detect=true)"

# Letters only, single spaces. For person names also drop what every
# Indonesian data user strips first: religious/academic titles before the name
# (H., HJ., DRS., IR., ...) and degrees after a comma (", S.PD").
PLACE = "nullif(trim(regexp_replace(regexp_replace(upper({c}), '[^A-Z ]', ' ', 'g'), '\\s+', ' ', 'g')), '')"
NAME = PLACE.format(
    c="regexp_replace(regexp_replace(upper(trim({c})), ',.*$', ''),"
    " '^((H|HJ|DRS|DR|IR|PROF|KH)\\.?\\s+)+', '')"
)
TEXT = "nullif(regexp_replace(upper(trim({c})), '\\s+', ' ', 'g'), '')"
# Spaces, dots, dashes, no-break spaces and Excel's leading apostrophe are
# typing artefacts, not part of the number.
NIK_NORM = (
    "regexp_replace(ltrim(trim(coalesce({c}, '')), ''''), '[ .\\-' || chr(160) || ']', '', 'g')"
)
KAB = "substr(regexp_replace(coalesce({c}, ''), '[^0-9]', '', 'g'), 1, 4)"
# How the spec's truth compares names with the civil record: upper case,
# whitespace collapsed (punctuation kept).
NAME_CMP = "regexp_replace(upper(trim(coalesce({c}, ''))), '\\s+', ' ', 'g')"
WILAYAH_DIR = Path(__file__).resolve().parents[2] / "crates" / "padu-core" / "data" / "wilayah"
DATE = (
    "coalesce(try_strptime(trim({c}), '%Y-%m-%d'), try_strptime(trim({c}), '%d/%m/%Y'),"
    " try_strptime(trim({c}), '%d-%m-%Y'))::DATE"
)
SEX = (
    "CASE upper(trim({c})) WHEN 'L' THEN 'L' WHEN 'LAKI-LAKI' THEN 'L' WHEN '1' THEN 'L'"
    " WHEN 'P' THEN 'P' WHEN 'PEREMPUAN' THEN 'P' WHEN '2' THEN 'P' END"
)


def clean_sql(src: str, uid: str) -> str:
    """Normalised view of one input table, with the columns both models compare."""
    nik = NIK_NORM.format(c="nik")
    desa = "regexp_replace(coalesce(kode_wilayah, ''), '[^0-9]', '', 'g')"
    return f"""
    SELECT
        {uid} AS uid,
        CASE WHEN regexp_full_match({nik}, '[0-9]{{16}}')
              AND NOT starts_with({nik}, '99999999999999') THEN {nik} END AS nik,
        {NAME.format(c="nama")} AS nama,
        {SEX.format(c="jenis_kelamin")} AS jk,
        {DATE.format(c="tgl_lahir")} AS tgl_lahir,
        year({DATE.format(c="tgl_lahir")}) AS tahun_lahir,
        {PLACE.format(c="tempat_lahir")} AS tempat_lahir,
        {NAME.format(c="nama_ibu_kandung")} AS nama_ibu,
        {TEXT.format(c="alamat")} AS alamat,
        nullif({desa}, '') AS desa,
        nullif(substr({desa}, 1, 6), '') AS kec,
        nullif(substr({desa}, 1, 4), '') AS kab
    FROM {src}
    ORDER BY rowid
    """


def comparisons() -> list:
    region = cl.CustomComparison(
        output_column_name="wilayah",
        comparison_description="village / district / regency from kode_wilayah",
        comparison_levels=[
            cll.NullLevel("desa"),
            cll.ExactMatchLevel("desa"),
            cll.ExactMatchLevel("kec"),
            cll.ExactMatchLevel("kab"),
            cll.ElseLevel(),
        ],
    )
    return [
        cl.NameComparison("nama", jaro_winkler_thresholds=[0.95, 0.88, 0.7]).configure(
            term_frequency_adjustments=True
        ),
        cl.DateOfBirthComparison("tgl_lahir", input_is_string=False),
        cl.ExactMatch("jk"),
        cl.NameComparison("nama_ibu", jaro_winkler_thresholds=[0.92, 0.8]),
        cl.JaroWinklerAtThresholds("tempat_lahir", [0.9]),
        cl.JaroWinklerAtThresholds("alamat", [0.9, 0.75]),
        region,
        cl.LevenshteinAtThresholds("nik", [1, 2]),
    ]


# Candidate pairs: exact NIK, plus three identity rules that do not trust the
# NIK (typos, swapped or missing NIKs) and one that survives a wrong birth date.
PREDICT_RULES = [
    block_on("nik"),
    block_on("tgl_lahir", "substr(nama, 1, 3)"),
    block_on("nama_ibu", "tahun_lahir"),
    block_on("nama", "kab"),
]
# High-precision rules for the prior (probability two random records match).
DETERMINISTIC_RULES = [
    block_on("nik", "tgl_lahir"),
    block_on("nama", "tgl_lahir", "nama_ibu"),
]
# EM sessions: each trains every comparison except the ones it blocks on.
# `--em standard` (the first baseline) blocks on the birth date, which pairs
# everyone born on one day and costs most of the training time at 1M; `lean`
# is the cheaper set-up a Splink user reaches for first: blocked on the NIK,
# then on the name and the birth year.
EM_SETUPS = {
    "standard": [block_on("tgl_lahir"), block_on("nama", "jk")],
    "lean": [block_on("nik"), block_on("nama", "tahun_lahir")],
}


def train_and_predict(
    db: DuckDBAPI,
    tables: list[str],
    link_type: str,
    args,
    timings: dict,
    tag: str,
    m_from: dict | None = None,
):
    """Trains a model and predicts at the threshold.

    With `m_from` (a trained model's settings), its m probabilities are kept
    and only the prior and the u probabilities are estimated on these tables.
    """
    if m_from is not None:
        settings = json.loads(json.dumps(m_from))
        settings["link_type"] = link_type
        settings.pop("linker_uid", None)
    else:
        settings = SettingsCreator(
            link_type=link_type,
            unique_id_column_name="uid",
            comparisons=comparisons(),
            blocking_rules_to_generate_predictions=PREDICT_RULES,
            retain_intermediate_calculation_columns=False,
            retain_matching_columns=False,
        )
    inputs = [db.register(t, table_name=f"{tag}_{t}") for t in tables]
    linker = Linker(
        inputs if len(inputs) > 1 else inputs[0],
        settings,
        log_level=logging.WARNING if args.quiet else logging.INFO,
    )
    t0 = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(DETERMINISTIC_RULES, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=args.u_max_pairs, seed=args.seed)
    for rule in EM_SETUPS[args.em] if m_from is None else []:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=args.em_max_pairs
        )
    t1 = time.perf_counter()
    timings[f"{tag}_train_s"] = round(t1 - t0, 3)
    pred = linker.inference.predict(threshold_match_probability=args.threshold)
    timings[f"{tag}_predict_s"] = round(time.perf_counter() - t1, 3)
    if args.save_models:
        linker.misc.save_model_to_json(
            str(Path(args.out).with_suffix(f".{tag}.model.json")), overwrite=True
        )
    return linker, pred


# Registry rows with everything the decision needs that is not Splink's:
# the NIK's form checked like the spec says (16 digits after removing spaces,
# dots and dashes; not an Excel number; not a survey placeholder; a known
# province and regency prefix; a real embedded birth date, day + 40 for women;
# serial not 0000), what the NIK encodes, and the row's identity fields in the
# form they are compared with the civil record.
REG_META_SQL = r"""
CREATE TABLE reg_meta AS
WITH b AS (
    SELECT rowid AS rn, id_art,
           trim(coalesce(nik, '')) AS nik_raw,
           {nik_norm} AS nik_norm,
           {kab} AS kab,
           {name_cmp} AS nama_cmp, {date} AS tgl, {sex} AS jk
    FROM reg_raw
),
p AS (
    SELECT *,
        nik_norm = '' OR regexp_full_match(nik_norm, '99999999999999[0-9]{{2}}') AS tanpa,
        regexp_full_match(nik_norm, '[0-9]{{16}}')
          AND NOT regexp_full_match(nik_raw, '[0-9][0-9.,]*[eE]\+?[0-9]+')
          AND NOT regexp_full_match(nik_raw, '[0-9]{{12,}}[.,]0+') AS sixteen
    FROM b
),
d AS (
    SELECT *,
        CASE WHEN sixteen THEN CAST(substr(nik_norm, 7, 2) AS INT) END AS dd,
        CASE WHEN sixteen THEN CAST(substr(nik_norm, 9, 2) AS INT) END AS mm,
        CASE WHEN sixteen THEN CAST(substr(nik_norm, 11, 2) AS INT) END AS yy
    FROM p
),
e AS (
    SELECT *,
        -- The latest century that does not put the birth after `today`.
        coalesce(
            CASE WHEN try(make_date({century} + yy, mm, CASE WHEN dd > 40 THEN dd - 40 ELSE dd END)) <= DATE '{today}'
                 THEN try(make_date({century} + yy, mm, CASE WHEN dd > 40 THEN dd - 40 ELSE dd END)) END,
            CASE WHEN try(make_date({century} - 100 + yy, mm, CASE WHEN dd > 40 THEN dd - 40 ELSE dd END)) <= DATE '{today}'
                 THEN try(make_date({century} - 100 + yy, mm, CASE WHEN dd > 40 THEN dd - 40 ELSE dd END)) END
        ) AS nik_lahir,
        CASE WHEN dd > 40 THEN 'P' ELSE 'L' END AS nik_jk
    FROM d
)
SELECT rn, id_art, nik_norm, kab, nama_cmp, tgl, jk, tanpa, nik_lahir, nik_jk,
    NOT tanpa AND sixteen AND nik_lahir IS NOT NULL AND substr(nik_norm, 13, 4) <> '0000'
      AND ({skip_regions} OR (substr(nik_norm, 3, 2) <> '00'
           AND substr(nik_norm, 1, 2) IN (SELECT kode FROM wilayah_known)
           AND substr(nik_norm, 1, 4) IN (SELECT kode FROM wilayah_known))) AS nik_valid
FROM e
ORDER BY rn
"""

CIV_META_SQL = """
CREATE TABLE civ_meta AS
SELECT 'C' || rowid AS uid, {nik_norm} AS nik, {kab} AS kab,
       upper(trim(coalesce(status_hidup, ''))) = 'MENINGGAL' AS meninggal,
       {name_cmp} AS nama_cmp, {date} AS tgl, {sex} AS jk
FROM civ_raw
"""

RESULT_SQL = r"""
CREATE TABLE result AS
WITH
best AS (
    SELECT reg_uid, civ_uid, p FROM (
        SELECT reg_uid, civ_uid, p,
               row_number() OVER (PARTITION BY reg_uid ORDER BY p DESC, civ_uid) AS rn
        FROM link_pairs)
    WHERE rn = 1
),
civil_niks AS (SELECT DISTINCT nik FROM civ_meta),
rows AS (
    SELECT r.*, b.p, c.nik AS civ_nik, c.kab AS civ_kab, c.meninggal,
           c.nama_cmp AS civ_nama, c.tgl AS civ_tgl, c.jk AS civ_jk,
           n.nik IS NOT NULL AS in_civil
    FROM reg_meta r
    LEFT JOIN best b ON b.reg_uid = r.id_art
    LEFT JOIN civ_meta c ON c.uid = b.civ_uid
    LEFT JOIN civil_niks n ON n.nik = r.nik_norm AND r.nik_valid
),
decided AS (
    SELECT *,
        CASE WHEN tanpa THEN 'TANPA_NIK'
             WHEN NOT nik_valid THEN 'NIK_TIDAK_VALID'
             WHEN in_civil AND civ_nik = nik_norm THEN 'PADAN'
             WHEN in_civil THEN 'TIDAK_PADAN'
             ELSE 'NIK_TIDAK_DITEMUKAN' END AS status,
        CASE WHEN civ_nik IS NOT NULL AND civ_nik IS DISTINCT FROM nik_norm THEN civ_nik END AS usulan,
        coalesce(meninggal, false) AS f_meninggal,
        civ_nik IS NOT NULL AND civ_kab IS DISTINCT FROM kab AS f_pindah,
        -- Spec flag NIK_BEDA_IDENTITAS: what a valid NIK encodes (day, month,
        -- two-digit year, sex) disagrees with the row.
        nik_valid AND (
            (tgl IS NOT NULL AND (day(tgl) <> day(nik_lahir) OR month(tgl) <> month(nik_lahir)
                                  OR year(tgl) % 100 <> year(nik_lahir) % 100))
            OR (jk IS NOT NULL AND jk <> nik_jk)) AS f_beda,
        civ_nik IS NOT NULL AND (nama_cmp IS DISTINCT FROM civ_nama OR tgl IS DISTINCT FROM civ_tgl
                                 OR jk IS DISTINCT FROM civ_jk) AS differs
    FROM rows
),
clustered AS (
    SELECT d.*,
           CASE WHEN k.size >= 2 THEN 'G' || k.cluster_id END AS grp,
           -- Kept row: one whose NIK is the matched civil NIK first, then the
           -- smallest id_art (numeric order for digit ids, else text order).
           CASE WHEN k.size >= 2 THEN first(d.id_art ORDER BY d.status = 'PADAN' DESC,
                                             length(d.id_art), d.id_art)
                                      OVER (PARTITION BY k.cluster_id) END AS utama
    FROM decided d
    LEFT JOIN (SELECT uid, cluster_id, count(*) OVER (PARTITION BY cluster_id) AS size
               FROM dedupe_clusters) k ON k.uid = d.id_art
),
final AS (
    SELECT *, grp IS NOT NULL AS f_ganda FROM clustered
)
SELECT rn, id_art, status,
    nullif(concat_ws(';', CASE WHEN f_ganda THEN 'GANDA' END,
                     CASE WHEN f_meninggal THEN 'MENINGGAL' END,
                     CASE WHEN f_beda THEN 'NIK_BEDA_IDENTITAS' END,
                     CASE WHEN f_pindah THEN 'PINDAH' END), '') AS flags,
    CASE WHEN f_meninggal OR f_pindah OR (f_ganda AND utama <> id_art) THEN 'HAPUS'
         WHEN status <> 'PADAN' OR usulan IS NOT NULL OR f_beda OR differs THEN 'PERBAIKI'
         ELSE 'TETAP' END AS tindakan,
    usulan AS nik_usulan,
    CAST(round(p, 6) AS VARCHAR) AS skor,
    grp AS id_kelompok_ganda,
    utama AS id_art_utama,
    CASE
        WHEN f_meninggal THEN 'Tercatat meninggal di Dukcapil (kecocokan Splink).'
        WHEN f_pindah THEN 'Domisili Dukcapil berada di kabupaten/kota lain (kecocokan Splink).'
        WHEN f_ganda AND utama <> id_art THEN 'Orang yang sama dengan ' || utama || ' di data ini (klaster Splink).'
        WHEN usulan IS NOT NULL THEN 'Orang ini ditemukan di Dukcapil dengan NIK lain.'
        WHEN status = 'PADAN' AND (f_beda OR differs) THEN 'NIK ditemukan di Dukcapil, tetapi ada data identitas yang perlu diperbaiki.'
        WHEN status = 'PADAN' THEN 'NIK ditemukan di Dukcapil dan identitasnya cocok.'
        WHEN status = 'TIDAK_PADAN' THEN 'NIK ada di Dukcapil tetapi milik identitas lain.'
        WHEN status = 'NIK_TIDAK_DITEMUKAN' THEN 'NIK tidak ditemukan di Dukcapil.'
        WHEN status = 'NIK_TIDAK_VALID' THEN 'NIK tidak sah dan orangnya tidak ditemukan di Dukcapil.'
        ELSE 'Tanpa NIK dan orangnya tidak ditemukan di Dukcapil.'
    END AS keterangan
FROM final
ORDER BY rn
"""


def q(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """Runs SQL to completion: DuckDB 2 refuses new work on a connection with an
    unfinished result, and Splink shares this connection."""
    return con.execute(sql).fetchall()


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round((own + kids) / 1024, 1)  # Linux reports KiB


def main() -> None:
    ap = argparse.ArgumentParser(description="Splink baseline for Padu's verification benchmark")
    ap.add_argument("dir", help="directory with civil.csv and registry.csv")
    ap.add_argument("out", help="result CSV to write (truth.csv format)")
    ap.add_argument("--threshold", type=float, default=0.9, help="match probability threshold")
    ap.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all cores)")
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 8GB")
    ap.add_argument("--seed", type=int, default=42, help="seed for u sampling")
    ap.add_argument(
        "--today",
        default=time.strftime("%Y-%m-%d"),
        help="reference date YYYY-MM-DD; fixes the century of a NIK's birth year"
        " (use the same date as `padu gen --today`)",
    )
    ap.add_argument(
        "--wilayah-dir",
        default=str(WILAYAH_DIR),
        help="folder with wilayah_2025.csv and wilayah_historis.csv (NIK prefix check)",
    )
    ap.add_argument("--u-max-pairs", type=float, default=1e7)
    ap.add_argument("--em-max-pairs", type=float, default=5e6)
    ap.add_argument(
        "--dedupe-m",
        choices=["link", "em"],
        default="link",
        help="m probabilities of the dedupe model: reuse the link model's (default)"
        " or run EM on the registry alone",
    )
    ap.add_argument(
        "--em",
        choices=sorted(EM_SETUPS),
        default="standard",
        help="EM blocking: `standard` (birth date, then name + sex) or `lean` (NIK, then"
        " name + birth year)",
    )
    ap.add_argument("--save-models", action="store_true", help="write OUT.{link,dedupe}.model.json")
    ap.add_argument("--quiet", action="store_true", help="only Splink warnings on stderr")
    args = ap.parse_args()

    start = time.perf_counter()
    timings: dict[str, float] = {}
    con = duckdb.connect()
    if args.threads:
        q(con, f"SET threads = {args.threads}")
    if args.memory_limit:
        q(con, f"SET memory_limit = '{args.memory_limit}'")
    db = DuckDBAPI(connection=con)

    t = time.perf_counter()
    d = Path(args.dir)
    for name, file in (("reg_raw", "registry.csv"), ("civ_raw", "civil.csv")):
        path = "'" + str(d / file).replace("'", "''") + "'"
        q(con, f"CREATE TABLE {name} AS SELECT * FROM {READ.format(path=path)}")
    # rowid of a freshly created table is the row's position in the file.
    q(con, "CREATE TABLE reg_clean AS " + clean_sql("reg_raw", "id_art"))
    q(con, "CREATE TABLE civ_clean AS " + clean_sql("civ_raw", "'C' || rowid"))
    # Province and regency codes of every edition (a NIK keeps the code it was
    # issued under, which may since have been retired).
    wdir = Path(args.wilayah_dir)
    wfiles = [wdir / "wilayah_2025.csv", wdir / "wilayah_historis.csv"]
    have_regions = all(f.exists() for f in wfiles)
    if have_regions:
        union = " UNION ".join(
            "SELECT replace(kode, '.', '') AS kode FROM read_csv('"
            + str(f).replace("'", "''")
            + "', header=true, all_varchar=true) WHERE length(kode) IN (2, 5)"
            for f in wfiles
        )
        q(con, f"CREATE TABLE wilayah_known AS {union}")
    else:
        print(f"warning: no region list in {wdir}; NIK prefixes not checked", file=sys.stderr)
        q(con, "CREATE TABLE wilayah_known (kode VARCHAR)")
    fields = {
        "nik_norm": NIK_NORM.format(c="nik"),
        "kab": KAB.format(c="kode_wilayah"),
        "name_cmp": NAME_CMP.format(c="nama"),
        "date": DATE.format(c="tgl_lahir"),
        "sex": SEX.format(c="jenis_kelamin"),
    }
    q(
        con,
        REG_META_SQL.format(
            **fields,
            today=args.today,
            century=int(args.today[:4]) // 100 * 100,
            skip_regions="false" if have_regions else "true",
        ),
    )
    q(con, CIV_META_SQL.format(**fields))
    n_reg = q(con, "SELECT count(*) FROM reg_raw")[0][0]
    n_civ = q(con, "SELECT count(*) FROM civ_raw")[0][0]
    timings["load_s"] = round(time.perf_counter() - t, 3)

    # (a) registry -> civil
    link_linker, link_pred = train_and_predict(
        db, ["reg_clean", "civ_clean"], "link_only", args, timings, "link"
    )
    src_l = "source_dataset_l"
    q(
        con,
        f"""
        CREATE TABLE link_pairs AS
        SELECT CASE WHEN {src_l} = 'link_reg_clean' THEN uid_l ELSE uid_r END AS reg_uid,
               CASE WHEN {src_l} = 'link_reg_clean' THEN uid_r ELSE uid_l END AS civ_uid,
               match_probability AS p
        FROM {link_pred.physical_name}
    """,
    )
    link_pairs = q(con, "SELECT count(*) FROM link_pairs")[0][0]
    # Guard against a change in how Splink names the source datasets.
    bad = q(
        con, "SELECT count(*) FROM link_pairs WHERE reg_uid LIKE 'C%' AND civ_uid NOT LIKE 'C%'"
    )
    assert bad[0][0] == 0 or link_pairs == 0, "registry/civil sides of link pairs are swapped"

    # (b) registry duplicates
    t = time.perf_counter()
    # By default the dedupe model reuses the link model's m probabilities:
    # EM run on the registry alone learns "same household" (shared address,
    # village, mother; twins, namesakes) as the match class, so it forgives
    # different birth dates and names. Registry-vs-civil pairs are mostly one
    # person to one record, and the typing errors are the same ones.
    m_from = link_linker.misc.save_model_to_json() if args.dedupe_m == "link" else None
    dd_linker, dd_pred = train_and_predict(
        db, ["reg_clean"], "dedupe_only", args, timings, "dedupe", m_from=m_from
    )
    dedupe_pairs = q(con, f"SELECT count(*) FROM {dd_pred.physical_name}")[0][0]
    t = time.perf_counter()
    clusters = dd_linker.clustering.cluster_pairwise_predictions_at_threshold(
        dd_pred, threshold_match_probability=args.threshold
    )
    q(con, f"CREATE TABLE dedupe_clusters AS SELECT uid, cluster_id FROM {clusters.physical_name}")
    timings["cluster_s"] = round(time.perf_counter() - t, 3)

    # Decide and write.
    t = time.perf_counter()
    q(con, RESULT_SQL)
    out = str(args.out).replace("'", "''")
    q(
        con,
        "COPY (SELECT id_art, status, flags, tindakan, nik_usulan, skor, id_kelompok_ganda,"
        f" id_art_utama, keterangan FROM result ORDER BY rn) TO '{out}' (HEADER, DELIMITER ',')",
    )
    timings["decide_write_s"] = round(time.perf_counter() - t, 3)

    summary = {
        "tool": "splink",
        "splink_version": splink.__version__,
        "duckdb_version": duckdb.__version__,
        "registry_rows": n_reg,
        "civil_rows": n_civ,
        "threshold": args.threshold,
        "dedupe_m": args.dedupe_m,
        "threads": q(con, "SELECT current_setting('threads')")[0][0],
        "stages": timings,
        "wall_s": round(time.perf_counter() - start, 3),
        "peak_rss_mb": peak_rss_mb(),
        "link_pairs": link_pairs,
        "dedupe_pairs": dedupe_pairs,
        "dedupe_groups": q(
            con,
            "SELECT count(DISTINCT id_kelompok_ganda) FROM result WHERE id_kelompok_ganda IS NOT NULL",
        )[0][0],
    }
    for k, v in summary["stages"].items():
        print(f"{k:>20}: {v:8.3f} s")
    sys.stdout.flush()
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
