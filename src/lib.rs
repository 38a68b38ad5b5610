//! Contrastive Playground: competing-feature datasets, the generalized contrastive loss family
//! and per-feature probes (Chen, Luo & Li, "Intriguing Properties of Contrastive Losses").
//!
//! Layers, bottom up: `params`, `rng`, `record` (plain data) and `par` (data parallelism); `url`, `sweep`, `presets`,
//! `protocol` and `data`; `eval` and `learn` (tensors); `render`; then the front ends, `cli`
//! natively and `web` on wasm32. The core is pure Rust with no browser code, so the CLI, the
//! tests and the page run the same code.

pub mod budget;
pub mod data;
pub mod eval;
pub mod learn;
pub mod par;
pub mod params;
pub mod presets;
pub mod protocol;
pub mod record;
pub mod render;
pub mod rng;
pub mod sweep;
pub mod url;
pub mod verdict;

pub use params::ExperimentConfig;

#[cfg(not(target_family = "wasm"))]
pub mod cli;

#[cfg(target_family = "wasm")]
pub mod web;

/// The entry point of the page's training workers (`worker_cpu`, `worker_gpu`).
pub fn worker_main() {
    #[cfg(target_family = "wasm")]
    web::worker::start();
    #[cfg(not(target_family = "wasm"))]
    eprintln!("the worker runs in the browser; use `contrastive-playground` on the command line");
}
