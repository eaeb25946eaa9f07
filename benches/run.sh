#!/usr/bin/env bash
# benches/run.sh - rsuv against Debian's libuv on the benchmark programs in benches/*.c.
#
# Usage: benches/run.sh [-n REPS] [-b "prog prog ..."] [--ref DIR] [--quick] [--no-build]
#
# Each program is compiled against rsuv (include/ + target/release/libuv.so, built here with
# `cargo build --release` unless --no-build), against Debian's libuv 1.44 (/usr/include +
# /usr/lib/x86_64-linux-gnu/libuv.so.1, from libuv1-dev) and, with --ref, against a real
# libuv 1.53.0 installed in DIR (../shared/conformance/build-libuv-reference.sh 1.53.0 DIR).
# The fs_* programs also run a second time on 1.53 with its io_uring opt-in
# (UV_USE_IO_URING=1 and UV_LOOP_USE_IO_URING_SQPOLL: column "1.53+uring"). The builds run
# in turn, REPS times each (default 3), the order rotating; the best figure of each is
# kept. Output: one table row per figure with every value and rsuv's ratio to each, where
# ratio > 1 means rsuv is faster:
#   rsuv/other for throughputs (units ending in /s or /cpu-s, higher is better),
#   other/rsuv for latencies (us, ms, s: lower is better).
# A program that fails (e.g. a function rsuv does not implement yet) shows "error".
#
#   -n REPS        runs per build and program (default 3)
#   -b "NAMES"     only these programs (file names without .c)
#   --ref DIR      also libuv 1.53.0 from DIR (DIR/include, DIR/lib/libuv.so.1)
#   --quick        small sizes (seconds, not minutes): for CI or a smoke test
#   --no-build     do not run cargo build --release
# Outputs: benches/build/{rsuv,libuv,ref153}/ (binaries), benches/build/results.tsv (every run).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
B=$HERE/build
REPS=3 ONLY="" QUICK=0 BUILD=1 REF=""
while [ $# -gt 0 ]; do
  case "$1" in
    -n) REPS=$2; shift 2 ;;
    --ref) REF=$(cd "$2" && pwd); shift 2 ;;
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
  export BENCH_FS_OPS=${BENCH_FS_OPS:-10000}
fi
if [ -n "$REF" ]; then
  [ -f "$REF/include/uv.h" ] && [ -e "$REF/lib/libuv.so.1" ] ||
    { echo "run.sh: --ref $REF: no include/uv.h or lib/libuv.so.1" >&2; exit 2; }
fi

# Private copy of rsuv (+ its SONAME link) so the binaries never load a system libuv by mistake
# and a rebuild during the run changes nothing.
rm -rf "$B/rsuv" "$B/libuv" "$B/ref153"
mkdir -p "$B/rsuv/lib" "$B/libuv" "$B/ref153"
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
  # libuv 1.53.0: its header, its library
  if [ -n "$REF" ] && ! $CC $CFLAGS -I"$REF/include" -I"$HERE" "$src" -o "$B/ref153/$p" \
       "$REF/lib/libuv.so.1" -Wl,-rpath,"$REF/lib" > "$B/ref153/$p.build.log" 2>&1; then
    echo "run.sh: $p does not build against libuv 1.53 (see $B/ref153/$p.build.log)" >&2
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
  local dir=$1 env=()
  if [ "$1" = ref153-uring ]; then dir=ref153; env=(UV_USE_IO_URING=1 BENCH_SQPOLL=1); fi
  local exe=$B/$dir/$2 out
  if [ ! -x "$exe" ]; then printf '%s\t%s\t%s\t*\terror\t-\n' "$1" "$3" "$2" >> "$RES"; return; fi
  if out=$(cd /tmp && env "${env[@]}" timeout -k 5 300 "$exe" 2> "$B/$dir/$2.$1.err"); then
    echo "$out" | awk -v i="$1" -v r="$3" -v p="$2" '$1 == "BENCH" {printf "%s\t%s\t%s\t%s\t%s\t%s\n", i, r, p, $2, $3, $4}' >> "$RES"
  else
    echo "$out" | awk -v i="$1" -v r="$3" -v p="$2" '$1 == "BENCH" {printf "%s\t%s\t%s\t%s\t%s\t%s\n", i, r, p, $2, $3, $4}' >> "$RES"
    printf '%s\t%s\t%s\t*\terror\t-\n' "$1" "$3" "$2" >> "$RES"
    echo "run.sh: $1/$2 failed: $(grep -m1 -E 'BENCH-ERROR|rror' "$B/$dir/$2.$1.err" | cut -c1-160)" >&2
  fi
}

