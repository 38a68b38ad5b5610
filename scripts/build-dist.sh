#!/usr/bin/env bash
# Builds a publishable dist/ that works from any static host under any sub-path (relative asset
# and worker URLs), with a Content-Security-Policy and precompressed .gz/.br assets: trunk builds
# the page and its two workers, scripts/build-threaded-worker.sh the CPU worker on every core,
# and coi-serviceworker (pinned) makes the page cross-origin isolated on hosts that cannot send
# COOP/COEP headers. Installs the pinned tools where missing. Upload dist/ as it is, e.g. to
# GitHub Pages.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
ensure_web_tools
CARGO_TARGET_DIR="$WASM_TARGET_DIR" trunk build --release --public-url ./
bash scripts/build-threaded-worker.sh dist
ensure_coi_serviceworker
cp "$CACHE/node_modules/coi-serviceworker/coi-serviceworker.min.js" dist/coi-serviceworker.js
node scripts/finish-dist.js dist
