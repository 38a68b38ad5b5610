#!/usr/bin/env bash
# Runs every test: formatting, the native suite (wgpu on lavapipe when there is no GPU), the
# CLI as a user runs it, the wasm32 build, and the page end to end in headless Chromium.
# Installs what is missing.
source "$(dirname "$0")/env.sh"
cd "$ROOT"

apt_install mesa-vulkan-drivers libvulkan1 chromium chromium-driver
ensure_web_tools

echo "== cargo fmt --check"
cargo fmt --check

echo "== native build and tests (release profile, shared with the CLI)"
cargo build --release --locked
cargo test --release --locked

echo "== wasm32: library and page"
CARGO_TARGET_DIR="$WASM_TARGET_DIR" cargo build --profile wasm-release --locked --target wasm32-unknown-unknown --lib
CARGO_TARGET_DIR="$WASM_TARGET_DIR" trunk build --release
wasm_bytes=$(cat dist/*.wasm | wc -c); wasm_gzip=$(for f in dist/*.wasm; do gzip -9 -c "$f"; done | wc -c)
echo "wasm bundle: $wasm_bytes bytes, $wasm_gzip bytes gzipped (page + worker)"

echo "== browser end-to-end (headless Chromium)"
(cd tests/browser && npm install --no-audit --no-fund --silent)
node tests/browser/e2e.js dist "$CARGO_TARGET_DIR/release/contrastive-playground" "$CACHE/screenshots"

echo "all tests passed"
