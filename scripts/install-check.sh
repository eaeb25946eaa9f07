#!/usr/bin/env bash
# scripts/install-check.sh - prove that an installed rsuv is found and used exactly as
# libuv is. CI's `install` stage runs it; so does `make install-check`.
#
# Builds the release library (cargo build --release), installs it with scripts/install.sh
# into a temporary prefix, then checks:
#   layout      the files libuv installs; SONAME; links; version from include/uv.h
#   so          the .so is stripped and has a GNU debuglink to the .debug file beside it;
#               it needs no libgcc_s.so.1 where GCC has libgcc_eh.a
#   static      nm on libuv.a: only uv_* defined globals (no Rust symbols, no
#               rust_eh_personality)
#   pkg-config  a C program built with `pkg-config --cflags --libs libuv`, run
#   static-pc   the same program linked statically with `pkg-config --libs libuv-static`
#   mixed       a C program linking libuv.a and another Rust static library
#   cmake       find_package(libuv CONFIG REQUIRED): one program on libuv::uv, one on
#               libuv::uv_a
#   python      examples/python/rsuv_demo.py (ctypes) on the installed libuv.so.1
#   lua         examples/lua/rsuv_demo.lua on Debian's lua-luv, unchanged
#   rust        examples/rust (libuv-sys2, found through pkg-config)
#   destdir     DESTDIR staging and uninstall leave nothing behind
# Each example checks that the libuv it loaded is the installed rsuv.
#
# Needs: cc, binutils, pkg-config, cmake, python3, lua5.1 + lua-luv, rustc/cargo; the
# missing apt packages are installed when running as root (CI), else those checks fail.
# Exit status 0 only if every check passed.
set -uo pipefail
# (Pipelines end in `grep ... > /dev/null`, not `grep -q`: under pipefail, grep -q's early
# exit can kill the writer with SIGPIPE and turn a match into a failure.)

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
export CARGO_TERM_COLOR=never
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
# Never let an install location from the caller's environment (or an outer make) steer an
# install: every install below names its own.
unset PREFIX LIBDIR INCLUDEDIR DESTDIR RSUV_BUILD_DIR
WORK=$(mktemp -d /tmp/rsuv-install-check.XXXXXX)
P=$WORK/prefix
trap 'rm -rf "$WORK"' EXIT

NAMES=() RESULTS=()
run() {  # run NAME COMMAND...: one check, its output indented
  local name=$1 rc
  shift
  echo "--- $name"
  "$@" 2>&1 | sed 's/^/    /'
  rc=${PIPESTATUS[0]}
  NAMES+=("$name")
  if [ "$rc" = 0 ]; then RESULTS+=(ok); else RESULTS+=("FAILED (exit $rc)"); fi
  echo "--- $name: ${RESULTS[-1]}"
}

deps() {
  local want=(pkg-config cmake lua5.1 lua-luv libclang1-14 libclang-common-14-dev) missing=() p
  for p in "${want[@]}"; do
    dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p")
  done
  [ "${#missing[@]}" = 0 ] && { echo "all present: ${want[*]}"; return 0; }
  if [ "$(id -u)" != 0 ]; then
    echo "missing (not root, not installing): ${missing[*]}"
    return 0
  fi
  echo "installing: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
}

build_and_install() {  # the README's command, every location spelled out
  make install PREFIX="$P" LIBDIR="$P/lib" INCLUDEDIR="$P/include" DESTDIR=
}

layout() {
  local f v h=include/uv.h
  [ -f include/uv/version.h ] && h=include/uv/version.h
  v=$(sed -n 's/^#define UV_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' "$h" |
    paste -sd.)
  for f in lib/libuv.so.1.0.0 lib/libuv.so.1.0.0.debug lib/libuv.so.1 lib/libuv.so lib/libuv.a \
           include/uv.h lib/pkgconfig/libuv.pc lib/pkgconfig/libuv-static.pc \
           lib/cmake/libuv/libuvConfig.cmake lib/cmake/libuv/libuvConfigVersion.cmake; do
    [ -e "$P/$f" ] || { echo "missing: $f"; return 1; }
  done
  if [ -d include/uv ]; then
    for f in $(cd include && find uv -name '*.h'); do
      [ -e "$P/include/$f" ] || { echo "missing: include/$f"; return 1; }
    done
  fi
  [ "$(readlink "$P/lib/libuv.so.1")" = libuv.so.1.0.0 ] || { echo "libuv.so.1 link"; return 1; }
  [ "$(readlink "$P/lib/libuv.so")" = libuv.so.1 ] || { echo "libuv.so link"; return 1; }
  readelf -d "$P/lib/libuv.so.1.0.0" | grep 'SONAME' || return 1
  readelf -d "$P/lib/libuv.so.1.0.0" | grep 'SONAME.*\[libuv\.so\.1\]' > /dev/null || return 1
  echo "version in include/uv.h: $v"
  PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --modversion libuv
  [ "$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --modversion libuv)" = "$v" ] || return 1
  [ "$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --modversion libuv-static)" = "$v" ] || return 1
  grep -q "PACKAGE_VERSION \"$v\"" "$P/lib/cmake/libuv/libuvConfigVersion.cmake" || return 1
  echo "layout, links, SONAME and version ok"
}

