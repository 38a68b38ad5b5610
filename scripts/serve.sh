#!/usr/bin/env bash
# Builds the page (scripts/build-dist.sh: installs the pinned trunk, wasm-bindgen-cli, wasm-opt,
# the wasm32 target and the nightly toolchain for the threaded worker, where missing) and serves
# dist/ on http://127.0.0.1:8080 with COOP/COEP, so the CPU trains on every core.
# PORT changes the port; NOT_ISOLATED=1 serves without the headers (the one-thread worker).
source "$(dirname "$0")/env.sh"
cd "$ROOT"
# First build ~40 min on 2 cores; later ~10 min, mostly wasm-opt.
bash scripts/build-dist.sh
exec node scripts/static-server.js dist "${PORT:-8080}" ${NOT_ISOLATED:+--not-isolated}
