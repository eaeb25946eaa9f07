#!/usr/bin/env bash
# Runs the loom models of the lock-free protocols (src/loom_models.rs): the pool's ticket
# hand-off and completion stack, the async handle's send/dispatch/close handshake, and the
# signal handler's gate. Built with --cfg loom in its own target directory, so that normal
# builds keep their cache. LOOM_MAX_PREEMPTIONS bounds the search (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-3}"
RUSTFLAGS="${RUSTFLAGS:-} --cfg loom" exec cargo test --release --lib \
  --target-dir target/loom loom -- --test-threads=2 "$@"
