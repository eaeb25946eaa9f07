#!/usr/bin/env bash
# benches/libuv-bench.sh - libuv 1.44.2's own benchmark runner, against Debian's libuv and
# rsuv back to back, with ratios.
#
# Usage: benches/libuv-bench.sh [-b "name name ..."] [--all] [--version V] [--ref DIR] [--no-build]
#
# Wraps ../shared/conformance/run-libuv-bench.sh (RSUV_SHARED overrides ../shared). Default set:
#   loop_count million_timers million_async async_pummel_1 async_pummel_2 thread_create
#   queue_work fs_stat
# --all runs every benchmark of the suite; --version 1.53.0 builds 1.53's benchmark programs
# instead of 1.44.2's; --ref DIR adds real libuv 1.53.0 from DIR (build-libuv-reference.sh).
# Ratio > 1 means rsuv is faster: rsuv/other when the unit ends in /s (higher is better),
# other/rsuv when it is seconds (lower is better). Figures move 10-20% from run to run.
# Each implementation's benchmarks are compiled against its own header.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${RSUV_SHARED:-$ROOT/../shared}
RUNNER=$SHARED/conformance/run-libuv-bench.sh
SET="loop_count million_timers million_async async_pummel_1 async_pummel_2 thread_create queue_work fs_stat"
BUILD=1 VERSION=1.44.2 REF="" ALL=0
while [ $# -gt 0 ]; do
  case "$1" in
    -b) SET=$2; shift 2 ;;
    --all) ALL=1; shift ;;
    --version) VERSION=$2; shift 2 ;;
    --ref) REF=$(cd "$2" && pwd); shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "libuv-bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -f "$RUNNER" ] || { echo "libuv-bench.sh: $RUNNER not found (set RSUV_SHARED)" >&2; exit 2; }
[ -f /usr/include/uv.h ] || { echo "libuv-bench.sh: apt-get install -y libuv1-dev" >&2; exit 2; }
if [ "$BUILD" = 1 ]; then (cd "$ROOT" && cargo build --release --quiet); fi

OUT=$HERE/build/libuv-bench-$VERSION
mkdir -p "$OUT"
sel=(-b "$SET")
[ "$ALL" = 1 ] && sel=(--all)
run() {  # $1 name, $2 include dir, $3 lib dir, $4 lib file name
  echo "libuv-bench.sh: $1 ($VERSION benchmarks)" >&2
  bash "$RUNNER" --version "$VERSION" "${sel[@]}" -o "/tmp/uvconf/bench-$1-$VERSION" \
    -t "$OUT/$1.tsv" -l "$4" "$2" "$3" > "$OUT/$1.log" 2>&1 ||
    { tail -20 "$OUT/$1.log" >&2; echo "libuv-bench.sh: $1 run failed" >&2; }
}
run libuv /usr/include /usr/lib/x86_64-linux-gnu libuv.so.1
FILES=("$OUT/libuv.tsv")
if [ -n "$REF" ]; then
  run ref153 "$REF/include" "$REF/lib" libuv.so.1
  FILES+=("$OUT/ref153.tsv")
fi
run rsuv "$ROOT/include" "$ROOT/target/release" libuv.so
FILES+=("$OUT/rsuv.tsv")

echo
echo "libuv $VERSION benchmarks: rsuv against Debian's libuv 1.44${REF:+ and libuv 1.53.0}; ratio > 1 means rsuv is faster"
echo
awk -F'\t' -v nfiles="${#FILES[@]}" '
FNR == 1 { file++; next }
{
  key = $1
  if (!(key in seen)) { seen[key] = 1; order[++n] = key }
  st[file, key] = $2; fig[file, key] = $4; unit[file, key] = $5
}
function shown(f, k) { return (st[f, k] == "ok" && fig[f, k] != "") ? fig[f, k] : (st[f, k] == "" ? "-" : st[f, k]) }
function ratio(f, k, u,   l, r) {
  l = shown(f, k); r = shown(nfiles, k)
  if (l + 0 > 0 && r + 0 > 0 && l ~ /^[0-9.e+]+$/ && r ~ /^[0-9.e+]+$/)
    return (u ~ /\/s$/) ? sprintf("%.2f", r / l) : sprintf("%.2f", l / r)
  return "-"
}
END {
  printf "%-26s %14s", "benchmark", "libuv 1.44"
  if (nfiles == 3) printf " %14s", "libuv 1.53"
  printf " %14s  %-12s %8s", "rsuv", "unit", "vs 1.44"
  if (nfiles == 3) printf " %8s", "vs 1.53"
  printf "\n"
  for (i = 1; i <= n; i++) {
    k = order[i]
    u = unit[1, k] != "" ? unit[1, k] : unit[nfiles, k]
    printf "%-26s %14s", k, shown(1, k)
    if (nfiles == 3) printf " %14s", shown(2, k)
    printf " %14s  %-12s %8s", shown(nfiles, k), u, ratio(1, k, u)
    if (nfiles == 3) printf " %8s", ratio(2, k, u)
    printf "\n"
  }
}' "${FILES[@]}"
echo
echo "raw: $OUT/*.tsv and .log"
