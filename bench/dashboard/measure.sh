#!/usr/bin/env bash
# Times the progress dashboard as users see it: 200 sequential requests per
# path against a running `padu serve`, with an API token; prints p50, p99 and
# max in milliseconds. Usage: measure.sh TOKEN PATH... (PADU_URL, default
# http://127.0.0.1:8097). Used for docs/benchmarks.md, "The progress dashboard".
set -euo pipefail
T="$1"; shift
URL="${PADU_URL:-http://127.0.0.1:8097}"
for u in "$@"; do
  for _ in $(seq 1 200); do
    curl -s -o /dev/null -w "%{time_total}\n" -H "Authorization: Bearer $T" "$URL$u"
  done | sort -n | awk -v u="$u" '{a[NR]=$1*1000} END {printf "%s p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", u, a[int(NR*0.5)], a[int(NR*0.99)], a[NR]}'
done
