#!/usr/bin/env bash
# scripts/install.sh - install (or uninstall) rsuv in libuv's own layout, so that a libuv
# user's build files find it unchanged. `make install` / `make uninstall` call this.
#
#   scripts/install.sh [install|uninstall]
#
# Variables (environment), as in libuv's own CMake install:
#   PREFIX      default /usr/local
#   LIBDIR      default $PREFIX/lib
#   INCLUDEDIR  default $PREFIX/include
#   DESTDIR     staging root prepended to every path written (packagers); the paths inside
#               libuv.pc and the CMake files are the final ones, without DESTDIR
#   RSUV_BUILD_DIR  where the release build is, default ${CARGO_TARGET_DIR:-target}/release
#
# What it installs (libuv 1.x's layout):
#   $LIBDIR/libuv.so.1.0.0        stripped, SONAME libuv.so.1, with a GNU debuglink to
#   $LIBDIR/libuv.so.1.0.0.debug  its debug info (gdb finds it beside the library)
#   $LIBDIR/libuv.so.1 -> libuv.so.1.0.0, $LIBDIR/libuv.so -> libuv.so.1
#   $LIBDIR/libuv.a               one object defining only the uv_* functions (see below)
#   $INCLUDEDIR/uv.h and $INCLUDEDIR/uv/*.h (whatever include/uv/ holds)
#   $LIBDIR/pkgconfig/libuv.pc, libuv-static.pc
#   $LIBDIR/cmake/libuv/libuvConfig.cmake, libuvConfigVersion.cmake
#                                 (imported targets libuv::uv and libuv::uv_a)
# The version written into them is UV_VERSION_MAJOR.MINOR.PATCH from include/uv.h.
#
# The static library: cargo's libuv.a holds Rust's standard library as well, so it defines
# thousands of Rust symbols (rust_eh_personality, __rust_alloc, ...) that clash with any
# other Rust static library in the same program. Here it is partially linked into one
# object (ld -r), unreferenced sections dropped (--gc-sections, rooted at the uv_* symbols),
# and every global but the uv_* ones made local (objcopy --keep-global-symbols).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ACTION=${1:-install}

PREFIX=${PREFIX:-/usr/local}
LIBDIR=${LIBDIR:-$PREFIX/lib}
INCLUDEDIR=${INCLUDEDIR:-$PREFIX/include}
DESTDIR=${DESTDIR:-}
BUILD=${RSUV_BUILD_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/release}
SOVERSION=1.0.0   # libuv 1.x's file name: libuv.so.1.0.0, SONAME libuv.so.1

# Native libraries the Rust standard library inside libuv.a needs (rustc
# --print native-static-libs for x86_64-unknown-linux-gnu).
STATIC_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "  $*"; }

case $PREFIX$LIBDIR$INCLUDEDIR in *[[:space:]]*) die "paths with spaces are not supported";; esac
case $LIBDIR in /*) ;; *) die "LIBDIR must be absolute: $LIBDIR";; esac
case $INCLUDEDIR in /*) ;; *) die "INCLUDEDIR must be absolute: $INCLUDEDIR";; esac

L=$DESTDIR$LIBDIR
I=$DESTDIR$INCLUDEDIR

header_files() {  # uv.h, then every header under include/uv/ (relative to include/)
  echo uv.h
  if [ -d "$ROOT/include/uv" ]; then
    (cd "$ROOT/include" && find uv -type f -name '*.h' | LC_ALL=C sort)
  fi
}

uninstall() {
  local f
  for f in libuv.so libuv.so.1 libuv.so.$SOVERSION libuv.so.$SOVERSION.debug libuv.a \
           pkgconfig/libuv.pc pkgconfig/libuv-static.pc \
           cmake/libuv/libuvConfig.cmake cmake/libuv/libuvConfigVersion.cmake; do
    if [ -e "$L/$f" ] || [ -L "$L/$f" ]; then rm -f "$L/$f" && say "removed $L/$f"; fi
  done
  for f in $(header_files); do
    if [ -e "$I/$f" ]; then rm -f "$I/$f" && say "removed $I/$f"; fi
  done
  rmdir "$L/cmake/libuv" "$I/uv" 2> /dev/null || true
  echo "rsuv uninstalled from ${DESTDIR}${PREFIX}"
}

uv_version() {  # MAJOR.MINOR.PATCH from the header rsuv implements
  local h=$ROOT/include/uv.h maj min pat
  [ -f "$ROOT/include/uv/version.h" ] && h=$ROOT/include/uv/version.h
  maj=$(sed -n 's/^#define UV_VERSION_MAJOR \([0-9]*\).*/\1/p' "$h")
  min=$(sed -n 's/^#define UV_VERSION_MINOR \([0-9]*\).*/\1/p' "$h")
  pat=$(sed -n 's/^#define UV_VERSION_PATCH \([0-9]*\).*/\1/p' "$h")
  if [ -z "$maj" ] || [ -z "$min" ] || [ -z "$pat" ]; then die "no UV_VERSION_* in $h"; fi
  echo "$maj.$min.$pat"
}

