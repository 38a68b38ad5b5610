//! The page's CPU training worker on every core (wasm32 with atomics, the `threads` feature):
//! the page loads it instead of `worker_cpu` when it is cross-origin isolated. Its loader
//! (`www/worker_cpu_mt_loader.js`) starts rayon's thread pool first (this thread and a Web
//! Worker per other core, `web/thread_pool.rs`), then calls [`start`]; the pool's own workers
//! load this module too and must not start listening.

#[cfg(target_family = "wasm")]
pub use cpg::web::thread_pool::{cpg_pool_start_worker, init_thread_pool};

fn main() {}

/// Starts the training worker, once the thread pool is up.
#[cfg(target_family = "wasm")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn start() {
    cpg::worker_main();
}
