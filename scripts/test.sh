#!/usr/bin/env bash
# Runs every test: formatting, the native suite (wgpu on lavapipe when there is no GPU), the
# CLI as a user runs it, the publishable page build, and the page end to end in headless
# Chromium, served under a sub-path. Installs what is missing.
source "$(dirname "$0")/env.sh"
cd "$ROOT"

apt_install mesa-vulkan-drivers libvulkan1 chromium chromium-driver
ensure_web_tools

echo "== cargo fmt --check"
cargo fmt --check

echo "== native build and tests (release profile, shared with the CLI)"
cargo build --release --locked
cargo test --release --locked

echo "== the page: dist/ for any static host (wasm32)"
bash scripts/build-dist.sh

echo "== browser end-to-end (headless Chromium, under a sub-path)"
(cd tests/browser && npm install --no-audit --no-fund --silent)
node tests/browser/e2e.js dist "$CARGO_TARGET_DIR/release/contrastive-playground" "$CACHE/screenshots"

echo "all tests passed"