# pkg-config variable form of a path: ${prefix}/... when under PREFIX.
pc_path() {
  # shellcheck disable=SC2016  # the literal ${prefix} is pkg-config's
  case $1 in
    "$PREFIX") echo '${prefix}' ;;
    "$PREFIX"/*) echo "\${prefix}${1#"$PREFIX"}" ;;
    *) echo "$1" ;;
  esac
}

make_static() {  # make_static IN.a OUT.a WORKDIR
  local in=$1 out=$2 w=$3 roots
  # All of cargo's archive in one object, to list the uv_* functions it defines.
  ld -r --whole-archive "$in" -o "$w/all.o" 2> >(grep -v 'bfd plugin' >&2)
  readelf -sW "$w/all.o" |
    awk '$5 == "GLOBAL" && $7 != "UND" && $8 ~ /^uv_/ { print $8 }' | LC_ALL=C sort -u \
    > "$w/keep.txt"
  [ -s "$w/keep.txt" ] || die "no uv_* symbols in $in"
  roots=$(sed 's/^/-u /' "$w/keep.txt")
  # Keep what the uv_* functions reach (plus .init_array/.fini_array, which ld always
  # keeps); dissolve COMDAT groups so that no other library's copy can replace ours.
  # shellcheck disable=SC2086
  ld -r --gc-sections --force-group-allocation $roots "$w/all.o" -o "$w/part.o"
  # Debug info and the embedded LLVM bitcode are dropped (libuv.a carries neither);
  # every global but uv_* becomes local.
  objcopy --strip-debug --remove-section=.llvmbc --remove-section=.llvmcmd \
    --keep-global-symbols="$w/keep.txt" "$w/part.o" "$w/uv.o"
  rm -f "$out"
  ar rcsD "$out" "$w/uv.o"
}

make_shared() {  # make_shared IN.so WORKDIR: leaves WORKDIR/libuv.so.1.0.0{,.debug}
  local in=$1 w=$2 so=libuv.so.$SOVERSION
  cp "$in" "$w/$so"
  objcopy --only-keep-debug --compress-debug-sections=zlib "$w/$so" "$w/$so.debug"
  chmod 644 "$w/$so.debug"
  strip --strip-all --remove-section=.comment "$w/$so"
  (cd "$w" && objcopy --add-gnu-debuglink="$so.debug" "$so")
  readelf -d "$w/$so" | grep 'SONAME.*\[libuv\.so\.1\]' > /dev/null || die "$in: SONAME is not libuv.so.1"
}

write_pc() {  # write_pc NAME LIBS LIBS_PRIVATE OUT
  cat > "$4" << EOF
prefix=$PREFIX
exec_prefix=\${prefix}
libdir=$(pc_path "$LIBDIR")
includedir=$(pc_path "$INCLUDEDIR")

Name: $1
Version: $VERSION
Description: libuv $VERSION's API and ABI, implemented in Rust by rsuv
URL: https://docs.libuv.org/
Libs: $2${3:+
Libs.private: $3}
Cflags: -I\${includedir}
EOF
}

write_cmake() {  # write_cmake DIR
  local increl
  increl=$(realpath -m --relative-to="$LIBDIR/cmake/libuv" "$INCLUDEDIR")
  cat > "$1/libuvConfig.cmake" << EOF
# CMake package config for rsuv, installed by rsuv's scripts/install.sh. It defines the
# imported targets libuv's own CMake install exports:
#   libuv::uv    the shared library (libuv.so.1)
#   libuv::uv_a  the static library (libuv.a)
# Paths are relative to this file, so the installed tree may be moved.
get_filename_component(_libuv_libdir "\${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
get_filename_component(_libuv_incdir "\${CMAKE_CURRENT_LIST_DIR}/$increl" ABSOLUTE)

if(NOT TARGET libuv::uv)
  add_library(libuv::uv SHARED IMPORTED)
  set_target_properties(libuv::uv PROPERTIES
    IMPORTED_LOCATION "\${_libuv_libdir}/libuv.so.$SOVERSION"
    IMPORTED_SONAME "libuv.so.1"
    INTERFACE_INCLUDE_DIRECTORIES "\${_libuv_incdir}")
endif()

if(NOT TARGET libuv::uv_a)
  add_library(libuv::uv_a STATIC IMPORTED)
  set_target_properties(libuv::uv_a PROPERTIES
    IMPORTED_LOCATION "\${_libuv_libdir}/libuv.a"
    IMPORTED_LINK_INTERFACE_LANGUAGES "C"
    INTERFACE_INCLUDE_DIRECTORIES "\${_libuv_incdir}"
    INTERFACE_LINK_LIBRARIES "$(echo "$STATIC_LIBS" | sed 's/-l//g; s/ /;/g')")
endif()

set(libuv_IMPLEMENTATION rsuv)
unset(_libuv_libdir)
unset(_libuv_incdir)
EOF
  cat > "$1/libuvConfigVersion.cmake" << EOF
# Version file for rsuv's libuv package: compatible with any requested 1.x not newer
# than $VERSION (libuv keeps 1.x backward compatible).
set(PACKAGE_VERSION "$VERSION")
if(NOT PACKAGE_FIND_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
elseif(PACKAGE_FIND_VERSION_RANGE)
  if(PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION_MIN
     OR (PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "INCLUDE" AND PACKAGE_VERSION VERSION_GREATER PACKAGE_FIND_VERSION_MAX)
     OR (PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "EXCLUDE" AND NOT PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION_MAX))
    set(PACKAGE_VERSION_COMPATIBLE FALSE)
  else()
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
  endif()
elseif(PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION
       OR NOT PACKAGE_FIND_VERSION_MAJOR STREQUAL "$MAJOR")
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()
if(CMAKE_SIZEOF_VOID_P AND NOT CMAKE_SIZEOF_VOID_P STREQUAL "8")
  set(PACKAGE_VERSION "\${PACKAGE_VERSION} (64bit)")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
endif()
EOF
}

install_all() {
  local f
  for f in libuv.so libuv.a; do
    [ -f "$BUILD/$f" ] || die "$BUILD/$f not found: run 'cargo build --release' (or 'make') first"
  done
  for f in ld objcopy strip readelf ar realpath; do
    command -v "$f" > /dev/null || die "$f not found (binutils, coreutils)"
  done
  VERSION=$(uv_version)
  MAJOR=${VERSION%%.*}
  w=$(mktemp -d)  # global: the EXIT trap runs after this function has returned
  trap 'rm -rf "$w"' EXIT

  echo "rsuv (libuv $VERSION) -> ${DESTDIR}${PREFIX} (lib $LIBDIR, include $INCLUDEDIR)"
  make_shared "$BUILD/libuv.so" "$w"
  make_static "$BUILD/libuv.a" "$w/libuv.a" "$w"
  # shellcheck disable=SC2016  # ${libdir} is pkg-config's
  write_pc libuv '-L${libdir} -luv' "$STATIC_LIBS" "$w/libuv.pc"
  write_pc libuv-static "-L\${libdir} -l:libuv.a $STATIC_LIBS" "" "$w/libuv-static.pc"
  write_cmake "$w"

  install -d "$L" "$L/pkgconfig" "$L/cmake/libuv" "$I"
  install -m 755 "$w/libuv.so.$SOVERSION" "$L/"
  install -m 644 "$w/libuv.so.$SOVERSION.debug" "$w/libuv.a" "$L/"
  ln -sfn "libuv.so.$SOVERSION" "$L/libuv.so.1"
  ln -sfn libuv.so.1 "$L/libuv.so"
  install -m 644 "$w/libuv.pc" "$w/libuv-static.pc" "$L/pkgconfig/"
  install -m 644 "$w/libuvConfig.cmake" "$w/libuvConfigVersion.cmake" "$L/cmake/libuv/"
  for f in $(header_files); do
    install -D -m 644 "$ROOT/include/$f" "$I/$f"
  done
  say "$L/libuv.so.$SOVERSION  $(stat -c %s "$L/libuv.so.$SOVERSION") bytes (stripped; debug info: $(stat -c %s "$L/libuv.so.$SOVERSION.debug") bytes in libuv.so.$SOVERSION.debug)"
  say "$L/libuv.a  $(stat -c %s "$L/libuv.a") bytes ($(wc -l < "$w/keep.txt") uv_* symbols)"
  say "$I: $(header_files | tr '\n' ' ')"
  say "$L/pkgconfig: libuv.pc libuv-static.pc; $L/cmake/libuv: libuvConfig.cmake libuvConfigVersion.cmake"
  if [ -z "$DESTDIR" ]; then
    say "system-wide (a directory the loader searches): run ldconfig so programs find it"
  fi
}

case $ACTION in
  install) install_all ;;
  uninstall) uninstall ;;
  *) die "usage: $0 [install|uninstall]" ;;
esac
