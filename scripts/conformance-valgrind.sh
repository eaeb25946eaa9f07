#!/usr/bin/env bash
# conformance-valgrind.sh - libuv's own tests (those rsuv passes: conformance/passing*.txt,
# minus flaky*.txt) under valgrind memcheck, against rsuv (target/release/libuv.so).
#
# Usage: scripts/conformance-valgrind.sh [--version 1.53.0] [--no-build] [-f REGEX]
#                                        [-m MULT] [--timeout SECS]
#
#   --version V  the suite: 1.44.2 (default) or 1.53.0
#   --no-build   skip `cargo build --release` (the library is copied into the work dir either
#                way, so rebuilding while this runs does not change what it tests)
#   -f REGEX     only the listed tests whose name matches REGEX (grep -E)
#   -m MULT      UV_TEST_TIMEOUT_MULTIPLIER for libuv's own per-test timeouts (default 20:
#                memcheck runs code 20-50x slower)
#   --timeout S  outer hard limit per test, in seconds (default 600)
#
# Each test runs as the libuv runner runs it (`run-tests NAME`: the runner process forks the
# test, and helpers, from its own binary) under
#   valgrind --trace-children=yes --error-exitcode=99 --leak-check=full
#            --errors-for-leak-kinds=definite --log-file=LOGS/NAME.%p.vg
# so every process of the test has its own memcheck log. A test is
#   clean     every process: "ERROR SUMMARY: 0 errors" and no definite leak
#   errors    some process reported memcheck errors (invalid read/write, uninitialised value,
#             bad free, ...) other than leaks
#   leak      some process reported "definitely lost" bytes (and no other error)
#   timeout   the outer limit killed it
#   fail      the test itself failed under valgrind but memcheck saw nothing (often timing)
# A test that failed with EADDRINUSE (a fixed port held by another program) is run again
# at the end, up to 3 times.
# The logs stay in $OUT/logs; the per-test lines in $OUT/results.tsv; the summary is printed
# and written to $OUT/summary.txt. Exit status: 0 when every test is clean, 1 otherwise.
#
# Environment: CONFORMANCE_OUT (work dir; default /tmp/uvconf/valgrind-rsuv[-1.53.0]),
# RSUV_SHARED (default <repo>/../shared), VALGRIND_ARGS (extra valgrind arguments).
# libuv's tests use fixed TCP ports: do not run this while another libuv suite runs.
# Not for CI: the whole 1.44 list takes about an hour on two cores.
set -euo pipefail

ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
SHARED=${RSUV_SHARED:-$ROOT/../shared}
RUNNER_SH=$SHARED/conformance/run-libuv-tests.sh
VERSION=1.44.2 BUILD=1 FILTER="" MULT=20 OUTER=600
while [ $# -gt 0 ]; do
  case "$1" in
    --version) VERSION=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -f|--filter) FILTER=$2; shift 2 ;;
    -m) MULT=$2; shift 2 ;;
    --timeout) OUTER=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "conformance-valgrind.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$VERSION" in
  1.44.2) SUFFIX="" VERARGS=() ;;
  1.53.0) SUFFIX="-1.53.0" VERARGS=(--version 1.53.0) ;;
  *) echo "conformance-valgrind.sh: unknown --version $VERSION" >&2; exit 2 ;;
esac
command -v valgrind >/dev/null || { echo "conformance-valgrind.sh: valgrind not installed" >&2; exit 2; }
OUT=${CONFORMANCE_OUT:-/tmp/uvconf/valgrind-rsuv$SUFFIX}
OUT=${OUT%/}

names() { [ -f "$1" ] || return 0; sed -e 's/#.*//' "$1" | awk 'NF {print $1}' | LC_ALL=C sort -u; }
TESTS=$(comm -23 <(names "$ROOT/conformance/passing$SUFFIX.txt") <(names "$ROOT/conformance/flaky$SUFFIX.txt"))
[ -n "$FILTER" ] && TESTS=$(echo "$TESTS" | grep -E -- "$FILTER" || true)
[ -n "$TESTS" ] || { echo "conformance-valgrind.sh: no test to run" >&2; exit 2; }

if [ "$BUILD" = 1 ]; then
  echo "conformance-valgrind: cargo build --release" >&2
  (cd "$ROOT" && cargo build --release --quiet)
fi

# The libuv runner script builds the test binary (linked against a copy of the library in
# $OUT/lib, by rpath) and runs one quick test to prove the harness works.
echo "conformance-valgrind: building libuv $VERSION's test runner in $OUT" >&2
mkdir -p "$OUT"
rm -rf "$OUT/build"
bash "$RUNNER_SH" "${VERARGS[@]}" -l libuv.so -o "$OUT" -q -f '^platform_output$' \
  "$ROOT/include" "$ROOT/target/release" > "$OUT/build.log" 2>&1 || true
