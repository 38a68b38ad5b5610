//! The browser side (wasm32 only): the Leptos page and the training worker.

pub mod app;
mod charts;
mod controller;
mod controls;
mod dom;
mod gpu;
mod model_control;
mod panels;
mod run_history;
mod state;
mod sweep_control;
mod sweep_store;
#[cfg(feature = "threads")]
pub mod thread_pool;
#[cfg(feature = "train")]
pub mod worker;
mod worker_link;
#[cfg(feature = "train")]
mod worker_model;
#[cfg(feature = "train")]
mod worker_state;