so_stripped() {
  local so=$P/lib/libuv.so.1.0.0
  if readelf -SW "$so" | grep -E ' \.(debug_info|symtab) ' > /dev/null; then
    echo "$so still has .debug_info or .symtab"; return 1
  fi
  readelf -p .gnu_debuglink "$so" | grep 'libuv.so.1.0.0.debug' > /dev/null || {
    echo "no debuglink to libuv.so.1.0.0.debug"; return 1; }
  readelf -SW "$so.debug" | grep ' \.debug_info ' > /dev/null || { echo "no debug info in .debug"; return 1; }
  echo "libuv.so.1.0.0: $(stat -c %s "$so") bytes, stripped; debug info in libuv.so.1.0.0.debug ($(stat -c %s "$so.debug") bytes)"
  echo "exported: $(nm -D --defined-only "$so" | grep -c ' uv_') uv_* functions, $(nm -D --defined-only "$so" | grep -vc ' uv_') others"
  # Each shared library costs every process that loads rsuv its mapping and constructors
  # (build.rs links the unwinder from libgcc_eh.a where the compiler has it).
  echo "needs: $(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd' ')"
  if [ -f "$(cc -print-file-name=libgcc_eh.a)" ] &&
    readelf -d "$so" | grep 'NEEDED.*libgcc_s' > /dev/null; then
    echo "libgcc_s.so.1 is needed although libgcc_eh.a is there"; return 1
  fi
}

static_symbols() {
  local a=$P/lib/libuv.a bad
  [ -f "$a" ] || { echo "$a missing"; return 1; }
  # Defined globals (upper-case type letter, not U/w/v undefined-weak).
  bad=$(nm -g --defined-only "$a" | awk 'NF == 3 { print $3 }' | grep -v '^uv_')
  echo "libuv.a: $(stat -c %s "$a") bytes, $(nm -g --defined-only "$a" | awk 'NF == 3' | grep -c ' uv_') uv_* defined globals"
  if [ -n "$bad" ]; then
    echo "defined globals other than uv_*:"; echo "$bad" | head -20; return 1
  fi
  if nm "$a" | grep ' [A-Z] rust_eh_personality' > /dev/null; then
    echo "rust_eh_personality is global"; return 1
  fi
  echo "nm: only uv_* defined globals"
}

pc_shared() {
  export PKG_CONFIG_PATH=$P/lib/pkgconfig
  echo "cflags/libs: $(pkg-config --cflags --libs libuv)"
  # shellcheck disable=SC2046
  cc -o "$WORK/hello_pc" examples/install/hello.c $(pkg-config --cflags --libs libuv) -ldl &&
    LD_LIBRARY_PATH=$P/lib "$WORK/hello_pc" shared
}

pc_static() {
  export PKG_CONFIG_PATH=$P/lib/pkgconfig
  echo "cflags/libs: $(pkg-config --cflags --libs libuv-static)"
  # shellcheck disable=SC2046
  cc -o "$WORK/hello_static_pc" examples/install/hello.c \
    $(pkg-config --cflags --libs libuv-static) || return 1
  if readelf -d "$WORK/hello_static_pc" | grep 'libuv\.so' > /dev/null; then
    echo "linked against libuv.so, not libuv.a"; return 1
  fi
  "$WORK/hello_static_pc" static
}

mixed() {
  # The other library keeps Rust's default panic strategy, so it defines
  # rust_eh_personality, and is linked whole (as a library that registers constructors
  # is): every one of its std symbols meets libuv.a's. --gc-sections then drops the parts
  # of its std that this glibc cannot satisfy (a Rust static library needs that flag).
  export PKG_CONFIG_PATH=$P/lib/pkgconfig
  local other=$WORK/libother_rust.a libs raw
  rustc --edition 2024 --crate-type staticlib -O -o "$other" examples/install/other_rust_lib.rs ||
    return 1
  echo "the other Rust library defines rust_eh_personality: $(readelf -sW "$other" | grep -cE 'FUNC +GLOBAL .* rust_eh_personality$')"
  libs=$(pkg-config --libs libuv-static)
  echo "cc mixed.c $libs -Wl,--gc-sections -Wl,--whole-archive libother_rust.a -Wl,--no-whole-archive"
  # shellcheck disable=SC2046,SC2086
  cc -o "$WORK/mixed" examples/install/mixed.c $(pkg-config --cflags libuv-static) $libs \
    -Wl,--gc-sections -Wl,--whole-archive "$other" -Wl,--no-whole-archive $libs &&
    "$WORK/mixed" || return 1
  # For the record: cargo's own libuv.a in the same link.
  # shellcheck disable=SC2086
  raw=$(cc -o "$WORK/mixed_raw" examples/install/mixed.c -Iinclude "$TARGET/release/libuv.a" \
    -Wl,--gc-sections -Wl,--whole-archive "$other" -Wl,--no-whole-archive $libs 2>&1 |
    grep -c 'multiple definition')
  echo "(cargo's unprocessed libuv.a in the same link: $raw multiple definitions)"
}