RUN=$OUT/build/run-tests
[ -x "$RUN" ] || { tail -20 "$OUT/build.log" >&2; echo "conformance-valgrind: no runner built" >&2; exit 2; }

LOGS=$OUT/logs-vg
rm -rf "$LOGS"; mkdir -p "$LOGS"
TSV=$OUT/results.tsv
: > "$TSV"

# run_one TEST: runs it under memcheck; sets STATUS, SECS, PROCS, RC.
run_one() {
  local t=$1 dir t0 f e d lk errs=0 leaks=0
  rm -f "$LOGS/$t".*.vg "$LOGS/$t.out"
  dir=$OUT/run/$t; rm -rf "$dir"; mkdir -p "$dir"; ln -s "$OUT/fixroot/test" "$dir/test"
  t0=$(date +%s)
  set +e
  # shellcheck disable=SC2086
  (cd "$dir" && exec env UV_RUN_AS_ROOT=1 UV_TEST_TIMEOUT_MULTIPLIER="$MULT" \
     timeout -k 10 "$OUTER" valgrind --trace-children=yes --error-exitcode=99 \
       --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
       --num-callers=30 --log-file="$LOGS/$t.%p.vg" ${VALGRIND_ARGS:-} "$RUN" "$t") \
     > "$LOGS/$t.out" 2>&1 < /dev/null
  RC=$?
  set -e
  SECS=$(( $(date +%s) - t0 ))
  rm -rf "$dir"
  # Per process: its error count, and whether it lost memory for certain.
  PROCS=0
  for f in "$LOGS/$t".*.vg; do
    [ -f "$f" ] || continue
    PROCS=$((PROCS + 1))
    e=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f" | tail -1)
    d=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tail -1 | tr -d ,)
    [ "${d:-0}" -gt 0 ] && leaks=$((leaks + 1))
    # Leak records count as errors too (--errors-for-leak-kinds=definite): tell them apart.
    lk=$(grep -c 'are definitely lost in loss record' "$f" || true)
    [ $(( ${e:-0} - lk )) -gt 0 ] && errs=$((errs + 1))
  done
  if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then STATUS=timeout
  elif [ "$errs" -gt 0 ]; then STATUS=errors
  elif [ "$leaks" -gt 0 ]; then STATUS=leak
  elif grep -qE '^ok [0-9]+ - ' "$LOGS/$t.out"; then STATUS=clean
  elif grep -q '^# timeout$' "$LOGS/$t.out"; then STATUS=timeout
  else STATUS=fail
  fi
  # Clean tests keep no logs (there are hundreds); the others keep every process's log.
  if [ "$STATUS" = clean ]; then rm -f "$LOGS/$t".*.vg "$LOGS/$t.out"; fi
}

# Did TEST fail because a fixed port was taken (libuv prints the name or the number)?
port_taken() { grep -qE 'EADDRINUSE|error: -98\)' "$LOGS/$1.out" 2>/dev/null; }

NT=$(echo "$TESTS" | grep -c .)
echo "conformance-valgrind: $NT tests under memcheck (libuv timeouts x$MULT, outer ${OUTER}s)" >&2
START=$(date +%s)
i=0 RETRY=()
for t in $TESTS; do
  i=$((i + 1))
  run_one "$t"
  # A fixed port taken by another program (another suite, a benchmark): try again later.
  if [ "$STATUS" = fail ] && port_taken "$t"; then
    RETRY+=("$t"); STATUS=retry
  else
    printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$STATUS" "$SECS" "$PROCS" "$RC" >> "$TSV"
  fi
  printf '[%d/%d] %-50s %-8s %4ss\n' "$i" "$NT" "$t" "$STATUS" "$SECS" >&2
done
for t in "${RETRY[@]}"; do
  for attempt in 1 2 3; do
    sleep 20
    run_one "$t"
    port_taken "$t" || break
  done
  printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$STATUS" "$SECS" "$PROCS" "$RC" >> "$TSV"
  printf '[retry] %-50s %-8s %4ss\n' "$t" "$STATUS" "$SECS" >&2
done
END=$(date +%s)

{
  echo "conformance-valgrind: libuv $VERSION, $(git -C "$ROOT" rev-parse --short HEAD), $(valgrind --version)"
  awk -F'\t' '{n[$2]++; tot++} END {
    printf "tests run %d: clean %d, with errors %d, with definite leaks %d, timeouts %d, failed otherwise %d\n",
      tot, n["clean"], n["errors"], n["leak"], n["timeout"], n["fail"] }' "$TSV"
  echo "wall time: $(( (END - START) / 60 )) min; logs of the tests not clean: $LOGS"
  awk -F'\t' '$2 != "clean" {printf "  %-50s %s\n", $1, $2}' "$TSV"
} | tee "$OUT/summary.txt"
! awk -F'\t' '$2 != "clean" {bad = 1} END {exit !bad}' "$TSV"
