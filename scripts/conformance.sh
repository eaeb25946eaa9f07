#!/usr/bin/env bash
# conformance.sh - libuv's own test suite (1.44.2, or 1.53.0) against rsuv (include/ +
# target/release).
#
# Usage: scripts/conformance.sh [--version 1.53.0] [--guard | --update] [--all] [--system]
#                               [--no-build] [-f REGEX] [-- ARGS for run-libuv-tests.sh]
#
#   --version V the suite: 1.44.2 (default; Debian's source) or 1.53.0 (libuv's, fetched
#               by ../shared/conformance/libuv-source.sh). Each has its own lists and
#               results: conformance/passing.txt, flaky.txt and results.tsv for 1.44.2,
#               conformance/passing-1.53.0.txt, flaky-1.53.0.txt, results-1.53.0.tsv
#
#   (no mode)   build rsuv in release, run the suite (or the -f subset), write
#               conformance/results.tsv and print the per-area table
#   --guard     run the tests listed in conformance/passing.txt (all tests with --all) and fail,
#               listing them, if any listed test did not pass. Tests in conformance/flaky.txt
#               are never guarded.
#   --update    run everything (or the -f subset), then rewrite conformance/passing.txt: every
#               test that passed, minus those in conformance/flaky.txt (with -f, listed tests
#               outside the subset stay listed)
#   --all       with --guard: run the whole suite, not only the guarded list (full table)
#   --system    run against Debian's libuv (/usr/include + libuv.so.1) instead of rsuv, to check
#               the plumbing (needs libuv1-dev; 1.44.2 only); not with --guard/--update
#   --no-build  skip `cargo build --release`
#   -f REGEX    only tests whose name matches REGEX (grep -E)
#
# Environment: RSUV_SHARED (default: <repo>/../shared), CONFORMANCE_ARGS (extra arguments for
# run-libuv-tests.sh, e.g. "-p 2"), CONFORMANCE_OUT (work dir, default /tmp/uvconf/tests-rsuv).
# Needs root or deb-src entries the first time: run-libuv-tests.sh fetches libuv's source itself.
set -euo pipefail

ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
SHARED=${RSUV_SHARED:-$ROOT/../shared}
RUNNER=$SHARED/conformance/run-libuv-tests.sh
TABLE=$ROOT/scripts/conformance-table.py
VERSION=1.44.2

MODE=run ALL=0 SYSTEM=0 BUILD=1 FILTER="" EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --version) VERSION=$2; shift 2 ;;
    --guard) MODE=guard; shift ;;
    --update) MODE=update; shift ;;
    --all) ALL=1; shift ;;
    --system) SYSTEM=1; shift ;;
    --no-build) BUILD=0; shift ;;
    -f|--filter) FILTER=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --) shift; EXTRA+=("$@"); break ;;
    *) echo "conformance.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
# shellcheck disable=SC2206
[ -n "${CONFORMANCE_ARGS:-}" ] && EXTRA+=(${CONFORMANCE_ARGS})
case "$VERSION" in
  1.44.2) SUFFIX="" ;;
  1.53.0) SUFFIX="-1.53.0"; EXTRA=(--version 1.53.0 "${EXTRA[@]}") ;;
  *) echo "conformance.sh: unknown --version $VERSION (1.44.2 or 1.53.0)" >&2; exit 2 ;;
esac
PASSING=$ROOT/conformance/passing$SUFFIX.txt
FLAKY=$ROOT/conformance/flaky$SUFFIX.txt
TSV=$ROOT/conformance/results$SUFFIX.tsv
[ -f "$RUNNER" ] || { echo "conformance.sh: $RUNNER not found (set RSUV_SHARED)" >&2; exit 2; }
if [ "$SYSTEM" = 1 ] && [ "$MODE" != run ]; then
  echo "conformance.sh: --system only checks the plumbing; not with --guard/--update" >&2; exit 2
fi

names() {  # the test names of a list file: first word of each non-comment line
  [ -f "$1" ] || return 0
  sed -e 's/#.*//' "$1" | awk 'NF {print $1}'
}

USER_FILTER=$FILTER
if [ "$MODE" = guard ] && [ "$ALL" = 0 ] && [ -z "$FILTER" ]; then
  GUARDED=$(comm -23 <(names "$PASSING" | LC_ALL=C sort -u) <(names "$FLAKY" | LC_ALL=C sort -u))
  if [ -z "$GUARDED" ]; then
    echo "conformance: $PASSING lists no tests; nothing to guard"
    exit 0
  fi
  FILTER="^($(echo "$GUARDED" | paste -sd'|'))\$"
fi