cmake_check() {
  local b=$WORK/cmake-build
  cmake -S examples/install -B "$b" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_BUILD_TYPE=Release \
    > "$WORK/cmake.log" 2>&1 || { cat "$WORK/cmake.log"; return 1; }
  grep 'libuv ' "$WORK/cmake.log"
  cmake --build "$b" > "$WORK/cmake-build.log" 2>&1 || { cat "$WORK/cmake-build.log"; return 1; }
  echo "hello_shared (libuv::uv):"
  readelf -d "$b/hello_shared" | grep 'NEEDED.*libuv\.so\.1' > /dev/null || { echo "not linked to libuv.so.1"; return 1; }
  LD_LIBRARY_PATH=$P/lib "$b/hello_shared" shared || return 1
  echo "hello_static (libuv::uv_a):"
  if readelf -d "$b/hello_static" | grep 'libuv\.so' > /dev/null; then
    echo "linked against libuv.so"; return 1
  fi
  "$b/hello_static" static
}

python_example() {
  RSUV_LIB=$P/lib/libuv.so.1 python3 examples/python/rsuv_demo.py
}

lua_example() {
  ldd /usr/lib/x86_64-linux-gnu/lua/5.1/luv.so | grep libuv
  LD_LIBRARY_PATH=$P/lib RSUV_EXPECT_LIB=$P/lib/libuv.so.1 timeout 60 \
    lua5.1 examples/lua/rsuv_demo.lua
}

rust_example() {
  local t=$TARGET/examples-rust out
  # Its build script must find rsuv through pkg-config, not compile its bundled libuv. It
  # reruns (and -vv shows its output) on every check: PKG_CONFIG_PATH is a new directory.
  out=$(cd examples/rust && PKG_CONFIG_PATH=$P/lib/pkgconfig CARGO_TARGET_DIR=$t \
    cargo build --locked -vv 2>&1) || { echo "$out" | tail -40; return 1; }
  grep -E '^\[libuv-sys2 [^]]*\] (Resolving|cargo:rustc-link)' <<< "$out"
  if ! grep -q 'Resolving libuv with pkg-config' <<< "$out"; then
    echo "libuv-sys2 did not find rsuv through pkg-config: its version range follows its own"
    echo "version; the pin in examples/rust/Cargo.toml must match include/uv.h's libuv version"
    echo "($(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --modversion libuv))"
    return 1
  fi
  LD_LIBRARY_PATH=$P/lib RSUV_EXPECT_LIB=$P/lib/libuv.so.1 timeout 60 \
    "$t/debug/rsuv-rust-example"
}

destdir_uninstall() {
  local s=$WORK/stage left
  DESTDIR=$s PREFIX=/opt/rsuv scripts/install.sh install > /dev/null || return 1
  [ -f "$s/opt/rsuv/lib/libuv.so.1.0.0" ] || { echo "DESTDIR ignored"; return 1; }
  grep -q '^prefix=/opt/rsuv$' "$s/opt/rsuv/lib/pkgconfig/libuv.pc" || {
    echo "libuv.pc names the staging directory"; return 1; }
  DESTDIR=$s PREFIX=/opt/rsuv scripts/install.sh uninstall > /dev/null || return 1
  left=$(find "$s" -type f -o -type l)
  [ -z "$left" ] || { echo "left behind by uninstall:"; echo "$left"; return 1; }
  LIBDIR=$WORK/l64 INCLUDEDIR=$WORK/inc PREFIX=$WORK/x scripts/install.sh install > /dev/null || return 1
  PKG_CONFIG_PATH=$WORK/l64/pkgconfig pkg-config --cflags --libs libuv | grep -- "-I$WORK/inc" > /dev/null || return 1
  grep -q '/../../inc"' "$WORK/l64/cmake/libuv/libuvConfig.cmake" || return 1
  echo "DESTDIR staging, custom LIBDIR/INCLUDEDIR and uninstall ok"
}

run deps deps
run install build_and_install
if [ "${RESULTS[-1]}" = ok ]; then
  run layout layout
  run so so_stripped
  run static static_symbols
  run pkg-config pc_shared
  run static-pc pc_static
  run mixed mixed
  run cmake cmake_check
  run python python_example
  run lua lua_example
  run rust rust_example
  run destdir destdir_uninstall
fi

echo
echo "install-check summary:"
FAILED=0
for i in "${!NAMES[@]}"; do
  printf '  %-12s %s\n' "${NAMES[$i]}" "${RESULTS[$i]}"
  [ "${RESULTS[$i]}" = ok ] || FAILED=$((FAILED + 1))
done
echo "install-check: $(( ${#NAMES[@]} - FAILED )) passed, $FAILED failed"
[ "$FAILED" = 0 ]
