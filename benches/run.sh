#!/usr/bin/env bash
# benches/run.sh - rsuv against Debian's libuv on the benchmark programs in benches/*.c.
#
# Usage: benches/run.sh [-n REPS] [-b "prog prog ..."] [--quick] [--no-build]
#
# Each program is compiled twice: against rsuv (include/ + target/release/libuv.so, built here
# with `cargo build --release` unless --no-build) and against Debian's libuv (/usr/include +
# /usr/lib/x86_64-linux-gnu/libuv.so.1, from libuv1-dev). The two builds run alternately,
# REPS times each (default 3); the best figure of each is kept. Output: one table row per
# figure with both values and the ratio, where ratio > 1 means rsuv is faster:
#   rsuv/libuv for throughputs (units ending in /s, higher is better),
#   libuv/rsuv for latencies (us, ms, s: lower is better).
# A program that fails (e.g. a function rsuv does not implement yet) shows "error".
#
#   -n REPS        runs per build and program (default 3)
#   -b "NAMES"     only these programs (file names without .c)
#   --quick        small sizes (seconds, not minutes): for CI or a smoke test
#   --no-build     do not run cargo build --release
# Outputs: benches/build/{rsuv,libuv}/ (binaries), benches/build/results.tsv (every run).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
B=$HERE/build
REPS=3 ONLY="" QUICK=0 BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    -n) REPS=$2; shift 2 ;;
    -b) ONLY=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

SYS_INC=/usr/include
SYS_LIB=/usr/lib/x86_64-linux-gnu/libuv.so.1
[ -f "$SYS_INC/uv.h" ] && [ -e "$SYS_LIB" ] ||
  { echo "run.sh: Debian's libuv is missing: apt-get install -y libuv1-dev" >&2; exit 2; }
if [ "$BUILD" = 1 ]; then
  echo "run.sh: cargo build --release" >&2
  (cd "$ROOT" && cargo build --release --quiet)
fi
[ -f "$ROOT/target/release/libuv.so" ] || { echo "run.sh: no target/release/libuv.so" >&2; exit 2; }

if [ "$QUICK" = 1 ]; then
  export BENCH_TIMERS=${BENCH_TIMERS:-100000} BENCH_ASYNC_ROUNDS=${BENCH_ASYNC_ROUNDS:-10000}
  export BENCH_PUMMEL_MS=${BENCH_PUMMEL_MS:-200} BENCH_ITERS=${BENCH_ITERS:-200000}
  export BENCH_WORK_ITEMS=${BENCH_WORK_ITEMS:-100000} BENCH_LATENCY_ROUNDS=${BENCH_LATENCY_ROUNDS:-1000}
  export BENCH_STATS=${BENCH_STATS:-10000} BENCH_FS_READ_MB=${BENCH_FS_READ_MB:-64}
fi

# Private copy of rsuv (+ its SONAME link) so the binaries never load a system libuv by mistake
# and a rebuild during the run changes nothing.
rm -rf "$B/rsuv" "$B/libuv"
mkdir -p "$B/rsuv/lib" "$B/libuv"
cp -L "$ROOT/target/release/libuv.so" "$B/rsuv/lib/libuv.so"
ln -sf libuv.so "$B/rsuv/lib/libuv.so.1"

