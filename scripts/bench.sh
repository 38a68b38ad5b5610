#!/usr/bin/env bash
# One benchmark run, ours against the references, side by side (see bench/compare.js):
# native CPU vs PyTorch CPU, in-browser WebGPU vs TF.js WebGPU, in-browser CPU (wasm SIMD) vs the
# same page built without SIMD and vs TF.js, download sizes, load time, first step, generation
# rate in wasm, memory over 10,000 steps; and the PyTorch loader of a saved model checked against
# the encoder's own representations.
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
SCALAR_DIST="$CACHE/dist-scalar"
if [ "${BENCH_SKIP_PAGE_BUILD:-0}" != 1 ]; then
  bash scripts/build-dist.sh
  # The same page and CPU worker without wasm SIMD: no `simd` feature (burn's SIMD kernels; the
  # worker keeps `train`, the page sets its own features in index.html) and
  # no +simd128 (RUSTFLAGS replaces .cargo/config.toml's target rustflags; cargo would append
  # CARGO_TARGET_*_RUSTFLAGS to them). The bench never loads the WebGPU worker, so it is left out;
  # a target folder of its own keeps the two builds from evicting each other.
  scalar_html="$ROOT/.index-scalar.html"
  grep -v 'data-bin="worker_gpu"' index.html > "$scalar_html"
  RUSTFLAGS="--cfg=web_sys_unstable_apis" TRUNK_BUILD_NO_DEFAULT_FEATURES=true TRUNK_BUILD_FEATURES=train \
    CARGO_TARGET_DIR="$CACHE/target-wasm-scalar" \
    trunk build --release --public-url ./ --dist "$SCALAR_DIST" "$scalar_html"
  rm -f "$scalar_html"
fi
export BENCH_SCALAR_DIST="$SCALAR_DIST"

if [ -z "${BENCH_ONLY:-}" ] || [[ ",$BENCH_ONLY," == *,model,* ]]; then
  echo "== the PyTorch loader (bench/pytorch/load_model.py) against a saved model, both encoders"
  CLI="$CARGO_TARGET_DIR/release/contrastive-playground"
  MODELS="$CACHE/bench-model"
  mkdir -p "$MODELS"
  for encoder in convnet resnet; do
    "$CLI" train --quiet --config "data=digits&encoder=$encoder&train_size=600&test_size=100&steps=20&batch=64" \
      --save-model "$MODELS/$encoder.safetensors" >/dev/null
    "$CLI" evaluate --model "$MODELS/$encoder.safetensors" --representations "$MODELS/$encoder.json" >/dev/null
    "$VENV/bin/python" bench/pytorch/load_model.py "$MODELS/$encoder.safetensors" --check "$MODELS/$encoder.json"
  done
fi

echo "== bench"
node bench/compare.js dist "$CARGO_TARGET_DIR/release/contrastive-playground" "$VENV/bin/python" "$CACHE/bench${BENCH_ONLY:+-partial}"
