#!/usr/bin/env bash
# Builds examples/showcase.c against rsuv (include/uv.h, target/<profile>/libuv.so) and runs
# it. Usage: examples/run-showcase.sh [release|debug]   (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-release}
lib=target/$profile
[ -f "$lib/libuv.so" ] || cargo build $([ "$profile" = release ] && echo --release)
mkdir -p target/examples
cc -std=gnu11 -O2 -Wall -Wextra -Iinclude examples/showcase.c -o target/examples/showcase \
  -L"$lib" -luv -lpthread -Wl,-rpath,"$PWD/$lib"
# Read the library itself: a few MiB, so the file reads overlap the pool work.
exec target/examples/showcase "$lib/libuv.so"
