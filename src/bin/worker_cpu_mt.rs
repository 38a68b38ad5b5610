//! The page's CPU training worker on every core (wasm32 with atomics, the `threads` feature):
//! the page loads it instead of `worker_cpu` when it is cross-origin isolated. Its loader
//! (`www/worker_cpu_mt_loader.js`) starts rayon's thread pool on Web Workers first, then calls
//! [`start`]; the pool's own workers load this module too and must not start listening.

#[cfg(target_family = "wasm")]
pub use wasm_bindgen_rayon::init_thread_pool;

fn main() {}

/// Starts the training worker, once the thread pool is up.
#[cfg(target_family = "wasm")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn start() {
    cpg::worker_main();
}
