#!/usr/bin/env bash
# Load and soak programs (stress/) against rsuv, optionally also against
# the system libuv, printed as one table of figures.
#
#   scripts/stress.sh [--small] [--libuv] [--no-build] [--only NAME...]
#
#   --small     CI sizes (the whole set in a few minutes on 2 cores)
#   --libuv     also build and run against the system libuv (-luv from the
#               default library path, <uv.h> from /usr/include) and show
#               it next to rsuv (the two take turns going first)
#   --no-build  skip `cargo build --release`
#   --only N    run only the named entries (repeatable; e.g. tcp_echo,
#               soak_fs)
#
# The programs report figures and fail only on real failures (data
# mismatch, lost stream bytes, crash, RSS growth past a margin, leaked
# descriptors); nothing is timed against a limit. Logs go to
# target/stress/logs/. Exit status is non-zero if any run failed.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD

build=1 libuv=0 small=0
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --small) small=1 ;;
    --libuv) libuv=1 ;;
    --no-build) build=0 ;;
    --only) shift; only+=("$1") ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "stress.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

CC=${CC:-cc}
OUT=$ROOT/target/stress
LOGS=$OUT/logs
mkdir -p "$OUT/rsuv" "$LOGS"
rm -f "$LOGS"/*.log
PROGRAMS="tcp_echo pipe_echo udp_flood accept_emfile soak fork_load"

if [ $build = 1 ]; then
  cargo build --release || { echo "stress: cargo build failed"; exit 1; }
fi

impls="rsuv"
[ $libuv = 1 ] && impls="rsuv libuv" && mkdir -p "$OUT/libuv"

for p in $PROGRAMS; do
  $CC -O2 -g -Wall -Iinclude "stress/$p.c" -o "$OUT/rsuv/$p" \
    -L"$ROOT/target/release" -luv -lpthread -Wl,-rpath,"$ROOT/target/release" \
    || { echo "stress: building $p against rsuv failed"; exit 1; }
  if [ $libuv = 1 ]; then
    $CC -O2 -g -Wall "stress/$p.c" -o "$OUT/libuv/$p" -luv -lpthread \
      || { echo "stress: building $p against the system libuv failed"; exit 1; }
  fi
done

# name | command line | time limit (s)
if [ $small = 1 ]; then
  runs=(
    "tcp_echo|tcp_echo 500 256K|300"
    "pipe_echo|pipe_echo 100 256K|300"
    "udp_flood|udp_flood 100000|300"
    "accept_emfile|accept_emfile 1000|120"
    "soak_timer|soak timer 100000|300"
    "soak_tcp|soak tcp 10000|300"
    "soak_fs|soak fs 10000|300"
    "soak_spawn|soak spawn 1000|300"
    "soak_dns|soak dns 10000|300"
    "fork_load|fork_load 1000|120"
  )
else
  runs=(
    "tcp_echo|tcp_echo ${STRESS_TCP_CONNS:-10000} 1M|1800"
    "pipe_echo|pipe_echo 1000 1M|1800"
    "udp_flood|udp_flood 1000000|900"
    "accept_emfile|accept_emfile 2000|120"
    "soak_timer|soak timer 1000000|1800"
    "soak_tcp|soak tcp 100000|1800"
    "soak_fs|soak fs 100000|1800"
    "soak_spawn|soak spawn 10000|1800"
    "soak_dns|soak dns 100000|1800"
    "fork_load|fork_load 10000|1800"
  )
fi

table=$LOGS/table.tsv
: > "$table"
passed=0 failed=0
# With --libuv the two libraries take turns going first, entry by entry: the first run
# of a heavy entry meets a cold page cache and the machine's other load differently
# (tcp_echo once gave rsuv 252 MB/s against 314 going first, 346-353 against 306-335
# alternating).
first=0
for r in "${runs[@]}"; do
  IFS='|' read -r name cmd limit <<< "$r"
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $name "* ]]; then
    continue
  fi
  order=$impls
  [ $libuv = 1 ] && [ $((first++ % 2)) = 1 ] && order="libuv rsuv"
  for impl in $order; do
    log=$LOGS/$impl-$name.log
    echo "stress: $impl $name ($cmd)" >&2
    # shellcheck disable=SC2086
    STRESS_TIMEOUT=$limit timeout -k 10 $((limit + 30)) "$OUT/$impl/"$cmd \
      > "$log" 2>&1
    rc=$?
    res=$(awk '$1 == "RESULT" { r = $2 } END { print r }' "$log")
    if [ $rc -eq 0 ] && [ "$res" = pass ]; then
      passed=$((passed + 1)); res=pass
    else
      failed=$((failed + 1))
      if [ $rc -gt 128 ]; then res="FAIL(signal $((rc - 128)))"
      else res="FAIL(rc=$rc)"; fi
    fi
    awk -v n="$name" -v i="$impl" '$1 == "FIG" { print n "\t" $2 "\t" i "\t" $3 }' \
      "$log" >> "$table"
    printf '%s\tresult\t%s\t%s\n' "$name" "$impl" "$res" >> "$table"
  done
done

echo
awk -F'\t' -v impls="$impls" '
  BEGIN { ni = split(impls, im, " ") }
  {
    key = $1 SUBSEP $2
    if (!(key in seen)) { seen[key] = 1; order[++n] = key }
    val[key, $3] = $4
  }
  END {
    printf "%-14s %-24s", "program", "figure"
    for (j = 1; j <= ni; j++) printf " %-22s", im[j]
    printf "\n"
    for (k = 1; k <= n; k++) {
      split(order[k], kk, SUBSEP)
      printf "%-14s %-24s", kk[1], kk[2]
      for (j = 1; j <= ni; j++) {
        v = ((order[k], im[j]) in val) ? val[order[k], im[j]] : "-"
        printf " %-22s", v
      }
      printf "\n"
    }
  }' "$table"

if [ $failed -gt 0 ]; then
  echo
  for f in "$LOGS"/*.log; do
    grep -H '^FAIL' "$f" | sed "s|^$LOGS/||"
  done
fi
echo "stress: $passed passed, $failed failed"
[ $failed -eq 0 ]
