#!/usr/bin/env bash
# Builds the page and serves it on http://127.0.0.1:8080 (installs the pinned trunk,
# wasm-bindgen-cli and wasm-opt, and the wasm32 target, where missing).
source "$(dirname "$0")/env.sh"
cd "$ROOT"
ensure_web_tools
# trunk serve builds first (first build ~30 min on 2 cores; later ~10 min, mostly wasm-opt),
# then serves; it prints the address too.
echo "building, then serving on http://127.0.0.1:${PORT:-8080}/ (Ctrl-C stops the server)"
CARGO_TARGET_DIR="$WASM_TARGET_DIR" exec trunk serve --release --port "${PORT:-8080}" --address 127.0.0.1
