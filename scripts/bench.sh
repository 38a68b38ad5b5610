#!/usr/bin/env bash
# One benchmark run, ours against the references, side by side (see bench/compare.js):
# native CPU vs PyTorch CPU, in-browser WebGPU vs TF.js WebGPU, in-browser CPU vs TF.js wasm,
# wasm size, load time, generation rate in wasm, memory over 10,000 steps.
# Installs what is missing; PyTorch goes into a venv in the cache (never used by the tests).
source "$(dirname "$0")/env.sh"
cd "$ROOT"

apt_install mesa-vulkan-drivers libvulkan1 chromium python3-venv
ensure_web_tools

VENV="$CACHE/bench-venv"
if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  echo "installing PyTorch (CPU use only) into $VENV"
  python3 -m venv "$VENV"
  # The CPU-only index when it is reachable; otherwise PyPI's wheel (its CUDA parts go unused).
  "$VENV/bin/pip" install -q --index-url https://download.pytorch.org/whl/cpu torch 2>/dev/null \
    || "$VENV/bin/pip" install -q torch
fi
(cd bench/browser && npm install --no-audit --no-fund --silent)

echo "== building (release)"
cargo build --release --locked
if [ "${BENCH_SKIP_PAGE_BUILD:-0}" != 1 ]; then
  CARGO_TARGET_DIR="$WASM_TARGET_DIR" trunk build --release
fi

echo "== bench"
node bench/compare.js dist "$CARGO_TARGET_DIR/release/contrastive-playground" "$VENV/bin/python" "$CACHE/bench${BENCH_ONLY:+-partial}"
