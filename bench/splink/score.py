#!/usr/bin/env python3
"""Score a verification result against truth.csv (both in the result format of
shared/spec/interchange.md). Pure standard library.

    score.py RESULT.csv TRUTH.csv [--json]

Definitions (rows are joined on id_art; a truth row missing from the result
counts as predicted with empty values; result rows not in truth are ignored
and counted in `extra_rows`):

- status_accuracy: share of truth rows whose `status` is equal in the result.
- status[S].precision = |pred S and true S| / |pred S|;
  status[S].recall = |pred S and true S| / |true S|, for each of the five
  statuses. A ratio with a zero denominator is reported as null.
- tindakan_accuracy: share of truth rows whose `tindakan` is equal.
- flags[F].precision / recall: over the set of (id_art, F) pairs, F being
  one of GANDA, MENINGGAL, NIK_BEDA_IDENTITAS, PINDAH (`flags` split on ';').
- duplicates: the set of unordered pairs {a, b} of distinct id_art that share
  a non-empty id_kelompok_ganda, in truth and in the result (the group ids
  themselves need not agree); precision, recall and F1 over those pairs.
- nik_usulan: precision = rows where the result's non-empty nik_usulan equals
  truth's / rows with a non-empty nik_usulan in the result; recall = the same
  numerator / rows with a non-empty nik_usulan in truth.

`skor`, `id_art_utama` and `keterangan` are not scored (the primary record
only matters through `tindakan`).
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from itertools import combinations

STATUSES = ["PADAN", "TIDAK_PADAN", "NIK_TIDAK_DITEMUKAN", "NIK_TIDAK_VALID", "TANPA_NIK"]
FLAGS = ["GANDA", "MENINGGAL", "NIK_BEDA_IDENTITAS", "PINDAH"]


def read(path: str) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return {r["id_art"]: r for r in csv.DictReader(f)}


def ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def pr(tp: int, n_pred: int, n_true: int) -> dict:
    p, r = ratio(tp, n_pred), ratio(tp, n_true)
    f1 = (
        round(2 * p * r / (p + r), 4)
        if p and r
        else (0.0 if p is not None and r is not None else None)
    )
    return {"precision": p, "recall": r, "f1": f1, "tp": tp, "pred": n_pred, "true": n_true}


def flag_set(cell: str) -> set[str]:
    return {f.strip() for f in (cell or "").split(";") if f.strip()}


def dup_pairs(rows: dict[str, dict[str, str]], keep: set[str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for id_art, r in rows.items():
        g = (r.get("id_kelompok_ganda") or "").strip()
        if g and id_art in keep:
            groups[g].append(id_art)
    return {tuple(sorted(p)) for ids in groups.values() for p in combinations(sorted(ids), 2)}


def score(result: dict, truth: dict) -> dict:
    empty = {c: "" for c in ("status", "flags", "tindakan", "nik_usulan", "id_kelompok_ganda")}
    pred = {k: result.get(k, empty) for k in truth}
    n = len(truth)
    out: dict = {
        "rows": n,
        "missing_rows": sum(1 for k in truth if k not in result),
        "extra_rows": sum(1 for k in result if k not in truth),
        "status_accuracy": ratio(sum(pred[k]["status"] == truth[k]["status"] for k in truth), n),
        "tindakan_accuracy": ratio(
            sum(pred[k]["tindakan"] == truth[k]["tindakan"] for k in truth), n
        ),
    }
    out["status"] = {}
    for s in STATUSES:
        tp = sum(1 for k in truth if truth[k]["status"] == s and pred[k]["status"] == s)
        out["status"][s] = pr(
            tp,
            sum(1 for k in truth if pred[k]["status"] == s),
            sum(1 for k in truth if truth[k]["status"] == s),
        )
    out["flags"] = {}
    for fl in FLAGS:
        t = {k for k in truth if fl in flag_set(truth[k]["flags"])}
        p = {k for k in truth if fl in flag_set(pred[k]["flags"])}
        out["flags"][fl] = pr(len(t & p), len(p), len(t))
    keep = set(truth)
    tp_pairs, pp_pairs = dup_pairs(truth, keep), dup_pairs(result, keep)
    out["duplicates"] = pr(len(tp_pairs & pp_pairs), len(pp_pairs), len(tp_pairs))
    correct = sum(
        1
        for k in truth
        if pred[k]["nik_usulan"].strip()
        and pred[k]["nik_usulan"].strip() == truth[k]["nik_usulan"].strip()
    )
    out["nik_usulan"] = pr(
        correct,
        sum(1 for k in truth if pred[k]["nik_usulan"].strip()),
        sum(1 for k in truth if truth[k]["nik_usulan"].strip()),
    )
    return out


def fmt(x) -> str:
    return "   -  " if x is None else f"{x:6.4f}"


def main() -> None:
    ap = argparse.ArgumentParser(description="score a Padu-format result against truth.csv")
    ap.add_argument("result")
    ap.add_argument("truth")
    ap.add_argument("--json", action="store_true", help="print only the JSON")
    a = ap.parse_args()
    s = score(read(a.result), read(a.truth))
    if not a.json:
        print(f"rows {s['rows']}  missing {s['missing_rows']}  extra {s['extra_rows']}")
        print(f"status accuracy   {fmt(s['status_accuracy'])}")
        print(f"tindakan accuracy {fmt(s['tindakan_accuracy'])}")
        print(f"{'':22} {'prec':>6} {'recall':>6} {'f1':>6} {'true':>7} {'pred':>7}")

        def line(name, m):
            print(
                f"{name:22} {fmt(m['precision'])} {fmt(m['recall'])} {fmt(m['f1'])}"
                f" {m['true']:7d} {m['pred']:7d}"
            )

        for k, m in s["status"].items():
            line(f"status {k}", m)
        for k, m in s["flags"].items():
            line(f"flag {k}", m)
        line("duplicate pairs", s["duplicates"])
        line("nik_usulan", s["nik_usulan"])
    print(json.dumps(s))


if __name__ == "__main__":
    main()
