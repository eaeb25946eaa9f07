#!/usr/bin/env bash
# benches/libuv-bench.sh - libuv 1.44.2's own benchmark runner, against Debian's libuv and
# rsuv back to back, with ratios.
#
# Usage: benches/libuv-bench.sh [-b "name name ..."] [--no-build]
#
# Wraps ../shared/conformance/run-libuv-bench.sh (RSUV_SHARED overrides ../shared). Default set:
#   loop_count million_timers million_async async_pummel_1 async_pummel_2 thread_create
#   queue_work fs_stat
# Ratio > 1 means rsuv is faster: rsuv/libuv when the unit ends in /s (higher is better),
# libuv/rsuv when it is seconds (lower is better). Figures move 10-20% from run to run.
# Each implementation's benchmarks are compiled against its own header.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${RSUV_SHARED:-$ROOT/../shared}
RUNNER=$SHARED/conformance/run-libuv-bench.sh
SET="loop_count million_timers million_async async_pummel_1 async_pummel_2 thread_create queue_work fs_stat"
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    -b) SET=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "libuv-bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -f "$RUNNER" ] || { echo "libuv-bench.sh: $RUNNER not found (set RSUV_SHARED)" >&2; exit 2; }
[ -f /usr/include/uv.h ] || { echo "libuv-bench.sh: apt-get install -y libuv1-dev" >&2; exit 2; }
if [ "$BUILD" = 1 ]; then (cd "$ROOT" && cargo build --release --quiet); fi

OUT=$HERE/build/libuv-bench
mkdir -p "$OUT"
echo "libuv-bench.sh: Debian's libuv" >&2
bash "$RUNNER" -b "$SET" -o /tmp/uvconf/bench-system -t "$OUT/libuv.tsv" \
  -l libuv.so.1 /usr/include /usr/lib/x86_64-linux-gnu > "$OUT/libuv.log" 2>&1 ||
  { tail -20 "$OUT/libuv.log" >&2; echo "libuv-bench.sh: libuv run failed" >&2; }
echo "libuv-bench.sh: rsuv" >&2
bash "$RUNNER" -b "$SET" -o /tmp/uvconf/bench-rsuv -t "$OUT/rsuv.tsv" \
  "$ROOT/include" "$ROOT/target/release" > "$OUT/rsuv.log" 2>&1 ||
  { tail -20 "$OUT/rsuv.log" >&2; echo "libuv-bench.sh: rsuv run failed" >&2; }

echo
echo "libuv 1.44.2 benchmarks: Debian's libuv vs rsuv; ratio > 1 means rsuv is faster"
echo
awk -F'\t' '
FNR == 1 { file++; next }
{
  key = $1
  if (!(key in seen)) { seen[key] = 1; order[++n] = key }
  st[file, key] = $2; fig[file, key] = $4; unit[file, key] = $5
}
END {
  printf "%-18s %14s %14s  %-14s %7s\n", "benchmark", "libuv", "rsuv", "unit", "ratio"
  printf "%-18s %14s %14s  %-14s %7s\n", "---------", "-----", "----", "----", "-----"
  for (i = 1; i <= n; i++) {
    k = order[i]
    l = (st[1, k] == "ok" && fig[1, k] != "") ? fig[1, k] : (st[1, k] == "" ? "-" : st[1, k])
    r = (st[2, k] == "ok" && fig[2, k] != "") ? fig[2, k] : (st[2, k] == "" ? "-" : st[2, k])
    u = unit[1, k] != "" ? unit[1, k] : unit[2, k]
    ratio = "-"
    if (l + 0 > 0 && r + 0 > 0 && l ~ /^[0-9.]+$/ && r ~ /^[0-9.]+$/) {
      if (u ~ /\/s$/) ratio = sprintf("%.2f", r / l); else ratio = sprintf("%.2f", l / r)
    }
    printf "%-18s %14s %14s  %-14s %7s\n", k, l, r, u, ratio
  }
}' "$OUT/libuv.tsv" "$OUT/rsuv.tsv"
echo
echo "raw: $OUT/{libuv,rsuv}.tsv and .log"
