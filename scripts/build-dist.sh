#!/usr/bin/env bash
# Builds a publishable dist/ that works from any static host under any sub-path (relative asset
# and worker URLs), with a Content-Security-Policy and precompressed .gz/.br assets. Installs the
# pinned tools where missing. Upload dist/ as it is, e.g. to GitHub Pages.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
ensure_web_tools
CARGO_TARGET_DIR="$WASM_TARGET_DIR" trunk build --release --public-url ./
node scripts/finish-dist.js dist