CC=${CC:-cc}
CFLAGS="-O2 -g -std=gnu11 -Wall -Wextra -Werror -pthread"
PROGS=""
for src in "$HERE"/*.c; do
  p=$(basename "$src" .c)
  # syscalls.c counts system calls, not time: benches/syscalls.sh runs it.
  [ "$p" = syscalls ] && continue
  if [ -n "$ONLY" ] && ! [[ " $ONLY " == *" $p "* ]]; then continue; fi
  PROGS="$PROGS $p"
  # rsuv: its header, its library
  if ! $CC $CFLAGS -I"$ROOT/include" -I"$HERE" "$src" -o "$B/rsuv/$p" \
       -L"$B/rsuv/lib" -luv -Wl,-rpath,"$B/rsuv/lib" > "$B/rsuv/$p.build.log" 2>&1; then
    echo "run.sh: $p does not build against rsuv (see $B/rsuv/$p.build.log)" >&2
  fi
  # Debian's libuv: its header, its library (by full path, so no -luv lookup is involved)
  if ! $CC $CFLAGS -I"$SYS_INC" -I"$HERE" "$src" -o "$B/libuv/$p" "$SYS_LIB" \
       > "$B/libuv/$p.build.log" 2>&1; then
    echo "run.sh: $p does not build against libuv (see $B/libuv/$p.build.log)" >&2
  fi
done
[ -n "$PROGS" ] || { echo "run.sh: no programs selected" >&2; exit 2; }

# The loader must resolve libuv.so.1 to the intended library.
for p in $PROGS; do
  if [ -x "$B/rsuv/$p" ] && ! ldd "$B/rsuv/$p" | grep -q "libuv.so.1 => $B/rsuv/lib/"; then
    echo "run.sh: $B/rsuv/$p does not resolve libuv.so.1 to rsuv:" >&2; ldd "$B/rsuv/$p" >&2; exit 1
  fi
done

RES=$B/results.tsv
printf 'impl\trep\tprogram\tbenchmark\tvalue\tunit\n' > "$RES"
run_one() {  # $1 impl, $2 program, $3 rep
  local exe=$B/$1/$2 out
  if [ ! -x "$exe" ]; then printf '%s\t%s\t%s\t*\terror\t-\n' "$1" "$3" "$2" >> "$RES"; return; fi
  if out=$(cd /tmp && timeout -k 5 300 "$exe" 2> "$B/$1/$2.err"); then
    echo "$out" | awk -v i="$1" -v r="$3" -v p="$2" '$1 == "BENCH" {printf "%s\t%s\t%s\t%s\t%s\t%s\n", i, r, p, $2, $3, $4}' >> "$RES"
  else
    echo "$out" | awk -v i="$1" -v r="$3" -v p="$2" '$1 == "BENCH" {printf "%s\t%s\t%s\t%s\t%s\t%s\n", i, r, p, $2, $3, $4}' >> "$RES"
    printf '%s\t%s\t%s\t*\terror\t-\n' "$1" "$3" "$2" >> "$RES"
    echo "run.sh: $1/$2 failed: $(grep -m1 -E 'BENCH-ERROR|rror' "$B/$1/$2.err" | cut -c1-160)" >&2
  fi
}

for p in $PROGS; do
  for rep in $(seq 1 "$REPS"); do
    # Alternate which one goes first, so neither always gets the warmer machine.
    if [ $((rep % 2)) = 1 ]; then run_one libuv "$p" "$rep"; run_one rsuv "$p" "$rep"
    else run_one rsuv "$p" "$rep"; run_one libuv "$p" "$rep"; fi
  done
  echo "run.sh: $p done" >&2
done

echo
echo "rsuv vs libuv 1.44.2 (Debian), best of $REPS runs each; ratio > 1 means rsuv is faster"
echo "(rsuv/libuv for throughputs, units ending in /s; libuv/rsuv for latencies)"
echo
awk -F'\t' '
NR == 1 { next }
$4 == "*" { progerr[$1, $3] = 1; if (!($3 in progseen)) { progseen[$3] = 1; porder[++np] = $3 }; next }
{
  key = $3 SUBSEP $4
  if (!(key in seen)) { seen[key] = 1; order[++n] = key; name[key] = $4; hasfig[$3] = 1 }
  unit[key] = $6
  higher = ($6 ~ /\/s$/)
  k = $1 SUBSEP key
  if (!(k in best) || (higher && $5 + 0 > best[k]) || (!higher && $5 + 0 < best[k])) best[k] = $5 + 0
}
END {
  printf "%-22s %16s %16s  %-14s %7s\n", "benchmark", "libuv", "rsuv", "unit", "ratio"
  printf "%-22s %16s %16s  %-14s %7s\n", "---------", "-----", "----", "----", "-----"
  for (i = 1; i <= n; i++) {
    key = order[i]
    l = (("libuv" SUBSEP key) in best) ? sprintf("%.1f", best["libuv", key]) : "error"
    r = (("rsuv" SUBSEP key) in best) ? sprintf("%.1f", best["rsuv", key]) : "error"
    ratio = "-"
    if (l != "error" && r != "error" && best["libuv", key] > 0 && best["rsuv", key] > 0) {
      if (unit[key] ~ /\/s$/) ratio = sprintf("%.2f", best["rsuv", key] / best["libuv", key])
      else ratio = sprintf("%.2f", best["libuv", key] / best["rsuv", key])
    }
    printf "%-22s %16s %16s  %-14s %7s\n", name[key], l, r, unit[key], ratio
  }
  # Programs that printed no figure at all, on either side.
  for (i = 1; i <= np; i++) if (!(porder[i] in hasfig))
    printf "%-22s %16s %16s  %-14s %7s\n", porder[i] " (all)", "error", "error", "-", "-"
}' "$RES"
echo
echo "all runs: $RES"
