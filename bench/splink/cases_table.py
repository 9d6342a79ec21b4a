"""The per-case table of docs/benchmarks.md from two `padu bench score` reports.

Usage: python3 bench/splink/cases_table.py PADU_SCORE.txt SPLINK_SCORE.txt

Each report ends with a per-case section (one line per label of the truth's
`keterangan`); this prints both tools side by side as a Markdown table, with
the F1 of `nik_usulan` and of duplicate pairs per case, the higher in bold.
"""
import sys
def parse(path):
    out = {}
    on = False
    for line in open(path):
        if line.startswith('per case'):
            on = True; continue
        if not on or not line.startswith('  '): continue
        parts = line.rstrip('\n').split()
        nums = parts[-8:]
        name = line[2:54].strip()
        rows, acc, np_, nr, ntp, dp, dr, dtp = nums
        out[name] = dict(rows=int(rows), np=float(np_), nr=float(nr), ntp=int(ntp), dp=float(dp), dr=float(dr), dtp=int(dtp))
    return out
a = parse(sys.argv[1]); b = parse(sys.argv[2])
def f1(p, r): return 0 if p + r == 0 else 2*p*r/(p+r)
print('| case (truth `keterangan` label) | rows | `nik_usulan` P / R, Padu | Splink | F1 Padu / Splink | duplicate pairs P / R, Padu | Splink | F1 Padu / Splink |')
print('|---|---|---|---|---|---|---|---|')
for k in sorted(a):
    x, y = a[k], b.get(k)
    if y is None: continue
    nf = (f1(x['np'], x['nr']), f1(y['np'], y['nr']))
    df = (f1(x['dp'], x['dr']), f1(y['dp'], y['dr']))
    mark = lambda t: f"**{t[0]:.4f}** / {t[1]:.4f}" if t[0] > t[1] else (f"{t[0]:.4f} / {t[1]:.4f}" if t[0] == t[1] else f"{t[0]:.4f} / **{t[1]:.4f}**")
    nik = f"{x['np']:.4f} / {x['nr']:.4f}" if x['ntp'] or x['nr'] < 1 else "— (none to propose)"
    print(f"| {k} | {x['rows']:,} | {x['np']:.4f} / {x['nr']:.4f} | {y['np']:.4f} / {y['nr']:.4f} | {mark(nf)} | {x['dp']:.4f} / {x['dr']:.4f} ({x['dtp']:,}) | {y['dp']:.4f} / {y['dr']:.4f} ({y['dtp']:,}) | {mark(df)} |")
