//! Contrastive Playground: competing-feature datasets, the generalized contrastive loss family
//! and per-feature probes (Chen, Luo & Li, "Intriguing Properties of Contrastive Losses").
//!
//! Floors, bottom up; a module uses only modules on floors below its own (`tests/layers.rs`
//! checks this, and that no folder has an import loop):
//! 1. plain data: `params` (the knob table and a config's canonical text), `rng`, `record`,
//!    `verdict`, and `par` (data parallelism);
//! 2. `budget`, `data` (generators, augmentations, loaders), `eval` (probes, K-means; plain
//!    Rust), `protocol` (the page–worker messages);
//! 3. `learn` (tensors: models, losses, the trainer and the run driver; the `train` feature,
//!    which the page's own wasm is built without) and `render` (pictures and SVG charts);
//! 4. `sweep` (grids, their reports and sequencers);
//! 5. `url` (the link: a config plus its sweep, hidden knobs and budget);
//! 6. `presets` (the findings and their verdict rules);
//! 7. the front ends: `cli` natively and `web` on wasm32.
//!
//! The core (floors 1–6) is pure Rust with no browser code, so the CLI, the tests and the page
//! run the same code.

pub mod budget;
pub mod data;
pub mod eval;
#[cfg(feature = "train")]
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

#[cfg(all(not(target_family = "wasm"), feature = "train"))]
pub mod cli;

#[cfg(all(not(target_family = "wasm"), not(feature = "train")))]
compile_error!("the command line trains: build it with the `train` feature (a default one)");

#[cfg(target_family = "wasm")]
pub mod web;

/// The entry point of the page's training workers (`worker_cpu`, `worker_gpu`).
#[cfg(feature = "train")]
pub fn worker_main() {
    #[cfg(target_family = "wasm")]
    web::worker::start();
    #[cfg(not(target_family = "wasm"))]
    eprintln!("the worker runs in the browser; use `contrastive-playground` on the command line");
}
