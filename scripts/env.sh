# Shared set-up sourced by every shell script in scripts/: installs only what is missing.
# shellcheck shell=bash
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${CPG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/contrastive-playground}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
# The wasm build lives in its own folder so a native build never waits on its lock.
export WASM_TARGET_DIR="$CACHE/target-wasm"
export PATH="$HOME/.cargo/bin:$CACHE/tools/bin:$CACHE/node_modules/.bin:$PATH"
mkdir -p "$CACHE"

# Pinned tool versions (see docs/toolchain.md): wasm-bindgen-cli must equal Cargo.lock's
# wasm-bindgen; trunk 0.22 needs a newer rustc; Debian's wasm-opt breaks the bundle.
TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/version = "\(.*\)"/\1/p')"
BINARYEN_VERSION=132.0.0
COI_SERVICEWORKER_VERSION=0.1.7

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing apt packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq -o DPkg::Lock::Timeout=600
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}"
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
}

# The threaded CPU worker's toolchain: a nightly (for `-Z build-std`) with the standard library's
# sources. THREADS_TOOLCHAIN overrides it; the version checked is the one this was measured on.
THREADS_TOOLCHAIN="${THREADS_TOOLCHAIN:-nightly}"
ensure_threads_toolchain() {
  rustup toolchain list | grep -q "^$THREADS_TOOLCHAIN" || rustup toolchain install "$THREADS_TOOLCHAIN" --profile minimal
  rustup component list --toolchain "$THREADS_TOOLCHAIN" --installed | grep -q '^rust-src' \
    || rustup component add rust-src --toolchain "$THREADS_TOOLCHAIN"
  rustup target list --toolchain "$THREADS_TOOLCHAIN" --installed | grep -qx wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown --toolchain "$THREADS_TOOLCHAIN"
}

# The service worker that adds COOP/COEP on static hosts that cannot send headers.
ensure_coi_serviceworker() {
  if ! grep -q "\"version\": \"$COI_SERVICEWORKER_VERSION\"" "$CACHE/node_modules/coi-serviceworker/package.json" 2>/dev/null; then
    echo "installing coi-serviceworker@$COI_SERVICEWORKER_VERSION from npm"
    (cd "$CACHE" && npm install --no-save --no-audit --no-fund "binaryen@$BINARYEN_VERSION" \
      "coi-serviceworker@$COI_SERVICEWORKER_VERSION" >/dev/null)
  fi
}

# Builds a pinned tool from crates.io into the cache. Their own release profiles ask for fat LTO
# on one codegen unit, and their default features for TLS (to download tools and check for
# updates, which trunk never does here: Trunk.toml sets it offline); neither serves a build tool,
# and dropping both took trunk from 11.2 to 7.5 min and wasm-bindgen-cli from 3.6 to 2.8 min on
# 2 cores (docs/toolchain.md).
tool_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_TARGET_DIR="$CACHE/tools-target" cargo install "$@" --no-default-features --root "$CACHE/tools"
}

ensure_web_tools() {
  ensure_wasm_target
  if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
    echo "installing trunk $TRUNK_VERSION (about 8 min)"
    tool_install trunk --version "$TRUNK_VERSION" --locked
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    echo "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 min)"
    tool_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" \
      || tool_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked
  fi
  if ! wasm-opt --version 2>/dev/null | grep -q "version_${BINARYEN_VERSION%%.*}"; then
    echo "installing binaryen@$BINARYEN_VERSION (wasm-opt) from npm"
    (cd "$CACHE" && npm install --no-save --no-audit --no-fund "binaryen@$BINARYEN_VERSION" \
      "coi-serviceworker@$COI_SERVICEWORKER_VERSION" >/dev/null)
  fi
  export TRUNK_TOOLS_WASM_BINDGEN="$WASM_BINDGEN_VERSION"
  export TRUNK_TOOLS_WASM_OPT="version_${BINARYEN_VERSION%%.*}"
}