if [ "$SYSTEM" = 1 ]; then
  INC=/usr/include LIBDIR=/usr/lib/x86_64-linux-gnu LIBNAME=libuv.so.1
  OUT=${CONFORMANCE_OUT:-/tmp/uvconf/tests-system}
  [ -f "$INC/uv.h" ] || { echo "conformance.sh: $INC/uv.h missing (apt-get install libuv1-dev)" >&2; exit 2; }
else
  INC=$ROOT/include LIBDIR=$ROOT/target/release LIBNAME=libuv.so
  OUT=${CONFORMANCE_OUT:-/tmp/uvconf/tests-rsuv$SUFFIX}
  if [ "$BUILD" = 1 ]; then
    echo "conformance: cargo build --release" >&2
    (cd "$ROOT" && cargo build --release --quiet)
  fi
fi
OUT=${OUT%/} # the logs go to "$OUT.log": a trailing slash would put them inside OUT as ".log"

ARGS=(-l "$LIBNAME" -o "$OUT" -t "$TSV" -q)
[ -n "$FILTER" ] && ARGS+=(-f "$FILTER")
mkdir -p "$(dirname "$TSV")"
rm -f "$TSV"
echo "conformance: run-libuv-tests.sh $INC $LIBDIR ${ARGS[*]} ${EXTRA[*]:-}" | cut -c1-300 >&2
# The runner's own summary goes to a log; the table below is printed from the TSV.
LOG=$OUT.log
mkdir -p "$(dirname "$OUT")"
# The runner's make does not see every header change: always compile libuv's tests afresh.
rm -rf "$OUT/build"
set +e
bash "$RUNNER" "${ARGS[@]}" "${EXTRA[@]}" "$INC" "$LIBDIR" > "$LOG" 2>&1
RC=$?
set -e
if [ ! -s "$TSV" ]; then
  tail -30 "$LOG" >&2
  echo "conformance: the runner wrote no results (exit $RC); log: $LOG" >&2
  exit 2
fi
python3 "$TABLE" --version "$VERSION" "$TSV"

case "$MODE" in
  guard)
    # Every guarded test must have passed in this run (with -f: every guarded test it ran).
    GUARDED=$(comm -23 <(names "$PASSING" | LC_ALL=C sort -u) <(names "$FLAKY" | LC_ALL=C sort -u))
    if [ -n "$USER_FILTER" ]; then
      GUARDED=$(comm -12 <(echo "$GUARDED") <(awk -F'\t' 'NR > 1 {print $1}' "$TSV" | LC_ALL=C sort -u))
    fi
    MISSING=$(comm -23 <(echo "$GUARDED" | grep . || true) \
                       <(awk -F'\t' 'NR > 1 && $3 == "pass" {print $1}' "$TSV" | LC_ALL=C sort -u))
    if [ -n "$MISSING" ]; then
      echo
      echo "conformance guard: FAILED: $(echo "$MISSING" | wc -l) test(s) in $(basename "$PASSING") did not pass:"
      while read -r t; do
        line=$(awk -F'\t' -v t="$t" '$1 == t {printf "%-10s %s", $3, $6}' "$TSV")
        printf '  %-50s %s\n' "$t" "${line:-not run (not in the results)}"
      done <<< "$MISSING"
      echo "logs: $OUT/logs/<test>.log"
      exit 1
    fi
    echo "conformance guard ($VERSION): ok, all $(echo "$GUARDED" | grep -c . || true) guarded tests passed"
    ;;
  update)
    OLD=$(names "$PASSING" | LC_ALL=C sort -u)
    # Tests that passed now, plus (with -f) the listed tests this run did not cover.
    NEW=$(comm -23 <( { awk -F'\t' 'NR > 1 && $3 == "pass" {print $1}' "$TSV"
                         comm -23 <(echo "$OLD") <(awk -F'\t' 'NR > 1 {print $1}' "$TSV" | LC_ALL=C sort -u)
                       } | grep . | LC_ALL=C sort -u) \
                   <(names "$FLAKY" | LC_ALL=C sort -u))
    LOST=$(comm -23 <(echo "$OLD") <(echo "$NEW") | grep . || true)
    {
      echo "# libuv $VERSION tests that pass on rsuv: scripts/conformance.sh --guard fails if one stops"
      echo "# passing. Regenerate with scripts/conformance.sh --update (tests in $(basename "$FLAKY") are left out)."
      echo "$NEW"
    } > "$PASSING"
    echo "conformance: wrote $(echo "$NEW" | grep -c .) tests to conformance/$(basename "$PASSING")" \
         "($(comm -13 <(echo "$OLD") <(echo "$NEW") | grep -c .) new)"
    if [ -n "$LOST" ]; then
      echo "conformance: WARNING: $(echo "$LOST" | wc -l) test(s) left the list (no longer passing):"
      echo "$LOST" | sed 's/^/  /'
    fi
    ;;
esac