IMPLS="libuv"
[ -n "$REF" ] && IMPLS="$IMPLS ref153"
for p in $PROGS; do
  impls="$IMPLS rsuv"
  if [ -n "$REF" ] && [[ $p == fs_* ]]; then impls="$IMPLS ref153-uring rsuv"; fi
  set -- $impls
  n=$#
  for rep in $(seq 1 "$REPS"); do
    # Rotate which one goes first, so none always gets the warmer machine.
    for k in $(seq 0 $((n - 1))); do
      idx=$(( (k + rep) % n + 1 ))
      run_one "${!idx}" "$p" "$rep"
    done
  done
  echo "run.sh: $p done" >&2
done

echo
echo "rsuv against libuv 1.44.2 (Debian)${REF:+, libuv 1.53.0 (pool) and 1.53.0 with its io_uring opt-in (fs only)},"
echo "best of $REPS runs each; ratio > 1 means rsuv is faster"
echo "(rsuv/other for throughputs, units ending in /s or /cpu-s; other/rsuv for latencies)"
echo
awk -F'\t' -v impls="libuv ref153 ref153-uring" '
BEGIN {
  ni = split(impls, im, " ")
  hdr["libuv"] = "1.44"; hdr["ref153"] = "1.53"; hdr["ref153-uring"] = "1.53+uring"
}
NR == 1 { next }
$4 == "*" { if (!($3 in progseen)) { progseen[$3] = 1; porder[++np] = $3 }; next }
{
  key = $3 SUBSEP $4
  if (!(key in seen)) { seen[key] = 1; order[++n] = key; name[key] = $4; hasfig[$3] = 1 }
  unit[key] = $6; present[$1] = 1
  higher = ($6 ~ /\/(cpu-)?s$/)
  k = $1 SUBSEP key
  if (!(k in best) || (higher && $5 + 0 > best[k]) || (!higher && $5 + 0 < best[k])) best[k] = $5 + 0
}
function val(i, key) { return ((i SUBSEP key) in best) ? sprintf("%.1f", best[i, key]) : "-" }
function ratio(i, key) {
  if (!((i SUBSEP key) in best) || !(("rsuv" SUBSEP key) in best)) return "-"
  if (best[i, key] <= 0 || best["rsuv", key] <= 0) return "-"
  if (unit[key] ~ /\/(cpu-)?s$/) return sprintf("%.2f", best["rsuv", key] / best[i, key])
  return sprintf("%.2f", best[i, key] / best["rsuv", key])
}
END {
  printf "%-22s", "benchmark"
  for (j = 1; j <= ni; j++) if (im[j] in present) printf " %14s", hdr[im[j]]
  printf " %14s  %-12s", "rsuv", "unit"
  for (j = 1; j <= ni; j++) if (im[j] in present) printf " %11s", "vs " hdr[im[j]]
  printf "\n"
  for (i = 1; i <= n; i++) {
    key = order[i]
    printf "%-22s", name[key]
    for (j = 1; j <= ni; j++) if (im[j] in present) printf " %14s", val(im[j], key)
    printf " %14s  %-12s", val("rsuv", key), unit[key]
    for (j = 1; j <= ni; j++) if (im[j] in present) printf " %11s", ratio(im[j], key)
    printf "\n"
  }
  # Programs that printed no figure at all, on either side.
  for (i = 1; i <= np; i++) if (!(porder[i] in hasfig))
    printf "%-22s %14s\n", porder[i] " (all)", "error"
}' "$RES"
echo
echo "all runs: $RES"
