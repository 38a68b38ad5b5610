#!/usr/bin/env bash
# Builds the threaded CPU worker into <dist dir> (default dist/): worker_cpu_mt.js, its wasm, the
# thread pool's helper script under snippets/, and its loader. The standard library is rebuilt
# with atomics and bulk memory, which needs the nightly toolchain with rust-src (installed here
# where missing; pinned by THREADS_TOOLCHAIN). Everything else of the page is built by trunk.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
OUT="$(cd "${1:-dist}" && pwd)"
ensure_web_tools
ensure_threads_toolchain

TARGET_MT="$CACHE/target-wasm-mt"
# +simd128 as .cargo/config.toml sets for the other workers (RUSTFLAGS replaces it). This rustc
# no longer links a shared memory by itself when atomics are on: the memory is imported and
# shared, may grow to 4 GiB (the most a 32-bit address space holds), and the thread-local
# storage symbols that wasm-bindgen's thread support calls are exported.
# Panics abort at once, without formatting a message (`-C panic=immediate-abort`): the page only
# ever sees "the training worker stopped" from a panicking worker, and this keeps the threaded
# worker inside the first visit's 1.3 MB (it saves 66 kB gzip; the one-thread worker keeps its
# messages in the console).
LINK="--shared-memory --import-memory --max-memory=4294967296 --export=__wasm_init_tls --export=__tls_size --export=__tls_align --export=__tls_base"
RUSTFLAGS="--cfg=web_sys_unstable_apis -Z unstable-options -C panic=immediate-abort -C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128 $(printf -- '-C link-arg=%s ' $LINK)" \
  CARGO_TARGET_DIR="$TARGET_MT" cargo "+$THREADS_TOOLCHAIN" build --locked --target wasm32-unknown-unknown \
  -Z build-std=std,panic_abort --profile wasm-release-mt --bin worker_cpu_mt --features threads
wasm-bindgen --target web --no-typescript --out-dir "$OUT" --out-name worker_cpu_mt \
  "$TARGET_MT/wasm32-unknown-unknown/wasm-release-mt/worker_cpu_mt.wasm"
wasm-opt -Os --enable-threads --enable-bulk-memory --enable-mutable-globals --enable-simd \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types \
  "$OUT/worker_cpu_mt_bg.wasm" -o "$OUT/worker_cpu_mt_bg.wasm"
cp www/worker_cpu_mt_loader.js "$OUT/"
