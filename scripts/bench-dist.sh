#!/usr/bin/env bash
# Measures `padu-dist verify` against `padu verify` on one generated data set:
# wall time and peak memory (VmHWM) of every process, on this machine.
#
#   cargo build --release -p padu-cli -p padu-dist
#   target/release/padu gen --people 1000000 --seed 7 --today 2026-01-01 --parquet --out /tmp/d1m
#   scripts/bench-dist.sh /tmp/d1m [executors] [slots per executor]
#
# Writes results under the data directory (hasil-*); prints one line per
# process. Set MEMCAP (e.g. 2G) to run every process under that memory cap,
# each in its own memory cgroup (cgroup v1's memory controller, mounted at
# /sys/fs/cgroup/memory on this machine, which has no systemd to ask for a
# scope): a process that passes the cap is killed by the kernel. Set
# PARTITIONS to pass --partitions to padu-dist verify.
set -euo pipefail
data=${1:?data directory with civil.parquet and registry.parquet}
executors=${2:-2}
slots=${3:-1}
bin=${PADU_BIN:-target/release}
today=2026-01-01
# Replaces the calling (sub)shell with "$@", in a new memory cgroup capped at
# MEMCAP (without MEMCAP, uncapped); call it in a subshell, `(capped ...)`
# or `capped ... &`, so that the PID the caller sees is the process's own.
capped() {
  if [ -z "${MEMCAP:-}" ]; then exec "$@"; fi
  local cg=/sys/fs/cgroup/memory/padu-bench-$$-$BASHPID
  mkdir "$cg"
  echo "$MEMCAP" >"$cg/memory.limit_in_bytes"
  # No swap either, where the kernel counts it.
  if [ -e "$cg/memory.memsw.limit_in_bytes" ]; then echo "$MEMCAP" >"$cg/memory.memsw.limit_in_bytes"; fi
  echo "$BASHPID" >"$cg/cgroup.procs"
  exec "$@"
}
uncap() { rmdir /sys/fs/cgroup/memory/padu-bench-$$-* 2>/dev/null || true; }
if [ -n "${MEMCAP:-}" ]; then echo "== every process capped at $MEMCAP"; fi

peak() { awk '/VmHWM/ {print $2 " KB"}' "/proc/$1/status" 2>/dev/null || echo "?"; }
# Bytes a process passed to write(2) and the like (/proc/PID/io wchar): for
# an executor, its shuffle files and its share of the work directory.
# Sockets are not counted (Rust's TcpStream sends with send(2)).
written() { awk '/^wchar/ {printf "%.2f GB written to files", $2 / 1e9}' "/proc/$1/io" 2>/dev/null || echo "? written"; }
# Bytes through the loopback interface, where executors fetch each other's shuffle files.
loopback() { awk '/lo:/ {print $2}' /proc/net/dev; }

echo "== padu verify (one process)"
rm -f "$data/hasil-padu.csv"
(capped /usr/bin/time -f "padu verify: %e s, peak %M KB" "$bin/padu" verify \
  --registry "$data/registry.parquet" --civil "$data/civil.parquet" \
  --out "$data/hasil-padu.csv" --today "$today" >/dev/null 2>"$data/padu.log") || {
  tail -3 "$data/padu.log"; echo "padu verify failed (memory cap?)"; }
tail -1 "$data/padu.log"

echo "== padu-dist verify (1 scheduler + $executors executors x $slots slots)"
port=$((50100 + RANDOM % 500))
work=$(mktemp -d)
capped "$bin/padu-dist" scheduler --bind "127.0.0.1:$port" 2>"$work/scheduler.log" &
sched=$!
sleep 1
pids=()
for i in $(seq 1 "$executors"); do
  capped "$bin/padu-dist" executor --scheduler "127.0.0.1:$port" \
    --port $((port + 10 * i)) --slots "$slots" \
    --work-dir "$work/e$i" 2>"$work/executor$i.log" &
  pids+=($!)
  mkdir -p "$work/e$i"
done
# A failed run must not leave the cluster behind.
trap 'kill "$sched" "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null; uncap' EXIT
sleep 2
rm -rf "$data/hasil-dist" "$data/hasil-dist.kerja"
lo_before=$(loopback)
(capped /usr/bin/time -f "padu-dist verify (client): %e s, peak %M KB" "$bin/padu-dist" verify \
  --registry "$data/registry.parquet" --civil "$data/civil.parquet" \
  --out "$data/hasil-dist" --today "$today" --scheduler "127.0.0.1:$port" \
  --partitions "${PARTITIONS:-4}") 2>&1 | tail -12
echo "scheduler: peak $(peak $sched)"
for i in "${!pids[@]}"; do
  echo "executor $((i + 1)): peak $(peak "${pids[$i]}"), $(written "${pids[$i]}")"
done
echo "loopback traffic during the job: $(( ($(loopback) - lo_before) / 1000000 )) MB"
du -sh "$work" | awk '{print "shuffle files left on disk: " $1}'
kill "$sched" "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
rm -rf "$work"
