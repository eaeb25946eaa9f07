#!/usr/bin/env bash
# benches/syscalls.sh - system calls per operation, rsuv against Debian's libuv.
#
# Usage: benches/syscalls.sh [-n N] [-s "scenario ..."] [--no-build]
#
# benches/syscalls.c is compiled twice: against rsuv (include/ + target/release/libuv.so,
# built here with `cargo build --release` unless --no-build) and against Debian's libuv
# (/usr/include/uv.h + /usr/lib/x86_64-linux-gnu/libuv.so.1, from libuv1-dev). Each
# scenario (see syscalls.c) runs under `strace -f -c` (every thread) twice per library:
# with N operations and with 2N. The difference of the two counts is what N more operations
# cost once the program runs: start-up, loop and pool set-up, tear-down and exit are the
# same in both runs and drop out, with no marker to place. Divided by N, that is syscalls
# per operation (poll_restart is shown per 10,000 calls). Counts, not times: the same on a
# loaded machine, up to thread hand-offs in fs_stat (futex calls depend on whether the
# worker is already asleep; taskset pins each run to one CPU to keep that steady).
#
# Output: per scenario, all syscalls per operation for libuv and rsuv, their ratio
# (rsuv/libuv: below 1 means rsuv makes fewer), and the epoll_ctl calls of each; then
# every syscall whose per-op count differs. Not a test: nothing is asserted.
#
#   -n N          operations in the smaller run (default 2000)
#   -s "NAMES"    only these scenarios
#   --no-build    do not run cargo build --release
# Outputs: benches/build/syscalls/ (binaries and strace summaries).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
B=$HERE/build/syscalls
N=2000 BUILD=1
SCENARIOS="tcp_pingpong poll_restart read_restart timer async fs_stat queued_writes udp_burst"
while [ $# -gt 0 ]; do
  case "$1" in
    -n) N=$2; shift 2 ;;
    -s) SCENARIOS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "syscalls.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

command -v strace >/dev/null || { echo "syscalls.sh: needs strace (apt-get install -y strace)" >&2; exit 2; }
SYS_INC=/usr/include
SYS_LIB=/usr/lib/x86_64-linux-gnu/libuv.so.1
[ -f "$SYS_INC/uv.h" ] && [ -e "$SYS_LIB" ] ||
  { echo "syscalls.sh: Debian's libuv is missing: apt-get install -y libuv1-dev" >&2; exit 2; }
if [ "$BUILD" = 1 ]; then
  echo "syscalls.sh: cargo build --release" >&2
  (cd "$ROOT" && cargo build --release --quiet)
fi
[ -f "$ROOT/target/release/libuv.so" ] || { echo "syscalls.sh: no target/release/libuv.so" >&2; exit 2; }

# A private copy of rsuv (and its SONAME link): the binary cannot load a system libuv by
# mistake, and a rebuild during the run changes nothing.
rm -rf "$B"
mkdir -p "$B/lib"
cp -L "$ROOT/target/release/libuv.so" "$B/lib/libuv.so"
ln -sf libuv.so "$B/lib/libuv.so.1"
CC=${CC:-cc}
$CC -std=gnu11 -O2 -Wall -Wextra -Werror -I"$ROOT/include" "$HERE/syscalls.c" -o "$B/rsuv" \
  -L"$B/lib" -luv -lpthread -Wl,-rpath,"$B/lib"
$CC -std=gnu11 -O2 -Wall -Wextra -Werror -I"$SYS_INC" "$HERE/syscalls.c" -o "$B/libuv" \
  "$SYS_LIB" -lpthread
ldd "$B/rsuv" | grep -q "$B/lib/libuv.so.1" || { echo "syscalls.sh: rsuv build loads another libuv" >&2; exit 2; }

PIN=()
[ "${PIN_CPU:-1}" = 1 ] && command -v taskset >/dev/null && PIN=(taskset -c 0)

# count LIB SCENARIO OPS -> $B/LIB.SCENARIO.OPS.txt: "syscall calls" lines and "total calls".
count() {
  local out=$B/$1.$2.$3
  "${PIN[@]}" strace -f -c -o "$out.strace" "$B/$1" "$2" "$3" > /dev/null
  # strace -c columns: % time, seconds, usecs/call, calls, [errors], syscall.
  awk '$1 ~ /^[0-9.]+$/ && NF >= 5 { print $NF, $4 }' "$out.strace" > "$out.txt"
}

# per_op LIB SCENARIO SYSCALL SCALE: (count(2N) - count(N)) * SCALE / N.
per_op() {
  local a b
  a=$(awk -v s="$3" '$1 == s { print $2 }' "$B/$1.$2.$N.txt")
  b=$(awk -v s="$3" '$1 == s { print $2 }' "$B/$1.$2.$((2 * N)).txt")
  awk -v a="${a:-0}" -v b="${b:-0}" -v n="$N" -v k="$4" 'BEGIN { printf "%.2f", (b - a) * k / n }'
}

printf '%-14s %-12s %10s %10s %7s %14s %13s\n' scenario per libuv rsuv ratio epoll_ctl:libuv epoll_ctl:rsuv
printf '%-14s %-12s %10s %10s %7s %14s %13s\n' -------- --- ----- ---- ----- -------------- -------------
DIFFS=""
for s in $SCENARIOS; do
  scale=1 per=op
  case $s in
    poll_restart) scale=10000 per="10,000 calls" ;;
    tcp_pingpong) per="round trip" ;;
    read_restart) per=callback ;;
    timer) per=fire ;;
    async) per=wake-up ;;
    fs_stat) per=request ;;
    queued_writes) per=request ;;
    udp_burst) per=burst ;;
  esac
  for lib in libuv rsuv; do
    count "$lib" "$s" "$N"
    count "$lib" "$s" $((2 * N))
  done
  lt=$(per_op libuv "$s" total "$scale")
  rt=$(per_op rsuv "$s" total "$scale")
  le=$(per_op libuv "$s" epoll_ctl "$scale")
  re=$(per_op rsuv "$s" epoll_ctl "$scale")
  ratio=$(awk -v l="$lt" -v r="$rt" 'BEGIN { if (l > 0) printf "%.2f", r / l; else print "-" }')
  printf '%-14s %-12s %10s %10s %7s %14s %13s\n' "$s" "$per" "$lt" "$rt" "$ratio" "$le" "$re"
  # Which syscalls make the difference.
  for sc in $(cat "$B"/*."$s".*.txt | awk '$1 != "total" { print $1 }' | sort -u); do
    l=$(per_op libuv "$s" "$sc" "$scale")
    r=$(per_op rsuv "$s" "$sc" "$scale")
    [ "$l" = "$r" ] || DIFFS+=$(printf '  %-14s %-18s libuv %8s  rsuv %8s' "$s" "$sc" "$l" "$r")$'\n'
  done
done
echo
echo "syscalls per $( [ -n "$DIFFS" ] && echo 'op that differ (libuv, rsuv):' || echo 'op: no difference')"
printf '%s' "$DIFFS"
