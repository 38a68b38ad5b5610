#!/usr/bin/env bash
# Builds the page and serves it on http://127.0.0.1:8080 (installs the pinned trunk,
# wasm-bindgen-cli and wasm-opt, and the wasm32 target, where missing).
source "$(dirname "$0")/env.sh"
cd "$ROOT"
ensure_web_tools
echo "building the page (first build: ~20 min on 2 cores) ..."
CARGO_TARGET_DIR="$WASM_TARGET_DIR" trunk build --release
echo
echo "open http://127.0.0.1:${PORT:-8080}/ (Ctrl-C stops the server)"
CARGO_TARGET_DIR="$WASM_TARGET_DIR" exec trunk serve --release --port "${PORT:-8080}" --address 127.0.0.1
